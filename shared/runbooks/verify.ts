// The walk's VERIFY step ("Connections stable again?"): which of the walk's captures is the one
// before the fix and which verifies it, so that the two can be compared there, and the nudge when
// "Yes" is chosen without a verification capture or while the verification capture still has a
// critical finding. The console and `frameline walk choose` say the same.
import type { WalkRun, WalkView } from '../contract/incidents.js';
import type { Finding } from '../findings.js';

/** The node at which a walk asks whether the fix held (the 3 AM flowchart's; any runbook may use it). */
export const VERIFY_NODE = 'VERIFY';

/** The walk's first capture (before the fix), and its last capture made at another node (after it). */
export interface VerificationCaptures {
  before: WalkRun | null;
  after: WalkRun | null;
}

/** The captures a VERIFY step compares; a capture still running is not one yet. */
export function verificationCaptures(walk: Pick<WalkView, 'runs'>): VerificationCaptures {
  const captures = walk.runs
    .filter((r) => r.kind === 'capture' && r.sessionId !== null && r.status !== 'running')
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id - b.id);
  const before = captures[0] ?? null;
  const after = before ? (captures.filter((r) => r.node !== before.node).at(-1) ?? null) : null;
  return { before, after };
}

/** True for a way on that says the fix held ("Yes", "Yes, stable"). */
export function saysStable(label: string): boolean {
  return /^yes\b/i.test(label.trim());
}

/**
 * What to say before "Yes" is taken at VERIFY: no capture after the fix, or critical findings in
 * the verification capture's diagnosis (`afterFindings`); null when there is nothing to say.
 */
export function verifyNudge(
  label: string,
  captures: VerificationCaptures,
  afterFindings: readonly Finding[] | null,
): string | null {
  if (!saysStable(label)) return null;
  if (captures.after === null)
    return captures.before === null
      ? 'No capture was made in this walk: nothing shows the connections are stable. Capture the endpoint after the fix (the "Watch the endpoint after the fix" step), then compare.'
      : `No capture was made after the fix: session ${captures.before.sessionId} is from before it. Capture the endpoint after the fix (the "Watch the endpoint after the fix" step), then compare.`;
  const critical = (afterFindings ?? []).filter((f) => f.severity === 'critical');
  if (critical.length > 0)
    return `The verification capture (session ${captures.after.sessionId}) still has ${critical.length === 1 ? 'a critical finding' : `${critical.length} critical findings`}: ${critical.map((f) => f.id).join(', ')}.`;
  return null;
}
