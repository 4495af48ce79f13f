// `diagnose:*`: a probe started from the console (its progress pushed on `diagnose:progress`), the
// diagnosis of a recorded session, and what was concluded about a session before.
import type { DomainSetup, EngineContext } from '../context.js';
import { runProbe } from './probe.js';
import { scorecard } from './scorecard.js';
import { diagnoseSession, storedDiagnosis } from './session-analysis.js';

/** Wires the diagnose domain; closing cuts the idle holds of running probes short. */
export function setupDiagnose(ctx: EngineContext): DomainSetup<'diagnose'> {
  const running = new Set<{ runId: string | undefined; abort: AbortController; done: Promise<unknown> }>();
  return {
    handlers: {
      diagnose: {
        probe: (r) => {
          const abort = new AbortController();
          const done = runProbe(ctx, r, {
            ...(r.runId !== undefined ? { runId: r.runId } : {}),
            signal: abort.signal,
            onProgress: (p) => ctx.push('diagnose:progress', p),
          });
          const entry = { runId: r.runId, abort, done };
          running.add(entry);
          return done.finally(() => running.delete(entry));
        },
        session: (r) => diagnoseSession(ctx, r),
        stored: (r) => storedDiagnosis(ctx, r.id),
        scorecard: (r) => scorecard(ctx, r),
        // Like Ctrl+C for `frameline probe`: the idle hold ends now and the probe reports.
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
    },
    close: async () => {
      const all = [...running];
      for (const r of all) r.abort.abort();
      await Promise.allSettled(all.map((r) => r.done));
    },
  };
}
