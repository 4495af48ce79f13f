// The checklist a probe ticks through, as plain data: the checks it is expected to run (known from
// its options, so the list is there from the start and stays in order), what each progress push
// changes, and the final word from the probe's report — including the checks that never ran and why.
import type { PayloadOf } from '../../../shared/contract';
import { describeCheck } from '../../../shared/diagnosis/describe';
import type { Check } from '../../../shared/findings';

export type RowState = 'pending' | 'running' | 'ok' | 'failed' | 'soft' | 'skipped';

export interface CheckRow {
  /** The engine's name of the check: "upgrade", "direct.idle", "close codes". */
  name: string;
  state: RowState;
  /** What the check saw, in a few words. */
  detail: string;
  /** When it started running, on the console's clock (ms since the epoch). */
  startedAt: number | null;
  /** How long it took; null when unknown or not a timed check. */
  ms: number | null;
}

export type Progress = PayloadOf<'diagnose:progress'>;

const LABELS: Readonly<Record<string, string>> = {
  'mixed-content': 'Mixed content',
  dns: 'DNS',
  tcp: 'TCP connect',
  tls: 'TLS certificate',
  health: 'Health check',
  upgrade: 'WebSocket upgrade',
  origin: 'Origin policy',
  echo: 'Echo round trips',
  ping: 'Ping round trips',
  heartbeat: 'Server heartbeat',
  idle: 'Idle connection',
  layers: 'Proxy or backend',
  session: 'Session',
  handshakes: 'Handshakes',
  'close codes': 'Close codes',
  protocol: 'Protocol',
  lifetimes: 'Lifetimes',
  'idle before close': 'Idle before close',
  reconnects: 'Reconnects',
  heartbeats: 'Heartbeats',
  'round trips': 'Round trips',
  messages: 'Messages',
  bursts: 'Bursts',
};

export const DIRECT_PREFIX = 'direct.';

/** A check's name for people, without the "direct." prefix (the group says that). */
export function checkLabel(name: string): string {
  const bare = name.startsWith(DIRECT_PREFIX) ? name.slice(DIRECT_PREFIX.length) : name;
  return LABELS[bare] ?? bare.charAt(0).toUpperCase() + bare.slice(1);
}

/** What a probe with these options will check against one endpoint, in the order it starts them. */
export function endpointPlan(url: string, echo: number, prefix = ''): string[] {
  const names = ['dns', 'tcp'];
  if (/^wss:/i.test(url)) names.push('tls');
  names.push('health', 'upgrade', 'origin');
  if (echo > 0) names.push('echo');
  names.push('ping', 'heartbeat', 'idle');
  return names.map((n) => `${prefix}${n}`);
}

/** Every check a probe is expected to report, pending. */
export function plannedRows(o: {
  url: string;
  direct?: string | undefined;
  echo: number;
  pageOrigin?: string | undefined;
}): CheckRow[] {
  const names = [
    ...(o.pageOrigin ? ['mixed-content'] : []),
    ...endpointPlan(o.url, o.echo),
    ...(o.direct ? endpointPlan(o.direct, o.echo, DIRECT_PREFIX) : []),
    ...(o.direct ? ['layers'] : []),
  ];
  return names.map((name) => ({ name, state: 'pending', detail: '', startedAt: null, ms: null }));
}

/** The rows after one progress push (a check started or finished). */
export function applyProgress(rows: readonly CheckRow[], p: Progress, now: number): CheckRow[] {
  const i = rows.findIndex((r) => r.name === p.check);
  const before: CheckRow = rows[i] ?? {
    name: p.check,
    state: 'pending',
    detail: '',
    startedAt: null,
    ms: null,
  };
  const after: CheckRow =
    p.state === 'running'
      ? { ...before, state: 'running', detail: p.detail, startedAt: now, ms: null }
      : {
          ...before,
          state: p.state === 'ok' ? 'ok' : softFailure(p.check) ? 'soft' : 'failed',
          detail: p.detail,
          ms: before.startedAt !== null && !untimed(p.check) ? now - before.startedAt : null,
        };
  if (i < 0) return [...rows, after];
  const next = rows.slice();
  next[i] = after;
  return next;
}

/**
 * A check whose result is reported later than it is known (the heartbeat is watched during the idle
 * hold and reported with it): the time between its pushes says nothing, so none is shown.
 */
function untimed(name: string): boolean {
  return name === 'heartbeat' || name === `${DIRECT_PREFIX}heartbeat`;
}

/** A failed check that does not stop anything (the health GET is informational). */
function softFailure(name: string): boolean {
  return name === 'health' || name === `${DIRECT_PREFIX}health`;
}

/** Checks whose failure stops the checks after them on the same endpoint. */
const GATES = ['dns', 'tcp', 'tls', 'upgrade'];

/** Why a planned check did not run, from the rows of its endpoint. */
function skipReason(rows: readonly CheckRow[], name: string, finished: boolean): string {
  const prefix = name.startsWith(DIRECT_PREFIX) ? DIRECT_PREFIX : '';
  const gate = rows.find(
    (r) =>
      r.state === 'failed' &&
      r.name.startsWith(prefix) &&
      (prefix !== '' || !r.name.startsWith(DIRECT_PREFIX)) &&
      GATES.includes(r.name.slice(prefix.length)),
  );
  if (gate) return `not run: ${checkLabel(gate.name).replace(/^TLS certificate$/, 'TLS')} failed`;
  return finished ? 'not run' : 'stopped before it ran';
}

/** The rows once the probe answered: its checks are the final word, in the planned order. */
export function finalRows(rows: readonly CheckRow[], checks: readonly Check[]): CheckRow[] {
  const byName = new Map(checks.map((c) => [c.name, c]));
  const seen = new Set<string>();
  const out: CheckRow[] = rows.map((r) => {
    const c = byName.get(r.name);
    if (!c) return r;
    seen.add(r.name);
    return fromCheck(c, r.ms);
  });
  for (const c of checks) if (!seen.has(c.name)) out.push(fromCheck(c, null));
  return out.map((r) =>
    r.state === 'pending' || r.state === 'running'
      ? { ...r, state: 'skipped', detail: skipReason(out, r.name, true), ms: null }
      : r,
  );
}

/** The rows of a probe that ended without a report (the request failed). */
export function abandonedRows(rows: readonly CheckRow[]): CheckRow[] {
  return rows.map((r) =>
    r.state === 'pending' || r.state === 'running'
      ? { ...r, state: 'skipped', detail: skipReason(rows, r.name, false), ms: null }
      : r,
  );
}

/** One row for a check of a report (a probe's or a session analysis). */
export function fromCheck(c: Check, measuredMs: number | null): CheckRow {
  let detail: string;
  try {
    detail = describeCheck(c);
  } catch {
    detail = JSON.stringify(c.detail).slice(0, 160);
  }
  return {
    name: c.name,
    state: c.ok ? 'ok' : softFailure(c.name) ? 'soft' : 'failed',
    detail,
    startedAt: null,
    // The time shown while the check ran stays: a number that changes when the list settles reads
    // as a different measurement.
    ms: untimed(c.name) ? null : (measuredMs ?? c.ms),
  };
}

/** Rows counted by how they ended. */
export function tally(rows: readonly CheckRow[]): { done: number; total: number; failed: number } {
  let done = 0;
  let failed = 0;
  for (const r of rows) {
    if (r.state !== 'pending' && r.state !== 'running') done++;
    if (r.state === 'failed') failed++;
  }
  return { done, total: rows.length, failed };
}
