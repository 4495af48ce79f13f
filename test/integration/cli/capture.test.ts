// `frameline capture` against real peers on loopback: what is recorded is what a user checks
// with `frameline show` afterwards.
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { selfSigned } from '../../support/certs.js';
import { cli, cliJson, finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer } from '../../support/processes.js';
import type { ShowJson } from '../../support/session-json.js';
import {
  closedPort,
  connectProxy,
  echo,
  rejectingServer,
  silentServer,
  wsServer,
  type Running,
} from '../../servers/scenarios.js';

let ws: Workspace;
const toClose: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  for (const s of toClose.splice(0)) await ('close' in s ? s.close() : s.stop());
  ws.cleanup();
});

function track<T extends Running>(s: T): T {
  toClose.push(s);
  return s;
}

async function show(id: number): Promise<ShowJson> {
  const { result, json } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
  expect(result.code).toBe(0);
  return json;
}

async function capture(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string; data: ShowJson }> {
  const { result, json } = await cliJson<ShowJson & { stoppedBy: string }>(
    ['capture', ...args, '--db', ws.db],
    env,
  );
  return { code: result.code, stderr: result.stderr, data: await show(json.session.id) };
}

function closeAfterEcho(code: number, reason: string) {
  return (sock: WebSocket) => {
    let seen = 0;
    sock.on('message', (data, isBinary) => {
      sock.send(data, { binary: isBinary });
      if (++seen === 2) sock.close(code, reason);
    });
  };
}

