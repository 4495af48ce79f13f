// The capture domain of the contract: attach to an endpoint and record every frame. The console's
// attach screen and `frameline capture` send the same request; the flags of the command line are
// these fields, in the same units, so a value out of range reads the same in both.
import { z } from 'zod';
import { MAX_SCRIPT_CHARS } from '../capture-script.js';
import { ProtocolChoiceSchema } from '../protocols/names.js';
import { HeaderSchema, numberIn, SubprotocolSchema, TlsPemFields } from './fields.js';
import { ProtocolMessageSchema } from './messages.js';
import { ConnectionSchema, OpcodeSchema } from './sessions.js';

const id = z.number().int().positive();
const ok = z.object({ ok: z.literal(true) });
/** A year: the longest any duration may be. */
const YEAR_SECONDS = 31_536_000;

/** How a capture reconnects: exponential backoff with jitter. */
export const ReconnectPolicySchema = z
  .object({
    /** First delay in milliseconds. */
    baseMs: numberIn(0, 3_600_000, 'ms').default(500),
    /** Ceiling of the delay in milliseconds. */
    maxMs: numberIn(0, 3_600_000, 'ms').default(30_000),
    /** Growth of the delay per consecutive attempt. */
    factor: numberIn(1, 10).default(2),
    /** Random spread as a fraction of the delay (0.2 = ±20 %). */
    jitter: numberIn(0, 1).default(0.2),
    /** Consecutive failed attempts before giving up. */
    attempts: numberIn(1, 1_000_000, '', { integer: true }).default(10),
    /**
     * Give up at once when the server refuses the upgrade with a status a retry cannot change
     * (400, 401, 403, 404, 405, 426): a walk's check reports the refusal instead of retrying it.
     */
    giveUpOnRefusal: z.boolean().default(false),
  })
  .refine((r) => r.maxMs >= r.baseMs, {
    error: 'the longest reconnect delay must not be shorter than the first one',
    path: ['maxMs'],
  });

/** At most this many messages are sent when a connection opens, each at most this long. */
export const MAX_SENDS = 1000;
export const MAX_SEND_CHARS = 1024 * 1024;

