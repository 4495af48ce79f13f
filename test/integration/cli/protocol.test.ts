// When the server breaks RFC 6455, Frameline closes the connection itself: the record says so (the
// code we sent, closed by the client, the violation) and diagnose names it, instead of blaming the
// network for a 1006. Handshakes and closing handshakes are bounded in time, whatever the peer does.
import type { Socket } from 'node:net';
import { deflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../../shared/findings.js';
import { cli, cliJson, finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';
import {
  accept,
  closeFrame,
  closePayload,
  rawPeer,
  serverFrame,
  wireFrame,
  type RawPeer,
} from '../../servers/raw-peer.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../../support/processes.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
const peers: RawPeer[] = [];

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
  ws.cleanup();
});

async function peer(script: Parameters<typeof rawPeer>[0]): Promise<RawPeer> {
  const p = await rawPeer(script);
  peers.push(p);
  return p;
}

/** Runs a capture to its end (bounded: a hang is a failure) and reads back what was recorded. */
async function capture(args: string[], timeoutMs = 20_000) {
  const child = startCli(['capture', ...args, '--db', ws.db]);
  const result = await finished(child, timeoutMs);
  expect(result.code, `capture was killed or failed: ${result.stderr}`).not.toBeNull();
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  const { json } = await cliJson<ShowJson>(['show', '1', '--frames', '--db', ws.db]);
  return { result, data: json };
}

async function diagnose(): Promise<Diagnosis> {
  const { json } = await cliJson<Diagnosis>(['diagnose', '1', '--db', ws.db]);
  return json;
}

/** A peer that sends `frame` once the connection is open, then waits. */
const sending = (frame: Buffer) => ({ open: (s: Socket) => void s.write(frame) });

