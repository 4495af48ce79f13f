// A finding as text: what the command line prints and what the console's "Copy" puts on the
// clipboard for a ticket — what was found, the evidence, the likely cause, the fix with the measured
// values and one block per place it goes, and the runbook step. One rendering, so the two never
// drift apart.
import { fixAdvice, fixBlockText } from './fix-advice.js';
import type { Diagnosis, Finding } from './findings.js';

function value(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.join(', ');
  return JSON.stringify(v);
}

function empty(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)
  );
}

/** The evidence on one line, `key value; key value`, empty values left out. */
export function evidenceText(evidence: Record<string, unknown>): string {
  return Object.entries(evidence)
    .filter(([, v]) => !empty(v))
    .map(([k, v]) => `${k} ${value(v)}`)
    .join('; ');
}

/**
 * One finding as text: severity, id and title; what was observed; evidence; cause; fix; runbook
 * step; then the fix's blocks, each titled and indented. `target` is the diagnosed endpoint, for
 * findings whose evidence does not name it.
 */
export function findingText(f: Finding, target: string | null = null): string {
  const advice = fixAdvice(f, target);
  const lines = [
    `${f.severity.toUpperCase()}  ${f.id}: ${f.title}`,
    `  ${f.summary}`,
    `  evidence: ${evidenceText(f.evidence)}`,
    `  cause:    ${f.cause}`,
    `  fix:      ${advice.text || f.fix}`,
    `  runbook:  ${f.runbook}`,
  ];
  for (const b of advice.blocks) lines.push('', fixBlockText(b, '  '));
  return lines.join('\n');
}

/** Findings as text, a blank line between them; "No findings." when there are none. */
export function findingsText(findings: readonly Finding[], target: string | null = null): string {
  if (findings.length === 0) return 'No findings.\n';
  return `${findings.map((f) => findingText(f, target)).join('\n\n')}\n`;
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
