// The handshake's extra request headers as an editable table (Authorization, Cookie, X-Api-Key…).
import { CloseIcon, PlusIcon } from '../../components/icons';
import type { HeaderRow } from './attach-draft';

interface Props {
  headers: HeaderRow[];
  onChange: (headers: HeaderRow[]) => void;
  disabled: boolean;
  error?: string | undefined;
}

let nextId = 1;

export function HeadersEditor({ headers, onChange, disabled, error }: Props) {
  const update = (id: number, patch: Partial<HeaderRow>) =>
    onChange(headers.map((h) => (h.id === id ? { ...h, ...patch } : h)));
  return (
    <div className={`headers-editor${error ? ' has-error' : ''}`}>
      {headers.length > 0 ? (
        <table className="headers-table">
          <thead>
            <tr>
              <th>Header</th>
              <th>Value</th>
              <th aria-label="Remove" />
            </tr>
          </thead>
          <tbody>
            {headers.map((h) => (
              <tr key={h.id}>
                <td>
                  <input
                    aria-label="Header name"
                    placeholder="Authorization"
                    value={h.name}
                    disabled={disabled}
                    spellCheck={false}
                    onChange={(e) => update(h.id, { name: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Value of ${h.name || 'header'}`}
                    placeholder={
                      h.valueNotKept
                        ? 'not kept across a reload: type it again'
                        : h.valueKept
                          ? 'kept (secret): type to replace'
                          : 'Bearer …'
                    }
                    value={h.value}
                    disabled={disabled}
                    spellCheck={false}
                    onChange={(e) => update(h.id, { value: e.target.value })}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    className="btn btn-ghost btn-icon"
                    aria-label={`Remove header ${h.name}`}
                    disabled={disabled}
                    onClick={() => onChange(headers.filter((x) => x.id !== h.id))}
                  >
                    <CloseIcon />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No extra headers: the handshake carries only what WebSocket requires.</p>
      )}
      {error ? <p className="field-error">{error}</p> : null}
      <button
        type="button"
        className="btn btn-small"
        disabled={disabled}
        onClick={() => onChange([...headers, { id: nextId++, name: '', value: '' }])}
      >
        <PlusIcon /> Add header
      </button>
    </div>
  );
}

/** The headers editor as a form field: "Request headers" above it, an optional hint below. */
export function RequestHeadersField({ hint, ...editor }: Props & { hint?: string }) {
  return (
    <div className="field">
      <span className="field-label">Request headers</span>
      <HeadersEditor {...editor} />
      {hint ? <p className="field-hint">{hint}</p> : null}
    </div>
  );
}
