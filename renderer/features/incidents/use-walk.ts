// One walk as the engine keeps it, kept fresh: fetched again whenever the engine says the walk (or
// its incident) changed, with the output of running commands streamed in between. Everything shown
// comes from the engine, so a reload resumes exactly where the walk is.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, ResponseOf } from '../../../shared/contract';
import type { WalkView } from '../../../shared/contract/incidents';
import { AnswerOrder } from '../../components/answer-order';
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
  /** Shows a walk the engine just answered with (a walk started), without another round trip. */
  accept(view: WalkView): void;
  /**
   * Sends a request the engine answers with the walk (a move, a note) and shows its answer, unless
   * a request sent after it has been answered already; a refresh sent before it and answered after
   * it does not take the walk back.
   */
  send(request: () => Promise<WalkView>): Promise<WalkView>;
  refresh(): void;
}

/** The walk `walkId` of incident `incidentId` (or only the incident when `walkId` is null). */
export function useWalk(api: Api, incidentId: number, walkId: number | null): WalkState {
  const [walk, setWalk] = useState<WalkView | null>(null);
  const [detail, setDetail] = useState<IncidentDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<ReadonlyMap<number, string>>(new Map());
  const [clockOffsetMs, setOffset] = useState(0);
  // Answers may arrive out of order: one to an older request never replaces a newer one's.
  const order = useRef(new AnswerOrder());

  const show = useCallback((view: WalkView) => {
    setWalk(view);
    setOffset(Date.parse(view.now) - Date.now());
    // Output of runs that ended is in the run now; the streamed copy is no longer needed.
    setLive((prev) => {
      const running = new Set(view.runs.filter((r) => r.status === 'running').map((r) => r.id));
      if ([...prev.keys()].every((id) => running.has(id))) return prev;
      return new Map([...prev].filter(([id]) => running.has(id)));
    });
  }, []);

  const accept = useCallback(
    (view: WalkView) => {
      if (order.current.take(order.current.issue())) show(view);
    },
    [show],
  );

  const send = useCallback(
    async (request: () => Promise<WalkView>) => {
      const ticket = order.current.issue();
      const view = await request();
      if (order.current.take(ticket)) show(view);
      return view;
    },
    [show],
  );

  const load = useCallback(async () => {
    const ticket = order.current.issue();
    try {
      const [d, w] = await Promise.all([
        api.incidents.get({ id: incidentId }),
        walkId === null ? Promise.resolve(null) : api.walks.get({ id: walkId }),
      ]);
      if (!order.current.take(ticket)) return;
      setDetail(d);
      if (w) show(w);
      setError(null);
    } catch (err) {
      if (order.current.current(ticket)) setError(errorMessage(err));
    }
  }, [api, incidentId, walkId, show]);

  useEffect(() => {
    // A walk just started was shown from its answer (accept) before it was named: it stays on screen
    // while it is fetched again, so that a key pressed at once finds its ways on.
    setWalk((shown) => (shown !== null && shown.id === walkId ? shown : null));
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
      order.current.expire();
      offChanged();
      offOutput();
    };
  }, [api, incidentId, walkId, load]);

  return { walk, detail, error, live, clockOffsetMs, accept, send, refresh: () => void load() };
}
