// The virtualised frame list: fixed-height rows, only the visible ones in the DOM, so that a
// million-frame session scrolls like a ten-frame one. Live sessions follow the tail while the
// engineer is at the bottom, and pause (saying how many frames arrived) when they scroll up.
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type UIEvent } from 'react';
import { formatCount } from '../../components/format';
import { isEditableTarget, useHotkey } from '../../components/hotkeys';
import { ArrowDownIcon } from '../../components/icons';
import type { FramePages } from './frame-pages';
import { FrameRowView, type TimeMode } from './frame-row';

export const ROW_HEIGHT = 26;

/** What a row shows of its connection: its number, and how the one before it ended. */
export interface ConnectionInfo {
  ordinal: number;
  /** For a reconnect: how the previous connection ended, in a sentence; null for the first. */
  drop: string | null;
}
/** Browsers cap element heights (Firefox near 17.9M px): beyond this the scrollbar is scaled. */
const MAX_SCROLL_PX = 15_000_000;
/** Rows read ahead above and below the screen: half a page each way. */
const PREFETCH_ROWS = 32;

interface Props {
  pages: FramePages;
  /** Bumped whenever a page arrives, so that rows re-read the cache. */
  version: number;
  total: number;
  firstTs: number | null;
  timeMode: TimeMode;
  onToggleTime: () => void;
  selectedSeq: number | null;
  onSelect: (index: number, seq: number) => void;
  /** The session is still capturing: follow the tail. */
  liveActive: boolean;
  /**
   * The list shows a capture made in this console: it opens at the tail even when the capture
   * ended before the first rows arrived (a short flood on a busy machine).
   */
  opensAtTail: boolean;
  /** The session's connections by id. */
  connections: ReadonlyMap<number, ConnectionInfo>;
  /** Search matches to mark in the previews. */
  highlight: RegExp | null;
  /** "UTC" or "local": the zone of absolute times. */
  zone: string;
  /** Some connection speaks a protocol: the list has a Message column. */
  messages: boolean;
}

