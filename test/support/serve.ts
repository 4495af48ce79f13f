// Starts `frameline serve` as a user would and reads the URL it prints.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
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
