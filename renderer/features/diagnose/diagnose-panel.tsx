// Diagnose on the attach screen: probe the URL in the URL field the way an engineer would by hand —
// DNS, TCP, TLS, the health path, the upgrade, the Origin policy, echo and ping round trips, and an
// idle connection held to see what cuts it — watching each check tick, then reading the findings.
import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { draftInput } from '../../components/draft-input';
import { ErrorNote } from '../../components/error-note';
import { Field, Switch } from '../../components/field';
import { formatMs } from '../../components/format';
import { ChevronIcon, PulseIcon } from '../../components/icons';
import { PemFileField } from '../../components/pem-file-field';
import type { AttachDraft, HeaderRow } from '../attach/attach-draft';
import { RequestHeadersField } from '../attach/headers-editor';
import { Checklist } from './checklist';
import { checkLabel, tally, type CheckRow } from './checklist-model';
import { SessionLink } from '../../components/links';
import { FindingsView, SeverityChips } from './findings-view';
import { probeSummary, type ProbeDraft, type ProbeErrors } from './probe-draft';
import { probeStore, useProbe, type ProbeRun, type ProbeStore } from './probe-store';
import './diagnose.css';

const selectDraft = (s: ProbeStore) => s.draft;
const selectOptionsOpen = (s: ProbeStore) => s.optionsOpen;
const selectRun = (s: ProbeStore) => s.run;

