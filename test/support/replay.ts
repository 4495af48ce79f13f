// Recording the sessions the replay tests replay, and running `frameline mock` as a user does.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { quoteService } from '../servers/quote-service.js';
import { cli, cliJson, startCli } from './cli.js';

/** The requests of the recorded quote session, in order. */
export const QUOTE_REQUESTS = [
  '{"id":1,"op":"auth","token":"tok-3b1f9c2e7d"}',
  '{"id":2,"op":"quote","symbol":"FRML"}',
  '{"id":3,"op":"quote","symbol":"WSKT"}',
  '{"id":4,"op":"quote","symbol":"PING"}',
];

/** Records a client asking the quote service for prices (with a bearer token); answers its session id. */
export async function recordQuotes(db: string, name = 'quotes'): Promise<number> {
  const server = await quoteService();
  try {
    const r = await cli([
      'capture',
      `${server.url}/quotes?api_key=k-55aa`,
      '-H',
      'Authorization: Bearer s3cret-token-123',
      ...QUOTE_REQUESTS.flatMap((m) => ['--send', m]),
      '--duration',
      '0.4',
      '--name',
      name,
      '--quiet',
      '--db',
      db,
    ]);
    if (r.code !== 0) throw new Error(`capture failed: ${r.stderr}`);
  } finally {
    await server.close();
  }
  const { json } = await cliJson<Array<{ id: number; name: string }>>(['sessions', '--db', db]);
  return json.find((s) => s.name === name)!.id;
}

export interface MockProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** Stops it with SIGTERM (as Ctrl+C) and answers its exit code and output. */
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `frameline mock` and waits for its "listening ws://…" line. */
export function startMock(args: string[]): Promise<MockProcess> {
  return startListener('mock', args);
}

/** Starts a command that listens (`mock`, `relay`) and waits for its first line, "listening ws://…". */
export function startListener(
  command: 'mock' | 'relay',
  args: string[],
  stdin: 'ignore' | 'pipe' = 'ignore',
  env: NodeJS.ProcessEnv = {},
): Promise<MockProcess> {
  const child = startCli([command, ...args], env, undefined, stdin);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`frameline ${command} did not start: ${stderr}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`frameline ${command} exited with ${code}: ${stderr}`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => (stdout += `${l}\n`));
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const url = /^listening ((?:wss?|http):\/\/\S+)$/.exec(line)?.[1];
      if (!url) return reject(new Error(`unexpected first line: ${line}`));
      resolve({
        url,
        child,
        stderr: () => stderr,
        stop: () =>
          new Promise((done) => {
            const finish = (code: number | null) => done({ code, stdout, stderr });
            if (child.exitCode !== null) return finish(child.exitCode);
            child.once('exit', (code) => finish(code));
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      });
    });
  });
}
