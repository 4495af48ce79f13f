// Starts `frameline serve` as a user would and reads the URL it prints.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Browser, Locator, Page } from 'playwright-core';
import WebSocket from 'ws';
import type { Result } from '../../shared/contract.js';
import { startCli } from './cli.js';

export interface Served {
  /** The first link serve printed: it opens the console once. */
  url: string;
  origin: string;
  port: number;
  /** The first link's one-time token. */
  token: string;
  child: ChildProcess;
  /** What the command wrote to stderr so far (its terminal: notes, confirmation codes). */
  stderr(): string;
  /**
   * A link to open the console with, as a person gets one: the first call gives the link serve
   * printed when it started, later ones press Enter in its terminal and read the new link it prints.
   */
  openUrl(): Promise<string>;
  /** Presses Enter in serve's terminal and reads the new one-time link it prints. */
  newLink(): Promise<string>;
  /**
   * The code serve showed in its terminal (stderr) after its first `offset` characters, for a command
   * the console asked to run, as the person reads it there.
   */
  codeAfter(offset: number): Promise<string>;
  stop(): Promise<void>;
}

/** The line of serve's terminal that gives the code for a command the console asked to run. */
const CODE = /type this code in the console: ([0-9A-Z]{4}-[0-9A-Z]{4})/g;

/**
 * The console's run dialog after its Run button: the person reads the code serve showed in its
 * terminal (after `offset` characters of it), types it into the dialog and runs the command with it.
 */
export async function confirmWithCode(served: Served, dialog: Locator, offset: number): Promise<void> {
  const field = dialog.getByLabel('Code from the terminal');
  await field.waitFor({ timeout: 15_000 });
  await field.fill(await served.codeAfter(offset));
  await dialog.getByRole('button', { name: 'Run with this code' }).click();
}

/** Starts `frameline serve` on `db`, with `extra` flags and `env` (FRAMELINE_CA_DIR) added. */
export function serve(db: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = startCli(['serve', '--json', '--db', db, ...extra], env, undefined, 'pipe');
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = (what: string, ms: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(take), 1);
        reject(new Error(`frameline serve printed no ${what} in ${ms} ms: ${stderr}`));
      }, ms);
      const take = (line: string) => {
        clearTimeout(timer);
        resolve(line);
      };
      waiting.push(take);
    });
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) =>
      reject(new Error(`frameline serve exited with ${code}: ${stderr}`));
    child.once('exit', exited);
    nextLine('URL', 20_000).then(
      (line) => {
        child.off('exit', exited);
        const { url, port } = JSON.parse(line) as { url: string; port: number };
        const u = new URL(url);
        let first = true;
        const newLink = async () => {
          const next = nextLine('new link', 10_000);
          child.stdin!.write('\n');
          return (JSON.parse(await next) as { url: string }).url;
        };
        resolve({
          url,
          port,
          origin: u.origin,
          token: u.searchParams.get('token')!,
          child,
          stderr: () => stderr,
          openUrl: () => {
            if (!first) return newLink();
            first = false;
            return Promise.resolve(url);
          },
          newLink,
          codeAfter: async (offset) => {
            const deadline = Date.now() + 15_000;
            for (;;) {
              const code = [...stderr.slice(offset).matchAll(CODE)].at(-1)?.[1];
              if (code) return code;
              if (Date.now() > deadline)
                throw new Error(`frameline serve showed no code in its terminal: ${stderr.slice(offset)}`);
              await new Promise((r) => setTimeout(r, 20));
            }
          },
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5000).unref();
            }),
        });
      },
      (err: Error) => {
        child.kill('SIGKILL');
        reject(err);
      },
    );
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

/**
 * A page of `browser` (1440×900) on the console `served` opens, on the screen the Screens navigation
 * names `screen`; errors the page throws are added to `errors`.
 */
export async function consoleScreen(
  browser: Browser,
  served: Served,
  screen: string,
  errors: string[],
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(await served.openUrl());
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
  return page;
}
