// The response metrics of an incident, derived from its times and named for what they measure.
// "MTTR" is ambiguous, so mitigation and resolution are measured separately; both count from the
// impact start when it is known, else from detection, and say which.
import type { IncidentMetrics } from '../../../shared/contract/incidents.js';

export interface IncidentTimes {
  impactStartedAt: number | null;
  detectedAt: number;
  acknowledgedAt: number | null;
  mitigatedAt: number | null;
  resolvedAt: number | null;
}

const between = (from: number | null, to: number | null): number | null =>
  from === null || to === null ? null : Math.round((to - from) / 1000) / 1000;

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

/**
 * The order an incident's times must keep, as pairs [earlier, later]: a time that breaks it is
 * almost always a typo (a wrong day, a local time written as UTC).
 */
export const TIME_ORDER: ReadonlyArray<readonly [keyof IncidentTimes, keyof IncidentTimes]> = [
  ['impactStartedAt', 'detectedAt'],
  ['detectedAt', 'acknowledgedAt'],
  ['detectedAt', 'mitigatedAt'],
  ['mitigatedAt', 'resolvedAt'],
  ['detectedAt', 'resolvedAt'],
];
