// The top of the attach screen: the endpoint URL, Connect or Disconnect, and the options toggle.
import type { RefObject } from 'react';
import { ErrorNote } from '../../components/error-note';
import { ChevronIcon } from '../../components/icons';

interface Props {
  url: string;
  onUrl: (url: string) => void;
  urlRef: RefObject<HTMLInputElement | null>;
  error: string | null;
  running: boolean;
  busy: boolean;
  onConnect: () => void;
  onDisconnect: () => void;
  optionsOpen: boolean;
  onToggleOptions: () => void;
  onCopyAs: () => void;
  summary: string;
}

export function ConnectBar(props: Props) {
  const {
    url,
    onUrl,
    urlRef,
    error,
    running,
    busy,
    onConnect,
    onDisconnect,
    optionsOpen,
    onToggleOptions,
    onCopyAs,
    summary,
  } = props;
  return (
    <div className="connect-area">
      <form
        className="connect-bar"
        onSubmit={(e) => {
          e.preventDefault();
          if (!running && !busy) onConnect();
        }}
      >
        <div className={`url-field${error ? ' has-error' : ''}`}>
          <span className="url-scheme" aria-hidden="true">
            URL
          </span>
          <input
            ref={urlRef}
            aria-label="WebSocket URL"
            placeholder="wss://api.example.com/stream"
            value={url}
            readOnly={running}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => onUrl(e.target.value)}
          />
          <kbd className="url-hint">Ctrl K</kbd>
        </div>
        {running ? (
          <button
            type="button"
            className="btn btn-danger"
            onClick={onDisconnect}
            disabled={busy}
            title="Close cleanly with 1000 (Ctrl+D)"
          >
            Disconnect <kbd>Ctrl D</kbd>
          </button>
        ) : (
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Connecting…' : 'Connect'}
          </button>
        )}
        <button
          type="button"
          className="btn btn-ghost options-toggle"
          aria-expanded={optionsOpen}
          aria-controls="attach-options"
          onClick={onToggleOptions}
        >
          Options <ChevronIcon open={optionsOpen} />
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={onCopyAs}
          title="This connection as a wscat, websocat or curl command"
        >
          Copy as…
        </button>
      </form>
      {error ? (
        <ErrorNote>{error}</ErrorNote>
      ) : optionsOpen ? null : (
        <p className="options-summary">{summary}</p>
      )}
    </div>
  );
}