describe('a server that breaks the protocol', () => {
  it.each([
    ['a masked frame', serverFrame(1, Buffer.from('hello'), { mask: true }), 1002, /masked/],
    ['text that is not UTF-8', serverFrame(1, Buffer.from([0x68, 0xff, 0xfe, 0x69])), 1007, /UTF-8/],
    ['a reserved bit without an extension', serverFrame(1, Buffer.from('hi'), { rsv: 4 }), 1002, /RSV1/],
  ])(
    'sending %s is closed by the client with its code, and diagnose names the violation',
    async (_what, frame, code, words) => {
      const p = await peer(sending(frame));
      const { result, data } = await capture([p.url]);
      expect(p.closeCode()).toBe(code);
      const c = data.connections[0]!;
      expect(c).toMatchObject({ closeCode: code, closedBy: 'client' });
      expect(c.error).toMatchObject({ kind: 'protocol' });
      expect(c.error!.message).toMatch(words);
      expect(result.stderr).toMatch(new RegExp(`closed by client at [0-9:.]+ UTC: ${code} `));
      expect(result.stderr).toMatch(words);

      const d = await diagnose();
      const ids = d.findings.map((f) => f.id);
      expect(ids).toContain('protocol-violation');
      expect(ids).not.toContain('abnormal-closure');
      const f = d.findings.find((x) => x.id === 'protocol-violation')!;
      expect(f.summary).toMatch(words);
      expect(f.evidence.closeCodes).toEqual({ [String(code)]: 1 });
    },
  );

  // Each case: what the server writes, the close code our client must put on the wire, the
  // violation's name, and words the message must hold (and words it must not: a wrong story).
  const text = (s: string) => Buffer.from(s);
  it.each<[string, Buffer, number, string, RegExp, RegExp | null]>([
    [
      'RSV2 without an extension',
      serverFrame(1, text('hi'), { rsv: 2 }),
      1002,
      'reserved-bits',
      /RSV2/,
      null,
    ],
    [
      'a reserved opcode',
      serverFrame(3, text('x')),
      1002,
      'invalid-opcode',
      /reserved opcode 3/,
      /continuation/,
    ],
    [
      'an orphan continuation frame',
      serverFrame(0, text('x')),
      1002,
      'unexpected-continuation',
      /continuation frame.*no fragmented message/,
      /reserved opcode/,
    ],
    [
      'a new message inside a fragmented one',
      Buffer.concat([wireFrame(1, text('a'), { fin: false }), wireFrame(2, text('b'))]),
      1002,
      'interleaved-message',
      /new binary message before finishing the fragmented one/,
      /reserved opcode/,
    ],
    [
      'a fragmented control frame',
      wireFrame(9, text('p'), { fin: false }),
      1002,
      'fragmented-control-frame',
      /fragmented a ping/,
      null,
    ],
    [
      'a ping longer than 125 bytes',
      serverFrame(9, Buffer.alloc(126, 1)),
      1002,
      'control-frame-too-long',
      /ping longer than 125 bytes/,
      null,
    ],
    [
      'a close frame with a 1-byte payload',
      serverFrame(8, Buffer.from([3])),
      1002,
      'close-payload-1-byte',
      /close frame with a 1-byte payload/,
      /longer than 125/,
    ],
    ...[1005, 1006, 1015, 999, 5000].map(
      (code) =>
        [
          `close code ${code} on the wire`,
          serverFrame(8, closePayload(code)),
          1002,
          'invalid-close-code',
          new RegExp(`close code ${code}`),
          null,
        ] as [string, Buffer, number, string, RegExp, RegExp | null],
    ),
    [
      'a close reason that is not UTF-8',
      serverFrame(8, closePayload(1000, Buffer.from([0x61, 0xff]))),
      1007,
      'invalid-utf8',
      /close reason that is not valid UTF-8/,
      /text message/,
    ],
    [
      'a 2^63-byte length',
      wireFrame(2, Buffer.alloc(0), { length: 2n ** 63n }),
      1009,
      'oversize',
      /announced a frame longer than 2\^53 - 1 bytes/,
      /1002/,
    ],
    [
      'a message in more than 16384 fragments',
      Buffer.concat([
        wireFrame(1, text('a'), { fin: false }),
        ...Array.from({ length: 16_384 }, () => wireFrame(0, text('a'), { fin: false })),
      ]),
      1008,
      'too-many-fragments',
      /more than 16384 fragments/,
      /1002/,
    ],
  ])(
    'sending %s is closed with the code the client put on the wire, and the message names it',
    async (_what, frame, code, violation, words, wrong) => {
      const p = await peer(sending(frame));
      const { result, data } = await capture([p.url]);
      expect(p.closeCode()).toBe(code);
      const c = data.connections[0]!;
      expect(c).toMatchObject({ closeCode: code, closedBy: 'client', error: { kind: 'protocol' } });
      expect(c.error!.message).toMatch(words);
      expect(c.error!.message).toMatch(new RegExp(`Frameline closed with ${code}\\b`));
      if (wrong) expect(c.error!.message).not.toMatch(wrong);
      expect(result.stderr).toMatch(new RegExp(`closed by client at [0-9:.]+ UTC: ${code} `));
      const f = (await diagnose()).findings.find((x) => x.id === 'protocol-violation');
      expect(f?.evidence.violations).toEqual({ [violation]: 1 });
      expect(f?.evidence.closeCodes).toEqual({ [String(code)]: 1 });
      expect(f?.summary).toMatch(words);
    },
  );

  describe('with permessage-deflate negotiated', () => {
    const deflating = (frame: Buffer) => ({
      response: (key: string) =>
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept(key)}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`,
      open: (s: Socket) => void s.write(frame),
    });

    it('a message that inflates past --max-payload (a deflate bomb) is closed with 1009', async () => {
      const bomb = deflateRawSync(Buffer.alloc(1_000_000)).subarray(0, -4); // without the 00 00 ff ff tail
      const p = await peer(deflating(serverFrame(2, bomb, { rsv: 4 })));
      const { data } = await capture([p.url, '--compression', '--max-payload', '100000']);
      expect(p.closeCode()).toBe(1009);
      const c = data.connections[0]!;
      expect(c).toMatchObject({ closeCode: 1009, closedBy: 'client', error: { kind: 'protocol' } });
      expect(c.error!.message).toMatch(
        /compressed message larger than the 100000 bytes allowed \(--max-payload\) once inflated/,
      );
      expect(c.error!.message).toMatch(/Frameline closed with 1009\b/);
      const f = (await diagnose()).findings.find((x) => x.id === 'protocol-violation');
      expect(f?.evidence.violations).toEqual({ oversize: 1 });
    });

    it('RSV1 on a ping, where permessage-deflate does not allow it, is closed with 1002', async () => {
      const p = await peer(deflating(serverFrame(9, Buffer.from('p'), { rsv: 4 })));
      const { data } = await capture([p.url, '--compression']);
      expect(p.closeCode()).toBe(1002);
      const c = data.connections[0]!;
      expect(c).toMatchObject({ closeCode: 1002, closedBy: 'client', error: { kind: 'protocol' } });
      expect(c.error!.message).toMatch(/RSV1 on a continuation or control frame/);
      expect(c.error!.message).toMatch(/Frameline closed with 1002\b/);
    });

    it('compressed data that does not inflate is closed with 1007', async () => {
      const p = await peer(deflating(serverFrame(1, Buffer.from([0xff, 0xff, 0xff, 0xff]), { rsv: 4 })));
      const { data } = await capture([p.url, '--compression']);
      expect(p.closeCode()).toBe(1007);
      const c = data.connections[0]!;
      expect(c).toMatchObject({ closeCode: 1007, closedBy: 'client', error: { kind: 'protocol' } });
      expect(c.error!.message).toMatch(/compressed message that does not inflate/);
      expect(c.error!.message).toMatch(/Frameline closed with 1007\b/);
      expect(c.error!.message).not.toMatch(/did not answer/);
      const f = (await diagnose()).findings.find((x) => x.id === 'protocol-violation');
      expect(f?.evidence.violations).toEqual({ 'invalid-compressed-data': 1 });
    });
  });

  it('sending a message over --max-payload is closed by the client with 1009', async () => {
    const p = await peer(sending(serverFrame(2, Buffer.alloc(200, 7))));
    const { data } = await capture([p.url, '--max-payload', '100']);
    expect(p.closeCode()).toBe(1009);
    expect(data.connections[0]).toMatchObject({ closeCode: 1009, closedBy: 'client' });
    expect(data.connections[0]!.error!.message).toMatch(/100 bytes.*--max-payload/);
    const f = (await diagnose()).findings.find((x) => x.id === 'protocol-violation');
    expect(f?.evidence.violations).toEqual({ oversize: 1 });
  });

  it('ignoring our close on Ctrl+C is recorded as our 1000, not a network drop', async () => {
    // Answers nothing and keeps TCP open.
    const p = await peer({ frame: () => {}, holdTcp: true });
    const child = startCli(['capture', p.url, '--db', ws.db]);
    const exited = finished(child, 20_000);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await until('the capture to connect', () => stderr.includes('connected'));
    child.kill('SIGINT');
    const result = await exited;
    expect(result.code, result.stderr).toBe(0);
    expect(p.closeCode()).toBe(1000);
    const { json: data } = await cliJson<ShowJson>(['show', '1', '--db', ws.db]);
    const c = data.connections[0]!;
    expect(c).toMatchObject({ closeCode: 1000, closedBy: 'client' });
    expect(c.error!.message).toMatch(/did not answer/);
    const ids = (await diagnose()).findings.map((x) => x.id);
    expect(ids).not.toContain('abnormal-closure');
    expect(ids).toContain('protocol-violation');
  });
});

describe('a server that floods pings', () => {
  const pingsOf = (data: ShowJson, direction: 'in' | 'out', opcode: 'ping' | 'pong') =>
    data
      .frames!.filter((f) => f.direction === direction && f.opcode === opcode)
      .map((f) => Buffer.from(f.payload, 'base64').toString());

  /** What a flood of `count` pings must leave: the connection kept, the last ping answered, a finding. */
  async function expectFloodAnswered(data: ShowJson, count: number, close: { code: number; reason: string }) {
    const c = data.connections[0]!;
    expect(c).toMatchObject({
      closeCode: close.code,
      closeReason: close.reason,
      closedBy: 'server',
      error: null,
    });
    const pings = pingsOf(data, 'in', 'ping');
    expect(pings).toHaveLength(count);
    const pongs = pingsOf(data, 'out', 'pong');
    // Every ping is answered, or (RFC 6455 §5.5.3) the latest of those still waiting: the last pong
    // answers the last ping, and no pong answers a ping that never came.
    expect(pongs.length).toBeGreaterThanOrEqual(1);
    expect(pongs.length).toBeLessThanOrEqual(count);
    expect(pongs[pongs.length - 1]).toBe(pings[pings.length - 1]);
    for (const p of pongs) expect(pings).toContain(p);

    const d = await diagnose();
    const flood = d.findings.find((f) => f.id === 'ping-flood');
    expect(flood, JSON.stringify(d.findings)).toMatchObject({ severity: 'warning' });
    expect(flood!.evidence).toMatchObject({ from: 'server', pings: count, connections: [1] });
    expect(flood!.evidence.pingsPerSecond).toBeGreaterThan(20);
    expect(flood!.summary).toMatch(new RegExp(`server sent ${count} pings`));
    const ids = d.findings.map((f) => f.id);
    for (const wrong of ['abnormal-closure', 'heartbeat-timeout', 'protocol-violation'])
      expect(ids).not.toContain(wrong);
  }

  it('a burst of 1,000 pings in one write is answered, not dropped as a network 1006', async () => {
    const burst = Buffer.concat([
      ...Array.from({ length: 1000 }, (_, i) => serverFrame(9, Buffer.from(`p${i}`))),
      serverFrame(8, closePayload(1000, Buffer.from('flood over'))),
    ]);
    const p = await peer(sending(burst));
    const { result, data } = await capture([p.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(p.closeCode()).toBe(1000);
    await expectFloodAnswered(data, 1000, { code: 1000, reason: 'flood over' });
  });

  it('a Python websockets server pinging 1,000 times as fast as it can is answered too', async () => {
    const peer: Peer = await startPeer(PYTHON, [serverScript('python_ws.py'), '--ping-flood', '1000']);
    try {
      const { result, data } = await capture([`ws://127.0.0.1:${peer.port}/`]);
      expect(result.code, result.stderr).toBe(0);
      await expectFloodAnswered(data, 1000, { code: 1000, reason: 'flood over' });
    } finally {
      await peer.stop();
    }
  });
});

