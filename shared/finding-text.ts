// A finding as text: what the command line prints and what the console's "Copy" puts on the
// clipboard for a ticket. One rendering, so the two never drift apart.
import type { Diagnosis, Finding } from './findings.js';

function isEmpty(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)
  );
}

/** One evidence value on one line: lists joined, objects as JSON. */
function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The evidence on one line: `key value; key value`, empty values left out. */
export function evidenceText(evidence: Record<string, unknown>): string {
  return Object.entries(evidence)
    .filter(([, v]) => !isEmpty(v))
    .map(([k, v]) => `${k} ${valueText(v)}`)
    .join('; ');
}

/** A finding as an engineer reads it: what, the evidence, the cause, the fix and the runbook step. */
export function findingText(f: Finding): string {
  return [
    `${f.severity.toUpperCase()}  ${f.id}: ${f.title}`,
    `  ${f.summary}`,
    `  evidence: ${evidenceText(f.evidence)}`,
    `  cause:    ${f.cause}`,
    `  fix:      ${f.fix}`,
    `  runbook:  ${f.runbook}`,
  ].join('\n');
}

/** Every finding, a blank line between them; "No findings." when there is none. */
export function findingsText(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No findings.\n';
  return `${findings.map(findingText).join('\n\n')}\n`;
}

/** The closing line: how many findings of which severity. */
export function verdict(d: Pick<Diagnosis, 'findings'>): string {
  const count = (s: Finding['severity']) => d.findings.filter((f) => f.severity === s).length;
  const c = count('critical');
  const w = count('warning');
  const i = count('info');
  if (c + w === 0) return `No warning or critical finding${i ? ` (${i} for information)` : ''}.`;
  return `${c} critical, ${w} warning${w === 1 ? '' : 's'}${i ? `, ${i} for information` : ''}.`;
}
