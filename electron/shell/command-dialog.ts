// The desktop app's confirmation of a shell command, as a native message box the page cannot
// reach or forge: the whole command, wrapped (never clipped) so that a long line cannot hide a
// second command past the dialog's edge, where it runs and with which variables. Cancel is the
// default button. Plain data: main.ts hands it to dialog.showMessageBox.
import type { CommandConfirmation } from '../engine/incidents/command-policy.js';

/** Columns per line of the command in the dialog. */
const WIDTH = 72;
/** Starts every line that continues the one above it, so wrapping never reads as a new command. */
export const CONTINUATION = '↳ ';
export const RUN_BUTTON = 1;

/** The command's own lines, each longer one broken at a space before WIDTH (or at WIDTH). */
export function wrapCommand(command: string, width = WIDTH): string[] {
  const out: string[] = [];
  for (const line of command.replace(/\r\n?/g, '\n').split('\n')) {
    let rest = line.replace(/\t/g, '    ');
    let first = true;
    while (rest.length > (first ? width : width - CONTINUATION.length)) {
      const room = first ? width : width - CONTINUATION.length;
      const space = rest.lastIndexOf(' ', room);
      const cut = space > room / 2 ? space + 1 : room;
      out.push(`${first ? '' : CONTINUATION}${rest.slice(0, cut)}`);
      rest = rest.slice(cut);
      first = false;
    }
    out.push(`${first ? '' : CONTINUATION}${rest}`);
  }
  return out;
}

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

/** The message box asking to run `c.command`; its button RUN_BUTTON runs it, anything else does not. */
export function confirmationDialog(c: CommandConfirmation): MessageBoxOptions {
  const lines = wrapCommand(c.command);
  const wrapped = lines.some((l) => l.startsWith(CONTINUATION));
  const vars = Object.entries(c.env).map(([k, v]) => `${k}=${v}`);
  const detail = [
    `Step ${c.step} "${c.stepTitle}" of ${c.node}${c.edited ? " — EDITED, not the runbook's command" : ''}.`,
    'It runs once in /bin/sh on this machine, as you:',
    '',
    ...lines,
    '',
    ...(wrapped ? [`(lines starting with ${CONTINUATION.trim()} continue the line above)`] : []),
    vars.length
      ? `With ${vars.join(', ')}.`
      : 'The walk has no target: WS_URL and the other target variables are not set.',
    ...(c.edited ? ['', 'The runbook has:', ...wrapCommand(c.original)] : []),
  ].join('\n');
  return {
    type: 'warning',
    title: 'Frameline',
    message: c.edited ? 'Run this edited command?' : 'Run this command?',
    detail,
    buttons: ['Cancel', c.edited ? 'Run the edited command' : 'Run'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
}
