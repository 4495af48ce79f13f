// A frame's decoded message (`message` in NDJSON, `_message` in HAR) says what its payload says:
// with redaction on, a secret masked in the payload is masked in the message too — an ActionCable
// identifier's token, a JSON-RPC error's Bearer token, a STOMP ERROR's `token=` — and a user's
// pattern over a JSON-RPC method masks the method. What was taken out is counted once (the payload
// and its message are one value); --no-redact keeps the secrets in the message (so this can fail).
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureRequestSchema } from '../../../shared/contract/capture.js';
import type { ProtocolMessage } from '../../../shared/contract/messages.js';
import { Capture } from '../../../electron/engine/capture/capture.js';
import { openEngine } from '../../../electron/engine/context.js';
import { wsServer, type WsScenario } from '../../servers/scenarios.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { canary, expectNoSecrets } from '../../support/secrets.js';

const C = {
  cableSent: canary('cable-sent'),
  cableConfirmed: canary('cable-confirmed'),
  rpcBearer: canary('rpc-bearer'),
  rpcMethod: canary('rpc-method'),
  stompError: canary('stomp-error'),
};
const SECRETS = Object.values(C);

/** Each path speaks one protocol: the server answers the client's first message, then closes. */
function speak(socket: WebSocket, req: IncomingMessage): void {
  const path = req.url ?? '';
  const script: Record<string, string[]> = {
    '/cable': [
      JSON.stringify({ type: 'welcome' }),
      JSON.stringify({
        identifier: JSON.stringify({ channel: 'RoomChannel', token: C.cableConfirmed }),
        type: 'confirm_subscription',
      }),
    ],
    '/rpc': [
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32001, message: `Bearer ${C.rpcBearer} expired` },
      }),
      JSON.stringify({ jsonrpc: '2.0', method: `tenant.${C.rpcMethod}.update`, id: 2 }),
    ],
    '/stomp': ['CONNECTED\nversion:1.2\n\n\0', `ERROR\nmessage:login refused token=${C.stompError}\n\n\0`],
  };
  socket.once('message', () => {
    for (const m of script[path] ?? []) socket.send(m);
    socket.close(1000, 'done');
  });
}

const SENDS: Record<string, string> = {
  '/cable': JSON.stringify({
    command: 'subscribe',
    identifier: JSON.stringify({ channel: 'RoomChannel', token: C.cableSent }),
  }),
  '/rpc': JSON.stringify({ jsonrpc: '2.0', method: 'login', params: ['ann'], id: 1 }),
  '/stomp': 'CONNECT\naccept-version:1.2\nhost:/\n\n\0',
};

let ws: Workspace;
let server: WsScenario;
const sessions: Record<string, number> = {};

beforeAll(async () => {
  ws = workspace();
  server = await wsServer(speak);
  const ctx = openEngine(ws.db);
  try {
    for (const [path, send] of Object.entries(SENDS)) {
      const capture = Capture.start(
        ctx,
        CaptureRequestSchema.parse({ url: `${server.url}${path}`, sends: [send], proxy: null }),
      );
      sessions[path] = (await capture.done).sessionId;
    }
  } finally {
    ctx.close();
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
  ws?.cleanup();
});

async function exported(session: number, format: 'har' | 'ndjson', extra: string[] = []) {
  const r = await cli(['export', String(session), '--format', format, ...extra, '--db', ws.db], {}, 60_000);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The decoded messages of an export, in frame order. */
function messages(format: 'har' | 'ndjson', text: string): ProtocolMessage[] {
  if (format === 'ndjson')
    return text
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { message: ProtocolMessage | null }).message)
      .filter((m): m is ProtocolMessage => m !== null);
  const har = JSON.parse(text) as {
    log: { entries: Array<{ _webSocketMessages: Array<{ _message?: ProtocolMessage }> }> };
  };
  return har.log.entries.flatMap((e) =>
    e._webSocketMessages.flatMap((m) => (m._message ? [m._message] : [])),
  );
}

const PATTERN = ['--redact-pattern', 'canary-rpc-method-[0-9a-f]+'];

describe('decoded messages in exports, redacted as their payloads are', () => {
  it('keeps every canary out of the HAR and NDJSON, the decoded fields masked where the payload is', async () => {
    const outputs: Record<string, string> = {};
    for (const [path, session] of Object.entries(sessions))
      for (const format of ['har', 'ndjson'] as const)
        outputs[`${path} ${format}`] = await exported(session, format, PATTERN);
    expectNoSecrets(outputs, SECRETS);
    for (const format of ['har', 'ndjson'] as const) {
      expect(messages(format, outputs[`/cable ${format}`]!)).toEqual([
        {
          protocol: 'actioncable',
          type: 'subscribe',
          command: 'subscribe',
          identifier: '{"channel":"RoomChannel","token":"***"}',
          channel: 'RoomChannel',
        },
        { protocol: 'actioncable', type: 'welcome' },
        {
          protocol: 'actioncable',
          type: 'confirm_subscription',
          identifier: '{"channel":"RoomChannel","token":"***"}',
          channel: 'RoomChannel',
        },
      ]);
      expect(messages(format, outputs[`/rpc ${format}`]!)).toEqual([
        { protocol: 'json-rpc', type: 'request', method: 'login', id: '1' },
        { protocol: 'json-rpc', type: 'error', id: '1', errorCode: -32001, error: 'Bearer *** expired' },
        { protocol: 'json-rpc', type: 'request', method: 'tenant.***.update', id: '2' },
      ]);
      expect(messages(format, outputs[`/stomp ${format}`]!)).toContainEqual(
        expect.objectContaining({ protocol: 'stomp', type: 'ERROR', error: 'login refused token=***' }),
      );
    }
  });

  it('counts each secret once: a payload and its message are one value', async () => {
    const nd = await exported(sessions['/cable']!, 'ndjson');
    const head = JSON.parse(nd.split('\n')[0]!) as { frameline: { redaction: { rules: unknown[] } } };
    expect(head.frameline.redaction.rules).toEqual([{ rule: 'json-field', count: 2, names: ['token'] }]);
  });

  it('keeps the secrets in the messages with --no-redact', async () => {
    const cable = messages('ndjson', await exported(sessions['/cable']!, 'ndjson', ['--no-redact']));
    expect(cable.map((m) => m.identifier)).toContain(
      JSON.stringify({ channel: 'RoomChannel', token: C.cableConfirmed }),
    );
    const rpc = messages('har', await exported(sessions['/rpc']!, 'har', ['--no-redact']));
    expect(rpc.map((m) => m.error ?? m.method)).toEqual([
      'login',
      `Bearer ${C.rpcBearer} expired`,
      `tenant.${C.rpcMethod}.update`,
    ]);
  });
});
