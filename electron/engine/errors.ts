// Errors the user can fix by changing what they asked for. The shells map them to their own codes:
// the command line prints one line and exits with 2; the contract answers `bad-request` or
// `not-found`.

/** A request that cannot be done as asked (a bad URL, an unreadable file…). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The person said no to running a command (the dialog's Cancel, a wrong code, no at the prompt). */
export class DeclinedError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'DeclinedError';
  }
}

/** Something asked for that is not there (a session, an incident, a walk, a run, a runbook). */
export class MissingError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'MissingError';
  }
}

/**
 * Something this host does not let its requests do (a command a page wrote, a mock on every
 * interface from browser mode): the contract answers `forbidden`; the sentence says what to do.
 */
export class ForbiddenError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** True for an error of SQLite that says the database file is damaged or is not a database. */
export function isCorruption(err: unknown): boolean {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

/**
 * True when the database is locked by another connection: SQLite's BUSY or LOCKED, or an error of
 * the engine that reports one (a StoreError with the code "busy"). A wait to sit out, or a write to
 * try again later, never damage and never a mistake in the request.
 */
export function isBusy(err: unknown): boolean {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === 'busy';
}

/**
 * Something this machine lacks to do what was asked (a browser to print a PDF with): not a mistake
 * in the request, so the command line prints the sentence and exits with 1, not 2.
 */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/**
 * Stored bytes that failed their check (a payload changed on disk, or its segment file was cut
 * short) where they cannot simply be marked and left out: a failed check, so the command line prints
 * the sentence and exits with 1, and the contract answers `failed`.
 */
export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}
