// One step of the current node, as a checklist item: its text, its shell command (copy, or run
// after confirming), its app action (run in place), its time box, and the runs it already had.
import { useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { WalkRun } from '../../../shared/contract/incidents';
import type { RunbookStep } from '../../../shared/runbooks/schemas';
import { CopyButton } from '../../components/copy-button';
import { ErrorNote } from '../../components/error-note';
import { Markdown } from './markdown';
import { RunView } from './run-view';
import type { ConnectionProfile } from '../../../shared/contract/walk-profile';
import type { DraftErrors } from '../attach/attach-draft';
import { EMPTY_PROFILE, profileOfDraft, ProfileFields, type ProfileDraft } from './walk-profile';
import { actionEndpoint, actionVerb, describeAction, formatSeconds, isTimedAction } from './walk-format';

export interface StepRun {
  run: WalkRun;
  earlier: boolean;
}

export function StepItem({
  api,
  step,
  runs,
  live,
  checked,
  target,
  direct,
  busy,
  error,
  stopping,
  clockOffsetMs,
  sessionName,
  onCheck,
  onShell,
  onAction,
  onStop,
}: {
  api: Api;
  step: RunbookStep;
  runs: StepRun[];
  live: ReadonlyMap<number, string>;
  checked: boolean;
  target: string | null;
  direct: string | null;
  /** Something of this walk is running (one run at a time), or a move is under way. */
  busy: boolean;
  error: string | null;
  stopping: ReadonlySet<number>;
  /** Engine clock minus this window's: elapsed times count on the engine's clock. */
  clockOffsetMs: number;
  /** The name of the session a capture of this step records into (to follow its frames). */
  sessionName: string;
  onCheck: (done: boolean) => void;
  onShell: () => void;
  onAction: (args: { duration?: number; profile?: ConnectionProfile }) => void;
  onStop: (runId: number) => void;
}) {
  const action = step.action;
  const [duration, setDuration] = useState(isTimedAction(action) ? String(action.duration) : '');
  const durationValue = Number(duration);
  const durationOk = !isTimedAction(action) || (durationValue > 0 && durationValue <= 3600);
  const titleId = `step-${step.node}-${step.index}`;
  // This run's own connection settings, over the walk's profile (capture, probe and relay steps).
  const [override, setOverride] = useState<ProfileDraft>(EMPTY_PROFILE);
  const [overrideErrors, setOverrideErrors] = useState<DraftErrors>({});
  const connects = action !== null && action.kind !== 'diagnose';
  const run = () => {
    let profile: ConnectionProfile | undefined;
    if (connects && override !== EMPTY_PROFILE) {
      const given = profileOfDraft(override);
      setOverrideErrors(given.errors);
      if (!given.profile) return;
      profile = given.profile;
    }
    onAction({
      ...(isTimedAction(action) ? { duration: durationValue } : {}),
      ...(profile ? { profile } : {}),
    });
  };
  // Said before the engine would refuse: what this action needs that the walk was started without.
  const missing =
    action && action.kind !== 'diagnose' && !actionEndpoint(action) && !target
      ? 'This walk has no endpoint: start a new walk with one to run this here, or do it by hand.'
      : action?.kind === 'probe' && action.direct === true && !direct
        ? 'This walk has no backend address: start a new walk with one to compare direct and proxied.'
        : null;
  return (
    <li className={`step-item${checked ? ' is-done' : ''}`} data-step={step.index} aria-labelledby={titleId}>
      <label className="step-check">
        <input type="checkbox" checked={checked} onChange={(e) => onCheck(e.target.checked)} />
        <span id={titleId} className="step-title">
          <span className="step-number">{step.index}.</span> {step.title || `Step ${step.index}`}
        </span>
        {step.timeboxSeconds ? (
          <span className="chip" title="This step's time box">
            {formatSeconds(step.timeboxSeconds)}
          </span>
        ) : null}
      </label>
      <div className="step-body">
        {step.text ? <Markdown text={step.text} className="step-text" /> : null}
        {step.command !== null ? (
          <div className="step-command">
            <pre className="step-command-text mono">{step.command}</pre>
            {step.successExitCodes ? (
              <p className="step-exit-codes muted small">
                Success exit codes: {step.successExitCodes.join(', ')}
              </p>
            ) : null}
            <div className="step-command-actions">
              <CopyButton text={step.command} label="Copy" title="Copy the command to run it yourself" />
              <button type="button" className="btn btn-small" onClick={onShell} disabled={busy}>
                Run…
              </button>
            </div>
          </div>
        ) : null}
        {action ? (
          <div className="step-action">
            <span className={`chip action-kind kind-${action.kind}`}>{action.kind}</span>
            <span className="step-action-text">{describeAction(action, target, direct)}</span>
            {isTimedAction(action) ? (
              <label className="step-action-duration">
                <span className="muted small">for</span>
                <input
                  type="number"
                  min={1}
                  max={3600}
                  value={duration}
                  aria-label={`${action.kind === 'relay' ? 'Relay' : 'Capture'} duration in seconds`}
                  onChange={(e) => setDuration(e.target.value)}
                />
                <span className="muted small">s</span>
              </label>
            ) : null}
            <button
              type="button"
              className="btn btn-primary btn-small"
              disabled={busy || !durationOk || missing !== null}
              onClick={run}
            >
              {actionVerb(action)}
            </button>
          </div>
        ) : null}
        {connects ? (
          <details className="step-run-profile" open={Object.keys(overrideErrors).length > 0 || undefined}>
            <summary className="small">This run’s connection (over the walk’s profile)</summary>
            <ProfileFields
              draft={override}
              errors={overrideErrors}
              disabled={busy}
              onChange={(p) => setOverride((d) => ({ ...d, ...p }))}
            />
          </details>
        ) : null}
        {missing ? <p className="step-missing warn-text small">{missing}</p> : null}
        {error ? <ErrorNote>{error}</ErrorNote> : null}
        {runs.length ? (
          <div className="step-runs">
            {runs.map(({ run, earlier }) => (
              <RunView
                key={run.id}
                api={api}
                run={run}
                live={live.get(run.id)}
                earlier={earlier}
                stopping={stopping.has(run.id)}
                onStop={() => onStop(run.id)}
                clockOffsetMs={clockOffsetMs}
                sessionName={sessionName}
              />
            ))}
          </div>
        ) : null}
      </div>
    </li>
  );
}
