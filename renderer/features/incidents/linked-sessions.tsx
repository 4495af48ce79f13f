// The sessions an incident rests on: those a walk recorded (linked by it) and those linked by hand.
// The report shows each one's evidence.
import { useEffect, useState } from 'react';
import type { Api, SessionSummary } from '../../../shared/contract';
import type { LinkedSession } from '../../../shared/contract/incidents';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatCount, formatIsoShort } from '../../components/format';
import { Scorecard } from '../../components/scorecard';

export function LinkedSessions({
  api,
  incidentId,
  linked,
}: {
  api: Api;
  incidentId: number;
  linked: LinkedSession[];
}) {
  const [all, setAll] = useState<SessionSummary[]>([]);
  const [pick, setPick] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api.sessions
      .list({})
      .then((s) => current && setAll(s))
      .catch(() => {});
    return () => {
      current = false;
    };
  }, [api, linked.length]);

  const run = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      setPick('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const linkedIds = new Set(linked.map((s) => s.id));
  const others = all.filter((s) => !linkedIds.has(s.id) && s.status !== 'live');

  return (
    <section className="linked-sessions" aria-labelledby="pm-sessions">
      <h3 id="pm-sessions" className="section-title">
        Evidence{' '}
        <span className="muted">
          {linked.length} linked session{linked.length === 1 ? '' : 's'}
        </span>
      </h3>
      {linked.length ? (
        <ul className="linked-list">
          {linked.map((s) => (
            <li key={s.id} data-session-id={s.id}>
              <span className="mono">#{s.id}</span> <strong>{s.name}</strong>{' '}
              <span className="muted small">
                {s.kind}, {formatCount(s.frames)} frames, {formatIsoShort(s.createdAt)} · linked{' '}
                {s.via === 'walk' ? 'by a walk' : 'by hand'}
              </span>
              <button
                type="button"
                className="btn btn-ghost btn-small"
                disabled={busy}
                aria-label={`Unlink session ${s.id}`}
                onClick={() => void run(() => api.incidents.unlink({ id: incidentId, session: s.id }))}
              >
                Unlink
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No session linked yet: a walk's captures and probes link themselves.</p>
      )}
      <form
        className="link-session"
        onSubmit={(e) => {
          e.preventDefault();
          if (pick) void run(() => api.incidents.link({ id: incidentId, session: Number(pick) }));
        }}
      >
        <select aria-label="Session to link" value={pick} onChange={(e) => setPick(e.target.value)}>
          <option value="">Link a session…</option>
          {others.map((s) => (
            <option key={s.id} value={s.id}>
              #{s.id} {s.name} ({s.kind}, {formatCount(s.frames)} frames)
            </option>
          ))}
        </select>
        <button type="submit" className="btn" disabled={busy || pick === ''}>
          Link
        </button>
      </form>
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      {linked.length ? (
        <Scorecard
          api={api}
          of={{ incidentId }}
          version={linked.map((s) => `${s.id}:${s.frames}`).join(',')}
          title="Scorecard of the linked sessions"
        />
      ) : null}
    </section>
  );
}
