// From argv to the contract's requests. Options are read with util.parseArgs; each command then
// maps its flags onto the fields of a contract request schema and lets the schema check them, so
// that ranges, defaults and sentences are the console's too. Mistakes become InputErrors that name
// the flag: one line, exit code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import type { RedactionSummary } from '../../shared/contract/fields.js';
import { redactionCounts } from '../../shared/redaction.js';
import { InputError } from '../engine/errors.js';
import { PEM_FILE_LIMIT, readUserFile } from '../engine/files.js';
import { defaultDbPath } from '../engine/paths.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof COMMON & T; allowPositionals: true; strict: true }>
>;

/** A negative number given as an option's value (`--echo -1`), which parseArgs would take for a flag. */
const NEGATIVE_NUMBER = /^-\d*\.?\d+(e[+-]?\d+)?$/i;

export function parse<T extends Options>(argv: string[], options: T, command: string): Parsed<T> {
  const all: Options = { ...COMMON, ...options };
  // `--echo -1` is the value -1 for --echo: join it so that the schema can say what is wrong with it.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : null;
    if (name && all[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    const config = { args, options: all, allowPositionals: true, strict: true } as const;
    return parseArgs(config satisfies ParseArgsConfig) as Parsed<T>;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/s, '');
    throw new InputError(`${msg}; see "frameline ${command} --help"`);
  }
}

let used: string | null = null;

/** The database path: --db, else FRAMELINE_DB, else the desktop app's file; an empty --db is a mistake. */
export function dbPath(values: { db?: unknown }): string {
  if (values.db === undefined) return (used = defaultDbPath());
  if (typeof values.db !== 'string' || values.db.trim() === '')
    throw new InputError('--db is empty; give the database file, such as --db ./incident.db');
  return (used = values.db);
}

/** The database path this run's command asked for (null before it did), for its failure's line. */
export function usedDbPath(): string | null {
  return used;
}

/** Checks how many positional arguments a command got. */
export function positionals(
  got: string[],
  command: string,
  { min = 0, max = min, what = 'arguments' }: { min?: number; max?: number; what?: string } = {},
): string[] {
  if (got.length < min || got.length > max) {
    const want =
      min === max ? `${min === 0 ? 'no' : min}` : min === 0 ? `at most ${max}` : `${min} to ${max}`;
    const extra = got.length > max ? `: "${got.slice(max).join(' ')}" is one too many` : '';
    throw new InputError(
      `frameline ${command} takes ${want} ${what}, got ${got.length}${extra}; see "frameline ${command} --help"`,
    );
  }
  return got;
}

/** Parses a curl-style "Name: value" header (the schema then checks the name and the value). */
export function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  if (colon <= 0) throw new InputError(`header "${raw}" is malformed; write it as "Name: value"`);
  return [raw.slice(0, colon).trim(), raw.slice(colon + 1).trim()];
}

/** How one flag fills a field of a request. */
export interface Flag {
  /** The field, dotted for nested ones (`reconnect.baseMs`). */
  field: string;
  kind?: 'string' | 'number' | 'boolean' | 'list' | 'headers' | 'pem';
  /**
   * A `pem` flag: what its file holds, named so in sentences ("CA"), and which of the request's
   * `pemFiles` names the file for the engine's sentences about its text.
   */
  pem?: { what: string; file: 'ca' | 'cert' | 'key' };
  /** A flag that only means something with another one (`--reconnect-base` with `--reconnect`). */
  needs?: string;
  /** Words a number flag also takes as they are (`--speed max`). */
  words?: readonly string[];
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[keys[keys.length - 1]!] = value;
}

/** A number option's text as the schema reads it: not-a-number stays NaN, for the schema to refuse. */
function toNumber(raw: string): number {
  return raw.trim() === '' ? Number.NaN : Number(raw);
}

/**
 * Builds a contract request from parsed flags: `flags` says which field each flag fills, `fixed`
 * gives the fields that come from elsewhere (the URL argument). The schema checks the result; its
 * first complaint comes back as one line naming the flag and the value given.
 */
