// The request channels and push topics of incidents, runbooks and walks, spread into the one
// contract (shared/contract.ts) under the domains `incidents`, `runbooks` and `walks`.
import { z } from 'zod';
import {
  IncidentSchema,
  IncidentStatusSchema,
  RunbookProblemSchema,
  RunbookSchema,
  RunbookSummarySchema,
  SeveritySchema,
  TimelineEntrySchema,
  WalkSummarySchema,
  WalkViewSchema,
} from '../runbooks/schemas.js';

const id = z.number().int().positive();
const ok = z.object({ ok: z.literal(true) });
const runbookId = z.string().min(1).max(64);
const url = z.string().min(1).max(2048);

/** Bounds of a shell run's output cap (the engine keeps the first and the last half of it). */
export const OUTPUT_CAP_MIN_BYTES = 1024;
export const OUTPUT_CAP_MAX_BYTES = 16 * 1024 * 1024;
export const OUTPUT_CAP_DEFAULT_BYTES = 64 * 1024;

/** `incidents:*` */
export const incidentChannels = {
  create: {
    request: z.object({ title: z.string().trim().min(1).max(200), severity: SeveritySchema.optional() }),
    response: IncidentSchema,
  },
  list: { request: z.object({}), response: z.array(IncidentSchema) },
  get: {
    request: z.object({ id }),
    response: z.object({
      incident: IncidentSchema,
      walks: z.array(WalkSummarySchema),
      timeline: z.array(TimelineEntrySchema),
    }),
  },
  update: {
    request: z.object({
      id,
      title: z.string().trim().min(1).max(200).optional(),
      severity: SeveritySchema.optional(),
      status: IncidentStatusSchema.optional(),
      summary: z.string().max(20_000).optional(),
      rootCause: z.string().max(20_000).optional(),
      impact: z.string().max(20_000).optional(),
    }),
    response: IncidentSchema,
  },
} as const;

/** `runbooks:*` */
export const runbookChannels = {
  list: { request: z.object({}), response: z.array(RunbookSummarySchema) },
  get: {
    request: z.object({ id: runbookId }),
    response: RunbookSchema.extend({
      source: z.enum(['builtin', 'imported']),
      /** The runbook file, to show or to copy as a template. */
      markdown: z.string(),
    }),
  },
  /** The console reads the file; the engine parses and stores it. */
  import: {
    request: z.object({
      fileName: z.string().min(1).max(255),
      text: z.string().max(1024 * 1024),
      replace: z.boolean().default(false),
    }),
    response: z.object({ runbook: RunbookSummarySchema, replaced: z.boolean() }),
  },
  validate: {
    request: z.object({ fileName: z.string().min(1).max(255), text: z.string().max(1024 * 1024) }),
    response: z.object({
      valid: z.boolean(),
      problem: RunbookProblemSchema.nullable(),
      runbook: RunbookSchema.nullable(),
    }),
  },
} as const;

/** `walks:*` */
export const walkChannels = {
  start: {
    request: z.object({ incidentId: id, runbookId, target: url.optional(), direct: url.optional() }),
    response: WalkViewSchema,
  },
  list: { request: z.object({ incidentId: id.optional() }), response: z.array(WalkSummarySchema) },
  get: { request: z.object({ id }), response: WalkViewSchema },
  /** Takes a way on: an edge label, a node id or a 1-based number; none when there is one way. */
  choose: { request: z.object({ id, label: z.string().max(500).optional() }), response: WalkViewSchema },
  back: { request: z.object({ id }), response: WalkViewSchema },
  note: { request: z.object({ id, text: z.string().trim().min(1).max(10_000) }), response: WalkViewSchema },
  /** Ticks (or unticks) a step of a node's checklist: the current node's unless `node` is given. */
  check: {
    request: z.object({
      walk: id,
      node: z.string().min(1).max(200).optional(),
      step: z.number().int().positive(),
      checked: z.boolean(),
    }),
    response: WalkViewSchema,
  },
  /** Attaches a finding seen elsewhere; it feeds the suggestions. */
  finding: {
    request: z.object({ id, finding: z.string().min(1).max(64), evidence: z.string().max(2000) }),
    response: WalkViewSchema,
  },
  /**
   * Runs the current node's shell command on the engine's machine: only with `confirmed: true` for
   * this run, and exactly the `command` given (the step's, possibly edited). Output streams on
   * `shell:output`; the end comes with `walk:changed` and is in `walks:get`.
   */
  run: {
    request: z.object({
      id,
      step: z.number().int().positive().optional(),
      command: z.string().min(1).max(100_000),
      confirmed: z.literal(true),
      timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
      /** Bytes of output kept (the first and the last half); default 64 KiB. */
      outputCapBytes: z.number().int().min(OUTPUT_CAP_MIN_BYTES).max(OUTPUT_CAP_MAX_BYTES).optional(),
    }),
    response: z.object({ runId: id }),
  },
  /** Runs the current node's app action; arguments override the step's. */
  action: {
    request: z.object({
      id,
      step: z.number().int().positive().optional(),
      url: url.optional(),
      direct: url.optional(),
      session: id.optional(),
      duration: z.number().positive().max(3600).optional(),
    }),
    response: z.object({ runId: id }),
  },
  stop: { request: z.object({ runId: id }), response: ok },
} as const;

/** Push topics of walks. */
export const walkTopics = {
  /** A walk or an incident changed (moved, noted, a run started or ended): fetch it again. */
  'walk:changed': z.object({ walkId: id.nullable(), incidentId: id }),
  /** Output of a running shell command, in order, coalesced (about ten a second per run). */
  'shell:output': z.object({
    walkId: id,
    runId: id,
    stream: z.enum(['stdout', 'stderr']),
    text: z.string(),
  }),
} as const;
