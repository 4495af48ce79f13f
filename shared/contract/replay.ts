// The replay domain of the contract: a recorded connection sent again to an endpoint and its answers
// compared (replay:*), served back as a mock server with faults (mock:*), or written as a load test
// for Artillery or k6. The console's panels and `frameline replay|mock|export` send the same
// requests; the flags are these fields, in the same units.
import { z } from 'zod';
import { FindingSchema } from '../findings.js';
import { FaultError, parseFault, type Fault, type FaultHost } from '../replay/faults.js';
import { ignoreEntryError } from '../replay/volatile.js';
import {
  HeaderSchema,
  IdFieldSchema as JsonIdFieldSchema,
  numberIn,
  SubprotocolSchema,
  TlsPemFields,
} from './fields.js';
import { ClosedBySchema, ErrorKindSchema } from './sessions.js';

const id = z.number().int().positive();
const YEAR_SECONDS = 31_536_000;

const SPEED_WORDS = 'must be "max" or a number from 0.01 to 1000';
/** A factor of the recorded pace, or "max": as fast as the socket takes them. */
export const SpeedSchema = z.union([
  z.literal('max'),
  z.number({ error: SPEED_WORDS }).min(0.01, { error: SPEED_WORDS }).max(1000, { error: SPEED_WORDS }),
]);

/** A JSON field name that pairs a request with its answer. */
const IdFieldSchema = JsonIdFieldSchema.default('id');

/** A connection of the session, by its ordinal (1 is the first attempt). */
const ConnectionOrdinalSchema = numberIn(1, 1_000_000_000, '', { integer: true });

/** Replay a recorded connection to an endpoint and compare the answers. */
export const ReplayRequestSchema = z.object({
  sessionId: id,
  /** The connection to replay; default the first that sent anything. */
  connection: ConnectionOrdinalSchema.optional(),
  /** The endpoint to send to. */
  to: z
    .string()
    .min(1, { error: 'give the endpoint to replay to, such as ws://staging.example.com/ws' })
    .max(2048),
  speed: SpeedSchema.default(1),
  /** Send the recorded pings too. */
  pings: z.boolean().default(false),
  /** Headers that replace recorded ones of the same name (or add to them). */
  headers: z.array(HeaderSchema).max(100).default([]),
  /** Replaces the recorded Origin. */
  origin: z.string().min(1).max(512).optional(),
  /** Replaces the recorded subprotocols. */
  subprotocols: z.array(SubprotocolSchema).max(20).optional(),
  /** The CA, client certificate and key as PEM text (never a path). */
  ...TlsPemFields,
  insecure: z.boolean().default(false),
  connectTimeoutSeconds: numberIn(0.001, YEAR_SECONDS, 'seconds').default(10),
  idField: IdFieldSchema,
  /** Fields left out of the comparison: names at any depth, or JSONPaths ($.quote.ts). */
  ignore: z
    .array(
      z
        .string()
        .min(1)
        .max(500)
        .superRefine((entry, ctx) => {
          const error = ignoreEntryError(entry);
          if (error)
            ctx.addIssue({
              code: 'custom',
              message: `is not a JSONPath such as $.quote.ts or $.items[*].at (${error})`,
            });
        }),
    )
    .max(100)
    .default([]),
  /** Keep the connection open this long after the last message instead of replaying the recorded close. */
  keepOpenSeconds: numberIn(0, 86_400, 'seconds').optional(),
  /** How long answers still missing are waited for before the close. */
  waitSeconds: numberIn(0, 3600, 'seconds').default(5),
  name: z.string().trim().min(1).max(200).optional(),
  /** Names this run in its progress pushes. */
  runId: z.string().min(1).max(100).optional(),
});

