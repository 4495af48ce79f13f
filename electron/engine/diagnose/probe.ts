// `frameline probe`: runs the checklist against an endpoint (and, with --direct, against the backend
// behind the proxy), records every connection it opens into a session of kind 'probe', and says
// what it found, with the evidence, in the finding ids of the catalogue.
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { hostname } from 'node:os';
import { interpretProbe, type EndpointObservation } from '../../../shared/diagnosis/probe.js';
import { sortFindings, type Diagnosis } from '../../../shared/findings.js';
import type { ProbeRequest } from '../../../shared/contract/diagnose.js';
import { nowMicros } from '../clock.js';
import type { EngineContext } from '../context.js';
import { saveFindings } from './finding-store.js';
import { setSessionTags } from '../sessions/session-store.js';
import { beginRecording } from '../store/recording.js';
import type { SpoolMessage } from '../store/spool.js';
import { withRequestSecretsMasked } from '../capture/recorder.js';
import { StoreWriter } from '../store/writer.js';
import { probeEndpoint, type ProbeRun, type ProgressState } from './endpoint.js';
import { Redactor } from '../../../shared/redaction.js';
import { prepareProbe } from './probe-options.js';

/** Findings about a refused handshake, whose evidence names the headers sent (redacted). */
const HANDSHAKE_FINDINGS = new Set<string>(['upgrade-rejected', 'proxy-missing-upgrade', 'origin-rejected']);

/** One step of a running probe, for progress lines and the console. */
export interface ProbeProgress {
  runId: string;
  check: string;
  state: ProgressState;
  detail: string;
}

export interface ProbeHooks {
  runId?: string;
  onProgress?: (p: ProbeProgress) => void;
  /** Ends the idle hold early (Ctrl+C): the probe then reports what it saw so far. */
  signal?: AbortSignal;
  /** Tags its session carries from the start (a watch's rounds: `watch`). */
  tags?: string[];
}

/** What a probe answers: the diagnosis, and the run it belongs to. */
export type ProbeReport = Diagnosis & { runId: string; direct: string | null };

/** Runs a probe; validation problems throw InputError before anything is created or opened. */
export async function runProbe(
  ctx: EngineContext,
  options: ProbeRequest,
  hooks: ProbeHooks = {},
): Promise<ProbeReport> {
  const prepared = prepareProbe(options);
  const { db, dbPath } = ctx;
  const timeoutMs = options.timeoutSeconds * 1000;
  const runId = hooks.runId ?? randomUUID();
  const target = prepared.target;
  // What was sent, as it may be logged: secrets redacted ("Bearer ***", "access_token.***").
  const redactHeaders = (h: Record<string, string>) => new Redactor().headers(h);
  const sentHeaders = redactHeaders(Object.fromEntries(prepared.headers));
  const sentSubprotocols = new Redactor().subprotocols(prepared.subprotocols);
  const recording = beginRecording(db, dbPath, {
    name: options.name ?? `probe ${target.host}${target.pathname === '/' ? '' : target.pathname}`,
    kind: 'probe',
    target: target.href,
    settings: {
      direct: prepared.direct?.href ?? null,
      origins: prepared.origins,
      pageOrigin: prepared.pageOrigin,
      healthPath: options.healthPath,
      idleLimitSeconds: options.idleLimitSeconds,
      echo: options.echo,
      headers: sentHeaders,
      subprotocols: prepared.subprotocols,
      protocol: options.protocol ?? null,
      // The init payload may hold a token: only whether one was given is kept.
      initPayload: options.initPayload !== undefined,
      insecure: options.insecure,
      ca: options.caPem !== undefined,
      timeoutSeconds: options.timeoutSeconds,
      probedFrom: hostname(),
    },
    createdAt: nowMicros(),
  });
  const sessionId = recording.sessionId;
  if (hooks.tags?.length) setSessionTags(db, sessionId, hooks.tags);
  const spool = StoreWriter.for(dbPath).begin(db, recording);

  // The recorder reports each handshake only to the spool; the probe reads it on the way through,
  // and redacts the secrets of the request headers before they are recorded.
  const watchers = new Map<number, (m: SpoolMessage) => void>();
  const write = spool.message.bind(spool);
  spool.message = (m: SpoolMessage) => {
    if (m.ordinal !== null) watchers.get(m.ordinal)?.(m);
    write(withRequestSecretsMasked(m));
  };
  let ordinal = 0;
  const event = (kind: string, detail: unknown) =>
    spool.message({ type: 'event', ordinal: null, ts: nowMicros(), kind, detail });

  const agents = { http: new HttpAgent({ keepAlive: false }), https: new HttpsAgent({ keepAlive: false }) };
  const run: ProbeRun = {
    hub: {
      agents,
      spool,
      nextOrdinal: () => ++ordinal,
      watch: (n, fn) => watchers.set(n, fn),
      tls: prepared.ca ? { ca: prepared.ca } : {},
      insecure: options.insecure,
      timeoutMs,
      headers: prepared.headers,
      subprotocols: prepared.subprotocols,
    },
    ca: prepared.ca,
    insecure: options.insecure,
    timeoutMs,
    healthPath: options.healthPath,
    echo: options.echo,
    idleLimitSeconds: options.idleLimitSeconds,
    origins: prepared.origins,
    pageOrigin: prepared.pageOrigin,
    signal: hooks.signal ?? new AbortController().signal,
    progress: (check, state, detail) => {
      if (state !== 'running') event('probe-check', { check, state, detail });
      hooks.onProgress?.({ runId, check, state, detail });
    },
  };

  let report: ProbeReport;
  try {
    event('probe-started', { runId, target: target.href, direct: prepared.direct?.href ?? null });
    const [targetObs, directObs] = await Promise.all([
      probeEndpoint(run, target, '', prepared.protocol),
      prepared.direct
        ? probeEndpoint(run, prepared.direct, 'direct.', prepared.directProtocol)
        : Promise.resolve<EndpointObservation | null>(null),
    ]);
    const { checks, findings } = interpretProbe({
      target: targetObs,
      direct: directObs,
      pageOrigin: prepared.pageOrigin,
      origins: prepared.origins,
    });
    // A refused handshake is read with what it carried: the headers and subprotocols given.
    if (prepared.headers.length > 0 || prepared.subprotocols.length > 0) {
      for (const f of findings) {
        if (HANDSHAKE_FINDINGS.has(f.id))
          f.evidence = { ...f.evidence, sentHeaders, subprotocols: sentSubprotocols };
      }
    }
    // The answer is printed and copied into tickets: its URLs without their credentials.
    const redactor = new Redactor();
    report = {
      runId,
      target: redactor.url(target.href),
      direct: prepared.direct ? redactor.url(prepared.direct.href) : null,
      sessionId,
      checks,
      findings: sortFindings(findings),
    };
    // The checks are kept with the session's events; the findings in the finding table, once.
    event('probe-report', { runId, target: report.target, direct: report.direct, checks });
  } finally {
    agents.http.destroy();
    agents.https.destroy();
    await spool.finish(nowMicros());
  }
  saveFindings(db, sessionId, 'probe', report.findings, nowMicros());
  return report;
}
