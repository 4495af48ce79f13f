// Replay on a recorded session: send its client messages again to an endpoint (the recorded one by
// default), watch the progress, then read each answer that differs side by side with the changed
// paths marked, and open the new session that recorded the run.
import { useEffect, useRef, useState } from 'react';
import type { Api, ConnectionView } from '../../../shared/contract';
import type { ReplayProgress, ReplayResult } from '../../../shared/contract/replay';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatMs, plural } from '../../components/format';
import { DiffView } from './diff-view';

function newRunId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `run-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function ReplayPanel({
  api,
  sessionId,
  connections,
  onOpenSession,
}: {
  api: Api;
  sessionId: number;
  connections: ConnectionView[];
  onOpenSession?: (id: number) => void;
}) {
  const recorded = connections.find((c) => c.bytesOut > 0)?.url ?? connections[0]?.url ?? '';
  const [target, setTarget] = useState(recorded);
  const [speed, setSpeed] = useState('1');
  const [idField, setIdField] = useState('id');
  const [ignore, setIgnore] = useState('');
  const [progress, setProgress] = useState<ReplayProgress | null>(null);
  const [result, setResult] = useState<ReplayResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const runId = useRef<string | null>(null);
  const current = useRef(true);
  useEffect(() => {
    current.current = true;
    const off = api.on('replay:progress', (p) => {
      if (p.runId === runId.current && current.current) setProgress(p);
    });
    return () => {
      current.current = false;
      off();
    };
  }, [api]);

  const go = () => {
    const id = newRunId();
    runId.current = id;
    setBusy(true);
    setError(null);
    setResult(null);
    setProgress(null);
    const s = speed.trim();
    api.replay
      .run({
        sessionId,
        to: target.trim(),
        speed: s === 'max' ? 'max' : Number(s),
        idField: idField.trim() || 'id',
        ignore: ignore
          .split(/[\s,]+/)
          .map((x) => x.trim())
          .filter(Boolean),
        runId: id,
      })
      .then(
        (r) => current.current && setResult(r),
        (err: unknown) => current.current && setError(errorMessage(err)),
      )
      .finally(() => current.current && setBusy(false));
  };

  const differences = result?.pairs.filter((p) => p.kind !== 'matched') ?? [];
  const ms = (v: number | null) => (v === null ? '–' : formatMs(v));
  return (
    <section
      className="replay-panel"
      aria-label="Replay"
      data-state={busy ? 'running' : result ? 'done' : 'idle'}
    >
      <header className="replay-head">
        <h2>Replay</h2>
        <span className="replay-hint muted">Send the client messages again and compare the answers.</span>
      </header>
      <form
        className="replay-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) go();
        }}
      >
        <label className="replay-field is-wide">
          <span>Target</span>
          <input
            value={target}
            spellCheck={false}
            aria-label="Replay target URL"
            onChange={(e) => setTarget(e.target.value)}
          />
        </label>
        <label className="replay-field">
          <span>Speed</span>
          <input
            value={speed}
            spellCheck={false}
            aria-label="Replay speed"
            title="A factor of the recorded pace, or max"
            onChange={(e) => setSpeed(e.target.value)}
          />
        </label>
        <label className="replay-field">
          <span>Pair by</span>
          <input
            value={idField}
            spellCheck={false}
            aria-label="Replay id field"
            onChange={(e) => setIdField(e.target.value)}
          />
        </label>
        <label className="replay-field">
          <span>Ignore</span>
          <input
            value={ignore}
            spellCheck={false}
            placeholder="price, $.quote.venue"
            aria-label="Fields to ignore"
            onChange={(e) => setIgnore(e.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-primary btn-small" disabled={busy || target.trim() === ''}>
          {busy ? 'Replaying…' : 'Go'}
        </button>
      </form>
      {busy && progress ? (
        <div className="replay-progress" role="status" aria-live="polite">
          <progress max={Math.max(1, progress.planned)} value={progress.sent} />
          <span>
            {progress.state === 'connecting' ? 'connecting… ' : ''}sent {progress.sent} of {progress.planned},
            received {progress.received}
          </span>
        </div>
      ) : null}
      {error ? <ErrorNote>The replay did not run: {error}</ErrorNote> : null}
      {result ? (
        <div className="replay-result" data-testid="replay-result">
          <div className="replay-summary">
            <span className="replay-count is-matched" data-count="matched">
              {result.matched} matched
            </span>
            <span className="replay-count is-changed" data-count="changed">
              {result.changed} changed
            </span>
            <span className="replay-count is-missing" data-count="missing">
              {result.missing} missing
            </span>
            <span className="replay-count is-extra" data-count="extra">
              {result.extra} extra
            </span>
            <span className="muted">
              sent {result.sent} of {result.planned} · p50/p95 original {ms(result.latency.originalP50Ms)} /{' '}
              {ms(result.latency.originalP95Ms)}, replay {ms(result.latency.replayP50Ms)} /{' '}
              {ms(result.latency.replayP95Ms)}
            </span>
            <span className="spacer" />
            <button type="button" className="btn btn-small" onClick={() => onOpenSession?.(result.sessionId)}>
              Open replay session #{result.sessionId}
            </button>
          </div>
          {!result.outcome.opened ? (
            <ErrorNote>
              Could not connect to {result.target}:{' '}
              {result.findings[0]?.summary ?? result.outcome.error?.message ?? 'no answer'}
            </ErrorNote>
          ) : null}
          <p className="muted replay-ignored">Ignored: {result.ignored.join(', ') || 'nothing'}</p>
          {differences.length === 0 && result.outcome.opened ? (
            <p className="replay-all-matched">Every answer matched ({plural(result.matched, 'answer')}).</p>
          ) : (
            <div className="replay-diffs" aria-label="Differences">
              {differences.map((p, i) => (
                <DiffView key={i} pair={p} />
              ))}
            </div>
          )}
        </div>
      ) : null}
    </section>
  );
}
