// The desktop app's confirmation of a shell command, as a native message box the page cannot reach
// or forge. What it shows is what runs: the command wrapped (never clipped) so that a long line
// cannot hide a second command past the dialog's edge; invisible and reading-changing characters
// (controls, bidi overrides, zero-width…) shown escaped as ⟦U+XXXX⟧; at most MAX_LINES lines, and
// when the command is longer the dialog says how much is not shown instead of growing off the
// screen. It says where the command runs, with which variables, and who wrote it (the runbook's
// provenance, an edit). Cancel is the default button. A pure function of the confirmation: main.ts
// hands its result to dialog.showMessageBox.
import { CONTINUATION, ESCAPE_NOTE, escapeInvisible, showCommand } from '../../shared/command-text.js';
import { provenanceWords } from '../../shared/runbooks/provenance.js';
import type { CommandConfirmation } from '../engine/incidents/trust.js';

/** Columns per line of the command in the dialog. */
export const WIDTH = 72;
/** Lines of the command the dialog shows at most (a message box has no scroll bar). */
export const MAX_LINES = 30;
/** Lines of the runbook's own command shown beside an edited one. */
const MAX_ORIGINAL_LINES = 8;
export { CONTINUATION };
export const RUN_BUTTON = 1;

export interface MessageBoxOptions {
  type: 'warning';
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
  noLink: boolean;
}

const plain = (s: string) => escapeInvisible(s).text;

function notShown(hidden: { lines: number; characters: number }, of: number): string {
  return `[… ${hidden.lines} more line${hidden.lines === 1 ? '' : 's'} NOT SHOWN: ${hidden.characters.toLocaleString('en-US')} of its ${of.toLocaleString('en-US')} characters]`;
}

/** The message box asking to run `c.command`; its button RUN_BUTTON runs it, anything else does not. */
export function confirmationDialog(c: CommandConfirmation): MessageBoxOptions {
  const shown = showCommand(c.command, { width: WIDTH, maxLines: MAX_LINES });
  const original = c.edited ? showCommand(c.original, { width: WIDTH, maxLines: MAX_ORIGINAL_LINES }) : null;
  const vars = Object.entries(c.env).map(([k, v]) => `${k}=${plain(v)}`);
  const detail = [
    `Step ${c.step} "${plain(c.stepTitle)}" of ${plain(c.node)}${c.edited ? " — EDITED, not the runbook's command" : ''}.`,
    `Runbook ${plain(c.runbook.id)}: ${provenanceWords(c.runbook)}.`,
    ...(c.writtenBy === 'page'
      ? [
          c.edited
            ? 'The command was written in the console, not by the runbook: read all of it before you run it.'
            : 'Nobody has trusted this runbook outside the console: read all of the command before you run it.',
        ]
      : []),
    'It runs once in /bin/sh on this machine, as you:',
    '',
    ...shown.lines,
    ...(shown.hidden ? [notShown(shown.hidden, shown.characters)] : []),
    '',
    ...(shown.hidden
      ? [
          `Only the first ${MAX_LINES} lines are shown. Do not run a command you have not read whole: Cancel, and read it in the runbook or the console first.`,
        ]
      : []),
    ...(shown.wrapped ? [`(lines starting with ${CONTINUATION.trim()} continue the line above)`] : []),
    ...(shown.escaped || original?.escaped ? [ESCAPE_NOTE] : []),
    vars.length
      ? `With ${vars.join(', ')}.`
      : 'The walk has no target: WS_URL and the other target variables are not set.',
    ...(original
      ? [
          '',
          'The runbook has:',
          ...original.lines,
          ...(original.hidden ? [notShown(original.hidden, original.characters)] : []),
        ]
      : []),
  ].join('\n');
  const message = shown.hidden
    ? `Run this ${c.edited ? 'edited ' : ''}command? It is too long to show: ${shown.characters.toLocaleString('en-US')} characters`
    : c.edited
      ? 'Run this edited command?'
      : 'Run this command?';
  return {
    type: 'warning',
    title: 'Frameline',
    message,
    detail,
    buttons: ['Cancel', c.edited ? 'Run the edited command' : 'Run'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
}