/** What a capture is asked to do: the attach screen's form and `frameline capture`'s flags. */
export const CaptureRequestSchema = z.object({
  url: z.string().min(1, { error: 'give the endpoint URL, such as ws://localhost:8080/ws' }).max(2048),
  name: z.string().trim().min(1).max(200).optional(),
  headers: z.array(HeaderSchema).max(100).default([]),
  origin: z.string().min(1).max(512).optional(),
  subprotocols: z.array(SubprotocolSchema).max(20).default([]),
  compression: z.boolean().default(false),
  /** The CA, client certificate and key as PEM text (never a path: the engine reads no file a request names). */
  ...TlsPemFields,
  insecure: z.boolean().default(false),
  /** Proxy URL; null for none; absent to use the environment. */
  proxy: z.string().min(1).nullable().optional(),
  /** Bounds TCP, TLS and the upgrade together. */
  connectTimeoutSeconds: numberIn(0.001, YEAR_SECONDS, 'seconds').default(10),
  /** Largest message accepted from the peer (bigger ones close the connection with 1009). */
  maxPayload: numberIn(1, 2 ** 32, 'bytes', { integer: true }).default(100 * 1024 * 1024),
  /** Payload bytes stored per frame; longer payloads are stored truncated with their real size. */
  payloadCap: numberIn(0, 2 ** 31, 'bytes', { integer: true }).default(1024 * 1024),
  pingIntervalSeconds: numberIn(0.01, YEAR_SECONDS, 'seconds').optional(),
  reconnect: ReconnectPolicySchema.optional(),
  /**
   * The application protocol Frameline speaks on each connection (Socket.IO, graphql-ws…), or
   * `none` for a plain socket. Absent: the URL (`/socket.io/`) or the subprotocol the 101 chose says.
   */
  protocol: ProtocolChoiceSchema.optional(),
  /** JSON text sent with the protocol's opening: graphql-ws `connection_init` payload, Socket.IO auth. */
  initPayload: z.string().min(1).max(MAX_SEND_CHARS).optional(),
  /** What to ask for the protocol's way, in order: a GraphQL subscription document, a Socket.IO namespace… */
  subscribe: z.array(z.string().min(1).max(MAX_SEND_CHARS)).max(MAX_SENDS).default([]),
  /** Messages sent when a connection opens, after the protocol's opening was answered (and on every reconnect), in order. */
  sends: z.array(z.string().max(MAX_SEND_CHARS)).max(MAX_SENDS).default([]),
  /**
   * A conversation run on each connection once its protocol is open, after `sends`: one step a
   * line (send, expect, sleep, ping, close; see shared/capture-script.ts and docs/cli.md).
   */
  script: z.string().min(1).max(MAX_SCRIPT_CHARS).optional(),
  /** The file `script` was read from, named in the sentence about a mistake in it (as the command line gives it). */
  scriptFile: z.string().min(1).max(4096).optional(),
  /** Sends the messages again at this interval while connected. */
  sendEverySeconds: numberIn(0.01, YEAR_SECONDS, 'seconds').optional(),
  /** Stops the capture this long after the first connection opened. */
  durationSeconds: numberIn(0.001, YEAR_SECONDS, 'seconds').optional(),
  /**
   * Push `capture:event` as each connection opens and ends, as a reconnect is scheduled, as another
   * process takes the database's lock and gives it back, and once when the capture has ended (the
   * command line prints a line for each); the console reads `capture:status` and leaves this off.
   */
  events: z.boolean().default(false),
  /**
   * Push `capture:frame` for up to this many frames a second (the command line's live frame lines);
   * frames past it are counted, never dropped from the recording. Absent: no frame is pushed.
   */
  liveFrames: numberIn(1, 10_000, 'frames a second', { integer: true }).optional(),
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

/** How a capture came to its end. */
export const CaptureStopSchema = z.enum(['peer', 'duration', 'user', 'gave-up', 'failed', 'script']);

/** How one connection of a capture ended: its close, or why it failed. */
const ConnectionEndSchema = ConnectionSchema.pick({
  closeCode: true,
  closeReason: true,
  closedBy: true,
  error: true,
});

/** Something that happened to a capture started with `events`: one push each, in order. */
export const CaptureEventSchema = z.discriminatedUnion('event', [
  /** A connection opened; `connection` is its ordinal in the session. */
  z.object({ sessionId: id, event: z.literal('opened'), connection: id }),
  /** A connection ended. */
  ConnectionEndSchema.extend({ sessionId: id, event: z.literal('closed'), connection: id }),
  /** The next connection is tried after a delay (the attempt counts consecutive failures). */
  z.object({
    sessionId: id,
    event: z.literal('reconnecting'),
    attempt: id,
    delayMs: z.number().nonnegative(),
  }),
  /** Another process holds the database's lock (frames wait in the spool), or gave it back. */
  z.object({ sessionId: id, event: z.literal('lock'), locked: z.boolean() }),
  /** The capture has ended: every frame is committed, or safe in its spool. Pushed last. */
  z.object({
    sessionId: id,
    event: z.literal('ended'),
    stoppedBy: CaptureStopSchema,
    /** At least one connection opened (and its protocol's opening, if one is spoken, was accepted). */
    opened: z.boolean(),
    /** Why the recording could not finish normally (a full disk...), in one sentence; else null. */
    failure: z.string().nullable(),
    /** The script step that failed (an expect that timed out), in one sentence; else null. */
    scriptFailure: z.string().nullable(),
    /**
     * Frames (and the connections they belong to) that a full disk or a held lock left in the
     * spool, committed the next time the database is opened; null when none wait.
     */
    waitingInSpool: z
      .object({ frames: z.number().int().nonnegative(), connections: z.number().int().nonnegative() })
      .nullable(),
    /** Frames recorded after the last `capture:frame` push that were not pushed (past `liveFrames`). */
    skippedFrames: z.number().int().nonnegative(),
  }),
]);

/** Bytes of a payload a `capture:frame` push carries: enough for a one-line preview. */
export const FRAME_HEAD_BYTES = 512;

/** A frame as it was recorded, for the live lines of a capture started with `liveFrames`. */
export const CaptureFrameSchema = z.object({
  sessionId: id,
  connection: id,
  seq: id,
  /** Microseconds since the epoch, on the capture's clock. */
  ts: z.number(),
  direction: z.enum(['in', 'out']),
  opcode: OpcodeSchema,
  /** The payload's whole size in bytes. */
  size: z.number().int().nonnegative(),
  /** The first FRAME_HEAD_BYTES bytes of the payload, base64. */
  head: z.string(),
  /** The frame's message in its connection's protocol, decoded from the whole payload; null when none. */
  message: ProtocolMessageSchema.nullable().default(null),
  /** Frames recorded since the previous push that were not pushed (past `liveFrames` a second). */
  skipped: z.number().int().nonnegative(),
});

/** `capture:*` */
export const captureChannels = {
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
} as const;

/** Push topics of capture. */
export const captureTopics = {
  /** A live capture changed (coalesced: at most ten a second per capture). */
  'capture:status': CaptureStatusSchema,
  /** Connections, reconnects, the database's lock and the end of a capture started with `events`. */
  'capture:event': CaptureEventSchema,
  /** A recorded frame of a capture started with `liveFrames` (at most that many a second). */
  'capture:frame': CaptureFrameSchema,
} as const;

/** A capture request as the engine sees it, defaults filled in. */
export type CaptureRequest = z.output<typeof CaptureRequestSchema>;
/** A reconnect policy with its defaults filled in. */
export type ReconnectPolicy = z.output<typeof ReconnectPolicySchema>;
/** A live capture's state. */
export type CaptureStatus = z.output<typeof CaptureStatusSchema>;
/** How a capture came to its end. */
export type CaptureStop = z.output<typeof CaptureStopSchema>;
/** What a capture started with `events` pushes. */
export type CaptureEvent = z.output<typeof CaptureEventSchema>;
/** A frame pushed for a capture started with `liveFrames`. */
export type CaptureFrame = z.output<typeof CaptureFrameSchema>;
