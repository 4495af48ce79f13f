// An incident's action items: what is to be done, of which kind (mitigate the next one, prevent it,
// improve the response), by whom and by when; ticked off when done. Each change goes on the timeline.
import { useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { ActionItem, ActionType } from '../../../shared/contract/incidents';
import { ErrorNote, errorMessage } from '../../components/error-note';

const TYPES: ActionType[] = ['prevent', 'mitigate', 'process'];

export function ActionItems({
  api,
  incidentId,
  items,
}: {
  api: Api;
  incidentId: number;
  items: ActionItem[];
}) {
  const [title, setTitle] = useState('');
  const [type, setType] = useState<ActionType>('prevent');
  const [owner, setOwner] = useState('');
  const [due, setDue] = useState('');
  const [link, setLink] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async () => {
    const ok = await run(() =>
      api.incidents.addAction({
        incidentId,
        title,
        type,
        ...(owner.trim() ? { owner } : {}),
        ...(due.trim() ? { due: due.trim() } : {}),
        ...(link.trim() ? { link: link.trim() } : {}),
      }),
    );
    if (ok) {
      setTitle('');
      setOwner('');
      setDue('');
      setLink('');
    }
  };

  return (
    <section className="action-items" aria-labelledby="pm-actions">
      <h3 id="pm-actions" className="section-title">
        Action items <span className="muted">{items.filter((a) => !a.done).length} open</span>
      </h3>
      {items.length ? (
        <table className="action-table">
          <thead>
            <tr>
              <th>Done</th>
              <th>Action</th>
              <th>Type</th>
              <th>Owner</th>
              <th>Due</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} data-action-id={a.id} className={a.done ? 'is-done' : ''}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Done: ${a.title}`}
                    checked={a.done}
                    disabled={busy}
                    onChange={(e) =>
                      void run(() => api.incidents.updateAction({ id: a.id, done: e.target.checked }))
                    }
                  />
                </td>
                <td>
                  {a.title}
                  {a.link ? <div className="muted small mono">{a.link}</div> : null}
                </td>
                <td>
                  <select
                    aria-label={`Type of: ${a.title}`}
                    value={a.type}
                    disabled={busy}
                    onChange={(e) =>
                      void run(() =>
                        api.incidents.updateAction({ id: a.id, type: e.target.value as ActionType }),
                      )
                    }
                  >
                    {TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{a.owner || <span className="muted">—</span>}</td>
                <td className="mono">{a.due ?? <span className="muted">—</span>}</td>
                <td>
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    aria-label={`Remove: ${a.title}`}
                    disabled={busy}
                    onClick={() => void run(() => api.incidents.removeAction({ id: a.id }))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No action item yet.</p>
      )}
      <form
        className="action-add"
        aria-label="Add an action item"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <input
          aria-label="New action item"
          className="action-title"
          value={title}
          placeholder="Raise the proxy idle timeout above the heartbeat interval"
          onChange={(e) => setTitle(e.target.value)}
        />
        <select aria-label="Type" value={type} onChange={(e) => setType(e.target.value as ActionType)}>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <input
          aria-label="Owner"
          value={owner}
          placeholder="owner"
          onChange={(e) => setOwner(e.target.value)}
        />
        <input
          aria-label="Due"
          value={due}
          placeholder="YYYY-MM-DD"
          className="mono"
          onChange={(e) => setDue(e.target.value)}
        />
        <input
          aria-label="Link"
          value={link}
          placeholder="ticket URL"
          onChange={(e) => setLink(e.target.value)}
        />
        <button type="submit" className="btn" disabled={busy || title.trim() === ''}>
          Add
        </button>
      </form>
      {error ? <ErrorNote>{error}</ErrorNote> : null}
    </section>
  );
}
