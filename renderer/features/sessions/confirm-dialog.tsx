// A modal question before something that cannot be undone. The native <dialog> keeps focus inside
// and closes on Esc; the engine's refusal, if any, is shown in the dialog, where it happened.
import type { ReactNode } from 'react';
import { ErrorNote } from '../../components/error-note';
import { ModalDialog } from '../../components/modal-dialog';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy: boolean;
  error: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  return (
    <ModalDialog
      className="confirm-dialog"
      labelledBy="confirm-dialog-title"
      onCancel={() => {
        if (!busy) onCancel();
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm();
        }}
      >
        <h2 id="confirm-dialog-title" className="confirm-dialog-title">
          {title}
        </h2>
        <div className="confirm-dialog-body">{children}</div>
        {error && <ErrorNote>{error}</ErrorNote>}
        <div className="confirm-dialog-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy} autoFocus>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={busy}>
            {busy ? 'Deleting…' : confirmLabel}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
