// frameline capture URL [options]: attach to an endpoint and record everything into a session.
import { describeCloseCode } from '../../../shared/close-codes.js';
import {
  CaptureRequestSchema,
  MAX_SEND_CHARS,
  MAX_SENDS,
  type CaptureRequest,
} from '../../../shared/contract.js';
import { Capture } from '../../engine/capture/capture.js';
import { prepareCapture } from '../../engine/capture/options.js';
import { openEngine } from '../../engine/context.js';
import { InputError } from '../../engine/errors.js';
import { readUserFile } from '../../engine/files.js';
import { onCommitted, sessionDetail, waitingInSpool } from '../../engine/sessions/sessions.js';
import { dbPath, parse, positionals, requestFrom, type Flag } from '../args.js';
import { LockNotices } from '../lock-notices.js';
import { frameLine, note, out } from '../output.js';

export const help = `frameline capture URL [options]

Attach to a ws:// or wss:// endpoint and record every frame, both ways, into a new session.
Ends when the connection closes (unless --reconnect), after --duration, or on Ctrl+C (clean 1000 close).

  -H, --header "K: V"        request header (repeatable)
  --origin O                 Origin header
  --subprotocol P            offer a subprotocol (repeatable)
  --compression              offer permessage-deflate
  --ca FILE                  trust this CA (PEM, at most 1 MiB)
  --cert FILE --key FILE     client certificate (PEM, at most 1 MiB each)
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
  --send-file FILE           send each line of FILE (at most 64 MiB) when the connection opens
  --send-every S             send the messages again every S seconds
  --duration S               stop S seconds after the connection opened
  --name N                   session name
  --quiet                    no frame lines, no notes about waiting for the database's lock
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

/** Which field of the capture request each flag fills. */
const FLAGS: Record<string, Flag> = {
  header: { field: 'headers', kind: 'headers' },
  origin: { field: 'origin' },
  subprotocol: { field: 'subprotocols', kind: 'list' },
  compression: { field: 'compression', kind: 'boolean' },
  ca: { field: 'caPem', kind: 'pem', pem: { holds: 'certificate', what: 'CA' } },
  cert: { field: 'certPem', kind: 'pem', pem: { holds: 'certificate', what: 'client certificate' } },
  key: { field: 'keyPem', kind: 'pem', pem: { holds: 'key', what: 'client key' } },
  insecure: { field: 'insecure', kind: 'boolean' },
  proxy: { field: 'proxy' },
  'connect-timeout': { field: 'connectTimeoutSeconds', kind: 'number' },
  'max-payload': { field: 'maxPayload', kind: 'number' },
  'payload-cap': { field: 'payloadCap', kind: 'number' },
  'ping-interval': { field: 'pingIntervalSeconds', kind: 'number' },
  'reconnect-base': { field: 'reconnect.baseMs', kind: 'number', needs: 'reconnect' },
  'reconnect-max': { field: 'reconnect.maxMs', kind: 'number', needs: 'reconnect' },
  'reconnect-factor': { field: 'reconnect.factor', kind: 'number', needs: 'reconnect' },
  'reconnect-jitter': { field: 'reconnect.jitter', kind: 'number', needs: 'reconnect' },
  'reconnect-attempts': { field: 'reconnect.attempts', kind: 'number', needs: 'reconnect' },
  'send-every': { field: 'sendEverySeconds', kind: 'number' },
  duration: { field: 'durationSeconds', kind: 'number' },
  name: { field: 'name' },
};

/** Frame lines printed per second at most; the rest are counted (and all are recorded). */
const LINES_PER_SECOND = 200;

/** The most --send-file may hold (the messages are held in memory for every connection). */
const SEND_FILE_LIMIT = 64 * 1024 * 1024;

/** The non-empty lines of --send-file, each with its line number. */
function readSendFile(path: string | undefined): Array<{ line: number; text: string }> {
  if (path === undefined) return [];
  return readUserFile(path, '--send-file', SEND_FILE_LIMIT)
    .toString('utf8')
    .split(/\r?\n/)
    .map((t, i) => ({ line: i + 1, text: t }))
    .filter((l) => l.text.length > 0);
}

/**
 * The messages sent on open: every --send, then every line of --send-file. A complaint names
 * where the message came from and the limit, never the message itself (it may be a megabyte).
 */
function sendsFrom(send: string[] | undefined, file: string | undefined): string[] {
  const given = send ?? [];
  const lines = readSendFile(file);
  const total = given.length + lines.length;
  if (total > MAX_SENDS) {
    const from = [given.length ? '--send' : '', file !== undefined ? `--send-file ${file}` : '']
      .filter(Boolean)
      .join(' and ');
    throw new InputError(
      `${from} give${given.length && file !== undefined ? '' : 's'} ${total} messages; at most ${MAX_SENDS} are sent when a connection opens`,
    );
  }
  const limit = `a message sent on open holds at most ${MAX_SEND_CHARS} characters`;
  given.forEach((m, i) => {
    if (m.length > MAX_SEND_CHARS)
      throw new InputError(`--send message ${i + 1} is ${m.length} characters long; ${limit}`);
  });
  for (const l of lines) {
    if (l.text.length > MAX_SEND_CHARS) {
      throw new InputError(
        `line ${l.line} of --send-file ${file} is ${l.text.length} characters long; ${limit}`,
      );
    }
  }
  return [...given, ...lines.map((l) => l.text)];
}

/** The capture request argv asks for, checked by the contract's schema. */
export function captureRequest(argv: string[]): {
  request: CaptureRequest;
  db: string;
  json: boolean;
  quiet: boolean;
} {
  const { values: v, positionals: args } = parse(argv, OPTIONS, 'capture');
  if (args.length === 0)
    throw new InputError('frameline capture needs the URL to attach to, such as ws://localhost:8080/ws');
  const [url] = positionals(args, 'capture', { min: 1, what: 'URL' });
  if (v.proxy !== undefined && v['no-proxy'])
    throw new InputError('--proxy and --no-proxy contradict each other; keep one');
  if (v['send-every'] !== undefined && !v.send?.length && v['send-file'] === undefined)
    throw new InputError('--send-every repeats the messages of --send or --send-file; give one of them');
  const sends = sendsFrom(v.send, v['send-file']);
  const request = requestFrom(CaptureRequestSchema, v, FLAGS, {
    url,
    ...(v.reconnect ? { reconnect: {} } : {}),
    ...(v['no-proxy'] ? { proxy: null } : {}),
    ...(sends.length ? { sends } : {}),
  });
  return { request, db: dbPath(v), json: v.json, quiet: v.quiet };
}

export async function run(argv: string[]): Promise<number> {
  const { request, db: path, json, quiet } = captureRequest(argv);
  prepareCapture(request); // every input mistake is reported before the database is touched
  const engine = openEngine(path);
  let shown = 0;
  let hidden = 0;
  let windowStart = Date.now();
  const printFrames = !json && !quiet;
  // One line per wait for the lock, none under --quiet.
  const lockNotices = quiet ? null : new LockNotices(note);
  const capture = Capture.start(engine, request, {
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
    onOpen: (n) => !json && note(`connected${n > 1 ? ` (connection ${n})` : ''}: ${request.url}`),
    onOutcome: (o) => {
      if (json) return;
      if (o.error && request.reconnect) note(`connection ${o.ordinal} failed: ${o.error.message}`);
      else if (o.closeCode !== null) {
        const info = describeCloseCode(o.closeCode);
        // When, to the millisecond: a cut is matched against proxy and server logs by its time.
        const at = new Date().toISOString().slice(11, 23);
        note(
          `closed by ${o.closedBy} at ${at} UTC: ${o.closeCode} ${info.name}${o.closeReason ? ` "${o.closeReason}"` : ''}${o.error ? ` (${o.error.message})` : ''}`,
        );
      }
    },
    onReconnect: (attempt, delay) => !json && note(`reconnecting in ${delay} ms (attempt ${attempt})`),
    ...(lockNotices ? { onBusy: (busy: boolean) => lockNotices.busy(busy) } : {}),
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
  const unsubscribe = onCommitted(engine, capture.sessionId, (n) => (committed += n));
  const progress = setInterval(() => {
    if (capture.frames - committed > 50_000)
      note(`committing: ${committed} of ${capture.frames} frames written`);
  }, 1000);
  progress.unref();
  const result = await capture.done;
  lockNotices?.flush();
  clearInterval(progress);
  unsubscribe();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  if (hidden > 0 && printFrames) await out(`… ${hidden} more frames not printed (all are recorded)\n`);
  const { session, connections } = sessionDetail(engine, capture.sessionId);
  // Frames a full disk or a held lock left in the spool are safe, and counted too.
  const waiting = waitingInSpool(engine, capture.sessionId);
  engine.close();
  if (json) {
    await out(
      `${JSON.stringify({ session, connections, waitingInSpool: waiting && { frames: waiting.frames, connections: waiting.connections }, stoppedBy: result.stoppedBy, failure: result.failure }, null, 2)}\n`,
    );
  } else {
    const frames = session.frames + (waiting?.frames ?? 0);
    const over = connections.length + (waiting?.connections ?? 0);
    note(
      `session ${session.id} ${session.status}: ${frames} frames over ${over} connection${over === 1 ? '' : 's'}${waiting ? ` (${waiting.frames} of them still in its spool, committed the next time the database is opened)` : ''}`,
    );
  }
  if (result.failure) {
    note(`error: ${result.failure}`);
    return 1;
  }
  if (!result.opened) {
    const failure = result.connections.find((c) => c.error)?.error;
    note(`error: could not connect to ${request.url}: ${failure?.message ?? 'unknown error'}`);
    return 1;
  }
  return 0;
}
