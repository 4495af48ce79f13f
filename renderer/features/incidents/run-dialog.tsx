// The request to run a runbook's shell command: the whole command, editable, with its timeout and the
// output cap, and where it will run. This dialog is the page's side only: the engine's host confirms
// every run outside the page — the desktop app in its own native dialog, browser mode with a code
// that `frameline serve` shows in its terminal beside the command, which the person types in here.
// Each confirmation is for this one run only.
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
  /** Browser mode: the code `frameline serve` showed in its terminal for this command. */
  code?: string;
}

export function RunDialog({
  step,
  nodeId,
  target,
  direct,
  busy,
  error,
  codeAsked,
  edits,
  onRun,
  onCancel,
}: {
  step: RunbookStep;
  nodeId: string;
  target: string | null;
  direct: string | null;
  busy: boolean;
  error: string | null;
  /** The engine asked for the code shown outside the page, for this command (and where to find it). */
  codeAsked: { command: string; message: string } | null;
  /** Whether an edited command may run on this engine (browser mode may take only the runbook's). */
  edits: { allowed: boolean; advice: string | null };
  onRun: (r: RunRequest) => void;
  onCancel: () => void;
}) {
  const original = step.command ?? '';
  const [command, setCommand] = useState(original);
  const [timeout, setTimeoutText] = useState(String(DEFAULT_TIMEOUT_S));
  const [capText, setCapText] = useState(String(OUTPUT_CAP_DEFAULT_BYTES / KIB));
  const [code, setCode] = useState('');
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
  // A code is shown for one command: editing it after asks for a new one.
  const needsCode = codeAsked !== null && codeAsked.command === command;
  const codeMissing = needsCode && code.trim() === '';
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
          if (timeoutError || capError || empty || busy || codeMissing) return;
          onRun({
            command,
            timeoutSeconds: seconds,
            outputCapBytes: capBytes,
            ...(needsCode ? { code: code.trim() } : {}),
          });
          setCode('');
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
          {edits.allowed ? null : (
            <p className="run-dialog-note small" data-testid="run-dialog-edits">
              This console runs the runbook’s own command only: to run an edited one, {edits.advice}.
            </p>
          )}
          <textarea
            id={`${id}-command`}
            readOnly={!edits.allowed}
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
        {needsCode ? (
          <div className="field run-dialog-code" role="group" aria-labelledby={`${id}-code-title`}>
            <p id={`${id}-code-title`} className="run-dialog-code-title">
              Confirm it outside this page
            </p>
            <p className="small">
              <code>frameline serve</code> shows this command in the terminal where it runs, with a code. Read
              the command there, then type the code here: it runs this command once, within 5 minutes. To
              refuse, cancel.
            </p>
            <label htmlFor={`${id}-code`}>Code from the terminal</label>
            <input
              id={`${id}-code`}
              className="mono"
              autoComplete="off"
              spellCheck={false}
              placeholder="XXXX-XXXX"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoFocus
            />
          </div>
        ) : null}
        {error ? <ErrorNote>{error}</ErrorNote> : null}
        <div className="run-dialog-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || empty || timeoutError !== null || capError !== null || codeMissing}
          >
            {busy
              ? 'Starting…'
              : needsCode
                ? 'Run with this code'
                : edited
                  ? 'Run the edited command'
                  : 'Run'}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
