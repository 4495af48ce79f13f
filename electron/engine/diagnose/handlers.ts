// `diagnose:*`: a probe started from the console (its progress pushed on `diagnose:progress`), the
// diagnosis of a recorded session, what was concluded about a session before, its scorecard, and
// watches (a probe on a schedule) with their metrics.
import type { DomainSetup, EngineContext } from '../context.js';
import { compare } from './compare.js';
import { runProbe } from './probe.js';
import { randomUUID } from 'node:crypto';
import { ForbiddenError } from '../errors.js';
import { isLoopback } from '../listen.js';
import { scorecard } from './scorecard.js';
import { runningWatches, startWatch } from './watch.js';
import { diagnoseSession, storedDiagnosis } from './session-analysis.js';

/** Wires the diagnose domain; closing cuts the idle holds of running probes short and stops the watches. */
export function setupDiagnose(
  ctx: EngineContext,
  options: { listenHosts: 'any' | 'loopback' } = { listenHosts: 'any' },
): DomainSetup<'diagnose'> {
  // Probes and watches under way, by the run id that stops them.
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
        compare: (r) => compare(ctx, r),
        scorecard: (r) => scorecard(ctx, r),
        watch: async (r) => {
          // Browser mode: a page may not open a listener to the network that serve itself is not on.
          if (options.listenHosts === 'loopback' && !isLoopback(r.host))
            throw new ForbiddenError(
              `a watch started from the browser serves its metrics on loopback only (127.0.0.1 or ::1), not ${r.host}; run "frameline watch URL --listen ${r.host}:PORT" in a terminal`,
            );
          const abort = new AbortController();
          const runId = r.runId ?? randomUUID();
          const watch = await startWatch(ctx, r, {
            runId,
            signal: abort.signal,
            onRound: (report, deleted, round) =>
              ctx.push('diagnose:watch-round', {
                runId,
                round,
                sessionId: report.sessionId,
                findings: report.findings.filter((f) => f.severity !== 'info').map((f) => f.id),
                sessionsDeleted: deleted,
              }),
          });
          const entry = { runId, abort, done: watch.done };
          running.add(entry);
          watch.done
            .then(
              (result) => ctx.push('diagnose:watch-ended', { runId, ...result, error: null }),
              (err: unknown) =>
                ctx.push('diagnose:watch-ended', {
                  runId,
                  probes: 0,
                  sessionsDeleted: 0,
                  error: err instanceof Error ? err.message : String(err),
                }),
            )
            .finally(() => running.delete(entry));
          return { runId, metricsUrl: watch.metricsUrl, loopback: watch.loopback };
        },
        watches: () => runningWatches(ctx),
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
