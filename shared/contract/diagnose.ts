// The request channels and push topic of diagnosis, spread into the one contract
// (shared/contract.ts) under the domain `diagnose`: a live probe, the analysis of a recorded
// session, and the probe's progress.
import { z } from 'zod';
import { DiagnosisSchema, FindingSchema } from '../findings.js';
import { CompareRequestSchema, ComparisonSchema } from './compare.js';
import { ProtocolChoiceSchema } from '../protocols/names.js';
import { MAX_SEND_CHARS } from './capture.js';
import {
  HeaderSchema,
  IdFieldSchema,
  numberIn,
  PemFilesSchema,
  PemSchema,
  SubprotocolSchema,
  TlsPemFields,
} from './fields.js';

/** What the console asks a probe to do; mirrors `frameline probe`. */
export const ProbeRequestSchema = z.object({
  url: z.string().min(1).max(2048),
  /** The backend behind the proxy, checked the same way. */
  direct: z.string().min(1).max(2048).optional(),
  /** Origins the service's pages use. */
  origins: z.array(z.string().min(1).max(512)).max(20).default([]),
  /** The page that opens the socket (mixed content). */
  pageOrigin: z.string().min(1).max(512).optional(),
  healthPath: z
    .string()
    .max(1024)
    .regex(/^\//, { error: 'must start with "/", such as /health' })
    .default('/health'),
  /** How long an idle connection is held, at most, to see whether something cuts it. */
  idleLimitSeconds: numberIn(1, 3600, 'seconds').default(75),
  /** Echo round trips to measure (0: send nothing). */
  echo: numberIn(0, 1000, 'messages', { integer: true }).default(0),
  /** Timeout of each step (DNS, TCP, TLS, HTTP, upgrade, each echo). */
  timeoutSeconds: numberIn(0.1, 300, 'seconds').default(5),
  /** Request headers sent on every handshake (Authorization, Cookie…); logged with secrets redacted. */
  headers: z.array(HeaderSchema).max(50).default([]),
  /** Subprotocols offered on every handshake. */
  subprotocols: z.array(SubprotocolSchema).max(20).default([]),
  /**
   * The application protocol the probe speaks on its connections (Socket.IO, graphql-ws, MQTT,
   * STOMP), or `none` for a plain socket. Absent: the URL (`/socket.io/`) or the subprotocol the 101
   * chose says.
   */
  protocol: ProtocolChoiceSchema.optional(),
  /** JSON text sent with the protocol's opening: graphql-ws `connection_init` payload, Socket.IO auth, MQTT/STOMP credentials. */
  initPayload: z.string().min(1).max(MAX_SEND_CHARS).optional(),
  insecure: z.boolean().default(false),
  /** The CA as PEM text (never a path: the engine reads no file a request names). */
  caPem: PemSchema.optional(),
  pemFiles: PemFilesSchema.pick({ ca: true }).optional(),
  caFile: TlsPemFields.caFile,
  name: z.string().trim().min(1).max(200).optional(),
  /** Chosen by the caller to tell its progress pushes apart; one is made up when absent. */
  runId: z.string().min(1).max(100).optional(),
});

/** Findings kept with a session, and when they were concluded. */
export const StoredDiagnosisSchema = z.object({
  sessionId: z.number().int().positive(),
  source: z.enum(['probe', 'diagnose']),
  /** ISO time of the probe or the diagnosis. */
  at: z.string(),
  findings: z.array(FindingSchema),
});

/** Findings kept with a session. */
export type StoredDiagnosis = z.output<typeof StoredDiagnosisSchema>;
/** A probe request as the engine sees it, defaults filled in. */
export type ProbeRequest = z.output<typeof ProbeRequestSchema>;

/**
 * One of the runbooks' success metrics, read from a recording: the value in percent (null where the
 * recording cannot say, such as delivery without a request that carries an id), the runbook's
 * threshold it must pass (strictly above), and the counts behind it in words.
 */
export const ScoreSchema = z.object({
  value: z.number().nullable(),
  threshold: z.number(),
  /** null when there is no value to judge. */
  pass: z.boolean().nullable(),
  /** The counts behind the value: "412 of 414 connections opened". */
  evidence: z.string(),
});

/** The runbooks' success metrics of a session or an incident (its linked sessions together). */
export const ScorecardSchema = z.object({
  connectionSuccess: ScoreSchema,
  uptime: ScoreSchema,
  delivery: ScoreSchema,
  heartbeat: ScoreSchema,
  reconnection: ScoreSchema,
});

/** A success metric with its verdict. */
export type Score = z.output<typeof ScoreSchema>;
/** The five success metrics. */
export type Scorecard = z.output<typeof ScorecardSchema>;

/** One step of a running probe. */
export const DiagnoseProgressSchema = z.object({
  runId: z.string(),
  check: z.string(),
  state: z.enum(['running', 'ok', 'failed']),
  /** What the check saw, in a few words ("HTTP 101 Switching Protocols"). */
  detail: z.string(),
});

/** What `frameline watch` asks for: a probe run on a schedule, its results kept for a while. */
export const WatchRequestSchema = z.object({
  /** The probe each round runs (its idle limit is the round's idle hold). */
  probe: ProbeRequestSchema,
  /** Seconds from the start of one round to the start of the next (a round that runs longer is followed at once). */
  everySeconds: numberIn(1, 86_400, 'seconds').default(60),
  /** The watch's sessions and findings older than this are deleted as it goes. */
  keepDays: numberIn(0.0001, 3650, 'days').default(7),
  /** Chosen by the caller to stop it (`diagnose:stop`); one is made up when absent. */
  runId: z.string().min(1).max(100).optional(),
  /** Where its metrics are served. */
  host: z.string().min(1).max(255).default('127.0.0.1'),
  port: numberIn(0, 65535, '', { integer: true }).default(0),
});

/** The MIME type of the Prometheus text exposition format (version 0.0.4). */
export const EXPOSITION_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A watch running now, in this process or another on the same database. */
export const WatchSchema = z.object({
  id: z.number().int().positive(),
  target: z.string(),
  everySeconds: z.number(),
  startedAt: z.string(),
  /** Where its metrics are served (http://HOST:PORT/metrics), when it serves them. */
  metricsUrl: z.string().nullable(),
  probes: z.number().int().nonnegative(),
  lastProbeAt: z.string().nullable(),
  lastSessionId: z.number().int().positive().nullable(),
  /** The findings of its last probe that are warnings or critical, by id; empty: all well. */
  lastFindings: z.array(z.string()),
});

/** A watch request as the engine sees it, defaults filled in. */
export type WatchRequest = z.output<typeof WatchRequestSchema>;
/** A running watch. */
export type Watch = z.output<typeof WatchSchema>;

/** `diagnose:*` */
export const diagnoseChannels = {
  probe: {
    request: ProbeRequestSchema,
    response: DiagnosisSchema.extend({ runId: z.string(), direct: z.string().nullable() }),
  },
  session: {
    request: z.object({
      id: z.number().int().positive(),
      /** The JSON field that pairs a request with its response (default "id"). */
      idField: IdFieldSchema.optional(),
    }),
    response: DiagnosisSchema.extend({ scorecard: ScorecardSchema }),
  },
  /**
   * The success metrics of a session, or of an incident's linked sessions together (with each
   * session's own): exactly one of `sessionId` and `incidentId`.
   */
  scorecard: {
    request: z
      .object({
        sessionId: z.number().int().positive().optional(),
        incidentId: z.number().int().positive().optional(),
      })
      .refine((r) => (r.sessionId === undefined) !== (r.incidentId === undefined), {
        error: 'give a session id or an incident id, not both',
      }),
    response: z.object({
      scorecard: ScorecardSchema,
      sessions: z.array(z.object({ sessionId: z.number().int().positive(), scorecard: ScorecardSchema })),
    }),
  },
  /**
   * Starts a watch: a probe on a schedule, its metrics served at http://HOST:PORT/metrics (Prometheus
   * text format), each round's session kept with its findings and those older than `keepDays`
   * deleted. Answers once listening; runs until `diagnose:stop` with its run id, then pushes
   * `diagnose:watch-ended`.
   */
  watch: {
    request: WatchRequestSchema,
    response: z.object({ runId: z.string(), metricsUrl: z.string(), loopback: z.boolean() }),
  },
  /** The watches running now on this database, from any process. */
  watches: {
    request: z.object({}),
    response: z.array(WatchSchema),
  },
  /** What was concluded about a session before (by a probe or a diagnosis), with when; none yet: null. */
  stored: {
    request: z.object({ id: z.number().int().positive() }),
    response: StoredDiagnosisSchema.nullable(),
  },
  /**
   * Two recorded sessions side by side, before and after a fix: how their connections ended and
   * lived, reconnects, round trips, message types, the findings of each, and a verdict in one line.
   */
  compare: { request: CompareRequestSchema, response: ComparisonSchema },
  /**
   * Stops a running probe early (as Ctrl+C stops `frameline probe`): its idle hold is cut short and
   * `diagnose:probe` answers with what was seen so far. A watch stops after the round under way
   * (cut short the same way). `stopped` is false when no such probe or watch runs.
   */
  stop: {
    request: z.object({ runId: z.string().min(1).max(100) }),
    response: z.object({ stopped: z.boolean() }),
  },
} as const;

/** Push topics of diagnosis. */
export const diagnoseTopics = {
  /** A probe started or finished a check (a few per second at most). */
  'diagnose:progress': DiagnoseProgressSchema,
  /** A watch's round ended: its session and the findings that are warnings or critical. */
  'diagnose:watch-round': z.object({
    runId: z.string(),
    round: z.number().int().positive(),
    sessionId: z.number().int().positive().nullable(),
    findings: z.array(z.string()),
    sessionsDeleted: z.number().int().nonnegative(),
  }),
  /** A watch ended: stopped, or failed (`error` says why). */
  'diagnose:watch-ended': z.object({
    runId: z.string(),
    probes: z.number().int().nonnegative(),
    sessionsDeleted: z.number().int().nonnegative(),
    error: z.string().nullable(),
  }),
} as const;
