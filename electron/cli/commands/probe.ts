// frameline probe URL: the 3 AM checklist, run by the tool, with what each result means.
import type { Check, Diagnosis, Finding } from '../../../shared/findings.js';
import { hasCritical } from '../../../shared/findings.js';
import { parseHeader } from '../../engine/capture/options.js';
import { InputError } from '../../engine/errors.js';
import { PROBE_DEFAULTS, prepareProbe, type ProbeOptions } from '../../engine/diagnose/probe-options.js';
import { runProbe, type ProbeProgress } from '../../engine/diagnose/probe.js';
import { openStore } from '../../engine/store/database.js';
import { dbPath, numberOption, parse } from '../args.js';
import { note, out } from '../output.js';

export const help = `frameline probe URL [options]

Run the checks an engineer runs by hand against a WebSocket endpoint, and say what they mean:
DNS, TCP, TLS (chain, expiry, host name, protocol), GET of the health path, the upgrade (status,
headers, body), the Origin policy, echo and ping round trips, the server's heartbeat, and an idle
connection held until something cuts it. Checks are printed on stderr as they complete, findings on
stdout. The run is recorded as a session of kind "probe". Exit code 1 when a finding is critical.

  --direct URL2        run the same checks against the backend behind the proxy; say which layer fails
  --origin O           an Origin your pages use (repeatable); also tried: none, and a foreign one
  --page-origin O      the page that opens the socket (https + ws:// is mixed content)
  --health-path P      GET this path on the same host and port (default ${PROBE_DEFAULTS.healthPath}; never fatal)
  --idle-limit S       hold the idle connection at most S seconds (default ${PROBE_DEFAULTS.idleLimitSeconds})
  --echo N             send N messages and time their echo (default 0: send nothing)
  -H, --header "K: V"  request header on every handshake (repeatable); secrets are logged as "***"
  --subprotocol P      offer a subprotocol on every handshake (repeatable)
  --timeout S          timeout of each step (default ${PROBE_DEFAULTS.timeoutMs / 1000})
  --ca FILE            trust this CA (PEM) for wss://
  --insecure           go on past an untrusted certificate (it is still reported)
  --name N             session name
  --db PATH, --json    see "frameline --help"

Connects directly: HTTP_PROXY and friends are not used.`;

const OPTIONS = {
  direct: { type: 'string' },
  origin: { type: 'string', multiple: true },
  'page-origin': { type: 'string' },
  'health-path': { type: 'string' },
  'idle-limit': { type: 'string' },
  echo: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  subprotocol: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  name: { type: 'string' },
} as const;

export function probeOptions(argv: string[]): { options: ProbeOptions; db: string; json: boolean } {
  const { values: v, positionals } = parse(argv, OPTIONS, 'probe');
  if (positionals.length !== 1) {
    throw new InputError(
      `frameline probe needs exactly one URL, got ${positionals.length}; e.g. frameline probe wss://example.com/ws`,
    );
  }
  const options: ProbeOptions = {
    url: positionals[0]!,
    origins: v.origin ?? [],
    healthPath: v['health-path'] ?? PROBE_DEFAULTS.healthPath,
    idleLimitSeconds:
      numberOption(v['idle-limit'], 'idle-limit', { min: 1, max: 3600 }) ?? PROBE_DEFAULTS.idleLimitSeconds,
    echo: numberOption(v.echo, 'echo', { max: 1000, integer: true }) ?? PROBE_DEFAULTS.echo,
    timeoutMs:
      numberOption(v.timeout, 'timeout', { min: 0.1, max: 300, scale: 1000 }) ?? PROBE_DEFAULTS.timeoutMs,
    insecure: v.insecure,
    headers: (v.header ?? []).map(parseHeader),
    subprotocols: v.subprotocol ?? [],
    ...(v.direct !== undefined ? { direct: v.direct } : {}),
    ...(v['page-origin'] !== undefined ? { pageOrigin: v['page-origin'] } : {}),
    ...(v.ca !== undefined ? { caFile: v.ca } : {}),
    ...(v.name !== undefined ? { name: v.name } : {}),
  };
  return { options, db: dbPath(v), json: v.json };
}

const STATE = { running: '…', ok: 'ok', failed: 'FAILED' } as const;

/** One progress line: state, check, time, what it saw. */
export function progressLine(
  p: Pick<ProbeProgress, 'check' | 'state' | 'detail'>,
  ms: number | null = null,
): string {
  const time = ms === null ? '' : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`;
  return `  ${STATE[p.state].padEnd(6)}  ${p.check.padEnd(17)} ${time.padStart(9)}  ${p.detail}`;
}

function value(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.join(', ');
  return JSON.stringify(v);
}

/** Findings as an engineer reads them: what, the evidence, the cause, the fix and the runbook step. */
export function findingsText(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No findings.\n';
  const blocks = findings.map((f) => {
    const evidence = Object.entries(f.evidence)
      .map(([k, v]) => `${k} ${value(v)}`)
      .join('; ');
    return [
      `${f.severity.toUpperCase()}  ${f.id}: ${f.title}`,
      `  ${f.summary}`,
      `  evidence: ${evidence}`,
      `  cause:    ${f.cause}`,
      `  fix:      ${f.fix}`,
      `  runbook:  ${f.runbook}`,
    ].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** The closing line: how many findings of which severity. */
export function verdict(d: Diagnosis): string {
  const count = (s: Finding['severity']) => d.findings.filter((f) => f.severity === s).length;
  const c = count('critical');
  const w = count('warning');
  const i = count('info');
  if (c + w === 0) return `No warning or critical finding${i ? ` (${i} for information)` : ''}.`;
  return `${c} critical, ${w} warning${w === 1 ? '' : 's'}${i ? `, ${i} for information` : ''}.`;
}

/** Check lines for stdout (diagnose) or for the end of a probe. */
export function checkLines(checks: readonly Check[], describe: (c: Check) => string): string {
  return checks
    .map((c) => progressLine({ check: c.name, state: c.ok ? 'ok' : 'failed', detail: describe(c) }, c.ms))
    .join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { options, db: path, json } = probeOptions(argv);
  prepareProbe(options); // every input mistake is reported before the database is touched
  const db = openStore(path);
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) return;
    note('\nstopping the idle hold; reporting what was seen so far…');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = new Map<string, number>();
  note(`probe ${options.url}${options.direct ? ` (direct: ${options.direct})` : ''}`);
  try {
    const report = await runProbe(db, path, options, {
      signal: abort.signal,
      onProgress: (p) => {
        if (p.state === 'running') {
          started.set(p.check, performance.now());
          if (p.detail) note(progressLine(p));
          return;
        }
        const t0 = started.get(p.check);
        note(progressLine(p, t0 === undefined ? null : performance.now() - t0));
      },
    });
    if (json) await out(`${JSON.stringify(report, null, 2)}\n`);
    else
      await out(
        `\nsession ${report.sessionId}: ${report.target}\n\n${findingsText(report.findings)}\n${verdict(report)}\n`,
      );
    return hasCritical(report.findings) ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    db.close();
  }
}
