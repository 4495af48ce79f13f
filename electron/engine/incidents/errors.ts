// What a walk's action lacks, in words the shells can turn into their own way of giving it.
import { InputError } from '../errors.js';

/**
 * An action lacks something it needs for this run: an endpoint URL, the backend (direct) URL, or a
 * capture session. The message names no command-line flag (the console shows it as it is); for a
 * person at a terminal, `terminalWords` says it with the options of `frameline walk`.
 */
export class NeedsInputError extends InputError {
  constructor(
    message: string,
    readonly need: 'url' | 'direct' | 'session' | 'secret',
    /** What needs it, such as "step 2 of HOLD". */
    readonly subject: string,
    /** A secret of the walk's profile that this process does not hold: what it is, and where else it is read. */
    readonly secret?: { what: string; env: string; flag: string },
  ) {
    super(message);
    this.name = 'NeedsInputError';
  }
}

/** The engine's neutral words for what an action lacks. */
export function needsInput(need: 'url' | 'direct' | 'session', subject: string): NeedsInputError {
  const message = {
    url: `${subject} needs an endpoint URL: set the walk's target or give one for this run`,
    direct: `${subject} compares the endpoint with its backend: set the walk's direct (backend) URL or give one for this run`,
    session: `nothing to diagnose yet: run a capture step of this walk first, or give a session id for this run`,
  }[need];
  return new NeedsInputError(message, need, subject);
}

/**
 * An action needs a secret of the walk's profile (a credential header, the init payload, the client
 * key) whose value this process does not hold: secrets are never stored, so a restarted engine, or
 * another command line process, is given it again.
 */
export function needsSecret(
  secret: { what: string; env: string; flag: string },
  subject: string,
): NeedsInputError {
  return new NeedsInputError(
    `${subject} sends ${secret.what} of the walk's connection profile, whose value is not kept (secrets never go into the database): type it again in the walk's connection profile or for this run`,
    'secret',
    subject,
    secret,
  );
}

/** What an action lacks, said with the options of `frameline walk action` and `walk start`. */
export function terminalWords(err: NeedsInputError): string {
  switch (err.need) {
    case 'url':
      return `${err.subject} needs an endpoint URL: give --url ws://host/path, or start the walk with --target ws://host/path`;
    case 'direct':
      return `${err.subject} compares the endpoint with its backend: give --direct ws://backend/path, or start the walk with --direct`;
    case 'session':
      return 'nothing to diagnose yet: run a capture step of this walk first, or give --session with a session id';
    case 'secret':
      return `${err.subject} sends ${err.secret!.what} of the walk's connection profile, whose value is not kept (secrets never go into the database): give it with ${err.secret!.flag}, or set ${err.secret!.env} in the environment`;
  }
}
