// Suggestions at a decision: which way on the findings point to. A node's step section names the
// findings it fixes (`Fixes: idle-timeout`); a finding supports the way on from which such a node is
// nearest. A direct-vs-proxy probe that finds `proxy-missing-upgrade` thus points at the branch that
// debugs the load balancer. Pure: the engine and the console both call it.
import { choicesAt, nodeOf, shortLabel } from './graph.js';
import type { Runbook } from './schemas.js';
import type { Suggestion } from './../contract/incidents.js';

/** A finding as a suggestion needs it: its catalogue id and one line of evidence. */
export interface FindingEvidence {
  id: string;
  evidence: string;
}

/** The nearest node (and its distance in edges) from `from` that fixes `finding`, never through `avoid`. */
function nearestFix(
  runbook: Runbook,
  from: string,
  avoid: string,
  finding: string,
): { node: string; distance: number } | null {
  const seen = new Set<string>([avoid]);
  let frontier = [from];
  for (let distance = 0; frontier.length > 0; distance++) {
    const next: string[] = [];
    for (const id of frontier) {
      if (seen.has(id)) continue;
      seen.add(id);
      if (nodeOf(runbook, id)?.fixes.includes(finding)) return { node: id, distance };
      for (const e of runbook.edges) if (e.from === id) next.push(e.to);
    }
    frontier = next;
  }
  return null;
}

/**
 * The ways on from `nodeId` that the findings support, best first. A finding supports the way(s) on
 * from which a node fixing it is nearest, when that way is nearer than another; a finding that every
 * way reaches equally tells nothing and is left out.
 */
export function suggestChoices(runbook: Runbook, nodeId: string, findings: FindingEvidence[]): Suggestion[] {
  const choices = choicesAt(runbook, nodeId);
  if (choices.length < 2 || findings.length === 0) return [];
  const support = new Map<string, { findings: FindingEvidence[]; fixers: Set<string> }>();
  const ids = [...new Set(findings.map((f) => f.id))];
  for (const id of ids) {
    const fixes = choices.map((c) => nearestFix(runbook, c.to, nodeId, id));
    const known = fixes.filter((f) => f !== null).map((f) => f.distance);
    if (known.length === 0) continue;
    const best = Math.min(...known);
    const winners = choices.flatMap((c, i) => (fixes[i]?.distance === best ? [{ c, fix: fixes[i] }] : []));
    if (winners.length === choices.length) continue;
    for (const { c, fix } of winners) {
      const s = support.get(c.label) ?? { findings: [], fixers: new Set<string>() };
      for (const f of findings) if (f.id === id) s.findings.push(f);
      s.fixers.add(fix.node);
      support.set(c.label, s);
    }
  }
  const out: Suggestion[] = [];
  for (const c of choices) {
    const s = support.get(c.label);
    if (!s) continue;
    const evidence = dedupe(s.findings);
    // A finding seen twice (two probes, two drops) is one reason: its id is named once.
    const ids = [...new Set(evidence.map((f) => f.id))];
    const fixers = [...s.fixers].map((id) => `${id} "${shortLabel(nodeOf(runbook, id), id)}"`);
    out.push({
      label: c.label,
      to: c.to,
      findings: evidence.map((f) => ({ id: f.id, evidence: f.evidence })),
      reason:
        `${ids.join(', ')} ${ids.length === 1 ? 'points' : 'point'} to "${c.label}": ` +
        `it leads to ${fixers.join(' and ')}, which ${fixers.length === 1 ? 'fixes' : 'fix'} ${ids.length === 1 ? 'it' : 'them'}`,
    });
  }
  return out.sort((a, b) => b.findings.length - a.findings.length);
}

function dedupe(findings: FindingEvidence[]): FindingEvidence[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.id}\n${f.evidence}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
