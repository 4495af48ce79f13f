// Incidents, their timelines and walks, and the request channels and push topics of incidents,
// runbooks and walks, spread into the one contract (shared/contract.ts) under the domains
// `incidents`, `runbooks` and `walks`.
import { z } from 'zod';
import { SeveritySchema } from '../findings.js';
import { FINDING_IDS } from '../runbooks/finding-ids.js';
import { numberIn, SubprotocolSchema } from './fields.js';
import { MAX_SEND_CHARS } from './capture.js';
import { ProtocolChoiceSchema } from '../protocols/names.js';
import { SessionSummarySchema } from './sessions.js';
import { ConnectionProfileSchema, WalkProfileViewSchema } from './walk-profile.js';
import {
  NodeKindSchema,
  RunbookProblemSchema,
  RunbookProvenanceSchema,
  RunbookSchema,
  RunbookStepSchema,
  RunbookSummarySchema,
} from '../runbooks/schemas.js';

const id = z.number().int().positive();
const isoTime = z.string();
const ok = z.object({ ok: z.literal(true) });
const runbookId = z.string().min(1).max(64);
const url = z.string().min(1).max(2048);

/** True for an ISO-8601 time with a zone (Z or ±hh:mm) that names a real instant. */
export function isInstant(v: string): boolean {
  return (
    /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)$/.test(v) &&
    isCalendarDate(v.slice(0, 10)) &&
    !Number.isNaN(Date.parse(v))
  );
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(v: string): boolean {
  if (!/^\d{4}-\d\d-\d\d$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** How bad an incident is, P1 the worst. */
export const IncidentSeveritySchema = z.enum(['P1', 'P2', 'P3', 'P4'], {
  error: 'must be P1, P2, P3 or P4 (P1 the worst)',
});
export const IncidentStatusSchema = z.enum(['open', 'mitigated', 'resolved'], {
  error: 'must be open, mitigated or resolved',
});

/** How long the response took, derived from the incident's times; null until both ends are known. */
export const IncidentMetricsSchema = z.object({
  /** From the impact start to its detection. */
  timeToDetectSeconds: z.number().nullable(),
  /** From detection to a responder acknowledging it. */
  timeToAcknowledgeSeconds: z.number().nullable(),
  /** From the impact start (or, without one, detection) to mitigation: users stop hurting. */
  timeToMitigateSeconds: z.number().nullable(),
  /** From the impact start (or, without one, detection) to resolution: the cause is fixed. */
  timeToResolveSeconds: z.number().nullable(),
  /** Where time to mitigate and to resolve are counted from. */
  measuredFrom: z.enum(['impact-start', 'detected']),
});

/**
 * An incident and its post-mortem: what broke, how bad, when the impact started and when it was
 * detected, acknowledged, mitigated and resolved (and the metrics derived from those), who
 * responded, what happened in words (the order of the SRE, PagerDuty and Atlassian templates), and
 * the lessons.
 */
export const IncidentSchema = z.object({
  id,
  title: z.string(),
  severity: IncidentSeveritySchema,
  status: IncidentStatusSchema,
  impactStartedAt: isoTime.nullable(),
  detectedAt: isoTime,
  acknowledgedAt: isoTime.nullable(),
  mitigatedAt: isoTime.nullable(),
  resolvedAt: isoTime.nullable(),
  metrics: IncidentMetricsSchema,
  responders: z.array(z.string()),
  summary: z.string(),
  impact: z.string(),
  trigger: z.string(),
  rootCause: z.string(),
  detection: z.string(),
  resolution: z.string(),
  wentWell: z.string(),
  wentWrong: z.string(),
  gotLucky: z.string(),
});

/** What an action item is for: mitigate the next one, prevent it, or improve the response. */
export const ActionTypeSchema = z.enum(['mitigate', 'prevent', 'process'], {
  error: 'must be mitigate, prevent or process',
});

/** Something to do after the incident, with its owner and due date. */
export const ActionItemSchema = z.object({
  id,
  incidentId: id,
  title: z.string(),
  type: ActionTypeSchema,
  owner: z.string(),
  /** A calendar date, YYYY-MM-DD. */
  due: z.string().nullable(),
  /** A ticket or document. */
  link: z.string().nullable(),
  done: z.boolean(),
  doneAt: isoTime.nullable(),
  createdAt: isoTime,
});

/** A session that is evidence for an incident: linked by a walk's action, or by hand. */
export const LinkedSessionSchema = SessionSummarySchema.extend({
  linkedAt: isoTime,
  via: z.enum(['walk', 'user']),
});

/** One line of an incident's timeline: what happened, when, and where in a walk. */
export const TimelineEntrySchema = z.object({
  id,
  ts: isoTime,
  incidentId: id,
  walkId: id.nullable(),
  node: z.string().nullable(),
  runId: id.nullable(),
  kind: z.string(),
  text: z.string(),
  detail: z.unknown(),
});

export const WalkStatusSchema = z.enum(['active', 'finished']);
export const RunKindSchema = z.enum(['shell', 'probe', 'capture', 'relay', 'diagnose']);
export const RunStatusSchema = z.enum([
  'running',
  'ok',
  'failed',
  'timeout',
  'stopped',
  'unavailable',
  'interrupted',
]);

/** One shell command or app action run at a node of a walk. */
export const WalkRunSchema = z.object({
  id,
  node: z.string(),
  step: z.number().int().positive(),
  kind: RunKindSchema,
  /** The command as run (shell), or the action with its arguments as JSON. */
  request: z.string(),
  /** Shell: the runbook's command when the one run was edited. */
  original: z.string().nullable(),
  status: RunStatusSchema,
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  exitCode: z.number().int().nullable(),
  /** Shell output (stdout and stderr interleaved), capped: head and tail kept when truncated; a relay step: its address and its clients. */
  output: z.string(),
  truncated: z.boolean(),
  /** Bytes the command wrote in all. */
  outputBytes: z.number().int().nonnegative(),
  /** One line saying how it went. */
  summary: z.string(),
  /** The action's result (capture: session id and closes; probe/diagnose: findings). */
  result: z.unknown(),
  /**
   * The session a capture or a probe recorded (a capture's as soon as it starts recording, so that
   * its frames can be followed while it runs); null for a shell command or a diagnosis.
   */
  sessionId: id.nullable(),
});

/** A finding attached to a walk, from an action's result or added by hand. */
export const WalkFindingSchema = z.object({
  id: z.string(),
  /** How bad: as the probe or the diagnosis found it; the catalogue's for one added by hand. */
  severity: SeveritySchema,
  evidence: z.string(),
  source: z.string(),
  runId: id.nullable(),
  at: isoTime,
});

/** A decision edge that the walk's findings support, with the evidence. */
export const SuggestionSchema = z.object({
  label: z.string(),
  to: z.string(),
  findings: z.array(z.object({ id: z.string(), evidence: z.string() })),
  reason: z.string(),
});

/** A way on from a node: the edge label (or the target's name when the edge has none). */
export const ChoiceSchema = z.object({
  label: z.string(),
  to: z.string(),
  toLabel: z.string(),
});

/** One visit of a node on the walk's path (going back leaves the path, never the history). */
export const VisitSchema = z.object({
  visitId: id,
  node: z.string(),
  label: z.string(),
  kind: NodeKindSchema,
  enteredAt: isoTime,
  leftAt: isoTime.nullable(),
  via: z.enum(['start', 'choice', 'back']),
  /** The choice that left this node, when it was left by one. */
  choice: z.string().nullable(),
  elapsedSeconds: z.number().nonnegative(),
  timeboxSeconds: z.number().int().positive().nullable(),
  /** True when the visit took (or is taking) longer than its time box. */
  overrun: z.boolean(),
});

/** A walk as the console draws it: where it is, how it got there, what to do next, what happened. */
export const WalkViewSchema = z.object({
  id,
  incident: IncidentSchema,
  runbook: RunbookSchema,
  target: z.string().nullable(),
  direct: z.string().nullable(),
  /** How its actions connect (headers, subprotocols, protocol, messages, TLS); null when only the URL. */
  profile: WalkProfileViewSchema.nullable(),
  status: WalkStatusSchema,
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  /** The engine's clock when this view was made (timers count from here). */
  now: isoTime,
  current: z.object({
    visit: VisitSchema,
    /** When the time box runs out; null without one. */
    deadline: isoTime.nullable(),
    steps: z.array(RunbookStepSchema),
    choices: z.array(ChoiceSchema),
    suggestions: z.array(SuggestionSchema),
  }),
  path: z.array(VisitSchema),
  /** The checklist ticks by node: the 1-based steps checked off (by hand, or by a run that went well). */
  checked: z.record(z.string(), z.array(z.number().int().positive())),
  runs: z.array(WalkRunSchema),
  findings: z.array(WalkFindingSchema),
  timeline: z.array(TimelineEntrySchema),
});

/** A walk as listed. */
export const WalkSummarySchema = z.object({
  id,
  incidentId: id,
  runbookId: z.string(),
  runbookTitle: z.string(),
  status: WalkStatusSchema,
  currentNode: z.string(),
  currentLabel: z.string(),
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
});

/** How long a shell command of a walk may run when the request names no timeout. */
export const SHELL_TIMEOUT_DEFAULT_SECONDS = 60;

/** The most a runbook file may hold (its Markdown, imported or validated). */
export const RUNBOOK_FILE_LIMIT_BYTES = 1024 * 1024;

/** Bounds of a shell run's output cap (the engine keeps the first and the last half of it). */
export const OUTPUT_CAP_MIN_BYTES = 1024;
export const OUTPUT_CAP_MAX_BYTES = 16 * 1024 * 1024;
export const OUTPUT_CAP_DEFAULT_BYTES = 64 * 1024;

/** A time an engineer gives: ISO-8601 with a zone, such as 2026-11-22T01:53:00Z. */
const instant = z.string().refine((v) => isInstant(v), {
  error: 'must be a time such as 2026-11-22T01:53:00Z (ISO-8601, with Z or an offset)',
});
/** A calendar date, YYYY-MM-DD. */
const calendarDate = z.string().refine((v) => isCalendarDate(v), {
  error: 'must be a date such as 2026-12-01 (YYYY-MM-DD)',
});
const longText = z.string().max(20_000, { error: 'is at most 20,000 characters' });
const actionTitle = z.string().trim().min(1, { error: 'needs a title' }).max(500);
const owner = z.string().trim().max(200);
const link = z.string().trim().min(1).max(2048);

/** `incidents:*` */
export const incidentChannels = {
  create: {
    request: z.object({
      title: z.string().trim().min(1).max(200),
      severity: IncidentSeveritySchema.optional(),
    }),
    response: IncidentSchema,
  },
  list: { request: z.object({}), response: z.array(IncidentSchema) },
  get: {
    request: z.object({ id }),
    response: z.object({
      incident: IncidentSchema,
      walks: z.array(WalkSummarySchema),
      timeline: z.array(TimelineEntrySchema),
      actionItems: z.array(ActionItemSchema),
      sessions: z.array(LinkedSessionSchema),
    }),
  },
  /** Changes any field of an incident; each change goes on its timeline. A time set to null is cleared. */
  update: {
    request: z.object({
      id,
      title: z.string().trim().min(1).max(200).optional(),
      severity: IncidentSeveritySchema.optional(),
      status: IncidentStatusSchema.optional(),
      impactStartedAt: instant.nullable().optional(),
      detectedAt: instant.optional(),
      acknowledgedAt: instant.nullable().optional(),
      mitigatedAt: instant.nullable().optional(),
      resolvedAt: instant.nullable().optional(),
      responders: z
        .array(z.string().trim().min(1, { error: 'a responder needs a name' }).max(100))
        .max(50)
        .optional(),
      summary: longText.optional(),
      impact: longText.optional(),
      trigger: longText.optional(),
      rootCause: longText.optional(),
      detection: longText.optional(),
      resolution: longText.optional(),
      wentWell: longText.optional(),
      wentWrong: longText.optional(),
      gotLucky: longText.optional(),
    }),
    response: IncidentSchema,
  },
  addAction: {
    request: z.object({
      incidentId: id,
      title: actionTitle,
      type: ActionTypeSchema,
      owner: owner.optional(),
      due: calendarDate.optional(),
      link: link.optional(),
    }),
    response: ActionItemSchema,
  },
  /** Edits an action item or marks it done (or not done again). */
  updateAction: {
    request: z.object({
      id,
      title: actionTitle.optional(),
      type: ActionTypeSchema.optional(),
      owner: owner.optional(),
      due: calendarDate.nullable().optional(),
      link: link.nullable().optional(),
      done: z.boolean().optional(),
    }),
    response: ActionItemSchema,
  },
  removeAction: { request: z.object({ id }), response: ok },
  /** Links a session to an incident as its evidence (idempotent). */
  link: { request: z.object({ id, session: id }), response: z.array(LinkedSessionSchema) },
  unlink: { request: z.object({ id, session: id }), response: z.array(LinkedSessionSchema) },
} as const;

/** `runbooks:*` */
export const runbookChannels = {
  list: { request: z.object({}), response: z.array(RunbookSummarySchema) },
  get: {
    request: z.object({ id: runbookId }),
    response: RunbookSchema.extend({
      source: z.enum(['builtin', 'imported']),
      provenance: RunbookProvenanceSchema,
      trusted: z.boolean(),
      /** The runbook file, to show or to copy as a template. */
      markdown: z.string(),
    }),
  },
  /**
   * The host reads the file (the console, or the command line within RUNBOOK_FILE_LIMIT_BYTES); the
   * engine parses and stores it, with the provenance of the host's requester: a page's import is
   * untrusted until a person trusts it outside the page (`runbooks:trust`), a terminal's is the
   * person's own.
   */
  import: {
    request: z.object({
      fileName: z.string().min(1).max(255),
      text: z.string().max(RUNBOOK_FILE_LIMIT_BYTES),
      replace: z.boolean().default(false),
    }),
    response: z.object({ runbook: RunbookSummarySchema, replaced: z.boolean() }),
  },
  validate: {
    request: z.object({
      fileName: z.string().min(1).max(255),
      text: z.string().max(RUNBOOK_FILE_LIMIT_BYTES),
    }),
    response: z.object({
      valid: z.boolean(),
      problem: RunbookProblemSchema.nullable(),
      runbook: RunbookSchema.nullable(),
    }),
  },
  /**
   * A person trusts the shell steps of a runbook a page imported (`frameline runbooks trust ID`):
   * answered only for a terminal's requester, never for a page (a page cannot vouch for what a page
   * imported). Answers the runbook, so that every command it trusts can be shown; `already` when
   * there was nothing to trust any more (imported from a file, or trusted before).
   */
  trust: {
    request: z.object({ id: runbookId }),
    response: z.object({ runbook: RunbookSchema, already: z.boolean() }),
  },
} as const;

/** `walks:*` */
export const walkChannels = {
  start: {
    request: z.object({
      incidentId: id,
      runbookId,
      target: url.optional(),
      direct: url.optional(),
      /** How every action of the walk connects; secret values are held by the engine, never stored. */
      profile: ConnectionProfileSchema.optional(),
    }),
    response: WalkViewSchema,
  },
  /**
   * Replaces the walk's connection profile (an empty one clears it). A secret given as "***" keeps the
   * value held; one left out is dropped.
   */
  profile: { request: z.object({ id, profile: ConnectionProfileSchema }), response: WalkViewSchema },
  list: { request: z.object({ incidentId: id.optional() }), response: z.array(WalkSummarySchema) },
  get: { request: z.object({ id }), response: WalkViewSchema },
  /** Takes a way on: an edge label, a node id or a 1-based number; none when there is one way. */
  choose: { request: z.object({ id, label: z.string().max(500).optional() }), response: WalkViewSchema },
  back: { request: z.object({ id }), response: WalkViewSchema },
  /** Writes a note at the current node (the engine says what is wrong with an empty or long one). */
  note: { request: z.object({ id, text: z.string().max(100_000) }), response: WalkViewSchema },
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
    request: z.object({
      id,
      finding: z.enum(FINDING_IDS, {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is not a finding id; they are ${FINDING_IDS.join(', ')}`,
      }),
      evidence: z.string().max(2000),
    }),
    response: WalkViewSchema,
  },
  /**
   * Runs the current node's shell command on the engine's machine: only with `confirmed: true` for
   * this run, and exactly the `command` given (the step's, possibly edited; without one, the step's
   * own) — and only once the host
   * confirmed it outside the page (the desktop's native dialog; in browser mode the code that
   * `frameline serve` shows in its terminal: without `code` the answer is the error
   * `needs-confirmation`, and the person types the code into the page). Output streams on
   * `shell:output`; the end comes with `walk:changed` and is in `walks:get`.
   */
  run: {
    request: z.object({
      id,
      step: numberIn(1, 1000, '', { integer: true }).optional(),
      command: z.string().max(100_000).optional(),
      confirmed: z.literal(true),
      /** Browser mode: the code `frameline serve` showed in its terminal for this command. */
      code: z.string().min(1).max(40).optional(),
      /** How long the command may run before it is ended (default SHELL_TIMEOUT_DEFAULT_SECONDS). */
      timeoutSeconds: numberIn(0.1, 3600, 'seconds').optional(),
      /** Bytes of output kept (the first and the last half); default 64 KiB. */
      outputCapBytes: z.number().int().min(OUTPUT_CAP_MIN_BYTES).max(OUTPUT_CAP_MAX_BYTES).optional(),
    }),
    response: z.object({ runId: id }),
  },
  /** Runs the current node's app action; arguments override the step's. */
  action: {
    request: z.object({
      id,
      step: numberIn(1, 1000, '', { integer: true }).optional(),
      url: url.optional(),
      direct: url.optional(),
      session: id.optional(),
      /** How long a capture or relay step records; `url` is also where a relay step relays to. */
      duration: numberIn(0.1, 3600, 'seconds').optional(),
      /** A probe step's protocol, subprotocol and init payload (as `frameline probe` takes them). */
      protocol: ProtocolChoiceSchema.optional(),
      subprotocol: SubprotocolSchema.optional(),
      initPayload: z.string().min(1).max(MAX_SEND_CHARS).optional(),
      /** This run's own connection settings over the walk's profile (a header replaces the profile's of its name). */
      profile: ConnectionProfileSchema.optional(),
    }),
    response: z.object({ runId: id }),
  },
  stop: { request: z.object({ runId: id }), response: ok },
  /**
   * One run as recorded: how it is going, or how it ended. With `wait`, answered once a run of this
   * engine has ended (the command line waits so; the console follows `walk:changed`).
   */
  getRun: {
    request: z.object({ runId: id, wait: z.boolean().default(false) }),
    response: WalkRunSchema,
  },
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

export type IncidentSeverity = z.output<typeof IncidentSeveritySchema>;
export type IncidentStatus = z.output<typeof IncidentStatusSchema>;
export type Incident = z.output<typeof IncidentSchema>;
export type IncidentMetrics = z.output<typeof IncidentMetricsSchema>;
export type ActionType = z.output<typeof ActionTypeSchema>;
export type ActionItem = z.output<typeof ActionItemSchema>;
export type LinkedSession = z.output<typeof LinkedSessionSchema>;
export type TimelineEntry = z.output<typeof TimelineEntrySchema>;
export type WalkStatus = z.output<typeof WalkStatusSchema>;
export type RunKind = z.output<typeof RunKindSchema>;
export type RunStatus = z.output<typeof RunStatusSchema>;
export type WalkRun = z.output<typeof WalkRunSchema>;
export type WalkFinding = z.output<typeof WalkFindingSchema>;
export type Suggestion = z.output<typeof SuggestionSchema>;
export type Choice = z.output<typeof ChoiceSchema>;
export type Visit = z.output<typeof VisitSchema>;
export type WalkView = z.output<typeof WalkViewSchema>;
export type WalkSummary = z.output<typeof WalkSummarySchema>;
