// The one façade that implements the contract over the engine. Both shells (Electron IPC and the
// browser-mode host) hand it channel names and untrusted payloads; it validates, runs, and answers
// with a Result. Live captures report through coalesced push topics.
import type { z } from 'zod';
import {
  channels,
  type CaptureRequestSchema,
  type Contract,
  type Domain,
  type ErrorBody,
  type PayloadOf,
  type ParsedRequestOf,
  type ResponseOf,
  type Result,
  type Topic,
} from '../../shared/contract.js';
import { Capture } from './capture/capture.js';
import { DEFAULTS, type CaptureOptions } from './capture/options.js';
import { InputError } from './errors.js';
import { openStore, StoreError, type Db } from './store/database.js';
import { listConnections } from './sessions/connection-store.js';
import { listEvents } from './sessions/event-store.js';
import {
  committedFrames,
  countMatching,
  filteredPage,
  frameDetail,
  framePage,
  frameRateSteps,
  isEmptyFilter,
  type FrameFilter,
} from './sessions/frame-store.js';
import { catchUpTextIndex, textIndexBacklog } from './sessions/text-index.js';
import { deleteSession, getSession, listSessions, renameSession, setSessionTags } from './sessions/session-store.js';
import { StoreWriter } from './store/writer.js';
import { DiagnoseChannels } from './diagnose/handlers.js';
import { walkHandlers } from './incidents/handlers.js';
import { WalkPushes } from './incidents/walk-pushes.js';
import { MissingError } from './incidents/errors.js';
import { WalkEngine } from './incidents/walk.js';

export const VERSION = '0.1.0';

/** A search indexes up to this many frames on the spot (well under 100 ms); more goes to the background. */
const SYNC_INDEX_LIMIT = 20_000;

/** How often a live capture's status is pushed at most. */
const STATUS_INTERVAL_MS = 100;

type Handler = (request: never) => unknown;
type Handlers = {
  [D in Domain]: {
    [V in keyof Contract[D]]: (
      request: ParsedRequestOf<D, V>,
    ) => ResponseOf<D, V> | Promise<ResponseOf<D, V>>;
  };
};

class NotFound extends Error {}

interface Live {
  capture: Capture;
  status: PayloadOf<'capture:status'>;
  dirty: boolean;
  timer: NodeJS.Timeout;
  unsubscribe: () => void;
}

export interface ServiceOptions {
  dbPath: string;
  shell: 'desktop' | 'browser';
}

export class FramelineService {
  readonly db: Db;
  private readonly live = new Map<number, Live>();
  private readonly listeners = new Set<(topic: Topic, payload: unknown) => void>();
  private readonly countCache = new Map<string, number>();
  private readonly handlers: Handlers;
  private readonly byName = new Map<string, { request: z.ZodType; run: Handler }>();
  private readonly walkPushes: WalkPushes;
  /** Incidents and runbook walks. */
  readonly walks: WalkEngine;
  private readonly diagnoses: DiagnoseChannels;

  constructor(private readonly options: ServiceOptions) {
    this.db = openStore(options.dbPath);
    this.walkPushes = new WalkPushes({
      changed: (p) => this.push('walk:changed', p),
      output: (p) => this.push('shell:output', p),
    });
    this.walks = new WalkEngine({
      db: this.db,
      dbPath: options.dbPath,
      onChange: this.walkPushes.onChange,
      onOutput: this.walkPushes.onOutput,
    });
    this.diagnoses = new DiagnoseChannels({
      db: this.db,
      dbPath: options.dbPath,
      progress: (p) => this.push('diagnose:progress', p),
      requireSession: (id) => void this.session(id),
    });
    this.handlers = this.implement();
    if (textIndexBacklog(this.db) > 0) this.indexInBackground();
    for (const c of channels()) {
      const domain = this.handlers[c.domain] as unknown as Record<string, Handler>;
      this.byName.set(c.name, { request: c.request, run: domain[c.verb]!.bind(this) });
    }
  }

  /** Every channel name this service answers. */
  get channelNames(): string[] {
    return [...this.byName.keys()];
  }

