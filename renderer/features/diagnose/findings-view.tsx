// The findings of a probe or a session, worst first, or — when there are none — a plain statement of
// what was checked and found healthy, so that "nothing found" is evidence and not a blank.
import type { Api } from '../../../shared/contract';
import type { Finding } from '../../../shared/findings';
import { FindingCard } from './finding-card';

export function severityCounts(findings: readonly Finding[]): {
  critical: number;
  warning: number;
  info: number;
} {
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function SeverityChips({ findings }: { findings: readonly Finding[] }) {
  const c = severityCounts(findings);
  if (findings.length === 0) return <span className="diag-chip is-ok">no problems</span>;
  return (
    <>
      {c.critical ? <span className="diag-chip is-critical">{c.critical} critical</span> : null}
      {c.warning ? (
        <span className="diag-chip is-warning">
          {c.warning} warning{c.warning === 1 ? '' : 's'}
        </span>
      ) : null}
      {c.info ? (
        <span className="diag-chip is-info">
          {c.info} note{c.info === 1 ? '' : 's'}
        </span>
      ) : null}
    </>
  );
}

export function FindingsView({
  api,
  findings,
  target,
  checked,
  label = 'Findings',
}: {
  api: Api;
  findings: readonly Finding[];
  /** The endpoint diagnosed. */
  target: string | null;
  /** What was checked, as a sentence ending without a period: shown when nothing is wrong. */
  checked: string;
  label?: string;
}) {
  const problems = findings.filter((f) => f.severity !== 'info');
  return (
    <section className="diag-findings" aria-label={label}>
      {problems.length === 0 ? (
        <div className="diag-healthy" role="status" data-testid="no-problems">
          <span className="diag-healthy-mark" aria-hidden="true">
            ✓
          </span>
          <div>
            <p className="diag-healthy-title">No problems found</p>
            <p className="muted">{checked}.</p>
            {findings.length > 0 ? (
              <p className="muted">
                {findings.length === 1 ? 'One note' : `${findings.length} notes`} below, for information.
              </p>
            ) : null}
          </div>
        </div>
      ) : null}
      {findings.map((f, i) => (
        <FindingCard key={`${f.id}-${i}`} api={api} finding={f} target={target} />
      ))}
    </section>
  );
}
