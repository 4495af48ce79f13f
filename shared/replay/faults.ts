// The faults a mock server can inject to reproduce an incident, written as on the command line
// (`idle-cut=30`, `close=1011:overloaded@5`, `delay=200±50`), parsed once here for both shells.

/** One fault of a mock, parsed. */
export type Fault =
  /** Drop the TCP connection without a close frame after this long with no frame either way. */
  | { kind: 'idle-cut'; seconds: number }
  /** Drop the TCP connection without a close frame this long after the open. */
  | { kind: 'drop-after'; seconds: number }
  /** Send a close frame with this code and reason this long after the open. */
  | { kind: 'close'; code: number; reason: string; seconds: number }
  /** Hold every message the mock sends this long, ± a random jitter (order kept). */
  | { kind: 'delay'; ms: number; jitterMs: number }
  /** Refuse the upgrade with this HTTP status. */
  | { kind: 'reject'; status: number }
  /** Never answer a ping. */
  | { kind: 'no-pong' }
  /** Hold the upgrade response this long. */
  | { kind: 'slow-accept'; ms: number };

export type FaultKind = Fault['kind'];

/** Every fault with its syntax and meaning, for help texts and the console. */
export const FAULT_SYNTAX: Readonly<Record<FaultKind, string>> = {
  'idle-cut': 'idle-cut=S: drop TCP without a close frame after S seconds with no traffic either way',
  'drop-after': 'drop-after=S: drop TCP without a close frame S seconds after the open',
  close: 'close=CODE[:REASON]@S: send a close frame with CODE (and REASON) S seconds after the open',
  delay: 'delay=MS[±J]: hold every message the mock sends MS milliseconds, ± J at random',
  reject: 'reject=STATUS: refuse the upgrade with HTTP STATUS',
  'no-pong': 'no-pong: never answer a ping',
  'slow-accept': 'slow-accept=MS: answer the upgrade MS milliseconds late',
};

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

/** Parses one fault; throws FaultError with a sentence that says what to write. */
export function parseFault(text: string): Fault {
  const raw = text.trim();
  const eq = raw.indexOf('=');
  const name = (eq < 0 ? raw : raw.slice(0, eq)).toLowerCase();
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
      const v = needs('delay');
      const [ms, jitter] = v.split(/±|\+-|\+\/-/);
      return {
        kind: 'delay',
        ms: number(ms, 'the milliseconds of delay', 0, MAX_MS),
        jitterMs: jitter === undefined ? 0 : number(jitter, 'the jitter of delay', 0, MAX_MS),
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
      throw new FaultError(`must be one of ${Object.keys(FAULT_SYNTAX).join(', ')} (such as idle-cut=30)`);
  }
}

/** Parses every fault of a mock; each kind may be given once. */
export function parseFaults(texts: readonly string[]): Fault[] {
  const out: Fault[] = [];
  for (const t of texts) {
    const f = parseFault(t);
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
      return `delay=${f.ms}${f.jitterMs ? `±${f.jitterMs}` : ''}`;
    case 'reject':
      return `reject=${f.status}`;
    case 'no-pong':
      return 'no-pong';
    case 'slow-accept':
      return `slow-accept=${f.ms}`;
  }
}
