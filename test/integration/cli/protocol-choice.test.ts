// `capture --protocol NAME|none` is kept with the session, and everything that reads it back honours
// it: `show` (text and JSON), the NDJSON and HAR exports. `none` shows no decoded messages on a URL
// that says Socket.IO; a chosen protocol decodes what detection would not find. The live frame lines
// of `capture` carry the decoded label as `show` prints it.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { socketIoServer } from '../../servers/socketio.js';
import { cli, cliJson, finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';
import { protocolToolMissing } from '../../support/test-tools.js';

let ws: Workspace;
const toClose: Array<() => Promise<void> | void> = [];

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  for (const close of toClose.splice(0)) await close();
  ws.cleanup();
});

/**
 * Runs `capture` until its output holds `line` `times` times (null: until it ends by itself), then
 * stops it as Ctrl+C would.
 */
async function capture(
  args: string[],
  line: string | null,
  times = 1,
): Promise<{ id: number; stdout: string }> {
  const child: ChildProcess = startCli(['capture', ...args, '--db', ws.db]);
  const done = finished(child, 30_000);
  if (line !== null) {
    let seen = '';
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.split(line).length > times) resolve();
      }),
    );
    child.kill('SIGTERM');
  }
  const result = await done;
  expect(result.code, result.stderr).not.toBeNull();
  return { id: Number(/^session (\d+)/m.exec(result.stdout)![1]), stdout: result.stdout };
}

async function read(id: number) {
  const { result, json } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
  expect(result.code, result.stderr).toBe(0);
  const text = await cli(['show', String(id), '--frames', '--db', ws.db]);
  expect(text.code, text.stderr).toBe(0);
  const ndjson = await cli(['export', String(id), '--format', 'ndjson', '--db', ws.db]);
  expect(ndjson.code, ndjson.stderr).toBe(0);
  const har = await cli(['export', String(id), '--format', 'har', '--db', ws.db]);
  expect(har.code, har.stderr).toBe(0);
  const entries = (
    JSON.parse(har.stdout) as {
      log: {
        entries: Array<{ _protocol: string | null; _webSocketMessages: Array<{ _message?: unknown }> }>;
      };
    }
  ).log.entries;
  return {
    json,
    text: text.stdout,
    ndjson: ndjson.stdout
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { message: unknown }).message),
    har: entries.map((e) => ({
      protocol: e._protocol,
      messages: e._webSocketMessages.map((m) => m._message ?? null),
    })),
  };
}

/** The frame lines of `capture` or `show` output (`01:53:53.123456 < text …`). */
const frameLines = (out: string) => out.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{6} [<>] /.test(l));

describe.skipIf(protocolToolMissing('socket.io'))('--protocol against a real Socket.IO 4 server', () => {
  it('socket.io: the live lines carry the decoded labels show prints', async () => {
    const server = await socketIoServer({ pingInterval: 200, pingTimeout: 2000 });
    toClose.push(() => server.close());
    const live = await capture([server.url, '--protocol', 'socket.io'], '[EVENT welcome]');
    const lines = frameLines(live.stdout);
    expect(lines[0]).toMatch(/ < text +\d+B +\[open\] 0\{"sid":/);
    expect(lines.find((l) => l.includes('> text'))).toMatch(/\[CONNECT\] 40$/);
    expect(lines.some((l) => /< text +\d+B +\[EVENT welcome\] 42\["welcome"/.test(l))).toBe(true);

    const { json, text } = await read(live.id);
    expect(json.connections[0]!.protocol).toBe('socket.io');
    // Each live line is the line show prints for the same frame.
    const shown = frameLines(text);
    for (const l of lines) expect(shown).toContain(l);
  });

  it('none: a Socket.IO URL shows no protocol and no decoded message anywhere', async () => {
    // Engine.IO's ping goes unanswered: the server drops the capture after its ping timeout.
    const server = await socketIoServer({ pingInterval: 200, pingTimeout: 300 });
    toClose.push(() => server.close());
    const live = await capture([server.url, '--protocol', 'none'], null);
    const lines = frameLines(live.stdout);
    expect(lines.some((l) => l.includes('< text') && l.includes('0{"sid":'))).toBe(true);
    for (const l of lines) expect(l).not.toMatch(/B {2}\[/);

    const { json, text, ndjson, har } = await read(live.id);
    expect(json.connections[0]!.url).toContain('/socket.io/?EIO=4');
    expect(json.connections[0]!.protocol).toBeNull();
    expect(json.frames!.length).toBeGreaterThan(1);
    expect(json.frames!.map((f) => f.message)).toEqual(json.frames!.map(() => null));
    expect(ndjson).toEqual(json.frames!.map(() => null));
    expect(har).toEqual([{ protocol: null, messages: json.frames!.map(() => null) }]);
    for (const l of frameLines(text)) expect(l).not.toMatch(/B {2}\[/);

    // Without the choice, the URL says Socket.IO: the capture speaks it and its session reads so.
    const detected = await capture([server.url], '[EVENT welcome]');
    expect((await read(detected.id)).json.connections[0]!.protocol).toBe('socket.io');
  });
});

describe('--protocol json-rpc where nothing would detect it', () => {
  it('decodes the JSON-RPC messages that follow eight plain ones; without it they have none', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    wss.on('connection', (peer) => peer.on('message', (d, binary) => peer.send(d, { binary })));
    toClose.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/rpc`;
    const call = '{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":7}';
    const sends = [
      ...Array.from({ length: 8 }, (_, i) => ['--send', `hello ${i + 1}`]).flat(),
      '--send',
      call,
    ];
    const messagesOf = async (choice: string[]) => {
      const { id, stdout } = await capture([url, ...choice, ...sends], '"id":7}\n', 2);
      return { stdout, ...(await read(id)) };
    };

    const chosen = await messagesOf(['--protocol', 'json-rpc']);
    expect(chosen.json.connections[0]!.protocol).toBe('json-rpc');
    const calls = chosen.json.frames!.filter((f) => f.opcode === 'text' && f.size === call.length);
    expect(calls.map((f) => [f.direction, f.message])).toEqual([
      ['out', { protocol: 'json-rpc', type: 'request', method: 'sum', id: '7' }],
      ['in', { protocol: 'json-rpc', type: 'request', method: 'sum', id: '7' }],
    ]);
    expect(chosen.ndjson).toEqual(chosen.json.frames!.map((f) => f.message));
    expect(chosen.har[0]!.protocol).toBe('json-rpc');
    expect(frameLines(chosen.text).filter((l) => l.includes('[request sum]'))).toHaveLength(2);
    expect(frameLines(chosen.stdout).filter((l) => l.includes('[request sum]'))).toHaveLength(2);

    const detected = await messagesOf([]);
    expect(detected.json.connections[0]!.protocol).toBeNull();
    expect(detected.json.frames!.every((f) => f.message === null)).toBe(true);
    expect(frameLines(detected.stdout).some((l) => l.includes('[request'))).toBe(false);
  });
});
