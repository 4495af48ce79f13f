// The incident report as data: built once by the engine (redacted), validated by this schema, and
// then written as JSON, Markdown, self-contained HTML or PDF. Its sections follow the post-mortem
// templates of Google SRE, PagerDuty and Atlassian: header and metrics, summary, impact, trigger,
// root cause, detection, resolution, timeline, findings, the runbook path taken, the evidence of
// each linked session, action items and lessons. Spread into the one contract as `reports`.
import { z } from 'zod';
import { FindingSchema } from '../findings.js';
import { ComparisonSchema } from './compare.js';
import { RedactionSchema, RedactionSummarySchema } from './fields.js';
import { NodeKindSchema } from '../runbooks/schemas.js';
import {
  ActionItemSchema,
  IncidentSchema,
  RunKindSchema,
  RunStatusSchema,
  WalkStatusSchema,
} from './incidents.js';
import { ProtocolNameSchema } from '../protocols/names.js';
import { ProtocolMessageSchema } from './messages.js';
import {
  LatencySchema,
  LifetimesSchema,
  ReconnectsSchema,
  ReportSpanSchema,
  SpansSchema,
} from './session-measures.js';
import { ScorecardSchema } from './diagnose.js';
import {
  ClosedBySchema,
  DamagedFramesSchema,
  OpcodeSchema,
  SessionKindSchema,
  SessionStatusSchema,
} from './sessions.js';

/** The version of the report's JSON: raised when a field changes meaning or goes away. */
export const REPORT_SCHEMA_VERSION = 1;

export { LatencySchema, ReportSpanSchema };

const isoTime = z.string();
const id = z.number().int().positive();

/** One connection of a linked session, as the report lists it. */
export const ReportConnectionSchema = z.object({
  ordinal: z.number().int().positive(),
  url: z.string(),
  startedAt: isoTime,
  openedAt: isoTime.nullable(),
  closedAt: isoTime.nullable(),
  /** From open to close (null for a handshake that failed, or a connection still open). */
  lifetimeSeconds: z.number().nullable(),
  status: z.number().int().nullable(),
  subprotocol: z.string().nullable(),
  closeCode: z.number().int().nullable(),
  closeReason: z.string().nullable(),
  closedBy: ClosedBySchema.nullable(),
  /** The relay's fault that ended it, and a relayed connection's close with the server (as in sessions). */
  closeFault: z.string().nullable().default(null),
  upstreamCloseCode: z.number().int().nullable().default(null),
  /** How it ended in a few words: `1006 Abnormal Closure`, `refused`. */
  outcome: z.string(),
  error: z.string().nullable(),
  frames: z.number().int().nonnegative(),
  /** The application protocol it spoke (chosen by the capture, or detected); null: none known. */
  protocol: ProtocolNameSchema.nullable().default(null),
});

/** A frame of a linked session as the report shows it, redacted as the exports redact frames. */
export const ReportFrameSchema = z.object({
  /** The ordinal of its connection in the session. */
  connection: z.number().int().positive(),
  ts: isoTime,
  direction: z.enum(['in', 'out']),
  opcode: OpcodeSchema,
  size: z.number().int().nonnegative(),
  /** Its message in its connection's protocol, decoded from the redacted payload; null when none. */
  message: ProtocolMessageSchema.nullable(),
  /** The message as the frame lists name it (`EVENT chat`, `PUBLISH sensors/1`); empty when none. */
  label: z.string(),
  /** The redacted payload in one line: text as is, a close's code and reason, other frames in hex. */
  preview: z.string(),
  /** Its stored bytes failed their check: nothing of it is shown. */
  damaged: z.boolean(),
});

/** What a linked session says: its connections and closes, and its traffic over time. */
export const ReportSessionSchema = z.object({
  id,
  name: z.string(),
  kind: SessionKindSchema,
  target: z.string(),
  status: SessionStatusSchema,
  createdAt: isoTime,
  endedAt: isoTime.nullable(),
  frames: z.number().int().nonnegative(),
  linkedVia: z.enum(['walk', 'user']),
  connections: z.object({
    total: z.number().int().nonnegative(),
    opened: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    /** The first connections (a reconnect storm has thousands: `omitted` says how many more). */
    shown: z.array(ReportConnectionSchema),
    omitted: z.number().int().nonnegative(),
  }),
  closeCodes: z.array(
    z.object({
      /** null: no close code (a failed handshake, a connection still open or interrupted). */
      code: z.number().int().nullable(),
      name: z.string(),
      meaning: z.string(),
      count: z.number().int().positive(),
    }),
  ),
  lifetimes: LifetimesSchema,
  reconnects: ReconnectsSchema,
  roundTrips: z.object({
    ping: LatencySchema.nullable(),
    requestResponse: LatencySchema.nullable(),
  }),
  /**
   * Frames the evidence read (pings, pongs, id-carrying messages) whose stored bytes failed their
   * check: left out of the round trips. Absent in reports made before checksums.
   */
  damagedFrames: DamagedFramesSchema.optional(),
  rate: z.object({
    startTs: z.number(),
    bucketUs: z.number(),
    incoming: z.array(z.number().int()),
    outgoing: z.array(z.number().int()),
  }),
  timeline: SpansSchema,
  /** The last frames the session recorded, in order: what was said before it ended. */
  lastFrames: z.array(ReportFrameSchema).default([]),
  /** The runbooks' success metrics of the session. Absent in reports made before the scorecard. */
  scorecard: ScorecardSchema.optional(),
});

/** A finding with where it came from. */
export const ReportFindingSchema = FindingSchema.extend({
  source: z.enum(['probe', 'diagnose', 'walk']),
  sessionId: id.nullable(),
  at: isoTime,
});

