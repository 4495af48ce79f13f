// Debian's RabbitMQ, a real STOMP broker, on 127.0.0.1 for the STOMP client's tests: one node of its
// own (a unique node name, its distribution and epmd ports free, its Mnesia, logs, config, plugins and
// Erlang cookie in a temporary folder) with rabbitmq_web_stomp on a free port. As root it runs as the
// `rabbitmq` user, as its Debian package does; the folder is that user's. It starts in seconds (more
// on a loaded machine): the start waits for the web-stomp port, bounded, and for nothing else. stop()
// ends the node's whole process group and the epmd it started, then removes the folder.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { subprotocolsFor } from '../../shared/protocols/names.js';
import type { StompModule } from '../support/protocol-tool-types.js';
import { importProtocolTool } from '../support/test-tools.js';
import { accepting, freePort } from './proxies.js';

const RABBITMQ_SCRIPTS = process.env.RABBITMQ_SCRIPTS ?? '/usr/lib/rabbitmq/bin';
export const RABBITMQ_SERVER = join(RABBITMQ_SCRIPTS, 'rabbitmq-server');
const EPMD = '/usr/bin/epmd';

/** Why the RabbitMQ tests cannot run here, in a sentence a skipped test reports; null when they can. */
export function rabbitmqMissing(): string | null {
  for (const bin of [RABBITMQ_SERVER, EPMD])
    if (!existsSync(bin)) return `${bin} is missing: apt-get install rabbitmq-server (CI does)`;
  if (process.getuid?.() === 0 && rabbitmqUser() === null)
    return 'running as root, and there is no `rabbitmq` user to run the broker as (the rabbitmq-server package creates it)';
  return null;
}

function rabbitmqUser(): { uid: number; gid: number } | null {
  const r = spawnSync('id', ['-u', 'rabbitmq'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'rabbitmq'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return null;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export interface RabbitMq {
  /** The web-stomp endpoint: ws://127.0.0.1:PORT/ws. */
  stompUrl: string;
  /** The plain STOMP (TCP) listener's port. */
  stompPort: number;
  config: string;
  /** What the node logged so far (to its console: connections, authentication failures…). */
  log(): string;
  stop(): Promise<void>;
}

export interface RabbitMqOptions {
  /** How long the node may take to open its web-stomp port; it starts in ~8 s on an idle machine. */
  startTimeoutMs?: number;
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

export async function startRabbitMq(o: RabbitMqOptions = {}): Promise<RabbitMq> {
  const missing = rabbitmqMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'frameline-rabbitmq-'));
  for (const sub of ['mnesia', 'log']) mkdirSync(join(dir, sub));
  const [amqpPort, stompPort, webStompPort, distPort, epmdPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const config = `listeners.tcp.default = 127.0.0.1:${amqpPort}
stomp.listeners.tcp.1 = 127.0.0.1:${stompPort}
web_stomp.tcp.port = ${webStompPort}
web_stomp.tcp.ip = 127.0.0.1
log.console = true
log.console.level = info
`;
  writeFileSync(join(dir, 'rabbitmq.conf'), config);
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_web_stomp].\n');
  // An empty env file, so that /etc/rabbitmq/rabbitmq-env.conf (the system's node) is not read.
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  const user = process.getuid?.() === 0 ? rabbitmqUser() : null;
  if (user) chownTree(dir, user.uid, user.gid);
  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    RABBITMQ_LOGS: '-',
    RABBITMQ_NODENAME: `frameline-${randomBytes(4).toString('hex')}@localhost`,
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
  };
  // Its own process group: stop() signals the script, the Erlang VM and its port helpers at once.
  const child = spawn(RABBITMQ_SERVER, [], {
    cwd: dir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) {
      process.kill(-child.pid!, 'SIGTERM');
      const killer = setTimeout(() => running() && process.kill(-child.pid!, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    // The node started an epmd daemon (outside its process group) on its own port: end it too.
    spawnSync(EPMD, ['-kill'], { env: { ...env, ERL_EPMD_PORT: String(epmdPort) }, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (o.startTimeoutMs ?? 90_000);
  while (!(await accepting(webStompPort))) {
    if (!running() || Date.now() > deadline) {
      const output = log;
      await stop();
      throw new Error(
        `rabbitmq-server did not open web-stomp on port ${webStompPort}: ${output || 'no output'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { stompUrl: `ws://127.0.0.1:${webStompPort}/ws`, stompPort, config, log: () => log, stop };
}

/** The guest account of a fresh node, on its default vhost. */
export const RABBITMQ_GUEST = { host: '/', login: 'guest', passcode: 'guest' };

/** Sends `body` to `destination` on `broker` with @stomp/stompjs, a STOMP client other than Frameline's. */
export async function sendWithStompJs(broker: RabbitMq, destination: string, body: string): Promise<void> {
  const { Client } = await importProtocolTool<StompModule>('@stomp/stompjs');
  const other = new Client({
    webSocketFactory: () => new WebSocket(broker.stompUrl, subprotocolsFor('stomp')),
    connectHeaders: RABBITMQ_GUEST,
    reconnectDelay: 0,
  });
  await new Promise<void>((resolve, reject) => {
    other.onConnect = () => resolve();
    other.onStompError = (frame) => reject(new Error(frame.headers['message']));
    other.activate();
  });
  other.publish({ destination, body });
  await other.deactivate();
}
