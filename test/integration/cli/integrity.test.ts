// Stored bytes checked end to end, with the real command against a real peer: two captures, then 16
// bytes flipped in one finished segment and the other segment cut short. What a user sees: every
// command that reads payloads (show, its JSON, NDJSON and HAR export, diagnose, report) still runs
// over the intact frames, marks the damaged ones without serving their bytes, says on stderr in one
// line per session how many and which, and exits with 1 (a failed check); `show --json --frames`
// prints a whole document. The console's frames handler marks them the same way.
import { closeSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../../shared/contract.js';
import type { Report } from '../../../shared/contract/reports.js';
import type { Diagnosis } from '../../../shared/findings.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { wsServer, type WsScenario } from '../../servers/scenarios.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { callService } from '../../support/service.js';
import type { ShowJson } from '../../support/session-json.js';

let ws: Workspace;
let server: WsScenario | null = null;
let service: FramelineService | null = null;
beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  await service?.close();
  service = null;
  await server?.close();
  server = null;
  ws.cleanup();
});

const TICKS = 30;
const REQUESTS = ['{"id":"r1","op":"quote"}', '{"id":"r2","op":"quote"}', '{"id":"r3","op":"quote"}'];

/** A quote service: thirty ticks on connect, an answer with the same id to each request, a close after the third. */
function quoteServer(): Promise<WsScenario> {
  return wsServer((sock) => {
    for (let i = 1; i <= TICKS; i++)
      sock.send(JSON.stringify({ id: i, type: 'tick', price: `${100 + i}.25`, note: 'steady market' }));
    let answered = 0;
    sock.on('message', (data) => {
      const { id } = JSON.parse(data.toString()) as { id: string };
      sock.send(JSON.stringify({ id, ok: true, price: '101.25' }));
      if (++answered === REQUESTS.length) sock.close(1000, 'done');
    });
  });
}

async function capture(url: string): Promise<number> {
  const sends = REQUESTS.flatMap((r) => ['--send', r]);
  const { result, json } = await cliJson<{ session: { id: number } }>([
    'capture',
    url,
    ...sends,
    '--db',
    ws.db,
    '--quiet',
  ]);
  expect(result.code, result.stderr).toBe(0);
  return json.session.id;
}

/** The segment file a session's payloads lie in (its capture's frame log). */
function segmentOf(session: number): string {
  const dir = `${ws.db}-frames`;
  const name = readdirSync(dir).find((f) => f === `session-${session}.frames`);
  if (!name) throw new Error(`no segment for session ${session} in ${dir}`);
  return join(dir, name);
}

/** Where `marker` first occurs in a file. */
function offsetOf(file: string, marker: string): number {
  const at = readFileSync(file).indexOf(marker);
  if (at < 0) throw new Error(`${marker} is not in ${file}`);
  return at;
}

function flip(file: string, at: number, n: number): void {
  const bytes = readFileSync(file).subarray(at, at + n);
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.from(bytes.map((b) => b ^ 0x5a)), 0, n, at);
  } finally {
    closeSync(fd);
  }
}

async function shown(session: number): Promise<{ code: number | null; stderr: string; json: ShowJson }> {
  const { result, json } = await cliJson<ShowJson>(['show', String(session), '--frames', '--db', ws.db]);
  return { code: result.code, stderr: result.stderr, json };
}

const seqOf = (frames: FrameRecord[], marker: string) => frames.find((f) => f.payload.includes(marker))!.seq;
const lines = (stderr: string) => stderr.split('\n').filter(Boolean);

