// A JSON-aware structural diff of two messages: which paths differ ($.price, $.items[2].qty), with
// ignored fields left out. Messages that are not both JSON compare as a whole ($).
import type { IgnoreRules } from './volatile.js';

/** A message as the replay compares it: text as is, binary as base64. */
export interface MessageBody {
  opcode: 'text' | 'binary';
  text: string;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

/** The JSONPath of a child: `$.price`, `$.items[2]`, `$["odd key"]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return PLAIN_KEY.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** A path with every array index as `[*]`, so that `$.items[*].at` ignores it in every item. */
function wildcard(path: string): string {
  return path.replace(/\[\d+\]/g, '[*]');
}

function ignored(path: string, key: string | number, rules: IgnoreRules): boolean {
  if (typeof key === 'string' && rules.names.has(key)) return true;
  return rules.paths.size > 0 && (rules.paths.has(path) || rules.paths.has(wildcard(path)));
}

/** Parses a text message as JSON; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  const t = text.trimStart();
  if (t === '' || !'{["-0123456789tfn'.includes(t[0]!)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function walk(a: unknown, b: unknown, path: string, rules: IgnoreRules, out: string[]): void {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) {
    out.push(path);
    return;
  }
  if (ka === 'array') {
    const xa = a as unknown[];
    const xb = b as unknown[];
    for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
      const p = childPath(path, i);
      if (ignored(p, i, rules)) continue;
      if (i >= xa.length || i >= xb.length) out.push(p);
      else walk(xa[i], xb[i], p, rules, out);
    }
    return;
  }
  if (ka === 'object') {
    const oa = a as Record<string, unknown>;
    const ob = b as Record<string, unknown>;
    const keys = [...Object.keys(oa), ...Object.keys(ob).filter((k) => !Object.hasOwn(oa, k))];
    for (const k of keys) {
      const p = childPath(path, k);
      if (ignored(p, k, rules)) continue;
      if (!Object.hasOwn(oa, k) || !Object.hasOwn(ob, k)) out.push(p);
      else walk(oa[k], ob[k], p, rules, out);
    }
    return;
  }
  if (a !== b) out.push(path);
}

/** How a text message is read as a structure to compare (JSON; a protocol's frame); undefined: it is none. */
export type ReadStructure = (text: string) => unknown;

/**
 * The paths at which `actual` differs from `expected`, in document order; empty when they match.
 * Two texts `read` finds a structure in (JSON by default) are compared structurally (key order and
 * spacing do not matter); anything else is compared as a whole and differs at `$`.
 */
export function diffMessages(
  expected: MessageBody,
  actual: MessageBody,
  rules: IgnoreRules,
  read: ReadStructure = parseJson,
): string[] {
  if (expected.opcode !== actual.opcode) return ['$'];
  if (expected.opcode === 'text') {
    const a = read(expected.text);
    const b = read(actual.text);
    if (a !== undefined && b !== undefined) {
      const out: string[] = [];
      walk(a, b, '$', rules, out);
      return out;
    }
  }
  return expected.text === actual.text ? [] : ['$'];
}
