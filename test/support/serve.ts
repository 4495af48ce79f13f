// Starts `frameline serve` as a user would and reads the URL it prints.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { Result } from '../../shared/contract.js';
import { startCli } from './cli.js';

export interface Served {
  url: string;
  origin: string;
  port: number;
  token: string;
  child: ChildProcess;
  /** What the command wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export function serve(db: string, extra: string[] = []): Promise<Served> {
  const child = startCli(['serve', '--json', '--db', db, ...extra]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`frameline serve did not start: ${stderr}`));
    }, 20_000);
    child.once('exit', (code) => reject(new Error(`frameline serve exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const { url, port } = JSON.parse(line) as { url: string; port: number };
      const u = new URL(url);
      resolve({
        url,
        port,
        origin: u.origin,
        token: u.searchParams.get('token')!,
        child,
        stderr: () => stderr,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    });
  });
}

/** The contract over serve's WebSocket, as the console's page calls it (with the cookie a link gave). */
export interface ApiSocket {
  socket: WebSocket;
  /** One request; resolves with its answer. */
  call(channel: string, payload: unknown): Promise<Result<unknown>>;
  /** Every answer and push received so far, parsed (non-JSON kept as text), in order. */
  received: unknown[];
  close(): void;
}

/** Trades a link of `served` for its cookie (the first link printed, unless given). */
export async function cookieFor(served: Served, link = served.url): Promise<string> {
  const page = await fetch(link, { redirect: 'manual' });
  const set = page.headers.get('set-cookie');
  if (!set) throw new Error(`${link} gave no cookie (HTTP ${page.status}): ${await page.text()}`);
  return set.split(';')[0]!;
}

/** Opens the contract's WebSocket with a cookie (see cookieFor). */
export async function openApi(served: Served, cookie: string): Promise<ApiSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${served.port}/api`, {
    headers: { Cookie: cookie, Origin: served.origin },
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const received: unknown[] = [];
  socket.on('message', (d: Buffer) => {
    try {
      received.push(JSON.parse(d.toString()));
    } catch {
      received.push(d.toString());
    }
  });
  let nextId = 1;
  return {
    socket,
    received,
    call: (channel, payload) =>
      new Promise((resolve, reject) => {
        const id = 1_000_000 + nextId++;
        const onMessage = (d: Buffer) => {
          const msg = JSON.parse(d.toString()) as { id?: number; result?: Result<unknown> };
          if (msg.id !== id) return;
          done();
          resolve(msg.result!);
        };
        const onClose = () => {
          done();
          reject(new Error(`the socket closed before ${channel} was answered`));
        };
        const done = () => {
          socket.off('message', onMessage);
          socket.off('close', onClose);
        };
        socket.on('message', onMessage);
        socket.on('close', onClose);
        socket.send(JSON.stringify({ id, channel, payload }));
      }),
    close: () => socket.close(),
  };
}
