// Words and numbers of the walk view: times of day, time boxes, how a run went, what an action does.
import type { WalkRun } from '../../../shared/contract/incidents';
import type { StepAction } from '../../../shared/runbooks/schemas';
import { describeThreshold } from '../../../shared/prometheus';
import { zonedIso } from '../../components/time-zone';

/** "02:07:42" (UTC, or local time when chosen, like the rest of the console). */
export function clockTime(iso: string): string {
  return zonedIso(iso).slice(11, 19);
}

/** A time box or an elapsed time: "45 s", "2 min", "10 min 30 s", "1 h 5 min". */
export function formatSeconds(total: number): string {
  const s = Math.round(total);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A countdown: "9:42", "1:02:03". */
export function formatCountdown(total: number): string {
  const s = Math.max(0, Math.floor(total));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A run's status in a few words. */
export function runStatusText(run: WalkRun): string {
  switch (run.status) {
    case 'running':
      return 'running';
    case 'ok':
      // A step may declare other exit codes as success (grep -c exits 1 when it counts none).
      return run.kind === 'shell'
        ? `exit ${run.exitCode ?? 0}${run.exitCode ? ' · a success for this step' : ''}`
        : 'done';
    case 'failed':
      return run.kind === 'shell' && run.exitCode !== null ? `exit ${run.exitCode}` : 'failed';
    case 'timeout':
      return 'timed out';
    default:
      return run.status;
  }
}

/** The endpoint an action names, if it names one (else it works on the walk's target). */
export function actionEndpoint(a: StepAction): string | undefined {
  return a.kind === 'relay' ? a.to : a.kind === 'diagnose' || a.kind === 'query' ? undefined : a.url;
}

/** An action that runs for a time the person may change before it starts (beside it, editable). */
export function isTimedAction(
  a: StepAction | null | undefined,
): a is Extract<StepAction, { kind: 'capture' | 'relay' }> {
  return a?.kind === 'capture' || a?.kind === 'relay';
}

/** What an app action will do, before it runs. */
export function describeAction(a: StepAction, target: string | null, direct: string | null): string {
  const where =
    a.kind !== 'diagnose' && a.kind !== 'query'
      ? (actionEndpoint(a) ?? target ?? 'the walk’s target (none set)')
      : '';
  switch (a.kind) {
    case 'capture':
      // The duration is beside it, editable.
      return `Record ${where}`;
    case 'relay':
      return `Relay the real client to ${where} and record it`;
    case 'probe': {
      const parts = [`Probe ${where}`];
      if (a.direct)
        parts.push(
          `against the backend ${typeof a.direct === 'string' ? a.direct : (direct ?? '(no direct URL set)')}`,
        );
      if (a.idleLimit) parts.push(`holding it idle up to ${formatSeconds(a.idleLimit)}`);
      if (a.checks?.length) parts.push(`checks: ${a.checks.join(', ')}`);
      if (a.origin) parts.push(`Origin ${a.origin}`);
      return parts.join(', ');
    }
    case 'diagnose':
      return a.session === undefined || a.session === 'latest'
        ? 'Diagnose the walk’s latest capture'
        : `Diagnose session ${a.session}`;
    case 'query':
      return `Ask Prometheus over the incident’s window${a.expect ? `, expecting ${describeThreshold(a.expect)}` : ''}`;
  }
}

/** The button's words for an action. */
export function actionVerb(a: StepAction): string {
  return a.kind === 'capture'
    ? 'Run capture'
    : a.kind === 'relay'
      ? 'Start relay'
      : a.kind === 'probe'
        ? 'Run probe'
        : a.kind === 'query'
          ? 'Run query'
          : 'Run diagnosis';
}
