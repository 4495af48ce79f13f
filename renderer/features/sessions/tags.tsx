// Tags on a session ("prod", "INC-1234", "before-deploy"): chips in the list, editable in the header.
import { useState } from 'react';
import { CloseIcon, PlusIcon } from '../../components/icons';

const MAX_TAGS = 20;
const MAX_LENGTH = 50;

export function TagList({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return null;
  return (
    <span className="tag-list">
      {tags.map((t) => (
        <span key={t} className="tag-chip">
          {t}
        </span>
      ))}
    </span>
  );
}

/** Chips with a remove button each and a field that adds one on Enter (or a comma). */
export function TagEditor({
  tags,
  busy,
  onChange,
}: {
  tags: readonly string[];
  busy: boolean;
  onChange: (tags: string[]) => void;
}) {
  const [draft, setDraft] = useState('');
  const [adding, setAdding] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const add = () => {
    const tag = draft.trim().replace(/,+$/, '').trim();
    if (!tag) return;
    if (tag.length > MAX_LENGTH)
      return setProblem(`a tag is at most ${MAX_LENGTH} characters; this one has ${tag.length}`);
    if (tags.includes(tag)) return setProblem(`"${tag}" is already on this session`);
    if (tags.length >= MAX_TAGS)
      return setProblem(`a session takes at most ${MAX_TAGS} tags; remove one first`);
    setProblem(null);
    setDraft('');
    onChange([...tags, tag]);
  };

  return (
    <div className="tag-editor" aria-label="Tags">
      {tags.map((t) => (
        <span key={t} className="tag-chip is-editable">
          {t}
          <button
            type="button"
            className="tag-remove"
            aria-label={`Remove tag ${t}`}
            title={`Remove tag ${t}`}
            disabled={busy}
            onClick={() => onChange(tags.filter((x) => x !== t))}
          >
            <CloseIcon />
          </button>
        </span>
      ))}
      {adding ? (
        <input
          className="tag-input"
          aria-label="New tag"
          placeholder="tag, then Enter"
          autoFocus
          value={draft}
          maxLength={MAX_LENGTH + 10}
          readOnly={busy}
          onChange={(e) => {
            setProblem(null);
            setDraft(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ',') {
              e.preventDefault();
              add();
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              setDraft('');
              setProblem(null);
              setAdding(false);
            } else if (e.key === 'Backspace' && draft === '' && tags.length > 0) {
              onChange(tags.slice(0, -1));
            }
          }}
          onBlur={() => {
            if (draft.trim()) add();
            else setAdding(false);
          }}
        />
      ) : (
        <button type="button" className="tag-add" onClick={() => setAdding(true)} disabled={busy}>
          <PlusIcon /> {tags.length === 0 ? 'Add a tag' : 'Tag'}
        </button>
      )}
      {problem && (
        <span className="tag-problem" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
