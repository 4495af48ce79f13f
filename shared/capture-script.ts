// A capture's conversation script: one step a line, run in order on each connection once its
// protocol (if one is spoken) is open. "Accept, send X, wait for Y, send Z" in a text file:
//
//   # comments start with #; blank lines are skipped
//   send {"op":"hello"}            the rest of the line, as a text message
//   expect /welcome/i 5s           a message matching the regular expression, within 5 s
//   expect {"type":"ack"} 2s       a JSON message holding this subset, within 2 s (default 10 s)
//   sleep 500ms                    wait (ms, s or m)
//   ping                           a WebSocket ping
//   close 1000 done                close with this code (default 1000) and reason; the capture ends
//
// Parsed here (pure: the console checks it as it is typed, the engine before it connects); run by
// the capture engine (electron/engine/capture/script.ts).

/** A regular expression to find in a message's text, or a JSON value the message must contain. */
export type ExpectPattern = { regex: string; flags: string } | { json: unknown };

/** One line of a script, parsed. `line` is its 1-based line number, `source` its text. */
export type ScriptStep = { line: number; source: string } & (
  | { kind: 'send'; text: string }
  | { kind: 'expect'; pattern: ExpectPattern; written: string; timeoutMs: number }
  | { kind: 'sleep'; ms: number }
  | { kind: 'ping' }
  | { kind: 'close'; code: number; reason: string }
);

/** A script's mistake, with the line it is on. */
export class ScriptError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'ScriptError';
  }
}

/** How long an expect waits when its line gives no timeout. */
export const DEFAULT_EXPECT_TIMEOUT_MS = 10_000;
/** The most steps a script may have. */
export const MAX_SCRIPT_STEPS = 1000;
/** The most characters a script may hold. */
export const MAX_SCRIPT_CHARS = 4 * 1024 * 1024;
/** The longest sleep or expect timeout: a day. */
const MAX_WAIT_MS = 86_400_000;
/** Regular expression flags an expect accepts (g and y keep state between tests, so they are refused). */
const REGEX_FLAGS = /^[imsu]*$/;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;

/** `500ms`, `5s`, `1.5s`, `2m` in milliseconds; null when `text` is not such a duration. */
export function parseScriptDuration(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000);
}

function duration(text: string, line: number, what: string): number {
  const ms = parseScriptDuration(text);
  if (ms === null) {
    const hint = /^\d+(\.\d+)?$/.test(text) ? ` (give a unit: ${text}s or ${text}ms)` : '';
    throw new ScriptError(line, `${what} "${text}" is not a duration such as 500ms, 5s or 2m${hint}`);
  }
  if (ms > MAX_WAIT_MS) throw new ScriptError(line, `${what} ${text} is longer than a day`);
  return ms;
}

/** Close codes a client may send (RFC 6455 §7.4: 1000, 1001–1003, 1007–1014, and 3000–4999). */
function sendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

function parseExpect(
  rest: string,
  line: number,
): { pattern: ExpectPattern; written: string; timeoutMs: number } {
  if (rest === '')
    throw new ScriptError(
      line,
      'expect needs a pattern: /regular expression/ or a JSON object such as {"type":"ack"}',
    );
  // An optional timeout is the last word: `expect /a b/ 5s`.
  let pattern = rest;
  let timeoutMs = DEFAULT_EXPECT_TIMEOUT_MS;
  const last = /\s(\S+)$/.exec(rest);
  if (last && (DURATION.test(last[1]!) || /^\d+(\.\d+)?$/.test(last[1]!))) {
    const candidate = rest.slice(0, last.index).trimEnd();
    // A bare number ends a JSON pattern too (`expect {"n": 1} 5` reads 5 as the timeout only if the
    // rest is a pattern on its own).
    if (DURATION.test(last[1]!) || isPattern(candidate)) {
      timeoutMs = duration(last[1]!, line, 'expect timeout');
      pattern = candidate;
    }
  }
  if (pattern.startsWith('/')) {
    const end = pattern.lastIndexOf('/');
    if (end === 0)
      throw new ScriptError(line, `expect ${pattern}: a regular expression ends with /, such as /welcome/`);
    const source = pattern.slice(1, end);
    const flags = pattern.slice(end + 1);
    if (!REGEX_FLAGS.test(flags))
      throw new ScriptError(line, `expect ${pattern}: flags "${flags}" are not some of i, m, s, u`);
    try {
      new RegExp(source, flags);
    } catch (err) {
      throw new ScriptError(line, `expect ${pattern}: ${(err as Error).message}`);
    }
    return { pattern: { regex: source, flags }, written: pattern, timeoutMs };
  }
  if (pattern.startsWith('{') || pattern.startsWith('[')) {
    try {
      return { pattern: { json: JSON.parse(pattern) as unknown }, written: pattern, timeoutMs };
    } catch (err) {
      throw new ScriptError(line, `expect ${pattern}: not valid JSON (${(err as Error).message})`);
    }
  }
  throw new ScriptError(
    line,
    `expect ${pattern}: give /regular expression/ or a JSON object or array such as {"type":"ack"}`,
  );
}

