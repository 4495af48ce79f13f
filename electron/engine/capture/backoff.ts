// Reconnect delays: exponential growth with a ceiling and random jitter, so that a fleet of clients
// does not reconnect in lockstep and make an outage worse.
import type { ReconnectPolicy } from '../../../shared/contract.js';

/** Delay before the given attempt (1 = first reconnect), in milliseconds. */
export function reconnectDelay(
  policy: ReconnectPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  // The exponent is bounded so that a long run of attempts cannot overflow into Infinity (0 × ∞ = NaN).
  const growth = policy.factor ** Math.min(64, Math.max(0, attempt - 1));
  const exp = Math.min(policy.maxMs, policy.baseMs * growth);
  const spread = exp * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.min(policy.maxMs, Math.round(exp + spread)));
}
