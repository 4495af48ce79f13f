// For tests that run shell steps of their own: a person at a terminal who says yes to every command,
// through the one trust module (engine/incidents/trust.ts). Trust itself is tested in
// test/integration/browser-host/trust.test.ts and hostile-page.test.ts.
import {
  authoriseCommand,
  type AuthorisedCommand,
  type Authoriser,
  type TrustedWalks,
} from '../../electron/engine/incidents/trust.js';

export const SAYS_YES: Authoriser = {
  requester: 'terminal',
  pageWritten: { allowed: true },
  confirm: () => Promise.resolve(),
};

/** `command` as step `step` of the walk's current node, confirmed by SAYS_YES. */
export function confirmed(
  walks: TrustedWalks,
  walkId: number,
  r: { step?: number; command: string },
): Promise<AuthorisedCommand> {
  return authoriseCommand(SAYS_YES, walks, walkId, r);
}
