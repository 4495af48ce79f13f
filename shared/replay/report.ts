// A replay's result as `frameline replay --json` prints it: exactly the fields scripts rely on, the
// differences only (matched pairs are counted, not listed).
import type { ReplayResult } from '../contract/replay.js';

/** One difference between the original's answers and the replay's. */
export interface ReplayDifference {
  kind: 'changed' | 'missing' | 'extra';
  id: string | number | null;
  request: string | null;
  expected: string | null;
  actual: string | null;
  paths: string[];
}

/** The machine-readable report of a replay. */
export interface ReplayJson {
  source: number;
  sessionId: number;
  target: string;
  sent: number;
  received: number;
  matched: number;
  changed: number;
  missing: number;
  extra: number;
  ignored: string[];
  latency: ReplayResult['latency'];
  differences: ReplayDifference[];
}

/** The report of a replay, in the shape `--json` promises. */
export function replayJson(r: ReplayResult): ReplayJson {
  return {
    source: r.source,
    sessionId: r.sessionId,
    target: r.target,
    sent: r.sent,
    received: r.received,
    matched: r.matched,
    changed: r.changed,
    missing: r.missing,
    extra: r.extra,
    ignored: r.ignored,
    latency: {
      originalP50Ms: r.latency.originalP50Ms,
      originalP95Ms: r.latency.originalP95Ms,
      replayP50Ms: r.latency.replayP50Ms,
      replayP95Ms: r.latency.replayP95Ms,
    },
    differences: r.pairs.flatMap((p) =>
      p.kind === 'matched'
        ? []
        : [
            {
              kind: p.kind,
              id: p.id,
              request: p.request,
              expected: p.expected,
              actual: p.actual,
              paths: p.paths,
            },
          ],
    ),
  };
}

/** True when the replay's answers all matched the original's and nothing was left unsent. */
export function replayMatched(r: ReplayResult): boolean {
  return r.outcome.opened && r.sent === r.planned && r.changed + r.missing + r.extra === 0;
}
