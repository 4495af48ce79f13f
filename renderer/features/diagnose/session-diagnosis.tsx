// Diagnose on a recorded session: the analyses of `frameline diagnose` — close codes, lifetimes, idle
// time before each close, reconnects, heartbeats, round trips, messages, bursts — run on demand (they
// read every frame, and keep their findings with the session), then the findings as cards beside the
// list of what was analysed. A probe's session shows the probe's own report. Findings kept from an
// earlier diagnosis (here or `frameline diagnose`) show at once, with when they were reached.
import { useEffect, useRef, useState } from 'react';
import type { Api, ResponseOf } from '../../../shared/contract';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatCount, plural } from '../../components/format';
import { zonedIso, zoneWord } from '../../components/time-zone';
import { Checklist } from './checklist';
import { checkLabel, fromCheck } from './checklist-model';
import { FindingsView, SeverityChips } from './findings-view';
import './diagnose.css';

type Diagnosis = ResponseOf<'diagnose', 'session'>;
type Stored = ResponseOf<'diagnose', 'stored'>;

/** "12:03:04 UTC on 2026-12-02". */
function when(iso: string): string {
  const t = zonedIso(iso);
  return `${t.slice(11, 19)} ${zoneWord()} on ${t.slice(0, 10)}`;
}
type SessionSummary = ResponseOf<'sessions', 'get'>['session'];

/** Why a session's diagnosis failed, said for the console. */
function sessionFailure(id: number, err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  const message = errorMessage(err);
  if (code === 'not-found')
    return `Session ${id} is no longer in this database (deleted elsewhere?): ${message}`;
  if (code === 'bad-request') return `The diagnosis did not start: ${message}`;
  return `The diagnosis failed: ${message}`;
}

/** What an analysis of a session covered, for its "no problems" statement. */
function sessionChecked(d: Diagnosis, session: SessionSummary): string {
  const names = d.checks.filter((c) => c.name !== 'session').map((c) => checkLabel(c.name).toLowerCase());
  const list =
    names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
  if (session.kind === 'probe') return `The probe checked ${list ?? 'the endpoint'}`;
  return `Analysed ${plural(session.frames, 'frame')}: ${list ?? 'nothing to analyse'}`;
}

export function SessionDiagnosis({ api, session }: { api: Api; session: SessionSummary }) {
  const [result, setResult] = useState<Diagnosis | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(true);
  const [idField, setIdField] = useState('');
  /** What an earlier diagnosis kept with the session; undefined while it is being read. */
  const [stored, setStored] = useState<Stored | undefined>(undefined);
  const current = useRef(true);
  useEffect(() => {
    current.current = true;
    return () => {
      current.current = false;
    };
  }, []);
  useEffect(() => {
    let live = true;
    api.diagnose.stored({ id: session.id }).then(
      (s) => live && setStored(s),
      () => live && setStored(null),
    );
    return () => {
      live = false;
    };
  }, [api, session.id]);

  const isProbe = session.kind === 'probe';
  const live = session.status === 'live';
  const run = () => {
    setBusy(true);
    setError(null);
    const field = idField.trim();
    api.diagnose
      .session({ id: session.id, ...(field && !isProbe ? { idField: field } : {}) })
      .then(
        (d) => {
          if (!current.current) return;
          setResult(d);
          setOpen(true);
        },
        (err: unknown) => current.current && setError(sessionFailure(session.id, err)),
      )
      .finally(() => current.current && setBusy(false));
  };

  const kept = !result && stored ? stored : null;
  const action = busy
    ? 'Diagnosing…'
    : result || (kept && !isProbe)
      ? 'Diagnose again'
      : isProbe
        ? kept
          ? 'Show the probe’s checks'
          : 'Show the probe’s findings'
        : live
          ? 'Diagnose what is recorded so far'
          : 'Diagnose this session';

  return (
    <section
      className="diag-session"
      aria-label="Diagnosis"
      data-state={busy ? 'running' : result ? 'done' : error ? 'error' : kept ? 'stored' : 'idle'}
    >
      <header className="diag-session-head">
        <h2>Diagnosis</h2>
        {result ? (
          <SeverityChips findings={result.findings} />
        ) : kept ? (
          <SeverityChips findings={kept.findings} />
        ) : null}
        {kept && !busy ? (
          <span className="diag-session-hint" data-testid="diagnosed-at">
            {kept.source === 'probe' ? 'Probed' : 'Diagnosed'} at {when(kept.at)}
          </span>
        ) : null}
        {!result && !kept && !busy ? (
          <span className="diag-session-hint">
            {isProbe
              ? 'The findings this probe reached, with their evidence and fixes.'
              : 'Looks for idle timeouts, heartbeat gaps, reconnect storms, slow round trips, bursts and closes that name a cause.'}
          </span>
        ) : null}
        {busy ? (
          <span className="diag-session-hint">
            <span className="diag-spinner is-small" aria-hidden="true" /> Reading{' '}
            {formatCount(session.frames)} frames…
          </span>
        ) : null}
        <span className="spacer" />
        {!isProbe ? (
          <label className="diag-idfield" title="The JSON field that pairs a request with its response">
            <span>Pair by</span>
            <input
              value={idField}
              placeholder="id"
              spellCheck={false}
              aria-label="JSON field that pairs requests and responses"
              onChange={(e) => setIdField(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !busy) run();
              }}
            />
          </label>
        ) : null}
        <button type="button" className="btn btn-primary btn-small" onClick={run} disabled={busy}>
          {action}
        </button>
        {result || kept ? (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? 'Hide' : 'Show'}
          </button>
        ) : null}
      </header>
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      {kept && open ? (
        <div className="diag-session-body is-stored">
          <FindingsView
            api={api}
            findings={kept.findings}
            target={session.target}
            checked={`${kept.source === 'probe' ? 'The probe' : 'The last diagnosis'} found nothing wrong`}
            label="Session findings"
          />
        </div>
      ) : null}
      {result && open ? (
        <div className="diag-session-body">
          <FindingsView
            api={api}
            findings={result.findings}
            target={result.target}
            checked={sessionChecked(result, session)}
            label="Session findings"
          />
          <aside className="diag-session-checks" aria-label="What was analysed">
            <h3 className="diag-group-title">{isProbe ? 'Probe checks' : 'Analyses'}</h3>
            <Checklist rows={result.checks.map((c) => fromCheck(c, null))} label="Session checks" />
          </aside>
        </div>
      ) : null}
    </section>
  );
}
