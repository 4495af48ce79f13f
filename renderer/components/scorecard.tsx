// The runbooks' success metrics of a session or of an incident's linked sessions: each metric's
// value against its threshold, the verdict, and the counts behind it. The engine reads every frame
// for it, so it arrives after the rest of the view and is asked again when `version` moves.
import { useEffect, useState } from 'react';
import type { Api, ResponseOf } from '../../shared/contract';
import { SCORE_NAMES, scoreValue, scoreVerdict } from '../../shared/scorecard-text';
import { ErrorNote, errorMessage } from './error-note';

type Answer = ResponseOf<'diagnose', 'scorecard'>;

export interface ScorecardProps {
  api: Api;
  /** Whose metrics: a session's, or an incident's linked sessions together. */
  of: { sessionId: number } | { incidentId: number };
  /** Bumped to ask again (a live session grows, a session was linked). */
  version?: number | string;
  title?: string;
}

export function Scorecard({ api, of, version, title = 'Scorecard' }: ScorecardProps) {
  const key = 'sessionId' in of ? `s${of.sessionId}` : `i${of.incidentId}`;
  const [answer, setAnswer] = useState<{ key: string; value: Answer } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    api.diagnose
      .scorecard(of)
      .then((value) => {
        if (!current) return;
        setAnswer({ key, value });
        setError(null);
      })
      .catch((err: unknown) => current && setError(errorMessage(err)));
    return () => {
      current = false;
    };
    // `of` is a fresh object on every render; its key says whose metrics these are.
  }, [api, key, version]);
  const card = answer?.key === key ? answer.value.scorecard : null;
  return (
    <section className="scorecard" aria-label={title} data-testid="scorecard">
      <h3 className="section-title">
        {title} <span className="muted small">the runbooks' success metrics</span>
      </h3>
      {error ? <ErrorNote>Could not read the scorecard: {error}</ErrorNote> : null}
      {card ? (
        <table className="scorecard-table">
          <thead>
            <tr>
              <th>Metric</th>
              <th className="num">Value</th>
              <th className="num">Threshold</th>
              <th>Verdict</th>
              <th>Evidence</th>
            </tr>
          </thead>
          <tbody>
            {SCORE_NAMES.map(([metric, name]) => {
              const s = card[metric];
              const verdict = scoreVerdict(s);
              return (
                <tr key={metric} data-metric={metric}>
                  <td>{name}</td>
                  <td className="num">{scoreValue(s)}</td>
                  <td className="num">&gt; {s.threshold} %</td>
                  <td>
                    <span className={`score-verdict is-${verdict === '-' ? 'none' : verdict.toLowerCase()}`}>
                      {verdict === '-' ? 'no data' : verdict === 'PASS' ? 'pass' : 'fail'}
                    </span>
                  </td>
                  <td className="score-evidence">{s.evidence}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : error ? null : (
        <p className="muted small">Reading the recording…</p>
      )}
    </section>
  );
}
