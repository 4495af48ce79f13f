// Where a frame view's rows come from: the session's first timestamp and unfiltered count, and a
// page cache for the current filter that stays fresh while a live capture grows: the list hears of
// new pages at most once per frame, and a live list grows only to rows it already holds.
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { oncePerFrame } from '../../components/next-frame';
import { FramePages, type ApiFrameFilter } from './frame-pages';

/** How often a live, filtered view asks for its new count (each ask re-runs the filter). */
const FILTERED_REFRESH_MS = 1000;
/** How often a search asks again while the engine is still indexing older frames. */
const INDEXING_REFRESH_MS = 1500;

export interface LiveInfo {
  committed: number;
  active: boolean;
  /** The capture's state, for what an empty list says ("Connecting…"). */
  state?: 'connecting' | 'open' | 'closing' | 'reconnecting' | 'ended';
}

/** The first frame's timestamp and the session's unfiltered frame count. */
export function useSessionBasics(api: Api, sessionId: number, live: LiveInfo | undefined) {
  const [firstTs, setFirstTs] = useState<number | null>(null);
  const [stored, setStored] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hasFrames = (live?.committed ?? 1) > 0;
  const ended = live ? !live.active : true;
  useEffect(() => {
    if (!hasFrames) return;
    let cancelled = false;
    api.sessions.frames({ id: sessionId, offset: 0, limit: 1 }).then(
      (res) => {
        if (cancelled) return;
        setStored(res.total);
        setFirstTs(res.frames[0]?.ts ?? null);
      },
      (err: Error) => !cancelled && setError(err.message),
    );
    return () => {
      cancelled = true;
    };
  }, [api, sessionId, hasFrames, ended]);
  const total = Math.max(live?.committed ?? 0, stored ?? 0);
  return { firstTs, total, loaded: stored !== null || (live !== undefined && !hasFrames), error };
}

/** The page cache for one filter, re-rendering its owner when pages arrive. */
export function useFramePages(
  api: Api,
  sessionId: number,
  filter: ApiFrameFilter,
  live: LiveInfo | undefined,
  enabled: boolean,
) {
  const key = JSON.stringify(filter);
  // The cache belongs to (session, filter): a new filter starts from an empty one.
  const pages = useMemo(
    () => new FramePages(api, sessionId, JSON.parse(key) as ApiFrameFilter),
    [api, sessionId, key],
  );
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => pages.listen(oncePerFrame(bump)), [pages]);
  useEffect(() => {
    if (enabled && pages.total === null && !pages.error) pages.refresh();
  }, [pages, enabled, version]);

  const filtered = key !== '{}';
  const committed = live?.committed ?? 0;
  const isLive = live?.active ?? false;
  // An unfiltered live view follows the committed count: its tail is read, then shown.
  const hasLive = live !== undefined;
  useEffect(() => {
    if (enabled && hasLive && !filtered) pages.follow(committed);
  }, [pages, enabled, hasLive, filtered, committed]);

  // A filtered view of a growing session: ask for its count again, at most once a second. The
  // frames committed as it ends (the close frames of a Disconnect) are asked for too: the ask
  // waiting when the capture stops is made again, not dropped.
  const lastRefresh = useRef(0);
  useEffect(() => {
    if (!enabled || !filtered || !hasLive || pages.total === null) return;
    const wait = Math.max(0, lastRefresh.current + FILTERED_REFRESH_MS - performance.now());
    const timer = setTimeout(() => {
      lastRefresh.current = performance.now();
      pages.refresh();
    }, wait);
    return () => clearTimeout(timer);
  }, [pages, enabled, filtered, hasLive, isLive, committed]);

  // A search made while the full-text index is behind misses frames: ask again until it is not.
  const searching = Boolean(filter.text);
  useEffect(() => {
    if (!enabled || !searching || pages.unindexed === 0) return;
    const timer = setTimeout(() => pages.reload(), INDEXING_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [pages, enabled, searching, version]);
  return { pages, version };
}
