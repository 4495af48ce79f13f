// Real reverse proxies on 127.0.0.1 for the diagnose scenarios: Debian's nginx and HAProxy, each
// started from a config written into a temporary folder, on a port picked by binding port 0, and
// always stopped. Each start function returns the ws:// URL of the proxy.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from '../support/processes.js';

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
export const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

export interface Proxy {
  url: string;
  port: number;
  /** The configuration the proxy runs with, as written. */
  config: string;
  /** What the proxy wrote to stderr so far. */
  log(): string;
  /** Sends a signal to the proxy's process (SIGHUP: nginx reloads its configuration). */
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/** A free port on 127.0.0.1: bound to port 0, then released for the proxy to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Whether 127.0.0.1:`port` accepts a TCP connection now. */
export function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts `command` and waits (bounded) until `port` accepts connections. */
async function launch(
  command: string,
  args: string[],
  port: number,
  dir: string,
  config: string,
): Promise<Proxy> {
  if (!existsSync(command)) {
    rmSync(dir, { recursive: true, force: true });
    const pkg = command.endsWith('haproxy') ? 'haproxy' : 'nginx';
    throw new Error(`${command} is missing: apt-get install ${pkg} (or set ${pkg.toUpperCase()}_PATH)`);
  }
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepting(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not start on port ${port}: ${stderr || 'no output'}\n${config}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    config,
    log: () => stderr,
    signal: (sig) => void child.kill(sig),
    stop,
  };
}

export interface NginxOptions {
  /** The backend's port on 127.0.0.1. */
  upstreamPort: number;
  /** Pass the Upgrade/Connection headers and speak HTTP/1.1 upstream (the WebSocket setup). */
  websocket: boolean;
  /** Only `proxy_http_version 1.1`, without the headers (when `websocket` is false). */
  http11?: boolean;
  /** proxy_read_timeout in seconds (nginx's default is 60). */
  readTimeoutSeconds?: number;
  /** Listen on this port (a proxy started again with a new setting, at the same address); a free one otherwise. */
  port?: number;
}

/** nginx as a reverse proxy in front of the backend, configured as `o` says. */
export async function startNginx(
  o: NginxOptions,
): Promise<Proxy & { reconfigure(change: Partial<NginxOptions>): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'frameline-nginx-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const port = o.port ?? (await freePort());
  const file = join(dir, 'nginx.conf');
  const config = nginxConfig(o, dir, port);
  writeFileSync(file, config);
  const proxy = await launch(
    NGINX,
    ['-p', dir, '-c', file, '-g', `daemon off; pid ${dir}/nginx.pid; error_log stderr;`],
    port,
    dir,
    config,
  );
  return {
    ...proxy,
    // The new configuration is in force once nginx has started its new workers (connections open
    // then keep the old one): a test waits for what the change does, not for the reload.
    reconfigure(change) {
      writeFileSync(file, nginxConfig({ ...o, ...change }, dir, port));
      proxy.signal('SIGHUP');
    },
  };
}

/** The nginx configuration of startNginx. */
function nginxConfig(o: NginxOptions, dir: string, port: number): string {
  const upgrade = o.websocket
    ? `      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_buffering off;`
    : `${o.http11 ? '      proxy_http_version 1.1;\n' : ''}      # no Upgrade/Connection headers: the handshake reaches the backend as a plain GET`;
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${o.upstreamPort};
${upgrade}
      proxy_set_header Host $host;
      proxy_read_timeout ${o.readTimeoutSeconds ?? 60}s;
    }
  }
}
`;
}

export interface HaproxyOptions {
  upstreamPort: number;
  /** timeout client / server / tunnel, in seconds. */
  clientSeconds: number;
  serverSeconds: number;
  tunnelSeconds?: number;
  /** `option nolinger`: a connection HAProxy closes (a timeout) is reset (RST), not ended with FIN. */
  nolinger?: boolean;
}

/** HAProxy in HTTP mode in front of the backend (it handles WebSocket upgrades natively). */
export async function startHaproxy(o: HaproxyOptions): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), 'frameline-haproxy-'));
  const port = await freePort();
  const config = `global
  maxconn 256

defaults
  mode http
  timeout connect 2s
  timeout client ${o.clientSeconds}s
  timeout server ${o.serverSeconds}s
${o.tunnelSeconds !== undefined ? `  timeout tunnel ${o.tunnelSeconds}s\n` : ''}${o.nolinger ? '  option nolinger\n' : ''}
frontend websocket
  bind 127.0.0.1:${port}
  default_backend app

backend app
  server app1 127.0.0.1:${o.upstreamPort}
`;
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  return launch(HAPROXY, ['-f', file, '-db'], port, dir, config);
}
