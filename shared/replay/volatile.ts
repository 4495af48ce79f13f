// Fields whose values change on every run by nature (when a message was sent, a nonce, a trace id):
// a replay's diff leaves them out by default and says so, so that "changed" means the answer changed.
import { SENT_AT_FIELDS } from '../diagnosis/frames.js';

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
    if (entry.startsWith('$')) paths.add(entry);
    else if (entry !== idField) names.add(entry);
  }
  return { names, paths };
}

/** The ignore rules as the report lists them: names, then paths, in the order given. */
export function ignoredList(rules: IgnoreRules): string[] {
  return [...rules.names, ...rules.paths];
}
