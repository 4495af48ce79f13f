// Scenario servers for the diagnose tests, each one way an endpoint misbehaves: pongs that never
// come, a drop in the middle of a conversation, an Origin refused with a 1008 close, a relay that
// holds the server's messages and lets them go in batches, certificates that browsers refuse.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { echo, wsServer, type Running, type WsScenario } from './scenarios.js';

/** Echoes, but never answers a ping (a peer whose heartbeat handling is stuck). */
export function noPongServer(): Promise<WsScenario> {
  return wsServer(echo, { autoPong: false });
}

/** Echoes `after` messages, then drops the TCP connection without a close frame (a crash). */
export function crashingServer(after: number): Promise<WsScenario> {
  return wsServer((ws) => {
    let seen = 0;
    ws.on('message', (data, isBinary) => {
      if (++seen > after) ws.terminate();
      else ws.send(data, { binary: isBinary });
    });
  });
}

/** Accepts every upgrade, then closes with 1008 when the Origin is not on the list. */
export function originClosingServer(allowed: readonly string[]): Promise<WsScenario> {
  return wsServer((ws, req) => {
    if (!allowed.includes(req.headers.origin ?? '')) ws.close(1008, 'origin not allowed');
    else echo(ws);
  });
}

/** Echoes and pings every `intervalMs`, over TLS with the given certificate. */
export function pingingTlsServer(
  tls: { cert: Buffer; key: Buffer },
  intervalMs: number,
): Promise<WsScenario> {
  return wsServer(
    (ws) => {
      echo(ws);
      const t = setInterval(() => ws.ping(), intervalMs);
      ws.on('close', () => clearInterval(t));
    },
    { tls },
  );
}

/**
 * A TCP relay in front of `upstreamPort` that passes the handshake through, then holds everything
 * the server sends and lets it go every `flushMs`: a buffering proxy.
 */
export async function bufferingRelay(upstreamPort: number, flushMs: number): Promise<Running> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client).add(upstream);
    let held: Buffer[] = [];
    let handshakeDone = false;
    const timer = setInterval(() => {
      if (held.length) client.write(Buffer.concat(held));
      held = [];
    }, flushMs);
    timers.add(timer);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      if (!handshakeDone) {
        handshakeDone = true;
        client.write(d);
      } else held.push(d);
    });
    const end = () => {
      clearInterval(timer);
      timers.delete(timer);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('error', end);
    // What the server sent last (its close frame) is delivered before the connection ends.
    upstream.on('close', () => {
      if (held.length && !client.destroyed) client.end(Buffer.concat(held), end);
      else end();
      held = [];
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A certificate for localhost and 127.0.0.1 that expired in January 2020 (made by `openssl ca`). */
export function expiredCertificate(dir: string): {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
} {
  const ca = join(dir, 'expired-ca');
  mkdirSync(ca, { recursive: true });
  writeFileSync(join(ca, 'index.txt'), '');
  writeFileSync(join(ca, 'serial'), '01\n');
  const conf = join(ca, 'ca.cnf');
  writeFileSync(
    conf,
    `[ ca ]
default_ca = expired
[ expired ]
database = ${ca}/index.txt
new_certs_dir = ${ca}
serial = ${ca}/serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
`,
  );
  const keyFile = join(dir, 'expired.key');
  const csr = join(dir, 'expired.csr');
  const certFile = join(dir, 'expired.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      csr,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'ca',
      '-batch',
      '-config',
      conf,
      '-selfsign',
      '-keyfile',
      keyFile,
      '-in',
      csr,
      '-out',
      certFile,
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
      '-notext',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
