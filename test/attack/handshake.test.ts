// Attack family: bad handshakes. A hand-written server answers the upgrade request with every kind
// of wrong: refusals of each class, a 101 missing or spoiling what RFC 6455 requires, things that
// are not HTTP, an answer that never ends or never comes, a reset. The capture must end within its
// --connect-timeout, exit 1 with one error line and no stack, record a failed session (nothing
// opened) and keep what the server really answered (its status) in the connection's record.
import type { Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionView, SessionSummary } from '../../shared/contract.js';
import { accept, rawPeer, type RawPeer, type RawScript } from '../servers/raw-peer.js';
import { cli, workspace } from '../support/cli.js';
import { cross, expectOneError, family, integrity, limiter } from './kit.js';

const cases = family('bad handshakes');
const pool = limiter(3);
const peers: RawPeer[] = [];
afterAll(async () => {
  for (const p of peers) await p.close();
});

interface Case {
  name: string;
  script: RawScript;
  /** The HTTP status the record must keep, when the server sent one. */
  status?: number;
  /** Error kinds that say what happened. */
  kinds: string[];
}

const head = (status: string, headers: string[] = [], body = '') =>
  `HTTP/1.1 ${status}\r\n${[...headers, `Content-Length: ${Buffer.byteLength(body)}`].join('\r\n')}\r\n\r\n${body}`;
const upgrade101 = (key: string, extra: string[] = [], skip: string[] = []) =>
  [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${accept(key)}`,
    ...extra,
  ]
    .filter((l) => !skip.some((s) => l.startsWith(s)))
    .join('\r\n') + '\r\n\r\n';

const refusals: Case[] = cross(
  ['301 Moved Permanently', '400 Bad Request', '401 Unauthorized', '403 Forbidden', '404 Not Found'].concat([
    '426 Upgrade Required',
    '500 Internal Server Error',
    '502 Bad Gateway',
    '503 Service Unavailable',
  ]),
  ['', '<html><script>alert(1)</script></html>'],
).map(([status, body]) => ({
  name: `${status}${body ? ' with an HTML body' : ''}`,
  script: {
    response: () =>
      head(status, status.startsWith('301') ? ['Location: ws://127.0.0.1:9/elsewhere'] : [], body),
  },
  status: Number(status.slice(0, 3)),
  kinds: ['upgrade-rejected'],
}));

const spoiled101: Case[] = [
  ['without Upgrade', (k: string) => upgrade101(k, [], ['Upgrade:'])],
  ['with Upgrade: h2c', (k: string) => upgrade101(k, ['Upgrade: h2c'], ['Upgrade: websocket'])],
  ['without Connection', (k: string) => upgrade101(k, [], ['Connection:'])],
  ['without Sec-WebSocket-Accept', (k: string) => upgrade101(k, [], ['Sec-WebSocket-Accept'])],
  ['with a wrong Sec-WebSocket-Accept', () => upgrade101('not-the-key')],
  ['with a subprotocol never offered', (k: string) => upgrade101(k, ['Sec-WebSocket-Protocol: evil'])],
  [
    'with an extension never offered',
    (k: string) => upgrade101(k, ['Sec-WebSocket-Extensions: permessage-deflate']),
  ],
  ['with an unknown extension', (k: string) => upgrade101(k, ['Sec-WebSocket-Extensions: x-evil'])],
].map(([name, response]) => ({
  name: `a 101 ${name as string}`,
  script: { response: response as (k: string) => string },
  status: 101,
  kinds: ['upgrade-rejected', 'protocol'],
}));

const notHttp: Case[] = [
  ['plain text', 'hello, this is not HTTP\r\n\r\n'],
  ['an unknown status', 'HTTP/1.1 999 What\r\n\r\n'],
  ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ['a header line without a colon', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade websocket\r\n\r\n'],
  ['a header of 64 KiB', `HTTP/1.1 101 Switching Protocols\r\nX-Big: ${'a'.repeat(65536)}\r\n\r\n`],
  ['NUL bytes', 'HTTP/1.1 101\u0000 Switching\r\n\r\n'],
].map(([name, response]) => ({
  name: `${name} instead of a handshake`,
  script: { response: () => response! },
  kinds: ['upgrade-rejected', 'protocol', 'other', 'reset'],
}));

const endings: Case[] = [
  {
    name: 'a reset before any answer',
    script: { response: () => '', open: (s: Socket) => void s.resetAndDestroy() },
    kinds: ['reset', 'other', 'protocol'],
  },
  {
    name: 'a clean TCP end before any answer',
    script: { response: () => '', open: (s: Socket) => void s.end() },
    kinds: ['reset', 'other', 'protocol'],
  },
  {
    name: 'half a status line, then a reset',
    script: { response: () => 'HTTP/1.1 10', open: (s: Socket) => void s.resetAndDestroy() },
    kinds: ['reset', 'other', 'protocol'],
  },
  { name: 'no answer at all', script: { response: () => '' }, kinds: ['timeout'] },
  { name: 'a 101 trickled a byte every 300 ms', script: { trickleMs: 300 }, kinds: ['timeout'] },
];

describe('a server that spoils the opening handshake', () => {
  const list = cases.add([...refusals, ...spoiled101, ...notHttp, ...endings]);
  it.concurrent.each(list.map((c) => [c.name, c] as const))('%s', (_n, c) =>
    pool(async () => {
      const ws = workspace();
      try {
        const p = await rawPeer(c.script);
        peers.push(p);
        const started = Date.now();
        const r = await cli(
          ['capture', p.url, '--json', '--connect-timeout', '2', '--db', ws.db],
          {},
          30_000,
        );
        expectOneError(r, 1, c.name);
        // Bounded by --connect-timeout (with room for a busy machine), not by our kill.
        expect(Date.now() - started).toBeLessThan(25_000);
        const { session, connections } = JSON.parse(r.stdout) as {
          session: SessionSummary;
          connections: ConnectionView[];
        };
        expect(session.status).toBe('failed');
        expect(connections).toHaveLength(1);
        const conn = connections[0]!;
        expect(conn.openedAt).toBeNull();
        expect(c.kinds, JSON.stringify(conn.error)).toContain(conn.error?.kind);
        if (c.status !== undefined) expect(conn.status).toBe(c.status);
        // Nothing from the page reaches the terminal as markup or control characters.
        expect(r.stderr).not.toContain('<script>');
        expect(r.stderr).not.toContain('\u0000');
        expect(integrity(ws.db)).toBe('ok');
      } finally {
        ws.cleanup();
      }
    }),
  );
});
