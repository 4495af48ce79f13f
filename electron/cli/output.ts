// Human output of the command line: frame lines like wscat's, tables, and the stderr channel.
import type { DamagedFrames, Opcode } from '../../shared/contract.js';
import { damageWords } from '../../shared/frame-damage.js';
import { formatMicros } from '../../shared/time.js';
import { preview } from '../../shared/frame-preview.js';

/**
 * `01:53:53.123456 < text  12B  {"hello":1}`, or with the message decoded in its protocol's words
 * before the payload: `01:53:53.123456 < binary  21B  [PUBLISH a/b] 30 13 00 03 …`.
 */
export function frameLine(
  ts: number,
  direction: 'in' | 'out',
  opcode: Opcode,
  size: number,
  data: Buffer,
  label = '',
): string {
  const time = formatMicros(ts).slice(11, 26);
  const arrow = direction === 'in' ? '<' : '>';
  const said = label ? `[${label}] ` : '';
  return `${time} ${arrow} ${opcode.padEnd(6)} ${formatBytes(size).padStart(7)}  ${said}${preview(opcode, data)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)}KiB`;
  return `${(n / 1024 / 1024).toFixed(1)}MiB`;
}

/** Aligns rows of cells into columns. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

/** Progress and notes for humans go to stderr, so that stdout stays clean for pipes. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Writes to stdout and resolves when it is flushed (so that exit codes follow complete output). */
export function out(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

/**
 * The loud warning for a server bound beyond loopback (`serve`, `mock`): who can reach it, and what
 * they get.
 */
export function warnExposed(host: string, who: string, what: string): void {
  note(`WARNING: serving on ${host}, which is not a loopback address: anyone who can reach it${who}`);
  note(`${what} Prefer 127.0.0.1 with an SSH tunnel.`);
}

/**
 * The line on stderr when a command met frames whose stored bytes failed their check: how many,
 * which, why, what was done with them and what to do. Damage found is a failed check: the caller
 * exits with 1, after writing everything it could (the intact frames, the marked ones). Frames of a
 * missing segment file say which file (or folder) to put back where: the engine's `restore` sentences.
 */
export function damageNote(sessionId: number, d: DamagedFrames, restore: readonly string[] = []): void {
  const others = d.frames - (restore.length > 0 ? d.missing : 0);
  const advice = [
    ...restore,
    ...(others > 0
      ? [`restore the database's -frames folder from a copy to get ${others === 1 ? 'it' : 'them'} back`]
      : []),
  ];
  note(
    `frameline: session ${sessionId}: ${damageWords(d)}; ${d.frames === 1 ? 'it is' : 'they are'} marked damaged and ${d.frames === 1 ? 'its' : 'their'} bytes left out, the other frames come through as stored; ${advice.join('; ')}`,
  );
}
