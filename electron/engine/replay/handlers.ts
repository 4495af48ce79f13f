// `replay:*` and `mock:*`: replays started from the console or `frameline replay` (their progress
// pushed on `replay:progress`, stopped early by `replay:stop`), load-test exports, and mock servers
// with their clients (`mock:status`, and `mock:client` for a mock that asks).
import type { DomainSetup, EngineContext } from '../context.js';
import { ForbiddenError } from '../errors.js';
import { isLoopback } from '../listen.js';
import { LiveMocks } from './live-mocks.js';
import { exportLoadTest } from './load-test.js';
import { runReplay } from './replay.js';

/** Wires the replay domain; closing stops running replays (keeping what they did) and every mock. */
export function setupReplay(
  ctx: EngineContext,
  options: { mockHosts: 'any' | 'loopback' } = { mockHosts: 'any' },
): DomainSetup<'replay' | 'mock'> {
  const running = new Set<{ runId: string | undefined; abort: AbortController; done: Promise<unknown> }>();
  const mocks = new LiveMocks(ctx);
  return {
    handlers: {
      replay: {
        run: (r) => {
          const abort = new AbortController();
          const done = runReplay(ctx, r, {
            ...(r.runId !== undefined ? { runId: r.runId } : {}),
            signal: abort.signal,
            onProgress: (p) => ctx.push('replay:progress', p),
          });
          const entry = { runId: r.runId, abort, done };
          running.add(entry);
          return done.finally(() => running.delete(entry));
        },
        export: (r) => exportLoadTest(ctx, r),
        // Like Ctrl+C for `frameline replay`: sending stops, and the run compares and keeps what it has.
        stop: (r) => {
          let stopped = false;
          for (const entry of running) {
            if (entry.runId !== r.runId || entry.abort.signal.aborted) continue;
            entry.abort.abort();
            stopped = true;
          }
          return { stopped };
        },
      },
      mock: {
        start: (r) => {
          // Browser mode: a page may not open a listener to the network that serve itself is not on.
          if (options.mockHosts === 'loopback' && !isLoopback(r.host))
            throw new ForbiddenError(
              `a mock started from the browser listens on loopback only (127.0.0.1 or ::1), not ${r.host}: frameline serve listens on loopback; start "frameline serve --host ADDRESS" to allow another address, or run "frameline mock --host ${r.host}" in a terminal`,
            );
          return mocks.start(r);
        },
        stop: (r) => mocks.stop(r.sessionId),
        list: () => mocks.list(),
      },
    },
    close: async () => {
      const all = [...running];
      for (const r of all) r.abort.abort();
      await Promise.allSettled(all.map((r) => r.done));
      await mocks.stopAll();
    },
  };
}
