// The one contract between the engine and the console. Every request channel (`domain:verb`) and
// every push topic is declared here once, with runtime schemas; both shells (Electron IPC and the
// browser-mode WebSocket) carry exactly this, and each side validates what it receives.
import { z } from 'zod';
import { incidentChannels, runbookChannels, walkChannels, walkTopics } from './contract/incidents.js';
import { diagnoseChannels, diagnoseTopics } from './contract/diagnose.js';

const id = z.number().int().positive();
const isoTime = z.string();

/** Domain enums as schemas. */
export const DirectionSchema = z.enum(['in', 'out']);
export const OpcodeSchema = z.enum(['text', 'binary', 'ping', 'pong', 'close', 'continuation']);
export const SessionStatusSchema = z.enum(['live', 'complete', 'interrupted']);
export const SessionKindSchema = z.enum(['capture', 'import', 'replay', 'mock', 'probe']);
export const ClosedBySchema = z.enum(['client', 'server', 'network']);
export const ErrorKindSchema = z.enum([
  'refused',
  'dns',
  'timeout',
  'tls',
  'protocol',
  'reset',
  'upgrade-rejected',
  'proxy',
  'other',
]);

/** A session as listed. */
export const SessionSummarySchema = z.object({
  id,
  name: z.string(),
  kind: SessionKindSchema,
  target: z.string(),
  status: SessionStatusSchema,
  createdAt: isoTime,
  endedAt: isoTime.nullable(),
  frames: z.number().int().nonnegative(),
  tags: z.array(z.string()),
});