/** Memoised: a status push that changes nothing the list shows does not render it. */
export const FrameList = memo(function FrameList(props: Props) {
  const {
    pages,
    version,
    total,
    firstTs,
    timeMode,
    onToggleTime,
    selectedSeq,
    onSelect,
    liveActive,
    opensAtTail,
    connections,
    highlight,
    zone,
    messages,
  } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  const [follow, setFollowState] = useState(liveActive || opensAtTail);
  const [pausedAt, setPausedAt] = useState(0);
  // Refs let the row callbacks stay the same across pushes, so memoised rows are not re-rendered.
  const followRef = useRef(follow);
  const totalRef = useRef(total);
  useLayoutEffect(() => {
    totalRef.current = total;
  }, [total]);
  const setFollow = useCallback((f: boolean) => {
    followRef.current = f;
    setFollowState(f);
  }, []);
  const [cursor, setCursor] = useState<number | null>(null);
  /** A row chosen by keyboard before its page arrived: selected as soon as it does. */
  const [pending, setPending] = useState<number | null>(null);

  const fullHeight = total * ROW_HEIGHT;
  const height = Math.min(fullHeight, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, height - viewport);
  const ratio = maxScroll > 0 ? Math.max(0, fullHeight - viewport) / maxScroll : 1;
  // Following the tail, the window is the tail's: the list renders the new rows in place once, not
  // the old window first and the new one after the scroll event that moving to the bottom fires.
  // A list that was following when its capture ended goes on following until its last rows are in.
  const tailing = follow;
  const top = tailing ? maxScroll : Math.min(scrollTop, maxScroll);
  const fullTop = top * ratio;
  const first = Math.floor(fullTop / ROW_HEIGHT);
  const count = Math.min(total - first, Math.ceil(viewport / ROW_HEIGHT) + 2);
  const windowTop = top - (fullTop - first * ROW_HEIGHT);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    setViewport(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // While tailing, scroll events leave the position alone (the window is the tail's); when tailing
  // ends (paused, or the capture ended) the window is where the list really is.
  useLayoutEffect(() => {
    if (!tailing && scroller.current) setScrollTop(scroller.current.scrollTop);
  }, [tailing]);

  // Stick to the tail while following: after every growth, before the browser paints.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!follow || !el) return;
    el.scrollTop = el.scrollHeight;
  }, [follow, total, height, viewport]);

  useEffect(() => {
    pages.ensure(first - PREFETCH_ROWS, first + count + PREFETCH_ROWS, total);
  }, [pages, version, first, count, total]);

  const pause = useCallback(() => {
    if (!followRef.current) return;
    setPausedAt(totalRef.current);
    setFollow(false);
  }, [setFollow]);

  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    const atBottom = el.scrollTop >= el.scrollHeight - el.clientHeight - 2;
    // Moving to the tail after new rows fires a scroll event; the tail's window is already shown.
    if (tailing && atBottom) return;
    setScrollTop(el.scrollTop);
    if (atBottom && !follow && liveActive) setFollow(true);
    else if (!atBottom && follow) pause();
  };

  const scrollToIndex = (index: number) => {
    const el = scroller.current;
    if (!el) return;
    const rowTop = index * ROW_HEIGHT;
    let target = fullTop;
    if (rowTop < fullTop) target = rowTop;
    else if (rowTop + ROW_HEIGHT > fullTop + viewport) target = rowTop + ROW_HEIGHT - viewport;
    if (target !== fullTop) el.scrollTop = Math.ceil(target / ratio);
  };

  const select = (index: number) => {
    const clamped = Math.max(0, Math.min(total - 1, index));
    setCursor(clamped);
    scrollToIndex(clamped);
    const row = pages.row(clamped);
    if (row) onSelect(clamped, row.seq);
    setPending(row ? null : clamped);
  };
  useEffect(() => {
    if (pending === null) return;
    const row = pages.row(pending);
    if (!row) return;
    setPending(null);
    onSelect(pending, row.seq);
  }, [pages, version, pending, onSelect]);

  const handleSelect = useCallback(
    (index: number, seq: number) => {
      setCursor(index);
      pause();
      onSelect(index, seq);
    },
    [onSelect, pause],
  );

  // The cursor (keyboard position) is the selected row when it is on screen, else the top row.
  const cursorIndex = (): number => {
    if (cursor !== null && (cursor === pending || pages.row(cursor)?.seq === selectedSeq)) return cursor;
    for (let i = first; i < first + count; i++) if (pages.row(i)?.seq === selectedSeq) return i;
    return -1;
  };
  const arrowsAllowed = (e: KeyboardEvent) =>
    e.target === document.body || (e.target instanceof Node && !!scroller.current?.contains(e.target));
  const move = (delta: number) => {
    if (total === 0) return;
    const at = cursorIndex();
    pause();
    select(at < 0 ? first : at + delta);
  };
  useHotkey('j', () => move(1));
  useHotkey('k', () => move(-1));
  useHotkey(['down', 'up'], (e) => {
    if (arrowsAllowed(e)) move(e.key === 'ArrowDown' ? 1 : -1);
  });
  useHotkey('home', (e) => {
    if (!arrowsAllowed(e)) return;
    pause();
    select(0);
  });
  useHotkey('end', (e) => {
    if (!arrowsAllowed(e) || total === 0) return;
    if (liveActive) setFollow(true);
    select(total - 1);
  });

  const rows = [];
  for (let i = first; i < first + count; i++) {
    const row = pages.row(i);
    const info = row ? connections.get(row.connection) : undefined;
    // A row whose connection is not the one of the row above starts a connection: after a drop and
    // a reconnect, the marker says how the one before ended.
    const above = i > 0 && row ? pages.row(i - 1) : undefined;
    const starts = above !== undefined && row !== undefined && above.connection !== row.connection;
    rows.push(
      <FrameRowView
        // At the tail, every update replaces every row: keyed by slot, the rows' elements are reused.
        key={tailing ? `slot-${i % count}` : i}
        index={i}
        row={row}
        selected={row !== undefined && row.seq === selectedSeq}
        timeMode={timeMode}
        firstTs={firstTs}
        onSelect={handleSelect}
        connection={info ? `#${info.ordinal}` : '·'}
        startsConnection={starts ? (info?.ordinal ?? null) : null}
        drop={starts ? (info?.drop ?? 'a new connection') : null}
        highlight={highlight}
        messages={messages}
      />,
    );
  }

  return (
    <div className={`frame-list${messages ? ' has-messages' : ''}`}>
      <div className="frame-list-head" role="presentation">
        <span className="cell-seq">#</span>
        <span className="cell-conn" title="The connection the frame came on">
          Conn
        </span>
        <span className="cell-time">
          <button
            type="button"
            className="time-toggle"
            onClick={onToggleTime}
            title={`Switch between time since the first frame and ${zone} time of day (T)`}
          >
            {timeMode === 'relative' ? 'Time +s' : `Time ${zone}`}
          </button>
        </span>
        <span className="cell-dir" title="Direction">
          ⇅
        </span>
        <span className="cell-op">Opcode</span>
        <span className="cell-size">Size</span>
        {messages ? (
          <span
            className="cell-message"
            title="The decoded message: its type, and the event, topic or method it names"
          >
            Message
          </span>
        ) : null}
        <span className="cell-preview">Payload</span>
      </div>
      <div
        ref={scroller}
        className="frame-list-scroller"
        role="grid"
        aria-label="Frames"
        aria-rowcount={total}
        aria-colcount={messages ? 8 : 7}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={(e) => {
          // Keep PageUp/PageDown and Space scrolling the list itself, never the page.
          if (isEditableTarget(e.target)) return;
          if (e.key === ' ') e.preventDefault();
        }}
      >
        <div className="frame-list-spacer" style={{ height }}>
          <div className="frame-list-window" style={{ transform: `translateY(${windowTop}px)` }}>
            {rows}
          </div>
        </div>
      </div>
      {liveActive && !follow && height > viewport ? (
        <button type="button" className="follow-button" onClick={() => setFollow(true)}>
          <ArrowDownIcon />
          {total > pausedAt
            ? `Paused — ${formatCount(total - pausedAt)} new ${total - pausedAt === 1 ? 'frame' : 'frames'}`
            : 'Following paused'}
          <span className="muted">· follow the tail (End)</span>
        </button>
      ) : null}
    </div>
  );
});
