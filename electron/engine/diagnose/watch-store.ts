// Tables: watch
// The watches running on a database (migration 0240): a row while a watch runs, with what its last
// probe found; its lock file says whether it still runs (a watch that died leaves a row nobody
// holds the lock of, removed when next listed).
import type Database from 'better-sqlite3';
import type { Watch } from '../../../shared/contract/diagnose.js';
import { formatMicros } from '../../../shared/time.js';

/** A watch as stored. */
export interface WatchRow {
  id: number;
  target: string;
  every_seconds: number;
  started_at: number;
  lock_path: string;
  metrics_url: string | null;
  probes: number;
  last_probe_at: number | null;
  last_session_id: number | null;
  last_findings: string;
}

export function fromWatchRow(r: WatchRow): Watch {
  return {
    id: r.id,
    target: r.target,
    everySeconds: r.every_seconds,
    startedAt: formatMicros(r.started_at),
    metricsUrl: r.metrics_url,
    probes: r.probes,
    lastProbeAt: r.last_probe_at === null ? null : formatMicros(r.last_probe_at),
    lastSessionId: r.last_session_id,
    lastFindings: JSON.parse(r.last_findings) as string[],
  };
}

/** Records a watch that starts; its id. */
export function insertWatch(
  db: Database.Database,
  w: { target: string; everySeconds: number; startedAt: number; lockPath: string; metricsUrl: string | null },
): number {
  return Number(
    db
      .prepare(
        'INSERT INTO watch (target, every_seconds, started_at, lock_path, metrics_url) VALUES (?, ?, ?, ?, ?)',
      )
      .run(w.target, w.everySeconds, w.startedAt, w.lockPath, w.metricsUrl).lastInsertRowid,
  );
}

/** Notes a watch's finished probe. */
export function recordWatchProbe(
  db: Database.Database,
  id: number,
  p: { at: number; sessionId: number | null; findings: string[] },
): void {
  db.prepare(
    'UPDATE watch SET probes = probes + 1, last_probe_at = ?, last_session_id = ?, last_findings = ? WHERE id = ?',
  ).run(p.at, p.sessionId, JSON.stringify(p.findings), id);
}

export function deleteWatch(db: Database.Database, id: number): void {
  db.prepare('DELETE FROM watch WHERE id = ?').run(id);
}

export function watchRows(db: Database.Database): WatchRow[] {
  return db.prepare('SELECT * FROM watch ORDER BY id').all() as WatchRow[];
}