/** One connection attempt with its handshake, timings and close. */
export const ConnectionSchema = z.object({
  id,
  ordinal: z.number().int().positive(),
  url: z.string(),
  status: z.number().int().nullable(),
  requestHeaders: z.record(z.string(), z.string()),
  responseHeaders: z.record(z.string(), z.string()),
  responseBodyHead: z.string().nullable(),
  subprotocol: z.string().nullable(),
  extensions: z.string().nullable(),
  timings: z.object({
    dnsMs: z.number().nullable(),
    tcpMs: z.number().nullable(),
    tlsMs: z.number().nullable(),
    upgradeMs: z.number().nullable(),
  }),
  openedAt: isoTime.nullable(),
  closedAt: isoTime.nullable(),
  closeCode: z.number().int().nullable(),
  closeReason: z.string().nullable(),
  closedBy: ClosedBySchema.nullable(),
  error: z.object({ kind: ErrorKindSchema, message: z.string() }).nullable(),
  frames: z.number().int().nonnegative(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  firstFrameTs: isoTime.nullable(),
  lastFrameTs: isoTime.nullable(),
});

/** A frame as a row of the frame list: a preview, not the whole payload. */
export const FrameRowSchema = z.object({
  seq: z.number().int().positive(),
  connection: z.number().int().positive(),
  /** Epoch microseconds. */
  ts: z.number(),
  direction: DirectionSchema,
  opcode: OpcodeSchema,
  size: z.number().int().nonnegative(),
  truncated: z.boolean(),
  /** Text frames: the first characters; others: the first bytes as hex. */
  preview: z.string(),
});

/** A frame with its whole stored payload. */
export const FrameDetailSchema = FrameRowSchema.extend({
  /** UTF-8 text for text frames, base64 otherwise. */
  payload: z.string(),
  encoding: z.enum(['text', 'base64']),
});

/** What narrows a session's frames: all optional, combined with AND. */
export const FrameFilterSchema = z.object({
  /** Full-text query over text payloads (words; "quoted phrases"; prefix*). */
  text: z.string().max(500).optional(),
  direction: DirectionSchema.optional(),
  opcodes: z.array(OpcodeSchema).optional(),
  /** Epoch microseconds, inclusive. */
  fromTs: z.number().optional(),
  toTs: z.number().optional(),
});

export const SessionEventSchema = z.object({
  ts: isoTime,
  connection: z.number().int().nullable(),
  kind: z.string(),
  detail: z.unknown(),
});

/** What the attach screen asks for; mirrors the `frameline capture` options. */
export const CaptureRequestSchema = z.object({
  url: z.string().min(1),
  name: z.string().optional(),
  headers: z.array(z.tuple([z.string(), z.string()])).default([]),
  origin: z.string().optional(),
  subprotocols: z.array(z.string()).default([]),
  compression: z.boolean().default(false),
  caFile: z.string().optional(),
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  insecure: z.boolean().default(false),
  /** Proxy URL; null for none; absent to use the environment. */
  proxy: z.string().nullable().optional(),
  connectTimeoutMs: z.number().positive().optional(),
  maxPayload: z.number().int().positive().optional(),
  payloadCap: z.number().int().nonnegative().optional(),
  pingIntervalMs: z.number().positive().optional(),
  reconnect: z
    .object({
      baseMs: z.number().nonnegative(),
      maxMs: z.number().nonnegative(),
      factor: z.number().min(1),
      jitter: z.number().min(0).max(1),
      attempts: z.number().int().positive(),
    })
    .optional(),
});

export const CaptureStateSchema = z.enum(['connecting', 'open', 'closing', 'reconnecting', 'ended']);

/** A live capture as the console sees it: counters and the current connection. */
export const CaptureStatusSchema = z.object({
  sessionId: id,
  url: z.string(),
  state: CaptureStateSchema,
  framesIn: z.number().int().nonnegative(),
  framesOut: z.number().int().nonnegative(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  /** Frames committed to the database so far (the frame list shows these). */
  committed: z.number().int().nonnegative(),
  lastPingRttMs: z.number().nullable(),
  connection: ConnectionSchema.nullable(),
  /** The reason the capture ended or the last connection failed, in words. */
  message: z.string().nullable(),
});

const ok = z.object({ ok: z.literal(true) });

/** Every request channel, grouped by domain: the channel name is `domain:verb`. */
export const contract = {
  app: {
    info: {
      request: z.object({}),
      response: z.object({ version: z.string(), dbPath: z.string(), shell: z.enum(['desktop', 'browser']) }),
    },
  },
  sessions: {
    list: {
      request: z.object({
        query: z.string().optional(),
        status: SessionStatusSchema.optional(),
        /** Epoch microseconds: sessions created in this range. */
        fromTs: z.number().optional(),
        toTs: z.number().optional(),
      }),
      response: z.array(SessionSummarySchema),
    },
    get: {
      request: z.object({ id }),
      response: z.object({
        session: SessionSummarySchema,
        connections: z.array(ConnectionSchema),
        events: z.array(SessionEventSchema),
      }),
    },
    frames: {
      request: z.object({
        id,
        filter: FrameFilterSchema.default({}),
        offset: z.number().int().nonnegative(),
        limit: z.number().int().positive().max(1000),
      }),
      response: z.object({
        total: z.number().int().nonnegative(),
        frames: z.array(FrameRowSchema),
        /** Frames the full-text index has not reached yet (a text search cannot find them until it does). */
        unindexed: z.number().int().nonnegative().default(0),
      }),
    },
    frame: {
      request: z.object({ id, seq: z.number().int().positive() }),
      response: FrameDetailSchema,
    },
    rate: {
      request: z.object({ id, buckets: z.number().int().min(10).max(2000).default(300) }),
      response: z.object({
        /** Epoch microseconds of the first bucket. */
        startTs: z.number(),
        bucketUs: z.number(),
        incoming: z.array(z.number().int()),
        outgoing: z.array(z.number().int()),
      }),
    },
    rename: { request: z.object({ id, name: z.string().trim().min(1).max(200) }), response: ok },
    tag: { request: z.object({ id, tags: z.array(z.string().trim().min(1).max(50)).max(20) }), response: ok },
    delete: { request: z.object({ id }), response: ok },
  },
  capture: {
    start: { request: CaptureRequestSchema, response: z.object({ sessionId: id }) },
    stop: { request: z.object({ sessionId: id }), response: ok },
    send: {
      request: z.object({
        sessionId: id,
        /** Text as is; binary as hex digits (spaces allowed). */
        data: z.string(),
        kind: z.enum(['text', 'binary']),
      }),
      response: ok,
    },
    ping: { request: z.object({ sessionId: id }), response: ok },
    list: { request: z.object({}), response: z.array(CaptureStatusSchema) },
  },
  incidents: incidentChannels,
  runbooks: runbookChannels,
  walks: walkChannels,
  diagnose: diagnoseChannels,
} as const;

/** Push topics from the engine to the console. */
export const topics = {
  /** A live capture changed (coalesced: at most ten a second per capture). */
  'capture:status': CaptureStatusSchema,
  ...walkTopics,
  ...diagnoseTopics,
} as const;

export type Contract = typeof contract;
export type Domain = keyof Contract;
export type Topic = keyof typeof topics;

/** Request and response types of one channel, inferred from its schemas. */
export type RequestOf<D extends Domain, V extends keyof Contract[D]> = Contract[D][V] extends {
  request: z.ZodType;
}
  ? z.input<Contract[D][V]['request']>
  : never;
/** A request as the engine sees it after validation (defaults filled in). */
export type ParsedRequestOf<D extends Domain, V extends keyof Contract[D]> = Contract[D][V] extends {
  request: z.ZodType;
}
  ? z.output<Contract[D][V]['request']>
  : never;
export type ResponseOf<D extends Domain, V extends keyof Contract[D]> = Contract[D][V] extends {
  response: z.ZodType;
}
  ? z.output<Contract[D][V]['response']>
  : never;
export type PayloadOf<T extends Topic> = z.output<(typeof topics)[T]>;

/** The console's whole view of the engine: `api.sessions.list({})`, `api.on('capture:status', …)`. */
export type Api = {
  [D in Domain]: { [V in keyof Contract[D]]: (request: RequestOf<D, V>) => Promise<ResponseOf<D, V>> };
} & {
  on<T extends Topic>(topic: T, listener: (payload: PayloadOf<T>) => void): () => void;
};

/** How a failed request comes back over either shell. */
export const ErrorBodySchema = z.object({
  code: z.enum(['bad-request', 'not-found', 'failed', 'forbidden']),
  message: z.string(),
});
export type ErrorBody = z.output<typeof ErrorBodySchema>;

/** The envelope of every response. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** Every channel name, `domain:verb`, with its schemas. */
export function channels(): Array<{
  name: string;
  domain: Domain;
  verb: string;
  request: z.ZodType;
  response: z.ZodType;
}> {
  const out: Array<{ name: string; domain: Domain; verb: string; request: z.ZodType; response: z.ZodType }> =
    [];
  for (const domain of Object.keys(contract) as Domain[]) {
    for (const [verb, spec] of Object.entries(contract[domain]) as Array<
      [string, { request: z.ZodType; response: z.ZodType }]
    >) {
      out.push({ name: `${domain}:${verb}`, domain, verb, request: spec.request, response: spec.response });
    }
  }
  return out;
}

/** Thrown in the console when a request fails; `code` says whose fault it was. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorBody['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The Api as it crosses a process boundary: every call answers a Result instead of throwing, because
 * Electron's contextBridge keeps only the message of an error (the code would be lost).
 */
export type ResultApi = {
  [D in Domain]: {
    [V in keyof Contract[D]]: (request: RequestOf<D, V>) => Promise<Result<ResponseOf<D, V>>>;
  };
} & {
  on<T extends Topic>(topic: T, listener: (payload: PayloadOf<T>) => void): () => void;
};

/**
 * Builds the Result-answering Api over any transport that can invoke a channel and subscribe to a
 * topic. Responses are checked against the contract here, on the receiving side.
 */
export function buildResultApi(
  invoke: (channel: string, request: unknown) => Promise<Result<unknown>>,
  subscribe: (topic: Topic, listener: (payload: unknown) => void) => () => void,
): ResultApi {
  const api: Record<string, unknown> = {};
  for (const c of channels()) {
    const domain = (api[c.domain] ??= {}) as Record<string, unknown>;
    domain[c.verb] = async (request: unknown): Promise<Result<unknown>> => {
      const result = await invoke(c.name, request ?? {});
      if (!result.ok) return result;
      const parsed = c.response.safeParse(result.value);
      if (!parsed.success) {
        return {
          ok: false,
          error: {
            code: 'failed',
            message: `${c.name} answered in an unexpected shape: ${parsed.error.message}`,
          },
        };
      }
      return { ok: true, value: parsed.data };
    };
  }
  api.on = (topic: Topic, listener: (payload: unknown) => void) => subscribe(topic, listener);
  return api as ResultApi;
}

/** The console's Api over a Result-answering one: failures become ApiErrors with their code. */
export function unwrapApi(results: ResultApi): Api {
  const api: Record<string, unknown> = {};
  const source = results as unknown as Record<
    string,
    Record<string, (r: unknown) => Promise<Result<unknown>>>
  >;
  for (const c of channels()) {
    const domain = (api[c.domain] ??= {}) as Record<string, unknown>;
    const call = source[c.domain]![c.verb]!;
    domain[c.verb] = async (request: unknown) => {
      const result = await call(request ?? {});
      if (!result.ok) throw new ApiError(result.error.code, result.error.message);
      return result.value;
    };
  }
  api.on = (topic: Topic, listener: (payload: unknown) => void) => results.on(topic, listener as never);
  return api as Api;
}

/** The console's Api over a transport (browser mode). */
export function buildApi(
  invoke: (channel: string, request: unknown) => Promise<Result<unknown>>,
  subscribe: (topic: Topic, listener: (payload: unknown) => void) => () => void,
): Api {
  return unwrapApi(buildResultApi(invoke, subscribe));
}
