// An export written in two parts: its body streams to a file beside the destination as frames are
// read (flat memory for a million frames), and its header, which says what was redacted (known
// only at the end), is written first when the body is done, then the body is copied after it.
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

const CHUNK = 1 << 20;

export class ExportFile {
  private readonly bodyPath: string;
  private readonly fd: number;
  private buffer: string[] = [];
  private buffered = 0;
  private closed = false;
  /** Bytes of body written. */
  bodyBytes = 0;

  constructor(readonly dest: string) {
    this.bodyPath = join(dirname(dest), `.${basename(dest)}.${randomBytes(4).toString('hex')}.part`);
    try {
      this.fd = openSync(this.bodyPath, 'w');
    } catch (err) {
      throw new InputError(
        `cannot write beside ${dest} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pick a writable folder`,
      );
    }
  }

  /** Appends text to the body (buffered). */
  write(text: string): void {
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered >= CHUNK) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    const bytes = Buffer.from(this.buffer.join(''), 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.bodyBytes += bytes.length;
    this.buffer = [];
    this.buffered = 0;
  }

  /** Writes `head`, the body and `tail` to the destination; returns its size in bytes. */
  finish(head: string, tail: string): number {
    this.flush();
    closeSync(this.fd);
    this.closed = true;
    const tmp = `${this.bodyPath}.whole`;
    const out = openSync(tmp, 'w');
    let size = 0;
    const put = (b: Buffer, n = b.length) => {
      let off = 0;
      while (off < n) off += writeSync(out, b, off, n - off);
      size += n;
    };
    try {
      put(Buffer.from(head, 'utf8'));
      const body = openSync(this.bodyPath, 'r');
      try {
        const chunk = Buffer.allocUnsafe(CHUNK);
        for (;;) {
          const n = readSync(body, chunk, 0, CHUNK, null);
          if (n <= 0) break;
          put(chunk, n);
        }
      } finally {
        closeSync(body);
      }
      put(Buffer.from(tail, 'utf8'));
    } finally {
      closeSync(out);
      rmSync(this.bodyPath, { force: true });
    }
    // The destination appears whole or not at all.
    renameSync(tmp, this.dest);
    return size;
  }

  /** Gives up: nothing is left behind. */
  abort(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
    rmSync(this.bodyPath, { force: true });
    rmSync(`${this.bodyPath}.whole`, { force: true });
  }
}
