// One walk as the engine keeps it, kept fresh: fetched again whenever the engine says the walk (or
// its incident) changed, with the output of running commands streamed in between. Everything shown
// comes from the engine, so a reload resumes exactly where the walk is.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, ResponseOf } from '../../../shared/contract';
import type { WalkView } from '../../../shared/contract/incidents';
import { errorMessage } from '../../components/error-note';

export type IncidentDetail = ResponseOf<'incidents', 'get'>;

/** Characters of streamed output kept per run (the engine keeps its own capped copy). */
const LIVE_KEEP = 256 * 1024;

export interface WalkState {
  walk: WalkView | null;
  detail: IncidentDetail | null;
  error: string | null;
  /** Output streamed so far, by run id, for runs still going. */
  live: ReadonlyMap<number, string>;
  /** Engine clock minus this window's clock, in ms (time boxes count on the engine's clock). */
  clockOffsetMs: number;
  /** Shows a walk the engine just answered with (after a move), without another round trip. */
  accept(view: WalkView): void;
  refresh(): void;
}

/** The walk `walkId` of incident `incidentId` (or only the incident when `walkId` is null). */
export function useWalk(api: Api, incidentId: number, walkId: number | null): WalkState {
  const [walk, setWalk] = useState<WalkView | null>(null);
  const [detail, setDetail] = useState<IncidentDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<ReadonlyMap<number, string>>(new Map());
  const [clockOffsetMs, setOffset] = useState(0);
  // Only the answer to the latest request is shown: an older one may arrive after it.
  const latest = useRef(0);

  const accept = useCallback((view: WalkView) => {
    setWalk(view);
    setOffset(Date.parse(view.now) - Date.now());
    // Output of runs that ended is in the run now; the streamed copy is no longer needed.
    setLive((prev) => {
      const running = new Set(view.runs.filter((r) => r.status === 'running').map((r) => r.id));
      if ([...prev.keys()].every((id) => running.has(id))) return prev;
      return new Map([...prev].filter(([id]) => running.has(id)));
    });
  }, []);

  const load = useCallback(async () => {
    const mine = ++latest.current;
    try {
      const [d, w] = await Promise.all([
        api.incidents.get({ id: incidentId }),
        walkId === null ? Promise.resolve(null) : api.walks.get({ id: walkId }),
      ]);
      if (mine !== latest.current) return;
      setDetail(d);
      if (w) accept(w);
      setError(null);
    } catch (err) {
      if (mine === latest.current) setError(errorMessage(err));
    }
  }, [api, incidentId, walkId, accept]);

  useEffect(() => {
    setWalk(null);
    setLive(new Map());
    void load();
    const offChanged = api.on('walk:changed', (c) => {
      if (c.incidentId === incidentId && (c.walkId === null || c.walkId === walkId || walkId === null))
        void load();
    });
    const offOutput = api.on('shell:output', (o) => {
      if (o.walkId !== walkId) return;
      setLive((prev) => {
        const next = new Map(prev);
        const text = (next.get(o.runId) ?? '') + o.text;
        next.set(o.runId, text.length > LIVE_KEEP ? text.slice(text.length - LIVE_KEEP) : text);
        return next;
      });
    });
    return () => {
      latest.current++;
      offChanged();
      offOutput();
    };
  }, [api, incidentId, walkId, load]);

  return { walk, detail, error, live, clockOffsetMs, accept, refresh: () => void load() };
}
