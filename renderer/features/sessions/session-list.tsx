// Every recorded session, newest first, narrowed by the filter bar. The list refreshes itself while
// a session is live, so frame counts and statuses never lie for long.
import { useEffect, useRef, useState } from 'react';
import type { Api, ResponseOf } from '../../../shared/contract';
import { CopyButton } from '../../components/copy-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatCount, formatIsoShort, plural } from '../../components/format';
import { SessionsIcon, TrashIcon } from '../../components/icons';
import { DeleteSessionDialog } from './delete-session';
import { formatAge, formatDateTime, sessionDuration } from './format';
import {
  isFiltered,
  KIND_WORDS,
  listRequest,
  NO_FILTERS,
  SessionFilterBar,
  type SessionFilters,
} from './session-filters';
import { StatusBadge } from './status-badge';
import { zoneWord } from '../../components/time-zone';
import { TagList } from './tags';

export type SessionSummary = ResponseOf<'sessions', 'list'>[number];

const LIVE_REFRESH_MS = 2000;
const IDLE_REFRESH_MS = 10_000;
const TYPING_DELAY_MS = 150;
const CAPTURE_EXAMPLE = 'frameline capture ws://localhost:8080/socket --name "my service"';

export function SessionList({
  api,
  filters,
  onFilters,
  onOpen,
  notice,
}: {
  api: Api;
  filters: SessionFilters;
  onFilters: (f: SessionFilters) => void;
  onOpen: (id: number) => void;
  /** A line about what just happened (a deletion), shown above the list. */
  notice: string | null;
}) {
  // The list with the filters it answered, so that "no sessions yet" is never said of a filtered view.
  const [result, setResult] = useState<{ list: SessionSummary[]; filters: SessionFilters } | null>(null);
  const sessions = result?.list ?? null;
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [deleting, setDeleting] = useState<SessionSummary | null>(null);
  const [message, setMessage] = useState<string | null>(notice);
  const [now, setNow] = useState(() => Date.now());
  const latest = useRef(0);

  // Typing narrows the list after a short pause; every other filter applies at once.
  const [query, setQuery] = useState(filters.query);
  useEffect(() => {
    const timer = setTimeout(() => setQuery(filters.query), TYPING_DELAY_MS);
    return () => clearTimeout(timer);
  }, [filters.query]);
  const effective = { ...filters, query };
  const requestKey = JSON.stringify(effective);

  useEffect(() => {
    const ticket = ++latest.current;
    const nowMs = Date.now();
    const asked = JSON.parse(requestKey) as SessionFilters;
    api.sessions
      .list(listRequest(asked, nowMs))
      .then((list) => {
        if (ticket !== latest.current) return;
        setResult({ list, filters: asked });
        setError(null);
        setNow(nowMs);
      })
      .catch((err: unknown) => ticket === latest.current && setError(errorMessage(err)));
  }, [api, requestKey, version]);

  // Live sessions change under our eyes, and captures started from a terminal appear: refresh often
  // while one is listed, now and then otherwise, and when a capture of this engine reports.
  const anyLive = sessions?.some((s) => s.status === 'live') ?? false;
  useEffect(() => {
    const timer = setInterval(() => setVersion((v) => v + 1), anyLive ? LIVE_REFRESH_MS : IDLE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [anyLive]);
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | null = null;
    const off = api.on('capture:status', () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = null;
        setVersion((v) => v + 1);
      }, LIVE_REFRESH_MS);
    });
    return () => {
      off();
      if (pending) clearTimeout(pending);
    };
  }, [api]);

  const rows = useRef<HTMLTableSectionElement>(null);
  const moveFocus = (from: HTMLElement, by: number) => {
    const all = [...(rows.current?.querySelectorAll<HTMLElement>('tr[data-session-id]') ?? [])];
    const next = all[all.indexOf(from) + by];
    next?.focus();
  };

  const filtered = result ? isFiltered(result.filters) : isFiltered(filters);
  return (
    <div className="sessions-list-view">
      <header className="sessions-head">
        <div className="sessions-title">
          <h1>Sessions</h1>
          {sessions && (
            <span className="sessions-count" data-testid="sessions-count">
              {filtered ? `${formatCount(sessions.length)} matching` : plural(sessions.length, 'session')}
            </span>
          )}
        </div>
        <SessionFilterBar api={api} filters={filters} onChange={onFilters} />
      </header>
      {message && (
        <div className="sessions-notice" role="status">
          {message}
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setMessage(null)}>
            Dismiss
          </button>
        </div>
      )}
      {error && (
        <ErrorNote
          action={
            <button type="button" className="btn btn-small" onClick={() => setVersion((v) => v + 1)}>
              Try again
            </button>
          }
        >
          Could not list the sessions: {error}
        </ErrorNote>
      )}
      {sessions === null ? (
        !error && <p className="sessions-loading muted">Reading the sessions…</p>
      ) : sessions.length === 0 ? (
        filtered ? (
          <EmptyState title="No session matches these filters" icon={<SessionsIcon />}>
            <p>
              Search looks at names, targets and tags. Widen the dates, the status, the kind or the incident,
              or start over.
            </p>
            <button type="button" className="btn" onClick={() => onFilters(NO_FILTERS)}>
              Clear filters
            </button>
          </EmptyState>
        ) : (
          <EmptyState title="No sessions yet" icon={<SessionsIcon />}>
            <p>
              Attach to an endpoint from the Attach screen, or record one from a terminal; it appears here as
              soon as it starts.
            </p>
            <div className="session-command">
              <code>{CAPTURE_EXAMPLE}</code>
              <CopyButton text={CAPTURE_EXAMPLE} />
            </div>
          </EmptyState>
        )
      ) : (
        <div className="sessions-table-wrap">
          <table className="sessions-table">
            <thead>
              <tr>
                <th className="col-name">Name and target</th>
                <th className="col-status">Status</th>
                <th
                  className="col-kind"
                  title="How the session was recorded; click one to list only that kind"
                >
                  Kind
                </th>
                <th className="col-outcome" title="How the connections ended: close codes and failures">
                  Outcome
                </th>
                <th className="col-frames">Frames</th>
                <th className="col-duration">Duration</th>
                <th className="col-created">Created ({zoneWord()})</th>
                <th className="col-tags">Tags</th>
                <th className="col-actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody ref={rows}>
              {sessions.map((s) => (
                <tr
                  key={s.id}
                  tabIndex={0}
                  data-session-id={s.id}
                  aria-label={`Open session ${s.id}: ${s.name}`}
                  onClick={() => onOpen(s.id)}
                  onKeyDown={(e) => {
                    if (e.target !== e.currentTarget) return;
                    if (e.key === 'Enter') onOpen(s.id);
                    else if (e.key === 'ArrowDown' || e.key === 'j') moveFocus(e.currentTarget, 1);
                    else if (e.key === 'ArrowUp' || e.key === 'k') moveFocus(e.currentTarget, -1);
                    else if (e.key === 'Delete') setDeleting(s);
                    else return;
                    e.preventDefault();
                  }}
                >
                  <td className="col-name" title={`#${s.id} ${s.name}\n${s.target}`}>
                    <span className="session-name-line">
                      <span className="session-id">#{s.id}</span>
                      <span className="session-row-name">{s.name}</span>
                    </span>
                    <span className="col-target mono">{s.target}</span>
                  </td>
                  <td className="col-status">
                    <StatusBadge status={s.status} />
                    <FindingsMarker findings={s.findings} />
                  </td>
                  <td className="col-kind">
                    <button
                      type="button"
                      className={`kind-chip kind-${s.kind}`}
                      title={`Only ${KIND_WORDS[s.kind].plural}`}
                      onClick={(e) => {
                        e.stopPropagation();
                        onFilters({ ...filters, kind: s.kind });
                      }}
                    >
                      {KIND_WORDS[s.kind].word}
                    </button>
                  </td>
                  <td className="col-outcome" title={outcomeTitle(s.outcomes)}>
                    <Outcomes outcomes={s.outcomes} />
                  </td>
                  <td className="col-frames">{formatCount(s.frames)}</td>
                  <td className="col-duration">{sessionDuration(s.createdAt, s.endedAt, now)}</td>
                  <td className="col-created" title={formatIsoShort(s.createdAt)}>
                    <span className="mono">{formatDateTime(s.createdAt)}</span>
                    <span className="muted session-age">{formatAge(s.createdAt, now)}</span>
                  </td>
                  <td className="col-tags">
                    <TagList tags={s.tags} />
                  </td>
                  <td className="col-actions">
                    <button
                      type="button"
                      className="btn btn-ghost btn-icon row-delete"
                      title={`Delete session ${s.id}`}
                      aria-label={`Delete session ${s.id}`}
                      onClick={(e) => {
                        e.stopPropagation();
                        setDeleting(s);
                      }}
                    >
                      <TrashIcon />
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <DeleteSessionDialog
          api={api}
          session={deleting}
          onCancel={() => setDeleting(null)}
          onDeleted={(s) => {
            setDeleting(null);
            setMessage(`Deleted session ${s.id} “${s.name}” and its ${plural(s.frames, 'frame')}.`);
            setVersion((v) => v + 1);
          }}
        />
      )}
    </div>
  );
}

/** Close codes first (in order), then failures, then connections still open; "×n" when repeated. */
function outcomeEntries(outcomes: Record<string, number>): Array<[string, number]> {
  const rank = (k: string) => (/^\d+$/.test(k) ? 0 : k === 'open' ? 2 : k === 'none' ? 3 : 1);
  return Object.entries(outcomes).sort(
    ([a], [b]) => rank(a) - rank(b) || (rank(a) === 0 ? Number(a) - Number(b) : a.localeCompare(b)),
  );
}

function outcomeClass(k: string): string {
  if (k === '1000' || k === 'open') return 'is-ok';
  if (k === '1006' || !/^\d+$/.test(k)) return 'is-bad';
  return 'is-warn';
}

/** How a session's connections ended, at a glance: "1001 1006 4001 refused ×2". */
function Outcomes({ outcomes }: { outcomes: Record<string, number> }) {
  const entries = outcomeEntries(outcomes);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {entries.map(([k, n], i) => (
        <span key={k}>
          {i > 0 ? ' ' : ''}
          <span className={`outcome ${outcomeClass(k)}`}>
            {k}
            {n > 1 ? ` ×${n}` : ''}
          </span>
        </span>
      ))}
    </>
  );
}

function outcomeTitle(outcomes: Record<string, number>): string {
  const entries = outcomeEntries(outcomes);
  if (entries.length === 0) return 'No connection was attempted';
  return entries
    .map(([k, n]) => {
      const what = /^\d+$/.test(k)
        ? `closed with ${k}`
        : k === 'open'
          ? 'still open'
          : k === 'none'
            ? 'ended without a close code'
            : `failed: ${k}`;
      return `${n} ${what}`;
    })
    .join('; ');
}

/** The findings of the session's latest diagnosis, as a mark: its worst severity, counted in the title. */
function FindingsMarker({ findings }: { findings: SessionSummary['findings'] }) {
  const worst = findings.critical ? 'critical' : findings.warning ? 'warning' : null;
  if (!worst) return null;
  const parts = [
    findings.critical ? `${findings.critical} critical` : '',
    findings.warning ? `${findings.warning} warning${findings.warning === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return (
    <span
      className={`findings-marker is-${worst}`}
      data-findings={worst}
      title={parts.join(', ')}
      aria-label={`Findings: ${parts.join(', ')}`}
    >
      !
    </span>
  );
}
