// The command line's authoriser (engine/incidents/trust.ts): the person at the terminal typed the
// command and its flags. --yes confirms the run; without it, a terminal (stdin and stderr both TTYs)
// shows the whole command and asks, and anything else shows it and runs nothing. A runbook imported
// through a console and not trusted since is run with --yes only after `frameline runbooks trust`:
// --yes says "I saw what runs", and nobody saw what a page imported; the prompt shows it whole.
import { createInterface } from 'node:readline';
import { ESCAPE_NOTE, showCommand } from '../../shared/command-text.js';
import { provenanceWords } from '../../shared/runbooks/provenance.js';
import { DeclinedError, InputError } from '../engine/errors.js';
import type { Authoriser, CommandConfirmation } from '../engine/incidents/trust.js';
import { out } from './output.js';

const WIDTH = 100;
const MAX_LINES = 200;

/** The command as the terminal shows it: escaped, wrapped, capped and saying so. */
function commandLines(c: CommandConfirmation): string[] {
  const shown = showCommand(c.command, { width: WIDTH, maxLines: MAX_LINES });
  return [
    ...shown.lines.map((l) => `    ${l}`),
    ...(shown.hidden
      ? [
          `    [… ${shown.hidden.lines} more lines NOT SHOWN: ${shown.hidden.characters} of its ${shown.characters} characters]`,
        ]
      : []),
    ...(shown.escaped ? ['', ESCAPE_NOTE] : []),
  ];
}

/** Asks on the terminal; true for y or yes. */
function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => {
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(answer));
    });
    rl.once('close', () => {
      if (!answered) resolve(false);
    });
  });
}

/**
 * The authoriser of a command of the command line: the service asks it whether a shell step of
 * `walks:run` may run, and takes from its requester (the person at a terminal) the provenance of a
 * runbook imported here, the words of what a walk action lacks, and leave to trust a runbook.
 * `walkId` is the walk a `walk run` is about, for its advice.
 */
export function terminalAuthoriser(o: { yes: boolean; walkId?: number }): Authoriser {
  const interactive = !o.yes && process.stdin.isTTY === true && process.stderr.isTTY === true;
  return {
    requester: 'terminal',
    pageWritten:
      o.yes && !interactive
        ? {
            allowed: false,
            advice: `or run "frameline walk run ${o.walkId ?? 'WALK'}" without --yes at a terminal, which shows the command and asks`,
          }
        : { allowed: true },
    confirm: async (c) => {
      if (o.yes) return;
      const header = `step ${c.step} "${c.stepTitle}" of ${c.node} would run, on this machine, as you (runbook ${c.runbook.id}: ${provenanceWords(c.runbook)}${c.edited ? '; edited' : ''}):`;
      if (!interactive) {
        await out(`${header}\n\n${commandLines(c).join('\n')}\n\n`);
        throw new InputError(
          `nothing was run: confirm this run with --yes (frameline walk run ${c.walkId} --step ${c.step} --yes)`,
        );
      }
      process.stderr.write(`${header}\n\n${commandLines(c).join('\n')}\n\n`);
      if (!(await ask('Run it? [y/N] ')))
        throw new DeclinedError('nothing was run: it was declined at the prompt');
    },
  };
}
