// The app actions a runbook step can ask for. `capture` records the endpoint with the capture
// engine; `probe` and `diagnose` call the probe and diagnosis engines when this build has them
// (they are looked up at run time, so that a build without them says so instead of failing).
import { z } from 'zod';
import { describeCloseCode } from '../../../shared/close-codes.js';
import type { StepAction } from '../../../shared/runbooks/schemas.js';
import { Capture } from '../capture/capture.js';
import { DEFAULT_RECONNECT, DEFAULTS, type CaptureOptions } from '../capture/options.js';
import { needsInput } from './errors.js';
import { listConnections } from '../store/connections.js';
import type { Db } from '../store/database.js';
import { getSession } from '../store/sessions.js';

/** A finding an action reported. */
export interface ActionFinding {
  id: string;
  evidence: string;
}

export interface ActionOutcome {
  status: 'ok' | 'failed' | 'stopped' | 'unavailable';
  summary: string;
  result: unknown;
  sessionId: number | null;
  findings: ActionFinding[];
}

export interface ActionContext {
  db: Db;
  dbPath: string;
  /** The walk's target and direct URLs, used when the step names none. */
  target: string | null;
  direct: string | null;
  /** The session a `diagnose session=latest` means, when there is one. */
  latestSession: number | undefined;
  /** A name for the sessions it records. */
  name: string;
  signal: AbortSignal;
}

/** Loads an engine module by path relative to this one, or null when this build has none. */
async function optionalModule(relative: string): Promise<Record<string, unknown> | null> {
  // A computed specifier: the module is looked up when the action runs, not when this one loads.
  const specifier: string = relative;
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url/.test(String(err)))
      return null;
    throw err;
  }
}

/** What this module reads of a probe's or a diagnosis' answer; anything else is left as is. */
const DiagnosisShape = z.object({
  sessionId: z.number().int().nullable().optional(),
  findings: z.array(
    z.object({
      id: z.string(),
      severity: z.string().optional(),
      title: z.string().optional(),
      summary: z.string().optional(),
    }),
  ),
});

function findingsOf(raw: unknown): { sessionId: number | null; findings: ActionFinding[] } {
  const parsed = DiagnosisShape.safeParse(raw);
  if (!parsed.success) return { sessionId: null, findings: [] };
  return {
    sessionId: parsed.data.sessionId ?? null,
    findings: parsed.data.findings.map((f) => ({
      id: f.id,
      evidence: f.summary ?? f.title ?? f.id,
    })),
  };
}

function describeFindings(findings: ActionFinding[]): string {
  if (findings.length === 0) return 'no findings';
  return `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${findings.map((f) => f.id).join(', ')}`;
}

function targetOf(url: string | undefined, ctx: ActionContext, kind: string): string {
  const u = url ?? ctx.target;
  if (!u) throw needsInput('url', `this ${kind} step`);
  return u;
}

/** Runs one action to its end (or until `ctx.signal` stops it). */
export async function runAction(action: StepAction, ctx: ActionContext): Promise<ActionOutcome> {
  switch (action.kind) {
    case 'capture':
      return runCapture(action, ctx);
    case 'probe':
      return runProbeAction(action, ctx);
    case 'diagnose':
      return runDiagnose(action, ctx);
  }
}

