// frameline capture URL [options]: attach to an endpoint and record everything into a session.
import { readFileSync } from 'node:fs';
import { describeCloseCode } from '../../../shared/close-codes.js';
import { Capture } from '../../engine/capture/capture.js';
import {
  DEFAULT_RECONNECT,
  DEFAULTS,
  parseHeader,
  prepareCapture,
  type CaptureOptions,
} from '../../engine/capture/options.js';
import { InputError } from '../../engine/errors.js';
import { openStore } from '../../engine/store/database.js';
import { listConnections } from '../../engine/sessions/connection-store.js';
import { getSession } from '../../engine/sessions/session-store.js';
import { StoreWriter } from '../../engine/store/writer.js';
import { dbPath, numberOption, parse } from '../args.js';
import { frameLine, note, out } from '../output.js';

export const help = `frameline capture URL [options]

Attach to a ws:// or wss:// endpoint and record every frame, both ways, into a new session.
Ends when the connection closes (unless --reconnect), after --duration, or on Ctrl+C (clean 1000 close).

  -H, --header "K: V"        request header (repeatable)
  --origin O                 Origin header
  --subprotocol P            offer a subprotocol (repeatable)
  --compression              offer permessage-deflate
  --ca FILE                  trust this CA (PEM)
  --cert FILE --key FILE     client certificate (PEM)
  --insecure                 accept any server certificate
  --proxy URL                HTTP proxy (CONNECT); default: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, NO_PROXY
  --no-proxy                 ignore proxy environment variables
  --connect-timeout S        seconds for TCP + TLS + upgrade (default 10)
  --max-payload BYTES        largest message accepted (default 100 MiB)
  --payload-cap BYTES        bytes stored per frame; longer ones are stored truncated (default 1 MiB)
  --ping-interval S          send a ping every S seconds
  --reconnect                reconnect with exponential backoff and jitter
    --reconnect-base MS (500) --reconnect-max MS (30000) --reconnect-factor F (2)
    --reconnect-jitter F (0.2) --reconnect-attempts N (10 consecutive failures)
  --send TEXT                send when the connection opens (repeatable, in order)
  --send-file FILE           send each line of FILE when the connection opens
  --send-every S             send the messages again every S seconds
  --duration S               stop after S seconds
  --name N                   session name
  --quiet                    no frame lines
  --db PATH, --json          see "frameline --help"`;

const OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  origin: { type: 'string' },
  subprotocol: { type: 'string', multiple: true },
  compression: { type: 'boolean', default: false },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  proxy: { type: 'string' },
  'no-proxy': { type: 'boolean', default: false },
  'connect-timeout': { type: 'string' },
  'max-payload': { type: 'string' },
  'payload-cap': { type: 'string' },
  'ping-interval': { type: 'string' },
  reconnect: { type: 'boolean', default: false },
  'reconnect-base': { type: 'string' },
  'reconnect-max': { type: 'string' },
  'reconnect-factor': { type: 'string' },
  'reconnect-jitter': { type: 'string' },
  'reconnect-attempts': { type: 'string' },
  send: { type: 'string', multiple: true },
  'send-file': { type: 'string' },
  'send-every': { type: 'string' },
  duration: { type: 'string' },
  name: { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

/** Frame lines printed per second at most; the rest are counted (and all are recorded). */
const LINES_PER_SECOND = 200;

function readSendFile(path: string | undefined): string[] {
  if (path === undefined) return [];
  try {
    return readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.length > 0);
  } catch (err) {
    throw new InputError(`cannot read --send-file ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}

export function captureOptions(argv: string[]): {
  options: CaptureOptions;
  db: string;
  json: boolean;
  quiet: boolean;
} {
  const { values: v, positionals } = parse(argv, OPTIONS, 'capture');
  if (positionals.length !== 1) {
    throw new InputError(
      `frameline capture needs exactly one URL, got ${positionals.length}; e.g. frameline capture ws://localhost:8080/ws`,
    );
  }
  if (v.proxy !== undefined && v['no-proxy'])
    throw new InputError('--proxy and --no-proxy contradict each other; keep one');
  const reconnect = v.reconnect
    ? {
        baseMs:
          numberOption(v['reconnect-base'], 'reconnect-base', { max: 3_600_000 }) ?? DEFAULT_RECONNECT.baseMs,
        maxMs:
          numberOption(v['reconnect-max'], 'reconnect-max', { max: 3_600_000 }) ?? DEFAULT_RECONNECT.maxMs,
        factor:
          numberOption(v['reconnect-factor'], 'reconnect-factor', { min: 1, max: 10 }) ??
          DEFAULT_RECONNECT.factor,
        jitter:
          numberOption(v['reconnect-jitter'], 'reconnect-jitter', { max: 1 }) ?? DEFAULT_RECONNECT.jitter,
        attempts:
          numberOption(v['reconnect-attempts'], 'reconnect-attempts', {
            min: 1,
            max: 1_000_000,
            integer: true,
          }) ?? DEFAULT_RECONNECT.attempts,
      }
    : undefined;
  const ms = (raw: unknown, name: string, min = 0.001) =>
    numberOption(raw, name, { min, max: 31_536_000, scale: 1000 });
  const options: CaptureOptions = {
    url: positionals[0]!,
    headers: (v.header ?? []).map(parseHeader),
    subprotocols: v.subprotocol ?? [],
    compression: v.compression,
    insecure: v.insecure,
    proxy: v['no-proxy'] ? null : v.proxy,
    connectTimeoutMs: ms(v['connect-timeout'], 'connect-timeout') ?? DEFAULTS.connectTimeoutMs,
    maxPayload:
      numberOption(v['max-payload'], 'max-payload', { min: 1, integer: true }) ?? DEFAULTS.maxPayload,
    payloadCap:
      numberOption(v['payload-cap'], 'payload-cap', { integer: true, max: 2 ** 31 }) ?? DEFAULTS.payloadCap,
    sends: [...(v.send ?? []), ...readSendFile(v['send-file'])],
    ...(v.name !== undefined ? { name: v.name } : {}),
    ...(v.origin !== undefined ? { origin: v.origin } : {}),
    ...(v.ca !== undefined ? { caFile: v.ca } : {}),
    ...(v.cert !== undefined ? { certFile: v.cert } : {}),
    ...(v.key !== undefined ? { keyFile: v.key } : {}),
    ...(reconnect ? { reconnect } : {}),
  };
  const ping = ms(v['ping-interval'], 'ping-interval', 0.01);
  if (ping !== undefined) options.pingIntervalMs = ping;
  const every = ms(v['send-every'], 'send-every', 0.01);
  if (every !== undefined) options.sendEveryMs = every;
  const duration = ms(v.duration, 'duration');
  if (duration !== undefined) options.durationMs = duration;
  return { options, db: dbPath(v), json: v.json, quiet: v.quiet };
}

