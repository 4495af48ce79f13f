// Messages sent in this window, newest first; a click puts one back in the composer.
import type { SentMessage } from './capture-store';

export function MessageHistory({
  sent,
  onReuse,
}: {
  sent: readonly SentMessage[];
  onReuse: (m: SentMessage) => void;
}) {
  return (
    <div className="message-history">
      <h3 className="panel-subhead">Sent</h3>
      {sent.length === 0 ? (
        <p className="muted small">Messages you send appear here; click one to send it again.</p>
      ) : (
        <ul aria-label="Sent messages">
          {sent.map((m) => (
            <li key={`${m.kind}:${m.data}`}>
              <button
                type="button"
                className="history-item"
                onClick={() => onReuse(m)}
                title="Put back in the composer"
              >
                <span className={`op-badge op-${m.kind === 'binary' ? 'binary' : 'text'}`}>{m.kind}</span>
                <span className="history-text">{m.data.replace(/\s+/g, ' ')}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
