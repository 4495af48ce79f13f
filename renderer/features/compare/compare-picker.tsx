// "Compare with…" on an opened session: pick the other session and which of the two came before
// the fix; the comparison opens at its own address, so Back returns to the session.
import { useEffect, useState } from 'react';
import type { Api, ResponseOf } from '../../../shared/contract';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatIsoShort } from '../../components/format';
import { ModalDialog } from '../../components/modal-dialog';
import { compareHref, go } from '../../components/route';

type Summary = ResponseOf<'sessions', 'list'>[number];

export function ComparePicker({
  api,
  session,
  onClose,
}: {
  api: Api;
  session: Summary;
  onClose: () => void;
}) {
  const [others, setOthers] = useState<Summary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [other, setOther] = useState<number | null>(null);
  /** Which side this session is on. */
  const [role, setRole] = useState<'before' | 'after'>('after');

  useEffect(() => {
    let current = true;
    api.sessions.list({}).then(
      (list) => {
        if (!current) return;
        const rest = list.filter((s) => s.id !== session.id && s.status !== 'live');
        setOthers(rest);
        // The session just before this one is the usual "before": the capture before the fix.
        const earlier = rest.find((s) => s.id < session.id);
        setOther((earlier ?? rest[0])?.id ?? null);
        if (!earlier && rest[0]) setRole('before');
      },
      (err: unknown) => current && setError(errorMessage(err)),
    );
    return () => {
      current = false;
    };
  }, [api, session.id]);

  const submit = () => {
    if (other === null) return;
    go(role === 'after' ? compareHref(other, session.id) : compareHref(session.id, other));
  };

  return (
    <ModalDialog
      className="confirm-dialog compare-picker"
      labelledBy="compare-picker-title"
      onCancel={onClose}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <h2 id="compare-picker-title" className="confirm-dialog-title">
          Compare session {session.id} with…
        </h2>
        <div className="confirm-dialog-body">
          {error ? <ErrorNote>Could not list the sessions: {error}</ErrorNote> : null}
          {others === null && !error ? <p className="muted">Listing the sessions…</p> : null}
          {others !== null && others.length === 0 ? (
            <p className="muted">There is no other finished session to compare with yet.</p>
          ) : null}
          {others !== null && others.length > 0 ? (
            <>
              <label className="compare-picker-field">
                <span>The other session</span>
                <select value={other ?? ''} onChange={(e) => setOther(Number(e.target.value))}>
                  {others.map((s) => (
                    <option key={s.id} value={s.id}>
                      #{s.id} {s.name} ({s.kind}, {formatIsoShort(s.createdAt)})
                    </option>
                  ))}
                </select>
              </label>
              <fieldset className="compare-picker-role">
                <legend>Session {session.id} is the capture</legend>
                <label>
                  <input type="radio" checked={role === 'after'} onChange={() => setRole('after')} /> after
                  the fix
                </label>
                <label>
                  <input type="radio" checked={role === 'before'} onChange={() => setRole('before')} /> before
                  the fix
                </label>
              </fieldset>
            </>
          ) : null}
        </div>
        <div className="confirm-dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={other === null}>
            Compare
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
