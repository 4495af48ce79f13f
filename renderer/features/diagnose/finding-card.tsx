// A finding as a card: how bad, what it is, what was observed (with the numbers), the likely cause,
// the fix with its configuration ready to copy, and the runbook step that fixes it. Findings of a
// probe and of a recorded session look the same.
import type { Finding } from '../../../shared/findings';
import { CopyButton } from '../../components/copy-button';
import { findingText } from '../../../shared/finding-text';
import { evidenceRows, type EvidenceRow } from './evidence';
import { fixSnippets, splitInlineCode } from './fix-text';

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

export function FindingCard({ finding: f }: { finding: Finding }) {
  const rows = evidenceRows(f.evidence);
  const snippets = fixSnippets(f.fix);
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
        <CopyButton text={() => findingText(f)} label="Copy" title="Copy this finding as text" />
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
            <p>
              <RichText text={f.fix} />
            </p>
            {snippets.length > 0 ? (
              <div className="diag-snippet">
                <div className="diag-snippet-head">
                  <span>Config and commands</span>
                  <CopyButton
                    text={snippets.join('\n')}
                    label="Copy"
                    title="Copy the configuration and commands"
                  />
                </div>
                <pre className="diag-snippet-code">{snippets.join('\n')}</pre>
              </div>
            ) : null}
          </section>
          <p className="diag-runbook">
            <span className="muted">Runbook step</span> <code title="runbook#step">{f.runbook}</code>
          </p>
        </div>
      </div>
    </article>
  );
}
