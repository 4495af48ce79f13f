// The one place where a command's failure becomes what the user reads: one line on stderr and an
// exit code, whatever command it came from — 2 for a request that cannot be done as asked, 1 for a
// failed check or a condition of the machine. What the service answered carries its code already;
// anything else (a mistake in the flags, or what a command met on its own) is described by the same
// rules as the service's answers (engine/failures.ts).
import { ApiError, type ErrorBody } from '../../shared/contract.js';
import { describeFailure } from '../engine/service.js';

export interface Failure {
  line: string;
  code: number;
}

/** A database opened for reading only, and why (its file or folder cannot be written here). */
export interface ReadOnlyDatabase {
  path: string;
  reason: string;
}

/** The exit code of an answer's error code. */
export function exitCode(code: ErrorBody['code']): number {
  return code === 'failed' ? 1 : 2;
}

/**
 * What the user reads for `err`, thrown by a command that worked on the database `db` (if any),
 * which was opened read-only when `readOnly` says so.
 */
export function failure(err: unknown, db: string | null, readOnly: ReadOnlyDatabase | null = null): Failure {
  const body =
    err instanceof ApiError
      ? { code: err.code, message: err.message }
      : describeFailure(err, {
          dbPath: readOnly?.path ?? db ?? 'the database',
          readOnly: readOnly?.reason ?? null,
        });
  return { line: body.message, code: exitCode(body.code) };
}
