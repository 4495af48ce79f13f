// The faults a mock server or a relay can inject to reproduce an incident, written as on the command
// line (`idle-cut=30`, `close=1011:overloaded@5`, `delay=200±50`), parsed once here for both shells
// and both hosts. "in" is towards the client (what the mock or the server sends), "out" towards the server.

/** Which way a relay's fault acts: towards the client (`in`), towards the server (`out`), or both. */
export type FaultDirection = 'in' | 'out' | 'both';

/** Where faults are injected: a mock serves recorded messages, a relay forwards live ones. */
export type FaultHost = 'mock' | 'relay';

/** One fault of a mock or a relay, parsed. */
export type Fault =
  /** Drop the TCP connection without a close frame after this long with no frame either way. */
  | { kind: 'idle-cut'; seconds: number }
  /** Drop the TCP connection without a close frame this long after the open. */
  | { kind: 'drop-after'; seconds: number }
  /** Send a close frame with this code and reason this long after the open. */
  | { kind: 'close'; code: number; reason: string; seconds: number }
  /**
   * Hold every message this long, ± a random jitter (order kept): those the mock sends, or those the
   * relay forwards in `direction` (absent: `in`, towards the client).
   */
  | { kind: 'delay'; ms: number; jitterMs: number; direction?: FaultDirection }
  /** Refuse the upgrade with this HTTP status. */
  | { kind: 'reject'; status: number }
  /** Never answer a ping. */
  | { kind: 'no-pong' }
  /** Hold the upgrade response this long. */
  | { kind: 'slow-accept'; ms: number }
  /** A relay stops forwarding either way for `seconds`, `atSeconds` after the open, without closing. */
  | { kind: 'stall'; seconds: number; atSeconds: number }
  /** A relay forwards at most this many payload bytes a second each way. */
  | { kind: 'throttle'; bytesPerSecond: number };

export type FaultKind = Fault['kind'];

/** Every fault with its syntax and meaning, for help texts and the console. */
export const FAULT_SYNTAX: Readonly<Record<FaultKind, string>> = {
  'idle-cut': 'idle-cut=S: drop TCP without a close frame after S seconds with no traffic either way',
  'drop-after': 'drop-after=S (or cut-after=S): drop TCP without a close frame S seconds after the open',
  close: 'close=CODE[:REASON]@S: send a close frame with CODE (and REASON) S seconds after the open',
  delay:
    'delay=MS[±J][:in|:out|:both]: hold every message MS milliseconds, ± J at random (a mock: what it sends; a relay: towards the client, in, unless told)',
  reject: 'reject=STATUS: refuse the upgrade with HTTP STATUS',
  'no-pong': 'no-pong: never answer a ping',
  'slow-accept': 'slow-accept=MS: answer the upgrade MS milliseconds late',
  stall:
    'stall=S@T: (relay) stop forwarding either way for S seconds, T seconds after the open, without closing',
  throttle: 'throttle=BYTES/S: (relay) forward at most BYTES payload bytes a second each way',
};

/** The faults only a relay injects (a mock sends recorded messages, it forwards nothing). */
const RELAY_ONLY: ReadonlySet<FaultKind> = new Set(['stall', 'throttle']);

/** The syntax of every fault a host injects, for its help text and the console. */
export function faultSyntax(host: FaultHost): string[] {
  return (Object.keys(FAULT_SYNTAX) as FaultKind[])
    .filter((k) => host === 'relay' || !RELAY_ONLY.has(k))
    .map((k) => FAULT_SYNTAX[k]);
}

/** The kind a fault's name stands for (`cut-after` is the relay's word for drop-after). */
export function faultKind(name: string): FaultKind | null {
  const n = name.trim().toLowerCase();
  if (n === 'cut-after') return 'drop-after';
  return Object.hasOwn(FAULT_SYNTAX, n) ? (n as FaultKind) : null;
}

/** A fault that cannot be read, with the sentence that says why. */
export class FaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultError';
  }
}

const YEAR_SECONDS = 31_536_000;

/** The UTF-8 length of a string (a close reason is counted in bytes). */
function utf8Bytes(s: string): number {
  return encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, '.').length;
}
const MAX_MS = 3_600_000;

function number(raw: string | undefined, what: string, min: number, max: number): number {
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new FaultError(`${what} must be a number from ${min} to ${max}`);
  return n;
}

/** A close code a server may send: 1000–1003, 1007–1014, or 3000–4999 (1004–1006 and 1015 are never sent). */
export function sendableCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

/** Parses one fault for a host; throws FaultError with a sentence that says what to write. */
export function parseFault(text: string, host: FaultHost = 'mock'): Fault {
  const f = readFault(text);
  if (host === 'mock' && (RELAY_ONLY.has(f.kind) || (f.kind === 'delay' && (f.direction ?? 'in') !== 'in')))
    throw new FaultError(
      `${faultText(f)} is a relay's fault: a mock only sends, so it stalls, throttles or delays nothing else`,
    );
  return f;
}

