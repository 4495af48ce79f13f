// Attack family: malformed wire input. A hand-written server (test/servers/raw-peer.ts) completes a
// proper handshake, sends one good text message, then something RFC 6455 forbids: masked frames,
// bad UTF-8, reserved bits and opcodes, oversize or fragmented control frames, close frames with
// codes or payloads that may not be, lengths no one can hold, and floods. The peer never drops TCP
// on its own, so whatever ends the connection is on the wire: the record (code, who closed, reason)
// must equal the close frame the peer read from the client, the good message must be kept, the
// capture must end (no hang, no signal, no stack) and its session must not stay live.
import type { Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionView, SessionSummary } from '../../shared/contract.js';
import { closeFrame, rawPeer, serverFrame, type RawPeer } from '../servers/raw-peer.js';
import { cli, workspace } from '../support/cli.js';
import { expectCleanEnd, family, integrity, limiter } from './kit.js';

const cases = family('malformed wire input');
const pool = limiter(3);
const peers: RawPeer[] = [];
afterAll(async () => {
  for (const p of peers) await p.close();
});

/** A frame header and payload written by hand, for what serverFrame will not build. */
function raw(first: number, payload: Buffer, lengthBytes?: Buffer): Buffer {
  const second = lengthBytes ? lengthBytes : Buffer.from([payload.length]);
  return Buffer.concat([Buffer.from([first]), second, payload]);
}

const text = (s: string) => Buffer.from(s);
const closeWith = (code: number, reason: Buffer = Buffer.alloc(0)) => {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(code);
  return serverFrame(8, Buffer.concat([p, reason]));
};

interface Case {
  name: string;
  /** What the server writes after its good message. */
  bytes: Buffer;
  /** The close code the client must put on the wire. */
  wire: number;
  /** Words the recorded error must not use (a violation misnamed). */
  misnamed?: RegExp;
  /** Extra capture flags. */
  flags?: string[];
}

const reservedData = [3, 4, 5, 6, 7].map((op) => ({
  name: `reserved data opcode ${op}`,
  bytes: serverFrame(op, text('x')),
  wire: 1002,
}));
const reservedControl = [0xb, 0xc, 0xd, 0xe, 0xf].map((op) => ({
  name: `reserved control opcode ${op}`,
  bytes: serverFrame(op, text('x')),
  wire: 1002,
}));
const badCloseCodes = [0, 999, 1004, 1005, 1006, 1015, 2999, 5000].map((code) => ({
  name: `a close with code ${code}, which may not be sent`,
  bytes: closeWith(code),
  wire: 1002,
}));
const list: Case[] = [
  { name: 'a masked text frame', bytes: serverFrame(1, text('hi'), { mask: true }), wire: 1002 },
  { name: 'text that is not UTF-8', bytes: serverFrame(1, Buffer.from([0x68, 0xff, 0xfe])), wire: 1007 },
  {
    name: 'a text message split inside a UTF-8 character, then cut',
    bytes: Buffer.concat([raw(0x01, Buffer.from([0xe2, 0x82])), raw(0x80, Buffer.from([0x28]))]),
    wire: 1007,
  },
  { name: 'RSV1 without an extension', bytes: serverFrame(1, text('hi'), { rsv: 4 }), wire: 1002 },
  { name: 'RSV2', bytes: serverFrame(1, text('hi'), { rsv: 2 }), wire: 1002 },
  { name: 'RSV3', bytes: serverFrame(1, text('hi'), { rsv: 1 }), wire: 1002 },
  ...reservedData,
  ...reservedControl,
  {
    name: 'an orphan continuation frame',
    bytes: raw(0x80, text('orphan')),
    wire: 1002,
    misnamed: /reserved opcode/,
  },
  {
    name: 'a new text message inside a fragmented one',
    bytes: Buffer.concat([raw(0x01, text('part')), raw(0x81, text('new'))]),
    wire: 1002,
  },
  { name: 'a ping of 126 bytes', bytes: serverFrame(9, Buffer.alloc(126, 0x61)), wire: 1002 },
  { name: 'a fragmented ping', bytes: raw(0x09, text('frag')), wire: 1002 },
  {
    name: 'a close with a 1-byte payload',
    bytes: raw(0x88, Buffer.from([0x03])),
    wire: 1002,
    misnamed: /longer than 125/,
  },
  ...badCloseCodes,
  {
    name: 'a close reason that is not UTF-8',
    bytes: closeWith(1000, Buffer.from([0xff, 0xfe])),
    wire: 1007,
  },
  {
    name: 'a frame announcing 2^63 bytes',
    bytes: raw(0x82, Buffer.alloc(0), Buffer.from([127, 0x80, 0, 0, 0, 0, 0, 0, 0])),
    wire: 1009,
  },
  {
    name: 'a frame announcing 2^53 bytes',
    bytes: raw(0x82, Buffer.alloc(0), Buffer.from([127, 0, 0x20, 0, 0, 0, 0, 0, 0])),
    wire: 1009,
  },
  {
    name: 'a message over --max-payload',
    bytes: serverFrame(2, Buffer.alloc(300, 7)),
    wire: 1009,
    flags: ['--max-payload', '200'],
  },
];