describe('capture against a ws server', () => {
  it('records the handshake, both directions of text, and the server close', async () => {
    const server = track(
      await wsServer(closeAfterEcho(1000, 'bye'), { handleProtocols: (p) => [...p][0] ?? false }),
    );
    const url = server.url.replace('127.0.0.1', 'localhost') + '/feed?x=1';
    const { code, data } = await capture([
      url,
      '-H',
      'Authorization: Bearer t0ken',
      '--header',
      'X-Trace: abc',
      '--origin',
      'https://app.example.com',
      '--subprotocol',
      'graphql-ws',
      '--send',
      'hello',
      '--send',
      '{"id":1,"op":"sub"}',
      '--name',
      'feed check',
    ]);
    expect(code).toBe(0);
    expect(data.session).toMatchObject({ name: 'feed check', status: 'complete', target: url, frames: 6 });
    const [c] = data.connections;
    expect(data.connections).toHaveLength(1);
    expect(c).toMatchObject({
      status: 101,
      subprotocol: 'graphql-ws',
      closeCode: 1000,
      closeReason: 'bye',
      closedBy: 'server',
      error: null,
    });
    expect(c!.requestHeaders).toMatchObject({
      Authorization: 'Bearer t0ken',
      'X-Trace': 'abc',
      Origin: 'https://app.example.com',
      'Sec-WebSocket-Protocol': 'graphql-ws',
      Upgrade: 'websocket',
    });
    expect(c!.responseHeaders).toMatchObject({
      Upgrade: 'websocket',
      'Sec-WebSocket-Protocol': 'graphql-ws',
    });
    expect(c!.timings.dnsMs).toBeGreaterThanOrEqual(0);
    expect(c!.timings.tcpMs).toBeGreaterThanOrEqual(0);
    expect(c!.timings.upgradeMs).toBeGreaterThan(0);
    expect(c!.timings.tlsMs).toBeNull();
    // The server really received what was sent.
    expect(server.requests[0]!.headers['x-trace']).toBe('abc');
    const frames = data.frames!;
    expect(
      frames.map((f) => `${f.direction} ${f.opcode} ${f.opcode === 'close' ? '' : f.payload}`.trim()),
    ).toEqual([
      'out text hello',
      'out text {"id":1,"op":"sub"}',
      'in text hello',
      'in text {"id":1,"op":"sub"}',
      'in close',
      'out close',
    ]);
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const closePayload = Buffer.from(frames[4]!.payload, 'base64');
    expect(closePayload.readUInt16BE(0)).toBe(1000);
    expect(closePayload.subarray(2).toString()).toBe('bye');
    for (const f of frames) expect(f.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(frames.map((f) => f.ts)).toEqual([...frames.map((f) => f.ts)].sort());
  });

  it('closes cleanly with 1000 from the client when --duration ends', async () => {
    const server = track(await wsServer(echo));
    const { code, data } = await capture([server.url, '--duration', '0.3']);
    expect(code).toBe(0);
    const c = data.connections[0]!;
    expect(c).toMatchObject({ closeCode: 1000, closedBy: 'client' });
    expect(data.frames!.map((f) => `${f.direction} ${f.opcode}`)).toEqual(['out close', 'in close']);
  });

  it('closes cleanly with 1000 on SIGTERM and keeps every frame', async () => {
    const server = track(
      await wsServer((sock) => {
        let n = 0;
        const t = setInterval(() => sock.readyState === 1 && sock.send(`tick ${++n}`), 5);
        sock.on('close', () => clearInterval(t));
      }),
    );
    const child = startCli(['capture', server.url, '--db', ws.db]);
    const done = finished(child);
    let seen = '';
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('tick 20')) resolve();
      }),
    );
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    const id = Number(/^session (\d+)/.exec(result.stdout)![1]);
    const data = await show(id);
    expect(data.session.status).toBe('complete');
    expect(data.connections[0]).toMatchObject({ closeCode: 1000, closedBy: 'client' });
    const texts = data.frames!.filter((f) => f.opcode === 'text').map((f) => f.payload);
    expect(texts.length).toBeGreaterThanOrEqual(20);
    expect(texts).toEqual(texts.map((_, i) => `tick ${i + 1}`));
  });

  it('records pings both ways: heartbeat pings it sends and pongs it answers to server pings', async () => {
    const server = track(
      await wsServer((sock) => {
        sock.ping(Buffer.from('srv'));
        // Close once the client's heartbeat has pinged twice (and been answered): no timing guesses.
        let pings = 0;
        sock.on('ping', () => {
          if (++pings === 2) setImmediate(() => sock.close(1001, 'shutting down'));
        });
      }),
    );
    const { data } = await capture([server.url, '--ping-interval', '0.05']);
    const kinds = data.frames!.map((f) => `${f.direction} ${f.opcode}`);
    expect(kinds[0]).toBe('in ping');
    expect(kinds[1]).toBe('out pong');
    expect(Buffer.from(data.frames![1]!.payload, 'base64').toString()).toBe('srv');
    expect(kinds.filter((k) => k === 'out ping').length).toBeGreaterThanOrEqual(2);
    expect(kinds.filter((k) => k === 'in pong').length).toBeGreaterThanOrEqual(2);
    expect(data.connections[0]).toMatchObject({
      closeCode: 1001,
      closedBy: 'server',
      closeReason: 'shutting down',
    });
  });

  it('keeps binary payloads as bytes and truncates past --payload-cap with the real size', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    const server = track(
      await wsServer((sock) => {
        sock.send(bytes);
        sock.send('x'.repeat(100));
        sock.close(1000);
      }),
    );
    const { data } = await capture([server.url, '--payload-cap', '10']);
    const [bin, text] = data.frames!.filter((f) => f.direction === 'in' && f.opcode !== 'close');
    expect(bin).toMatchObject({ opcode: 'binary', size: 5, truncated: false });
    expect(Buffer.from(bin!.payload, 'base64').equals(bytes)).toBe(true);
    expect(text).toMatchObject({ opcode: 'text', size: 100, truncated: true, payload: 'x'.repeat(10) });
    expect(data.connections[0]!.bytesIn).toBeGreaterThanOrEqual(105);
  });

  it('negotiates permessage-deflate only with --compression', async () => {
    const server = track(await wsServer(closeAfterEcho(1000, ''), { perMessageDeflate: true }));
    const on = await capture([server.url, '--compression', '--send', 'a'.repeat(500), '--send', 'b']);
    expect(on.data.connections[0]!.extensions).toContain('permessage-deflate');
    expect(on.data.frames!.find((f) => f.direction === 'in' && f.opcode === 'text')!.payload).toBe(
      'a'.repeat(500),
    );
    const off = await capture([server.url, '--send', 'a', '--send', 'b']);
    expect(off.data.connections[0]!.extensions).toBeNull();
  });

  it('sends scripted messages from a file and again every interval', async () => {
    const server = track(await wsServer(echo));
    const file = join(ws.dir, 'script.txt');
    writeFileSync(file, 'one\ntwo\n');
    const { data } = await capture([
      server.url,
      '--send-file',
      file,
      '--send-every',
      '0.1',
      '--duration',
      '1',
    ]);
    const out = data
      .frames!.filter((f) => f.direction === 'out' && f.opcode === 'text')
      .map((f) => f.payload);
    expect(out.slice(0, 4)).toEqual(['one', 'two', 'one', 'two']);
    expect(out.length).toBeGreaterThanOrEqual(6);
    const echoed = data
      .frames!.filter((f) => f.direction === 'in' && f.opcode === 'text')
      .map((f) => f.payload);
    expect(echoed.slice(0, 2)).toEqual(['one', 'two']);
  });

  it('sends --send messages and then the lines of --send-file, all of them, to a real server', async () => {
    const server = track(await wsServer(echo));
    const file = join(ws.dir, 'hello.txt');
    writeFileSync(file, '{"op":"auth"}\r\n\n{"op":"subscribe"}\n');
    const { data } = await capture([server.url, '--send', 'first', '--send-file', file, '--duration', '0.5']);
    const echoed = data
      .frames!.filter((f) => f.direction === 'in' && f.opcode === 'text')
      .map((f) => f.payload);
    expect(echoed).toEqual(['first', '{"op":"auth"}', '{"op":"subscribe"}']);
  });

  it('reconnects with growing delays and gives up after the attempts', async () => {
    const server = track(await wsServer((sock) => sock.close(1012, 'restart')));
    const started = Date.now();
    const result = await cli([
      'capture',
      server.url,
      '--db',
      ws.db,
      '--reconnect',
      '--reconnect-base',
      '20',
      '--reconnect-factor',
      '3',
      '--reconnect-jitter',
      '0',
      '--reconnect-attempts',
      '3',
    ]);
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 60 + 180);
    const data = await show(1);
    expect(data.connections.map((c) => c.closeCode)).toEqual([1012, 1012, 1012, 1012]);
    expect(server.requests).toHaveLength(4);
    expect(result.stderr).toContain('reconnecting in 180 ms (attempt 3)');
  });
});

