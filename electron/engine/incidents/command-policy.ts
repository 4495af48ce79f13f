// Who may run a shell command through the contract. A page's `confirmed: true` proves nothing: any
// script that got into the page can send it. So the shell that hosts the engine says what it
// trusts: the desktop app confirms every command itself, in a native dialog the page cannot reach;
// browser mode has no such dialog, so it runs only the runbook's own commands (exactly a step of the
// node being walked, its variables coming from the walk's validated target), and edited or
// free-form commands only when `frameline serve --allow-any-command` said so. The command line
// confirms in the terminal (--yes) and calls the walk engine directly.
import type { RunbookStep } from '../../../shared/runbooks/schemas.js';
import { InputError } from '../errors.js';
import { targetEnv } from './walk-runs.js';
import type { WalkEngine } from './walk.js';

/** What the shell is asked to confirm: the whole command as it will run, and where. */
export interface CommandConfirmation {
  walkId: number;
  node: string;
  step: number;
  stepTitle: string;
  /** Exactly what will run in /bin/sh. */
  command: string;
  /** True when it differs from the runbook's command for that step. */
  edited: boolean;
  /** The runbook's command for that step. */
  original: string;
  /** The variables the command gets from the walk's target (WS_URL, WS_HOST, …). */
  env: Record<string, string>;
}

export interface CommandPolicy {
  /** Edited or free-form commands may run (after `confirm`, when there is one). */
  allowEdited: boolean;
  /** The shell's own confirmation, outside the page; resolves true to run. */
  confirm?: (c: CommandConfirmation) => Promise<boolean>;
}

/** Browser mode, and any shell that says nothing: only the runbook's own commands. */
export const RUNBOOK_COMMANDS_ONLY: CommandPolicy = { allowEdited: false };

/** Thrown when the user declined the command in the shell's own dialog. */
export class DeclinedError extends InputError {}

/**
 * Decides whether `command` may run as step `step` (default: the node's first step with a
 * command) of the walk's current node; throws an InputError that says why not.
 */
export async function authorizeCommand(
  policy: CommandPolicy,
  engine: WalkEngine,
  walkId: number,
  request: { step?: number; command: string },
): Promise<void> {
  const step: RunbookStep = engine.commandStep(walkId, request.step);
  const original = step.command ?? '';
  const command = request.command.trim();
  const edited = command !== original.trim();
  if (edited && !policy.allowEdited)
    throw new InputError(
      `step ${step.index} of ${step.node} runs only the runbook's own command here (this one was edited); ` +
        'run it from the desktop app, with "frameline walk run", or start "frameline serve --allow-any-command"',
    );
  if (!policy.confirm) return;
  const view = engine.view(walkId);
  const ok = await policy.confirm({
    walkId,
    node: step.node,
    step: step.index,
    stepTitle: step.title,
    command,
    edited,
    original,
    env: targetEnv({ target: view.target, direct: view.direct }),
  });
  if (!ok) throw new DeclinedError('the command was not run: it was declined in the confirmation dialog');
}
