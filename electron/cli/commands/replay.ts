// frameline replay SESSION --to URL: send a recorded connection's messages again and compare the answers.
import { contract } from '../../../shared/contract.js';
import type { ReplayResult } from '../../../shared/contract/replay.js';
import { findingsText } from '../../../shared/finding-text.js';
import { replayJson, replayMatched } from '../../../shared/replay/report.js';
import { InputError } from '../../engine/errors.js';
import { parse, positionals, requestFrom, sessionId, type Flag } from '../args.js';
import { openCliEngine } from '../engine.js';
import { note, out } from '../output.js';

export const help = `frameline replay SESSION --to URL [options]

Send the client messages of a recorded connection again to an endpoint, with the recorded gaps
scaled by --speed, the same opcodes, headers, subprotocols and Origin (unless given), and the
recorded close. The run is recorded as a new session (kind replay) linked to SESSION. Each answer
is paired with the original's by a JSON id field (by order when the messages carry none) and
reported as matched, changed (with the JSON paths that differ), missing or extra, with its latency
beside the original's. Fields that change on every run (ts, timestamp, sentAt…) are ignored and listed.

  --to URL               the endpoint to send to (required)
  --connection N         the connection to replay (default: the first that sent anything)
  --speed F|max          F times the recorded pace (default 1); max: as fast as the socket takes them
  --pings                send the recorded pings too
  -H, --header "K: V"    a header that replaces the recorded one of that name (repeatable)
  --origin O             replaces the recorded Origin
  --subprotocol P        replaces the recorded subprotocols (repeatable)
  --ca FILE              trust this CA (PEM)
  --cert FILE --key FILE client certificate (PEM)
  --insecure             accept any server certificate
  --connect-timeout S    seconds for TCP + TLS + upgrade (default 10)
  --id-field NAME        the JSON field that pairs a request with its answer (default "id")
  --ignore FIELD         leave a field out of the comparison (repeatable): a name at any depth, or a
                         JSONPath such as $.quote.ts ($.items[*].at for every item)
  --keep-open S          keep the connection open S seconds after the last message instead of
                         replaying the recorded close (answers still missing are waited for up to
                         --wait S past the last message)
  --wait S               wait up to S seconds for missing answers before closing (default 5)
  --name N               name of the new session
  --db PATH, --json      see "frameline --help"

Exit codes: 0 every answer matched; 1 something differs, or the endpoint could not be reached;
2 bad input.`;

const OPTIONS = {
  to: { type: 'string' },
  connection: { type: 'string' },
  speed: { type: 'string' },
  pings: { type: 'boolean', default: false },
  header: { type: 'string', short: 'H', multiple: true },
  origin: { type: 'string' },
  subprotocol: { type: 'string', multiple: true },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  'connect-timeout': { type: 'string' },
  'id-field': { type: 'string' },
  ignore: { type: 'string', multiple: true },
  'keep-open': { type: 'string' },
  wait: { type: 'string' },
  name: { type: 'string' },
} as const;

/** Which field of the replay request each flag fills. */
const FLAGS: Record<string, Flag> = {
  to: { field: 'to' },
  connection: { field: 'connection', kind: 'number' },
  speed: { field: 'speed', kind: 'number', words: ['max'] },
  pings: { field: 'pings', kind: 'boolean' },
  header: { field: 'headers', kind: 'headers' },
  origin: { field: 'origin' },
  subprotocol: { field: 'subprotocols', kind: 'list' },
  ca: { field: 'caPem', kind: 'pem', pem: { what: 'CA', file: 'ca' } },
  cert: { field: 'certPem', kind: 'pem', pem: { what: 'client certificate', file: 'cert' } },
  key: { field: 'keyPem', kind: 'pem', pem: { what: 'client key', file: 'key' } },
  insecure: { field: 'insecure', kind: 'boolean' },
  'connect-timeout': { field: 'connectTimeoutSeconds', kind: 'number' },
  'id-field': { field: 'idField' },
  ignore: { field: 'ignore', kind: 'list' },
  'keep-open': { field: 'keepOpenSeconds', kind: 'number' },
  wait: { field: 'waitSeconds', kind: 'number' },
  name: { field: 'name' },
};

