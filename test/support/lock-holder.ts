// A write lock held by another process (test/servers/lock-holder.mjs): started, waited for until it
// holds the lock, always released.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { serverScript } from './processes.js';

export interface HeldLock {
  /** Rolls back and ends the holding process. */
  release(): Promise<void>;
}

/** Holds BEGIN IMMEDIATE on `db` from another process until `release()`. */
export function holdWriteLock(db: string, timeoutMs = 15_000): Promise<HeldLock> {
  const child = spawn(process.execPath, [serverScript('lock-holder.mjs'), db], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the lock holder did not take the lock in time: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the lock holder exited with ${code} before it held the lock: ${stderr}`));
    });
    createInterface({ input: child.stdout }).once('line', () => {
      clearTimeout(timer);
      resolve({
        release: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.stdin.end();
            setTimeout(() => child.kill('SIGKILL'), 3000).unref();
          }
          await exited;
        },
      });
    });
  });
}
