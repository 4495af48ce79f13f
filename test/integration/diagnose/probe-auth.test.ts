// `frameline probe -H/--subprotocol` against an endpoint that refuses the upgrade (401) without
// "Authorization: Bearer t0ken": the header reaches every handshake the probe makes, and the token
// is never written anywhere (JSON, evidence, the recorded session) — only "Bearer ***".
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Redactor } from '../../../shared/redaction.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { findingOf, probe, Stack } from './helpers.js';

const TOKEN = 't0ken';

interface AuthServer {
  url: string;
  /** Every upgrade request seen: its Authorization and Sec-WebSocket-Protocol headers. */
  seen: Array<{ authorization: string | undefined; protocol: string | undefined }>;
  close(): Promise<void>;
}

/** Upgrades only requests that carry "Authorization: Bearer t0ken"; answers 401 to the others. */
async function authServer(): Promise<AuthServer> {
  const seen: AuthServer['seen'] = [];
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(200).end('ok'));
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push({ authorization: req.headers.authorization, protocol: req.headers['sec-websocket-protocol'] });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      const body = 'missing or bad token';
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        for (const s of sockets) s.destroy();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

/** Every file under `dir`, read as text: where a leaked token would be found. */
function everything(dir: string): string {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .map((p) => (statSync(p).isDirectory() ? everything(p) : readFileSync(p, 'latin1')))
    .join('\n');
}

let ws: Workspace;
const stack = new Stack();

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  await stack.unwind();
  ws.cleanup();
});

describe('probe: authenticated endpoints', () => {
  it('without the header, the upgrade is rejected with 401', async () => {
    const server = stack.push(await authServer());
    const { result, report } = await probe(server.url, ['--idle-limit', '1'], ws.db);
    expect(result.code).toBe(1);
    expect(findingOf(report, 'upgrade-rejected').evidence).toMatchObject({ status: 401 });
  });

  it('with -H, every handshake (and --direct) carries it, and the token is never written', async () => {
    const server = stack.push(await authServer());
    const backend = stack.push(await authServer());
    const { result, report } = await probe(
      server.url,
      [
        '-H',
        `Authorization: Bearer ${TOKEN}`,
        '--header',
        `X-Api-Key: ${TOKEN}`,
        '--subprotocol',
        'v1.prices',
        '--direct',
        backend.url,
        '--echo',
        '2',
        '--idle-limit',
        '1',
      ],
      ws.db,
    );
    expect(report.findings.map((f) => f.id)).not.toContain('upgrade-rejected');
    expect(result.stdout).not.toContain(TOKEN);
    expect(result.stderr).not.toContain(TOKEN);
    // upgrade + idle hold + no Origin + foreign Origin, on each endpoint
    for (const s of [server, backend]) {
      expect(s.seen.length).toBe(4);
      expect(s.seen.every((h) => h.authorization === `Bearer ${TOKEN}` && h.protocol === 'v1.prices')).toBe(
        true,
      );
    }

    // The recorded session shows what was sent, redacted; nothing in the database or spool has it.
    const { json: shown, result: showed } = await cliJson<{
      connections: Array<{ requestHeaders: Record<string, string> }>;
    }>(['show', String(report.sessionId), '--db', ws.db]);
    expect(showed.stdout).not.toContain(TOKEN);
    expect(shown.connections.length).toBe(8);
    for (const c of shown.connections)
      expect(c.requestHeaders).toMatchObject({ Authorization: 'Bearer ***', 'X-Api-Key': '***' });
    expect(everything(ws.dir)).not.toContain(TOKEN);
  });

  it('a refused handshake names the headers sent, redacted', async () => {
    const server = stack.push(await authServer());
    const { result, report } = await probe(
      server.url,
      ['-H', 'Authorization: Bearer wr0ng-t0ken', '--idle-limit', '1'],
      ws.db,
    );
    expect(result.stdout).not.toContain(TOKEN);
    expect(findingOf(report, 'upgrade-rejected').evidence).toMatchObject({
      status: 401,
      sentHeaders: { Authorization: 'Bearer ***' },
    });
  });

  it('refuses a malformed header or subprotocol with capture’s words, before anything is recorded', async () => {
    const result = await cli(['probe', 'ws://127.0.0.1:9/ws', '-H', 'no colon', '--db', ws.db]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('header "no colon" is malformed; write it as "Name: value"');
    const sub = await cli(['probe', 'ws://127.0.0.1:9/ws', '--subprotocol', 'a b', '--db', ws.db]);
    expect(sub.code).not.toBe(0);
    expect(sub.stderr).toContain(
      `--subprotocol a subprotocol is a token: letters, digits and !#$%&'*+-.^_\`|~, not "a b"`,
    );
  });
});

describe('redaction of the headers a probe sends', () => {
  it('hides secrets, keeps the Authorization scheme, leaves other headers alone', () => {
    const redactHeaderValue = (name: string, value: string) => new Redactor().header(name, value);
    const redactHeaders = (h: Record<string, string>) => new Redactor().headers(h);
    expect(redactHeaderValue('Authorization', 'Bearer t0ken')).toBe('Bearer ***');
    expect(redactHeaderValue('proxy-authorization', 'Basic dXNlcjpwYXNz')).toBe('Basic ***');
    expect(redactHeaderValue('Authorization', 't0ken')).toBe('***');
    expect(redactHeaderValue('Cookie', 'session=t0ken; theme=dark')).toBe('***');
    expect(redactHeaderValue('X-Auth-Token', 'Bearer t0ken')).toBe('***');
    expect(redactHeaderValue('X-API-KEY', 't0ken')).toBe('***');
    expect(redactHeaderValue('X-Client-Secret', 't0ken')).toBe('***');
    expect(redactHeaderValue('User-Agent', 'curl/8')).toBe('curl/8');
    expect(redactHeaderValue('X-Tenant', 'acme')).toBe('acme');
    expect(redactHeaderValue('Sec-WebSocket-Key', 'dGhlIHNhbXBsZQ==')).toBe('dGhlIHNhbXBsZQ==');
    expect(redactHeaders({ Authorization: 'Bearer t0ken', Accept: 'text/plain' })).toEqual({
      Authorization: 'Bearer ***',
      Accept: 'text/plain',
    });
  });
});