describe('capture against an independent implementation (Python websockets)', () => {
  it('records the echo and the close code the Python server sends', async () => {
    const peer = await startPeer(PYTHON, [serverScript('python_ws.py'), '--close', '4001']);
    toClose.push(peer);
    const { code, data } = await capture([`ws://127.0.0.1:${peer.port}/`, '--send', 'ping me']);
    expect(code).toBe(0);
    const c = data.connections[0]!;
    expect(c.status).toBe(101);
    expect(c.responseHeaders.Server ?? '').toMatch(/websockets/i);
    expect(c).toMatchObject({ closeCode: 4001, closeReason: 'scenario close', closedBy: 'server' });
    expect(data.frames!.filter((f) => f.opcode === 'text').map((f) => `${f.direction} ${f.payload}`)).toEqual(
      ['out ping me', 'in ping me'],
    );
  });
});

describe('capture over TLS', () => {
  it('refuses a self-signed certificate, accepts it with --ca or --insecure, and times the TLS phase', async () => {
    const cert = selfSigned(ws.dir, 'server', 'localhost');
    const server = track(
      await wsServer(closeAfterEcho(1000, ''), { tls: { cert: cert.cert, key: cert.key } }),
    );
    const url = server.url.replace('127.0.0.1', 'localhost');

    const refused = await capture([url]);
    expect(refused.code).toBe(1);
    expect(refused.data.connections[0]!.error!.kind).toBe('tls');
    expect(refused.stderr).toMatch(/TLS failed/);

    const trusted = await capture([url, '--ca', cert.certFile, '--send', 'a', '--send', 'b']);
    expect(trusted.code).toBe(0);
    expect(trusted.data.connections[0]!.timings.tlsMs).toBeGreaterThan(0);
    expect(trusted.data.frames!.filter((f) => f.direction === 'in' && f.opcode === 'text')).toHaveLength(2);

    const insecure = await capture([url, '--insecure', '--send', 'a', '--send', 'b']);
    expect(insecure.code).toBe(0);
    expect(insecure.data.connections[0]!.status).toBe(101);
  });

  it('presents a client certificate with --cert and --key', async () => {
    const serverCert = selfSigned(ws.dir, 'server', 'localhost');
    const clientCert = selfSigned(ws.dir, 'client', 'frameline-client');
    const server = track(
      await wsServer(closeAfterEcho(1000, ''), {
        tls: { cert: serverCert.cert, key: serverCert.key, ca: clientCert.cert, requestCert: true },
      }),
    );
    const without = await capture([server.url, '--ca', serverCert.certFile]);
    expect(without.code).toBe(1);
    const withCert = await capture([
      server.url,
      '--ca',
      serverCert.certFile,
      '--cert',
      clientCert.certFile,
      '--key',
      clientCert.keyFile,
      '--send',
      'a',
      '--send',
      'b',
    ]);
    expect(withCert.code).toBe(0);
    expect(withCert.data.connections[0]!.status).toBe(101);
  });
});

