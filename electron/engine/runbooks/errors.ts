// Errors of the walk engine that the shells map to their own codes.
import { InputError } from '../errors.js';

/** Something asked for that is not there (an incident, a walk, a run, a runbook): "not-found". */
export class MissingError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'MissingError';
  }
}
