// The line at the bottom of the window: the engine link, where the evidence is kept, live captures.
import type { Api } from '../../shared/contract';
import { useEngineLink } from './use-engine-link';

export function StatusLine({
  api,
  liveCaptures,
  onShowShortcuts,
}: {
  api: Api;
  liveCaptures: number;
  onShowShortcuts: () => void;
}) {
  const { link, info, error, notice } = useEngineLink(api);
  const shell = info?.shell === 'desktop' ? 'desktop' : 'browser mode';
  let text: string;
  if (error) text = `Engine not answering: ${error}`;
  else if (link === 'restarting') text = `Engine stopped — ${notice ?? 'restarting it'}`;
  else if (link === 'lost')
    text = notice
      ? `Engine stopped — ${notice}`
      : 'Engine link lost — the frameline process stopped or the network dropped; restart it and reload this page';
  else if (link === 'connecting') text = 'Connecting to the engine…';
  else text = `Engine connected (${shell})${notice ? ` — ${notice}` : ''}`;
  const state = error || link === 'lost' ? 'lost' : link === 'restarting' ? 'connecting' : link;
  return (
    <footer className={`status-line is-${state}`} role="status" aria-live="polite">
      <span className="status-item status-link">
        <span className={`dot dot-${state}`} aria-hidden="true" />
        {text}
      </span>
      {info ? (
        <span className="status-item status-db" title={info.dbPath}>
          Database {info.dbPath}
        </span>
      ) : null}
      <span className="status-item">
        {liveCaptures === 0
          ? 'No live capture'
          : `${liveCaptures} live capture${liveCaptures === 1 ? '' : 's'}`}
      </span>
      <span className="status-spacer" />
      {info ? <span className="status-item muted">Frameline {info.version}</span> : null}
      <button type="button" className="status-item status-button" onClick={onShowShortcuts}>
        <kbd>?</kbd> Shortcuts
      </button>
    </footer>
  );
}
