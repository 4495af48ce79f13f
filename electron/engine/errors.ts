// Errors the user can fix by changing what they asked for (a bad URL, an unreadable file...): the
// command line reports them in one line and exits with code 2.

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
