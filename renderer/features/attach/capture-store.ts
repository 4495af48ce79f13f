// Live captures as the console knows them, outside React: the latest `capture:status` of each,
// its frames/s over the last minute, which one the attach screen shows, the form draft and the
// sent-message history. Components subscribe to slices (useCapture), so a status push re-renders
// only what shows that status, and leaving the screen loses nothing. Pushes are coalesced: however
// many arrive between two animation frames, subscribers hear of them once, with the latest.
import { useCallback, useSyncExternalStore } from 'react';
import type { Api, PayloadOf } from '../../../shared/contract';
import type { AttachDraft } from './attach-draft';
import { loadDraft } from './attach-memory';
import { nextFrame, type FrameScheduler } from '../../components/next-frame';

export type CaptureStatus = PayloadOf<'capture:status'>;

/** Seconds of history in the rate sparkline. */
export const RATE_SECONDS = 60;
const HISTORY_LIMIT = 30;

export interface SentMessage {
  kind: 'text' | 'json' | 'binary';
  data: string;
  at: number;
}

interface Rate {
  lastTotal: number;
  second: number;
  current: number;
  series: number[];
}

export class CaptureStore {
  readonly statuses = new Map<number, CaptureStatus>();
  /** Statuses pushed since the last flush, the latest of each capture. */
  private readonly pending = new Map<number, CaptureStatus>();
  private scheduled = false;
  private readonly rates = new Map<number, Rate>();
  private readonly listeners = new Set<() => void>();
  private ticker: ReturnType<typeof setInterval> | null = null;
  activeSessionId: number | null = null;
  /** The attach form, as the engineer left it (kept across reloads, secrets aside). */
  draft: AttachDraft = loadDraft();
  sent: readonly SentMessage[] = [];

  constructor(
    readonly api: Api,
    private readonly schedule: FrameScheduler = nextFrame,
  ) {
    api.on('capture:status', (s) => this.push(s));
    // After a reload, pick up a capture that is still running in the engine.
    api.capture.list({}).then(
      (list) => {
        for (const s of list) this.push(s);
        this.flush();
        if (this.activeSessionId === null && list[0]) this.show(list[0].sessionId);
      },
      () => {
        // The status line reports an engine that does not answer.
      },
    );
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Shows this session on the attach screen. */
  show(sessionId: number | null): void {
    this.activeSessionId = sessionId;
    this.emit();
  }

  remember(message: SentMessage): void {
    const rest = this.sent.filter((m) => m.data !== message.data || m.kind !== message.kind);
    this.sent = [message, ...rest].slice(0, HISTORY_LIMIT);
    this.emit();
  }

  /** Frames per second over the last RATE_SECONDS whole seconds, oldest first. */
  rate(sessionId: number): readonly number[] {
    return this.rates.get(sessionId)?.series ?? EMPTY_SERIES;
  }

  liveCount(): number {
    let n = 0;
    for (const s of this.statuses.values()) if (s.state !== 'ended') n++;
    return n;
  }

  /** Takes a pushed status; subscribers hear of it at the next frame, with any that follow it. */
  private push(status: CaptureStatus): void {
    this.pending.set(status.sessionId, status);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Applies the statuses pushed since the last flush and tells the subscribers once. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const statuses = [...this.pending.values()];
    this.pending.clear();
    for (const s of statuses) this.apply(s);
    this.tick();
    this.emit();
  }

  private apply(status: CaptureStatus): void {
    this.statuses.set(status.sessionId, status);
    const total = status.framesIn + status.framesOut;
    const second = Math.floor(performance.now() / 1000);
    let rate = this.rates.get(status.sessionId);
    if (!rate) {
      rate = { lastTotal: total, second, current: 0, series: new Array<number>(RATE_SECONDS).fill(0) };
      this.rates.set(status.sessionId, rate);
    }
    this.roll(rate, second);
    rate.current += Math.max(0, total - rate.lastTotal);
    rate.lastTotal = total;
  }

  /** Moves a rate's window to `second`, closing the seconds in between (zero when nothing came). */
  private roll(rate: Rate, second: number): void {
    if (second <= rate.second) return;
    const elapsed = Math.min(RATE_SECONDS, second - rate.second);
    const closed = [rate.current, ...new Array<number>(elapsed - 1).fill(0)];
    rate.series = [...rate.series, ...closed].slice(-RATE_SECONDS);
    rate.current = 0;
    rate.second = second;
  }

  /** While a capture runs, a quiet second still moves its sparkline. */
  private tick(): void {
    const running = this.liveCount() > 0;
    if (running && !this.ticker) {
      this.ticker = setInterval(() => {
        const second = Math.floor(performance.now() / 1000);
        for (const [id, rate] of this.rates) {
          if (this.statuses.get(id)?.state !== 'ended') this.roll(rate, second);
        }
        if (this.liveCount() === 0 && this.ticker) {
          clearInterval(this.ticker);
          this.ticker = null;
        }
        this.emit();
      }, 1000);
    }
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

const EMPTY_SERIES: readonly number[] = new Array<number>(RATE_SECONDS).fill(0);
const stores = new WeakMap<Api, CaptureStore>();

/** The one store of an Api (created on first use). */
export function captureStore(api: Api): CaptureStore {
  let store = stores.get(api);
  if (!store) stores.set(api, (store = new CaptureStore(api)));
  return store;
}

/** A slice of the store; the component re-renders only when the slice changes (by Object.is). */
export function useCapture<T>(api: Api, select: (store: CaptureStore) => T): T {
  const store = captureStore(api);
  const snapshot = useCallback(() => select(store), [select, store]);
  return useSyncExternalStore(store.subscribe, snapshot);
}
