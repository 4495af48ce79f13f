// Public sample captures of WebSocket traffic, taken by others (test/fixtures/pcap/README.md names
// their source: the Zeek network monitor's test traces), imported with `frameline import` and read
// back message by message against what Wireshark's own WebSocket dissector shows in the same file
// (tshark, with its HTTP and WebSocket dissectors on: the import turns them off and reassembles the
// streams itself, so the two readings are independent).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMicros } from '../../../shared/time.js';
import { cliJson, workspace, type Workspace } from '../../support/cli.js';
import type { Imported } from '../../support/pcap.js';
import type { ShowJson } from '../../support/session-json.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/pcap/', import.meta.url));

interface Message {
  direction: 'in' | 'out';
  opcode: string;
  payload: string;
  /** Epoch microseconds of the packet that completed it. */
  at: number;
}

const OPCODES: Record<string, string> = {
  '1': 'text',
  '2': 'binary',
  '8': 'close',
  '9': 'ping',
  '10': 'pong',
};

/**
 * The messages tshark's WebSocket dissector reads in `file`, one per packet (these captures hold no
 * packet with two messages): its opcode (a fragmented one's first), its payload reassembled — text
 * as text, everything else as base64, as `show --json` gives payloads — with `serverPort`'s side in.
 */
function tsharkMessages(file: string, serverPort: number): Promise<Message[]> {
  const fields = [
    'frame.time_epoch',
    'tcp.srcport',
    'websocket.opcode',
    'websocket.fin',
    'websocket.payload.text',
    'data.data',
    'websocket.payload.ping',
    'websocket.payload.pong',
    'websocket.payload.close.status_code',
  ];
  return new Promise((resolve, reject) =>
    execFile(
      'tshark',
      [
        '-r',
        file,
        '-n',
        '-Y',
        'websocket',
        '-T',
        'fields',
        '-E',
        'separator=/t',
        ...fields.flatMap((f) => ['-e', f]),
      ],
      (err, out) => {
        if (err) return reject(err);
        const messages: Message[] = [];
        for (const line of out.trim().split('\n')) {
          const [time, port, opcodes, fins, text, data, ping, pong, status] = line.split('\t');
          // A packet with the last fragment of a message (fin set) completes it.
          if (!fins!.split(',').includes('1')) continue;
          const opcode = OPCODES[opcodes!.split(',').find((o) => o !== '0')!]!;
          const hex = (opcode === 'ping' ? ping : opcode === 'pong' ? pong : data) ?? '';
          const close = Buffer.alloc(2);
          if (status) close.writeUInt16BE(Number(status));
          messages.push({
            direction: Number(port) === serverPort ? 'in' : 'out',
            opcode,
            payload:
              opcode === 'text'
                ? text!
                : (opcode === 'close' ? close : Buffer.from(hex.replaceAll(':', ''), 'hex')).toString(
                    'base64',
                  ),
            at: Math.round(Number(time) * 1e6),
          });
        }
        resolve(messages);
      },
    ),
  );
}

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.cleanup());

async function imported(name: string): Promise<ShowJson> {
  const r = await cliJson<Imported>(['import', `${FIXTURES}${name}`, '--db', ws.db]);
  expect(r.result.code, r.result.stderr).toBe(0);
  expect(r.json).toMatchObject({ connections: 1, skipped: 0 });
  return (await cliJson<ShowJson>(['show', String(r.json.sessionId), '--frames', '--db', ws.db])).json;
}

function ours(s: ShowJson): Message[] {
  return s.frames!.map((f) => ({
    direction: f.direction,
    opcode: f.opcode,
    payload: f.payload,
    at: parseMicros(f.ts),
  }));
}

describe('public sample captures of WebSocket traffic (Zeek test traces)', () => {
  it("imports Zeek Broker's JSON API (port 27599), every message as tshark reads it, at its packet's time", async () => {
    const s = await imported('broker-websocket.pcap');
    const c = s.connections[0]!;
    expect(c).toMatchObject({
      url: 'ws://localhost:27599/v1/messages/json',
      status: 101,
      closeCode: 1000,
      closedBy: 'client',
    });
    const theirs = await tsharkMessages(`${FIXTURES}broker-websocket.pcap`, 27599);
    expect(theirs).toHaveLength(9);
    expect(ours(s)).toEqual(theirs);
    expect(JSON.parse(theirs[1]!.payload)).toMatchObject({ type: 'ack' });
  });

  it('joins a message sent in two fragments, and keeps a ping and its pong, as tshark reassembles them', async () => {
    const s = await imported('two-binary-fragments.pcap');
    expect(s.connections[0]).toMatchObject({ status: 101, closeCode: 1000, closedBy: 'client' });
    const theirs = await tsharkMessages(`${FIXTURES}two-binary-fragments.pcap`, 8080);
    expect(ours(s)).toEqual(theirs);
    expect(theirs.map((m) => `${m.direction} ${m.opcode}`)).toEqual([
      'in ping',
      'out pong',
      'out binary',
      'in binary',
      'out close',
      'in close',
    ]);
    expect(Buffer.from(theirs[3]!.payload, 'base64').toString()).toBe('Hello there!');
  });
});
