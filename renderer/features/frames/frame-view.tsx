// The frames of any session, live or recorded: filter bar, virtualised list, and the detail of the
// selected frame. The attach screen and the sessions screen both use it.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { describeCloseCode } from '../../../shared/close-codes';
import type { Api, ResponseOf } from '../../../shared/contract';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote } from '../../components/error-note';
import { HighlightContext, searchPattern } from '../../components/highlight';
import { useHotkey } from '../../components/hotkeys';
import { zoneWord } from '../../components/time-zone';
import { FilterBar, type ConnectionChoice } from './filter-bar';
import { EMPTY_FILTER, isEmpty, matchPattern, toApiFilter, type FilterState } from './frame-filter';
import { FrameDetail } from './frame-detail';
import { FrameList, type ConnectionInfo } from './frame-list';
import type { TimeMode } from './frame-row';
import { useFramePages, useSessionBasics, type LiveInfo } from './use-frame-source';
import './frames.css';

type Connection = ResponseOf<'sessions', 'get'>['connections'][number];

const TIME_MODE_KEY = 'frameline.frameTime';

/** Relative or absolute times in the frame list: the last choice, remembered. */
function storedTimeMode(): TimeMode {
  try {
    return localStorage.getItem(TIME_MODE_KEY) === 'absolute' ? 'absolute' : 'relative';
  } catch {
    return 'relative';
  }
}

function rememberTimeMode(mode: TimeMode): void {
  try {
    localStorage.setItem(TIME_MODE_KEY, mode);
  } catch {
    // storage refused: the choice holds for this view
  }
}

export interface FrameViewProps {
  api: Api;
  sessionId: number;
  /** For a capture in progress: frames committed so far, and whether it is still running. */
  live?: LiveInfo;
  /** The session's connections: each frame says which one it came on, and drops are marked. */
  connections?: readonly Connection[];
  /** A connection picked elsewhere (a card, a tab): the list shows its frames. */
  connection?: number | null;
  onConnection?: (connection: number | null) => void;
}

/** How a connection ended, in a word or two. */
export function connectionOutcome(c: Connection): string {
  if (c.closeCode !== null) return String(c.closeCode);
  if (c.error) return c.error.kind;
  return c.closedAt === null ? 'open' : 'ended';
}

/** What the frame list shows of the connections, as a string that changes only when that does. */
function connectionShape(connections: readonly Connection[] | undefined): string {
  return (connections ?? [])
    .map((c) =>
      [
        c.id,
        c.ordinal,
        c.closeCode,
        c.closedBy,
        c.closedAt,
        c.error?.kind,
        c.error?.message,
        c.protocol,
      ].join(':'),
    )
    .join('|');
}

function connectionInfo(connections: readonly Connection[] | undefined): Map<number, ConnectionInfo> {
  const byOrdinal = new Map((connections ?? []).map((c) => [c.ordinal, c]));
  const out = new Map<number, ConnectionInfo>();
  for (const c of connections ?? []) {
    const before = byOrdinal.get(c.ordinal - 1);
    let drop: string | null = null;
    if (before) {
      const code = before.closeCode ?? (before.closedBy === 'network' ? 1006 : null);
      const how = before.error
        ? `${before.error.kind}: ${before.error.message}`
        : code !== null
          ? `${code} ${describeCloseCode(code).name}${code === 1006 ? ' (no close frame)' : ''}${before.closedBy ? `, closed by ${before.closedBy}` : ''}`
          : 'without a close code';
      drop = `Connection ${before.ordinal} ended: ${how}; reconnected as connection ${c.ordinal}`;
    }
    out.set(c.id, { ordinal: c.ordinal, drop });
  }
  return out;
}

