// What a walk's action lacks, in words the shells can turn into their own way of giving it.
import { InputError } from '../errors.js';

/**
 * An action lacks something it needs for this run: an endpoint URL, the backend (direct) URL, or a
 * capture session. The message names no command-line flag (the console shows it as it is); a shell
 * can use `need` to say how it gives the missing thing.
 */
export class NeedsInputError extends InputError {
  constructor(
    message: string,
    readonly need: 'url' | 'direct' | 'session',
    /** What needs it, such as "step 2 of HOLD". */
    readonly subject: string,
  ) {
    super(message);
    this.name = 'NeedsInputError';
  }
}

/** The engine's neutral words for what an action lacks. */
export function needsInput(need: NeedsInputError['need'], subject: string): NeedsInputError {
  const message = {
    url: `${subject} needs an endpoint URL: set the walk's target or give one for this run`,
    direct: `${subject} compares the endpoint with its backend: set the walk's direct (backend) URL or give one for this run`,
    session: `nothing to diagnose yet: run a capture step of this walk first, or give a session id for this run`,
  }[need];
  return new NeedsInputError(message, need, subject);
}
