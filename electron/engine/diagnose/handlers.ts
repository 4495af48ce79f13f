// `diagnose:*`: a probe started from the console (its progress pushed on `diagnose:progress`), the
// diagnosis of a recorded session, what was concluded about a session before, its scorecard, and
// watches (a probe on a schedule) with their metrics.
import type { DomainSetup, EngineContext } from '../context.js';
import { runProbe } from './probe.js';
import { randomUUID } from 'node:crypto';
import { MissingError } from '../errors.js';
import { scorecard } from './scorecard.js';
import { runningWatches, runWatch } from './watch.js';
import type { WatchMetrics } from './watch-metrics.js';
import { diagnoseSession, storedDiagnosis } from './session-analysis.js';

/** Wires the diagnose domain; closing cuts the idle holds of running probes short. */
export function setupDiagnose(ctx: EngineContext): DomainSetup<'diagnose'> {
  // Probes and watches under way, by the run id that stops them.
  const running = new Set<{ runId: string | undefined; abort: AbortController; done: Promise<unknown> }>();
  const watchMetrics = new Map<string, WatchMetrics>();
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
        watch: (r) => {
          const abort = new AbortController();
          const runId = r.runId ?? randomUUID();
          const done = runWatch(ctx, r, {
            runId,
            signal: abort.signal,
            ...(r.metricsUrl !== undefined ? { metricsUrl: r.metricsUrl } : {}),
            onMetrics: (m) => watchMetrics.set(runId, m),
            onRound: (report, deleted, round) =>
              ctx.push('diagnose:watch-round', {
                runId,
                round,
                sessionId: report.sessionId,
                findings: report.findings.filter((f) => f.severity !== 'info').map((f) => f.id),
                sessionsDeleted: deleted,
              }),
          });
          const entry = { runId, abort, done };
          running.add(entry);
          return done.finally(() => {
            running.delete(entry);
            watchMetrics.delete(runId);
          });
        },
        watches: () => runningWatches(ctx),
        metrics: (r) => {
          const m = watchMetrics.get(r.runId);
          if (!m) throw new MissingError(`no watch ${r.runId} runs in this engine`);
          return { text: m.text() };
        },
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
