// "Did the fix work?": two sessions side by side (`#/sessions/compare/BEFORE/AFTER`), as
// `frameline compare` shows them — the verdict first, then each measure before and after with
// which way it moved, the lifetimes and round trips as charts, and the findings that went, came
// or stayed. The engine measures both (diagnose:compare); this screen only shows the answer.
import { useEffect, useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { ComparedSession, Comparison } from '../../../shared/contract/compare';
import { findingGroups, type FindingGroup } from '../../../shared/diagnosis/compare';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatIsoShort, formatCount } from '../../components/format';
import { BackIcon } from '../../components/icons';
import { compareHref, go, sessionHref } from '../../components/route';
import { LatencyChart, LifetimeChart } from './compare-charts';
import './compare.css';

const NONE_WORDS: Record<FindingGroup['title'], string> = {
  'Gone (before only)': 'Nothing the before session had is gone.',
  'New (after only)': 'Nothing new in the after session.',
  'Still there': 'No finding of the before session remains.',
};

const CHANGE_WORDS = { better: 'better', worse: 'worse', same: 'same', different: 'changed' } as const;

function SideCard({ side, s }: { side: 'Before' | 'After'; s: ComparedSession['session'] }) {
  return (
    <div className={`compare-side is-${side.toLowerCase()}`} aria-label={`${side}: session ${s.id}`}>
      <span className="compare-side-label">{side}</span>
      <a className="compare-side-name" href={sessionHref(s.id)}>
        #{s.id} {s.name}
      </a>
      <span className="mono muted compare-side-target" title={s.target}>
        {s.target}
      </span>
      <span className="muted">
        {s.kind}, {s.status}, {formatIsoShort(s.createdAt)}, {formatCount(s.frames)} frames
      </span>
    </div>
  );
}

function FindingList({
  title,
  items,
  empty,
}: {
  title: string;
  items: FindingGroup['findings'];
  empty: string;
}) {
  return (
    <section className="compare-findings-col" aria-label={title}>
      <h3>
        {title} <span className="muted">({items.length})</span>
      </h3>
      {items.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul>
          {items.map((f) => (
            <li key={f.id}>
              <span className={`diag-chip is-${f.severity}`}>{f.severity}</span>{' '}
              <b className="mono">{f.id}</b>
              <p>{f.summary}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Two sessions compared, before and after a fix. */
export function CompareView({ api, before, after }: { api: Api; before: number; after: number }) {
  const [result, setResult] = useState<Comparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setResult(null);
    setError(null);
    api.diagnose.compare({ before, after }).then(
      (c) => current && setResult(c),
      (err: unknown) => current && setError(errorMessage(err)),
    );
    return () => {
      current = false;
    };
  }, [api, before, after]);

  return (
    <div className="compare-view" aria-label="Compare sessions">
      <nav className="session-crumbs" aria-label="Breadcrumb">
        <button type="button" className="btn btn-ghost btn-small" onClick={() => go('#/sessions')}>
          <BackIcon /> Sessions
        </button>
        <span className="muted">/</span>
        <span className="muted">
          Compare #{before} with #{after}
        </span>
      </nav>
      <header className="compare-head">
        <h2>Before and after</h2>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => go(compareHref(after, before), { replace: true })}
        >
          Swap before and after
        </button>
      </header>
      {error ? (
        <ErrorNote>
          Could not compare session {before} with session {after}: {error}
        </ErrorNote>
      ) : !result ? (
        <p className="muted">Diagnosing both sessions…</p>
      ) : (
        <>
          <div className="compare-sides">
            <SideCard side="Before" s={result.before.session} />
            <SideCard side="After" s={result.after.session} />
          </div>
          <p className={`compare-verdict tone-${result.verdict.tone}`} role="status">
            <b>Verdict:</b> {result.verdict.text}
          </p>
          <table className="compare-table">
            <thead>
              <tr>
                <th scope="col">Measure</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {result.rows.map((r) => (
                <tr key={r.measure} data-change={r.change}>
                  <th scope="row">{r.measure}</th>
                  <td>{r.before}</td>
                  <td>{r.after}</td>
                  <td>
                    <span className={`compare-change is-${r.change}`}>{CHANGE_WORDS[r.change]}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="compare-charts">
            <LifetimeChart before={result.before} after={result.after} />
            <LatencyChart before={result.before} after={result.after} />
          </div>
          <div className="compare-findings">
            {findingGroups(result).map((g) => (
              <FindingList key={g.title} title={g.title} items={g.findings} empty={NONE_WORDS[g.title]} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
