// Importing a HAR file: each WebSocket entry (Chrome DevTools, Firefox, mitmproxy, HTTP Toolkit,
// Playwright, Frameline) becomes a connection with its handshake and frames, written through the
// capture's own pipeline (the spool and the writer thread) as a session of kind `import`. Two
// passes over the file: the first checks all of it and learns each entry (so that a malformed file
// creates nothing), the second streams the messages into the spool. Message times are seconds since
// the epoch (Chrome, mitmproxy, HTTP Toolkit) or milliseconds (Playwright): told apart by size.
import { basename } from 'node:path';
import {
  ClosedBySchema,
  ErrorKindSchema,
  type ClosedBy,
  type ErrorKind,
  type Headers,
  type Timings,
} from '../../../shared/contract.js';
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { directionCode } from '../../../shared/frame-codes.js';
import { beginRecording } from '../store/recording.js';
import { StoreWriter } from '../store/writer.js';
import { HarError, readHar } from './har-read.js';
import { formatCount } from '../../../shared/words.js';
import { parseMicros } from '../../../shared/time.js';

/** What an import made: the session, its connections and frames, and the entries left out. */
export interface ImportResult {
  sessionId: number;
  connections: number;
  frames: number;
  /** Entries that are not WebSocket connections (pages, scripts, XHR…). */
  skipped: number;
  /** Messages of WebSocket entries that are not frames, left out: by type, with the first's JSON path. */
  skippedMessages: SkippedMessages[];
  /** Times of the file that would have made a lifetime negative, and what was done instead. */
  adjusted: AdjustedTime[];
}

/** A time the file gives that the import did not take as it is. */
export interface AdjustedTime {
  /** Where in the file (log.entries[1].timings). */
  path: string;
  /** What it said, and what the import did instead. */
  what: string;
}

/** Fields a tool writes about an entry that an export writes again as they were. */
export const KEPT_ENTRY_FIELDS = ['serverIPAddress', '_initiator', '_priority', 'pageref', 'time'] as const;

/** Messages left out of an import for one reason: a type other than send and receive, or no data. */
export interface SkippedMessages {
  /** The message's type as the file writes it (other than a string: as JSON; missing: "(none)"). */
  type: string;
  reason: 'unknown type' | 'no data';
  count: number;
  /** The JSON path of the first one. */
  first: string;
}

export interface ImportHooks {
  /** Where the import is: checking the file, importing it, then committing the frames. */
  onProgress?: (p: {
    phase: 'checking' | 'importing' | 'committing';
    done: number;
    total: number;
    /** A packet capture: the TCP packets read so far. */
    packets?: number;
  }) => void;
}

/** Payload bytes stored per frame, as a capture stores them by default. */
export const IMPORT_PAYLOAD_CAP = 1024 * 1024;

/** One WebSocket entry as the first pass learned it. */
export interface WebSocketEntry {
  index: number;
  ordinal: number;
  url: string;
  startedAt: number;
  requestHeaders: Headers;
  status: number | null;
  responseHeaders: Headers;
  timings: Timings;
  openedAt: number | null;
  error: string | null;
  errorKind: ErrorKind | null;
  /** Message times are in seconds (true) or milliseconds. */
  seconds: boolean;
  /** What the tool wrote about the entry that an export writes again (KEPT_ENTRY_FIELDS). */
  kept: Record<string, unknown>;
  messages: number;
  firstTs: number | null;
  lastTs: number | null;
  close: {
    code: number | null;
    reason: string | null;
    at: number | null;
    by: ClosedBy | null;
  } | null;
}

const at = (entry: number, rest = '') => `log.entries[${entry}]${rest}`;

