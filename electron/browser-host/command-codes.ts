// Browser mode's authoriser (incidents/trust.ts): a page cannot prove that a person clicked Run, so
// `frameline serve` shows the command in its own terminal — whole up to a cap, escaped, with who
// wrote it and where it runs — with a one-time code, and runs it only when the person types that
// code into the page. A code is bound to one walk, node visit, step and command; it works once,
// within CODE_TTL_MS; any answer spends it (a wrong guess too), so each guess costs a request that
// prints a new code in the terminal, and 40 random bits leave nothing to guess.
import { randomBytes } from 'node:crypto';
import { ESCAPE_NOTE, escapeInvisible, showCommand } from '../../shared/command-text.js';
import {
  ConfirmationNeededError,
  DeclinedError,
  provenanceWords,
  type Authoriser,
  type CommandConfirmation,
} from '../engine/incidents/trust.js';

/** Crockford's base32: no I, L, O or U to misread. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_TTL_MS = 5 * 60_000;
/** How the terminal shows a command: columns, and lines at most. */
const WIDTH = 100;
const MAX_LINES = 200;

/** A new code: 8 characters of Crockford's base32 (40 bits), shown as XXXX-XXXX. */
export function newCode(): string {
  const bytes = randomBytes(8);
  const chars = Array.from(bytes, (b) => ALPHABET[b & 31]!);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

/** A code as a person may type it: any case, spaces or dashes, O for 0, I or L for 1. */
export function normaliseCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** What serve's terminal shows for a command the console asks to run. */
export function terminalText(c: CommandConfirmation, code: string): string {
  const shown = showCommand(c.command, { width: WIDTH, maxLines: MAX_LINES });
  const plain = (s: string) => escapeInvisible(s).text;
  const vars = Object.entries(c.env).map(([k, v]) => `${k}=${plain(v)}`);
  const lines = [
    `frameline: the console asks to run a shell command: step ${c.step} "${plain(c.stepTitle)}" of ${plain(c.node)}, walk ${c.walkId}`,
    `  runbook ${plain(c.runbook.id)}: ${provenanceWords(c.runbook)}${c.edited ? "; the command was EDITED in the console, it is not the runbook's" : ''}`,
    '  it runs once in /bin/sh on this machine, as you:',
    '',
    ...shown.lines.map((l) => `    ${l}`),
    ...(shown.hidden
      ? [
          `    [… ${shown.hidden.lines} more lines NOT SHOWN: ${shown.hidden.characters} of its ${shown.characters} characters; read it whole in the runbook before you type the code]`,
        ]
      : []),
    '',
    ...(shown.escaped ? [`  ${ESCAPE_NOTE}`] : []),
    vars.length
      ? `  with ${vars.join(', ')}`
      : '  the walk has no target: WS_URL and the other target variables are not set',
    `  To run it, type this code in the console: ${code} (this command only, once, within ${CODE_TTL_MS / 60_000} minutes). To refuse, do nothing.`,
  ];
  return lines.join('\n');
}

export interface TerminalCodeOptions {
  /** Writes to the terminal where serve runs (stderr). */
  print(text: string): void;
  /** `serve --allow-any-command`: commands the page wrote (edits, untrusted imports) may be asked. */
  allowPageWritten: boolean;
  now?: () => number;
}

/** Browser mode's authoriser: a one-time code shown in serve's terminal, typed into the page. */
export function terminalCodeAuthoriser(o: TerminalCodeOptions): Authoriser {
  const now = o.now ?? Date.now;
  /** The code waiting for an answer, per walk: a new request replaces it. */
  const waiting = new Map<number, { code: string; key: string; expires: number }>();
  const keyOf = (c: CommandConfirmation) => JSON.stringify([c.walkId, c.visitId, c.step, c.command]);
  return {
    requester: 'page',
    pageWritten: o.allowPageWritten
      ? { allowed: true }
      : {
          allowed: false,
          advice:
            'start "frameline serve --allow-any-command" to let the console write commands (each still needs the code from the terminal), or run it from the desktop app or with "frameline walk run"',
        },
    confirm: async (c, answer) => {
      if (answer.code === undefined) {
        const code = newCode();
        waiting.set(c.walkId, { code, key: keyOf(c), expires: now() + CODE_TTL_MS });
        o.print(terminalText(c, code));
        throw new ConfirmationNeededError(
          'type the code shown in the terminal where frameline serve runs: it shows the command with a code for this run (the code works once, within 5 minutes)',
        );
      }
      const w = waiting.get(c.walkId);
      // Any answer spends the code waiting: a guess costs a new request, and a new code.
      waiting.delete(c.walkId);
      const again = 'press Run again for a new code in the terminal of frameline serve';
      if (!w || w.expires < now())
        throw new DeclinedError(
          `nothing was run: no code is waiting for this command (codes work once, within 5 minutes); ${again}`,
        );
      if (w.key !== keyOf(c))
        throw new DeclinedError(`nothing was run: that code was shown for another command or step; ${again}`);
      if (normaliseCode(answer.code) !== normaliseCode(w.code)) {
        o.print(
          `frameline: a wrong code was typed for step ${c.step} of ${escapeInvisible(c.node).text}, walk ${c.walkId}; nothing ran.`,
        );
        throw new DeclinedError(
          `nothing was run: the code does not match the one frameline serve showed in its terminal; ${again}`,
        );
      }
      o.print(
        `frameline: code accepted: running step ${c.step} of ${escapeInvisible(c.node).text}, walk ${c.walkId}.`,
      );
    },
  };
}