export async function run(argv: string[]): Promise<number> {
  const { options, db: path, json, quiet } = captureOptions(argv);
  prepareCapture(options); // every input mistake is reported before the database is touched
  const db = openStore(path);
  let shown = 0;
  let hidden = 0;
  let windowStart = Date.now();
  const printFrames = !json && !quiet;
  const capture = Capture.start(db, path, options, {
    ...(printFrames
      ? {
          onFrame: (f) => {
            const now = Date.now();
            if (now - windowStart >= 1000) {
              if (hidden > 0)
                process.stdout.write(`… ${hidden} more frames not printed (all are recorded)\n`);
              windowStart = now;
              shown = 0;
              hidden = 0;
            }
            if (shown++ < LINES_PER_SECOND)
              process.stdout.write(`${frameLine(f.ts, f.direction, f.opcode, f.data.length, f.data)}\n`);
            else hidden++;
          },
        }
      : {}),
    onOpen: (n) => !json && note(`connected${n > 1 ? ` (connection ${n})` : ''}: ${options.url}`),
    onOutcome: (o) => {
      if (json) return;
      if (o.error && options.reconnect) note(`connection ${o.ordinal} failed: ${o.error.message}`);
      else if (o.closeCode !== null) {
        const info = describeCloseCode(o.closeCode);
        note(
          `closed by ${o.closedBy}: ${o.closeCode} ${info.name}${o.closeReason ? ` "${o.closeReason}"` : ''}`,
        );
      }
    },
    onReconnect: (attempt, delay) => !json && note(`reconnecting in ${delay} ms (attempt ${attempt})`),
  });
  if (!json) await out(`session ${capture.sessionId}\n`);
  else note(`capturing into session ${capture.sessionId} (${path})`);

  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals === 1) {
      note(`\n${sig}: closing with 1000 and committing what was captured…`);
      void capture.stop('user');
    } else note('still committing frames; they will all be kept');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // Progress for a long commit after the capture ended (a burst leaves a backlog behind).
  let committed = 0;
  const unsubscribe = StoreWriter.for(path).onCommitted((id, n) => {
    if (id === capture.sessionId) committed += n;
  });
  const progress = setInterval(() => {
    if (capture.frames - committed > 50_000)
      note(`committing: ${committed} of ${capture.frames} frames written`);
  }, 1000);
  progress.unref();
  const result = await capture.done;
  clearInterval(progress);
  unsubscribe();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  if (hidden > 0 && printFrames) await out(`… ${hidden} more frames not printed (all are recorded)\n`);
  const session = getSession(db, capture.sessionId)!;
  const connections = listConnections(db, capture.sessionId);
  db.close();
  if (json) {
    await out(`${JSON.stringify({ session, connections, stoppedBy: result.stoppedBy }, null, 2)}\n`);
  } else {
    note(
      `session ${session.id} ${session.status}: ${session.frames} frames over ${connections.length} connection${connections.length === 1 ? '' : 's'}`,
    );
  }
  if (!result.opened) {
    const failure = result.connections.find((c) => c.error)?.error;
    note(`error: could not connect to ${options.url}: ${failure?.message ?? 'unknown error'}`);
    return 1;
  }
  return 0;
}
