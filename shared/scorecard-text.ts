// How the runbooks' success metrics read as text: one name per metric and one line each, shared by
// the command line, the console and the reports.
import type { Score, Scorecard } from './contract/diagnose.js';

/** The metrics in the order the debugging guide lists them, with their names in words. */
export const SCORE_NAMES: ReadonlyArray<readonly [keyof Scorecard, string]> = [
  ['connectionSuccess', 'connection success'],
  ['uptime', 'connected time'],
  ['delivery', 'message delivery'],
  ['heartbeat', 'heartbeat success'],
  ['reconnection', 'reconnection success'],
];

/** A metric's value as shown: "99.52 %", or "n/a" where the recording cannot say. */
export function scoreValue(s: Score): string {
  return s.value === null ? 'n/a' : `${Number(s.value.toFixed(2))} %`;
}

/** A metric's verdict in one word: PASS, FAIL, or "-" without a value. */
export function scoreVerdict(s: Score): 'PASS' | 'FAIL' | '-' {
  return s.pass === null ? '-' : s.pass ? 'PASS' : 'FAIL';
}

/** The scorecard as aligned lines: name, value, threshold, verdict, evidence. */
export function scorecardLines(card: Scorecard): string[] {
  return SCORE_NAMES.map(([key, name]) => {
    const s = card[key];
    return `${scoreVerdict(s).padEnd(5)} ${name.padEnd(21)} ${scoreValue(s).padStart(9)}  (> ${s.threshold} %)  ${s.evidence}`;
  });
}
