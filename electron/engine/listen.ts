// Listening on an address the user chose (the console in browser mode, a mock server): the same
// sentences for the same mistakes.
import { InputError } from './errors.js';

/** True for addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The InputError for a listen that failed because of the address asked for; null for other failures. */
export function listenFailure(err: unknown, host: string, port: number): InputError | null {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new InputError(`port ${port} is in use; pick another with --port or leave it out for a free one`);
  if (code === 'EACCES')
    return new InputError(`port ${port} needs privileges to bind; pick one above 1023 with --port`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new InputError(
      `${host} is not an address of this machine; use 127.0.0.1 or one of its own addresses`,
    );
  return null;
}
