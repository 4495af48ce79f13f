// The response metrics of an incident, derived from its times (epoch microseconds) and named for
// what they measure: the engine stores them, the console derives them live from the times being typed.
// "MTTR" is ambiguous, so mitigation and resolution are measured separately; both count from the
// impact start when it is known, else from detection, and say which.
import type { IncidentMetrics } from './contract/incidents.js';

/** An incident's times, epoch microseconds. */
export interface IncidentTimes {
  impactStartedAt: number | null;
  detectedAt: number;
  acknowledgedAt: number | null;
  mitigatedAt: number | null;
  resolvedAt: number | null;
}

const between = (from: number | null, to: number | null): number | null =>
  from === null || to === null ? null : Math.round((to - from) / 1000) / 1000;

/** The metrics derived from an incident's times, rounded to the millisecond. */
export function incidentMetrics(t: IncidentTimes): IncidentMetrics {
  const start = t.impactStartedAt ?? t.detectedAt;
  return {
    timeToDetectSeconds: between(t.impactStartedAt, t.detectedAt),
    timeToAcknowledgeSeconds: between(t.detectedAt, t.acknowledgedAt),
    timeToMitigateSeconds: between(start, t.mitigatedAt),
    timeToResolveSeconds: between(start, t.resolvedAt),
    measuredFrom: t.impactStartedAt === null ? 'detected' : 'impact-start',
  };
}
