// Files read on a user's word (a runbook, --send-file, a CA, a client certificate and key, a HAR
// file): each is read within its documented limit. What is not a regular file (a device such as
// /dev/zero, a named pipe, a directory) is refused before a byte is read, a file over the limit by
// its size, and a read never goes past the limit even when the file grows meanwhile. Every refusal
// is one line naming what the file is for (the flag), the file and the limit.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { InputError } from './errors.js';

/** The most a PEM file (a CA, a client certificate or key) may hold: a CA bundle is a few hundred KiB. */
export const PEM_FILE_LIMIT = 1024 * 1024;

/** Bytes as a limit or a size is written: 1 MiB, 64 MiB, 700 KiB, 12 bytes. */
export function bytesText(n: number): string {
  const unit = (size: number, name: string) =>
    `${Number.isInteger(n / size) ? n / size : (n / size).toFixed(1)} ${name}`;
  if (n >= 1024 * 1024 * 1024) return unit(1024 * 1024 * 1024, 'GiB');
  if (n >= 1024 * 1024) return unit(1024 * 1024, 'MiB');
  if (n >= 1024) return unit(1024, 'KiB');
  return `${n} byte${n === 1 ? '' : 's'}`;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'something else';
}

/** A file a user named, opened for reading: its descriptor (the caller closes it) and its size. */
export interface UserFile {
  fd: number;
  size: number;
}

/**
 * Opens a regular file a user named, refusing anything else and anything larger than `limit`
 * bytes. `what` names the file in the user's words: the flag that gave it ("--send-file") or what
 * it is for ("the CA file"). Opening does not block on a named pipe (it is refused after).
 */
export function openUserFile(path: string, what: string, limit = Infinity): UserFile {
  const within = Number.isFinite(limit) ? ` of at most ${bytesText(limit)}` : '';
  let fd: number;
  try {
    // O_NONBLOCK: opening a named pipe would wait for a writer; regular files ignore it.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InputError(
      code === 'EISDIR'
        ? `${what} ${path} is a directory, not a file; give a file${within}`
        : `cannot read ${what} ${path} (${code}); check the path`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new InputError(`${what} ${path} is ${kindOf(st)}, not a file; give a regular file${within}`);
    if (st.size > limit)
      throw new InputError(
        `${what} ${path} holds ${st.size.toLocaleString('en-US')} bytes; it may hold at most ${bytesText(limit)}`,
      );
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Checks that a file a user named can be read within `limit`, without reading it. */
export function checkUserFile(path: string, what: string, limit = Infinity): void {
  closeSync(openUserFile(path, what, limit).fd);
}

const CHUNK = 64 * 1024;

/**
 * Reads the whole of a regular file a user named, at most `limit` bytes (see openUserFile). Never
 * more than `limit` + 1 bytes are read: a file that grows meanwhile, or one that says it is empty
 * and is not (/proc), is refused once it passes the limit.
 */
export function readUserFile(path: string, what: string, limit: number): Buffer {
  const { fd, size } = openUserFile(path, what, limit);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(size - total, 0) + 1, CHUNK, limit - total + 1));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > limit)
        throw new InputError(
          `${what} ${path} holds more than ${bytesText(limit)}; it may hold at most ${bytesText(limit)}`,
        );
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      `cannot read ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the file`,
    );
  } finally {
    closeSync(fd);
  }
}