describe('capture of failures', () => {
  it('records a refused upgrade: status, headers and the first bytes of the body', async () => {
    const server = track(await rejectingServer(403, 'origin not allowed'));
    const { code, stderr, data } = await capture([server.url, '--origin', 'https://evil.example']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/HTTP 403/);
    const c = data.connections[0]!;
    expect(c.status).toBe(403);
    expect(c.responseHeaders).toMatchObject({ 'X-Reason': 'test-scenario' });
    expect(c.responseBodyHead).toBe('origin not allowed');
    expect(c.error!.kind).toBe('upgrade-rejected');
    expect(c.timings.upgradeMs).toBeGreaterThan(0);
  });

  it('ends after a refused upgrade even when the server keeps the connection alive', async () => {
    const server = track(await rejectingServer(400, 'Bad Request', true));
    const { code, data } = await capture([server.url]);
    expect(code).toBe(1);
    expect(data.connections[0]).toMatchObject({ status: 400, responseBodyHead: 'Bad Request' });
  });

  it('records a TCP reset mid-stream as 1006 with no close frame, keeping the frames before it', async () => {
    const server = track(
      await wsServer((sock) => {
        sock.send('before 1');
        sock.send('before 2');
        // Reset once the client has read both: its pong to a ping sent after them says so. (A reset
        // after a fixed 50 ms could reach a client too busy to have read them, and a reset
        // discards what the receiver has not read yet.)
        sock.ping();
        sock.once('pong', () => (sock as unknown as { _socket: Socket })._socket.resetAndDestroy());
      }),
    );
    const { code, data } = await capture([server.url]);
    expect(code).toBe(0);
    const c = data.connections[0]!;
    expect(c).toMatchObject({ closeCode: 1006, closedBy: 'network' });
    expect(c.error!.kind).toBe('reset');
    const texts = data.frames!.filter((f) => f.opcode === 'text').map((f) => f.payload);
    expect(texts).toEqual(['before 1', 'before 2']);
  });

  it('records a 1011 close from the server', async () => {
    const server = track(await wsServer((sock) => sock.close(1011, 'database unavailable')));
    const { data } = await capture([server.url]);
    expect(data.connections[0]).toMatchObject({
      closeCode: 1011,
      closeReason: 'database unavailable',
      closedBy: 'server',
    });
  });

  it('times out on a server that never answers the upgrade', async () => {
    const server = track(await silentServer());
    const { code, data } = await capture([server.url, '--connect-timeout', '0.4']);
    expect(code).toBe(1);
    const c = data.connections[0]!;
    expect(c.error!.kind).toBe('timeout');
    expect(c.status).toBeNull();
    expect(c.timings.tcpMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a refused connection on a closed port', async () => {
    const port = await closedPort();
    const { code, stderr, data } = await capture([`ws://127.0.0.1:${port}/`]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/connection refused/);
    expect(data.connections[0]!.error!.kind).toBe('refused');
  });
});

describe('capture through an HTTP proxy', () => {
  it('tunnels with CONNECT from --proxy and from HTTP_PROXY', async () => {
    const server = track(await wsServer(closeAfterEcho(1000, '')));
    const proxy = await connectProxy();
    toClose.push(proxy);
    const flag = await capture([server.url, '--proxy', proxy.url, '--send', 'a', '--send', 'b']);
    expect(flag.code).toBe(0);
    expect(flag.data.frames!.filter((f) => f.direction === 'in' && f.opcode === 'text')).toHaveLength(2);
    expect(proxy.targets).toEqual([`127.0.0.1:${server.port}`]);

    const env = await capture([server.url, '--send', 'a', '--send', 'b'], {
      HTTP_PROXY: proxy.url,
      NO_PROXY: '',
    });
    expect(env.code).toBe(0);
    expect(proxy.targets).toHaveLength(2);
  });
});