  /** Answers one request from either shell. Never throws. */
  async handle(channel: string, payload: unknown): Promise<Result<unknown>> {
    const entry = this.byName.get(channel);
    if (!entry) return fail('bad-request', `unknown channel "${channel}"`);
    const parsed = entry.request.safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        'bad-request',
        `${channel}: ${issue?.path.join('.') || 'request'} ${issue?.message ?? 'is invalid'}`,
      );
    }
    try {
      return { ok: true, value: await entry.run(parsed.data as never) };
    } catch (err) {
      if (err instanceof NotFound || err instanceof MissingError) return fail('not-found', err.message);
      if (err instanceof InputError || err instanceof StoreError) return fail('bad-request', err.message);
      return fail('failed', (err as Error).message);
    }
  }

  /** Subscribes to push topics. */
  onPush(listener: (topic: Topic, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every live capture (cleanly) and closes the database. */
  async close(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => l.capture.stop('user')));
    await this.walks.close();
    this.walkPushes.close();
    await this.diagnoses.close();
    this.db.close();
  }

  private push<T extends Topic>(topic: T, payload: PayloadOf<T>): void {
    for (const l of this.listeners) l(topic, payload);
  }

  private session(id: number) {
    const s = getSession(this.db, id);
    if (!s) throw new NotFound(`no session ${id}; it may have been deleted`);
    return s;
  }

  private liveCapture(id: number): Live {
    const l = this.live.get(id);
    if (!l) throw new NotFound(`session ${id} is not capturing; start a capture first`);
    return l;
  }

  /**
   * Makes the full-text index current before a search when that is quick; a large backlog (a
   * database of captures made by the command line) is indexed in the background instead, and the
   * answer says how many frames are not searchable yet. Returns that number.
   */
  private indexForSearch(): number {
    const backlog = textIndexBacklog(this.db);
    if (backlog === 0) return 0;
    if (backlog <= SYNC_INDEX_LIMIT) {
      catchUpTextIndex(this.db);
      return 0;
    }
    this.indexInBackground();
    return backlog;
  }

  private indexInBackground(): void {
    StoreWriter.for(this.options.dbPath)
      .indexInBackground()
      .catch(() => {
        // the writer reports its own failure to the capture that uses it; searching still works on what is indexed
      });
  }

  /** Counting a filtered view scans it once; scrolling asks again, so counts are remembered. */
  private filteredCount(id: number, filter: FrameFilter, unindexed: number): number {
    const key = JSON.stringify([id, committedFrames(this.db, id), unindexed, filter]);
    let n = this.countCache.get(key);
    if (n === undefined) {
      n = countMatching(this.db, id, filter);
      if (this.countCache.size >= 32) this.countCache.delete(this.countCache.keys().next().value!);
      this.countCache.set(key, n);
    }
    return n;
  }

  private implement(): Handlers {
    return {
      app: {
        info: () => ({ version: VERSION, dbPath: this.options.dbPath, shell: this.options.shell }),
      },
      sessions: {
        list: (r) => listSessions(this.db, r),
        get: (r) => ({
          session: this.session(r.id),
          connections: listConnections(this.db, r.id),
          events: listEvents(this.db, r.id),
        }),
        frames: (r) => {
          this.session(r.id);
          const filter = r.filter ?? {};
          if (isEmptyFilter(filter)) {
            return {
              total: committedFrames(this.db, r.id),
              frames: framePage(this.db, r.id, r.offset, r.limit),
              unindexed: 0,
            };
          }
          if (filter.text?.trim()) {
            // A search is counted from the full-text index first (quick), which says how to page it.
            const unindexed = this.indexForSearch();
            const total = this.filteredCount(r.id, filter, unindexed);
            return {
              total,
              frames: filteredPage(this.db, r.id, filter, r.offset, r.limit, total),
              unindexed,
            };
          }
          const frames = filteredPage(this.db, r.id, filter, r.offset, r.limit);
          // A first page that is not full is the whole answer: no need to count again.
          const total =
            r.offset === 0 && frames.length < r.limit ? frames.length : this.filteredCount(r.id, filter, 0);
          return { total, frames, unindexed: 0 };
        },
        frame: (r) => {
          const f = frameDetail(this.db, r.id, r.seq);
          if (!f) throw new NotFound(`session ${r.id} has no frame ${r.seq}`);
          return f;
        },
        rate: async (r) => {
          this.session(r.id);
          // A million frames take most of a second to count: count them in slices and let the
          // requests that arrive meanwhile (the first page of the frame list) be answered between.
          const steps = frameRateSteps(this.db, r.id, r.buckets ?? 300);
          for (;;) {
            const step = steps.next();
            if (step.done) return step.value;
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        },
        rename: (r) => {
          if (!renameSession(this.db, r.id, r.name)) throw new NotFound(`no session ${r.id}`);
          return { ok: true as const };
        },
        tag: (r) => {
          this.session(r.id);
          setSessionTags(this.db, r.id, r.tags);
          return { ok: true as const };
        },
        delete: (r) => {
          if (this.live.has(r.id))
            throw new InputError(`session ${r.id} is still capturing; disconnect before deleting it`);
          if (!deleteSession(this.db, r.id)) throw new NotFound(`no session ${r.id}`);
          return { ok: true as const };
        },
      },
      capture: {
        start: (r) => ({ sessionId: this.startCapture(r) }),
        stop: async (r) => {
          await this.liveCapture(r.sessionId).capture.stop('user');
          return { ok: true as const };
        },
        send: (r) => {
          const l = this.liveCapture(r.sessionId);
          if (r.kind === 'binary') {
            const hex = r.data.replace(/\s+/g, '');
            if (!/^([0-9a-fA-F]{2})*$/.test(hex))
              throw new InputError('binary messages are hex digits in pairs, such as "01 ff 7a"');
            l.capture.send(Buffer.from(hex, 'hex'), true);
          } else l.capture.send(r.data);
          return { ok: true as const };
        },
        ping: (r) => {
          this.liveCapture(r.sessionId).capture.ping();
          return { ok: true as const };
        },
        list: () => [...this.live.values()].map((l) => l.status),
      },
      ...walkHandlers(this.walks, this.db),
      ...this.diagnoses.handlers(),
    };
  }

  private startCapture(r: z.output<typeof CaptureRequestSchema>): number {
    const options: CaptureOptions = {
      url: r.url,
      headers: r.headers,
      subprotocols: r.subprotocols,
      compression: r.compression,
      insecure: r.insecure,
      sends: [],
      connectTimeoutMs: r.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      maxPayload: r.maxPayload ?? DEFAULTS.maxPayload,
      payloadCap: r.payloadCap ?? DEFAULTS.payloadCap,
      ...(r.name ? { name: r.name } : {}),
      ...(r.origin ? { origin: r.origin } : {}),
      ...(r.caFile ? { caFile: r.caFile } : {}),
      ...(r.certFile ? { certFile: r.certFile } : {}),
      ...(r.keyFile ? { keyFile: r.keyFile } : {}),
      ...(r.proxy !== undefined ? { proxy: r.proxy } : {}),
      ...(r.pingIntervalMs ? { pingIntervalMs: r.pingIntervalMs } : {}),
      ...(r.reconnect ? { reconnect: r.reconnect } : {}),
    };
    // Assigned once the capture exists; the hooks below may fire before that and then do nothing.
    // eslint-disable-next-line prefer-const
    let live: Live | undefined;
    const touch = (change: Partial<PayloadOf<'capture:status'>>) => {
      if (!live) return;
      Object.assign(live.status, change);
      live.dirty = true;
    };
    const capture = Capture.start(this.db, this.options.dbPath, options, {
      onFrame: (f) => {
        if (!live) return;
        const s = live.status;
        if (f.direction === 'in') {
          s.framesIn++;
          s.bytesIn += f.data.length;
        } else {
          s.framesOut++;
          s.bytesOut += f.data.length;
        }
        live.dirty = true;
      },
      onOpen: () => touch({ state: 'open', message: null }),
      onOutcome: (o) =>
        touch({
          state: 'closing',
          message: o.error
            ? o.error.message
            : o.closeCode !== null
              ? `closed by ${o.closedBy} with ${o.closeCode}${o.closeReason ? ` "${o.closeReason}"` : ''}`
              : null,
        }),
      onReconnect: (attempt, delay) =>
        touch({ state: 'reconnecting', message: `reconnecting in ${delay} ms (attempt ${attempt})` }),
    });
    const sessionId = capture.sessionId;
    const unsubscribe = StoreWriter.for(this.options.dbPath).onCommitted((id, n) => {
      if (id === sessionId && live) {
        live.status.committed += n;
        live.dirty = true;
      }
    });
    live = {
      capture,
      dirty: true,
      unsubscribe,
      status: {
        sessionId,
        url: r.url,
        state: 'connecting',
        framesIn: 0,
        framesOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        committed: 0,
        lastPingRttMs: null,
        connection: null,
        message: null,
      },
      timer: setInterval(() => this.publish(sessionId), STATUS_INTERVAL_MS),
    };
    this.live.set(sessionId, live);
    capture.done.then(
      () => this.finishLive(sessionId, null),
      (err: Error) => this.finishLive(sessionId, `the capture failed: ${err.message}`),
    );
    return sessionId;
  }

  private publish(sessionId: number): void {
    const l = this.live.get(sessionId);
    if (!l || !l.dirty) return;
    l.dirty = false;
    l.status.lastPingRttMs = l.capture.lastPingRttMs;
    const connections = listConnections(this.db, sessionId);
    l.status.connection = connections[connections.length - 1] ?? null;
    this.push('capture:status', { ...l.status });
  }

  private finishLive(sessionId: number, failure: string | null): void {
    const l = this.live.get(sessionId);
    if (!l) return;
    clearInterval(l.timer);
    l.unsubscribe();
    l.status.committed = committedFrames(this.db, sessionId);
    l.status.state = 'ended';
    if (failure) l.status.message = failure;
    l.dirty = true;
    this.publish(sessionId);
    this.live.delete(sessionId);
  }
}

function fail(code: ErrorBody['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } };
}
