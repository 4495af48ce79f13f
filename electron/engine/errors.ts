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
 * Something this machine lacks to do what was asked (a browser to print a PDF with): not a mistake
 * in the request, so the command line prints the sentence and exits with 1, not 2.
 */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}
