// Attack family: replay and mock against hostile peers. A recorded quote session is replayed to
// hand-written servers that reset, never answer, answer garbage, close with odd codes, break the
// protocol, refuse or never finish the upgrade, or flood pings; and it is served by `frameline mock`
// to raw clients that break the protocol in each way RFC 6455 names. Every run ends cleanly (no
// signal, no stack, never exit 0 with an error) and its record says what happened on the wire: the
// close code, and who sent it — never "the network" when a close frame went over TCP.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  closeFrame,
  rawPeer,
  serverFrame,
  type ClientFrame,
  type RawPeer,
  type RawScript,
} from '../servers/raw-peer.js';
import { quoteService } from '../servers/quote-service.js';
import { cli, workspace, type Workspace } from '../support/cli.js';
import { recordQuotes, startMock, type MockProcess } from '../support/replay.js';
import { until } from '../support/wait.js';
import { expectCleanEnd, family, limiter, query } from './kit.js';

const cases = family('replay and mock');
const pool = limiter(3);
let ws: Workspace;
let source: number;
const peers: RawPeer[] = [];
beforeAll(async () => {
  ws = workspace();
  source = await recordQuotes(ws.db);
}, 60_000);
afterAll(async () => {
  for (const p of peers) await p.close();
  ws?.cleanup();
});

const text = (s: string) => Buffer.from(s);
/** Answers a client's close with the same close, as a polite server does. */
const politeClose = (s: Socket, f: ClientFrame) => {
  if (f.opcode === 8) {
    s.write(serverFrame(8, f.payload));
    s.end();
  }
};
const answering =
  (answer: (s: Socket, f: ClientFrame) => void): RawScript['frame'] =>
  (s, f) => {
    if (f.opcode === 1 || f.opcode === 2) answer(s, f);
    politeClose(s, f);
  };

interface ReplayCase {
  name: string;
  script?: RawScript;
  /** What must be recorded: who closed and with which code (null: the connection never opened). */
  closed: { by: 'client' | 'server' | 'network'; code: number | null } | null;
  flags?: string[];
}

const replays: ReplayCase[] = [
  {
    name: 'a reset right after the upgrade',
    script: { open: (s) => void s.resetAndDestroy() },
    closed: { by: 'network', code: 1006 },
  },
  {
    name: 'a reset after the first answer',
    script: { frame: answering((s) => s.resetAndDestroy()) },
    closed: { by: 'network', code: 1006 },
  },
  {
    name: 'no answer to anything, not even the close',
    script: { frame: () => {}, holdTcp: true },
    closed: { by: 'client', code: 1000 },
  },
  {
    name: 'garbage text for every message',
    script: { frame: answering((s) => s.write(serverFrame(1, text('%%% garbage')))) },
    closed: { by: 'client', code: 1000 },
  },
  {
    name: 'binary garbage for every message',
    script: { frame: answering((s) => s.write(serverFrame(2, Buffer.from([0, 255, 7])))) },
    closed: { by: 'client', code: 1000 },
  },
  {
    name: 'a 1011 close after the first message',
    script: { frame: answering((s) => s.write(closeFrame(1011))) },
    closed: { by: 'server', code: 1011 },
  },
  {
    name: 'a 4000 close on open',
    script: { open: (s) => void s.write(closeFrame(4000)) },
    closed: { by: 'server', code: 4000 },
  },
  {
    name: 'a masked frame',
    script: { open: (s) => void s.write(serverFrame(1, text('x'), { mask: true })) },
    closed: { by: 'client', code: 1002 },
  },
  {
    name: 'text that is not UTF-8',
    script: { open: (s) => void s.write(serverFrame(1, Buffer.from([0xff]))) },
    closed: { by: 'client', code: 1007 },
  },
  {
    name: '1,000 pings in a burst, then proper answers (issue 19 item 7)',
    script: {
      open: (s) => void s.write(Buffer.concat(Array.from({ length: 1000 }, () => serverFrame(9, text('p'))))),
      frame: answering((s, f) => s.write(serverFrame(1, f.payload))),
    },
    closed: { by: 'client', code: 1000 },
  },
  {
    name: 'an upgrade refused with 503',
    script: { response: () => 'HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n' },
    closed: null,
  },
  {
    name: 'an upgrade that never finishes',
    script: { response: () => '' },
    closed: null,
    flags: ['--connect-timeout', '1'],
  },
];

