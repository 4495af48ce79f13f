// The frames of any session, live or recorded: filter bar, virtualised list, and the detail of the
// selected frame. The attach screen and the sessions screen both use it.
import { useCallback, useMemo, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote } from '../../components/error-note';
import { useHotkey } from '../../components/hotkeys';
import { FilterBar } from './filter-bar';
import { EMPTY_FILTER, isEmpty, toApiFilter, type FilterState } from './frame-filter';
import { FrameDetail } from './frame-detail';
import { FrameList } from './frame-list';
import type { TimeMode } from './frame-row';
import { useFramePages, useSessionBasics, type LiveInfo } from './use-frame-source';
import './frames.css';

export interface FrameViewProps {
  api: Api;
  sessionId: number;
  /** For a capture in progress: frames committed so far, and whether it is still running. */
  live?: LiveInfo;
}

export function FrameView({ api, sessionId, live }: FrameViewProps) {
  const [filterState, setFilterState] = useState<FilterState>(EMPTY_FILTER);
  const [timeMode, setTimeMode] = useState<TimeMode>('relative');
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const basics = useSessionBasics(api, sessionId, live);
  const { filter, error: filterError } = useMemo(
    () => toApiFilter(filterState, basics.firstTs),
    [filterState, basics.firstTs],
  );
  const noOpcodes = filterState.opcodes.length === 0;
  const filtered = !isEmpty(filter) || noOpcodes;
  const { pages, version } = useFramePages(api, sessionId, filter, live, !noOpcodes);

  const unfilteredTotal = Math.max(basics.total, isEmpty(filter) ? (pages.total ?? 0) : 0);
  const total = noOpcodes ? 0 : filtered ? (pages.total ?? 0) : unfilteredTotal;
  const shown = noOpcodes ? 0 : filtered ? pages.total : unfilteredTotal;
  const liveActive = live?.active ?? false;

  const toggleTime = useCallback(() => setTimeMode((m) => (m === 'relative' ? 'absolute' : 'relative')), []);
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
          <p>Full-text search matches whole words in text frames; add * for a prefix (subscr*).</p>
          <button type="button" className="btn btn-small" onClick={() => setFilterState(EMPTY_FILTER)}>
            Clear the filter
          </button>
        </EmptyState>
      );
  } else if (total === 0) {
    body = liveActive ? (
      <EmptyState title="Waiting for frames">
        Every frame in both directions appears here as it is recorded, ping, pong and close included. Send a
        message below, or wait for the server to speak.
      </EmptyState>
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
      />
      {filterError ? <ErrorNote>{filterError}</ErrorNote> : null}
      <div className={`frame-view-body${selectedSeq !== null ? ' has-detail' : ''}`}>
        <div className="frame-view-list">{body}</div>
        {selectedSeq !== null ? (
          <FrameDetail
            api={api}
            sessionId={sessionId}
            seq={selectedSeq}
            firstTs={basics.firstTs}
            onClose={closeDetail}
          />
        ) : null}
      </div>
    </section>
  );
}
