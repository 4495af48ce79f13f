// frameline probe URL: the 3 AM checklist, run by the tool, with what each result means.
import { ProbeRequestSchema, type ProbeRequest } from '../../../shared/contract/diagnose.js';
import { findingsText, verdict } from '../../../shared/finding-text.js';
import type { Check } from '../../../shared/findings.js';
import { hasCritical } from '../../../shared/findings.js';
import type { PayloadOf } from '../../../shared/contract.js';
import { InputError } from '../../engine/errors.js';
import { dbPath, parse, positionals, requestFrom, type Flag } from '../args.js';
import { openCliEngine } from '../engine.js';
import { note, out } from '../output.js';

/** The probe's defaults, as the contract fills them in. */
const DEFAULTS = ProbeRequestSchema.parse({ url: 'ws://localhost/' });

export const help = `frameline probe URL [options]

Run the checks an engineer runs by hand against a WebSocket endpoint, and say what they mean:
DNS, TCP, TLS (chain, expiry, host name, protocol), GET of the health path, the upgrade (status,
headers, body), the Origin policy, echo and ping round trips, the server's heartbeat, and an idle
connection held until something cuts it. Checks are printed on stderr as they complete, findings on
stdout. The run is recorded as a session of kind "probe". Exit code 1 when a finding is critical.

  --direct URL2        run the same checks against the backend behind the proxy; say which layer fails
  --origin O           an Origin your pages use (repeatable); also tried: none, and a foreign one
  --page-origin O      the page that opens the socket (https + ws:// is mixed content)
  --health-path P      GET this path on the same host and port (default ${DEFAULTS.healthPath}; never fatal)
  --idle-limit S       hold the idle connection at most S seconds (default ${DEFAULTS.idleLimitSeconds})
  --echo N             send N messages and time their echo (default 0: send nothing)
  -H, --header "K: V"  request header on every handshake (repeatable); secrets are logged as "***"
  --subprotocol P      offer a subprotocol on every handshake (repeatable)
  --protocol NAME|none speak this protocol on the connections it holds: socket.io, graphql-ws, mqtt or
                       stomp (default: what the URL, such as /socket.io/, or the subprotocol the server
                       chose says); its heartbeats are answered, round trips measured once it is open
  --init-payload JSON  sent with the protocol's opening: graphql-ws connection_init payload, Socket.IO
                       auth, MQTT/STOMP credentials
  --timeout S          timeout of each step (default ${DEFAULTS.timeoutSeconds})
  --ca FILE            trust this CA (PEM) for wss://
  --insecure           go on past an untrusted certificate (it is still reported)
  --name N             session name
  --db PATH, --json    see "frameline --help"

Connects directly: HTTP_PROXY and friends are not used.`;

export const OPTIONS = {
  direct: { type: 'string' },
  origin: { type: 'string', multiple: true },
  'page-origin': { type: 'string' },
  'health-path': { type: 'string' },
  'idle-limit': { type: 'string' },
  echo: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  subprotocol: { type: 'string', multiple: true },
  protocol: { type: 'string' },
  'init-payload': { type: 'string' },
  timeout: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  name: { type: 'string' },
} as const;

/** Which field of the probe request each flag fills. */
export const FLAGS: Record<string, Flag> = {
  direct: { field: 'direct' },
  origin: { field: 'origins', kind: 'list' },
  'page-origin': { field: 'pageOrigin' },
  'health-path': { field: 'healthPath' },
  'idle-limit': { field: 'idleLimitSeconds', kind: 'number' },
  echo: { field: 'echo', kind: 'number' },
  header: { field: 'headers', kind: 'headers' },
  subprotocol: { field: 'subprotocols', kind: 'list' },
  protocol: { field: 'protocol' },
  'init-payload': { field: 'initPayload' },
  timeout: { field: 'timeoutSeconds', kind: 'number' },
  ca: { field: 'caPem', kind: 'pem', pem: { what: 'CA', file: 'ca' } },
  insecure: { field: 'insecure', kind: 'boolean' },
  name: { field: 'name' },
};

/** The probe request argv asks for, checked by the contract's schema. */
export function probeRequest(argv: string[]): { request: ProbeRequest; db: string; json: boolean } {
  const { values: v, positionals: args } = parse(argv, OPTIONS, 'probe');
  if (args.length === 0)
    throw new InputError('frameline probe needs the URL to check, such as wss://example.com/ws');
  const [url] = positionals(args, 'probe', { min: 1, what: 'URL' });
  return { request: requestFrom(ProbeRequestSchema, v, FLAGS, { url }), db: dbPath(v), json: v.json };
}

const STATE = { running: '…', ok: 'ok', failed: 'FAILED' } as const;

/** One progress line: state, check, time, what it saw. */
export function progressLine(
  p: Pick<PayloadOf<'diagnose:progress'>, 'check' | 'state' | 'detail'>,
  ms: number | null = null,
): string {
  const time = ms === null ? '' : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`;
  return `  ${STATE[p.state].padEnd(6)}  ${p.check.padEnd(17)} ${time.padStart(9)}  ${p.detail}`;
}

/** Check lines for stdout (diagnose) or for the end of a probe. */
export function checkLines(checks: readonly Check[], describe: (c: Check) => string): string {
  return checks
    .map((c) => progressLine({ check: c.name, state: c.ok ? 'ok' : 'failed', detail: describe(c) }, c.ms))
    .join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { request: asked, db: path, json } = probeRequest(argv);
  // The run's name in its progress pushes and in diagnose:stop (this engine runs no other).
  const runId = `cli-${process.pid}`;
  const request: ProbeRequest = { ...asked, runId };
  // The database opens once the probe found nothing wrong with the request: a mistake creates nothing.
  const engine = openCliEngine({ db: path }, { openOnFirstUse: true });
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    note('\nstopping the idle hold; reporting what was seen so far…');
    // A probe that ended meanwhile answers stopped: false, and its answer says the rest.
    engine.api.diagnose.stop({ runId }).catch(() => {});
  };
  // The probe's first line comes with its first check: a request refused before any check has
  // only its one line of refusal.
  let announced = false;
  const started = new Map<string, number>();
  const offProgress = engine.api.on('diagnose:progress', (p) => {
    if (p.runId !== runId) return;
    if (!announced) {
      announced = true;
      note(`probe ${request.url}${request.direct ? ` (direct: ${request.direct})` : ''}`);
    }
    if (p.state === 'running') {
      started.set(p.check, performance.now());
      if (p.detail) note(progressLine(p));
      return;
    }
    const t0 = started.get(p.check);
    note(progressLine(p, t0 === undefined ? null : performance.now() - t0));
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // Every input mistake (the URLs, the origins, the CA) is answered before anything is created.
    const done = await engine.api.diagnose.probe(request);
    if (json) await out(`${JSON.stringify(done, null, 2)}\n`);
    else
      await out(
        `\nsession ${done.sessionId}: ${done.target}\n\n${findingsText(done.findings, done.target)}\n${verdict(done)}\n`,
      );
    return hasCritical(done.findings) ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    offProgress();
    await engine.close();
  }
}