describe('bounded handshakes', () => {
  it('--connect-timeout bounds a 101 trickled one byte at a time', async () => {
    const p = await peer({ trickleMs: 250 });
    const { result, data } = await capture([p.url, '--connect-timeout', '1'], 15_000);
    expect(result.code).toBe(1);
    const c = data.connections[0]!;
    expect(c.error).toMatchObject({ kind: 'timeout' });
    expect(c.error!.message).toMatch(/did not complete within 1 s/);
    expect(data.session.status).toBe('failed');
  });

  it('does not wait for a peer that keeps TCP open after the closing handshake', async () => {
    const p = await peer({
      open: (s) => void s.write(closeFrame(1001)),
      frame: () => {}, // our echo of the close is read and nothing more happens: TCP stays open
      holdTcp: true,
    });
    const { result, data } = await capture([p.url], 15_000);
    expect(result.code).toBe(0);
    expect(data.connections[0]).toMatchObject({ closeCode: 1001, closedBy: 'server', error: null });
  });

  it('says plainly what a 101 without an Upgrade header means', async () => {
    const p = await peer({
      response: () => 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n',
    });
    const { result, data } = await capture([p.url]);
    expect(result.code).toBe(1);
    const message = data.connections[0]!.error!.message;
    expect(message).toMatch(/101 .*without "Upgrade: websocket"/);
    expect(message).not.toMatch(/instead of 101/);
    const f = (await diagnose()).findings.find((x) => x.id === 'upgrade-rejected')!;
    expect(f.summary).not.toMatch(/refused with HTTP 101/);
    expect(f.summary).toMatch(/101/);
  });

  /** A proper 101 for `key`, with these header lines added (or, by name, left out). */
  const answer101 = (key: string, extra: string[] = [], skip: string[] = []) =>
    [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${accept(key)}`,
      ...extra,
    ]
      .filter((l) => !skip.some((s) => l.startsWith(s)))
      .join('\r\n') + '\r\n\r\n';

  it.each([
    [
      'a subprotocol never offered',
      [] as string[],
      (k: string) => answer101(k, ['Sec-WebSocket-Protocol: evil']),
      'protocol',
      /choosing the subprotocol "evil", but Frameline offered none, so Frameline refused the connection.*--subprotocol/,
    ],
    [
      'a subprotocol not among those offered',
      ['--subprotocol', 'chat.v1', '--subprotocol', 'chat.v2'],
      (k: string) => answer101(k, ['Sec-WebSocket-Protocol: evil']),
      'protocol',
      /choosing the subprotocol "evil", which is not among the 2 Frameline offered.*--subprotocol/,
    ],
    [
      'no subprotocol where one was offered',
      ['--subprotocol', 'chat.v1'],
      (k: string) => answer101(k),
      'protocol',
      /without choosing any of the subprotocol Frameline offered.*capture without --subprotocol/,
    ],
    [
      'an extension never offered',
      [] as string[],
      (k: string) => answer101(k, ['Sec-WebSocket-Extensions: x-evil']),
      'protocol',
      /with the extension "x-evil", but Frameline offered none/,
    ],
    [
      'an extension other than the permessage-deflate offered',
      ['--compression'],
      (k: string) => answer101(k, ['Sec-WebSocket-Extensions: x-evil']),
      'protocol',
      /with the extension "x-evil", but Frameline offered only permessage-deflate.*without --compression/,
    ],
    [
      'a wrong Sec-WebSocket-Accept',
      [] as string[],
      () => answer101('not-the-key'),
      'protocol',
      /with a Sec-WebSocket-Accept that does not match the Sec-WebSocket-Key Frameline sent/,
    ],
    [
      'no Sec-WebSocket-Accept',
      [] as string[],
      (k: string) => answer101(k, [], ['Sec-WebSocket-Accept']),
      'protocol',
      /without a Sec-WebSocket-Accept header/,
    ],
    [
      'Upgrade: h2c',
      [] as string[],
      (k: string) => answer101(k, ['Upgrade: h2c'], ['Upgrade: websocket']),
      'upgrade-rejected',
      /without "Upgrade: websocket" \(its Upgrade header said "h2c"\)/,
    ],
  ])(
    'a 101 with %s is refused, in words that say what the server did',
    async (_n, flags, response, kind, words) => {
      const p = await peer({ response });
      const { result, data } = await capture([p.url, ...flags, '--connect-timeout', '5']);
      expect(result.code).toBe(1);
      const c = data.connections[0]!;
      expect(c.status).toBe(101);
      expect(c.openedAt).toBeNull();
      expect(c.error).toMatchObject({ kind });
      expect(c.error!.message).toMatch(words);
      expect(c.error!.message).not.toMatch(/^Server sent|^WebSocket protocol error/);
      // diagnose says it in the same words (a 101 without an Upgrade header only where it was one).
      const f = (await diagnose()).findings.find((x) => x.id === 'upgrade-rejected')!;
      if (kind === 'upgrade-rejected')
        expect(f.summary).toMatch(/1 upgrade was answered 101 .*without "Upgrade: websocket"/);
      else expect(f.summary).toBe(`1 upgrade did not complete: ${c.error!.message}.`);
    },
  );

  it('probe says a 101 with a subprotocol never offered in the same words, not as a missing Upgrade', async () => {
    const p = await peer({ response: (k) => answer101(k, ['Sec-WebSocket-Protocol: evil']) });
    const result = await cli(['probe', p.url, '--json', '--db', ws.db], {}, 60_000);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Diagnosis;
    const f = report.findings.find((x) => x.id === 'upgrade-rejected');
    expect(f?.summary).toMatch(
      /^The upgrade did not complete: the server at .* choosing the subprotocol "evil", but Frameline offered none/,
    );
    expect(f?.summary).not.toMatch(/without "Upgrade: websocket"/);
  });
});
