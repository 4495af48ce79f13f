// The confirmation before a runbook's shell command runs: the whole command, editable, with its
// timeout and the output cap, and where it will run. Nothing runs without this dialog's Run button,
// and the confirmation is for this one run only.
import { useId, useState } from 'react';
import {
  OUTPUT_CAP_DEFAULT_BYTES,
  OUTPUT_CAP_MAX_BYTES,
  OUTPUT_CAP_MIN_BYTES,
} from '../../../shared/contract/incidents';
import type { RunbookStep } from '../../../shared/runbooks/schemas';
import { ErrorNote } from '../../components/error-note';
import { formatBytes } from '../../components/format';
import { ModalDialog } from '../../components/modal-dialog';

const DEFAULT_TIMEOUT_S = 60;
const KIB = 1024;

export interface RunRequest {
  command: string;
  timeoutSeconds: number;
  /** Bytes of output the engine keeps: the first and the last half. */
  outputCapBytes: number;
}

export function RunDialog({
  step,
  nodeId,
  target,
  direct,
  busy,
  error,
  onRun,
  onCancel,
}: {
  step: RunbookStep;
  nodeId: string;
  target: string | null;
  direct: string | null;
  busy: boolean;
  error: string | null;
  onRun: (r: RunRequest) => void;
  onCancel: () => void;
}) {
  const original = step.command ?? '';
  const [command, setCommand] = useState(original);
  const [timeout, setTimeoutText] = useState(String(DEFAULT_TIMEOUT_S));
  const [capText, setCapText] = useState(String(OUTPUT_CAP_DEFAULT_BYTES / KIB));
  const id = useId();
  const seconds = Number(timeout);
  const timeoutError =
    timeout.trim() === '' || !Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600
      ? 'A timeout from 0.1 to 3600 seconds'
      : null;
  const capKib = Number(capText);
  const capError =
    capText.trim() === '' ||
    !Number.isInteger(capKib) ||
    capKib < OUTPUT_CAP_MIN_BYTES / KIB ||
    capKib > OUTPUT_CAP_MAX_BYTES / KIB
      ? `A whole number of KiB from ${OUTPUT_CAP_MIN_BYTES / KIB} to ${OUTPUT_CAP_MAX_BYTES / KIB}`
      : null;
  const capBytes = capError ? OUTPUT_CAP_DEFAULT_BYTES : capKib * KIB;
  const edited = command.trim() !== original.trim();
  const empty = command.trim() === '';
  // Rows for the lines, and for long lines as they wrap (about 90 characters a row).
  const lines = command.split('\n').reduce((n, l) => n + 1 + Math.floor(l.length / 90), 0);

  return (
    <ModalDialog
      className="run-dialog"
      labelledBy={`${id}-title`}
      onCancel={() => {
        if (!busy) onCancel();
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (timeoutError || capError || empty || busy) return;
          onRun({ command, timeoutSeconds: seconds, outputCapBytes: capBytes });
        }}
      >
        <h2 id={`${id}-title`} className="run-dialog-title">
          Run this command?
        </h2>
        <p className="run-dialog-where">
          Step {step.index} of {nodeId}, “{step.title}”. It runs in <code>/bin/sh</code> on the machine that
          runs the Frameline engine, as your user, once.
          {target ? (
            <>
              {' '}
              <code>WS_URL</code>, <code>WS_HOST</code>, <code>WS_PORT</code>, <code>WS_PATH</code> and{' '}
              <code>HTTP_URL</code> come from <code>{target}</code>
              {direct ? (
                <>
                  , <code>DIRECT_URL</code> is <code>{direct}</code>
                </>
              ) : null}
              .
            </>
          ) : (
            ' The walk has no target, so WS_URL and the other target variables are not set.'
          )}
        </p>
        <div className="field">
          <div className="run-dialog-label-row">
            <label htmlFor={`${id}-command`}>
              Command {edited ? <span className="chip chip-warn">edited</span> : null}
            </label>
            {edited ? (
              <button type="button" className="btn btn-ghost btn-small" onClick={() => setCommand(original)}>
                Use the runbook’s command
              </button>
            ) : null}
          </div>
          <textarea
            id={`${id}-command`}
            wrap="soft"
            className="run-dialog-command mono"
            aria-label="Command"
            value={command}
            rows={Math.min(14, Math.max(3, lines + 1))}
            spellCheck={false}
            onChange={(e) => setCommand(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
        </div>
        {step.successExitCodes ? (
          <p className="run-dialog-note small">
            Exit codes {step.successExitCodes.join(', ')} mean the step went well (the runbook says so).
          </p>
        ) : null}
        <div className="run-dialog-limits">
          <div className={`field${timeoutError ? ' has-error' : ''}`}>
            <label htmlFor={`${id}-timeout`}>Timeout (seconds)</label>
            <input
              id={`${id}-timeout`}
              type="number"
              min={0.1}
              max={3600}
              step="any"
              value={timeout}
              onChange={(e) => setTimeoutText(e.target.value)}
            />
            {timeoutError ? <p className="field-error">{timeoutError}</p> : null}
          </div>
          <div className={`field${capError ? ' has-error' : ''}`}>
            <label htmlFor={`${id}-cap`}>Output cap (KiB)</label>
            <input
              id={`${id}-cap`}
              type="number"
              min={OUTPUT_CAP_MIN_BYTES / KIB}
              max={OUTPUT_CAP_MAX_BYTES / KIB}
              step={1}
              value={capText}
              onChange={(e) => setCapText(e.target.value)}
            />
            {capError ? (
              <p className="field-error">{capError}</p>
            ) : (
              <p className="run-dialog-cap">
                {formatBytes(capBytes)} kept: beyond that, the first and the last {formatBytes(capBytes / 2)},
                with the size of what was left out.
              </p>
            )}
          </div>
        </div>
        <p className="run-dialog-note muted small">
          After the timeout the command and everything it started are ended. A Stop button stays beside the
          output while it runs; the command, its output and how it ended go into the incident timeline.
        </p>
        {error ? <ErrorNote>{error}</ErrorNote> : null}
        <div className="run-dialog-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || empty || timeoutError !== null || capError !== null}
          >
            {busy ? 'Starting…' : edited ? 'Run the edited command' : 'Run'}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
