// `frameline replay`: sends a recorded connection's client messages again to an endpoint, at their
// recorded pace scaled by a speed (or as fast as the socket takes them), records the run as a new
// session of kind replay linked to its source, and compares the answers with the original's.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CaptureRequestSchema } from '../../../shared/contract.js';
import type { ReplayRequest, ReplayResult } from '../../../shared/contract/replay.js';
import { handshakeRule } from '../../../shared/diagnosis/handshakes.js';
import {
  mergeHeaders,
  offeredSubprotocols,
  recordedHeader,
  replayableHeaders,
} from '../../../shared/replay/handshake.js';
import { pairConversations, summarisePairs, type TimedMessage } from '../../../shared/replay/pairing.js';
import {
  answerStructure,
  applicationConversation,
  isProtocolOwn,
  protocolOpenedAt,
  recordedOpening,
} from '../../../shared/replay/protocol-layer.js';
import { sendPlan } from '../../../shared/replay/timing.js';
import { ignoreRules, ignoredList } from '../../../shared/replay/volatile.js';
import { protocolLink } from '../capture/capture.js';
import { prepareCapture } from '../capture/options.js';
import type { ClientProtocol, ProtocolLink } from '../capture/protocols/client.js';
import { clientForConnection, spokenProtocols } from '../capture/protocols/index.js';
import { proxyAgent, resolveProxy } from '../capture/proxy.js';
import { ConnectionRecorder } from '../capture/recorder.js';
import { nowMicros } from '../clock.js';
import type { EngineContext } from '../context.js';
import { loadSessionHead } from '../diagnose/session-analysis.js';
import { getSessionRow } from '../sessions/session-store.js';
import { beginRecording } from '../store/recording.js';
import { StoreWriter } from '../store/writer.js';
import { readConnection, type RecordedConnection } from './source.js';

/** A sender at full speed waits for the socket when this much is queued. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** At full speed, messages go out in batches of at most this many (or bytes), one write each, with a turn of the event loop between batches to read the answers. */
const BATCH_MESSAGES = 512;
const BATCH_BYTES = 256 * 1024;
/** How long a clean close may take before the socket is dropped. */
const CLOSE_GRACE_MS = 2000;
/** How often progress is pushed at most. */
const PROGRESS_MS = 100;

export interface ReplayHooks {
  runId?: string;
  onProgress?: (p: {
    runId: string;
    source: number;
    sessionId: number;
    state: 'connecting' | 'sending' | 'waiting' | 'done';
    planned: number;
    sent: number;
    received: number;
  }) => void;
  /** Stops the replay early (Ctrl+C): what was sent and received so far is compared and kept. */
  signal?: AbortSignal;
}

/** Checks a replay request and reads its source; throws InputError or MissingError before anything is created. */
function prepareReplay(ctx: EngineContext, request: ReplayRequest) {
  const source = readConnection(ctx, request.sessionId, request.connection, 'sent');
  const recorded = source.connection.requestHeaders;
  // A protocol Frameline speaks is opened afresh, as the recorded client opened it.
  const spoken =
    source.protocol && spokenProtocols().includes(source.protocol.protocol) ? source.protocol : null;
  const opening = spoken ? recordedOpening(source.conversation, spoken) : null;
  const capture = CaptureRequestSchema.parse({
    url: request.to,
    headers: mergeHeaders(replayableHeaders(recorded), request.headers),
    subprotocols: request.subprotocols ?? offeredSubprotocols(recorded),
    ...((request.origin ?? recordedHeader(recorded, 'origin')) !== null
      ? { origin: request.origin ?? recordedHeader(recorded, 'origin') }
      : {}),
    compression: /permessage-deflate/i.test(source.connection.extensions ?? ''),
    ...(request.caPem !== undefined ? { caPem: request.caPem } : {}),
    ...(request.certPem !== undefined ? { certPem: request.certPem } : {}),
    ...(request.keyPem !== undefined ? { keyPem: request.keyPem } : {}),
    ...(request.pemFiles !== undefined ? { pemFiles: request.pemFiles } : {}),
    insecure: request.insecure,
    connectTimeoutSeconds: request.connectTimeoutSeconds,
    // A connection that spoke no protocol Frameline speaks (or was captured with --protocol none)
    // is replayed as the plain socket it was, whatever the target's URL suggests.
    protocol: spoken ? spoken.protocol : 'none',
    ...(spoken && opening
      ? {
          subscribe: opening.subscribe,
          ...(opening.initPayload !== undefined ? { initPayload: JSON.stringify(opening.initPayload) } : {}),
        }
      : {}),
  });
  const prepared = prepareCapture(capture);
  // What is compared and sent again: the application's messages, never the protocol's own.
  const application = applicationConversation(source.conversation, spoken);
  return { source, capture, application, spoken, ...prepared };
}

