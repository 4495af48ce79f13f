// Storage faults (a full disk, an I/O error, a read-only file system) are conditions of the
// machine, not damage to the evidence and not bugs (see ../errors.ts); and values the database
// refuses to store, which no retry will ever store.

// Which errors are storage faults is decided in one place for every caller (the shells too).
export { ioFailure } from '../errors.js';

// Whether the database is locked by another connection is decided in one place for every caller.
export { isBusy } from '../errors.js';

/**
 * Why the database refused to store a record's values, or null when `err` is something else: a
 * value of the wrong type or out of range for its column (a timestamp of 1e300 is no integer), a
 * value that breaks a constraint, one too big, or one its driver cannot bind. Such a record will
 * never be stored, however often it is tried. A trigger's RAISE is the database's own rule, not a
 * value it cannot hold, and is not counted here.
 */
export function valueRefused(err: unknown): string | null {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  if (code === 'SQLITE_CONSTRAINT_TRIGGER') return null;
  if (
    code.startsWith('SQLITE_CONSTRAINT') ||
    code === 'SQLITE_MISMATCH' ||
    code === 'SQLITE_TOOBIG' ||
    code === 'SQLITE_RANGE'
  )
    return (err as Error).message;
  // better-sqlite3 refuses to bind what SQLite has no type for (an object, a non-integer BigInt…),
  // and a record missing a field it needs fails the same way.
  if (err instanceof TypeError || err instanceof RangeError) return err.message;
  return null;
}
