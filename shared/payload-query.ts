// Frames found by what their payload says: a regular expression over a text frame's payload, or a
// JSONPath condition over its JSON ("$.type == \"error\"", "$.data.items[0].id", "$.error"). The
// subset of JSONPath is small and bounded on purpose: names (.a, ['a b']), indexes ([0], [-1]),
// wildcards (.*, [*]), and one comparison (== != < > <= >=) with a string, number, true, false or
// null. The engine filters a whole session with it; the console and the CLI mark what matched.

/** One step of a path: a member name, an array index (negative counts from the end), or any child. */
export type PathStep = { name: string } | { index: number } | { any: true };

/** The comparisons a condition may make. */
export type Comparison = '==' | '!=' | '<' | '>' | '<=' | '>=';

/** A parsed JSONPath condition: the path, and what its value is compared with (none: it exists). */
export interface JsonPathQuery {
  steps: readonly PathStep[];
  compare?: { op: Comparison; value: string | number | boolean | null };
}

/** Where a condition held in a document: the names and indexes that lead to the value. */
export type JsonPathHit = readonly (string | number)[];

/** A path longer than this is refused: a condition is something typed, never a program. */
const MAX_STEPS = 32;
/** Values visited by one evaluation at most (wildcards over a large array stop there). */
const MAX_VISITS = 100_000;

/** Reads a JSONPath condition; throws an Error whose message is one line an engineer can act on. */
export function parseJsonPath(input: string): JsonPathQuery {
  const s = input.trim();
  if (!s.startsWith('$'))
    throw new Error(`"${s}" is not a JSONPath: start at the document, as in $.type == "error"`);
  let at = 1;
  const steps: PathStep[] = [];
  const fail = (what: string): never => {
    throw new Error(`"${s}" is not a JSONPath: ${what} at character ${at + 1}`);
  };
  const readQuoted = (): string => {
    const quote = s[at]!;
    let out = '';
    at++;
    while (at < s.length && s[at] !== quote) {
      if (s[at] === '\\' && at + 1 < s.length) at++;
      out += s[at];
      at++;
    }
    if (s[at] !== quote) fail('a quoted name or value has no closing quote');
    at++;
    return out;
  };
  while (at < s.length) {
    const c = s[at]!;
    if (c === '.') {
      at++;
      if (s[at] === '.') fail('recursive descent (..) is not supported; name each step');
      if (s[at] === '*') {
        steps.push({ any: true });
        at++;
        continue;
      }
      const name = /^[A-Za-z_$][\w$-]*/.exec(s.slice(at))?.[0];
      if (!name) fail('a name is expected after "."');
      steps.push({ name: name! });
      at += name!.length;
    } else if (c === '[') {
      at++;
      const rest = s.slice(at);
      if (rest.startsWith('*]')) {
        steps.push({ any: true });
        at += 2;
        continue;
      }
      if (s[at] === '"' || s[at] === "'") steps.push({ name: readQuoted() });
      else {
        const index = /^-?\d+/.exec(rest)?.[0];
        if (!index) fail('an index, * or a quoted name is expected inside [ ]');
        steps.push({ index: Number(index) });
        at += index!.length;
      }
      if (s[at] !== ']') fail('"]" is expected');
      at++;
    } else if (/\s|[=!<>]/.test(c)) break;
    else fail(`"${c}" is unexpected`);
    if (steps.length > MAX_STEPS) fail(`a path has at most ${MAX_STEPS} steps`);
  }
  const tail = s.slice(at).trim();
  if (!tail) return { steps };
  const op = /^(==|!=|<=|>=|<|>)/.exec(tail)?.[0] as Comparison | undefined;
  if (!op) throw new Error(`"${s}" is not a JSONPath condition: use == != < > <= >= after the path`);
  const literal = tail.slice(op.length).trim();
  return { steps, compare: { op, value: parseLiteral(literal, s) } };
}

function parseLiteral(literal: string, whole: string): string | number | boolean | null {
  if (/^"(?:[^"\\]|\\.)*"$/.test(literal)) return JSON.parse(literal) as string;
  if (/^'(?:[^'\\]|\\.)*'$/.test(literal)) return literal.slice(1, -1).replace(/\\(.)/g, '$1');
  if (literal === 'true' || literal === 'false') return literal === 'true';
  if (literal === 'null') return null;
  if (/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(literal)) return Number(literal);
  throw new Error(
    `"${whole}" compares with ${literal ? `"${literal}"` : 'nothing'}: use a "quoted string", a number, true, false or null`,
  );
}

