// Faults on the relay's live path, measured from the client's side: Python's `websockets` client
// through `frameline relay --fault …` to Python's `websockets` echo server, and faults switched on
// and off through the relay's stdin while a client is connected. What each fault did is read back
// from the session's timeline (`fault-applied`), and `diagnose` reads the idle cuts.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMicros } from '../../../shared/time.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer, stopChild, type Peer } from '../../support/processes.js';
import { startListener, type MockProcess } from '../../support/replay.js';
import type { ShowJson } from '../../support/session-json.js';

type Line = Record<string, unknown>;

let ws: Workspace;
let server: Peer;
let relay: MockProcess | null;
const clients: ChildProcess[] = [];

beforeEach(async () => {
  ws = workspace();
  server = await startPeer(PYTHON, [serverScript('python_ws.py')]);
  relay = null;
});
afterEach(async () => {
  for (const c of clients.splice(0)) await stopChild(c);
  if (relay) await relay.stop();
  await server.stop();
  ws.cleanup();
});

/** A Python client whose JSON lines can be waited for; with `--stdin`, each `send` is a message. */
function pythonClient(args: string[]) {
  const child = spawn(PYTHON, [serverScript('python_ws_client.py'), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  clients.push(child);
  const lines: Line[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l) as Line);
    for (const w of waiters.splice(0)) w();
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = once(child, 'close');
  /** The first line (from `from` on) that matches. */
  const next = (match: (l: Line) => boolean, from = 0): Promise<Line> =>
    new Promise((resolve, reject) => {
      const look = () => {
        const found = lines.slice(from).find(match);
        if (found) return resolve(found);
        if (child.exitCode !== null)
          return reject(new Error(`client ended: ${JSON.stringify(lines)} ${stderr}`));
        waiters.push(look);
      };
      child.once('close', look);
      look();
    });
  return {
    lines,
    next,
    send: (text: string) => child.stdin!.write(`${text}\n`),
    end: () => child.stdin!.end(),
    closed: async () => {
      await closed;
      return lines.at(-1)!;
    },
  };
}

/** Writes a line to the relay's stdin and waits for its stderr to match. */
async function relaySays(r: MockProcess, line: string | null, pattern: RegExp): Promise<string> {
  const before = r.stderr().length;
  if (line !== null) r.child.stdin!.write(`${line}\n`);
  for (;;) {
    const m = pattern.exec(r.stderr().slice(before));
    if (m) return m[0];
    await once(r.child.stderr!, 'data');
  }
}

async function stopped(): Promise<number> {
  const s = await relay!.stop();
  relay = null;
  expect(s.code).toBe(0);
  return Number(/into session (\d+)/.exec(s.stderr)![1]);
}

function events(id: number): Array<{ ordinal: number; kind: string; detail: Record<string, unknown> }> {
  const db = new Database(ws.db, { readonly: true });
  try {
    return (
      db
        .prepare(
          `SELECT c.ordinal, e.kind, e.detail, e.ts FROM event e JOIN connection c ON c.id = e.connection_id
           WHERE e.session_id = ? ORDER BY e.ts, e.id`,
        )
        .all(id) as Array<{ ordinal: number; kind: string; detail: string; ts: number }>
    ).map((e) => ({ ...e, detail: JSON.parse(e.detail) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

describe('frameline relay --fault', () => {
  it('idle-cut drops idle clients without a close frame (switched on live, and from the start); diagnose names the idle timeout', async () => {
    relay = await startListener('relay', ['--to', `ws://127.0.0.1:${server.port}`, '--db', ws.db], 'pipe');
    // A client connected before the fault is switched on from stdin.
    const first = pythonClient([relay.url, '--hold']);
    await first.next((l) => l.holding === true);
    await relaySays(relay, 'fault on idle-cut=1', /switched on idle-cut=1; faults on: idle-cut=1/);
    expect(await first.closed()).toMatchObject({ closed: 1006 });
    // Clients that connect later meet it from their open.
    for (const _ of [1, 2]) {
      const c = pythonClient([relay.url, '--hold']);
      expect(await c.closed()).toMatchObject({ closed: 1006 });
    }
    expect(relay.stderr()).toMatch(/client 3: idle-cut=1 connection-cut/);
    const id = await stopped();

    const { json } = await cliJson<ShowJson>(['show', String(id), '--db', ws.db]);
    // Closed by Frameline's relay, through the fault: both legs dropped without a close frame (1006).
    for (const c of json.connections)
      expect(c).toMatchObject({
        status: 101,
        closeCode: 1006,
        closedBy: 'relay',
        closeFault: 'idle-cut=1',
        upstreamCloseCode: 1006,
      });
    const text = await cli(['show', String(id), '--db', ws.db]);
    expect(text.stdout).toMatch(/closed: +1006 Abnormal Closure by Frameline's relay \(fault idle-cut=1\)/);
    expect(text.stdout).toMatch(/legs: +client 1006, server 1006/);
    const all = events(id);
    for (const ordinal of [1, 2, 3]) {
      expect(all.find((e) => e.ordinal === ordinal && e.kind === 'fault-applied')?.detail).toEqual({
        fault: 'idle-cut=1',
        action: 'connection-cut',
        idleSeconds: 1,
      });
      expect(all.find((e) => e.ordinal === ordinal && e.kind === 'relay-close')?.detail).toMatchObject({
        closedBy: 'fault',
        fault: 'idle-cut=1',
      });
    }
    expect(all.find((e) => e.ordinal === 1 && e.kind === 'faults-switched')?.detail).toEqual({
      on: ['idle-cut=1'],
      off: [],
    });
    const diagnosed = await cli(['diagnose', String(id), '--json', '--db', ws.db]);
    const report = JSON.parse(diagnosed.stdout) as { findings: Array<{ id: string; evidence: Line }> };
    // The idle timeout is named, and said to be the relay's own fault, not the server's.
    const idle = report.findings.find((f) => f.id === 'idle-timeout') as
      { summary: string; evidence: Line } | undefined;
    expect(idle?.evidence).toMatchObject({ idleSeconds: 1, fault: 'idle-cut=1' });
    expect(idle?.summary).toMatch(/Frameline's relay \(fault idle-cut=1\)/);
  });

  it('close sends its code and reason to the client; reject refuses the upgrade without asking the server', async () => {
    relay = await startListener('relay', [
      '--to',
      `ws://127.0.0.1:${server.port}`,
      '--fault',
      'close=4000:bye@1',
      '--db',
      ws.db,
    ]);
    const held = pythonClient([relay.url, '--hold']);
    expect(await held.closed()).toEqual({ closed: 4000, reason: 'bye' });
    const closeId = await stopped();
    const { json } = await cliJson<ShowJson>(['show', String(closeId), '--db', ws.db]);
    expect(json.connections[0]).toMatchObject({
      closeCode: 4000,
      closeReason: 'bye',
      closedBy: 'relay',
      closeFault: 'close=4000:bye@1',
      upstreamCloseCode: 4000,
      upstreamCloseReason: 'bye',
    });
    // A close the relay's fault made is not the server's: diagnose names no server close.
    const closeDiagnosed = JSON.parse(
      (await cli(['diagnose', String(closeId), '--json', '--db', ws.db])).stdout,
    ) as {
      findings: Array<{ id: string }>;
    };
    expect(closeDiagnosed.findings.map((f) => f.id)).not.toContain('server-close');
    // Exported as HAR and imported again, the connection is still closed by the relay.
    const har = join(ws.dir, 'relay.har');
    expect((await cli(['export', String(closeId), '--format', 'har', '-o', har, '--db', ws.db])).code).toBe(
      0,
    );
    const again = await cliJson<{ sessionId: number }>(['import', har, '--db', ws.db]);
    const reread = await cliJson<ShowJson>(['show', String(again.json.sessionId), '--db', ws.db]);
    expect(reread.json.connections[0]).toMatchObject({ closeCode: 4000, closedBy: 'relay' });
    const closeEvents = events(closeId);
    expect(closeEvents.find((e) => e.kind === 'fault-applied')?.detail).toEqual({
      fault: 'close=4000:bye@1',
      action: 'close-sent',
      code: 4000,
      reason: 'bye',
    });
    // The server's leg was closed with the same code.
    expect(closeEvents.find((e) => e.kind === 'relay-close')?.detail).toMatchObject({
      closedBy: 'fault',
      clientCode: 4000,
      serverCode: 4000,
    });

    relay = await startListener('relay', [
      '--to',
      `ws://127.0.0.1:${server.port}`,
      '--fault',
      'reject=503',
      '--db',
      ws.db,
    ]);
    const refused = pythonClient([relay.url]);
    expect(await refused.closed()).toEqual({ refused: 503 });
    const rejectId = await stopped();
    const rejected = await cliJson<ShowJson>(['show', String(rejectId), '--db', ws.db]);
    expect(rejected.json.connections[0]).toMatchObject({
      status: 503,
      closedBy: 'relay',
      closeFault: 'reject=503',
      error: { kind: 'upgrade-rejected' },
    });
    const rejectEvents = events(rejectId);
    expect(rejectEvents.find((e) => e.kind === 'fault-applied')?.detail).toEqual({
      fault: 'reject=503',
      action: 'upgrade-rejected',
      status: 503,
    });
    // The server was never asked.
    expect(rejectEvents.some((e) => e.kind === 'relay-upstream-request')).toBe(false);
  });

  it('delay and stall switched on and off from stdin act on the next messages, and off again stops them', async () => {
    relay = await startListener('relay', ['--to', `ws://127.0.0.1:${server.port}`, '--db', ws.db], 'pipe');
    const c = pythonClient([relay.url, '--stdin']);
    await c.next((l) => l.open === true);
    c.send('plain');
    await c.next((l) => l.received === 'plain');

    await relaySays(relay, 'fault on delay=200', /switched on delay=200/);
    c.send('late');
    // As the client measures it: the echo comes at least 200 ms after its send.
    expect((await c.next((l) => l.received === 'late')).ms).toBeGreaterThanOrEqual(200);
    await relaySays(relay, 'fault off delay', /switched off delay=200; faults on: none/);
    c.send('on time');
    await c.next((l) => l.received === 'on time');

    // A stall holds the client's message (without closing) until it is switched off.
    await relaySays(relay, 'fault on stall=600@0', /client 1: stall=600@0 stall-began/);
    const from = c.lines.length;
    c.send('held');
    await relaySays(relay, null, /client 1: stall=600@0 frame-stalled \{"direction":"out","opcode":1\}/);
    expect(c.lines.slice(from).some((l) => l.received === 'held')).toBe(false);
    await relaySays(relay, 'fault off stall', /switched off stall=600@0/);
    await c.next((l) => l.received === 'held', from);
    await relaySays(relay, 'faults', /faults on: none/);
    c.end();
    expect(await c.closed()).toEqual({ closed: 1000, reason: 'done' });
    const id = await stopped();

    const all = events(id).filter((e) => e.kind === 'fault-applied');
    // Only the echo of "late" was delayed: off stopped the delay.
    const delayed = all.filter((e) => e.detail.action === 'message-delayed');
    expect(delayed).toHaveLength(1);
    expect(delayed[0]!.detail).toMatchObject({ fault: 'delay=200', direction: 'in', opcode: 1 });
    expect(delayed[0]!.detail.ms as number).toBeGreaterThanOrEqual(200);
    expect(all.map((e) => e.detail.action).filter((a) => String(a).startsWith('stall'))).toEqual([
      'stall-began',
      'stall-ended',
    ]);
    expect(all.find((e) => e.detail.action === 'stall-ended')?.detail).toMatchObject({
      why: 'switched off',
      heldFrames: 1,
    });
    // On the timeline: the client's message reached the relay before the stall ended, the server's echo after.
    const { json } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
    const sent = json.frames!.find((f) => f.direction === 'out' && f.payload === 'held')!;
    const echoed = json.frames!.find((f) => f.direction === 'in' && f.payload === 'held')!;
    const ended = events(id).find((e) => e.detail.action === 'stall-ended') as unknown as { ts: number };
    expect(parseMicros(sent.ts)).toBeLessThanOrEqual(ended.ts);
    expect(parseMicros(echoed.ts)).toBeGreaterThanOrEqual(ended.ts);
  });

  it('throttle holds messages to its rate, slow-accept holds the upgrade, cut-after drops the client', async () => {
    relay = await startListener('relay', [
      '--to',
      `ws://127.0.0.1:${server.port}`,
      '--fault',
      'throttle=1000/s',
      '--fault',
      'slow-accept=200',
      '--fault',
      'cut-after=3',
      '--db',
      ws.db,
    ]);
    const c = pythonClient([relay.url, '--stdin']);
    await c.next((l) => l.open === true);
    c.send('a'.repeat(800));
    c.send('b'.repeat(800));
    // The second message waits for the first one's 800 bytes at 1000 bytes a second.
    await c.next((l) => l.received === 'b'.repeat(800));
    expect(await c.closed()).toMatchObject({ closed: 1006 });
    const id = await stopped();
    const applied = events(id)
      .filter((e) => e.kind === 'fault-applied')
      .map((e) => e.detail);
    expect(applied[0]).toEqual({ fault: 'slow-accept=200', action: 'upgrade-held', ms: 200 });
    const throttled = applied.find((d) => d.action === 'message-throttled' && d.direction === 'out');
    expect(throttled).toMatchObject({ fault: 'throttle=1000/s', opcode: 1 });
    expect(applied.at(-1)).toEqual({ fault: 'drop-after=3', action: 'connection-cut', afterSeconds: 3 });
    const { json } = await cliJson<ShowJson>(['show', String(id), '--db', ws.db]);
    expect(json.connections[0]).toMatchObject({
      closeCode: 1006,
      closedBy: 'relay',
      closeFault: 'drop-after=3',
      upstreamCloseCode: 1006,
    });
  });
});
