// One difference of a replay side by side: what the original got, what the replay got, the lines of
// the changed paths marked in both.
import type { ReplayPair } from '../../../shared/contract/replay';
import { formatMs } from '../../components/format';
import { jsonLines } from './json-lines';

function Side({ title, text, paths }: { title: string; text: string | null; paths: string[] }) {
  const lines = jsonLines(text, paths);
  return (
    <div className="replay-side">
      <div className="replay-side-title">{title}</div>
      {text === null ? (
        <p className="muted replay-none">(no answer)</p>
      ) : (
        <pre className="replay-json">
          {lines.map((l, i) => (
            <div
              key={i}
              className={l.changed ? 'replay-line is-changed' : 'replay-line'}
              data-path={l.path}
              style={{ paddingLeft: `${l.depth * 14 + 6}px` }}
            >
              {l.text}
            </div>
          ))}
        </pre>
      )}
    </div>
  );
}

export function DiffView({ pair }: { pair: ReplayPair }) {
  const latency = (ms: number | null) => (ms === null ? '–' : formatMs(ms));
  return (
    <article className={`replay-diff is-${pair.kind}`} data-kind={pair.kind} data-id={pair.id ?? ''}>
      <header className="replay-diff-head">
        <span className={`replay-kind is-${pair.kind}`}>{pair.kind}</span>
        <span className="mono">{pair.id === null ? 'by order' : `id ${JSON.stringify(pair.id)}`}</span>
        <span className="muted">
          original {latency(pair.originalMs)} · replay {latency(pair.replayMs)}
        </span>
        {pair.paths.length > 0 ? (
          <span className="replay-paths" aria-label="Changed paths">
            {pair.paths.map((p) => (
              <code key={p}>{p}</code>
            ))}
          </span>
        ) : null}
      </header>
      {pair.request !== null ? (
        <div className="replay-request mono" title="Request">
          → {pair.request}
        </div>
      ) : null}
      <div className="replay-sides">
        <Side title="Original" text={pair.expected} paths={pair.paths} />
        <Side title="Replay" text={pair.actual} paths={pair.paths} />
      </div>
    </article>
  );
}
