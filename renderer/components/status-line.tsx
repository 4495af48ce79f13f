// The line at the bottom of the window: the engine link, where the evidence is kept, the work in
// progress anywhere (captures, probes, a walk's capture — from this window or a terminal), the
// watches running on the database, and the time zone the console shows times in.
import { useEffect, useState } from 'react';
import type { Api, ResponseOf } from '../../shared/contract';
import { parseMicros } from '../../shared/time';
import { setTimeZoneMode, useTimeZoneMode } from './time-zone';
import { useEngineLink } from './use-engine-link';

type LiveSession = ResponseOf<'sessions', 'list'>[number];

/** How often the line asks what is running (and sooner after a push says something changed). */
const POLL_MS = 2000;
const PUSH_DELAY_MS = 300;

/** Sessions being written now, by this engine or another process on the same database. */
function useLiveSessions(api: Api, enabled: boolean): LiveSession[] {
  const [live, setLive] = useState<LiveSession[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let soon: ReturnType<typeof setTimeout> | null = null;
    const ask = () => {
      api.sessions.list({ status: 'live' }).then(
        (list) => !stopped && setLive(list),
        () => {
          // the engine link reports its own trouble
        },
      );
    };
    const nudge = () => {
      soon ??= setTimeout(() => {
        soon = null;
        ask();
      }, PUSH_DELAY_MS);
    };
    ask();
    const timer = setInterval(ask, POLL_MS);
    // A capture pushes its counters ten times a second; what is running changes only when one
    // starts or ends, so only that asks again.
    const states = new Map<number, boolean>();
    const onStatus = (s: { sessionId: number; state: string }) => {
      const ended = s.state === 'ended';
      if (states.get(s.sessionId) === ended) return;
      states.set(s.sessionId, ended);
      nudge();
    };
    const offs = [
      api.on('capture:status', onStatus),
      api.on('diagnose:progress', nudge),
      api.on('walk:changed', nudge),
      // A relay pushes its clients' counters too: only its start and its stop change what runs.
      api.on('relay:status', (s) =>
        onStatus({ sessionId: s.sessionId, state: s.state === 'stopped' ? 'ended' : s.state }),
      ),
    ];
    return () => {
      stopped = true;
      clearInterval(timer);
      if (soon) clearTimeout(soon);
      for (const off of offs) off();
    };
  }, [api, enabled]);
  return live;
}

type RunningWatch = ResponseOf<'diagnose', 'watches'>[number];

/** The watches running on the database (`frameline watch`, in any process), asked every POLL_MS. */
function useWatches(api: Api, enabled: boolean): RunningWatch[] {
  const [watches, setWatches] = useState<RunningWatch[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    const ask = () =>
      api.diagnose.watches({}).then(
        (list) => !stopped && setWatches(list),
        () => {
          // the engine link reports its own trouble
        },
      );
    ask();
    const timer = setInterval(ask, POLL_MS);
    const off = api.on('diagnose:watch-ended', () => void ask());
    return () => {
      stopped = true;
      clearInterval(timer);
      off();
    };
  }, [api, enabled]);
  return watches;
}

/** One line per running watch: its target, its schedule, its rounds and what the last one found. */
function Watches({ watches }: { watches: RunningWatch[] }) {
  if (watches.length === 0) return null;
  return (
    <span className="status-item status-watch" data-testid="watches">
      <span className="dot dot-live" aria-hidden="true" />
      {watches.map((w, i) => (
        <span
          key={w.id}
          className="status-watch-item"
          title={w.metricsUrl ? `Metrics for Prometheus: ${w.metricsUrl}` : undefined}
        >
          {i > 0 ? ' · ' : ''}
          Watching {w.target} every {w.everySeconds} s, {w.probes} round{w.probes === 1 ? '' : 's'}
          {w.probes > 0 ? `, last: ${w.lastFindings.length ? w.lastFindings.join(', ') : 'no finding'}` : ''}
        </span>
      ))}
    </span>
  );
}

/** "0:42", "12:03", "1:02:03". */
function elapsed(fromIso: string, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - parseMicros(fromIso) / 1000) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const WORKING: Partial<Record<LiveSession['kind'], string>> = {
  probe: 'Probing',
  relay: 'Relaying to',
  mock: 'Serving mock on',
  replay: 'Replaying to',
};

