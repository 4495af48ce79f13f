// The one place where a failure of the engine becomes what the person reads: a sentence and a code
// that says whose fault it was (the contract's ErrorBody). Every host answers with it — the console
// shows the sentence, the command line prints it and exits with 2 for a request that cannot be done
// as asked, 1 for a failed check or a condition of the machine. A sentence is one line that says what
// failed and what to do; only what nobody foresaw (a bug) keeps its stack, to be reported.
import type { ErrorBody } from '../../shared/contract.js';
import {
  EnvironmentError,
  ForbiddenError,
  InputError,
  IntegrityError,
  isCorruption,
  machineFault,
  MissingError,
} from './errors.js';
import { ConfirmationNeededError } from './incidents/trust.js';

/** Where a failure happened: the database the request worked on, and whether it is read-only. */
export interface FailureContext {
  dbPath: string;
  /** Why the database is read-only here, when it is. */
  readOnly: string | null;
}

/** True for SQLite's refusal to write a database opened read-only. */
function readOnlyRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY');
}

/** The answer for `err`, thrown while a request worked on the database of `where`. */
export function describeFailure(err: unknown, where: FailureContext): ErrorBody {
  if (where.readOnly !== null && readOnlyRefusal(err))
    return {
      code: 'bad-request',
      message: `${where.dbPath} is read-only here (${where.readOnly}), so this command cannot change it; make the file and its folder writable, or copy the database with its -frames folder somewhere writable`,
    };
  // Another process writes the same file for longer than a request waits (5 s), or the disk is full
  // or failing: a condition of the machine, not a mistake in the request, and the write was not done
  // (its transaction rolled back).
  const fault = machineFault(err, where.dbPath);
  if (fault !== null) return { code: 'failed', message: fault };
  if (err instanceof MissingError) return { code: 'not-found', message: err.message };
  if (err instanceof ForbiddenError) return { code: 'forbidden', message: err.message };
  if (err instanceof ConfirmationNeededError) return { code: 'needs-confirmation', message: err.message };
  if (err instanceof InputError) return { code: 'bad-request', message: err.message };
  // A damaged file is not something to try again: another database is what the person can give.
  if (isCorruption(err))
    return {
      code: 'bad-request',
      message: `the database is damaged (${(err as Error).message}); restore it from a copy, or pass another --db path`,
    };
  // Stored bytes that failed their check, or something this machine lacks: a failed check.
  if (err instanceof EnvironmentError || err instanceof IntegrityError)
    return { code: 'failed', message: err.message };
  return { code: 'failed', message: `unexpected failure: ${(err as Error | null)?.stack ?? String(err)}` };
}
