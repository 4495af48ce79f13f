// One place decides trust: whether a runbook step's shell command may run. A request's
// `confirmed: true` is its sender's own say-so — any script that got into a page can send it — so
// every command needs an authoriser that the host supplies and that asks a person outside the page
// (the desktop's native dialog, the terminal of `frameline serve` through a one-time code, the
// command line's --yes or prompt). Before anyone is asked, this module weighs who wrote the command:
// the runbook's author (built in; a file a person imported on the command line; a page's import that
// a person trusted there since) or a page (an edit made in a console; a runbook imported through one
// and not trusted since). What a page wrote is put to the person only by hosts that can show it whole
// and were allowed to; otherwise it is refused with what to do instead.
//
// Pure of the database and of Node (the desktop's main process shows its dialog from these types).
// The step is fixed here, once: the run that follows is exactly the node visit, the step and the
// command that were confirmed (walk-runs.ts refuses it if the walk moved on meanwhile).
import type { RunbookStep } from '../../../shared/runbooks/schemas.js';
import { ForbiddenError, InputError } from '../errors.js';
import type { ImportProvenance, Provenance } from './runbook-library.js';

export type { ImportProvenance, Provenance };
/** The person said no: in engine/errors.ts, so that every host's authoriser can throw it. */
export { DeclinedError } from '../errors.js';
/** Where a runbook came from, in words: in shared/, so that every host can say it. */
export { provenanceWords } from '../../../shared/runbooks/provenance.js';

/** A runbook as trust sees it: where it came from, and whether its commands are trusted. */
export interface RunbookTrust {
  id: string;
  title: string;
  provenance: Provenance;
  /** Built in, imported from a file, or a page's import that a person trusted outside the page. */
  trusted: boolean;
}

/** What a person is asked to confirm: the whole command as it will run, where, and who wrote it. */
export interface CommandConfirmation {
  walkId: number;
  /** The node visit the command runs at (a walk that moves on meanwhile runs nothing). */
  visitId: number;
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
  runbook: RunbookTrust;
  /**
   * Who wrote the command: `runbook` (its trusted author), `person` (edited at a terminal by the
   * person running it), or `page` (edited in a console, or a step of an untrusted page import).
   */
  writtenBy: 'runbook' | 'person' | 'page';
}

/** What a host supplies: how it asks a person, outside the page, whether a command may run. */
export interface Authoriser {
  /**
   * Who sends this host's requests: a `page` (a console: its edits and imports are the page's word)
   * or the person at a `terminal` (the command line: they typed the command and the flags).
   */
  readonly requester: 'page' | 'terminal';
  /**
   * Whether a command a page wrote may be put to the person at all; when not, the sentence saying
   * what to do instead (for this host).
   */
  readonly pageWritten: { allowed: true } | { allowed: false; advice: string };
  /**
   * Asks the person; resolves once they said run, rejects with a DeclinedError (they said no, or a
   * wrong code), a ConfirmationNeededError (they must be asked first: browser mode's code) or a
   * RefusedError. `answer` is what the request carried besides the command (browser mode's code).
   */
  confirm(c: CommandConfirmation, answer: { code?: string }): Promise<void>;
}

/**
 * Whether a command edited by those who send this host's requests may be put to the person (a
 * page's edit, on a host that takes none, is refused by authoriseCommand), and if not what to do
 * instead: the console says so before anything is edited.
 */
export function editedCommands(authoriser: Authoriser | undefined): {
  allowed: boolean;
  advice: string | null;
} {
  return authoriser && authoriser.requester === 'page' && !authoriser.pageWritten.allowed
    ? { allowed: false, advice: authoriser.pageWritten.advice }
    : { allowed: true, advice: null };
}

/** How a runbook imported through a host's contract counts: a console's import is a page's. */
export function importProvenance(authoriser: Authoriser): ImportProvenance {
  return authoriser.requester === 'page' ? 'page' : 'file';
}

/** A command that may not be put to anyone here (a page's command on a host that does not allow it). */
export class RefusedError extends ForbiddenError {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

/** The person must confirm outside the page first; the message says where. */
export class ConfirmationNeededError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfirmationNeededError';
  }
}

declare const authorised: unique symbol;
/** A command a person confirmed for one step of one node visit; only authoriseCommand makes one. */
export type AuthorisedCommand = {
  readonly walkId: number;
  readonly visitId: number;
  readonly node: string;
  readonly step: number;
  readonly command: string;
} & { readonly [authorised]: true };

/** What trust needs of the walk engine. */
export interface TrustedWalks {
  /** The current node's step with a shell command (the given one, else its first), and the visit. */
  commandAt(walkId: number, step?: number): { visitId: number; node: string; step: RunbookStep };
  /** The walk's runbook copy: its provenance and whether it is trusted. */
  runbookTrust(walkId: number): RunbookTrust;
  /** The variables a command of the walk gets from its target (WS_URL, WS_HOST, …). */
  targetEnv(walkId: number): Record<string, string>;
}

/**
 * Decides whether `request.command` (without one, the step's own) may run as step `request.step`
 * (default: the current node's first step with a command): weighs who wrote it, then asks the
 * host's authoriser. Returns the command fixed to that visit and step; throws (RefusedError,
 * DeclinedError, ConfirmationNeededError, InputError) when it may not run.
 */
export async function authoriseCommand(
  authoriser: Authoriser,
  walks: TrustedWalks,
  walkId: number,
  request: { step?: number; command?: string; code?: string },
): Promise<AuthorisedCommand> {
  const at = walks.commandAt(walkId, request.step);
  const command = (request.command ?? at.step.command ?? '').trim();
  if (command === '') throw new InputError('the command to run is empty');
  const original = at.step.command ?? '';
  const edited = command !== original.trim();
  const runbook = walks.runbookTrust(walkId);
  const writtenBy: CommandConfirmation['writtenBy'] = edited
    ? authoriser.requester === 'page'
      ? 'page'
      : 'person'
    : runbook.trusted
      ? 'runbook'
      : 'page';
  const where = `step ${at.step.index} of ${at.node}`;
  if (writtenBy === 'page' && !authoriser.pageWritten.allowed) {
    const advice = authoriser.pageWritten.advice;
    throw new RefusedError(
      edited
        ? `${where} was not run: the command was edited in the console, and only the runbook's own commands run here; ${advice}`
        : `${where} was not run: runbook ${runbook.id} was imported through the console, and nothing a page imported runs until a person trusts it outside the page — read it (frameline runbooks show ${runbook.id} --markdown), then run "frameline runbooks trust ${runbook.id}" in a terminal, or import the file there (frameline runbooks import FILE --replace); ${advice}`,
    );
  }
  const confirmation: CommandConfirmation = {
    walkId,
    visitId: at.visitId,
    node: at.node,
    step: at.step.index,
    stepTitle: at.step.title,
    command,
    edited,
    original,
    env: walks.targetEnv(walkId),
    runbook,
    writtenBy,
  };
  await authoriser.confirm(confirmation, request.code === undefined ? {} : { code: request.code });
  return {
    walkId,
    visitId: at.visitId,
    node: at.node,
    step: at.step.index,
    command,
  } as AuthorisedCommand;
}

/** A host that can ask nobody: every command is refused (a service made without an authoriser). */
export const NO_AUTHORISER: Authoriser = {
  requester: 'page',
  pageWritten: { allowed: false, advice: 'this host cannot ask a person, so no command runs here' },
  confirm: () =>
    Promise.reject(
      new RefusedError(
        'no shell command runs here: this host has no way to ask a person outside the page; run it from the desktop app, "frameline serve" or "frameline walk run"',
      ),
    ),
};