function fail(path: string, what: string): never {
  throw new HarError(`${path} ${what}`, path);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** HAR headers ([{name, value}]) as Frameline keeps them, repeated names joined with ", ". */
function headersOf(list: unknown, path: string): Headers {
  const out: Headers = {};
  if (list === undefined) return out;
  if (!Array.isArray(list)) fail(path, 'must be an array of {"name", "value"}');
  list.forEach((h, i) => {
    if (!isObject(h) || typeof h.name !== 'string' || typeof h.value !== 'string')
      fail(`${path}[${i}]`, 'must be {"name": "...", "value": "..."}');
    const existing = Object.keys(out).find((k) => k.toLowerCase() === (h.name as string).toLowerCase());
    if (existing) out[existing] = `${out[existing]}, ${h.value}`;
    else out[h.name] = h.value;
  });
  return out;
}

/** A header's value by its lower-case name, whatever case the file writes it in; null when absent. */
export function header(h: Headers, name: string): string | null {
  const k = Object.keys(h).find((x) => x.toLowerCase() === name);
  return k === undefined ? null : h[k]!;
}

const ms = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

/** The last microsecond of the year 9999: later times cannot be stored or shown. */
const LAST_MICROS = Date.UTC(9999, 11, 31, 23, 59, 59, 999) * 1000 + 999;

/** What a time value holds, for a complaint: the value as the file writes it. */
const shown = (v: unknown) => JSON.stringify(v);

/** Message times at or above this are milliseconds (1e11 s is the year 5138; 1e11 ms, 1973). */
const MILLISECONDS_FROM = 1e11;

/**
 * A message time as epoch microseconds; null when the writer left it out (0, or Playwright's -1).
 * A time before 1970 or after the year 9999 in its unit is refused: it cannot be stored.
 */
function messageMicros(time: number, seconds: boolean, path: string): number | null {
  if (time === 0 || time === -1) return null;
  if (time < 0)
    fail(path, `is ${shown(time)}: before 1970; message times are seconds or milliseconds since 1970`);
  const micros = Math.round(seconds ? time * 1e6 : time * 1e3);
  if (micros > LAST_MICROS)
    fail(
      path,
      `is ${shown(time)}: read as ${seconds ? 'seconds' : 'milliseconds'} since 1970 (the unit of the entry's first time), that is after the year 9999; fix the time`,
    );
  return micros;
}

/** A time in seconds since 1970 (HTTP Toolkit's close timestamp) as epoch microseconds, checked. */
function secondsMicros(v: number, path: string): number {
  const micros = Math.round(v * 1e6);
  if (v < 0 || micros > LAST_MICROS)
    fail(
      path,
      `is ${shown(v)}: read as seconds since 1970, that is ${v < 0 ? 'before 1970' : 'after the year 9999'}; fix the time`,
    );
  return micros;
}

/** True when an entry is a WebSocket connection. */
function isWebSocket(entry: Record<string, unknown>, messages: number): boolean {
  if (entry._resourceType === 'websocket' || messages > 0 || entry._webSocketClose !== undefined) return true;
  const request = isObject(entry.request) ? entry.request : {};
  const response = isObject(entry.response) ? entry.response : {};
  if (typeof request.url === 'string' && /^wss?:/i.test(request.url)) return true;
  return response.status === 101;
}

/** The connection an entry describes (it is a WebSocket one): checked, with the path of what is wrong. */
function connectionOf(
  index: number,
  ordinal: number,
  entry: Record<string, unknown>,
  messages: number,
): WebSocketEntry {
  const request = entry.request;
  if (!isObject(request))
    fail(at(index, '.request'), 'must be an object with the URL and headers of the handshake');
  if (typeof request.url !== 'string' || request.url === '')
    fail(at(index, '.request.url'), 'is missing; a WebSocket entry needs the URL it opened');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    fail(at(index, '.request.url'), `is not a URL: ${JSON.stringify(request.url.slice(0, 200))}`);
  }
  // mitmproxy writes the handshake's http(s) URL.
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    fail(
      at(index, '.request.url'),
      `is ${url.protocol} URL; a WebSocket entry opens ws://, wss://, http:// or https://`,
    );
  const started = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : NaN;
  // mitmproxy writes microseconds (2026-11-22T01:53:50.500123+00:00): kept, where Date.parse drops them.
  const startedMicros = () => {
    try {
      return parseMicros(entry.startedDateTime as string);
    } catch {
      return Math.round(started * 1000);
    }
  };
  if (Number.isNaN(started))
    fail(at(index, '.startedDateTime'), 'is not a date such as 2026-11-22T01:53:53.123Z');
  if (started < 0 || started * 1000 > LAST_MICROS)
    fail(
      at(index, '.startedDateTime'),
      `is ${shown(entry.startedDateTime)}: ${started < 0 ? 'before 1970' : 'after the year 9999'}; fix the date`,
    );
  const response = entry.response === undefined ? {} : entry.response;
  if (!isObject(response)) fail(at(index, '.response'), 'must be an object');
  if (
    typeof response.status === 'number' &&
    response.status > 0 &&
    !(Number.isInteger(response.status) && response.status <= 999)
  )
    fail(
      at(index, '.response.status'),
      `is ${shown(response.status)}: an HTTP status is a whole number such as 101`,
    );
  const status = typeof response.status === 'number' && response.status > 0 ? response.status : null;
  const t = isObject(entry.timings) ? entry.timings : {};
  const connect = ms(t.connect);
  const ssl = ms(t.ssl);
  const timings: Timings = {
    dnsMs: ms(t.dns),
    tcpMs: connect === null ? null : Math.max(0, connect - (ssl ?? 0)),
    tlsMs: ssl,
    upgradeMs: ms(t.wait),
  };
  const handshakeMs = [t.blocked, t.dns, t.connect, t.send, t.wait].reduce<number>(
    (s, v) => s + (ms(v) ?? 0),
    0,
  );
  const startedAt = startedMicros();
  // The handshake's phases put the open after the start: a phase that puts it past the year 9999
  // is no duration at all.
  const phases = ['blocked', 'dns', 'connect', 'send', 'wait'] as const;
  if (startedAt + Math.round(handshakeMs * 1000) > LAST_MICROS) {
    const worst = phases.reduce((a, b) => ((ms(t[b]) ?? 0) > (ms(t[a]) ?? 0) ? b : a));
    fail(
      at(index, `.timings.${worst}`),
      `is ${shown(t[worst])}: milliseconds that put the handshake's end after the year 9999; fix the timing`,
    );
  }
  const opened = status === 101 || (status === null && messages > 0);
  const failure =
    typeof response._error === 'string' && response._error
      ? response._error
      : typeof response._failureText === 'string' && response._failureText
        ? response._failureText
        : null;
  let close: WebSocketEntry['close'] = null;
  const wsClose = entry._webSocketClose;
  // Frameline's own export says who closed and why a connection failed.
  const own = isObject(entry._frameline) ? entry._frameline : {};
  const closedBy = ClosedBySchema.safeParse(own.closedBy).data ?? null;
  const ownError = isObject(own.error) && typeof own.error.message === 'string' ? own.error : null;
  const ownKind = ownError ? ErrorKindSchema.safeParse(ownError.kind) : null;
  if (wsClose === 'aborted') close = { code: 1006, reason: null, at: null, by: 'network' };
  else if (isObject(wsClose)) {
    const code = wsClose.code;
    if (typeof code === 'number' && !(Number.isInteger(code) && code >= 1000 && code <= 4999))
      fail(
        at(index, '._webSocketClose.code'),
        `is ${shown(code)}: a close code is a whole number from 1000 to 4999`,
      );
    close = {
      code: typeof code === 'number' ? code : null,
      reason: typeof wsClose.reason === 'string' ? wsClose.reason : null,
      at:
        typeof wsClose.timestamp === 'number'
          ? secondsMicros(wsClose.timestamp, at(index, '._webSocketClose.timestamp'))
          : null,
      by: closedBy,
    };
  }
  return {
    index,
    ordinal,
    url: url.href,
    startedAt,
    requestHeaders: headersOf(request.headers, at(index, '.request.headers')),
    status,
    responseHeaders: headersOf(response.headers, at(index, '.response.headers')),
    timings,
    openedAt: opened ? startedAt + Math.round(handshakeMs * 1000) : null,
    errorKind: ownKind?.success ? ownKind.data : null,
    error: ownError
      ? (ownError.message as string)
      : opened
        ? failure
        : (failure ??
          (status !== null
            ? `the server answered the upgrade with HTTP ${status}`
            : 'the handshake did not complete')),
    seconds: true,
    kept: Object.fromEntries(
      KEPT_ENTRY_FIELDS.filter((k) => entry[k] !== undefined).map((k) => [k, entry[k]]),
    ),
    messages,
    firstTs: null,
    lastTs: null,
    close,
  };
}

