// Runtime schemas of runbooks, incidents and walks as they cross the contract. The types used by the
// parser, the engine and the console are inferred from these, never written twice.
import { z } from 'zod';

const id = z.number().int().positive();
const isoTime = z.string();

/** How a node is walked: a choice between edges, the first node, a last node, or a plain step. */
export const NodeKindSchema = z.enum(['step', 'decision', 'start', 'end']);

/** Mermaid's node shapes, by name. */
export const NodeShapeSchema = z.enum([
  'rect',
  'round',
  'stadium',
  'subroutine',
  'cylinder',
  'circle',
  'double-circle',
  'asymmetric',
  'rhombus',
  'hexagon',
  'parallelogram',
  'parallelogram-alt',
  'trapezoid',
  'trapezoid-alt',
  'ellipse',
  'plain',
]);

/** Probe a live endpoint: its upgrade, origin, idle drops; `direct` compares it with its backend. */
export const ProbeActionSchema = z.object({
  kind: z.literal('probe'),
  /** The endpoint; absent: the walk's target. */
  url: z.string().optional(),
  /** The backend's own URL (bypassing the load balancer), or true for the walk's direct target. */
  direct: z.union([z.string(), z.boolean()]).optional(),
  /** Hold an idle connection this many seconds to see whether something drops it. */
  idleLimit: z.number().positive().optional(),
  origin: z.string().optional(),
  checks: z.array(z.string()).optional(),
});

/** Record the endpoint's traffic for a while into a new session of the incident. */
export const CaptureActionSchema = z.object({
  kind: z.literal('capture'),
  url: z.string().optional(),
  /** Seconds to record. */
  duration: z.number().positive().max(3600),
});

/** Diagnose a recorded session (close codes, idle drops, reconnect storms...). */
export const DiagnoseActionSchema = z.object({
  kind: z.literal('diagnose'),
  /** A session id, or "latest": the walk's last capture (else the incident's last session). */
  session: z.union([id, z.literal('latest')]).optional(),
});

/** Something a step asks the app to do instead of a person. */
export const StepActionSchema = z.discriminatedUnion('kind', [
  ProbeActionSchema,
  CaptureActionSchema,
  DiagnoseActionSchema,
]);

/** A node of the walk as drawn by the flowchart. */
export const RunbookNodeSchema = z.object({
  id: z.string(),
  /** The label with mermaid's markup resolved; line breaks are "\n". */
  label: z.string(),
  kind: NodeKindSchema,
  shape: NodeShapeSchema,
  /** The subgraph the node was first named in. */
  subgraph: z.string().nullable(),
  /** The node's own text from its step section (Markdown). */
  text: z.string(),
  /** Seconds the node should take at most, counted from entering it; null: no time box. */
  timeboxSeconds: z.number().int().positive().nullable(),
  /** Finding ids that this node (or its steps) fixes: they suggest the way to it. */
  fixes: z.array(z.string()),
});

/** An edge of the flowchart: a way from one node to the next, labelled or not. */
export const RunbookEdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  label: z.string().nullable(),
});

/** One thing to do at a node: text, and optionally a shell command, an app action, a time box. */
export const RunbookStepSchema = z.object({
  node: z.string(),
  /** 1-based position among the node's steps. */
  index: z.number().int().positive(),
  title: z.string(),
  text: z.string(),
  command: z.string().nullable(),
  action: StepActionSchema.nullable(),
  timeboxSeconds: z.number().int().positive().nullable(),
});

/** A parsed runbook: its flowchart is the walk, its step sections say what to do at each node. */
export const RunbookSchema = z.object({
  id: z.string(),
  title: z.string(),
  version: z.string(),
  description: z.string(),
  /** Finding ids this runbook is about. */
  appliesTo: z.array(z.string()),
  /** The node a walk starts at. */
  start: z.string(),
  nodes: z.array(RunbookNodeSchema),
  edges: z.array(RunbookEdgeSchema),
  steps: z.array(RunbookStepSchema),
});

/** A runbook as listed. */
export const RunbookSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  version: z.string(),
  source: z.enum(['builtin', 'imported']),
  appliesTo: z.array(z.string()),
  nodes: z.number().int().nonnegative(),
  importedAt: isoTime.nullable(),
  fileName: z.string().nullable(),
});

/** How bad an incident is, P1 the worst. */
export const SeveritySchema = z.enum(['P1', 'P2', 'P3', 'P4']);
export const IncidentStatusSchema = z.enum(['open', 'mitigated', 'resolved']);

/** An incident: what broke, how bad, and when it was detected, mitigated and resolved. */
export const IncidentSchema = z.object({
  id,
  title: z.string(),
  severity: SeveritySchema,
  status: IncidentStatusSchema,
  detectedAt: isoTime,
  mitigatedAt: isoTime.nullable(),
  resolvedAt: isoTime.nullable(),
  summary: z.string(),
  rootCause: z.string(),
  impact: z.string(),
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
export const RunKindSchema = z.enum(['shell', 'probe', 'capture', 'diagnose']);
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
  /** Shell output (stdout and stderr interleaved), capped: head and tail kept when truncated. */
  output: z.string(),
  truncated: z.boolean(),
  /** Bytes the command wrote in all. */
  outputBytes: z.number().int().nonnegative(),
  /** One line saying how it went. */
  summary: z.string(),
  /** The action's result (capture: session id and closes; probe/diagnose: findings). */
  result: z.unknown(),
});

/** A finding attached to a walk, from an action's result or added by hand. */
export const WalkFindingSchema = z.object({
  id: z.string(),
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

/** A validation problem of a runbook file, with its 1-based line. */
export const RunbookProblemSchema = z.object({ line: z.number().int().positive(), message: z.string() });

export type NodeKind = z.output<typeof NodeKindSchema>;
export type NodeShape = z.output<typeof NodeShapeSchema>;
export type StepAction = z.output<typeof StepActionSchema>;
export type RunbookNode = z.output<typeof RunbookNodeSchema>;
export type RunbookEdge = z.output<typeof RunbookEdgeSchema>;
export type RunbookStep = z.output<typeof RunbookStepSchema>;
export type Runbook = z.output<typeof RunbookSchema>;
export type RunbookSummary = z.output<typeof RunbookSummarySchema>;
export type Severity = z.output<typeof SeveritySchema>;
export type IncidentStatus = z.output<typeof IncidentStatusSchema>;
export type Incident = z.output<typeof IncidentSchema>;
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
