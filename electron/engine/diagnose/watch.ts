// `frameline watch`: a synthetic monitor. The probe runs against the endpoint on a schedule (DNS,
// TCP, TLS, the upgrade, echo and ping round trips, the server's heartbeat, an idle hold); each
// round is a probe session with its findings, tagged `watch`, and those older than the watch keeps
// are deleted as it goes. What the rounds saw is kept as metrics (watch-metrics.ts) and served to
// Prometheus at http://HOST:PORT/metrics. The watch is listed in the database while it runs, its liveness a lock file, so
// that the console — in another process — can say that one runs.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EXPOSITION_TYPE, type Watch, type WatchRequest } from '../../../shared/contract/diagnose.js';
import { nowMicros } from '../clock.js';
import type { EngineContext } from '../context.js';
import { isLoopback, listenFailure } from '../listen.js';
import { getSessionRow, taggedSessionsBefore } from '../sessions/session-store.js';
import { remove } from '../sessions/sessions.js';
import { lockHeld, RecorderLock } from '../store/recorder-lock.js';
import { framesDir, fromStoredPath, toStoredPath } from '../store/recording.js';
import { runProbe, type ProbeReport } from './probe.js';
import { prepareProbe } from './probe-options.js';
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
  /** A round ended, with what it found; and how many old sessions went. */
  onRound?: (report: ProbeReport, deleted: number, round: number) => void;
}

/** A watch listening and running. */
export interface RunningWatch {
  metricsUrl: string;
  loopback: boolean;
  /** Settles once the watch has stopped (its signal aborted) and stopped serving. */
  done: Promise<{ probes: number; sessionsDeleted: number }>;
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

/** Serves `metrics` at /metrics on `host`:`port`; resolves once listening, with the URL to scrape. */
function serveMetrics(
  host: string,
  port: number,
  metrics: WatchMetrics,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('this watch serves /metrics\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': EXPOSITION_TYPE }).end(metrics.text());
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(listenFailure(err, host, port) ?? err));
    server.listen(port, host, () => {
      const bound = server.address() as AddressInfo;
      resolve({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}/metrics` });
    });
  });
}

/**
 * Starts a watch: listens for scrapes, then runs rounds until `hooks.signal` aborts (the round under
 * way then ends early, its idle hold cut short). Answers once listening.
 */
export async function startWatch(
  ctx: EngineContext,
  r: WatchRequest,
  hooks: WatchHooks,
): Promise<RunningWatch> {
  // A mistaken request (the URL, the CA) is refused before anything listens or is created.
  prepareProbe(r.probe);
  const metrics = new WatchMetrics(new Redactor().url(new URL(r.probe.url).href));
  const { server, url } = await serveMetrics(r.host, r.port, metrics);
  const dir = framesDir(ctx.dbPath);
  let lock: RecorderLock;
  let id: number;
  try {
    mkdirSync(dir, { recursive: true });
    const lockPath = join(dir, `watch-${hooks.runId.replace(/[^\w.-]/g, '_')}.lock`);
    lock = RecorderLock.acquire(lockPath);
    id = insertWatch(ctx.db, {
      target: metrics.target,
      everySeconds: r.everySeconds,
      startedAt: nowMicros(),
      lockPath: toStoredPath(ctx.dbPath, lockPath),
      metricsUrl: url,
    });
  } catch (err) {
    server.close();
    throw err;
  }
  const done = (async () => {
    try {
      return await rounds(ctx, r, hooks, metrics, id);
    } finally {
      deleteWatch(ctx.db, id);
      lock.release();
      // A scraper keeps its connection open: it is cut, or close would wait on it.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  })();
  return { metricsUrl: url, loopback: isLoopback(r.host), done };
}

/** The rounds of a watch, on the schedule from the first, until the signal aborts. */
async function rounds(
  ctx: EngineContext,
  r: WatchRequest,
  hooks: WatchHooks,
  metrics: WatchMetrics,
  id: number,
): Promise<{ probes: number; sessionsDeleted: number }> {
  const started = nowMicros();
  let probes = 0;
  let sessionsDeleted = 0;
  for (let round = 1; !hooks.signal.aborted; round++) {
    const runId = `${hooks.runId}#${round}`;
    const report = await runProbe(
      ctx,
      { ...r.probe, runId },
      { runId, signal: hooks.signal, tags: [WATCH_TAG] },
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
    hooks.onRound?.(report, deleted, round);
    // Rounds start on the schedule from the first; one that ran over is followed at once.
    const next = started + round * r.everySeconds * 1e6;
    await pause(Math.max(0, (next - nowMicros()) / 1000), hooks.signal);
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
