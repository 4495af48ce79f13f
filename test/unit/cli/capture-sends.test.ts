// The messages `frameline capture` sends on open come from --send and --send-file: a complaint about
// them names where the offending message came from (the flag, or the file and its line) and the
// limit, and never prints a megabyte of message back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureRequest } from '../../../electron/cli/commands/capture.js';
import { InputError } from '../../../electron/engine/errors.js';
import { thrown } from '../../support/thrown.js';

describe('frameline capture --send / --send-file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'frameline-sends-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sends every line of the file after the --send messages, in order', () => {
    const file = join(dir, 'hello.txt');
    writeFileSync(file, '{"op":"auth"}\r\n\n{"op":"subscribe"}\n');
    const { request } = captureRequest(['ws://127.0.0.1:9/', '--send', 'first', '--send-file', file]);
    expect(request.sends).toEqual(['first', '{"op":"auth"}', '{"op":"subscribe"}']);
  });

  it('refuses more than 1000 messages, counting the file and the flags together', () => {
    const file = join(dir, 'many.txt');
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => `{"n":${i}}`).join('\n'));
    const err = thrown(() =>
      captureRequest(['ws://127.0.0.1:9/', '--send', 'one more', '--send-file', file]),
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      `--send and --send-file ${file} give 1001 messages; at most 1000 are sent when a connection opens`,
    );
  });

  it('names the line of the file that is too long, without printing it', () => {
    const file = join(dir, 'long.txt');
    writeFileSync(file, `ok\n${'x'.repeat(1024 * 1024 + 1)}\nok\n`);
    const err = thrown(() => captureRequest(['ws://127.0.0.1:9/', '--send-file', file]));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      `line 2 of --send-file ${file} is 1048577 characters long; a message sent on open holds at most 1048576 characters`,
    );
  });

  it('names the --send that is too long, without printing it', () => {
    const err = thrown(() =>
      captureRequest(['ws://127.0.0.1:9/', '--send', 'short', '--send', 'y'.repeat(1024 * 1024 + 5)]),
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      '--send message 2 is 1048581 characters long; a message sent on open holds at most 1048576 characters',
    );
  });
});
