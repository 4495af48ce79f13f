// Capture → show against real servers of a protocol stack, as a user checks it: `show --json
// --frames` names the connection's protocol and gives each data frame its decoded message (control
// frames none), and the NDJSON and HAR exports carry the same decoded fields.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { ProtocolMessage } from '../../../shared/contract/messages.js';
import { cli, cliJson, finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import { jsonRpcMissing, jsonRpcServer } from '../../support/json-rpc.js';
import type { GraphqlModule, GraphqlWsServerModule } from '../../support/protocol-tool-types.js';
import type { ShowJson } from '../../support/session-json.js';
import { protocolTool, protocolToolMissing } from '../../support/test-tools.js';

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
 * Runs `capture` until its frame lines hold every one of `lines` (the answers it waits for), then
 * stops it as Ctrl+C would and reads the session back with `show --json --frames`.
 */
async function captureUntil(args: string[], lines: string[]): Promise<ShowJson> {
  const child: ChildProcess = startCli(['capture', ...args, '--db', ws.db]);
  const done = finished(child, 30_000);
  let seen = '';
  await new Promise<void>((resolve) =>
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (lines.every((l) => seen.includes(l))) resolve();
    }),
  );
  child.kill('SIGTERM');
  const result = await done;
  expect(result.code, result.stderr).toBe(0);
  const id = Number(/^session (\d+)/.exec(result.stdout)![1]);
  const { result: shown, json } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
  expect(shown.code, shown.stderr).toBe(0);
  return json;
}

async function exported(id: number, format: 'ndjson' | 'har'): Promise<string> {
  const r = await cli(['export', String(id), '--format', format, '--db', ws.db], {}, 60_000);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Each frame's opcode and message, in order, as the NDJSON export has them. */
function ndjsonMessages(text: string): Array<{ opcode: string; message: ProtocolMessage | null }> {
  return text
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { opcode: string; message: ProtocolMessage | null })
    .map(({ opcode, message }) => ({ opcode, message }));
}

/** The protocol of each entry and each message's opcode and message, as the HAR export has them. */
function harMessages(text: string) {
  const har = JSON.parse(text) as {
    log: {
      entries: Array<{
        _protocol: string | null;
        _webSocketMessages: Array<{ opcode: number; _message?: ProtocolMessage }>;
      }>;
    };
  };
  return har.log.entries.map((e) => ({
    protocol: e._protocol,
    messages: e._webSocketMessages.map((m) => ({ opcode: m.opcode, message: m._message ?? null })),
  }));
}

const OPCODE_NUMBER: Record<string, number> = { text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

/** Asserts that both exports carry what show said: the protocol and each frame's message. */
async function expectExportsAgree(data: ShowJson): Promise<void> {
  const shown = data.frames!.map((f) => ({ opcode: f.opcode, message: f.message }));
  expect(ndjsonMessages(await exported(data.session.id, 'ndjson'))).toEqual(shown);
  expect(harMessages(await exported(data.session.id, 'har'))).toEqual([
    {
      protocol: data.connections[0]!.protocol,
      messages: shown.map((f) => ({ opcode: OPCODE_NUMBER[f.opcode], message: f.message })),
    },
  ]);
}

describe.skipIf(jsonRpcMissing)('capture → show against a JSON-RPC server (rpc-websockets)', () => {
  it('names the protocol json-rpc and decodes each request, result and error; pings and closes have none', async () => {
    const server = await jsonRpcServer();
    toClose.push(() => server.close());
    const data = await captureUntil(
      [
        server.url,
        '--send',
        '{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1}',
        '--send',
        '{"jsonrpc":"2.0","method":"nope","id":"two"}',
        '--ping-interval',
        '0.05',
      ],
      ['"result":3', '"id":"two"}', '< pong'],
    );
    expect(data.connections).toHaveLength(1);
    expect(data.connections[0]!.protocol).toBe('json-rpc');
    const frames = data.frames!;
    const text = frames.filter((f) => f.opcode === 'text');
    const out = text.filter((f) => f.direction === 'out').map((f) => f.message);
    expect(out).toEqual([
      { protocol: 'json-rpc', type: 'request', method: 'sum', id: '1' },
      { protocol: 'json-rpc', type: 'request', method: 'nope', id: 'two' },
    ]);
    // The server answers each call as its handler finishes: in either order.
    const answers = text.filter((f) => f.direction === 'in').map((f) => f.message);
    expect(answers).toHaveLength(2);
    expect(answers).toEqual(
      expect.arrayContaining([
        { protocol: 'json-rpc', type: 'result', id: '1' },
        { protocol: 'json-rpc', type: 'error', id: 'two', errorCode: -32601, error: 'Method not found' },
      ]),
    );
    const control = frames.filter((f) => f.opcode !== 'text');
    expect(new Set(control.map((f) => f.opcode))).toEqual(new Set(['ping', 'pong', 'close']));
    for (const f of control) expect(f.message, `${f.direction} ${f.opcode}`).toBeNull();
    await expectExportsAgree(data);
  });
});

describe.skipIf(protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql'))(
  'capture → show against a graphql-ws server (graphql-ws useServer over ws)',
  () => {
    it('names the protocol graphql-ws and decodes its opening, a query and its answer', async () => {
      const { buildSchema } = protocolTool<GraphqlModule>('graphql');
      const { useServer } = protocolTool<GraphqlWsServerModule>('graphql-ws/use/ws');
      const http = createServer();
      const wss = new WebSocketServer({ server: http });
      const server = useServer(
        { schema: buildSchema('type Query { hello: String }'), roots: { query: { hello: () => 'world' } } },
        wss,
      );
      http.listen(0, '127.0.0.1');
      await once(http, 'listening');
      toClose.push(async () => {
        await server.dispose();
        http.close();
      });
      const data = await captureUntil(
        [
          `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`,
          '--subprotocol',
          'graphql-transport-ws',
          // The negotiated subprotocol selects graphql-ws: the capture opens it itself, and the
          // user's message goes out after connection_ack.
          '--send',
          '{"id":"q1","type":"subscribe","payload":{"query":"{ hello }"}}',
        ],
        ['"complete"'],
      );
      expect(data.connections[0]).toMatchObject({
        subprotocol: 'graphql-transport-ws',
        protocol: 'graphql-ws',
      });
      expect(data.frames!.map((f) => [f.direction, f.opcode, f.message?.type ?? null])).toEqual([
        ['out', 'text', 'connection_init'],
        ['in', 'text', 'connection_ack'],
        ['out', 'text', 'subscribe'],
        ['in', 'text', 'next'],
        ['in', 'text', 'complete'],
        ['out', 'close', null],
        ['in', 'close', null],
      ]);
      expect(data.frames![0]!.message).toEqual({ protocol: 'graphql-ws', type: 'connection_init' });
      expect(data.frames![3]!.message).toMatchObject({ protocol: 'graphql-ws', type: 'next', id: 'q1' });
      await expectExportsAgree(data);
    });
  },
);
