// Deleting a session: asked first, with what will go; a live capture is refused by the engine and
// its reason stays in the dialog.
import { useState } from 'react';
import type { Api, ResponseOf } from '../../../shared/contract';
import { errorMessage } from '../../components/error-note';
import { plural } from '../../components/format';
import { ConfirmDialog } from './confirm-dialog';

type Summary = ResponseOf<'sessions', 'list'>[number];

export function DeleteSessionDialog({
  api,
  session,
  onDeleted,
  onCancel,
}: {
  api: Api;
  session: Summary;
  onDeleted: (session: Summary) => void;
  onCancel: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = () => {
    setBusy(true);
    setError(null);
    api.sessions
      .delete({ id: session.id })
      .then(() => onDeleted(session))
      .catch((err: unknown) => {
        setError(errorMessage(err));
        setBusy(false);
      });
  };
  return (
    <ConfirmDialog
      title={`Delete session ${session.id}?`}
      confirmLabel="Delete session"
      busy={busy}
      error={error}
      onConfirm={confirm}
      onCancel={onCancel}
    >
      <p>
        <b className="confirm-dialog-name">{session.name}</b> and its {plural(session.frames, 'frame')},
        connections, handshakes and events will be removed from this database. This cannot be undone.
      </p>
      {session.status === 'live' && (
        <p className="muted">
          This session is still capturing: disconnect it first, or the engine will refuse.
        </p>
      )}
    </ConfirmDialog>
  );
}