const ms = (v: number | null) => (v === null ? '–' : `${v} ms`);
const indent = (label: string, text: string | null) =>
  `  ${label.padEnd(9)} ${text === null ? '(none)' : text.length > 400 ? `${text.slice(0, 400)}…` : text}`;

/** The replay as an engineer reads it: counts, latency, each difference, how it closed. */
export function replayText(r: ReplayResult): string {
  const lines = [
    `replay of session ${r.source} (connection ${r.connection}) to ${r.target}: session ${r.sessionId}`,
    `sent ${r.sent} of ${r.planned}, received ${r.received}: ${r.matched} matched, ${r.changed} changed, ${r.missing} missing, ${r.extra} extra`,
    `ignored: ${r.ignored.join(', ') || '(nothing)'}`,
    `latency p50/p95: original ${ms(r.latency.originalP50Ms)} / ${ms(r.latency.originalP95Ms)}, replay ${ms(r.latency.replayP50Ms)} / ${ms(r.latency.replayP95Ms)}`,
  ];
  for (const p of r.pairs) {
    if (p.kind === 'matched' || !r.outcome.opened) continue;
    lines.push(
      '',
      `${p.kind.toUpperCase()}  ${p.id === null ? 'by order' : `id ${JSON.stringify(p.id)}`}  original ${ms(p.originalMs)}  replay ${ms(p.replayMs)}`,
      indent('request', p.request),
      indent('expected', p.expected),
      indent('actual', p.actual),
    );
    if (p.paths.length) lines.push(indent('paths', p.paths.join(', ')));
  }
  const o = r.outcome;
  const close = (code: number | null, by: string | null) =>
    code === null ? 'no close' : `${code}${by ? ` by the ${by}` : ''}`;
  lines.push('');
  if (o.opened) {
    lines.push(
      `close: original ${close(o.originalCloseCode, o.originalClosedBy)}; replay ${close(o.closeCode, o.closedBy)}`,
    );
    if (r.sent < r.planned)
      lines.push(
        `the connection ended after ${r.sent} of ${r.planned} messages${o.error ? ` (${o.error.message})` : ''}; the partial run is recorded in session ${r.sessionId}`,
      );
  }
  lines.push(
    replayMatched(r)
      ? 'Every answer matched.'
      : o.opened
        ? 'The answers differ from the original\u2019s.'
        : `Could not connect to ${r.target}.`,
  );
  return `${lines.join('\n')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'replay');
  const [raw] = positionals(args, 'replay', { min: 1, what: 'session id' });
  const id = sessionId(raw, 'replay');
  if (values.to === undefined)
    throw new InputError(
      'frameline replay needs --to URL: the endpoint to send the recorded messages to, such as ws://staging.example.com/ws',
    );
  // The run's name in its progress pushes and in replay:stop (this engine runs no other).
  const runId = `cli-${process.pid}`;
  const request = requestFrom(contract.replay.run.request, values, FLAGS, { sessionId: id, runId });
  const engine = openCliEngine(values, { create: false });
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    note('\nstopping: comparing and keeping what was sent and received so far…');
    // A run that ended meanwhile answers stopped: false, and its answer says the rest.
    engine.api.replay.stop({ runId }).catch(() => {});
  };
  let lastNote = Date.now();
  const offProgress = engine.api.on('replay:progress', (p) => {
    if (p.runId !== runId || Date.now() - lastNote < 1000 || p.state === 'done') return;
    lastNote = Date.now();
    note(`  ${p.state}: sent ${p.sent} of ${p.planned}, received ${p.received}`);
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // Every input mistake (the source, the URL, the certificates) is answered before a session is created.
    const result = await engine.api.replay.run(request);
    if (values.json) await out(`${JSON.stringify(replayJson(result), null, 2)}\n`);
    else {
      if (!result.outcome.opened) await out(`${findingsText(result.findings)}\n`);
      await out(replayText(result));
    }
    if (!result.outcome.opened && values.json) note(findingsText(result.findings).trimEnd());
    return replayMatched(result) ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    offProgress();
    await engine.close();
  }
}
