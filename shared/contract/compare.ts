// "Did the fix work?": two recorded sessions side by side (before and after a mitigation), each
// measured the way a diagnosis and a report measure it, with the differences and a verdict in one
// line. Spread into the one contract as `diagnose:compare`; the report's "Before and after" section
// is this same answer.
import { z } from 'zod';
import { FindingSchema, SeveritySchema } from '../findings.js';
import { IdFieldSchema } from './fields.js';
import { LatencySchema, LifetimesSchema, ReconnectsSchema, SpansSchema } from './session-measures.js';
import {
  ClosedBySchema,
  DirectionSchema,
  OpcodeSchema,
  SessionKindSchema,
  SessionStatusSchema,
} from './sessions.js';

const id = z.number().int().positive();

/** One session of a comparison, measured. */
export const ComparedSessionSchema = z.object({
  session: z.object({
    id,
    name: z.string(),
    kind: SessionKindSchema,
    /** Redacted. */
    target: z.string(),
    status: SessionStatusSchema,
    createdAt: z.string(),
    endedAt: z.string().nullable(),
    frames: z.number().int().nonnegative(),
    /** From its first attempt to its end (or its last frame). */
    durationSeconds: z.number().nonnegative(),
  }),
  connections: z.object({
    total: z.number().int().nonnegative(),
    opened: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
  /** How connections ended: close code (null: none) and who closed, counted. */
  closes: z.array(
    z.object({
      code: z.number().int().nullable(),
      /** The code's name, or how a connection without one ended (`refused`, `open`). */
      name: z.string(),
      closedBy: ClosedBySchema.nullable(),
      count: z.number().int().positive(),
    }),
  ),
  lifetimes: LifetimesSchema,
  /** Seconds from the last traffic to each close; `timeoutSeconds` is the idle timeout the diagnosis found. */
  idleBeforeClose: z.object({
    connections: z.number().int().nonnegative(),
    medianSeconds: z.number().nullable(),
    maxSeconds: z.number().nullable(),
    timeoutSeconds: z.number().nullable(),
  }),
  reconnects: ReconnectsSchema,
  /** Ping/pong round trips (WebSocket pings). */
  heartbeat: LatencySchema.nullable(),
  /** Answers paired with their requests by id (or by the protocol's own pairing). */
  answers: z.object({
    latency: LatencySchema.nullable(),
    requests: z.number().int().nonnegative(),
    answered: z.number().int().nonnegative(),
  }),
  /** Frames by direction and kind. */
  frameKinds: z.array(
    z.object({ direction: DirectionSchema, opcode: OpcodeSchema, count: z.number().int() }),
  ),
  /** Decoded messages by direction and type, where the connection's protocol is known. */
  messageTypes: z.array(z.object({ direction: DirectionSchema, type: z.string(), count: z.number().int() })),
  findings: z.array(FindingSchema),
  /** The connections on the session's time axis, for the lifetime chart. */
  timeline: SpansSchema,
});

/** One measure of both sessions, in words, and whether the change is for the better. */
export const ComparisonRowSchema = z.object({
  measure: z.string(),
  before: z.string(),
  after: z.string(),
  change: z.enum(['better', 'worse', 'same', 'different']),
});

/** Two sessions compared: `before` and `after` a fix. */
export const ComparisonSchema = z.object({
  before: ComparedSessionSchema,
  after: ComparedSessionSchema,
  rows: z.array(ComparisonRowSchema),
  findings: z.object({
    /** In the before session only: what the fix removed. */
    gone: z.array(FindingSchema),
    /** In the after session only: what is new. */
    appeared: z.array(FindingSchema),
    /** In both (by id), with the after session's severity. */
    remaining: z.array(
      z.object({
        id: FindingSchema.shape.id,
        severity: SeveritySchema,
        before: z.string(),
        after: z.string(),
      }),
    ),
  }),
  verdict: z.object({
    /** One line: "the 3 s idle cuts are gone; p95 answer latency 410 → 95 ms". */
    text: z.string(),
    tone: z.enum(['better', 'worse', 'mixed', 'same', 'inconclusive']),
  }),
});

/** What `diagnose:compare` is asked. */
export const CompareRequestSchema = z.object({
  before: id,
  after: id,
  /** The JSON field that pairs a request with its response (default "id"). */
  idField: IdFieldSchema.optional(),
});

/** Two sessions compared. */
export type Comparison = z.output<typeof ComparisonSchema>;
/** One session of a comparison, measured. */
export type ComparedSession = z.output<typeof ComparedSessionSchema>;
/** One row of a comparison. */
export type ComparisonRow = z.output<typeof ComparisonRowSchema>;
