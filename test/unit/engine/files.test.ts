// The bounded read of files a user names: within the limit it reads the file whole; a device, a
// pipe or a directory is refused before a byte is read; a file that holds more than its size says
// (/proc) is refused once the read passes the limit, having read no more than one byte past it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../electron/engine/errors.js';
import { bytesText, checkUserFile, readUserFile } from '../../../electron/engine/files.js';
import { thrown } from '../../support/thrown.js';

const dir = mkdtempSync(join(tmpdir(), 'frameline-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readUserFile', () => {
  it('reads a regular file within its limit whole, and refuses one over it by its size', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'x'.repeat(2048));
    expect(readUserFile(file, '--send-file', 2048).toString()).toBe('x'.repeat(2048));
    const err = thrown(() => readUserFile(file, '--send-file', 1024));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`--send-file ${file} holds 2,048 bytes; it may hold at most 1 KiB`);
  });

  it('refuses a device, a named pipe and a directory without reading them', () => {
    const pipe = join(dir, 'pipe');
    execFileSync('mkfifo', [pipe]);
    expect(thrown(() => readUserFile('/dev/zero', 'the CA file', 1024 * 1024)).message).toBe(
      'the CA file /dev/zero is a device, not a file; give a regular file of at most 1 MiB',
    );
    expect(thrown(() => readUserFile(pipe, 'the runbook file', 1024 * 1024)).message).toBe(
      `the runbook file ${pipe} is a named pipe, not a file; give a regular file of at most 1 MiB`,
    );
    expect(thrown(() => checkUserFile(dir, 'the HAR file')).message).toBe(
      `the HAR file ${dir} is a directory, not a file; give a regular file`,
    );
    expect(thrown(() => checkUserFile(join(dir, 'missing.har'), 'the HAR file')).message).toBe(
      `cannot read the HAR file ${join(dir, 'missing.har')} (ENOENT); check the path`,
    );
  });

  it('stops at the limit when a file holds more than its size says', () => {
    // /proc files say they are empty and are not.
    expect(thrown(() => readUserFile('/proc/self/status', 'the CA file', 100)).message).toBe(
      'the CA file /proc/self/status holds more than 100 bytes; it may hold at most 100 bytes',
    );
    expect(readUserFile('/proc/self/status', 'the CA file', 1024 * 1024).toString()).toMatch(/^Name:/);
  });

  it('writes sizes and limits as people read them', () => {
    expect([1, 100, 1024, 1536, 1024 * 1024, 64 * 1024 * 1024 + 1, 4 * 1024 ** 3].map(bytesText)).toEqual([
      '1 byte',
      '100 bytes',
      '1 KiB',
      '1.5 KiB',
      '1 MiB',
      '64.0 MiB',
      '4 GiB',
    ]);
  });
});