export function FrameView({ api, sessionId, live, connections, connection, onConnection }: FrameViewProps) {
  const [filterState, setFilterStateRaw] = useState<FilterState>(EMPTY_FILTER);
  const setFilterState = useCallback(
    (next: FilterState) => {
      setFilterStateRaw((prev) => {
        if (prev.connection !== next.connection) onConnection?.(next.connection);
        return next;
      });
    },
    [onConnection],
  );
  // A connection picked outside the list narrows it to that connection's frames.
  useEffect(() => {
    if (connection === undefined || connection === null) return;
    setFilterStateRaw((prev) => (prev.connection === connection ? prev : { ...prev, connection }));
  }, [connection]);
  // A live capture's connections come anew with every status push (their counters move); what the
  // list shows of them changes only when one opens or ends, and only then does the list re-render.
  const shape = connectionShape(connections);
  // The array of the first push with this shape is kept (on purpose, `connections` is not a dependency).
  const kept = useMemo(() => connections, [shape]);
  const infos = useMemo(() => connectionInfo(kept), [kept]);
  const choices = useMemo<ConnectionChoice[]>(
    () =>
      (kept ?? []).map((c) => ({
        id: c.id,
        ordinal: c.ordinal,
        outcome: c.protocol ? `${c.protocol} · ${connectionOutcome(c)}` : connectionOutcome(c),
      })),
    [kept],
  );
  // Some connection speaks a protocol: its frames have messages to show and to filter on.
  const decoded = useMemo(() => (kept ?? []).some((c) => c.protocol), [kept]);
  const [timeMode, setTimeMode] = useState<TimeMode>(storedTimeMode);
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const basics = useSessionBasics(api, sessionId, live);
  const { filter, error: filterError } = useMemo(
    () => toApiFilter(filterState, basics.firstTs),
    [filterState, basics.firstTs],
  );
  const noOpcodes = filterState.opcodes.length === 0;
  const filtered = !isEmpty(filter) || noOpcodes;
  const { pages, version } = useFramePages(api, sessionId, filter, live, !noOpcodes);
  const highlight = useMemo(
    () =>
      filter.text ? searchPattern(filter.text) : matchPattern({ grep: filter.grep, where: filter.where }),
    [filter.text, filter.grep, filter.where],
  );

  const unfilteredTotal = Math.max(basics.total, isEmpty(filter) ? (pages.total ?? 0) : 0);
  // A live list grows to the rows it holds (its pages follow the committed count), so that a flood
  // never shows a screen of empty rows; the filter bar counts what is committed.
  const total = noOpcodes ? 0 : filtered || live ? (pages.total ?? 0) : unfilteredTotal;
  const shown = noOpcodes ? 0 : filtered ? pages.total : unfilteredTotal;
  const liveActive = live?.active ?? false;

  const toggleTime = useCallback(
    () =>
      setTimeMode((m) => {
        const next = m === 'relative' ? 'absolute' : 'relative';
        rememberTimeMode(next);
        return next;
      }),
    [],
  );
  const onSelect = useCallback((_index: number, seq: number) => setSelectedSeq(seq), []);
  const closeDetail = useCallback(() => setSelectedSeq(null), []);
  useHotkey('t', toggleTime);
  useHotkey('esc', closeDetail, { enabled: selectedSeq !== null });

  let body;
  if (pages.error) {
    body = (
      <ErrorNote
        action={
          <button type="button" className="btn btn-small" onClick={() => pages.retry()}>
            Retry
          </button>
        }
      >
        Could not load the frames of session {sessionId}: {pages.error}
      </ErrorNote>
    );
  } else if (noOpcodes) {
    body = (
      <EmptyState title="No opcode is ticked">
        Tick at least one opcode in the filter bar to see frames.
      </EmptyState>
    );
  } else if (total === 0 && filtered) {
    body =
      shown === null ? (
        <EmptyState title="Searching…" />
      ) : (
        <EmptyState title="No frame matches this filter">
          <p>
            {filter.message
              ? 'The message filter matches whole words of a message’s type or of the event, topic or method it names; add * for any characters (sensors/*).'
              : filter.grep
                ? 'The regular expression is tested on each text frame’s payload; /…/i ignores case.'
                : filter.where
                  ? 'The JSONPath condition is tested on each JSON text frame: $.type == "error", $.data.items[0].id (it exists), $.price > 100.'
                  : 'Full-text search matches whole words in text frames; add * for a prefix (subscr*).'}
          </p>
          <button type="button" className="btn btn-small" onClick={() => setFilterState(EMPTY_FILTER)}>
            Clear the filter
          </button>
        </EmptyState>
      );
  } else if (total === 0) {
    const state = live?.state;
    body = liveActive ? (
      state === 'connecting' || state === 'reconnecting' ? (
        <EmptyState title={state === 'connecting' ? 'Connecting…' : 'Reconnecting…'}>
          The handshake is not done yet. Frames appear here as soon as the connection opens; a message sent
          meanwhile goes out then.
        </EmptyState>
      ) : (
        <EmptyState title="Open — waiting for frames">
          Every frame in both directions appears here as it is recorded, ping, pong and close included. Send a
          message below, or wait for the server to speak.
        </EmptyState>
      )
    ) : basics.loaded || live ? (
      <EmptyState title="No frames in this session">
        Nothing was recorded: the connection carried no frames before it ended, or never opened.
      </EmptyState>
    ) : (
      <EmptyState title="Loading frames…" />
    );
  } else {
    body = (
      <FrameList
        pages={pages}
        version={version}
        total={total}
        firstTs={basics.firstTs}
        timeMode={timeMode}
        onToggleTime={toggleTime}
        selectedSeq={selectedSeq}
        onSelect={onSelect}
        liveActive={liveActive}
        opensAtTail={live !== undefined}
        connections={infos}
        highlight={highlight}
        zone={zoneWord()}
        messages={decoded}
      />
    );
  }

  return (
    <section className="frame-view" aria-label="Frames">
      <FilterBar
        key={sessionId}
        value={filterState}
        onChange={setFilterState}
        shown={shown}
        total={unfilteredTotal}
        filtered={filtered}
        unindexed={pages.unindexed}
        connections={choices}
        decoded={decoded}
      />
      {filterError ? <ErrorNote>{filterError}</ErrorNote> : null}
      <div className={`frame-view-body${selectedSeq !== null ? ' has-detail' : ''}`}>
        <div className="frame-view-list">{body}</div>
        {selectedSeq !== null ? (
          <HighlightContext.Provider value={highlight}>
            <FrameDetail
              api={api}
              sessionId={sessionId}
              seq={selectedSeq}
              firstTs={basics.firstTs}
              onClose={closeDetail}
              where={filter.where}
            />
          </HighlightContext.Provider>
        ) : null}
      </div>
    </section>
  );
}
