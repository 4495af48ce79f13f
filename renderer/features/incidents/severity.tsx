// An incident's severity as a chip, P1 the loudest.
import type { IncidentSeverity } from '../../../shared/contract/incidents';

export const SEVERITIES: readonly IncidentSeverity[] = ['P1', 'P2', 'P3', 'P4'];

const MEANING: Record<IncidentSeverity, string> = {
  P1: 'P1: the service is down for everyone',
  P2: 'P2: a major part is broken for many users',
  P3: 'P3: degraded for some users',
  P4: 'P4: minor, no urgent user impact',
};

export function SeverityChip({ severity }: { severity: IncidentSeverity }) {
  return (
    <span className={`chip severity severity-${severity}`} title={MEANING[severity]} data-severity={severity}>
      {severity}
    </span>
  );
}

/** What each severity means, for the picker's tooltips. */
export function severityMeaning(s: IncidentSeverity): string {
  return MEANING[s];
}
