// `frameline mock` against clients that break RFC 6455, written by hand over TCP: the mock closes
// them itself (1002, 1007, 1009) and records that close as its own, with the code it put on the
// wire and what the client did, instead of a network 1006; diagnose names the violation. A client
// that floods pings is answered (the latest ping at least), kept, and named by diagnose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, workspace, type Workspace } from '../../support/cli.js';
import { recordQuotes, startMock, type MockProcess } from '../../support/replay.js';
import type { ShowJson } from '../../support/session-json.js';
import { until } from '../../support/wait.js';
import { rawClient, type RawClient } from '../../servers/raw-client.js';
import { closePayload, wireFrame, type FrameOptions } from '../../servers/raw-peer.js';
import type { Diagnosis } from '../../../shared/findings.js';

let ws: Workspace;
let source: number;

beforeAll(async () => {
  ws = workspace();
  source = await recordQuotes(ws.db);
});
afterAll(() => ws.cleanup());

/** A frame from a client: masked unless told otherwise. */
const client = (opcode: number, payload: Buffer | string, options: FrameOptions = {}) =>
  wireFrame(opcode, Buffer.from(payload), { mask: true, ...options });

async function mockSessionId(mock: MockProcess): Promise<number> {
  await until('the mock to name its session', () => /into session (\d+)/.test(mock.stderr()));
  return Number(/into session (\d+)/.exec(mock.stderr())![1]);
}

/** The stored connection `ordinal` of a session, once its close is committed. */
async function storedConnection(session: number, ordinal: number): Promise<ShowJson['connections'][number]> {
  let found: ShowJson['connections'][number] | undefined;
  await until(
    `connection ${ordinal} of session ${session} to be stored closed`,
    async () => {
      const { json } = await cliJson<ShowJson>(['show', String(session), '--db', ws.db]);
      found = json.connections.find((c) => c.ordinal === ordinal && c.closedAt !== null);
      return found !== undefined;
    },
    20_000,
  );
  return found!;
}

describe('a client that breaks the protocol', () => {
  let mock: MockProcess;
  let session: number;
  let ordinal = 0;

  beforeAll(async () => {
    mock = await startMock([String(source), '--mode', 'reactive', '--db', ws.db]);
    session = await mockSessionId(mock);
  });
  afterAll(async () => {
    await mock.stop();
  });

  // Each case: what the client writes, the close code the mock must put on the wire, and words the
  // message must hold (and words it must not: a wrong story).
  it.each<[string, Buffer, number, RegExp, RegExp | null]>([
    ['an unmasked frame', wireFrame(1, Buffer.from('hi')), 1002, /unmasked frame/, null],
    [
      'text that is not UTF-8',
      client(1, Buffer.from([0x68, 0xff, 0xfe])),
      1007,
      /text message that is not valid UTF-8/,
      null,
    ],
    ['RSV1 without an extension', client(1, 'hi', { rsv: 4 }), 1002, /RSV1/, null],
    ['a reserved opcode', client(0xb, 'x'), 1002, /reserved opcode 11/, null],
    [
      'an orphan continuation frame',
      client(0, 'x'),
      1002,
      /continuation frame.*no fragmented message/,
      /reserved opcode/,
    ],
    ['a fragmented control frame', client(9, 'p', { fin: false }), 1002, /fragmented a ping/, null],
    [
      'a close frame with a 1-byte payload',
      client(8, Buffer.from([3])),
      1002,
      /close frame with a 1-byte payload/,
      /longer than 125/,
    ],
    ...[1005, 1006, 1015, 999, 5000].map(
      (code) =>
        [
          `close code ${code} on the wire`,
          client(8, closePayload(code)),
          1002,
          new RegExp(`close code ${code}`),
          null,
        ] as [string, Buffer, number, RegExp, RegExp | null],
    ),
    [
      'a close reason that is not UTF-8',
      client(8, closePayload(1000, Buffer.from([0xff]))),
      1007,
      /close reason that is not valid UTF-8/,
      /text message/,
    ],
    [
      'a 2^63-byte length',
      client(2, '', { length: 2n ** 63n }),
      1009,
      /announced a frame longer than 2\^53 - 1 bytes/,
      /1002/,
    ],
    [
      'a message above the mock’s 100 MiB limit',
      client(2, '', { length: 200_000_000n }),
      1009,
      /larger than the 104857600 bytes/,
      /--max-payload/,
    ],
  ])(
    'sending %s is closed by the mock with the code it put on the wire',
    async (_what, frame, code, words, wrong) => {
      const n = ++ordinal;
      const c: RawClient = await rawClient(mock.url);
      c.write(frame);
      await until('the mock’s close frame', () => c.closeCode() !== null);
      expect(c.closeCode()).toBe(code);
      c.destroy(); // a client that broke the protocol rarely answers the close

      await until(`client ${n} to end`, () => mock.stderr().includes(`client ${n} ended:`));
      const ended = new RegExp(`client ${n} ended: ([^\\n]*)`).exec(mock.stderr())![1]!;
      expect(ended).toMatch(new RegExp(`closed by the mock with ${code}\\b`));
      expect(ended).toMatch(words);

      const stored = await storedConnection(session, n);
      expect(stored).toMatchObject({ closeCode: code, closedBy: 'server', error: { kind: 'protocol' } });
      expect(stored.error!.message).toMatch(words);
      expect(stored.error!.message).toMatch(new RegExp(`the mock closed with ${code}\\b`));
      if (wrong) expect(stored.error!.message).not.toMatch(wrong);
    },
  );

  it('a client that does not answer the mock’s close is let go, the close still the mock’s', async () => {
    const n = ++ordinal;
    const c = await rawClient(mock.url);
    const started = Date.now();
    c.write(wireFrame(1, Buffer.from('unmasked')));
    await until('the mock’s close frame', () => c.closeCode() !== null);
    await c.ended; // the mock lets go of TCP itself, within a bounded time
    expect(Date.now() - started).toBeLessThan(10_000);
    const stored = await storedConnection(session, n);
    expect(stored).toMatchObject({ closeCode: 1002, closedBy: 'server', error: { kind: 'protocol' } });
    expect(stored.error!.message).toMatch(/unmasked frame/);
  });
});

