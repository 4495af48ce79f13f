// Parsing of command-line options with util.parseArgs, turning its errors into InputErrors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../engine/errors.js';
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

export function parse<T extends Options>(argv: string[], options: T, command: string): Parsed<T> {
  try {
    const config = {
      args: argv,
      options: { ...COMMON, ...options },
      allowPositionals: true,
      strict: true,
    } as const;
    return parseArgs(config satisfies ParseArgsConfig) as Parsed<T>;
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new InputError(`${msg}; see "frameline ${command} --help"`);
  }
}

export function dbPath(values: { db?: unknown }): string {
  return typeof values.db === 'string' && values.db !== '' ? values.db : defaultDbPath();
}

/** A number option, checked against a range; `scale` converts units (seconds to ms). */
export function numberOption(
  raw: unknown,
  name: string,
  { min = 0, max = Number.MAX_SAFE_INTEGER, integer = false, scale = 1 } = {},
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isFinite(n) ||
    n < min ||
    n > max ||
    (integer && !Number.isInteger(n))
  ) {
    throw new InputError(
      `--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not "${String(raw)}"`,
    );
  }
  return n * scale;
}

/** The session id argument. */
export function sessionId(raw: string | undefined, command: string): number {
  if (raw === undefined)
    throw new InputError(`frameline ${command} needs a session id; list them with "frameline sessions"`);
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new InputError(`"${raw}" is not a session id; list them with "frameline sessions"`);
  return n;
}
