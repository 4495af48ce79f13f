// Many messages at once: a replay at --speed max sends them in batches (one write each) and a mock
// sends the messages due together in one write. Whatever the batching, every message goes out once,
// byte for byte and in order, every answer is paired, and both runs record every frame.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { wsServer, type WsScenario } from '../../servers/scenarios.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';
import { startMock } from '../../support/replay.js';

/** As many messages as a capture sends (1000): more than one batch holds; some long, so that batches also end on bytes; multi-byte text. */
const LINES = Array.from({ length: 1000 }, (_, i) =>
  JSON.stringify({
    id: i + 1,
    note: `prix ${i} € — ünïcode`,
    ...(i % 50 === 0 ? { blob: 'x'.repeat(20_000) } : {}),
  }),
);

let ws: Workspace;
let server: WsScenario;

/** Echoes each message and closes (1000) after the last one. */
const echoThenClose = () =>
  wsServer((peer) => {
    let n = 0;
    peer.on('message', (data, isBinary) => {
      peer.send(data, { binary: isBinary });
      if (++n === LINES.length) peer.close(1000, 'done');
    });
  });

beforeEach(async () => {
  ws = workspace();
  server = await echoThenClose();
});
afterEach(async () => {
  await server.close();
  ws.cleanup();
});

/** The text payloads a session recorded in one direction, in order. */
async function texts(sessionId: number, direction: 'in' | 'out'): Promise<string[]> {
  const { json } = await cliJson<ShowJson>(['show', String(sessionId), '--frames', '--db', ws.db]);
  return json.frames!.filter((f) => f.direction === direction && f.opcode === 'text').map((f) => f.payload);
}

describe('many messages at once', () => {
  it('replays at --speed max and serves as a mock: every message once, in order, every frame recorded', async () => {
    const file = join(ws.dir, 'messages.txt');
    writeFileSync(file, `${LINES.join('\n')}\n`);
    const capture = await cli(['capture', server.url, '--send-file', file, '--quiet', '--db', ws.db]);
    expect(capture.code).toBe(0);
    const { json: sessions } = await cliJson<Array<{ id: number }>>(['sessions', '--db', ws.db]);
    const source = sessions[0]!.id;
    expect(await texts(source, 'out')).toEqual(LINES);

    const target = await echoThenClose();
    try {
      const { result, json } = await cliJson<{
        sessionId: number;
        sent: number;
        received: number;
        matched: number;
        changed: number;
        missing: number;
        extra: number;
      }>(['replay', String(source), '--to', target.url, '--speed', 'max', '--db', ws.db]);
      expect(json).toMatchObject({
        sent: LINES.length,
        received: LINES.length,
        matched: LINES.length,
        changed: 0,
        missing: 0,
        extra: 0,
      });
      expect(result.code).toBe(0);
      expect(await texts(json.sessionId, 'out')).toEqual(LINES);
      expect(await texts(json.sessionId, 'in')).toEqual(LINES);
    } finally {
      await target.close();
    }

    // The source's answers all came within milliseconds: at speed 1000 the mock has them all due at once.
    const mock = await startMock([String(source), '--speed', '1000', '--db', ws.db]);
    let mockSession: number;
    try {
      const got = await new Promise<string[]>((resolve, reject) => {
        const client = new WebSocket(mock.url);
        const out: string[] = [];
        client.on('error', reject);
        client.on('message', (data: Buffer) => {
          out.push(data.toString('utf8'));
          if (out.length === LINES.length) client.close();
        });
        client.on('close', () => resolve(out));
      });
      expect(got).toEqual(LINES);
    } finally {
      const stopped = await mock.stop();
      mockSession = Number(/into session (\d+)/.exec(stopped.stderr)![1]);
    }
    expect(await texts(mockSession, 'out')).toEqual(LINES);
  });
});
