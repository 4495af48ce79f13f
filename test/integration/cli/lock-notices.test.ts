// Two captures on one database take turns at its write lock all the time; that is no news. A wait
// is: one line when it has lasted a while, one when it is over, and none under --quiet.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import { holdWriteLock, type HeldLock } from '../../support/lock-holder.js';
import { serverScript, startPeer, type Peer } from '../../support/processes.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
const cleanups: Array<() => void | Promise<void>> = [];
beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  ws.cleanup();
});

const LOCK_LINE = /locked|free again|waiting for the database/;

function capturing(args: string[]) {
  const child = startCli(['capture', ...args]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  cleanups.push(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  return { exited: finished(child, 120_000), stderr: () => stderr };
}

it('two captures on one database against a flood say one line per wait and its end, none under --quiet', async () => {
  const peer: Peer = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'rate', '10000']);
  cleanups.push(() => peer.stop());
  const url = `ws://127.0.0.1:${peer.port}/`;
  const told = capturing([url, '--duration', '8', '--db', ws.db]);
  await until('the first capture to connect', () => told.stderr().includes('connected'), 20_000);
  const quiet = capturing([url, '--duration', '8', '--quiet', '--db', ws.db]);
  await until('the second capture to connect', () => quiet.stderr().includes('connected'), 20_000);
  // Besides the two taking turns, one real wait: another process holds the lock for a while.
  let lock: HeldLock | null = await holdWriteLock(ws.db);
  cleanups.push(() => lock?.release());
  try {
    await until('the wait to be told', () => /locked by another process/.test(told.stderr()), 20_000);
  } finally {
    await lock.release();
    lock = null;
  }
  const [a, b] = await Promise.all([told.exited, quiet.exited]);
  expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);

  // --quiet: not a word about the lock.
  expect(b.stderr.split('\n').filter((l) => LOCK_LINE.test(l))).toEqual([]);
  // Otherwise: each wait once, and its end once, saying how long it lasted (at least 2 s: a shorter
  // one is the other capture's turn, not worth a line).
  const lines = a.stderr.split('\n').filter((l) => LOCK_LINE.test(l));
  expect(lines.length).toBeGreaterThanOrEqual(2);
  expect(lines.length).toBeLessThanOrEqual(6);
  lines.forEach((line, i) =>
    expect(line).toMatch(
      i % 2 === 0
        ? /^the database is locked by another process: frames wait in the spool and are committed when it is free$/
        : /^the database is free again after (\d+\.\d) s: committing the frames that waited$/,
    ),
  );
  expect(lines.length % 2).toBe(0);
  for (const line of lines.filter((l) => l.includes('free again')))
    expect(Number(/after (\d+\.\d) s/.exec(line)![1])).toBeGreaterThanOrEqual(2);
});
