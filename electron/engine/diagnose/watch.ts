// `frameline watch`: a synthetic monitor. The probe runs against the endpoint on a schedule (DNS,
// TCP, TLS, the upgrade, echo and ping round trips, the server's heartbeat, an idle hold); each
// round is a probe session with its findings, tagged `watch`, and those older than the watch keeps
// are deleted as it goes. What the rounds saw is kept as metrics (watch-metrics.ts) for whoever
// serves them. The watch is listed in the database while it runs, its liveness a lock file, so
// that the console — in another process — can say that one runs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Watch, WatchRequest } from '../../../shared/contract/diagnose.js';
import { nowMicros } from '../clock.js';
import type { EngineContext } from '../context.js';
import { getSessionRow, taggedSessionsBefore } from '../sessions/session-store.js';
import { remove } from '../sessions/sessions.js';
import { lockHeld, RecorderLock } from '../store/recorder-lock.js';
import { framesDir, fromStoredPath, toStoredPath } from '../store/recording.js';
import { runProbe, type ProbeReport } from './probe.js';
import { readScore } from './scorecard.js';
import { WatchMetrics } from './watch-metrics.js';
import { Redactor } from '../../../shared/redaction.js';
import { deleteWatch, fromWatchRow, insertWatch, recordWatchProbe, watchRows } from './watch-store.js';

/** The tag a watch's sessions carry: its retention deletes only those. */
export const WATCH_TAG = 'watch';

const DAY_US = 86_400e6;

export interface WatchHooks {
  runId: string;
  signal: AbortSignal;
  /** Where the caller serves the metrics (said in the list of watches). */
  metricsUrl?: string;
  /** The watch's metrics, made before the first round (served from the start). */
  onMetrics?: (metrics: WatchMetrics) => void;
  /** A round ended, with what it found; and how many old sessions went. */
  onRound?: (report: ProbeReport, deleted: number, round: number) => void;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Deletes the watch's sessions (and their findings) older than it keeps; how many went. */
function pruneSessions(ctx: EngineContext, target: string, keepDays: number): number {
  let deleted = 0;
  for (const id of taggedSessionsBefore(ctx.db, WATCH_TAG, target, nowMicros() - keepDays * DAY_US)) {
    remove(ctx, id);
    deleted++;
  }
  return deleted;
}

/** Runs a watch until `hooks.signal` aborts; the round under way then ends early (its idle hold cut short). */
export async function runWatch(
  ctx: EngineContext,
  r: WatchRequest,
  hooks: WatchHooks,
): Promise<{ probes: number; sessionsDeleted: number }> {
  const dir = framesDir(ctx.dbPath);
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, `watch-${hooks.runId.replace(/[^\w.-]/g, '_')}.lock`);
  const lock = RecorderLock.acquire(lockPath);
  const started = nowMicros();
  const id = insertWatch(ctx.db, {
    target: r.probe.url,
    everySeconds: r.everySeconds,
    startedAt: started,
    lockPath: toStoredPath(ctx.dbPath, lockPath),
    metricsUrl: hooks.metricsUrl ?? null,
  });
  const metrics = new WatchMetrics(new Redactor().url(new URL(r.probe.url).href));
  hooks.onMetrics?.(metrics);
  let probes = 0;
  let sessionsDeleted = 0;
  try {
    for (let round = 0; !hooks.signal.aborted; round++) {
      const report = await runProbe(
        ctx,
        { ...r.probe, runId: `${hooks.runId}#${round + 1}` },
        { runId: `${hooks.runId}#${round + 1}`, signal: hooks.signal, tags: [WATCH_TAG] },
      );
      probes++;
      const row = report.sessionId === null ? undefined : getSessionRow(ctx.db, report.sessionId);
      const score = row ? readScore(ctx, row) : null;
      metrics.add({
        at: nowMicros(),
        checks: report.checks,
        findings: report.findings,
        head: score?.head ?? null,
        tally: score?.tally ?? null,
      });
      recordWatchProbe(ctx.db, id, {
        at: nowMicros(),
        sessionId: report.sessionId,
        findings: report.findings.filter((f) => f.severity !== 'info').map((f) => f.id),
      });
      // Old rounds go by the target as the probe recorded it.
      const deleted = row ? pruneSessions(ctx, row.target, r.keepDays) : 0;
      sessionsDeleted += deleted;
      hooks.onRound?.(report, deleted, round + 1);
      // Rounds start on the schedule from the first; one that ran over is followed at once.
      const next = started + (round + 1) * r.everySeconds * 1e6;
      await pause(Math.max(0, (next - nowMicros()) / 1000), hooks.signal);
    }
  } finally {
    deleteWatch(ctx.db, id);
    lock.release();
  }
  return { probes, sessionsDeleted };
}

/** The watches running on the database, from any process; rows of watches that are gone are removed. */
export function runningWatches(ctx: EngineContext): Watch[] {
  const out: Watch[] = [];
  for (const row of watchRows(ctx.db)) {
    if (lockHeld(fromStoredPath(ctx.dbPath, row.lock_path))) out.push(fromWatchRow(row));
    else if (!ctx.db.readonly) deleteWatch(ctx.db, row.id);
  }
  return out;
}
