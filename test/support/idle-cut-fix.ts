// The idle-cut fix recorded for real: the Python `websockets` server behind nginx, captured once
// through proxy_read_timeout 3s (before the fix: idle connections cut, the client reconnecting) and
// once through 3600s (after it). Both captures run at the same time; each says one request with an
// id on every connection, then stays idle. Used by the compare tests of the command line and the
// console, and by the README's before/after example.
import { expect } from 'vitest';
import { startNginx } from '../servers/proxies.js';
import { cli } from './cli.js';
import { PYTHON, serverScript, startPeer } from './processes.js';

export interface IdleCutFix {
  before: number;
  after: number;
  /** Stops nginx and the server. */
  stop(): Promise<void>;
}

export const BEFORE_NAME = 'via nginx, proxy_read_timeout 3s';
export const AFTER_NAME = 'via nginx, proxy_read_timeout 3600s';

async function captureThrough(db: string, url: string, name: string): Promise<number> {
  const capture = await cli(
    [
      'capture',
      `${url}/prices`,
      '--send',
      '{"id":1,"op":"subscribe","symbol":"FRML"}',
      '--reconnect',
      '--reconnect-base',
      '100',
      '--duration',
      '7.5',
      '--name',
      name,
      '--quiet',
      '--json',
      '--db',
      db,
    ],
    {},
    30_000,
  );
  expect(capture.code, capture.stderr).toBe(0);
  return (JSON.parse(capture.stdout) as { session: { id: number } }).session.id;
}

/** Records the before and after sessions into `db`. */
export async function recordIdleCutFix(db: string): Promise<IdleCutFix> {
  const backend = await startPeer(PYTHON, [serverScript('python_ws.py')]);
  const started: Array<{ stop(): Promise<void> }> = [backend];
  const stop = async () => {
    for (const s of started.splice(0).reverse()) await s.stop();
  };
  try {
    const cutting = await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 3 });
    started.push(cutting);
    const fixed = await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 3600 });
    started.push(fixed);
    const [before, after] = await Promise.all([
      captureThrough(db, cutting.url, BEFORE_NAME),
      captureThrough(db, fixed.url, AFTER_NAME),
    ]);
    return { before, after, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