describe('a server that breaks RFC 6455 after a good message', () => {
  it.concurrent.each(cases.add(list).map((c) => [c.name, c] as const))('%s', (_n, c) =>
    pool(async () => {
      const ws = workspace();
      try {
        const p = await rawPeer({
          open: (s: Socket) => {
            s.write(serverFrame(1, text('good before')));
            s.write(c.bytes);
          },
        });
        peers.push(p);
        const r = await cli(['capture', p.url, '--json', '--db', ws.db, ...(c.flags ?? [])], {}, 30_000);
        expectCleanEnd(r, c.name);
        const { session, connections } = JSON.parse(r.stdout) as {
          session: SessionSummary;
          connections: ConnectionView[];
        };
        const conn = connections[0]!;
        // What the client put on the wire, read by the peer.
        const sent = p.received.find((f) => f.opcode === 8);
        expect(sent, 'the client sent no close frame').toBeDefined();
        expect(p.closeCode()).toBe(c.wire);
        expect(conn).toMatchObject({ closeCode: c.wire, closedBy: 'client' });
        const reason = sent!.payload.subarray(2).toString();
        if (reason) expect(conn.closeReason).toBe(reason);
        expect(conn.error?.kind).toBe('protocol');
        // A sentence that names a code names the one that was sent.
        for (const m of conn.error!.message.matchAll(/closed with (\d{4})/g))
          expect(Number(m[1])).toBe(c.wire);
        if (c.misnamed) expect(conn.error!.message).not.toMatch(c.misnamed);
        expect(conn.frames).toBeGreaterThanOrEqual(1);
        expect(session.status).not.toBe('live');
        expect(integrity(ws.db)).toBe('ok');
      } finally {
        ws.cleanup();
      }
    }),
  );
});

describe('floods of control frames', () => {
  const floods = cases.add([100, 1000, 5000]);
  it.concurrent.each(floods)('%i pings in one burst, then a 1000 close', (n) =>
    pool(async () => {
      const ws = workspace();
      try {
        const ping = serverFrame(9, text('p'));
        const p = await rawPeer({
          open: (s: Socket) => {
            s.write(serverFrame(1, text('good before')));
            s.write(Buffer.concat(Array.from({ length: n }, () => ping)));
            s.write(closeFrame(1000));
          },
          frame: () => {},
        });
        peers.push(p);
        const r = await cli(['capture', p.url, '--json', '--db', ws.db], {}, 30_000);
        expectCleanEnd(r);
        const { connections } = JSON.parse(r.stdout) as { connections: ConnectionView[] };
        const conn = connections[0]!;
        const pongs = p.received.filter((f) => f.opcode === 10).length;
        const clientClose = p.closeCode();
        // Whoever ended it did so on the wire: never "the network" while TCP stayed up.
        expect(conn.closedBy).not.toBe('network');
        if (clientClose !== null && clientClose !== 1000) {
          expect(conn).toMatchObject({ closeCode: clientClose, closedBy: 'client' });
        } else expect(conn).toMatchObject({ closeCode: 1000, closedBy: 'server' });
        // Every ping that reached the record was read from the wire.
        expect(pongs).toBeGreaterThan(0);
      } finally {
        ws.cleanup();
      }
    }),
  );
});
