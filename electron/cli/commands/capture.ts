// frameline capture URL [options]: attach to an endpoint and record everything into a session.
import { MAX_SCRIPT_CHARS } from '../../../shared/capture-script.js';
import { describeCloseCode } from '../../../shared/close-codes.js';
import {
  CaptureRequestSchema,
  MAX_SEND_CHARS,
  MAX_SENDS,
  type CaptureEvent,
  type CaptureFrame,
  type CaptureRequest,
  type CaptureStatus,
} from '../../../shared/contract.js';
import { messageLabel } from '../../../shared/protocols/decode.js';
import { InputError } from '../../engine/errors.js';
import { readUserFile } from '../../engine/files.js';
import { dbPath, parse, positionals, requestFrom, type Flag } from '../args.js';
import { openCliEngine, type CliEngine } from '../engine.js';
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
  --protocol NAME|none       speak this protocol as a client: socket.io or graphql-ws (default: what the URL
                             such as /socket.io/, or the subprotocol the server chose, says); none: a plain socket
  --init-payload JSON        sent with the protocol's opening: graphql-ws connection_init payload, Socket.IO auth
  --subscribe VALUE          ask the protocol's way (repeatable): a GraphQL subscription document (or
                             {"query":…,"variables":…}), a Socket.IO namespace such as /chat
  --send TEXT                send when the connection (and its protocol) is open (repeatable, in order)
  --send-file FILE           send each line of FILE (at most 64 MiB) when the connection opens
  --send-every S             send the messages again every S seconds
  --script FILE              run a conversation once the connection (and its protocol) is open, one step a
                             line: send TEXT, expect /REGEX/ or {JSON subset} [TIMEOUT], sleep 500ms, ping,
                             close [CODE [REASON]]; # comments. An expect that times out ends the capture (exit 1)
  --duration S               stop S seconds after the connection opened
  --name N                   session name
  --quiet                    no frame lines, no notes about waiting for the database's lock
  --db PATH, --json          see "frameline --help"`;

/**
 * The flags that say how to connect besides the URL: capture's, and those of a walk's connection
 * profile (`frameline walk start` and `walk action` take them too). One parsing for both.
 */
export const PROFILE_OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  origin: { type: 'string' },
  subprotocol: { type: 'string', multiple: true },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  protocol: { type: 'string' },
  'init-payload': { type: 'string' },
  subscribe: { type: 'string', multiple: true },
  send: { type: 'string', multiple: true },
  'send-file': { type: 'string' },
  script: { type: 'string' },
} as const;

const OPTIONS = {
  ...PROFILE_OPTIONS,
  compression: { type: 'boolean', default: false },
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
  'send-every': { type: 'string' },
  duration: { type: 'string' },
  name: { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

/** Which field of a capture request (and of a walk's profile) each connection flag fills. */
export const PROFILE_FLAGS: Record<string, Flag> = {
  header: { field: 'headers', kind: 'headers' },
  origin: { field: 'origin' },
  subprotocol: { field: 'subprotocols', kind: 'list' },
  ca: { field: 'caPem', kind: 'pem', pem: { what: 'CA', file: 'ca' } },
  cert: { field: 'certPem', kind: 'pem', pem: { what: 'client certificate', file: 'cert' } },
  key: { field: 'keyPem', kind: 'pem', pem: { what: 'client key', file: 'key' } },
  insecure: { field: 'insecure', kind: 'boolean' },
  protocol: { field: 'protocol' },
  'init-payload': { field: 'initPayload' },
  subscribe: { field: 'subscribe', kind: 'list' },
};

/** Which field of the capture request each flag fills. */
const FLAGS: Record<string, Flag> = {
  ...PROFILE_FLAGS,
  compression: { field: 'compression', kind: 'boolean' },
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

/** The fields of the connection flags that are read from files or gathered: --script, --send, --send-file. */
export function profileFiles(v: {
  send?: string[];
  'send-file'?: string;
  script?: string;
}): Record<string, unknown> {
  const sends = sendsFrom(v.send, v['send-file']);
  const script = v.script;
  return {
    ...(script !== undefined
      ? {
          script: readUserFile(script, '--script', MAX_SCRIPT_CHARS).toString('utf8'),
          scriptFile: script,
        }
      : {}),
    ...(sends.length ? { sends } : {}),
  };
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
  const request = requestFrom(CaptureRequestSchema, v, FLAGS, {
    url,
    ...profileFiles(v),
    ...(v.reconnect ? { reconnect: {} } : {}),
    ...(v['no-proxy'] ? { proxy: null } : {}),
  });
  return { request, db: dbPath(v), json: v.json, quiet: v.quiet };
}

/**
 * `01:53:53.123456 < text  12B  [EVENT chat] 42["chat",…]` for a frame pushed on `capture:frame`:
 * its message's label as `show` prints it.
 */
function pushedFrameLine(f: CaptureFrame): string {
  return frameLine(
    f.ts,
    f.direction,
    f.opcode,
    f.size,
    Buffer.from(f.head, 'base64'),
    messageLabel(f.message),
  );
}

const notPrinted = (n: number) => `… ${n} more frames not printed (all are recorded)\n`;

export async function run(argv: string[]): Promise<number> {
  const { request: asked, db: path, json, quiet } = captureRequest(argv);
  const printFrames = !json && !quiet;
  // The service's capture, as the console starts it, with the pushes this command prints: every
  // connection's events, and frame lines at most LINES_PER_SECOND a second (the rest are counted).
  const request: CaptureRequest = {
    ...asked,
    events: true,
    ...(printFrames ? { liveFrames: LINES_PER_SECOND } : {}),
  };
  // The database opens once the capture found nothing wrong with the request: a mistake creates nothing.
  const engine = openCliEngine({ db: path }, { openOnFirstUse: true });
  try {
    return await follow(engine, request, path, { json, quiet, printFrames });
  } finally {
    await engine.close();
  }
}

async function follow(
  { api }: CliEngine,
  request: CaptureRequest,
  path: string,
  { json, quiet, printFrames }: { json: boolean; quiet: boolean; printFrames: boolean },
): Promise<number> {
  // One line per wait for the lock, none under --quiet.
  const lockNotices = quiet ? null : new LockNotices(note);
  // This engine runs this one capture: every push it makes is about it.
  let firstError: string | null = null;
  let ended!: (e: Extract<CaptureEvent, { event: 'ended' }>) => void;
  const end = new Promise<Extract<CaptureEvent, { event: 'ended' }>>((resolve) => (ended = resolve));
  let status: CaptureStatus | null = null;
  const offs = [
    api.on('capture:frame', (f) => {
      if (f.skipped > 0) process.stdout.write(notPrinted(f.skipped));
      process.stdout.write(`${pushedFrameLine(f)}\n`);
    }),
    api.on('capture:status', (s) => (status = s)),
    api.on('capture:event', (e) => {
      switch (e.event) {
        case 'opened':
          if (!json)
            note(`connected${e.connection > 1 ? ` (connection ${e.connection})` : ''}: ${request.url}`);
          return;
        case 'closed':
          firstError ??= e.error?.message ?? null;
          if (json) return;
          if (e.error && request.reconnect) note(`connection ${e.connection} failed: ${e.error.message}`);
          else if (e.closeCode !== null) {
            const info = describeCloseCode(e.closeCode);
            // When, to the millisecond: a cut is matched against proxy and server logs by its time.
            const at = new Date().toISOString().slice(11, 23);
            note(
              `closed by ${e.closedBy} at ${at} UTC: ${e.closeCode} ${info.name}${e.closeReason ? ` "${e.closeReason}"` : ''}${e.error ? ` (${e.error.message})` : ''}`,
            );
          }
          return;
        case 'reconnecting':
          if (!json) note(`reconnecting in ${e.delayMs} ms (attempt ${e.attempt})`);
          return;
        case 'lock':
          lockNotices?.busy(e.locked);
          return;
        case 'ended':
          ended(e);
          return;
      }
    }),
  ];
  let sessionId: number | null = null;
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals === 1) {
      note(`\n${sig}: closing with 1000 and committing what was captured…`);
      // A capture that ended meanwhile is not running any more: its end is on its way.
      if (sessionId !== null) api.capture.stop({ sessionId }).catch(() => {});
    } else note('still committing frames; they will all be kept');
  };
  // Progress for a long commit after the capture ended (a burst leaves a backlog behind).
  const progress = setInterval(() => {
    const s = status as CaptureStatus | null;
    if (!s) return;
    const frames = s.framesIn + s.framesOut;
    if (frames - s.committed > 50_000) note(`committing: ${s.committed} of ${frames} frames written`);
  }, 1000);
  progress.unref();
  try {
    // Every input mistake is answered before anything is created.
    ({ sessionId } = await api.capture.start(request));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (!json) await out(`session ${sessionId}\n`);
    else note(`capturing into session ${sessionId} (${path})`);
    const result = await end;
    lockNotices?.flush();
    if (result.skippedFrames > 0 && printFrames) await out(notPrinted(result.skippedFrames));
    const { session, connections } = await api.sessions.get({ id: sessionId });
    const waiting = result.waitingInSpool;
    if (json) {
      await out(
        `${JSON.stringify({ session, connections, waitingInSpool: waiting, stoppedBy: result.stoppedBy, failure: result.failure, scriptFailure: result.scriptFailure }, null, 2)}\n`,
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
    if (result.scriptFailure) {
      note(`error: ${result.scriptFailure}`);
      return 1;
    }
    if (!result.opened) {
      note(`error: could not connect to ${request.url}: ${firstError ?? 'unknown error'}`);
      return 1;
    }
    return 0;
  } finally {
    clearInterval(progress);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const off of offs) off();
  }
}
