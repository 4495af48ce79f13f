// Runtime schemas of runbooks as they cross the contract. The types used by the
// parser, the engine and the console are inferred from these, never written twice.
import { z } from 'zod';
import { ProtocolChoiceSchema } from '../protocols/names.js';

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

/** Request headers a step's action sends over the walk's profile, as "Name: value" lines. */
const ActionHeadersSchema = z
  .array(z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:/, { error: 'is not a "Name: value" header line' }))
  .max(50);

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
  /** The application protocol to speak (socket.io, graphql-ws, mqtt, stomp) or none; absent: the URL or the 101 says. */
  protocol: ProtocolChoiceSchema.optional(),
  /** A subprotocol to offer on every handshake (graphql-transport-ws, mqtt, v12.stomp…). */
  subprotocol: z.string().min(1).optional(),
  /** JSON sent with the protocol's opening: graphql-ws connection_init payload, Socket.IO auth, credentials. */
  initPayload: z.string().min(1).optional(),
  /** Headers this step sends besides (or instead of, by name) the walk profile's. */
  headers: ActionHeadersSchema.optional(),
});

/** Record the endpoint's traffic for a while into a new session of the incident. */
export const CaptureActionSchema = z.object({
  kind: z.literal('capture'),
  url: z.string().optional(),
  /** Seconds to record. */
  duration: z.number().positive().max(3600),
  /** A conversation script (shared/capture-script.ts), run once each connection is open; steps on separate lines. */
  script: z.string().min(1).optional(),
  /** As a probe's: the protocol, a subprotocol, the opening's payload and headers over the walk profile's. */
  protocol: ProtocolChoiceSchema.optional(),
  subprotocol: z.string().min(1).optional(),
  initPayload: z.string().min(1).optional(),
  headers: ActionHeadersSchema.optional(),
});

/**
 * Put a recording relay between the real client and its server: the walk says which address to point
 * the client at, and records each client through it into a session of the incident until the step is
 * stopped or `duration` seconds have passed.
 */
export const RelayActionSchema = z.object({
  kind: z.literal('relay'),
  /** The upstream the client is relayed to; absent: the walk's target. */
  to: z.string().optional(),
  /** Seconds to relay. */
  duration: z.number().positive().max(3600),
  /** The loopback port to listen on; absent: any free one. */
  port: z.number().int().min(0).max(65535).optional(),
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
  RelayActionSchema,
  DiagnoseActionSchema,
]);

/** A node of the walk as drawn by the flowchart. */
export const RunbookNodeSchema = z.object({
  id: z.string(),
  /** The label with mermaid's markup resolved; line breaks are "\n". */
  label: z.string(),
  kind: NodeKindSchema,
  shape: NodeShapeSchema,
  /** The innermost subgraph whose statements name the node (as mermaid draws it). */
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
  /**
   * Exit codes of the command that mean the step went well (`Success exit codes: 0, 1` in the
   * runbook); absent: only 0. `grep -c` exits 1 when it counts nothing, and nothing can be the answer.
   */
  successExitCodes: z.array(z.number().int().min(0).max(255)).optional(),
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

/** Where a runbook came from: built in, imported from a file on the command line, or through a page. */
export const RunbookProvenanceSchema = z.enum(['builtin', 'file', 'page']);

/** A runbook as listed. */
export const RunbookSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  version: z.string(),
  source: z.enum(['builtin', 'imported']),
  /** Where it came from: built in, a file imported on the command line, or an import through a page. */
  provenance: RunbookProvenanceSchema,
  /** Its shell steps may be put to a person: built in, from a file, or a page's import trusted since. */
  trusted: z.boolean(),
  appliesTo: z.array(z.string()),
  nodes: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
  importedAt: isoTime.nullable(),
  fileName: z.string().nullable(),
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
export type RunbookProvenance = z.output<typeof RunbookProvenanceSchema>;
