// The session's name as the page title, renamed in place: the Rename button beside it, type, Enter
// to keep, Esc to leave it as it was. A click on the title itself only selects text.
import { useRef, useState } from 'react';
import { PencilIcon } from '../../components/icons';

const MAX_NAME = 200;

export function SessionName({
  name,
  busy,
  onRename,
}: {
  name: string;
  busy: boolean;
  /** Resolves when the engine kept the new name; rejects with its reason. */
  onRename: (name: string) => Promise<void>;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Esc unmounts the field, and some browsers blur it on the way out: that blur must not save.
  const cancelled = useRef(false);
  const saving = useRef(false);

  const save = () => {
    if (draft === null || cancelled.current || saving.current) return;
    const next = draft.trim();
    if (next === name) return setDraft(null);
    if (!next) return setError('a session needs a name; type one or press Esc');
    saving.current = true;
    onRename(next)
      .then(
        () => {
          setDraft(null);
          setError(null);
        },
        (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
      )
      .finally(() => (saving.current = false));
  };

  if (draft === null) {
    // The title is text to read and select; renaming is the button beside it.
    return (
      <h1 className="session-name">
        <span className="session-name-text" title={name}>
          {name}
        </span>
        <button
          type="button"
          className="btn btn-ghost btn-icon session-name-button"
          title="Rename this session"
          aria-label="Rename"
          onClick={() => {
            cancelled.current = false;
            setDraft(name);
          }}
        >
          <PencilIcon />
        </button>
      </h1>
    );
  }
  return (
    <div className="session-name is-editing">
      <input
        className="session-name-input"
        aria-label="Session name"
        value={draft}
        maxLength={MAX_NAME}
        autoFocus
        readOnly={busy}
        onFocus={(e) => e.currentTarget.select()}
        onChange={(e) => {
          setError(null);
          setDraft(e.target.value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            cancelled.current = true;
            setDraft(null);
            setError(null);
          }
        }}
        onBlur={save}
      />
      {error && (
        <span className="session-name-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
