// A finding as a card: how bad, what it is, what was observed (with the numbers), the likely cause,
// the fix with its configuration ready to copy, and the runbook step that fixes it. Findings of a
// probe and of a recorded session look the same.
import { useState } from 'react';
import type { Api } from '../../../shared/contract';
import { FIX_TARGET_NAMES, fixAdvice } from '../../../shared/fix-advice';
import { findingText } from '../../../shared/finding-text';
import type { Finding } from '../../../shared/findings';
import { CopyButton } from '../../components/copy-button';
import { evidenceRows, type EvidenceRow } from './evidence';
import { splitInlineCode } from './fix-text';
import { RunbookStepDialog } from './runbook-step-dialog';

const SEVERITY_WORD = { critical: 'Critical', warning: 'Warning', info: 'Info' } as const;

/** A sentence with its `code` shown as code. */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {splitInlineCode(text).map((p, i) =>
        p.code ? <code key={i}>{p.text}</code> : <span key={i}>{p.text}</span>,
      )}
    </>
  );
}

function EvidenceValueView({ row }: { row: EvidenceRow }) {
  const v = row.value;
  if (v.kind === 'block') return <pre className="diag-evidence-block">{v.text}</pre>;
  if (v.kind === 'table')
    return (
      <table className="kv-table diag-evidence-table" aria-label={row.label}>
        <tbody>
          {v.entries.map(([k, x], i) => (
            <tr key={`${k}-${i}`}>
              <th scope="row">{k}</th>
              <td>{x}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  return <span className={v.mono ? 'mono' : undefined}>{v.text}</span>;
}

export function FindingCard({
  api,
  finding: f,
  target,
}: {
  api: Api;
  finding: Finding;
  /** The endpoint diagnosed: fills in the fix where the evidence does not name it. */
  target: string | null;
}) {
  const [stepOpen, setStepOpen] = useState(false);
  const rows = evidenceRows(f.evidence);
  const advice = fixAdvice(f, target);
  return (
    <article
      className={`diag-finding is-${f.severity}`}
      data-finding={f.id}
      data-severity={f.severity}
      aria-label={`${SEVERITY_WORD[f.severity]}: ${f.title}`}
    >
      <header className="diag-finding-head">
        <span className={`diag-severity is-${f.severity}`}>{SEVERITY_WORD[f.severity]}</span>
        <span className="diag-finding-id mono">{f.id}</span>
        <span className="spacer" />
        <CopyButton text={() => findingText(f, target)} label="Copy" title="Copy this finding as text" />
      </header>
      <h3 className="diag-finding-title">{f.title}</h3>
      <p className="diag-finding-summary">{f.summary}</p>
      <div className="diag-finding-body">
        {rows.length > 0 ? (
          <dl className="diag-evidence" aria-label="Evidence">
            {rows.map((r) => (
              <div key={r.key} className="diag-evidence-row" data-key={r.key} title={r.key}>
                <dt>{r.label}</dt>
                <dd>
                  <EvidenceValueView row={r} />
                </dd>
              </div>
            ))}
          </dl>
        ) : null}
        <div className="diag-finding-text">
          <section className="diag-finding-part" aria-label="Likely cause">
            <h4>Likely cause</h4>
            <p>
              <RichText text={f.cause} />
            </p>
          </section>
          <section className="diag-finding-part" aria-label="Fix">
            <h4>Fix</h4>
            <p className="diag-fix-text">
              <RichText text={advice.text || f.fix} />
            </p>
            {advice.blocks.map((b, i) => (
              <div key={i} className="diag-snippet" data-fix-target={b.target}>
                <div className="diag-snippet-head">
                  <span>{b.title}</span>
                  <CopyButton
                    text={b.code}
                    label="Copy"
                    title={`Copy the ${FIX_TARGET_NAMES[b.target]} block`}
                  />
                </div>
                <pre className="diag-snippet-code">{b.code}</pre>
              </div>
            ))}
          </section>
          <p className="diag-runbook">
            <span className="muted">Runbook step</span>{' '}
            <button
              type="button"
              className="link-button mono"
              title="Open this step of the runbook"
              onClick={() => setStepOpen(true)}
            >
              {f.runbook}
            </button>
          </p>
        </div>
      </div>
      {stepOpen ? (
        <RunbookStepDialog api={api} finding={f} target={target} onClose={() => setStepOpen(false)} />
      ) : null}
    </article>
  );
}
