// The one place where a command's failure becomes what the user reads: one line on stderr and an
// exit code (2 for a mistake in what was asked, 1 for a condition of the machine or the database),
// whatever command it came from. A stack trace is kept for what nobody foresaw: a bug.
import {
  EnvironmentError,
  InputError,
  IntegrityError,
  isCorruption,
  machineFault,
} from '../engine/errors.js';

export interface Failure {
  line: string;
  code: number;
}

/** A database opened for reading only, and why (its file or folder cannot be written here). */
export interface ReadOnlyDatabase {
  path: string;
  reason: string;
}

/** True for SQLite's refusal to write a database opened read-only. */
function readOnlyRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY');
}

/**
 * What the user reads for `err`, thrown by a command that worked on the database `db` (if any),
 * which was opened read-only when `readOnly` says so.
 */
export function failure(err: unknown, db: string | null, readOnly: ReadOnlyDatabase | null = null): Failure {
  const database = db ?? 'the database';
  if (readOnly && readOnlyRefusal(err))
    return {
      line: `${readOnly.path} is read-only here (${readOnly.reason}), so this command cannot change it; make the file and its folder writable, or copy the database with its -frames folder somewhere writable`,
      code: 2,
    };
  // Another process writes the same file for longer than a command waits (5 s), or the disk is
  // full or failing: a condition of the machine, not a mistake in the request, and the write was
  // not done (its transaction rolled back). The same sentence as the console's.
  const fault = machineFault(err, database);
  if (fault !== null) return { line: fault, code: 1 };
  if (err instanceof InputError) return { line: err.message, code: 2 };
  if (isCorruption(err))
    return {
      line: `the database is damaged (${(err as Error).message}); restore it from a copy, or pass another --db path`,
      code: 2,
    };
  // Stored bytes that failed their check: the command went on with the intact frames and said
  // which were damaged; that is a failed check, not a mistake in the request.
  if (err instanceof EnvironmentError || err instanceof IntegrityError) return { line: err.message, code: 1 };
  return { line: `unexpected failure: ${(err as Error | null)?.stack ?? String(err)}`, code: 1 };
}
