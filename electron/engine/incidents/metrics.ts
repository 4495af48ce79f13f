// The order an incident's times must keep; the metrics themselves are derived in shared/ (the
// console derives them live from the times being typed).
import type { IncidentTimes } from '../../../shared/incident-metrics.js';

export { incidentMetrics, type IncidentTimes } from '../../../shared/incident-metrics.js';

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