/** One answer of the original beside the replay's. */
export const ReplayPairSchema = z.object({
  kind: z.enum(['matched', 'changed', 'missing', 'extra']),
  id: z.union([z.string(), z.number()]).nullable(),
  request: z.string().nullable(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
  /** Where they differ, as JSONPaths ($.price). */
  paths: z.array(z.string()),
  originalMs: z.number().nullable(),
  replayMs: z.number().nullable(),
});

/** What a replay did and found. */
export const ReplayResultSchema = z.object({
  /** The session replayed, and which of its connections. */
  source: id,
  connection: z.number().int().positive(),
  /** The new session (kind replay) that recorded the run. */
  sessionId: id,
  target: z.string(),
  /** Messages the original sent, and how many of them the replay sent. */
  planned: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  matched: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
  extra: z.number().int().nonnegative(),
  /** Fields left out of the comparison. */
  ignored: z.array(z.string()),
  latency: z.object({
    originalP50Ms: z.number().nullable(),
    originalP95Ms: z.number().nullable(),
    replayP50Ms: z.number().nullable(),
    replayP95Ms: z.number().nullable(),
  }),
  pairs: z.array(ReplayPairSchema),
  /** How the replay's connection went. */
  outcome: z.object({
    opened: z.boolean(),
    closeCode: z.number().int().nullable(),
    closeReason: z.string().nullable(),
    closedBy: ClosedBySchema.nullable(),
    error: z.object({ kind: ErrorKindSchema, message: z.string() }).nullable(),
    /** The recorded close of the original, for comparison. */
    originalCloseCode: z.number().int().nullable(),
    originalClosedBy: ClosedBySchema.nullable(),
  }),
  /** Why the connection never opened, as findings (server-unreachable, tls-error…). */
  findings: z.array(FindingSchema),
});

/** Progress of a running replay. */
export const ReplayProgressSchema = z.object({
  runId: z.string(),
  source: id,
  /** The new session, once created. */
  sessionId: id,
  state: z.enum(['connecting', 'sending', 'waiting', 'done']),
  planned: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
});

/** Faults as written (`idle-cut=30`), parsed for their host; each kind at most once. */
export function faultList(host: FaultHost) {
  return z
    .array(faultField(host))
    .max(10)
    .default([])
    .refine((fs) => new Set(fs.map((f) => f.kind)).size === fs.length, {
      error: 'names a fault twice; give each fault once',
    });
}

/** One fault as written, parsed for its host. */
export function faultField(host: FaultHost) {
  return z.string().transform((text, ctx): Fault => {
    try {
      return parseFault(text, host);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof FaultError ? err.message : String(err) });
      return z.NEVER;
    }
  });
}

export const MockModeSchema = z.enum(['timed', 'reactive']);

/** Serve a recorded connection's server side as a WebSocket server. */
export const MockRequestSchema = z.object({
  sessionId: id,
  /** The connection whose server side is served; default the first that received anything. */
  connection: ConnectionOrdinalSchema.optional(),
  host: z.string().min(1).max(255).default('127.0.0.1'),
  port: numberIn(0, 65535, '', { integer: true }).default(0),
  mode: MockModeSchema.default('timed'),
  loop: z.boolean().default(false),
  speed: numberIn(0.01, 1000).default(1),
  faults: faultList('mock'),
  idField: IdFieldSchema,
  name: z.string().trim().min(1).max(200).optional(),
  /**
   * Push `mock:client` as each client connects and as it ends (the command line prints a line for
   * each); the console reads `mock:status` instead and leaves this off.
   */
  clientEvents: z.boolean().default(false),
});

/** One client of a mock. */
export const MockClientSchema = z.object({
  /** Its connection in the mock's session. */
  ordinal: z.number().int().positive(),
  remote: z.string(),
  openedAt: z.string(),
  state: z.enum(['open', 'closed']),
  framesIn: z.number().int().nonnegative(),
  framesOut: z.number().int().nonnegative(),
  /** How it ended, in words ("cut by idle-cut after 2 s without traffic"). */
  ending: z.string().nullable(),
});

/** A running (or stopped) mock as the console sees it. */
export const MockStatusSchema = z.object({
  /** The mock's own session (kind mock), which records every client. */
  sessionId: id,
  source: id,
  connection: z.number().int().positive(),
  url: z.string(),
  /** The port it listens on (the one asked for, or the free one it got). */
  port: z.number().int().positive(),
  /** It listens on a loopback address: only this machine can reach it. */
  loopback: z.boolean(),
  mode: MockModeSchema,
  loop: z.boolean(),
  speed: z.number(),
  faults: z.array(z.string()),
  state: z.enum(['listening', 'stopped']),
  /** Clients that connected so far. */
  connections: z.number().int().nonnegative(),
  /** The latest clients (at most 50), newest last. */
  clients: z.array(MockClientSchema),
});

