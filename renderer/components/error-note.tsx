// An error shown where it happened, in the engine's words (they are sentences already).
import type { ReactNode } from 'react';

export function ErrorNote({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="error-note" role="alert">
      <span className="error-note-mark" aria-hidden="true">
        !
      </span>
      <div className="error-note-text">{children}</div>
      {action ? <div className="error-note-action">{action}</div> : null}
    </div>
  );
}

/** The message of anything thrown, for showing to the engineer. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
