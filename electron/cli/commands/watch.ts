// frameline watch URL: a synthetic monitor. The probe runs on a schedule, each round kept as a
// session with its findings, and what the rounds saw is served to Prometheus at /metrics.
import type { PayloadOf } from '../../../shared/contract.js';
import { ProbeRequestSchema, WatchRequestSchema } from '../../../shared/contract/diagnose.js';
import { InputError } from '../../engine/errors.js';
import { parse, positionals, requestFrom, type Flag } from '../args.js';
import { openCliEngine } from '../engine.js';
import { note, out, warnExposed } from '../output.js';
import { FLAGS as PROBE_FLAGS, OPTIONS as PROBE_OPTIONS } from './probe.js';
import { listenAddress } from './relay.js';

/** A round's idle hold unless --idle-limit says otherwise: short, so that rounds stay short. */
const WATCH_IDLE_SECONDS = 5;
const DEFAULTS = WatchRequestSchema.parse({ probe: { url: 'ws://localhost/' } });

export const help = `frameline watch URL [--every S] [--listen HOST:PORT] [options]

Watch an endpoint: run the probe's checks against it every S seconds (DNS, TCP, TLS, the upgrade,
echo and ping round trips, the server's heartbeat, an idle connection held --idle-limit seconds),
keep each round as a session of kind "probe" tagged "watch" with its findings, and serve what the
rounds saw at /metrics in the Prometheus text format: handshake seconds by phase, round trips,
failures by finding, the seconds after which an idle connection was cut, the scorecard's rates, and
the connections, disconnections and heartbeat failures the debugging guide's alert rules read
(docs/monitoring/frameline-alerts.yml is a ready rules file). The first line on stdout is
"metrics http://HOST:PORT/metrics"; a line per round follows on stderr. Runs until Ctrl+C or
SIGTERM, which end the round under way early and exit 0.

  --every S            seconds from one round's start to the next (default ${DEFAULTS.everySeconds})
  --listen HOST:PORT   where /metrics is served (default 127.0.0.1:0, a free port)
  --keep-days D        delete the watch's sessions older than D days as it goes (default ${DEFAULTS.keepDays})
  --idle-limit S       hold the idle connection at most S seconds each round (default ${WATCH_IDLE_SECONDS});
                       an idle timeout longer than this is not seen
  --echo N, -H, --origin, --subprotocol, --protocol, --init-payload, --timeout, --ca, --insecure,
  --direct, --page-origin, --health-path, --name
                       as for "frameline probe"
  --db PATH            see "frameline --help"`;

const OPTIONS = {
  ...PROBE_OPTIONS,
  every: { type: 'string' },
  listen: { type: 'string' },
  'keep-days': { type: 'string' },
} as const;

const FLAGS: Record<string, Flag> = {
  every: { field: 'everySeconds', kind: 'number' },
  'keep-days': { field: 'keepDays', kind: 'number' },
};

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'watch');
  if (args.length === 0)
    throw new InputError('frameline watch needs the URL to watch, such as wss://example.com/ws');
  const [url] = positionals(args, 'watch', { min: 1, what: 'URL' });
  let name: string | undefined;
  try {
    const u = new URL(url!);
    name = `watch ${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    // the probe's own check says what is wrong with the URL
  }
  const probe = requestFrom(ProbeRequestSchema, values, PROBE_FLAGS, {
    url,
    idleLimitSeconds: WATCH_IDLE_SECONDS,
    name,
  });
  const request = requestFrom(
    WatchRequestSchema.omit({ probe: true }),
    values,
    FLAGS,
    listenAddress(values.listen),
  );
  const runId = `watch-${process.pid}`;
  // The database opens once the watch found nothing wrong with the request: a mistake creates nothing.
  const engine = openCliEngine(values, { openOnFirstUse: true });
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    note('stopping the watch after the round under way…');
    engine.api.diagnose.stop({ runId }).catch(() => {});
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A line per round (its session and what it found), and the end of the watch.
  const offRounds = engine.api.on('diagnose:watch-round', (r) => {
    if (r.runId !== runId) return;
    note(
      `${new Date().toISOString().slice(11, 19)} round ${r.round}: session ${r.sessionId ?? '-'}, ${r.findings.length ? r.findings.join(', ') : 'no finding'}${r.sessionsDeleted ? `; ${r.sessionsDeleted} old sessions deleted` : ''}`,
    );
  });
  let ended: (e: PayloadOf<'diagnose:watch-ended'>) => void = () => {};
  const end = new Promise<PayloadOf<'diagnose:watch-ended'>>((resolve) => (ended = resolve));
  const offEnd = engine.api.on('diagnose:watch-ended', (e) => e.runId === runId && ended(e));
  try {
    const watch = await engine.api.diagnose.watch({ ...request, probe, runId });
    if (!watch.loopback) warnExposed(request.host, '', 'can read what the watch sees of the endpoint.');
    await out(`metrics ${watch.metricsUrl}\n`);
    note(`watching ${probe.url} every ${request.everySeconds} s; Ctrl+C to stop`);
    const result = await end;
    if (result.error !== null) {
      note(`frameline: the watch stopped after ${result.probes} probes: ${result.error}`);
      return 1;
    }
    note(
      `watch stopped after ${result.probes} probe${result.probes === 1 ? '' : 's'}${result.sessionsDeleted ? `; ${result.sessionsDeleted} old sessions deleted` : ''}`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    offRounds();
    offEnd();
    await engine.close();
  }
}