export function requestFrom<S extends z.ZodType>(
  schema: S,
  values: Record<string, unknown>,
  flags: Record<string, Flag>,
  fixed: Record<string, unknown> = {},
): z.output<S> {
  const input: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(fixed)) if (v !== undefined) setPath(input, field, v);
  for (const [name, flag] of Object.entries(flags)) {
    const v = values[name];
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
    if (flag.needs !== undefined && !values[flag.needs])
      throw new InputError(
        `--${name} only works with --${flag.needs}; add --${flag.needs} or drop --${name}`,
      );
    const value =
      flag.kind === 'number'
        ? flag.words?.includes(v as string)
          ? v
          : toNumber(v as string)
        : flag.kind === 'headers'
          ? (v as string[]).map(parseHeader)
          : flag.kind === 'pem'
            ? readPemFile(v as string, flag.pem?.what ?? name)
            : v;
    setPath(input, flag.field, value);
    if (flag.kind === 'pem' && flag.pem) setPath(input, `pemFiles.${flag.pem.file}`, v);
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  // The flag whose field is the one complained about (or holds it: a header inside `headers`),
  // given or not: a field needed but missing is named by the flag that would give it.
  let best: [string, Flag] | undefined;
  for (const entry of Object.entries(flags)) {
    const f = entry[1].field.split('.');
    if (f.every((k, i) => path[i] === k) && (!best || f.length > best[1].field.split('.').length))
      best = entry;
  }
  if (!best) throw new InputError(`${path.join('.') || 'the request'} ${issue.message}`);
  const [name, flag] = best;
  const raw = values[name];
  const given =
    flag.kind === 'headers' || flag.kind === 'list'
      ? (() => {
          const i = Number(path[flag.field.split('.').length]);
          const list = raw as string[] | undefined;
          return Number.isInteger(i) ? list?.[i] : undefined;
        })()
      : typeof raw === 'string'
        ? raw
        : undefined;
  throw new InputError(
    `--${name} ${issue.message}${given !== undefined ? `, not ${JSON.stringify(given)}` : ''}`,
  );
}

/**
 * A certificate or key file given on the command line (`what` it holds, such as "CA"), read here
 * within the PEM limit: the request carries its text, and its name in `pemFiles`. What the text
 * holds is checked once, by the engine, whose sentence then names the file.
 */
export function readPemFile(path: string, what: string): string {
  return readUserFile(path, `the ${what} file`, PEM_FILE_LIMIT).toString('utf8');
}

/** A positive whole number argument (a session, incident or walk id). */
export function idArgument(raw: string | undefined, what: string, command: string, listWith: string): number {
  if (raw === undefined)
    throw new InputError(`frameline ${command} needs ${what} id; list them with "${listWith}"`);
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new InputError(`"${raw}" is not ${what} id; list them with "${listWith}"`);
  return n;
}

/** The session id argument. */
export function sessionId(raw: string | undefined, command: string): number {
  return idArgument(raw, 'a session', command, 'frameline sessions');
}

/** The redaction flags every export takes. */
export const REDACTION_OPTIONS = {
  'no-redact': { type: 'boolean', default: false },
  'redact-field': { type: 'string', multiple: true },
  'redact-pattern': { type: 'string', multiple: true },
} as const;

/** Which field of an export request each redaction flag fills (under `redaction`). */
export const REDACTION_FLAGS: Record<string, Flag> = {
  'redact-field': { field: 'redaction.fields', kind: 'list' },
  'redact-pattern': { field: 'redaction.patterns', kind: 'list' },
};

/** The fields the redaction flags fix: on unless --no-redact; user rules only with it on. */
export function redactionFixed(values: Record<string, unknown>): Record<string, unknown> {
  if (values['no-redact'] === true) {
    for (const flag of ['redact-field', 'redact-pattern'])
      if (Array.isArray(values[flag]) && (values[flag] as unknown[]).length > 0)
        throw new InputError(`--${flag} redacts, --no-redact turns redaction off; give one or the other`);
  }
  return { 'redaction.enabled': values['no-redact'] !== true };
}

/** A one-line account of what an export redacted, for stderr. */
export function redactionNote(r: Pick<RedactionSummary, 'enabled' | 'rules'>): string {
  if (!r.enabled) return 'redaction is off (--no-redact): this export may hold secrets';
  const total = r.rules.reduce((n, x) => n + x.count, 0);
  if (total === 0) return 'redacted: nothing matched the rules';
  return `redacted ${total} value${total === 1 ? '' : 's'}: ${redactionCounts(r)}`;
}