function readFault(text: string): Fault {
  const raw = text.trim();
  const eq = raw.indexOf('=');
  const written = (eq < 0 ? raw : raw.slice(0, eq)).toLowerCase();
  const name = written === 'cut-after' ? 'drop-after' : written;
  const value = eq < 0 ? undefined : raw.slice(eq + 1);
  const needs = (kind: FaultKind) => {
    if (value === undefined || value === '')
      throw new FaultError(`a fault needs its value: ${FAULT_SYNTAX[kind]}`);
    return value;
  };
  switch (name) {
    case 'idle-cut':
    case 'drop-after':
      return { kind: name, seconds: number(needs(name), `the seconds of ${name}`, 0.001, YEAR_SECONDS) };
    case 'close': {
      const v = needs('close');
      const m = /^(\d+)(?::(.*))?@([^@]+)$/s.exec(v);
      if (!m)
        throw new FaultError(
          'a close fault is written close=CODE[:REASON]@S, such as close=1011:overloaded@5',
        );
      const code = Number(m[1]);
      if (!sendableCloseCode(code))
        throw new FaultError(
          `${code} is not a close code a server sends; use 1000–1003, 1007–1014 or 3000–4999`,
        );
      const reason = m[2] ?? '';
      if (utf8Bytes(reason) > 123) throw new FaultError('a close reason is at most 123 bytes');
      return { kind: 'close', code, reason, seconds: number(m[3], 'the seconds of close', 0, YEAR_SECONDS) };
    }
    case 'delay': {
      const m = /^([^:]*?)(?::(in|out|both))?$/i.exec(needs('delay'));
      const [ms, jitter] = (m?.[1] ?? '').split(/±|\+-|\+\/-/);
      if (!m || /:/.test(m[1]!))
        throw new FaultError(
          'a delay fault is written delay=MS[±J][:in|:out|:both], such as delay=200±50:in',
        );
      return {
        kind: 'delay',
        ms: number(ms, 'the milliseconds of delay', 0, MAX_MS),
        jitterMs: jitter === undefined ? 0 : number(jitter, 'the jitter of delay', 0, MAX_MS),
        ...(m[2] ? { direction: m[2].toLowerCase() as FaultDirection } : {}),
      };
    }
    case 'stall': {
      const m = /^([^@]+)@([^@]+)$/.exec(needs('stall'));
      if (!m) throw new FaultError('a stall fault is written stall=S@T, such as stall=10@5');
      return {
        kind: 'stall',
        seconds: number(m[1], 'the seconds of stall', 0.001, YEAR_SECONDS),
        atSeconds: number(m[2], 'the start of stall', 0, YEAR_SECONDS),
      };
    }
    case 'throttle': {
      const m = /^([^/]+)\/s$/i.exec(needs('throttle'));
      if (!m) throw new FaultError('a throttle fault is written throttle=BYTES/S, such as throttle=1024/s');
      return {
        kind: 'throttle',
        bytesPerSecond: number(m[1], 'the bytes a second of throttle', 1, 1_000_000_000),
      };
    }
    case 'reject': {
      const status = number(needs('reject'), 'the HTTP status of reject', 200, 599);
      if (!Number.isInteger(status))
        throw new FaultError('the HTTP status of reject must be a whole number from 200 to 599');
      return { kind: 'reject', status };
    }
    case 'no-pong':
      if (value !== undefined) throw new FaultError('no-pong takes no value');
      return { kind: 'no-pong' };
    case 'slow-accept':
      return {
        kind: 'slow-accept',
        ms: number(needs('slow-accept'), 'the milliseconds of slow-accept', 0, MAX_MS),
      };
    default:
      throw new FaultError(
        `must be one of ${Object.keys(FAULT_SYNTAX).join(', ')}, cut-after (such as idle-cut=30)`,
      );
  }
}

/** Parses every fault of a mock or a relay; each kind may be given once. */
export function parseFaults(texts: readonly string[], host: FaultHost = 'mock'): Fault[] {
  const out: Fault[] = [];
  for (const t of texts) {
    const f = parseFault(t, host);
    if (out.some((o) => o.kind === f.kind)) throw new FaultError(`fault ${f.kind} is given twice; keep one`);
    out.push(f);
  }
  return out;
}

/** A fault as written on the command line. */
export function faultText(f: Fault): string {
  switch (f.kind) {
    case 'idle-cut':
    case 'drop-after':
      return `${f.kind}=${f.seconds}`;
    case 'close':
      return `close=${f.code}${f.reason ? `:${f.reason}` : ''}@${f.seconds}`;
    case 'delay':
      return `delay=${f.ms}${f.jitterMs ? `±${f.jitterMs}` : ''}${f.direction ? `:${f.direction}` : ''}`;
    case 'reject':
      return `reject=${f.status}`;
    case 'no-pong':
      return 'no-pong';
    case 'slow-accept':
      return `slow-accept=${f.ms}`;
    case 'stall':
      return `stall=${f.seconds}@${f.atSeconds}`;
    case 'throttle':
      return `throttle=${f.bytesPerSecond}/s`;
  }
}
