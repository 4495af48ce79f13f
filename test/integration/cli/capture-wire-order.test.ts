// Many frames in one read of the socket (a busy server, a proxy that batches): every frame is kept
// with its bytes, in the order of the wire, and what Frameline sent in answer (the pong, the close)
// sits between them where it happened. This is the path a flood of small frames takes (frames read
// together are spooled as runs of the socket's bytes; electron/engine/store/spool.ts).
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawPeer, serverFrame, closeFrame, type RawPeer } from '../../servers/raw-peer.js';
import { cliJson, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';

let ws: Workspace;
const peers: RawPeer[] = [];

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
  ws.cleanup();
});

/** What a user reads with `show --frames`: direction, opcode and payload of each frame, by seq. */
async function captured(bytes: Buffer, flags: string[] = []) {
  const peer = await rawPeer({ open: (s: Socket) => s.write(bytes) });
  peers.push(peer);
  const { result, json } = await cliJson<ShowJson>(['capture', peer.url, '--json', '--db', ws.db, ...flags]);
  expect(result.code, result.stderr).toBe(0);
  const shown = await cliJson<ShowJson>(['show', String(json.session.id), '--frames', '--db', ws.db]);
  expect(shown.result.code, shown.result.stderr).toBe(0);
  const frames = shown.json.frames!;
  expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
  const times = frames.map((f) => Date.parse(f.ts));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  return frames.map((f) => {
    // A close frame's payload is shown as bytes (base64): its code is what a user reads.
    const payload =
      f.opcode === 'close' ? String(Buffer.from(f.payload, 'base64').readUInt16BE(0)) : f.payload;
    return `${f.direction} ${f.opcode} ${payload}${f.truncated ? ' (cut)' : ''}`;
  });
}

const text = (s: string) => serverFrame(1, Buffer.from(s));

describe('frames that arrive in one read of the socket', () => {
  it('are kept in the order of the wire, with the pong and the close Frameline sent between them', async () => {
    const frames = await captured(
      Buffer.concat([
        text('one'),
        serverFrame(9, Buffer.from('beat')),
        text('two'),
        serverFrame(2, Buffer.from([0, 1, 255])),
        // A message in two fragments: ws joins them, so it is spooled on its own.
        Buffer.from([0x01, 2, 0x66, 0x72, 0x80, 2, 0x61, 0x67]),
        serverFrame(10, Buffer.alloc(0)),
        text('three'),
        closeFrame(1000),
      ]),
    );
    expect(frames).toEqual([
      'in text one',
      `in ping ${Buffer.from('beat').toString('base64')}`,
      `out pong ${Buffer.from('beat').toString('base64')}`,
      'in text two',
      `in binary ${Buffer.from([0, 1, 255]).toString('base64')}`,
      'in text frag',
      'in pong ',
      'in text three',
      'in close 1000',
      'out close 1000',
    ]);
  });

  it('keeps a thousand small messages and a large one between them, byte for byte', async () => {
    const large = 'L'.repeat(70_000); // longer than one read of the socket
    const parts: Buffer[] = [];
    for (let i = 1; i <= 1000; i++) {
      parts.push(text(`{"seq":${i}}`));
      if (i === 500) parts.push(text(large));
    }
    parts.push(closeFrame(1000));
    const frames = await captured(Buffer.concat(parts));
    const expected = [];
    for (let i = 1; i <= 1000; i++) {
      expected.push(`in text {"seq":${i}}`);
      if (i === 500) expected.push(`in text ${large}`);
    }
    expect(frames).toEqual([...expected, 'in close 1000', 'out close 1000']);
  });

  it('cuts payloads to --payload-cap and keeps the whole of those under it', async () => {
    const frames = await captured(
      Buffer.concat([text('short'), text('a longer message'), text('tiny'), closeFrame(1000)]),
      ['--payload-cap', '8'],
    );
    expect(frames).toEqual([
      'in text short',
      'in text a longer (cut)',
      'in text tiny',
      'in close 1000',
      'out close 1000',
    ]);
  });
});
