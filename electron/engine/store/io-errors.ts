// Storage faults (a full disk, an I/O error, a read-only file system) are conditions of the
// machine, not damage to the evidence and not bugs: whoever meets one keeps what it has, says so
// in one line, and tries again later. This tells them apart from the rest.

const FS_CODES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EIO: 'the disk reported an I/O error',
  EROFS: 'the file system is read-only',
  EFBIG: 'the file is larger than the file system allows',
};

/** A sentence for a storage fault (what the machine said), or null when `err` is something else. */
export function ioFailure(err: unknown): string | null {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  if (code in FS_CODES) return `${FS_CODES[code]} (${code})`;
  if (code === 'SQLITE_FULL') return 'the disk is full (SQLITE_FULL)';
  if (code.startsWith('SQLITE_IOERR')) return `the disk reported an I/O error (${code})`;
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_'))
    return `the database cannot be written (${code})`;
  return null;
}

/** True when the database is locked by another connection (a backlog to wait out, not a failure). */
export { isBusy } from '../errors.js';