describe('replay against a hostile server', () => {
  it.concurrent.each(cases.add(replays).map((c) => [c.name, c] as const))('%s', (_n, c) =>
    pool(async () => {
      const p = await rawPeer(c.script ?? {});
      peers.push(p);
      const r = await cli(
        [
          'replay',
          String(source),
          '--to',
          p.url,
          '--speed',
          'max',
          '--wait',
          '1',
          '--json',
          '--db',
          ws.db,
          ...(c.flags ?? []),
        ],
        {},
        60_000,
      );
      expectCleanEnd(r, c.name);
      expect(r.code, 'a run against this server cannot be a clean match').toBe(1);
      const result = JSON.parse(r.stdout) as { sessionId: number };
      const [conn] = query<{ close_code: number | null; closed_by: string | null; opened_at: number | null }>(
        ws.db,
        'SELECT close_code, closed_by, opened_at FROM connection WHERE session_id = ? ORDER BY ordinal',
        result.sessionId,
      );
      expect(conn, 'the replay recorded no connection').toBeDefined();
      if (c.closed === null) return expect(conn!.opened_at).toBeNull();
      // The record agrees with the wire: a close the client sent is the one the peer read.
      const fromClient = p.received.find((f) => f.opcode === 8);
      const wire = fromClient && fromClient.payload.length >= 2 ? fromClient.payload.readUInt16BE(0) : null;
      if (conn!.closed_by === 'client')
        expect(conn!.close_code, 'recorded close is not the one sent').toBe(wire);
      expect({ by: conn!.closed_by, code: conn!.close_code }).toEqual(c.closed);
    }),
  );

  cases.add([0, 1]);
  it.concurrent.each([0, 1])(
    '--keep-open %i against the real service matches every answer (issue 19 item 13)',
    (keep) =>
      pool(async () => {
        const service = await quoteService();
        try {
          const r = await cli(
            [
              'replay',
              String(source),
              '--to',
              `${service.url}/quotes`,
              '--keep-open',
              String(keep),
              '--wait',
              '3',
              '--db',
              ws.db,
            ],
            {},
            60_000,
          );
          expectCleanEnd(r);
          expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
        } finally {
          await service.close();
        }
      }),
  );
});

