// `frameline relay --proxy` with the requests a proxy client sends by hand: an absolute-URL upgrade
// (`GET http://host/path` with Upgrade) relayed to a Python `websockets` server and recorded, and a
// CONNECT tunnel whose first bytes are neither TLS nor HTTP piped untouched to a TCP echo peer and
// not recorded; and the flags a proxy refuses.
import { once } from 'node:events';
import { request } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../../support/processes.js';
import { startListener, type MockProcess } from '../../support/replay.js';
import type { ShowJson } from '../../support/session-json.js';

let ws: Workspace;
let server: Peer;
let echo: Server;
let relay: MockProcess | null;

beforeEach(async () => {
  ws = workspace();
  server = await startPeer(PYTHON, [serverScript('python_ws.py'), '--report']);
  echo = createServer((s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  relay = null;
});
afterEach(async () => {
  if (relay) await relay.stop();
  await server.stop();
  echo.close();
  ws.cleanup();
});

/** Reads one unmasked text frame of under 126 bytes (what the server sends first) from `socket`. */
function firstText(socket: Socket, head: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = head;
    const take = () => {
      if (got.length >= 2 && got.length >= 2 + (got[1]! & 0x7f)) {
        socket.off('data', more);
        if (got[0] !== 0x81) reject(new Error(`not a text frame: ${got.toString('hex')}`));
        else resolve(got.subarray(2, 2 + (got[1]! & 0x7f)).toString());
      }
    };
    const more = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      take();
    };
    socket.on('data', more);
    take();
  });
}

describe('frameline relay --proxy', () => {
  it('relays an absolute-URL upgrade and pipes a tunnel that speaks neither TLS nor HTTP', async () => {
    relay = await startListener('relay', ['--proxy', '--db', ws.db], 'ignore', {
      FRAMELINE_CA_DIR: join(ws.dir, 'ca'),
    });
    const proxy = new URL(relay.url);

    const [res, socket, head] = await new Promise<[unknown, Socket, Buffer]>((resolve, reject) => {
      const req = request({
        host: proxy.hostname,
        port: proxy.port,
        path: `http://127.0.0.1:${server.port}/abs?x=1`,
        headers: {
          Host: `127.0.0.1:${server.port}`,
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('upgrade', (r, s: Socket, h: Buffer) => resolve([r, s, h]));
      req.on('response', (r) => reject(new Error(`answered ${r.statusCode} instead of 101`)));
      req.on('error', reject);
      req.end();
    });
    expect((res as { statusCode: number }).statusCode).toBe(101);
    expect(JSON.parse(await firstText(socket, head))).toMatchObject({ path: '/abs?x=1' });
    socket.destroy();

    // A tunnel to a TCP peer: its bytes come back as they went.
    const tunnel = await new Promise<Socket>((resolve, reject) => {
      const req = request({
        host: proxy.hostname,
        port: proxy.port,
        method: 'CONNECT',
        path: `127.0.0.1:${(echo.address() as AddressInfo).port}`,
      });
      req.on('connect', (r, s: Socket) =>
        r.statusCode === 200 ? resolve(s) : reject(new Error(`CONNECT answered ${r.statusCode}`)),
      );
      req.on('error', reject);
      req.end();
    });
    const sent = Buffer.from([0, 1, 2, 0xff, 0x42, 0x43]);
    tunnel.write(sent);
    let back = Buffer.alloc(0);
    while (back.length < sent.length) back = Buffer.concat([back, (await once(tunnel, 'data'))[0] as Buffer]);
    expect(back).toEqual(sent);
    tunnel.destroy();

    const stopped = await relay.stop();
    relay = null;
    expect(stopped.code).toBe(0);
    const id = Number(/into session (\d+)/.exec(stopped.stderr)![1]);
    const { json } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
    // Only the upgrade is a connection of the session: the tunnel's bytes are not recorded.
    expect(json.connections.map((c) => c.url)).toEqual([`ws://127.0.0.1:${server.port}/abs?x=1`]);
    expect(json.frames!.filter((f) => f.direction === 'in').map((f) => f.opcode)).toContain('text');
  });

  it('refuses --to and --tls with --proxy, and a relay without either', async () => {
    const withTo = await cli(['relay', '--proxy', '--to', 'ws://127.0.0.1:1/', '--db', ws.db]);
    expect(withTo.code).not.toBe(0);
    expect(withTo.stderr).toContain('leave out --to');
    const withTls = await cli(['relay', '--proxy', '--tls', '--db', ws.db]);
    expect(withTls.code).not.toBe(0);
    expect(withTls.stderr).toContain('leave out --tls');
    const neither = await cli(['relay', '--db', ws.db]);
    expect(neither.stderr).toContain('--proxy');
  });
});