/** A command or an app action run at a step. */
export const ReportRunSchema = z.object({
  id,
  step: z.number().int().positive(),
  kind: RunKindSchema,
  request: z.string(),
  original: z.string().nullable(),
  status: RunStatusSchema,
  startedAt: isoTime,
  durationSeconds: z.number().nullable(),
  exitCode: z.number().int().nullable(),
  output: z.string(),
  /** The output here is cut (head and tail kept): at recording, at the report's cap, or both. */
  truncated: z.boolean(),
  outputBytes: z.number().int().nonnegative(),
  summary: z.string(),
  result: z.unknown(),
});

/** One visit of a node: its checklist, time box, runs and notes. */
export const ReportStepSchema = z.object({
  node: z.string(),
  label: z.string(),
  kind: NodeKindSchema,
  enteredAt: isoTime,
  leftAt: isoTime.nullable(),
  elapsedSeconds: z.number().nonnegative(),
  timeboxSeconds: z.number().int().positive().nullable(),
  overrun: z.boolean(),
  /** The way it was left: a choice, or going back. */
  leftBy: z.string().nullable(),
  /** False for a visit gone back from (it stays in the history). */
  onPath: z.boolean(),
  checklist: z.array(
    z.object({ index: z.number().int().positive(), title: z.string(), checked: z.boolean() }),
  ),
  runs: z.array(ReportRunSchema),
  notes: z.array(z.object({ at: isoTime, text: z.string() })),
});

/** The runbook's flowchart with the path taken, as data: the drawing and the mermaid are made from it. */
export const ReportFlowchartSchema = z.object({
  start: z.string(),
  nodes: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      kind: NodeKindSchema,
      state: z.enum(['current', 'visited', 'left', 'next', 'idle']),
      overrun: z.boolean(),
    }),
  ),
  edges: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      label: z.string().nullable(),
      state: z.enum(['taken', 'left', 'next', 'idle']),
    }),
  ),
});

/** A walk of the incident through a runbook. */
export const ReportWalkSchema = z.object({
  id,
  runbook: z.object({ id: z.string(), title: z.string(), version: z.string() }),
  target: z.string().nullable(),
  direct: z.string().nullable(),
  status: WalkStatusSchema,
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  /** The node ids of the path taken, in order. */
  path: z.array(z.string()),
  flowchart: ReportFlowchartSchema,
  steps: z.array(ReportStepSchema),
});

/** The whole report. */
export const ReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  generatedAt: isoTime,
  generator: z.object({ name: z.literal('Frameline'), version: z.string() }),
  redaction: RedactionSummarySchema,
  incident: IncidentSchema,
  timeline: z.array(
    z.object({
      ts: isoTime,
      kind: z.string(),
      walkId: id.nullable(),
      node: z.string().nullable(),
      text: z.string(),
    }),
  ),
  findings: z.array(ReportFindingSchema),
  walks: z.array(ReportWalkSchema),
  sessions: z.array(ReportSessionSchema),
  /** "Before and after": two of the linked sessions compared, when the report was asked for it. */
  comparison: ComparisonSchema.nullable().default(null),
  /** The runbooks' success metrics of the linked sessions together. Absent in reports made before the scorecard. */
  scorecard: ScorecardSchema.optional(),
  actionItems: z.array(ActionItemSchema),
});

/** Which two linked sessions the report's "Before and after" section compares. */
export const ReportCompareSchema = z.object({ before: id, after: id });

/** The formats a report is written in. */
export const ReportFormatSchema = z.enum(['md', 'html', 'pdf', 'json'], {
  error: 'must be md, html, pdf or json',
});

/** `reports:*` */
export const reportChannels = {
  /** The report as data (what `--format json` writes). */
  build: {
    request: z.object({
      incidentId: id,
      redaction: RedactionSchema.default({ enabled: true, fields: [], patterns: [] }),
      compare: ReportCompareSchema.optional(),
    }),
    response: ReportSchema,
  },
  /** The report written in a format, to save or to preview: text, or base64 for a PDF. */
  render: {
    request: z.object({
      incidentId: id,
      format: ReportFormatSchema,
      redaction: RedactionSchema.default({ enabled: true, fields: [], patterns: [] }),
      compare: ReportCompareSchema.optional(),
    }),
    response: z.object({
      fileName: z.string(),
      mimeType: z.string(),
      encoding: z.enum(['utf8', 'base64']),
      content: z.string(),
      redaction: RedactionSummarySchema,
      /**
       * The linked sessions with frames whose stored bytes failed their check (left out of their
       * round trips, and named in their evidence): the report is whole otherwise.
       */
      damaged: z.array(
        z.object({
          sessionId: id,
          damagedFrames: DamagedFramesSchema,
          /** For frames of a missing segment file: which file (or folder) to put back, and where. */
          restore: z.array(z.string()).default([]),
        }),
      ),
    }),
  },
} as const;

export type Report = z.output<typeof ReportSchema>;
export type ReportFormat = z.output<typeof ReportFormatSchema>;
export type ReportSession = z.output<typeof ReportSessionSchema>;
export type ReportFrame = z.output<typeof ReportFrameSchema>;
/** One connection of a linked session as the report lists it. */
export type ReportConnection = z.output<typeof ReportConnectionSchema>;
export type ReportWalk = z.output<typeof ReportWalkSchema>;
export type ReportStep = z.output<typeof ReportStepSchema>;
export type ReportRun = z.output<typeof ReportRunSchema>;
export type ReportFinding = z.output<typeof ReportFindingSchema>;
export type ReportFlowchart = z.output<typeof ReportFlowchartSchema>;