/** A client of a mock connected or ended (pushed only for a mock started with `clientEvents`). */
export const MockClientEventSchema = z.object({
  /** The mock's own session. */
  sessionId: id,
  event: z.enum(['connected', 'ended']),
  client: MockClientSchema,
});

/** Write a recorded connection as a load test. */
export const LoadTestRequestSchema = z
  .object({
    sessionId: id,
    format: z.enum(['artillery', 'k6']),
    connection: ConnectionOrdinalSchema.optional(),
    idField: IdFieldSchema,
    /** Virtual users; more than one arrive evenly over durationSeconds. */
    users: numberIn(1, 1_000_000, '', { integer: true }).default(1),
    durationSeconds: numberIn(1, YEAR_SECONDS, 'seconds').optional(),
  })
  .refine((r) => r.users === 1 || r.durationSeconds !== undefined, {
    error: 'is needed with more than one user: the seconds over which they arrive',
    path: ['durationSeconds'],
  });

export const LoadTestSchema = z.object({
  format: z.enum(['artillery', 'k6']),
  text: z.string(),
  /** A file name to save it under. */
  fileName: z.string(),
  /** Environment variables the script reads instead of the secrets the session recorded. */
  secrets: z.array(z.object({ name: z.string(), what: z.string() })),
  notes: z.array(z.string()),
});

/** `replay:*` */
export const replayChannels = {
  run: { request: ReplayRequestSchema, response: ReplayResultSchema },
  export: { request: LoadTestRequestSchema, response: LoadTestSchema },
  /**
   * Stops a running replay early (as Ctrl+C stops `frameline replay`): what was sent and received
   * so far is compared and kept, and `replay:run` answers with it. `stopped` is false when no such
   * replay runs (it had ended already).
   */
  stop: {
    request: z.object({ runId: z.string().min(1).max(100) }),
    response: z.object({ stopped: z.boolean() }),
  },
} as const;

/** `mock:*` */
export const mockChannels = {
  start: { request: MockRequestSchema, response: MockStatusSchema },
  /**
   * Stops a mock: it stops listening, closes its clients with 1001 and commits its session. Answers
   * the mock as it ended (the command line prints how many clients it recorded).
   */
  stop: { request: z.object({ sessionId: id }), response: MockStatusSchema },
  list: { request: z.object({}), response: z.array(MockStatusSchema) },
} as const;

/** Push topics of replay and mock. */
export const replayTopics = {
  /** A replay sent or received messages (at most ten a second per run). */
  'replay:progress': ReplayProgressSchema,
  /** A mock's clients changed (at most ten a second per mock). */
  'mock:status': MockStatusSchema,
  /** A client of a mock started with `clientEvents` connected or ended (one push each). */
  'mock:client': MockClientEventSchema,
} as const;

/** A replay request as the engine sees it, defaults filled in. */
export type ReplayRequest = z.output<typeof ReplayRequestSchema>;
/** What a replay did and found. */
export type ReplayResult = z.output<typeof ReplayResultSchema>;
/** One answer of the original beside the replay's. */
export type ReplayPair = z.output<typeof ReplayPairSchema>;
/** Progress of a running replay. */
export type ReplayProgress = z.output<typeof ReplayProgressSchema>;
/** A mock request as the engine sees it, faults parsed. */
export type MockRequest = z.output<typeof MockRequestSchema>;
/** A mock as the console sees it. */
export type MockStatus = z.output<typeof MockStatusSchema>;
/** One client of a mock. */
export type MockClient = z.output<typeof MockClientSchema>;
/** A load-test export request, defaults filled in. */
export type LoadTestRequest = z.output<typeof LoadTestRequestSchema>;
/** A load-test script with what it reads from the environment. */
export type LoadTest = z.output<typeof LoadTestSchema>;