/** A timer may fire a millisecond late (its clock ticks in whole ms): it wakes us this long before the due time. */
const TIMER_MARGIN_MS = 2;
/** The last stretch before the due time is waited out on the CPU (a sleep overshoots by tens of µs). */
const SPIN_MS = 0.3;
/** A precise sleep lasts at most this long, so that what arrives meanwhile is timestamped at most this late. */
const SLEEP_SLICE_MS = 0.25;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const turn = () => new Promise<void>((r) => setImmediate(r));

/**
 * Resolves at `t0 + offsetMs` on the monotonic clock, as close to it as the machine allows, without
 * burning a core: a timer for the bulk (to TIMER_MARGIN_MS before), then short precise sleeps with
 * a turn of the event loop between them (so that answers are read and timestamped meanwhile), then
 * at most SPIN_MS on the CPU. On a busy machine a process that sleeps is woken promptly while one
 * that spins is preempted, so spinning longer would make it later, not earlier.
 */
async function until(t0: number, offsetMs: number, stop: () => boolean): Promise<void> {
  const due = t0 + offsetMs;
  for (;;) {
    if (stop()) return;
    const left = due - performance.now();
    if (left <= 0) return;
    if (left > TIMER_MARGIN_MS) await new Promise((r) => setTimeout(r, left - TIMER_MARGIN_MS));
    else if (left > SPIN_MS) {
      await turn();
      const rest = due - performance.now() - SPIN_MS;
      if (rest > 0) Atomics.wait(sleeper, 0, 0, Math.min(rest, SLEEP_SLICE_MS));
    } else {
      while (performance.now() < due);
      return;
    }
  }
}

/** One thing to send, at a time after the open; a message's payload is encoded before the run. */
type Step = { atMs: number; data: Buffer; binary: boolean } | { atMs: number; ping: true };

/**
 * The sends of a replay, at their recorded offsets from `startedAt` (the open, or the moment the
 * protocol was open): the application's messages and, with --pings, the client's pings.
 */
function planOf(
  source: RecordedConnection,
  sentMessages: readonly TimedMessage[],
  startedAt: number,
  request: ReplayRequest,
): Step[] {
  const steps: Array<{ ts: number; step: (atMs: number) => Step }> = [
    ...sentMessages.map((m) => ({
      ts: m.ts,
      step: (atMs: number): Step => ({
        atMs,
        data: Buffer.from(m.text, m.opcode === 'text' ? 'utf8' : 'base64'),
        binary: m.opcode === 'binary',
      }),
    })),
    ...(request.pings
      ? source.clientPings
          .filter((ts) => ts >= startedAt)
          .map((ts) => ({ ts, step: (atMs: number): Step => ({ atMs, ping: true }) }))
      : []),
  ].sort((a, b) => a.ts - b.ts);
  const offsets = sendPlan(
    steps.map((s) => s.ts - startedAt),
    request.speed,
  );
  return steps.map((s, i) => s.step(offsets[i]!));
}