function holds(op: Comparison, value: unknown, against: string | number | boolean | null): boolean {
  if (op === '==') return value === against;
  if (op === '!=') return value !== against;
  // Order is defined between two numbers or two strings only.
  if (!(
    (typeof value === 'number' && typeof against === 'number') ||
    (typeof value === 'string' && typeof against === 'string')
  ))
    return false;
  switch (op) {
    case '<':
      return value < against;
    case '>':
      return value > against;
    case '<=':
      return value <= against;
    default:
      return value >= against;
  }
}

/** Where in `doc` the condition holds: each hit is the path to a value that exists (and compares). */
export function evaluateJsonPath(q: JsonPathQuery, doc: unknown, max = Infinity): JsonPathHit[] {
  const hits: JsonPathHit[] = [];
  let visits = 0;
  const walk = (value: unknown, step: number, path: (string | number)[]): void => {
    if (hits.length >= max || ++visits > MAX_VISITS) return;
    if (step === q.steps.length) {
      if (!q.compare || holds(q.compare.op, value, q.compare.value)) hits.push(path);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const s = q.steps[step]!;
    if ('any' in s) {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, step + 1, [...path, i]));
      else for (const [k, v] of Object.entries(value)) walk(v, step + 1, [...path, k]);
    } else if ('index' in s) {
      if (!Array.isArray(value)) return;
      const i = s.index < 0 ? value.length + s.index : s.index;
      if (i >= 0 && i < value.length) walk(value[i], step + 1, [...path, i]);
    } else if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, s.name))
      walk((value as Record<string, unknown>)[s.name], step + 1, [...path, s.name]);
  };
  walk(doc, 0, []);
  return hits;
}

/** A text payload's JSON, or undefined when it is not JSON (only objects and arrays are read). */
export function payloadJson(text: string): unknown {
  const head = text.trimStart()[0];
  if (head !== '{' && head !== '[') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Reads a regular expression as typed: `error|fail`, or `/timeout/i` with flags (i, m, s, u).
 * Throws an Error whose message is one line. The pattern is returned with the `g` flag, for marking.
 */
export function compileGrep(input: string): RegExp {
  const s = input.trim();
  const slashed = /^\/(.+)\/([a-z]*)$/s.exec(s);
  const source = slashed ? slashed[1]! : s;
  const flags = slashed ? slashed[2]! : '';
  if (/[^imsu]/.test(flags)) throw new Error(`"${s}" has flags "${flags}": use i, m, s or u`);
  try {
    return new RegExp(source, `${flags}g`);
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new Error(`"${s}" is not a regular expression: ${why}`, { cause: err });
  }
}

/** What a payload search asks: a regular expression, a JSONPath condition, or both. */
export interface PayloadQuery {
  grep?: string | undefined;
  where?: string | undefined;
}

/** A test of a text payload against a payload search; throws (one line) when the search does not parse. */
export function payloadMatcher(query: PayloadQuery): (text: string) => boolean {
  const grep = query.grep?.trim() ? compileGrep(query.grep) : null;
  const where = query.where?.trim() ? parseJsonPath(query.where) : null;
  return (text) => {
    if (grep) {
      grep.lastIndex = 0;
      if (!grep.test(text)) return false;
    }
    if (where) {
      const doc = payloadJson(text);
      if (doc === undefined || evaluateJsonPath(where, doc, 1).length === 0) return false;
    }
    return true;
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A pattern that marks, in a payload's text, where a JSONPath condition points: the last named
 * member ("id": …), with the compared value when the condition is an equality. For a frame list's
 * preview, which holds only the head of a payload and cannot be parsed.
 */
export function jsonPathMark(q: JsonPathQuery): RegExp | null {
  const last = [...q.steps].reverse().find((s): s is { name: string } => 'name' in s);
  if (!last) return null;
  const key = escapeRegExp(JSON.stringify(last.name));
  const lastIsName = q.steps[q.steps.length - 1] === last;
  const value = lastIsName && q.compare?.op === '==' ? escapeRegExp(JSON.stringify(q.compare.value)) : null;
  return new RegExp(value ? `${key}\\s*:\\s*${value}` : `${key}\\s*:`, 'g');
}