/**
 * Makes an entry's times agree with its frames, so that no lifetime is negative: the open no later
 * than the first frame (Chrome DevTools' `wait` spans the socket's whole life; mitmproxy counts the
 * upstream connect in `connect` and again in `wait`), the start no later than the open, the close
 * no earlier than the open and the last frame. Says what it changed in `adjusted`.
 */
function agreeWithFrames(
  c: WebSocketEntry,
  frames: { first: number; last: number } | undefined,
  adjusted: AdjustedTime[],
): void {
  const ms = (us: number) => `${formatCount(Math.round(us / 1000))} ms`;
  if (c.openedAt !== null && frames && c.openedAt > frames.first) {
    const claimed = c.openedAt - c.startedAt;
    const start = Math.min(c.startedAt, frames.first);
    adjusted.push({
      path: at(c.index, '.timings'),
      what: `the handshake's timings (${ms(claimed)}) end after the first frame (${ms(frames.first - c.startedAt)} after the start): the connection is taken as open at its first frame`,
    });
    c.startedAt = start;
    c.openedAt = frames.first;
    const t = c.timings;
    const before = (t.dnsMs ?? 0) + (t.tcpMs ?? 0) + (t.tlsMs ?? 0);
    c.timings = {
      ...t,
      upgradeMs: Math.max(0, Math.round(((c.openedAt - start) / 1000 - before) * 1000) / 1000),
    };
  }
  const opened = c.openedAt ?? c.startedAt;
  const afterFrames = frames !== undefined && frames.last > opened;
  const floor = afterFrames ? frames.last : opened;
  if (c.close !== null && c.close.at !== null && c.close.at < floor) {
    const what = afterFrames ? 'last frame' : 'open';
    adjusted.push({
      path: at(c.index, '._webSocketClose.timestamp'),
      what: `the close comes ${ms(floor - c.close.at)} before the ${what}: it is taken as at the ${what}`,
    });
    c.close.at = floor;
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const EMPTY = Buffer.alloc(0);

/** A message that is a frame, checked: its direction, opcode, payload, time and size. */
interface HarFrame {
  out: boolean;
  opcode: number;
  data: Buffer;
  time: number | null;
  size: number | null;
}

/** The largest size a frame is recorded with (the spool keeps it in 32 bits). */
const MAX_FRAME_SIZE = 0xffffffff;

/**
 * A message checked: a frame, or why it is left out (a type other than send and receive, such as
 * Chrome's "error" entries, or a frame without data). The time is checked for being a number;
 * its range, which depends on the entry's unit, by `messageMicros`.
 */
function messageOf(
  entry: number,
  index: number,
  m: unknown,
  decode = true,
): HarFrame | { skipped: Omit<SkippedMessages, 'count' | 'first'> } {
  const path = at(entry, `._webSocketMessages[${index}]`);
  if (!isObject(m)) fail(path, 'must be an object with type, time, opcode and data');
  if (m.type !== 'send' && m.type !== 'receive')
    return {
      skipped: {
        type: typeof m.type === 'string' ? m.type : m.type === undefined ? '(none)' : JSON.stringify(m.type),
        reason: 'unknown type',
      },
    };
  if (typeof m.opcode !== 'number' || !Number.isInteger(m.opcode) || m.opcode < 0 || m.opcode > 15)
    fail(
      `${path}.opcode`,
      `must be a frame opcode (1 text, 2 binary, 8 close, 9 ping, 10 pong), not ${JSON.stringify(m.opcode)}`,
    );
  if (m.data === undefined) return { skipped: { type: m.type, reason: 'no data' } };
  if (typeof m.data !== 'string')
    fail(`${path}.data`, 'must be a string (text, or base64 for a binary frame)');
  if (m.time !== undefined && (typeof m.time !== 'number' || !Number.isFinite(m.time)))
    fail(
      `${path}.time`,
      `must be a number (seconds or milliseconds since the epoch), not ${JSON.stringify(m.time)}`,
    );
  let data = EMPTY;
  if (m.opcode === 1) {
    if (decode) data = Buffer.from(m.data, 'utf8');
  } else {
    const b64 = /\s/.test(m.data) ? m.data.replace(/\s+/g, '') : m.data;
    if (!BASE64.test(b64) || b64.length % 4 === 1)
      fail(`${path}.data`, `is opcode ${m.opcode}, whose data is base64, and this is not base64`);
    if (decode) data = Buffer.from(b64, 'base64');
  }
  if (typeof m._size === 'number' && m._size > MAX_FRAME_SIZE)
    fail(
      `${path}._size`,
      `is ${shown(m._size)}: larger than a frame Frameline records (${MAX_FRAME_SIZE} bytes); fix the size`,
    );
  const size =
    typeof m._size === 'number' && Number.isInteger(m._size) && m._size > data.length ? m._size : null;
  return {
    out: m.type === 'send',
    opcode: m.opcode,
    data,
    time: typeof m.time === 'number' ? m.time : null,
    size,
  };
}

/** What to import from a HAR file, learned by checking all of it (the first pass). */
export interface HarPlan {
  /** The file it was learned from, checked again by the import that uses it. */
  path: string;
  connections: Map<number, WebSocketEntry>;
  skippedMessages: SkippedMessages[];
  adjusted: AdjustedTime[];
  entries: number;
}

/** The file and how the user knows it (an upload keeps the name it had). */
export interface HarSource {
  path: string;
  fileName?: string;
}

/**
 * Checks a whole HAR file and learns its WebSocket entries, without a database: InputError (a
 * HarError naming the JSON path) when it is malformed or holds no WebSocket entry. The command line
 * runs it before the database is opened, so that a refused file creates nothing, not even the
 * database it named.
 */
export async function checkHar(source: HarSource, hooks: ImportHooks = {}): Promise<HarPlan> {
  const fileName = source.fileName ?? basename(source.path);

  // Pass 1: check the whole file and learn its WebSocket entries.
  const connections = new Map<number, WebSocketEntry>();
  // Each entry's unit (seconds: true), from its first time; the times are checked against it.
  const units = new Map<number, boolean>();
  const skippedMessages: SkippedMessages[] = [];
  // Each entry's first and last frame times (epoch µs), to check its handshake and close against.
  const frameTimes = new Map<number, { first: number; last: number }>();
  const adjusted: AdjustedTime[] = [];
  let entries = 0;
  await readHar(
    source.path,
    {
      entry(index, entry, messages) {
        entries = index + 1;
        if (!isWebSocket(entry, messages)) return;
        const c = connectionOf(index, connections.size + 1, entry, messages);
        c.seconds = units.get(index) ?? true;
        agreeWithFrames(c, frameTimes.get(index), adjusted);
        connections.set(index, c);
      },
      message(entry, index, m) {
        const msg = messageOf(entry, index, m, false);
        if ('skipped' in msg) {
          const { type, reason } = msg.skipped;
          const seen = skippedMessages.find((x) => x.type === type && x.reason === reason);
          if (seen) seen.count++;
          else
            skippedMessages.push({
              type,
              reason,
              count: 1,
              first: at(entry, `._webSocketMessages[${index}]`),
            });
          return;
        }
        if (msg.time === null) return;
        // Seconds or milliseconds, from the size of the first time given.
        let seconds = units.get(entry);
        if (seconds === undefined && msg.time > 0) {
          seconds = msg.time < MILLISECONDS_FROM;
          units.set(entry, seconds);
        }
        const us = messageMicros(msg.time, seconds ?? true, at(entry, `._webSocketMessages[${index}].time`));
        if (us === null) return;
        const seen = frameTimes.get(entry);
        if (!seen) frameTimes.set(entry, { first: us, last: us });
        else {
          seen.first = Math.min(seen.first, us);
          seen.last = Math.max(seen.last, us);
        }
      },
    },
    {
      entries: true,
      onProgress: (done, total) => hooks.onProgress?.({ phase: 'checking', done, total }),
    },
  );
  if (connections.size === 0)
    throw new InputError(
      `${fileName} has no WebSocket entry (of ${entries} entr${entries === 1 ? 'y' : 'ies'}, none has _webSocketMessages, _resourceType "websocket" or a ws:// URL); nothing was imported`,
    );
  return { path: source.path, connections, skippedMessages, adjusted, entries };
}

/**
 * Imports a HAR file into a new session; InputError (a HarError naming the JSON path) when it is
 * malformed or holds no WebSocket entry, before anything is created. `plan` is what `checkHar` learned
 * of the same file, when it was checked before (else it is checked here first).
 */
export async function importHar(
  ctx: EngineContext,
  request: HarSource & { name?: string },
  hooks: ImportHooks = {},
  plan?: HarPlan,
): Promise<ImportResult> {
  const { db, dbPath } = ctx;
  const fileName = request.fileName ?? basename(request.path);
  if (plan !== undefined && plan.path !== request.path)
    throw new Error(`a plan of ${plan.path} cannot import ${request.path}`);
  const { connections, skippedMessages, adjusted, entries } = plan ?? (await checkHar(request, hooks));

  // Pass 2: the session, written through the capture's pipeline.
  const ordered = [...connections.values()];
  const first = ordered[0]!;
  const recording = beginRecording(db, dbPath, {
    name: request.name ?? fileName,
    kind: 'import',
    target: first.url,
    settings: {
      importedFrom: fileName,
      entries,
      webSocketEntries: ordered.length,
      // What the tool wrote about each connection's entry, for an export to write again.
      harEntries: Object.fromEntries(ordered.map((c) => [c.ordinal, c.kept])),
    },
    createdAt: first.startedAt,
  });
  const sessionId = recording.sessionId;
  const writer = StoreWriter.for(dbPath);
  const spool = writer.begin(db, recording);
  let frames = 0;
  let opened = 0;
  let current: WebSocketEntry | null = null;
  const open = (c: WebSocketEntry) => {
    spool.message({
      type: 'connection',
      ordinal: c.ordinal,
      url: c.url,
      startedAt: c.startedAt,
      requestHeaders: c.requestHeaders,
    });
    spool.message({
      type: 'handshake',
      ordinal: c.ordinal,
      status: c.status,
      responseHeaders: c.responseHeaders,
      bodyHead: null,
      subprotocol: header(c.responseHeaders, 'sec-websocket-protocol'),
      extensions: header(c.responseHeaders, 'sec-websocket-extensions'),
      timings: c.timings,
      openedAt: c.openedAt,
    });
  };
  const finish = (c: WebSocketEntry) => {
    const last = c.lastTs ?? c.openedAt ?? c.startedAt;
    spool.message({
      type: 'closed',
      ordinal: c.ordinal,
      closedAt: c.close?.at ?? last,
      code: c.openedAt === null ? null : (c.close?.code ?? null),
      reason: c.openedAt === null ? null : (c.close?.reason ?? null),
      closedBy: c.openedAt === null ? null : (c.close?.by ?? null),
      error:
        c.error === null
          ? null
          : { kind: c.errorKind ?? (c.openedAt === null ? 'upgrade-rejected' : 'other'), message: c.error },
    });
  };
  /** Opens every connection up to entry `index` in file order, closing the one before. */
  const reach = (index: number) => {
    while (opened < ordered.length && ordered[opened]!.index <= index) {
      if (current) finish(current);
      current = ordered[opened++]!;
      open(current);
    }
  };
  let committed = 0;
  const unsubscribe = writer.onCommitted((id, n) => {
    if (id !== sessionId) return;
    committed += n;
    hooks.onProgress?.({ phase: 'committing', done: committed, total: frames });
  });
  try {
    await readHar(
      request.path,
      {
        message(entry, index, m) {
          const c = connections.get(entry);
          if (!c) return;
          reach(entry);
          const msg = messageOf(entry, index, m);
          if ('skipped' in msg) return;
          const ts =
            (msg.time === null
              ? null
              : messageMicros(msg.time, c.seconds, at(entry, `._webSocketMessages[${index}].time`))) ??
            c.lastTs ??
            c.openedAt ??
            c.startedAt;
          c.lastTs = ts;
          if (msg.opcode === 8 && msg.data.length >= 2 && !c.close)
            c.close = {
              code: msg.data.readUInt16BE(0),
              reason: msg.data.toString('utf8', 2),
              at: ts,
              by: msg.out ? 'client' : 'server',
            };
          spool.frame(
            c.ordinal,
            ts,
            directionCode(msg.out ? 'out' : 'in'),
            msg.opcode,
            msg.data,
            IMPORT_PAYLOAD_CAP,
            msg.size ?? undefined,
          );
          frames++;
        },
      },
      { onProgress: (done, total) => hooks.onProgress?.({ phase: 'importing', done, total }) },
    );
    reach(Infinity);
    if (current) finish(current);
  } finally {
    // The session ends where its last connection did.
    let endedAt = first.startedAt;
    for (const c of ordered)
      endedAt = Math.max(endedAt, c.close?.at ?? c.lastTs ?? c.openedAt ?? c.startedAt);
    try {
      await spool.finish(endedAt);
    } finally {
      unsubscribe();
    }
  }
  return {
    sessionId,
    connections: ordered.length,
    frames,
    skipped: entries - ordered.length,
    skippedMessages,
    adjusted,
  };
}