async function runCapture(
  action: Extract<StepAction, { kind: 'capture' }>,
  ctx: ActionContext,
): Promise<ActionOutcome> {
  const url = targetOf(action.url, ctx, 'capture');
  const options: CaptureOptions = {
    url,
    name: ctx.name,
    headers: [],
    subprotocols: [],
    compression: false,
    insecure: false,
    sends: [],
    connectTimeoutMs: DEFAULTS.connectTimeoutMs,
    maxPayload: DEFAULTS.maxPayload,
    payloadCap: DEFAULTS.payloadCap,
    durationMs: action.duration * 1000,
    // Like a well-behaved client: every drop during the capture is followed by a reconnect with backoff.
    reconnect: DEFAULT_RECONNECT,
  };
  const capture = Capture.start(ctx.db, ctx.dbPath, options);
  const onAbort = () => void capture.stop('user');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let result;
  try {
    result = await capture.done;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  const session = getSession(ctx.db, capture.sessionId);
  const connections = listConnections(ctx.db, capture.sessionId);
  const closes = connections.map((c) => ({
    connection: c.ordinal,
    code: c.closeCode,
    name: c.closeCode === null ? null : describeCloseCode(c.closeCode).name,
    closedBy: c.closedBy,
    reason: c.closeReason,
    error: c.error,
  }));
  const codes = new Map<string, number>();
  for (const c of connections) {
    const key =
      c.closeCode !== null
        ? `${c.closeCode} by ${c.closedBy}`
        : c.error
          ? c.error.kind
          : c.closedAt === null
            ? 'open at the end'
            : 'no close code';
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }
  const closeText = [...codes].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
  const frames = session?.frames ?? 0;
  const failure = connections.find((c) => c.error)?.error;
  const summary = result.opened
    ? `session ${capture.sessionId}: ${frames} frames over ${connections.length} connection${connections.length === 1 ? '' : 's'}${closeText ? `; ended: ${closeText}` : ''}`
    : `session ${capture.sessionId}: could not connect to ${url}${failure ? ` (${failure.message})` : ''}`;
  return {
    status: ctx.signal.aborted ? 'stopped' : result.opened ? 'ok' : 'failed',
    summary,
    result: {
      sessionId: capture.sessionId,
      url,
      frames,
      connections: connections.length,
      opened: result.opened,
      stoppedBy: result.stoppedBy,
      closes,
    },
    sessionId: capture.sessionId,
    findings: [],
  };
}

async function runProbeAction(
  action: Extract<StepAction, { kind: 'probe' }>,
  ctx: ActionContext,
): Promise<ActionOutcome> {
  const url = targetOf(action.url, ctx, 'probe');
  let direct: string | undefined;
  if (typeof action.direct === 'string') direct = action.direct;
  else if (action.direct === true) {
    if (!ctx.direct) throw needsInput('direct', 'this step');
    direct = ctx.direct;
  }
  const mod = await optionalModule('../probes/probe.js');
  const runProbe = mod?.runProbe;
  if (typeof runProbe !== 'function')
    return unavailable('probe', 'this build has no probe engine (electron/engine/probes/probe.js)');
  const checks = action.checks ?? [];
  const options = {
    url,
    ...(direct !== undefined ? { direct } : {}),
    origins: action.origin ? [action.origin] : [],
    healthPath: '/health',
    // The idle hold is the probe's last check: short unless the step is about idle drops.
    idleLimitSeconds: action.idleLimit ?? (checks.includes('idle') ? 75 : 3),
    echo: checks.includes('echo') ? 5 : 0,
    insecure: false,
    timeoutMs: 5000,
    name: ctx.name,
  };
  const report: unknown = await (runProbe as (...a: unknown[]) => Promise<unknown>)(
    ctx.db,
    ctx.dbPath,
    options,
    { signal: ctx.signal },
  );
  const { sessionId, findings } = findingsOf(report);
  return {
    status: ctx.signal.aborted ? 'stopped' : 'ok',
    summary: `probe of ${url}${direct ? ` and ${direct}` : ''}${sessionId ? ` (session ${sessionId})` : ''}: ${describeFindings(findings)}`,
    result: report,
    sessionId,
    findings,
  };
}

async function runDiagnose(
  action: Extract<StepAction, { kind: 'diagnose' }>,
  ctx: ActionContext,
): Promise<ActionOutcome> {
  const session =
    action.session === undefined || action.session === 'latest' ? ctx.latestSession : action.session;
  if (session === undefined) throw needsInput('session', 'this step');
  const mod = await optionalModule('../probes/diagnose.js');
  const diagnose = mod?.diagnoseStoredSession;
  if (typeof diagnose !== 'function')
    return unavailable(
      'diagnose',
      `this build has no diagnosis engine (electron/engine/probes/diagnose.js); read session ${session} with "frameline show ${session}"`,
    );
  const report: unknown = (diagnose as (...a: unknown[]) => unknown)(ctx.db, session);
  const { findings } = findingsOf(report);
  return {
    status: 'ok',
    summary: `diagnosis of session ${session}: ${describeFindings(findings)}`,
    result: report,
    sessionId: null,
    findings,
  };
}

function unavailable(kind: string, why: string): ActionOutcome {
  return {
    status: 'unavailable',
    summary: `${kind} is not available: ${why}; do this step by hand and note what you saw`,
    result: null,
    sessionId: null,
    findings: [],
  };
}
