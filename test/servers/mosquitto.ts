// Debian's Mosquitto, a real MQTT broker, on 127.0.0.1 for the MQTT client's tests: a websockets
// listener (what Frameline connects to) and a plain MQTT listener (what `mosquitto_pub`, a real
// client, publishes to), each on a free port, from a config written into a temporary folder; with
// `users`, a password file and no anonymous access, for the refused-CONNECT case; with
// `subscribable`, the topics anonymous clients may subscribe to (a refused subscription). Always stopped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepting, freePort } from './proxies.js';
import { stopChild } from '../support/processes.js';

export const MOSQUITTO = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';
export const MOSQUITTO_PUB = process.env.MOSQUITTO_PUB_PATH ?? '/usr/bin/mosquitto_pub';
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';

/** Why the Mosquitto tests cannot run here, in a sentence a skipped test reports; null when they can. */
export function mosquittoMissing(): string | null {
  for (const bin of [MOSQUITTO, MOSQUITTO_PUB, MOSQUITTO_PASSWD])
    if (!existsSync(bin)) return `${bin} is missing: apt-get install mosquitto mosquitto-clients (CI does)`;
  return null;
}

export interface Mosquitto {
  /** The websockets listener: ws://127.0.0.1:PORT. */
  url: string;
  /** The plain MQTT (TCP) listener's port. */
  mqttPort: number;
  config: string;
  /** What the broker logged so far (every connection, subscription and refusal). */
  log(): string;
  /** Publishes `message` on `topic` with mosquitto_pub over TCP (with `auth` when the broker wants it). */
  publish(
    topic: string,
    message: string,
    options?: { qos?: 0 | 1 | 2; auth?: { username: string; password: string } },
  ): Promise<void>;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** Users and passwords of a password file; anonymous clients are then refused. */
  users?: Record<string, string>;
  /** max_inflight_messages: QoS 1/2 messages to one client before it acknowledges (Mosquitto's default is 20). */
  maxInflight?: number;
  /**
   * The only topic filters anonymous clients may subscribe to (through Mosquitto's dynamic security
   * plugin: its acl_file grants every subscription and filters delivery); others get SUBACK 0x80.
   */
  subscribable?: string[];
}

export const MOSQUITTO_DYNSEC =
  process.env.MOSQUITTO_DYNSEC_PATH ?? '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

/** The dynamic security plugin's configuration: anonymous clients may subscribe to `topics` only. */
function dynamicSecurity(topics: string[]): string {
  return JSON.stringify({
    defaultACLAccess: {
      publishClientSend: false,
      publishClientReceive: true,
      subscribe: false,
      unsubscribe: true,
    },
    clients: [],
    groups: [{ groupname: 'anonymous', roles: [{ rolename: 'subscriber' }], clients: [] }],
    roles: [
      {
        rolename: 'subscriber',
        acls: topics.map((topic) => ({ acltype: 'subscribePattern', topic, priority: 0, allow: true })),
      },
    ],
    anonymousGroup: 'anonymous',
  });
}

export async function startMosquitto(o: MosquittoOptions = {}): Promise<Mosquitto> {
  const missing = mosquittoMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'frameline-mosquitto-'));
  // Two ports asked for one after the other may be the same one (each is free again once asked).
  const wsPort = await freePort();
  let mqttPort = await freePort();
  while (mqttPort === wsPort) mqttPort = await freePort();
  let auth = 'allow_anonymous true\n';
  if (o.users) {
    const passwords = join(dir, 'passwords');
    writeFileSync(passwords, '');
    for (const [user, password] of Object.entries(o.users)) {
      const r = spawnSync(MOSQUITTO_PASSWD, ['-b', passwords, user, password], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed for ${user}: ${r.stderr}`);
    }
    auth = `allow_anonymous false\npassword_file ${passwords}\n`;
  }
  if (o.maxInflight !== undefined) auth += `max_inflight_messages ${o.maxInflight}\n`;
  if (o.subscribable) {
    if (!existsSync(MOSQUITTO_DYNSEC))
      throw new Error(`${MOSQUITTO_DYNSEC} is missing (the mosquitto package has it)`);
    const dynsec = join(dir, 'dynamic-security.json');
    writeFileSync(dynsec, dynamicSecurity(o.subscribable));
    auth += `plugin ${MOSQUITTO_DYNSEC}\nplugin_opt_config_file ${dynsec}\n`;
  }
  const config = `${process.getuid?.() === 0 ? 'user root\n' : ''}log_dest stderr
log_type all
persistence false
${auth}listener ${wsPort} 127.0.0.1
protocol websockets
listener ${mqttPort} 127.0.0.1
protocol mqtt
`;
  const file = join(dir, 'mosquitto.conf');
  writeFileSync(file, config);
  const child = spawn(MOSQUITTO, ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!((await accepting(wsPort)) && (await accepting(mqttPort)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(
        `mosquitto did not open ports ${wsPort} and ${mqttPort}: ${log || 'no output'}\n${config}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const publish: Mosquitto['publish'] = (topic, message, options = {}) =>
    new Promise((resolve, reject) => {
      const args = [
        '-h',
        '127.0.0.1',
        '-p',
        String(mqttPort),
        '-t',
        topic,
        '-m',
        message,
        '-q',
        String(options.qos ?? 0),
      ];
      if (options.auth) args.push('-u', options.auth.username, '-P', options.auth.password);
      const pub = spawn(MOSQUITTO_PUB, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      pub.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      pub.once('error', reject);
      pub.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`mosquitto_pub exited with ${code}: ${err}`)),
      );
    });
  return { url: `ws://127.0.0.1:${wsPort}`, mqttPort, config, log: () => log, publish, stop };
}