/** Runs a replay to its end; validation problems throw before anything is created. */
export async function runReplay(
  ctx: EngineContext,
  request: ReplayRequest,
  hooks: ReplayHooks = {},
): Promise<ReplayResult> {
  const { db, dbPath } = ctx;
  const { source, capture, url, tls, application, spoken, protocol } = prepareReplay(ctx, request);
  const runId = hooks.runId ?? randomUUID();
  // With a protocol, the recorded pace counts from the moment it was open (its answer to the opening).
  const startedAt = protocolOpenedAt(source.conversation, spoken) ?? source.openedAt;
  const plan = planOf(source, application.sent, startedAt, request);
  const planned = application.sent.length;
  const rules = ignoreRules(request.ignore, request.idField);
  const recording = beginRecording(db, dbPath, {
    name:
      request.name ??
      `replay of #${source.session.id} to ${url.host}${url.pathname === '/' ? '' : url.pathname}`,
    kind: 'replay',
    target: url.href,
    sourceId: source.session.id,
    settings: {
      source: source.session.id,
      connection: source.connection.ordinal,
      speed: request.speed,
      pings: request.pings,
      headers: capture.headers.map(([k]) => k),
      origin: capture.origin ?? null,
      subprotocols: protocol.subprotocols,
      protocol: spoken?.protocol ?? null,
      idField: request.idField,
      ignored: ignoredList(rules),
      keepOpenSeconds: request.keepOpenSeconds ?? null,
      waitSeconds: request.waitSeconds,
    },
    createdAt: nowMicros(),
  });
  const sessionId = recording.sessionId;
  const spool = StoreWriter.for(dbPath).begin(db, recording);

  // Kept as bytes while the run goes (no conversion on the hot path), read as text for the comparison.
  type Seen = { ts: number; opcode: 'text' | 'binary'; data: Buffer };
  const sent: Seen[] = [];
  const received: Seen[] = [];
  /** Application messages sent and answers received so far (the protocol's own are not counted). */
  let requests = 0;
  let answers = 0;
  const ownOf = (direction: 'in' | 'out', x: Seen) =>
    spoken !== null && isProtocolOwn(asMessages([x])[0]!, direction, spoken);
  const asMessages = (xs: Seen[]): TimedMessage[] =>
    xs.map((x) => ({
      ts: x.ts,
      opcode: x.opcode,
      text: x.opcode === 'text' ? x.data.toString('utf8') : x.data.toString('base64'),
    }));
  let state: 'connecting' | 'sending' | 'waiting' | 'done' = 'connecting';
  let dirty = true;
  let wake: (() => void) | null = null;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  const progress = () => {
    if (!dirty || !hooks.onProgress) return;
    dirty = false;
    hooks.onProgress({
      runId,
      source: source.session.id,
      sessionId,
      state,
      planned,
      sent: requests,
      received: answers,
    });
  };
  const timer = setInterval(progress, PROGRESS_MS);
  const proxy = resolveProxy(url, undefined);
  let opened = false;
  let client: ClientProtocol | null = null;
  let link: ProtocolLink | null = null;
  const recorder: ConnectionRecorder = new ConnectionRecorder({
    spool,
    ordinal: 1,
    url,
    options: {
      headers: capture.headers,
      subprotocols: protocol.subprotocols,
      compression: capture.compression,
      insecure: capture.insecure,
      connectTimeoutMs: capture.connectTimeoutSeconds * 1000,
      maxPayload: capture.maxPayload,
      payloadCap: capture.payloadCap,
      ...(capture.origin !== undefined ? { origin: capture.origin } : {}),
    },
    tls,
    agent: proxy ? proxyAgent(proxy) : undefined,
    onFrame: (f) => {
      if (f.opcode !== 'text' && f.opcode !== 'binary') return;
      const seen: Seen = { ts: f.ts, opcode: f.opcode, data: f.data };
      (f.direction === 'out' ? sent : received).push(seen);
      if (!ownOf(f.direction, seen)) {
        if (f.direction === 'in') answers++;
        else requests++;
      }
      dirty = true;
      if (wake) wake();
    },
    onOpen: () => {
      // The protocol's opening first (a fresh session id, its own heartbeats answered): the
      // recorded messages go out once the server accepted it, as a client of that stack would.
      client = clientForConnection(protocol, recorder.subprotocol);
      if (!client) {
        opened = true;
        poke();
        return;
      }
      const opening = client;
      link = protocolLink(recorder, client, spool, 1);
      // A server that never answers the opening must not hold the replay: it is refused after the connect timeout.
      const unanswered = setTimeout(() => {
        if (!opened && recorder.isOpen)
          link?.refused(
            `${opening.name}: the server did not answer the opening within ${capture.connectTimeoutSeconds} s`,
          );
      }, capture.connectTimeoutSeconds * 1000);
      unanswered.unref();
      client.ready.then(
        () => {
          opened = true;
          poke();
        },
        () => poke(),
      );
      client.opened(link);
    },
    onMessage: (data, binary) => {
      if (client && link) client.received(data, binary, link);
    },
    onEnding: (code, reason, closedBy) => {
      if (client && link) client.closed({ code, reason, byServer: closedBy !== 'client' }, link);
    },
  });
  let ended = false;
  void recorder.ended.then(() => {
    ended = true;
    poke();
  });
  const aborted = () => hooks.signal?.aborted === true;
  hooks.signal?.addEventListener('abort', poke);
  /** Waits for the next frame, open, end or abort, or at most `ms`. */
  const nextEvent = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(0, ms));
      wake = () => {
        clearTimeout(t);
        wake = null;
        resolve();
      };
    });

  try {
    while (!opened && !ended && !aborted()) await nextEvent(1000);
    if (opened && !ended) {
      state = 'sending';
      poke();
      const t0 = performance.now();
      const stop = () => ended || aborted() || !recorder.isOpen;
      const send = (step: Step) => {
        if ('ping' in step) recorder.ping();
        else recorder.send(step.data, step.binary);
      };
      if (request.speed === 'max') {
        let i = 0;
        while (i < plan.length && !stop()) {
          if (recorder.bufferedAmount > HIGH_WATER_BYTES) {
            await new Promise((r) => setTimeout(r, 1));
            continue;
          }
          recorder.batch(() => {
            const end = Math.min(plan.length, i + BATCH_MESSAGES);
            let bytes = 0;
            while (i < end && bytes < BATCH_BYTES && !stop()) {
              const step = plan[i++]!;
              send(step);
              if ('data' in step) bytes += step.data.length;
            }
          });
          if (i < plan.length) await turn();
        }
      } else {
        for (const step of plan) {
          await until(t0, step.atMs, stop);
          if (stop()) break;
          send(step);
        }
      }
      state = 'waiting';
      poke();
      const lastSend = performance.now();
      const expected = application.received.length;
      // The close comes when every answer is in and the close is due (the recorded one, or
      // --keep-open after the last message), or when --wait runs out for answers still missing;
      // --keep-open holds the connection that long in any case. A recording the server closed is
      // left for the server to close, unless --keep-open says when to.
      const keepOpen = request.keepOpenSeconds !== undefined;
      const closeAt = keepOpen
        ? lastSend + (request.keepOpenSeconds ?? 0) * 1000
        : source.clientClose && request.speed !== 'max'
          ? t0 + (source.clientClose.ts - startedAt) / 1000 / request.speed
          : 0;
      const deadline = Math.max(lastSend + request.waitSeconds * 1000, keepOpen ? closeAt : 0);
      const serverCloses = !keepOpen && source.close.by === 'server';
      for (;;) {
        if (ended || aborted()) break;
        const now = performance.now();
        if (now >= deadline) break;
        const answered = answers >= expected;
        if (answered && !serverCloses && now >= closeAt) break;
        await nextEvent((answered && !serverCloses ? Math.min(closeAt, deadline) : deadline) - now);
      }
      if (!ended) {
        const code = source.clientClose?.code ?? 1000;
        recorder.close(code, source.clientClose?.reason ?? '');
        const grace = setTimeout(() => recorder.terminate(), CLOSE_GRACE_MS);
        await recorder.ended;
        clearTimeout(grace);
      }
    } else if (!ended) {
      recorder.terminate();
    }
    const outcome = await recorder.ended;
    (client as ClientProtocol | null)?.dispose();
    await spool.finish(nowMicros());
    state = 'done';
    dirty = true;
    progress();

    // The protocol's own messages (its opening with the session ids, its heartbeats) are not compared.
    const replayed = applicationConversation(
      { sent: asMessages(sent), received: asMessages(received) },
      spoken,
    );
    const pairs = pairConversations(application, replayed, {
      idField: request.idField,
      rules,
      read: answerStructure(spoken),
    });
    const summary = summarisePairs(pairs);
    const row = getSessionRow(db, sessionId)!;
    const findings = outcome.opened
      ? []
      : handshakeRule({ ...loadSessionHead(db, row), frames: [] }).findings;
    return {
      source: source.session.id,
      connection: source.connection.ordinal,
      sessionId,
      target: url.href,
      planned,
      sent: replayed.sent.length,
      received: replayed.received.length,
      ...summary,
      ignored: ignoredList(rules),
      pairs,
      outcome: {
        opened: outcome.opened,
        closeCode: outcome.closeCode,
        closeReason: outcome.closeReason,
        closedBy: outcome.closedBy,
        error: outcome.error,
        originalCloseCode: source.close.code,
        originalClosedBy: source.close.by,
      },
      findings,
    };
  } finally {
    clearInterval(timer);
    hooks.signal?.removeEventListener('abort', poke);
    (client as ClientProtocol | null)?.dispose();
    if (!ended) recorder.terminate();
    await spool.finish(nowMicros());
  }
}