/** Labels in a sentence: "DNS, TCP connect and the WebSocket upgrade". */
function listWords(labels: string[]): string {
  const words = labels.map((l) =>
    /^(?:[A-Z]{2}|WebSocket)/.test(l) ? l : l.charAt(0).toLowerCase() + l.slice(1),
  );
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** What a probe checked, for its "no problems" statement. */
export function probeChecked(run: ProbeRun): string {
  const ran = (rows: readonly CheckRow[]) =>
    rows
      .filter((r) => r.state === 'ok' || r.state === 'failed' || r.state === 'soft')
      .filter((r) => !r.name.startsWith('direct.') && r.name !== 'layers')
      .map((r) =>
        r.name === 'idle'
          ? `an idle connection held up to ${run.request.idleLimitSeconds} s`
          : checkLabel(r.name),
      );
  const direct = run.request.direct ? `, through the URL and straight to the backend` : '';
  return `Checked ${listWords(ran(run.rows))}${direct}`;
}

function ProbeOptions({
  draft,
  errors,
  disabled,
  onChange,
}: {
  draft: ProbeDraft;
  errors: ProbeErrors;
  disabled: boolean;
  onChange: (patch: Partial<ProbeDraft>) => void;
}) {
  const input = draftInput(draft, onChange, { autoComplete: 'off' });
  return (
    <fieldset className="diag-options" id="probe-options" disabled={disabled}>
      <Field
        label="Direct URL (behind the proxy)"
        hint="The backend itself, probed the same way, to tell the proxy’s faults from the backend’s."
        error={errors.direct}
      >
        {input('direct', 'ws://10.0.3.7:8080/prices')}
      </Field>
      <Field
        label="Origins your pages use"
        hint="Comma-separated; each is tried in its own handshake."
        error={errors.origins}
      >
        {input('origins', 'https://app.example.com')}
      </Field>
      <Field
        label="Page origin"
        hint="The page that opens the socket (mixed content)."
        error={errors.pageOrigin}
      >
        {input('pageOrigin', 'https://app.example.com')}
      </Field>
      <RequestHeadersField
        headers={draft.headers}
        onChange={(headers) => onChange({ headers })}
        disabled={disabled}
        error={errors.headers}
        hint="Sent on every handshake of the probe; secrets are recorded redacted (“Bearer ***”)."
      />
      <Field
        label="Subprotocols"
        hint="Comma-separated; offered on every handshake."
        error={errors.subprotocols}
      >
        {input('subprotocols', 'graphql-transport-ws')}
      </Field>
      <div className="diag-options-row">
        <Field label="Health path" error={errors.healthPath}>
          {input('healthPath', '/health')}
        </Field>
        <Field label="Idle limit (s)" error={errors.idleLimitS}>
          {input('idleLimitS', '75', { inputMode: 'decimal' })}
        </Field>
        <Field label="Echo count" error={errors.echo}>
          {input('echo', '0', { inputMode: 'numeric' })}
        </Field>
      </div>
      <PemFileField
        label="CA certificate"
        hint="For wss:// with a private CA: read here, sent as PEM text."
        value={draft.ca}
        disabled={disabled}
        onChange={(ca) => onChange({ ca })}
      />
      <Switch
        checked={draft.insecure}
        disabled={disabled}
        onChange={(insecure) => onChange({ insecure })}
        label="Accept any certificate (test endpoints only)"
      />
    </fieldset>
  );
}

/** "19 checks: 16 passed, 2 failed, 1 not run". */
function checksSummary(rows: readonly CheckRow[]): string {
  const passed = rows.filter((r) => r.state === 'ok').length;
  const failed = rows.filter((r) => r.state === 'failed' || r.state === 'soft').length;
  const skipped = rows.filter((r) => r.state === 'skipped').length;
  return `${rows.length} checks: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} not run` : ''}`;
}

function RunView({ api, run, url }: { api: Api; run: ProbeRun; url: string }) {
  const running = run.endedAt === null;
  const { done, total } = tally(run.rows);
  const took = run.endedAt !== null ? formatMs(run.endedAt - run.startedAt) : null;
  const stale = !running && url.trim() !== '' && url.trim() !== run.request.url;
  const checklist = (
    <Checklist
      rows={run.rows}
      label="Probe checklist"
      idleLimitSeconds={run.request.idleLimitSeconds}
      target={run.request.url}
      direct={run.request.direct}
    />
  );
  const stopped =
    run.stoppedAt !== null ? (
      <p className="diag-note">
        {running
          ? 'Stopping: the idle hold is being cut short…'
          : `Stopped after ${((run.stoppedAt - run.startedAt) / 1000).toFixed(1)} s: the idle hold was cut short, and the report covers what was seen until then.`}
      </p>
    ) : null;
  const recorded = run.report?.sessionId ? (
    <p className="diag-note">
      Every connection of this probe is recorded, frames included, in{' '}
      <SessionLink id={run.report.sessionId} /> (under Sessions).
    </p>
  ) : null;
  const checks = (
    <section
      className="diag-card diag-run"
      aria-label="Probe checks"
      data-run-state={running ? 'running' : run.error ? 'error' : 'done'}
    >
      <header className="diag-head">
        <h2>Checks</h2>
        <span className="diag-progress-count">
          {running ? `${done} of ${total} done` : took ? `done in ${took}` : ''}
        </span>
        <span className="spacer" />
        {running ? (
          <button
            type="button"
            className="btn btn-danger btn-small"
            onClick={() => probeStore(api).stop()}
            disabled={run.stoppedAt !== null}
            title="Cut the idle hold short and report what was seen so far"
          >
            {run.stoppedAt !== null ? 'Stopping…' : 'Stop'}
          </button>
        ) : (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => probeStore(api).dismiss()}>
            Clear
          </button>
        )}
      </header>
      {running && run.stoppedAt === null ? (
        <p className="diag-note">
          Ends when the idle connection is cut, or after {run.request.idleLimitSeconds} s; Stop reports what
          was seen so far.
        </p>
      ) : null}
      {stopped}
      {run.report ? (
        // The answer is the findings above: the checks are folded under them, one click away.
        <details className="diag-checks-fold" data-testid="probe-checks-fold">
          <summary>{`${checksSummary(run.rows)}${took ? ` — done in ${took}` : ''}`}</summary>
          {checklist}
        </details>
      ) : (
        checklist
      )}
      {run.error ? <ErrorNote>{run.error}</ErrorNote> : null}
      {recorded}
    </section>
  );
  return (
    <>
      {stale ? (
        <p className="diag-stale" data-testid="stale-results" role="status">
          These results are for <code>{run.request.url}</code>, not the URL above.{' '}
          <button type="button" className="btn btn-small" onClick={() => probeStore(api).dismiss()}>
            Clear them
          </button>
        </p>
      ) : null}
      {run.report ? (
        <section className={`diag-results${stale ? ' is-stale' : ''}`} aria-label="Probe findings">
          <header className="diag-head">
            <h2>Findings</h2>
            <span className="spacer" />
            <SeverityChips findings={run.report.findings} />
          </header>
          <FindingsView
            api={api}
            findings={run.report.findings}
            target={run.report.target}
            checked={probeChecked(run)}
          />
        </section>
      ) : null}
      {checks}
    </>
  );
}

export function DiagnosePanel({
  api,
  url,
  attachHeaders,
  attachProtocol,
}: {
  api: Api;
  url: string;
  /** The attach screen's request headers: the probe's until they are edited here. */
  attachHeaders?: readonly HeaderRow[] | undefined;
  /** The attach screen's protocol and init payload: the probe speaks what a capture would. */
  attachProtocol?: Pick<AttachDraft, 'protocol' | 'initPayload'> | undefined;
}) {
  const store = probeStore(api);
  useEffect(() => {
    if (attachHeaders) store.followAttachHeaders(attachHeaders);
  }, [store, attachHeaders]);
  const protocol = attachProtocol?.protocol;
  const initPayload = attachProtocol?.initPayload;
  useEffect(() => {
    if (protocol !== undefined && initPayload !== undefined)
      store.followAttachProtocol(protocol, initPayload);
  }, [store, protocol, initPayload]);
  const draft = useProbe(api, selectDraft);
  const optionsOpen = useProbe(api, selectOptionsOpen);
  const run = useProbe(api, selectRun);
  const [errors, setErrors] = useState<ProbeErrors>({});
  const running = run !== null && run.endedAt === null;

  const change = useCallback(
    (patch: Partial<ProbeDraft>) => {
      store.setDraft(patch);
      setErrors((e) => {
        const next = { ...e };
        for (const k of Object.keys(patch)) delete next[k as keyof ProbeErrors];
        return next;
      });
    },
    [store],
  );

  const start = () => {
    const found = store.start(url);
    setErrors(found ?? {});
    // The URL and the protocol are set above and in the attach form; the rest are the probe's options.
    const own = (k: string) => k !== 'url' && k !== 'protocol' && k !== 'initPayload';
    if (found && Object.keys(found).some(own)) store.setOptionsOpen(true);
  };

  return (
    <div className="diag-panel" data-testid="diagnose-panel">
      <section className="diag-card" aria-label="Probe">
        <header className="diag-head">
          <h2>Probe</h2>
          <span className="diag-head-hint">DNS · TCP · TLS · upgrade · origin · ping · idle</span>
        </header>
        <p className={`diag-target mono${url.trim() ? '' : ' is-empty'}`} title={url}>
          {url.trim() || 'Type the URL above, then run the probe'}
        </p>
        <form
          className="diag-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!running) start();
          }}
        >
          <div className="diag-actions">
            <button type="submit" className="btn btn-primary" disabled={running}>
              <PulseIcon /> {running ? 'Probing…' : run ? 'Probe again' : 'Run probe'}
            </button>
            <button
              type="button"
              className="btn btn-ghost"
              aria-expanded={optionsOpen}
              aria-controls="probe-options"
              onClick={() => store.setOptionsOpen(!optionsOpen)}
            >
              Options <ChevronIcon open={optionsOpen} />
            </button>
          </div>
          {optionsOpen ? (
            <ProbeOptions draft={draft} errors={errors} disabled={running} onChange={change} />
          ) : (
            <p className="diag-summary">{probeSummary(draft)}</p>
          )}
        </form>
        {errors.url ? <ErrorNote>{errors.url}</ErrorNote> : null}
        {/* Set in the attach form's Options (Protocol), which the probe follows. */}
        {errors.protocol ? <ErrorNote>{errors.protocol}</ErrorNote> : null}
        {errors.initPayload ? <ErrorNote>{errors.initPayload}</ErrorNote> : null}
      </section>
      {run ? <RunView api={api} run={run} url={url} /> : <ProbeIntro />}
    </div>
  );
}

function ProbeIntro() {
  return (
    <div className="diag-intro">
      <p>
        The probe runs the checks an engineer runs by hand at 3 AM and says what it found, with the evidence
        and the fix. It records every connection it opens as a session.
      </p>
      <p className="muted">
        It holds one connection idle to catch proxy and load-balancer timeouts, so it takes as long as the
        idle limit at most.
      </p>
    </div>
  );
}