describe('damaged stored bytes', () => {
  it('are marked by show, export, diagnose and report, which go on with the intact frames and exit 1', async () => {
    server = await quoteServer();
    const flipped = await capture(server.url);
    const cut = await capture(server.url);
    const intact = {
      flipped: (await shown(flipped)).json.frames!,
      cut: (await shown(cut)).json.frames!,
    };
    expect(intact.flipped).toHaveLength(TICKS + 2 * REQUESTS.length + 2);

    // 16 bytes of tick 5 flipped in the first session's finished segment.
    const first = segmentOf(flipped);
    flip(first, offsetOf(first, '"price":"105.25"') + 2, 16);
    const bad = seqOf(intact.flipped, '"price":"105.25"');
    // The second session's segment cut in the middle of tick 20: it and every frame after are gone.
    const second = segmentOf(cut);
    truncateSync(second, offsetOf(second, '"id":20,') + 3);
    const cutFrom = seqOf(intact.cut, '"id":20,');
    const gone = intact.cut.filter((f) => f.seq >= cutFrom && f.size > 0).map((f) => f.seq);
    expect(gone.length).toBeGreaterThan(10);

    // show --json --frames: a whole document, the one frame marked, every other frame as recorded.
    const one = await shown(flipped);
    expect(one.code).toBe(1);
    const frames = one.json.frames!;
    expect(frames.filter((f) => f.damaged).map((f) => f.seq)).toEqual([bad]);
    const marked = frames.find((f) => f.seq === bad)!;
    expect(marked).toMatchObject({ damaged: true, payload: '' });
    expect(marked.damage).toMatch(/^checksum mismatch/);
    expect(frames.filter((f) => !f.damaged)).toEqual(intact.flipped.filter((f) => f.seq !== bad));
    expect(lines(one.stderr)).toEqual([
      `frameline: session ${flipped}: 1 frame is damaged (seq ${bad}: 1 changed on disk); it is marked damaged and its bytes left out, the other frames come through as stored; restore the database's -frames folder from a copy to get it back`,
    ]);

    // The cut session: before the cut served, from it on marked; the document is still whole.
    const two = await shown(cut);
    expect(two.code).toBe(1);
    expect(two.json.frames).toHaveLength(intact.cut.length);
    expect(two.json.frames!.filter((f) => f.damaged).map((f) => f.seq)).toEqual(gone);
    for (const f of two.json.frames!.filter((x) => x.damaged)) expect(f.damage).toMatch(/^cut short/);
    expect(two.json.frames!.filter((f) => f.seq < cutFrom)).toEqual(
      intact.cut.filter((f) => f.seq < cutFrom),
    );
    expect(lines(two.stderr)).toHaveLength(1);
    expect(two.stderr).toContain(`session ${cut}: ${gone.length} frames are damaged (seq `);
    expect(two.stderr).toContain(`${gone.length} cut short)`);

    // show, as text: the word on the frame's line, its neighbours' payloads as recorded.
    const text = await cli(['show', String(flipped), '--frames', '--db', ws.db]);
    expect(text.code).toBe(1);
    const tickLines = text.stdout
      .split('\n')
      .filter((l) => l.includes('"type":"tick"') || l.includes('[damaged'));
    expect(tickLines).toHaveLength(TICKS);
    expect(tickLines.filter((l) => l.includes('[damaged: checksum mismatch'))).toHaveLength(1);
    expect(text.stdout).toContain('{"id":6,"type":"tick","price":"106.25"');
    expect(text.stdout).not.toContain('"price":"105.25"');
    expect(lines(text.stderr)).toEqual(lines(one.stderr));

    // NDJSON: every frame has its line; the damaged one says so and carries no payload.
    const ndjson = join(ws.dir, 'one.ndjson');
    const nd = await cli(['export', String(flipped), '--format', 'ndjson', '-o', ndjson, '--db', ws.db]);
    expect(nd.code).toBe(1);
    const records = readFileSync(ndjson, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(1 + intact.flipped.length);
    const damagedLines = records.filter((r) => r.damaged === true);
    expect(damagedLines).toHaveLength(1);
    expect(damagedLines[0]).toMatchObject({ payload: '', size: marked.size });
    expect(records.filter((r) => String(r.payload).includes('"id":6,'))).toHaveLength(1);
    expect(lines(nd.stderr)[0]).toMatch(/^wrote .*one\.ndjson: session \d+ as ndjson/);
    expect(lines(nd.stderr)).toContain(lines(one.stderr)[0]);

    // HAR: the damaged messages are left out (a tool would use whatever data they held) and named.
    const harFile = join(ws.dir, 'two.har');
    const har = await cli(['export', String(cut), '--format', 'har', '-o', harFile, '--db', ws.db]);
    expect(har.code).toBe(1);
    const doc = JSON.parse(readFileSync(harFile, 'utf8')) as {
      log: {
        _frameline: { damaged: { frames: number } };
        entries: Array<{ _webSocketMessages: Array<{ data: string }> }>;
      };
    };
    expect(doc.log._frameline.damaged.frames).toBe(gone.length);
    expect(doc.log.entries[0]!._webSocketMessages).toHaveLength(intact.cut.length - gone.length);
    expect(lines(har.stderr)).toContain(lines(two.stderr)[0]);

    // diagnose: the intact frames are analysed; a failed check names the damaged ones.
    const diag = await cli(['diagnose', String(cut), '--db', ws.db]);
    expect(diag.code).toBe(1);
    expect(diag.stdout).toMatch(/stored frames.*\d+ frames are damaged/);
    // It reads the payloads of text and control frames only (not the closes): those are the ones it names.
    const goneRead = intact.cut.filter((f) => gone.includes(f.seq) && f.opcode !== 'close').length;
    expect(lines(diag.stderr)).toHaveLength(1);
    expect(diag.stderr).toContain(`session ${cut}: ${goneRead} frames are damaged (seq ${cutFrom}–`);
    const diagJson = await cliJson<Diagnosis>(['diagnose', String(flipped), '--db', ws.db]);
    expect(diagJson.result.code).toBe(1);
    expect(diagJson.json.checks.find((c) => c.name === 'stored frames')).toMatchObject({
      ok: false,
      detail: { damaged: { frames: 1, seqs: [bad], checksum: 1, cutShort: 0 } },
    });
    expect(diagJson.json.checks.find((c) => c.name === 'session')?.detail.frames).toBe(intact.flipped.length);

    // replay and mock send recorded bytes: a damaged frame in the connection is refused in one line
    // (sending it empty, or leaving it out, would be another conversation than the recorded one).
    const mock = await cli(['mock', String(flipped), '--db', ws.db]);
    expect(mock.code).toBe(1);
    expect(lines(mock.stderr)).toEqual([
      `frameline: frame ${bad} of session ${flipped} is damaged (${marked.damage}), so connection 1 cannot be served as it was recorded; restore the database's -frames folder from a copy, or pick another connection with --connection`,
    ]);
    const replay = await cli(['replay', String(cut), '--to', server.url, '--db', ws.db]);
    expect(replay.code).toBe(1);
    expect(lines(replay.stderr)).toHaveLength(1);
    expect(replay.stderr).toContain(`of session ${cut} is damaged (cut short: `);
    expect(replay.stderr).toContain('cannot be sent again as it was recorded');

    // report: both sessions' evidence, the damaged frames named in each; one line per session.
    const incident = await cliJson<{ id: number }>([
      'incident',
      'create',
      '--title',
      'Bit rot',
      '--db',
      ws.db,
    ]);
    for (const s of [flipped, cut]) {
      const linked = await cli([
        'incident',
        'link',
        String(incident.json.id),
        '--session',
        String(s),
        '--db',
        ws.db,
      ]);
      expect(linked.code, linked.stderr).toBe(0);
    }
    const reportFile = join(ws.dir, 'report.json');
    const rep = await cli(['report', String(incident.json.id), '-o', reportFile, '--db', ws.db]);
    expect(rep.code).toBe(1);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    const bySession = new Map(report.sessions.map((s) => [s.id, s]));
    // Round trips read the pings, pongs and the messages that come while a request waits: tick 5 is one of them.
    expect(bySession.get(flipped)!.damagedFrames).toMatchObject({ frames: 1, seqs: [bad] });
    // Every stored payload is checked, also those no figure reads (the closes): as the exports count them.
    expect(bySession.get(cut)!.damagedFrames!.frames).toBe(gone.length);
    expect(bySession.get(flipped)!.roundTrips.requestResponse?.samples).toBe(REQUESTS.length);
    const damageLines = lines(rep.stderr).filter((l) => l.includes('damaged'));
    expect(damageLines).toHaveLength(2);
    expect(damageLines[0]).toContain(`session ${flipped}: 1 frame is damaged (seq ${bad}`);
    const md = await cli(['report', String(incident.json.id), '--db', ws.db]);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('**Damaged frames:** 1 frame is damaged');

    // A segment file that is gone marks every frame in it damaged (missing), like one cut short: the
    // document is whole, and the one line names the file to restore (issue 19 item 6).
    rmSync(second);
    const missing = await cli(['show', String(cut), '--frames', '--json', '--db', ws.db]);
    expect(missing.code).toBe(1);
    expect(lines(missing.stderr)).toHaveLength(1);
    const lost = (JSON.parse(missing.stdout) as ShowJson).frames!;
    expect(lost.map((f) => f.seq)).toEqual(intact.cut.map((f) => f.seq));
    expect(lost.filter((f) => f.payload !== '' || !f.damaged)).toEqual([]);
    expect(new Set(lost.map((f) => f.damage))).toEqual(new Set(['missing: its segment file is missing']));
    expect(missing.stderr).toContain(
      `session ${cut}: ${lost.length} frames are damaged (seq 1–20, …: ${lost.length} in a missing segment file)`,
    );
    expect(missing.stderr).toContain(
      `${second}, which is missing from ${dirname(second)}; restore that file`,
    );
  }, 60_000);

  it('are marked in the console: the frame list, the frame detail and the export answer', async () => {
    server = await quoteServer();
    const id = await capture(server.url);
    const intact = (await shown(id)).json.frames!;
    const file = segmentOf(id);
    flip(file, offsetOf(file, '"price":"112.25"'), 16);
    const bad = seqOf(intact, '"price":"112.25"');

    service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
    const page = await callService<{
      total: number;
      frames: Array<{ seq: number; preview: string; damaged?: boolean; damage?: string }>;
    }>(service, 'sessions:frames', { id, offset: 0, limit: 100 });
    expect(page.total).toBe(intact.length);
    expect(page.frames.filter((f) => f.damaged).map((f) => f.seq)).toEqual([bad]);
    expect(page.frames.find((f) => f.seq === bad)).toMatchObject({ preview: '', damaged: true });
    expect(page.frames.find((f) => f.seq === bad + 1)!.preview).toContain('"price":"113.25"');
    // A search reads the same rows: the intact ticks as recorded, the damaged one (its words were
    // indexed when it was recorded) marked, without its bytes.
    const search = await callService<{ frames: Array<{ seq: number; preview: string; damaged?: boolean }> }>(
      service,
      'sessions:frames',
      { id, offset: 0, limit: 100, filter: { text: 'tick' } },
    );
    expect(search.frames.filter((f) => !f.damaged)).toHaveLength(TICKS - 1);
    for (const f of search.frames) expect(f.damaged ? f.seq : f.preview).toBe(f.damaged ? bad : f.preview);
    expect(search.frames.filter((f) => f.damaged).every((f) => f.preview === '')).toBe(true);

    const detail = await callService<{ payload: string; damaged?: boolean; damage?: string }>(
      service,
      'sessions:frame',
      { id, seq: bad },
    );
    expect(detail).toMatchObject({ payload: '', damaged: true });
    expect(detail.damage).toMatch(/^checksum mismatch/);

    const exported = await callService<{ frames: number; damaged: { frames: number; seqs: number[] } }>(
      service,
      'interop:export',
      { sessionId: id, format: 'ndjson' },
    );
    expect(exported.frames).toBe(intact.length);
    expect(exported.damaged).toMatchObject({ frames: 1, seqs: [bad] });
  }, 60_000);
});
