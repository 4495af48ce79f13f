// The incident's timeline as the engine keeps it: every entry into a node, choice, step back, note,
// command and action with its output or findings, and time-box overrun, in order, with its time.
import { useState } from 'react';
import type { TimelineEntry } from '../../../shared/contract/incidents';
import { CopyButton } from '../../components/copy-button';
import { plural } from '../../components/format';
import { EmptyState } from '../../components/empty-state';
import { zonedIso, zoneWord } from '../../components/time-zone';

const KIND_WORD: Record<string, string> = {
  'incident-created': 'opened',
  'incident-updated': 'updated',
  'walk-started': 'walk',
  'walk-finished': 'finished',
  'node-entered': 'entered',
  choice: 'choice',
  back: 'back',
  note: 'note',
  'run-started': 'run',
  'run-finished': 'result',
  finding: 'finding',
  'timebox-overrun': 'overrun',
};

const KIND_CLASS: Record<string, string> = {
  choice: 'is-choice',
  back: 'is-back',
  note: 'is-note',
  'run-started': 'is-run',
  'run-finished': 'is-run',
  finding: 'is-finding',
  'timebox-overrun': 'is-overrun',
  'walk-finished': 'is-finished',
};

interface RunDetail {
  output?: unknown;
  truncated?: unknown;
  status?: unknown;
}

function entryOutput(e: TimelineEntry): { output: string; truncated: boolean } | null {
  if (e.kind !== 'run-finished' || typeof e.detail !== 'object' || e.detail === null) return null;
  const d = e.detail as RunDetail;
  if (typeof d.output !== 'string') return null;
  return { output: d.output, truncated: d.truncated === true };
}

/** The whole timeline as plain text, for a ticket or a chat. */
export function timelineText(entries: readonly TimelineEntry[]): string {
  return entries
    .map((e) => {
      const out = entryOutput(e);
      const at = zonedIso(e.ts);
      const head = `${at.slice(0, 10)} ${at.slice(11, 19)} ${zoneWord()}  ${e.kind.padEnd(15)} ${e.text}`;
      return out?.output ? `${head}\n${out.output.replace(/\n$/, '').replace(/^/gm, '    | ')}` : head;
    })
    .join('\n');
}

function Entry({ entry }: { entry: TimelineEntry }) {
  const out = entryOutput(entry);
  // Short output is shown at once; long output waits to be asked for.
  const [open, setOpen] = useState(() => (out ? out.output.length <= 400 : false));
  return (
    <li className={`timeline-entry ${KIND_CLASS[entry.kind] ?? ''}`} data-kind={entry.kind}>
      <time className="timeline-time" dateTime={entry.ts} title={entry.ts}>
        {zonedIso(entry.ts).slice(11, 19)}
      </time>
      <span className="timeline-kind">{KIND_WORD[entry.kind] ?? entry.kind}</span>
      <div className="timeline-body">
        <span className="timeline-text">{entry.text}</span>
        {entry.node && !entry.text.includes(entry.node) ? (
          <code className="timeline-node">{entry.node}</code>
        ) : null}
        {out && out.output ? (
          <>
            <button
              type="button"
              className="btn btn-ghost btn-small timeline-toggle"
              aria-expanded={open}
              onClick={() => setOpen(!open)}
            >
              {open ? 'Hide output' : 'Output'}
            </button>
            {open ? (
              <pre className="timeline-output">
                {out.output}
                {out.truncated ? '\n(truncated)' : ''}
              </pre>
            ) : null}
          </>
        ) : null}
      </div>
    </li>
  );
}

/** "1 entry", "12 entries". */
export function timelineCount(n: number): string {
  return plural(n, 'entry', 'entries');
}

export function IncidentTimeline({ entries }: { entries: readonly TimelineEntry[] }) {
  if (entries.length === 0)
    return <EmptyState title="Nothing on the timeline yet">Every move of a walk is written here.</EmptyState>;
  return (
    <div className="incident-timeline" data-testid="timeline">
      <div className="timeline-tools">
        <span className="muted small">
          {timelineCount(entries.length)} · times in {zoneWord()}
        </span>
        <span className="spacer" />
        <CopyButton text={() => timelineText(entries)} label="Copy as text" />
      </div>
      <ol className="timeline-list">
        {entries.map((e) => (
          <Entry key={e.id} entry={e} />
        ))}
      </ol>
    </div>
  );
}
