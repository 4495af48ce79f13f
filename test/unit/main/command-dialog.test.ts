// The desktop's confirmation of a shell command, built as plain data for dialog.showMessageBox: what
// it shows must be what runs. A command of 100,000 characters is capped (a message box has no scroll
// bar) and the dialog says how much is not shown; invisible and reading-changing characters are shown
// escaped; the lines shown, put back together, are the command.
import { describe, expect, it } from 'vitest';
import { CONTINUATION, MAX_LINES, WIDTH, confirmationDialog } from '../../../electron/main/command-dialog.js';
import type { CommandConfirmation } from '../../../electron/engine/incidents/trust.js';

function confirmation(over: Partial<CommandConfirmation> = {}): CommandConfirmation {
  const command = over.command ?? 'echo hi';
  return {
    walkId: 3,
    visitId: 9,
    node: 'RUN',
    step: 1,
    stepTitle: 'Say hello',
    command,
    edited: false,
    original: command,
    env: { WS_URL: 'ws://127.0.0.1:9/x', WS_HOST: '127.0.0.1' },
    runbook: { id: 'shell-steps', title: 'Shell steps', provenance: 'file', trusted: true },
    writtenBy: 'runbook',
    ...over,
  };
}

/** The lines of the command as the dialog shows them (between the line that introduces it and a blank). */
function commandLines(detail: string): string[] {
  const lines = detail.split('\n');
  const start = lines.indexOf('It runs once in /bin/sh on this machine, as you:') + 2;
  return lines.slice(start, lines.indexOf('', start));
}

/** The shown lines put back together: continuations joined, escapes turned back into characters. */
function readBack(lines: string[]): string {
  return lines
    .map((l, i) => (i === 0 ? l : l.startsWith(CONTINUATION) ? l.slice(CONTINUATION.length) : `\n${l}`))
    .join('')
    .replace(/⟦U\+([0-9A-F]{4,6})⟧/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
}

/** Characters that must never reach the dialog as themselves. */
const HIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u00AD\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/u;

describe('the confirmation dialog', () => {
  it('shows a 100,000-character command in at most MAX_LINES lines and says how much is not shown', () => {
    const tail = '; rm -rf "$HOME/the-end"';
    const command = `echo start; ${'x'.repeat(100_000 - 12 - tail.length)}${tail}`;
    expect(command.length).toBe(100_000);
    const box = confirmationDialog(confirmation({ command }));
    const lines = commandLines(box.detail);
    expect(lines.length).toBeLessThanOrEqual(MAX_LINES + 1);
    for (const l of lines.slice(0, MAX_LINES)) expect(Array.from(l).length).toBeLessThanOrEqual(WIDTH);
    expect(lines.at(-1)).toMatch(/^\[… \d+ more lines NOT SHOWN: [\d,]+ of its [\d,]+ characters\]$/);
    expect(box.message).toBe('Run this command? It is too long to show: 100,000 characters');
    expect(box.detail).toMatch(
      /Only the first 30 lines are shown\. Do not run a command you have not read whole/,
    );
    expect(box.detail).not.toContain('the-end');
    // The whole dialog stays a dialog: a bounded number of lines.
    expect(box.detail.split('\n').length).toBeLessThan(MAX_LINES + 15);
    expect(box.buttons[box.defaultId]).toBe('Cancel');
  });

  it('shows control, bidi, zero-width and unusual space characters escaped, and what it shows reads back as the command', () => {
    const command = [
      'echo safe\u202E; dd if=/dev/zero of=~/x #\u202C',
      'printf "a\u200Bb" \u2066hidden\u2069',
      'echo one\rrm -rf ~ ',
      'echo\u00A0nbsp\ttab \u0085next-line \u001B[2Kclear',
      '↳ not a continuation ⟦U+0041⟧',
    ].join('\n');
    const box = confirmationDialog(
      confirmation({ command, edited: true, original: 'echo hi', writtenBy: 'page' }),
    );
    const lines = commandLines(box.detail);
    expect(lines.join('\n')).not.toMatch(HIDDEN);
    expect(box.detail).not.toMatch(HIDDEN);
    expect(lines[0]).toBe('echo safe⟦U+202E⟧; dd if=/dev/zero of=~/x #⟦U+202C⟧');
    expect(lines[2]).toBe('echo one⟦U+000D⟧rm -rf ~ ');
    expect(lines[4]).toBe('⟦U+21B3⟧ not a continuation ⟦U+27E6⟧U+0041⟦U+27E7⟧');
    expect(readBack(lines)).toBe(command);
    expect(box.detail).toContain('⟦U+XXXX⟧ stands for one character that is invisible');
    expect(box.message).toBe('Run this edited command?');
    expect(box.detail).toContain('The command was written in the console, not by the runbook');
  });

  it('wraps a long line without clipping it, and the lines put back together are the command', () => {
    const command = `echo "${'x'.repeat(90)}"; echo "then a second command past the edge"`;
    const lines = commandLines(confirmationDialog(confirmation({ command })).detail);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(WIDTH);
    expect(readBack(lines)).toBe(command);
  });

  it('says where the runbook came from and who wrote the command', () => {
    const page = confirmationDialog(
      confirmation({
        runbook: { id: 'evil', title: 'Evil', provenance: 'page', trusted: false },
        writtenBy: 'page',
      }),
    );
    expect(page.detail).toContain('Runbook evil: imported through the console, not trusted.');
    expect(page.detail).toContain('Nobody has trusted this runbook outside the console');
    const builtin = confirmationDialog(
      confirmation({ runbook: { id: 'ws-3am', title: '3 AM', provenance: 'builtin', trusted: true } }),
    );
    expect(builtin.detail).toContain('Runbook ws-3am: built in.');
    expect(builtin.detail).not.toContain('Nobody has trusted');
    // A step title from a runbook file is text like any other.
    const title = confirmationDialog(confirmation({ stepTitle: 'Look\u202Eesrever' }));
    expect(title.detail).toContain('Step 1 "Look⟦U+202E⟧esrever" of RUN.');
  });
});
