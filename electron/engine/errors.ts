// Errors the user can fix by changing what they asked for. The shells map them to their own codes:
// the command line prints one line and exits with 2; the contract answers `bad-request` or
// `not-found`.

/** A request that cannot be done as asked (a bad URL, an unreadable file…). */
export class InputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
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

// Storage faults (a full disk, an I/O error, a read-only file system) are conditions of the
// machine, not damage to the evidence, not mistakes in the request and not bugs: whoever meets one
// keeps what it has, says so in one line, and tries again later. Decided here, for the store and for
// both shells (the command line may not import the store).

const FS_CODES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EIO: 'the disk reported an I/O error',
  EROFS: 'the file system is read-only',
  EFBIG: 'the file is larger than the file system allows',
};

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** A sentence for a storage fault (what the machine said), or null when `err` is something else. */
export function ioFailure(err: unknown): string | null {
  const code = codeOf(err);
  if (code in FS_CODES) return `${FS_CODES[code]} (${code})`;
  if (code === 'SQLITE_FULL') return 'the disk is full (SQLITE_FULL)';
  // The -shm file beside the database could not grow: on a full disk, that is what SQLite says.
  if (code === 'SQLITE_IOERR_SHMSIZE')
    return 'the disk is full (SQLITE_IOERR_SHMSIZE: its -shm file cannot grow)';
  if (code.startsWith('SQLITE_IOERR')) return `the disk reported an I/O error (${code})`;
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_'))
    return `the database cannot be written (${code})`;
  return null;
}

/** What to do about the storage fault `err`: free space, check the disk, or make it writable. */
export function storageAdvice(err: unknown): string {
  const code = codeOf(err);
  if (code === 'EIO' || (code.startsWith('SQLITE_IOERR') && code !== 'SQLITE_IOERR_SHMSIZE'))
    return "check the disk (the system log, the drive's health) and try again";
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY'))
    return 'make the file and its folder writable (or remount the disk read-write) and try again';
  return 'free some space on that disk and try again';
}

/**
 * A storage fault said in a sentence that names what could not be written and what to do (a file a
 * command writes, as a report): a condition of the machine, so the command line exits with 1 and
 * the contract answers `failed`. (The store's own is a StoreError with the code "io".)
 */
export class StorageFault extends Error {
  readonly code = 'io';
  constructor(message: string) {
    super(message);
    this.name = 'StorageFault';
  }
}

/**
 * The one line for a storage fault met by a command or a request on the database `database`, or
 * null when `err` is no storage fault. An error of the engine that already says it (a StorageFault,
 * or a StoreError with the code "io": what could not be written, and what to do) is said as it is. A fault of SQLite
 * itself failed a statement of a transaction, which SQLite rolled back: the change was not saved,
 * and what the database held is as it was.
 */
export function storageFaultMessage(err: unknown, database: string): string | null {
  const code = codeOf(err);
  if (code === 'io' && err instanceof Error) return err.message;
  const io = ioFailure(err);
  if (io === null) return null;
  const advice = storageAdvice(err);
  if (code.startsWith('SQLITE_')) {
    const reading = code === 'SQLITE_IOERR_READ' || code === 'SQLITE_IOERR_SHORT_READ';
    return reading
      ? `cannot read ${database}: ${io}; nothing was changed; ${advice}`
      : `cannot write to ${database}: ${io}, so the change was not saved (what the database held is as it was); ${advice}`;
  }
  // A file system call: its path, when the error has one.
  const path = (err as { path?: unknown }).path;
  return `cannot write ${typeof path === 'string' ? path : `beside ${database}`}: ${io}; ${advice}`;
}

/**
 * The sentence for a condition of the machine, or null for anything else: the database locked by
 * another process past the 5 s wait (the write was not done), or a storage fault. Both shells say it
 * as a failure, never as a mistake in the request.
 */
export function machineFault(err: unknown, database: string): string | null {
  // Refused at once, without a wait: another process committed between this transaction's read and
  // its write.
  if (codeOf(err) === 'SQLITE_BUSY_SNAPSHOT')
    return `${database} was changed by another process while this change was being made, so it was not saved (nothing was changed); try again`;
  if (isBusy(err))
    return `${database} is locked by another process that is writing to it (waited 5 s); try again when it has finished`;
  return storageFaultMessage(err, database);
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
