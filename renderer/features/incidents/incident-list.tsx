// Every incident, newest first, and the form that opens a new one (a title and a severity).
import { useEffect, useId, useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { Incident, IncidentSeverity } from '../../../shared/contract/incidents';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatIsoShort } from '../../components/format';
import { IncidentIcon } from '../../components/icons';
import { SEVERITIES, SeverityChip, severityMeaning } from './severity';

export function IncidentList({ api, onOpen }: { api: Api; onOpen: (id: number) => void }) {
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<IncidentSeverity>('P2');
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);
  const id = useId();

  useEffect(() => {
    let live = true;
    const load = () =>
      api.incidents
        .list({})
        .then((list) => {
          if (!live) return;
          setIncidents([...list].sort((a, b) => b.id - a.id));
          setError(null);
        })
        .catch((err: unknown) => live && setError(errorMessage(err)));
    void load();
    const off = api.on('walk:changed', () => void load());
    return () => {
      live = false;
      off();
    };
  }, [api]);

  const create = async () => {
    setCreating(true);
    setCreateError(null);
    try {
      const incident = await api.incidents.create({ title: title.trim(), severity });
      onOpen(incident.id);
    } catch (err) {
      setCreateError(errorMessage(err));
      setCreating(false);
    }
  };

  return (
    <div className="incident-list-view">
      <header className="incident-list-head">
        <div className="incident-list-title">
          <h1>Incidents</h1>
          {incidents ? <span className="muted small">{incidents.length} in this database</span> : null}
        </div>
        <form
          className="incident-create"
          aria-label="New incident"
          onSubmit={(e) => {
            e.preventDefault();
            if (title.trim() && !creating) void create();
          }}
        >
          <label htmlFor={`${id}-title`} className="visually-hidden">
            Incident title
          </label>
          <input
            id={`${id}-title`}
            placeholder="What is broken? e.g. Chat sockets drop every minute"
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
          />
          <div className="segmented" role="radiogroup" aria-label="Severity">
            {SEVERITIES.map((s) => (
              <button
                key={s}
                type="button"
                role="radio"
                aria-checked={severity === s}
                className={severity === s ? 'is-on' : ''}
                title={severityMeaning(s)}
                onClick={() => setSeverity(s)}
              >
                {s}
              </button>
            ))}
          </div>
          <button type="submit" className="btn btn-primary" disabled={!title.trim() || creating}>
            {creating ? 'Opening…' : 'Open incident'}
          </button>
        </form>
      </header>
      {createError ? <ErrorNote>{createError}</ErrorNote> : null}
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      {incidents && incidents.length === 0 ? (
        <EmptyState title="No incidents yet" icon={<IncidentIcon />}>
          <p>
            Open one when an alert fires: give it a title and a severity, then walk a runbook. Every step,
            choice, note and command output is kept on the incident’s timeline.
          </p>
        </EmptyState>
      ) : null}
      {incidents && incidents.length > 0 ? (
        <div className="incident-table-wrap">
          <table className="incident-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Title</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Detected</th>
              </tr>
            </thead>
            <tbody>
              {incidents.map((i) => (
                <tr
                  key={i.id}
                  data-incident-id={i.id}
                  tabIndex={0}
                  onClick={() => onOpen(i.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') onOpen(i.id);
                  }}
                >
                  <td className="mono muted">{i.id}</td>
                  <td className="incident-col-title">{i.title}</td>
                  <td>
                    <SeverityChip severity={i.severity} />
                  </td>
                  <td>
                    <span className={`incident-status-text status-${i.status}`}>{i.status}</span>
                  </td>
                  <td className="mono muted">{formatIsoShort(i.detectedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