function isPattern(text: string): boolean {
  if (text.startsWith('/')) return text.lastIndexOf('/') > 0;
  try {
    JSON.parse(text);
    return text.startsWith('{') || text.startsWith('[');
  } catch {
    return false;
  }
}

function parseLine(keyword: string, rest: string, line: number, source: string): ScriptStep {
  switch (keyword) {
    case 'send':
      if (rest === '')
        throw new ScriptError(line, 'send needs the text to send, such as send {"op":"hello"}');
      return { line, source, kind: 'send', text: rest };
    case 'expect':
      return { line, source, kind: 'expect', ...parseExpect(rest, line) };
    case 'sleep':
      if (rest === '') throw new ScriptError(line, 'sleep needs a duration such as 500ms or 2s');
      return { line, source, kind: 'sleep', ms: duration(rest, line, 'sleep') };
    case 'ping':
      if (rest !== '') throw new ScriptError(line, `ping takes nothing after it; "${rest}" is left over`);
      return { line, source, kind: 'ping' };
    case 'close': {
      const m = /^(\S+)?\s*(.*)$/.exec(rest)!;
      const code = m[1] === undefined ? 1000 : Number(m[1]);
      if (!Number.isInteger(code) || !sendableCloseCode(code))
        throw new ScriptError(
          line,
          `close code "${m[1]}" cannot be sent; use 1000 (normal), 1001, 1002, 1003, 1007–1014 or 3000–4999`,
        );
      const reason = m[2]!;
      if (new TextEncoder().encode(reason).length > 123)
        throw new ScriptError(line, 'a close reason holds at most 123 bytes (RFC 6455); shorten it');
      return { line, source, kind: 'close', code, reason };
    }
    default:
      throw new ScriptError(
        line,
        `"${keyword}" is not a step; a line is one of send, expect, sleep, ping, close (or a # comment)`,
      );
  }
}

/** Parses a script; throws ScriptError (with its line) on the first mistake. */
export function parseCaptureScript(text: string): ScriptStep[] {
  if (text.length > MAX_SCRIPT_CHARS)
    throw new ScriptError(1, `the script holds ${text.length} characters; at most ${MAX_SCRIPT_CHARS}`);
  const steps: ScriptStep[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!.trim();
    if (source === '' || source.startsWith('#')) continue;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(source)!;
    steps.push(parseLine(m[1]!.toLowerCase(), m[2]!, i + 1, source));
    if (steps.length > MAX_SCRIPT_STEPS)
      throw new ScriptError(i + 1, `a script has at most ${MAX_SCRIPT_STEPS} steps`);
  }
  if (steps.length === 0)
    throw new ScriptError(lines.length, 'the script has no steps (only comments or blank lines)');
  return steps;
}

/**
 * True when `value` holds `pattern`: an object pattern's every key with a matching value (the
 * message may have more keys), an array pattern element by element at the same index (the message
 * may have more elements), anything else equal.
 */
export function jsonContains(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return value === pattern;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(pattern)) {
    if (!Array.isArray(value) || value.length < pattern.length) return false;
    return pattern.every((p, i) => jsonContains(value[i], p));
  }
  if (Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Object.entries(pattern as Record<string, unknown>).every(
    ([k, p]) => Object.hasOwn(v, k) && jsonContains(v[k], p),
  );
}

/** True when a message's text meets an expect's pattern. */
export function expectMatches(pattern: ExpectPattern, text: string): boolean {
  if ('regex' in pattern) return new RegExp(pattern.regex, pattern.flags).test(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return jsonContains(value, pattern.json);
}

/** A script's event on a session's record (`script-step`, `script-expect-matched`…) in words; null for other events. */
export function describeScriptEvent(kind: string, detail: unknown): string | null {
  if (!kind.startsWith('script-')) return null;
  const d = (detail ?? {}) as Record<string, unknown>;
  const at = typeof d.line === 'number' ? `line ${d.line}: ` : '';
  const secs = (ms: unknown) => `${Number(ms) / 1000} s`;
  switch (kind) {
    case 'script-step':
      switch (d.step) {
        case 'send':
          return `${at}send (${String(d.chars)} characters)`;
        case 'expect':
          return `${at}expect ${String(d.pattern)} (within ${secs(d.timeoutMs)})`;
        case 'sleep':
          return `${at}sleep ${String(d.ms)} ms`;
        case 'ping':
          return `${at}ping`;
        case 'close':
          return `${at}close ${String(d.code)}${d.reason ? ` "${String(d.reason)}"` : ''}`;
        default:
          return `${at}${String(d.step)}`;
      }
    case 'script-expect-matched':
      return `${at}matched after ${String(d.afterMs)} ms`;
    case 'script-expect-timeout':
      return `${at}no message matched ${String(d.pattern)} within ${secs(d.timeoutMs)} (${String(d.received)} received): the script failed`;
    case 'script-finished':
      return `the script finished (${String(d.steps)} steps)`;
    case 'script-interrupted':
      return `${at}the connection ended before the script did`;
    default:
      return `${at}${kind}`;
  }
}