describe('diagnose of a mock session', () => {
  it('names the client’s violations and the mock’s close codes, not the network', async () => {
    const mock = await startMock([String(source), '--mode', 'reactive', '--db', ws.db]);
    const session = await mockSessionId(mock);
    try {
      for (const frame of [wireFrame(1, Buffer.from('hi')), client(1, Buffer.from([0xff]))]) {
        const c = await rawClient(mock.url);
        c.write(frame);
        await until('the mock’s close frame', () => c.closeCode() !== null);
        c.destroy();
      }
      await until('both clients to end', () => mock.stderr().includes('client 2 ended:'));
    } finally {
      await mock.stop();
    }
    const { json: d } = await cliJson<Diagnosis>(['diagnose', String(session), '--db', ws.db]);
    const ids = d.findings.map((f) => f.id);
    expect(ids).not.toContain('abnormal-closure');
    const f = d.findings.find((x) => x.id === 'protocol-violation')!;
    expect(f.evidence.violations).toEqual({ 'unmasked-frame': 1, 'invalid-utf8': 1 });
    expect(f.evidence.closeCodes).toEqual({ '1002': 1, '1007': 1 });
    expect(f.summary).toMatch(/closed by the server because the client broke the WebSocket protocol/);
    expect(f.summary).toMatch(/unmasked frame/);
  });
});

describe('a client that floods pings', () => {
  it('is answered (the latest ping at least), kept open, and named by diagnose', async () => {
    const mock = await startMock([String(source), '--mode', 'reactive', '--db', ws.db]);
    const session = await mockSessionId(mock);
    const count = 5000;
    try {
      const c = await rawClient(mock.url);
      c.write(Buffer.concat(Array.from({ length: count }, (_, i) => client(9, `p${i}`))));
      // The latest ping is answered, whatever happened to those before it.
      const answered = () =>
        c.received.some((f) => f.opcode === 10 && f.payload.toString() === `p${count - 1}`);
      await until('the pong of the last ping', answered, 20_000);
      c.write(client(8, closePayload(1000, Buffer.from('flood over'))));
      await until('the mock’s answer to the close', () => c.closeCode() !== null);
      expect(c.closeCode()).toBe(1000);
      const pongs = c.received.filter((f) => f.opcode === 10).map((f) => f.payload.toString());
      expect(pongs.length).toBeGreaterThanOrEqual(1);
      expect(pongs[pongs.length - 1]).toBe(`p${count - 1}`);
      c.destroy();
      await until('the client to end', () => mock.stderr().includes('client 1 ended:'));
    } finally {
      await mock.stop();
    }
    const stored = await storedConnection(session, 1);
    expect(stored).toMatchObject({
      closeCode: 1000,
      closeReason: 'flood over',
      closedBy: 'client',
      error: null,
    });
    const { json: d } = await cliJson<Diagnosis>(['diagnose', String(session), '--db', ws.db]);
    const flood = d.findings.find((f) => f.id === 'ping-flood');
    expect(flood, JSON.stringify(d.findings)).toMatchObject({ severity: 'warning' });
    expect(flood!.evidence).toMatchObject({ from: 'client', pings: count, connections: [1] });
    expect(flood!.summary).toMatch(new RegExp(`client sent ${count} pings`));
    const ids = d.findings.map((f) => f.id);
    for (const wrong of ['abnormal-closure', 'heartbeat-timeout', 'protocol-violation'])
      expect(ids).not.toContain(wrong);
  });
});
