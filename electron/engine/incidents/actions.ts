// The app actions a runbook step can ask for: `capture`, `probe`, `relay` and `diagnose` call the
// same domain functions as the console and the command line, with their own defaults.
import { describeCloseCode } from '../../../shared/close-codes.js';
import type { Finding, Severity } from '../../../shared/findings.js';
import type { StepAction } from '../../../shared/runbooks/schemas.js';
import { CaptureRequestSchema } from '../../../shared/contract/capture.js';
import { ProbeRequestSchema } from '../../../shared/contract/diagnose.js';
import { RelayRequestSchema, type RelayClient } from '../../../shared/contract/relay.js';
import { Capture } from '../capture/capture.js';
import type { EngineContext } from '../context.js';
import { runProbe } from '../diagnose/probe.js';
import { RelayServer } from '../relay/relay.js';
import { diagnoseSession } from '../diagnose/session-analysis.js';
import { sessionDetail } from '../sessions/sessions.js';
import { needsInput } from './errors.js';
import type { PrometheusServer } from '../../../shared/prometheus.js';
import { queryWindow, runQueryStep } from './prometheus-query.js';
import type { ConnectionProfile } from '../../../shared/contract/walk-profile.js';

/**
 * A probe step that is not about idle drops holds the idle connection only briefly: too briefly for
 * a verdict on the server's heartbeat, which the probe then gives as information only.
 */
const SHORT_IDLE_HOLD_SECONDS = 3;
/** Round trips measured by a probe step that asks for the echo check. */
const ECHO_CHECK_MESSAGES = 5;

/** A finding an action reported (or a person saw). */
export interface ActionFinding {
  id: string;
  evidence: string;
  /** How bad the probe or the diagnosis found it; without one, the catalogue says. */
  severity?: Severity;
  /** The session it was found in, whose stored row of it the walk takes. */
  sessionId?: number | null;
}

export interface ActionOutcome {
  status: 'ok' | 'failed' | 'stopped';
  summary: string;
  result: unknown;
  sessionId: number | null;
  findings: ActionFinding[];
  /** What the timeline keeps of the result besides the summary (a query's values, not its curves). */
  timeline?: Record<string, unknown>;
}

export interface ActionContext {
  engine: EngineContext;
  /** The walk's target and direct URLs, used when the step names none. */
  target: string | null;
  direct: string | null;
  /**
   * What a capture, probe or relay connects with (headers, subprotocols, protocol, messages, TLS):
   * the walk's profile with the step's and the run's settings over it, secrets filled in.
   */
  profile: ConnectionProfile;
  /** The session a `diagnose session=latest` means, when there is one. */
  latestSession: number | undefined;
  /** A name for the sessions it records. */
  name: string;
  signal: AbortSignal;
  /** Called once a capture has its session (it records from then on). */
  onSession?: (sessionId: number) => void;
  /** What a running action has to tell the person walking (a relay's address, its clients), a line at a time. */
  onOutput?: (text: string) => void;
  /** The incident's Prometheus server (a query step's own is used without one). */
  prometheus: PrometheusServer | null;
  /** The incident's window, epoch microseconds: its impact start (or detection) to its resolution (or now). */
  window: { fromUs: number; toUs: number };
}

function findingsOf(findings: readonly Finding[], sessionId: number | null): ActionFinding[] {
  return findings.map((f) => ({ id: f.id, evidence: f.summary, severity: f.severity, sessionId }));
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
    case 'relay':
      return runRelay(action, ctx);
    case 'diagnose':
      return runDiagnose(action, ctx);
    case 'query':
      return runQuery(action, ctx);
  }
}

async function runQuery(
  action: Extract<StepAction, { kind: 'query' }>,
  ctx: ActionContext,
): Promise<ActionOutcome> {
  const server =
    ctx.prometheus ??
    (action.server ? { url: action.server, auth: 'none' as const, username: null, secretEnv: null } : null);
  if (!server) throw needsInput('prometheus', 'this step');
  const window = queryWindow(ctx.window.fromUs, ctx.window.toUs);
  const { result, summary } = await runQueryStep(action, server, window, ctx.signal);
  return {
    status: ctx.signal.aborted ? 'stopped' : result.pass ? 'ok' : 'failed',
    summary,
    result,
    sessionId: null,
    findings: [],
    timeline: {
      server: result.server,
      window: result.window,
      expect: result.expect,
      pass: result.pass,
      queries: result.queries.map((q) => ({
        promql: q.promql,
        error: q.error,
        pass: q.pass,
        verdict: q.verdict,
        values: q.series.map((s) => ({ labels: s.labels, value: s.value, pass: s.pass })),
      })),
    },
  };
}

