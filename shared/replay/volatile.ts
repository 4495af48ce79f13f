// Fields whose values change on every run by nature (when a message was sent, a nonce, a trace id):
// a replay's diff leaves them out by default and says so, so that "changed" means the answer changed.
import { SENT_AT_FIELDS } from '../diagnosis/frames.js';
import { childPath } from './diff.js';

/** Field names a replay's diff ignores by default, at any depth (the id field never is). */
export const VOLATILE_FIELDS: readonly string[] = [
  ...SENT_AT_FIELDS,
  'receivedAt',
  'createdAt',
  'updatedAt',
  'serverTime',
  'nonce',
  'traceId',
  'requestId',
  // STOMP's MESSAGE header: the broker's id of each delivery, made of its session id.
  'message-id',
];

/** What a diff leaves out: field names at any depth, and exact JSONPaths (`$.quote.ts`, `$.items[*].at`). */
export interface IgnoreRules {
  names: ReadonlySet<string>;
  paths: ReadonlySet<string>;
}

/**
 * The ignore rules of a replay: the volatile fields (unless `defaults` is false) and the user's
 * `--ignore` entries (a name, or a path starting with `$`), never the id field that pairs messages.
 */
export function ignoreRules(user: readonly string[], idField: string, defaults = true): IgnoreRules {
  const names = new Set<string>();
  const paths = new Set<string>();
  for (const entry of [...(defaults ? VOLATILE_FIELDS : []), ...user]) {
    if (entry.startsWith('$')) {
      const read = ignorePath(entry);
      paths.add('path' in read ? read.path : entry);
    } else if (entry !== idField) names.add(entry);
  }
  return { names, paths };
}

/** The ignore rules as the report lists them: names, then paths, in the order given. */
export function ignoredList(rules: IgnoreRules): string[] {
  return [...rules.names, ...rules.paths];
}

const NAME = /^[A-Za-z_$][\w$]*/;

/**
 * Reads an `--ignore` JSONPath (`$.quote.ts`, `$.items[*].at`, `$["odd key"]`, `$['a'][0]`) and
 * writes it as the diff writes the paths it reports, so that the two meet; or says at which
 * character (1-based) it stops being one. Only what the diff can match is read: names, indices,
 * quoted keys and `[*]` over array items.
 */
export function ignorePath(entry: string): { path: string } | { error: string } {
  const fail = (at: number, what: string) => ({ error: `at character ${at + 1}: ${what}` });
  if (entry[0] !== '$') return fail(0, 'a JSONPath starts with $');
  let path = '$';
  let i = 1;
  while (i < entry.length) {
    const c = entry[i]!;
    if (c === '.') {
      const name = NAME.exec(entry.slice(i + 1))?.[0];
      if (name === undefined)
        return fail(
          i + 1,
          entry[i + 1] === '*'
            ? 'a wildcard goes over array items only: write [*]'
            : 'expected a field name after "." (write $["odd key"] for other keys)',
        );
      path = childPath(path, name);
      i += 1 + name.length;
    } else if (c === '[') {
      const inner = entry[i + 1];
      if (inner === '*') {
        if (entry[i + 2] !== ']') return fail(i + 2, 'expected "]" after [*');
        path += '[*]';
        i += 3;
      } else if (inner !== undefined && /\d/.test(inner)) {
        const digits = /^\d+/.exec(entry.slice(i + 1))![0];
        if (entry[i + 1 + digits.length] !== ']')
          return fail(i + 1 + digits.length, `expected "]" after [${digits}`);
        path = childPath(path, Number(digits));
        i += digits.length + 2;
      } else if (inner === '"' || inner === "'") {
        // A quoted key, with JSON's escapes; single quotes as JSONPath also allows them.
        let j = i + 2;
        while (j < entry.length && entry[j] !== inner) j += entry[j] === '\\' ? 2 : 1;
        if (j >= entry.length) return fail(i + 1, `the key opened here has no closing ${inner}`);
        const body = entry.slice(i + 2, j);
        let key: string;
        try {
          key = JSON.parse(
            `"${inner === "'" ? body.replace(/\\'/g, "'").replace(/"/g, '\\"') : body}"`,
          ) as string;
        } catch {
          return fail(i + 1, 'the quoted key is not a JSON string');
        }
        if (entry[j + 1] !== ']') return fail(j + 1, 'expected "]" after the quoted key');
        path = childPath(path, key);
        i = j + 2;
      } else return fail(i + 1, 'expected an index, * or a quoted key after "["');
    } else return fail(i, 'expected "." or "[" here');
  }
  return { path };
}

/** What is wrong with an `--ignore` entry that starts as a JSONPath; null for a name or a good path. */
export function ignoreEntryError(entry: string): string | null {
  if (!entry.startsWith('$')) return null;
  const read = ignorePath(entry);
  return 'error' in read ? read.error : null;
}