/** What a live session is doing, in the status line's words. */
export function working(s: Pick<LiveSession, 'kind'>): string {
  return WORKING[s.kind] ?? 'Capturing';
}

function WorkInProgress({ live }: { live: LiveSession[] }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (live.length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live.length]);
  if (live.length === 0) return <span className="status-item">No live capture or probe</span>;
  const shown = live.slice(0, 2);
  return (
    <span
      className="status-item status-work"
      data-testid="work-in-progress"
      title={live.map((s) => `${working(s)} ${s.target} (session #${s.id})`).join('\n')}
    >
      <span className="dot dot-live" aria-hidden="true" />
      {shown.map((s, i) => (
        <span key={s.id} className="status-work-item">
          {i > 0 ? ' · ' : ''}
          {working(s)} {s.target} {elapsed(s.createdAt, now)}
        </span>
      ))}
      {live.length > shown.length ? <span> · {live.length - shown.length} more</span> : null}
    </span>
  );
}

function TimeZoneSwitch() {
  const mode = useTimeZoneMode();
  return (
    <span className="status-item status-zone segmented is-small" role="radiogroup" aria-label="Times">
      {(['utc', 'local'] as const).map((m) => (
        <button
          key={m}
          type="button"
          role="radio"
          aria-checked={mode === m}
          className={mode === m ? 'is-on' : ''}
          title={
            m === 'utc'
              ? 'Show times in UTC, as the logs and the command line do'
              : 'Show times in this machine’s time zone'
          }
          onClick={() => setTimeZoneMode(m)}
        >
          {m === 'utc' ? 'UTC' : 'Local'}
        </button>
      ))}
    </span>
  );
}

/** The folder of the database's path, with its last separator: it gives way first when room is short. */
function dbDirectory(path: string): string {
  const at = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return at === -1 ? '' : path.slice(0, at + 1);
}

/** The database's file name: always shown whole. */
function dbFileName(path: string): string {
  return path.slice(dbDirectory(path).length);
}

export function StatusLine({ api, onShowShortcuts }: { api: Api; onShowShortcuts: () => void }) {
  const { link, info, error, notice } = useEngineLink(api);
  const live = useLiveSessions(api, link !== 'lost');
  const watches = useWatches(api, link !== 'lost');
  // The shell is only named once the engine has said which it is.
  const shell = info ? ` (${info.shell === 'desktop' ? 'desktop' : 'browser mode'})` : '';
  let text: string;
  if (error) text = `Engine not answering: ${error}`;
  else if (link === 'restarting') text = `Engine stopped — ${notice ?? 'restarting it'}`;
  else if (link === 'lost')
    text = notice
      ? `Engine stopped — ${notice}`
      : 'Engine link lost — the frameline process stopped or the network dropped; restart it and reload this page';
  else if (link === 'connecting') text = 'Connecting to the engine…';
  else text = `Engine connected${shell}${notice ? ` — ${notice}` : ''}`;
  const state = error || link === 'lost' ? 'lost' : link === 'restarting' ? 'connecting' : link;
  return (
    <footer className={`status-line is-${state}`} role="status" aria-live="polite">
      <span className="status-item status-link">
        <span className={`dot dot-${state}`} aria-hidden="true" />
        {text}
      </span>
      {link !== 'lost' ? <WorkInProgress live={live} /> : null}
      {link !== 'lost' ? <Watches watches={watches} /> : null}
      {info ? (
        <span className="status-item status-db" title={info.dbPath}>
          Database <span className="status-db-dir">{dbDirectory(info.dbPath)}</span>
          <span className="status-db-file">{dbFileName(info.dbPath)}</span>
        </span>
      ) : null}
      <span className="status-spacer" />
      <TimeZoneSwitch />
      {info ? <span className="status-item muted">Frameline {info.version}</span> : null}
      <button type="button" className="status-item status-button" onClick={onShowShortcuts}>
        <kbd>?</kbd> Shortcuts
      </button>
    </footer>
  );
}
