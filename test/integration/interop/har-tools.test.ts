// HAR files as other tools write them, times and all. Chrome DevTools' websocket entry has a `time`
// and a `timings.wait` that span the socket's whole life (3,971 ms here), not its handshake; mitmproxy
// (its savehar addon) counts the upstream connect inside `wait` and again in `connect`. Read as a
// handshake, either puts the open after the frames and gives negative lifetimes: the import must
// never do that, and must say what it adjusted. A re-export keeps what the tool wrote about the
// entry (serverIPAddress, _initiator, _priority, pageref, time) and the start's microseconds.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';
import { parseMicros } from '../../../shared/time.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/har/', import.meta.url));

interface Imported {
  sessionId: number;
  connections: number;
  frames: number;
  adjusted: Array<{ path: string; what: string }>;
}
type HarEntry = Record<string, unknown> & { _webSocketMessages?: unknown[] };
type Har = { log: { entries: HarEntry[] } };

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.cleanup());

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Har;

async function imported(fixture: string): Promise<{ r: Imported; stdout: string; s: ShowJson }> {
  const text = await cli(['import', join(FIXTURES, fixture), '--db', ws.db]);
  expect(text.code, text.stderr).toBe(0);
  const id = Number(/imported session (\d+)/.exec(text.stdout)![1]);
  const again = await cliJson<Imported>(['import', join(FIXTURES, fixture), '--db', ws.db]);
  const s = (await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db])).json;
  return { r: again.json, stdout: text.stdout, s };
}

/** Every connection opened no later than its first frame and closed no earlier than its open. */
function expectNoNegativeLifetime(s: ShowJson): void {
  for (const c of s.connections) {
    const frames = s.frames!.filter((f) => f.connection === c.id).map((f) => parseMicros(f.ts));
    const opened = parseMicros(c.openedAt!);
    expect(opened, `connection ${c.ordinal} opened after its first frame`).toBeLessThanOrEqual(
      Math.min(...frames),
    );
    expect(
      parseMicros(c.closedAt!),
      `connection ${c.ordinal} closed before it opened`,
    ).toBeGreaterThanOrEqual(opened);
  }
}

describe('HAR from other tools', () => {
  it("reads Chrome DevTools' socket-long wait as no handshake, and says so", async () => {
    const { r, stdout, s } = await imported('chrome-devtools-socket-life.har');
    expectNoNegativeLifetime(s);
    const c = s.connections[0]!;
    expect(c.openedAt).toBe(s.frames![0]!.ts);
    expect(c.timings.upgradeMs!).toBeLessThan(100);
    expect(r.adjusted).toEqual([
      {
        path: 'log.entries[1].timings',
        what: expect.stringMatching(/^the handshake's timings \(3,971 ms\) end after the first frame/),
      },
    ]);
    expect(stdout).toMatch(
      /\nadjusted 1 time: log\.entries\[1\]\.timings: the handshake's timings \(3,971 ms\)/,
    );
  });

  it("reads mitmproxy's overlapping timings without a negative lifetime, keeping the start's microseconds", async () => {
    const { r, s } = await imported('mitmproxy-savehar.har');
    expectNoNegativeLifetime(s);
    expect(s.session.createdAt).toBe('2026-11-22T01:53:50.500123Z');
    expect(s.connections[0]!.url).toBe('ws://127.0.0.1:8765/feed');
    expect(r.adjusted.map((a) => a.path)).toEqual(['log.entries[0].timings', 'log.entries[1].timings']);
  });

  it('moves a close written before the last frame to that frame, and says so', async () => {
    const har = read(join(FIXTURES, 'http-toolkit.har'));
    const entry = har.log.entries.find((e) => e._webSocketClose !== undefined)!;
    (entry._webSocketClose as { timestamp: number }).timestamp = 1763776431.5;
    const file = join(ws.dir, 'early-close.har');
    writeFileSync(file, JSON.stringify(har));
    const r = await cliJson<Imported>(['import', file, '--db', ws.db]);
    expect(r.json.adjusted).toEqual([
      {
        path: `log.entries[${har.log.entries.indexOf(entry)}]._webSocketClose.timestamp`,
        what: 'the close comes 500 ms before the last frame: it is taken as at the last frame',
      },
    ]);
    const s = (await cliJson<ShowJson>(['show', String(r.json.sessionId), '--frames', '--db', ws.db])).json;
    expectNoNegativeLifetime(s);
    expect(s.connections[0]!.closedAt).toBe(s.frames!.at(-1)!.ts);
  });

  it('exports again what the tool wrote about each entry, and the start to the microsecond', async () => {
    const chrome = read(join(FIXTURES, 'chrome-devtools-socket-life.har')).log.entries[1]!;
    const { r } = await imported('chrome-devtools-socket-life.har');
    const out = join(ws.dir, 'chrome-again.har');
    const e = await cli(['export', String(r.sessionId), '--format', 'har', '-o', out, '--db', ws.db]);
    expect(e.code, e.stderr).toBe(0);
    const entry = read(out).log.entries[0]!;
    for (const key of ['serverIPAddress', '_initiator', '_priority', 'pageref', 'time'])
      expect(entry[key], key).toEqual(chrome[key]);

    const mitm = await imported('mitmproxy-savehar.har');
    const out2 = join(ws.dir, 'mitm-again.har');
    expect(
      (await cli(['export', String(mitm.r.sessionId), '--format', 'har', '-o', out2, '--db', ws.db])).code,
    ).toBe(0);
    const first = read(out2).log.entries[0]!;
    expect(first.startedDateTime).toBe('2026-11-22T01:53:50.500123Z');
    expect(first.serverIPAddress).toBe('127.0.0.1');
  });
});