/** A client written by hand: the upgrade, then `frames` as given (masked or not); the server's close. */
function rawClient(port: number, frames: Buffer[], options: { reset?: boolean; request?: string } = {}) {
  return new Promise<{ status: number; closeCode: number | null }>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let status = 0;
    let closeCode: number | null = null;
    const done = () => resolve({ status, closeCode });
    const timer = setTimeout(() => s.destroy(), 10_000);
    s.on('close', () => {
      clearTimeout(timer);
      done();
    });
    s.on('error', () => {});
    s.on('connect', () =>
      s.write(
        options.request ??
          `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (status === 0) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf.toString('latin1', 0, end))?.[1] ?? -1);
        buf = buf.subarray(end + 4);
        if (status !== 101) return s.end();
        if (options.reset) return s.resetAndDestroy();
        for (const f of frames) s.write(f);
      }
      // The server's frames: unmasked, lengths up to 64 KiB in these cases.
      while (buf.length >= 2) {
        let len = buf[1]! & 0x7f;
        let at = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          at = 4;
        }
        if (buf.length < at + len) return;
        if ((buf[0]! & 0x0f) === 8 && closeCode === null) {
          closeCode = len >= 2 ? buf.readUInt16BE(at) : 1005;
          s.end();
        }
        buf = buf.subarray(at + len);
      }
    });
  });
}

interface MockCase {
  name: string;
  frames: Buffer[];
  reset?: boolean;
  /** The close the mock must send (the raw client reads it), and what the record must say. */
  wire: number | null;
  recorded: { by: 'client' | 'server' | 'network'; code: number };
}

const masked = (op: number, payload: Buffer, rsv = 0) => serverFrame(op, payload, { mask: true, rsv });
const clientClose = (code: number, reason = '') => {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(code);
  return masked(8, Buffer.concat([p, text(reason)]));
};
const mockCases: MockCase[] = [
  {
    name: 'an unmasked frame',
    frames: [serverFrame(1, text('{"id":2}'))],
    wire: 1002,
    recorded: { by: 'server', code: 1002 },
  },
  {
    name: 'text that is not UTF-8',
    frames: [masked(1, Buffer.from([0xc3, 0x28]))],
    wire: 1007,
    recorded: { by: 'server', code: 1007 },
  },
  {
    name: 'RSV1 without an extension',
    frames: [masked(1, text('x'), 4)],
    wire: 1002,
    recorded: { by: 'server', code: 1002 },
  },
  {
    name: 'a reserved opcode',
    frames: [masked(3, text('x'))],
    wire: 1002,
    recorded: { by: 'server', code: 1002 },
  },
  {
    name: 'a close with code 1005',
    frames: [clientClose(1005)],
    wire: 1002,
    recorded: { by: 'server', code: 1002 },
  },
  {
    name: 'a ping of 126 bytes',
    frames: [masked(9, Buffer.alloc(126, 0x61))],
    wire: 1002,
    recorded: { by: 'server', code: 1002 },
  },
  {
    name: 'a reset right after the upgrade',
    frames: [],
    reset: true,
    wire: null,
    recorded: { by: 'network', code: 1006 },
  },
  {
    name: 'a proper close 4001 "bye"',
    frames: [clientClose(4001, 'bye')],
    wire: 4001,
    recorded: { by: 'client', code: 4001 },
  },
  {
    name: '1,000 pings, then a proper close',
    frames: [...Array.from({ length: 1000 }, () => masked(9, text('p'))), clientClose(1000)],
    wire: 1000,
    recorded: { by: 'client', code: 1000 },
  },
];

describe('a mock served to clients that break the protocol (issue 19 item 7)', () => {
  let mock: MockProcess;
  let mockId = 0;
  let ordinal = 0;
  beforeAll(async () => {
    mock = await startMock([String(source), '--mode', 'reactive', '--db', ws.db]);
    await until('the mock session to exist', () => {
      mockId = query<{ id: number }>(ws.db, "SELECT id FROM session WHERE kind = 'mock'")[0]?.id ?? 0;
      return mockId > 0;
    });
  }, 60_000);
  afterAll(async () => {
    if (mock.child.exitCode === null) await mock.stop();
  });
  const port = () => Number(new URL(mock.url).port);

  // One at a time: each client is the next connection of the mock's session.
  it.each(cases.add(mockCases).map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const got = await rawClient(port(), c.frames, { reset: c.reset ?? false });
    const at = ++ordinal;
    expect(got.status).toBe(101);
    if (c.wire !== null) expect(got.closeCode).toBe(c.wire);
    let row: { close_code: number; closed_by: string } | undefined;
    await until(
      'the mock to record the close',
      () => {
        row = query<{ close_code: number; closed_by: string; closed_at: number | null }>(
          ws.db,
          'SELECT close_code, closed_by, closed_at FROM connection WHERE session_id = ? AND ordinal = ? AND closed_at IS NOT NULL',
          mockId,
          at,
        )[0];
        return row !== undefined;
      },
      20_000,
    );
    expect({ by: row!.closed_by, code: row!.close_code }).toEqual(c.recorded);
  });

  cases.one();
  it('answers garbage that is not an upgrade with an HTTP error and records nothing', async () => {
    const got = await rawClient(port(), [], { request: 'HELLO /\r\n\r\n' });
    expect(got.status === 0 || got.status >= 400).toBe(true);
    const rows = query(ws.db, 'SELECT ordinal FROM connection WHERE session_id = ?', mockId);
    expect(rows).toHaveLength(ordinal);
  });

  cases.one();
  it('still serves a proper client, then stops cleanly on SIGTERM', async () => {
    const c = new WebSocket(mock.url);
    const messages: string[] = [];
    c.on('message', (d) => messages.push(d.toString()));
    await new Promise((r, j) => c.once('open', r).once('error', j));
    c.send('{"id":2,"op":"quote","symbol":"FRML"}');
    await until('an answer', () => messages.some((m) => m.includes('"id":2')));
    c.close(1000);
    await new Promise((r) => c.once('close', r));
    const stopped = await mock.stop();
    expectCleanEnd({ code: stopped.code, stdout: stopped.stdout, stderr: stopped.stderr });
    expect(stopped.code).toBe(0);
    const open = query(
      ws.db,
      'SELECT ordinal FROM connection WHERE session_id = ? AND closed_at IS NULL',
      mockId,
    );
    expect(open).toEqual([]);
    const [s] = query<{ status: string }>(ws.db, 'SELECT status FROM session WHERE id = ?', mockId);
    expect(s?.status).toBe('complete');
  });
});