async function runCapture(
  action: Extract<StepAction, { kind: 'capture' }>,
  ctx: ActionContext,
): Promise<ActionOutcome> {
  const url = targetOf(action.url, ctx, 'capture');
  const request = CaptureRequestSchema.parse({
    ...ctx.profile,
    url,
    name: ctx.name,
    durationSeconds: action.duration,
    // The step's own script runs instead of the profile's.
    ...(action.script !== undefined ? { script: action.script, scriptFile: undefined } : {}),
    // Like a well-behaved client: every drop during the capture is followed by a reconnect with
    // backoff; a refusal a retry cannot change (401, 403…) ends the check at once with its status.
    reconnect: { giveUpOnRefusal: true },
  });
  // The profile's secrets are never stored: the handshake is recorded with them masked.
  const capture = Capture.start(ctx.engine, request, { maskRequestSecrets: true });
  ctx.onSession?.(capture.sessionId);
  const onAbort = () => void capture.stop('user');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let result;
  try {
    result = await capture.done;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  const { session, connections } = sessionDetail(ctx.engine, capture.sessionId);
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
  const frames = session.frames;
  const failure = connections.find((c) => c.error)?.error;
  const summary = result.opened
    ? `session ${capture.sessionId}: ${frames} frames over ${connections.length} connection${connections.length === 1 ? '' : 's'}${closeText ? `; ended: ${closeText}` : ''}${result.scriptFailure ? `; ${result.scriptFailure}` : ''}`
    : `session ${capture.sessionId}: could not connect to ${url}${failure ? ` (${failure.message})` : ''}`;
  return {
    status: ctx.signal.aborted ? 'stopped' : result.opened && result.scriptFailure === null ? 'ok' : 'failed',
    summary,
    result: {
      sessionId: capture.sessionId,
      url,
      frames,
      connections: connections.length,
      opened: result.opened,
      stoppedBy: result.stoppedBy,
      scriptFailure: result.scriptFailure,
      closes,
    },
    sessionId: capture.sessionId,
    findings: [],
  };
}

/** Waits `seconds`, or less when `signal` aborts. */
function waitOrAbort(seconds: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, seconds * 1000);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** How a relayed client went, in a line. */
function clientLine(c: RelayClient): string {
  return `client ${c.ordinal} from ${c.remote}: ${c.ending ?? c.state}; ${c.framesOut} frames from the client, ${c.framesIn} from the server`;
}

async function runRelay(
  action: Extract<StepAction, { kind: 'relay' }>,
  ctx: ActionContext,
): Promise<ActionOutcome> {
  const to = targetOf(action.to, ctx, 'relay');
  // On loopback only: the client under test runs on this machine, or reaches it through an SSH tunnel.
  const request = RelayRequestSchema.parse({
    to,
    host: '127.0.0.1',
    // The relay passes the client's own headers on; of the profile, only how the upstream's certificate is checked applies.
    insecure: ctx.profile.insecure,
    ...(action.port !== undefined ? { port: action.port } : {}),
    name: ctx.name,
  });
  const say = (text: string) => ctx.onOutput?.(`${text}\n`);
  const relay = await RelayServer.start(ctx.engine, request, {
    onClientOpened: (c) => say(`client ${c.ordinal} from ${c.remote} connected, relayed to ${c.url}`),
    onClientEnded: (c) => say(clientLine(c)),
  });
  ctx.onSession?.(relay.sessionId);
  say(
    `point the client at ${relay.url} and reproduce it: every frame both ways to ${to} is recorded in session ${relay.sessionId} for ${action.duration} s, or until the step is stopped`,
  );
  try {
    await waitOrAbort(action.duration, ctx.signal);
  } finally {
    await relay.stop();
  }
  const status = relay.status();
  const { session } = sessionDetail(ctx.engine, relay.sessionId);
  const clients = `${status.connections} client${status.connections === 1 ? '' : 's'}`;
  const summary =
    status.connections === 0
      ? `session ${relay.sessionId}: no client came through ${relay.url}`
      : `session ${relay.sessionId}: ${clients} through ${relay.url}, ${session.frames} frames; ${status.clients.map((c) => `client ${c.ordinal} ${c.ending ?? c.state}`).join('; ')}`;
  return {
    status: ctx.signal.aborted ? 'stopped' : status.connections > 0 ? 'ok' : 'failed',
    summary,
    result: {
      sessionId: relay.sessionId,
      url: relay.url,
      to: status.to,
      frames: session.frames,
      connections: status.connections,
      clients: status.clients,
    },
    sessionId: relay.sessionId,
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
  const checks = action.checks ?? [];
  // The probe's own defaults, but for the idle hold (its last check): short unless the step is
  // about idle drops.
  // The profile (with the step's protocol, subprotocol and init payload over it, walk-profile.ts):
  // what the probe's handshakes send. Messages on open and scripts are a capture's.
  const p = ctx.profile;
  const request = ProbeRequestSchema.parse({
    url,
    ...(direct !== undefined ? { direct } : {}),
    origins: action.origin ? [action.origin] : p.origin ? [p.origin] : [],
    headers: p.headers,
    subprotocols: p.subprotocols,
    insecure: p.insecure,
    ...(p.caPem !== undefined ? { caPem: p.caPem } : {}),
    ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
    ...(p.initPayload !== undefined ? { initPayload: p.initPayload } : {}),
    ...(action.idleLimit !== undefined
      ? { idleLimitSeconds: action.idleLimit }
      : checks.includes('idle')
        ? {}
        : { idleLimitSeconds: SHORT_IDLE_HOLD_SECONDS }),
    ...(checks.includes('echo') ? { echo: ECHO_CHECK_MESSAGES } : {}),
    name: ctx.name,
  });
  const report = await runProbe(ctx.engine, request, { signal: ctx.signal });
  const findings = findingsOf(report.findings, report.sessionId);
  return {
    status: ctx.signal.aborted ? 'stopped' : 'ok',
    summary: `probe of ${url}${direct ? ` and ${direct}` : ''} (session ${report.sessionId}): ${describeFindings(findings)}`,
    result: report,
    sessionId: report.sessionId,
    findings,
  };
}

function runDiagnose(action: Extract<StepAction, { kind: 'diagnose' }>, ctx: ActionContext): ActionOutcome {
  const session =
    action.session === undefined || action.session === 'latest' ? ctx.latestSession : action.session;
  if (session === undefined) throw needsInput('session', 'this step');
  const report = diagnoseSession(ctx.engine, { id: session });
  const findings = findingsOf(report.findings, session);
  return {
    status: 'ok',
    summary: `diagnosis of session ${session}: ${describeFindings(findings)}`,
    result: report,
    sessionId: null,
    findings,
  };
}
