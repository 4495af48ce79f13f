// Child processes that tests start (peers, servers): started with a readiness line, always stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Peer {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** Starts a process that prints {"port": N} on its first stdout line. */
export function startPeer(command: string, args: string[], timeoutMs = 15_000): Promise<Peer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not start in time: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        child,
        port,
        stop: () => stopChild(child),
      });
    });
  });
}

/** Stops a child: SIGTERM, SIGKILL if it has not gone 3 s later; settles once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

export const PYTHON = '/usr/bin/python3';

export function serverScript(name: string): string {
  return fileURLToPath(new URL(`../servers/${name}`, import.meta.url));
}
