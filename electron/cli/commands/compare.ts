// frameline compare BEFORE AFTER: "did the fix work?" — two recorded sessions side by side.
import { contract } from '../../../shared/contract.js';
import type { Comparison } from '../../../shared/contract/compare.js';
import { findingGroups, type FindingGroup } from '../../../shared/diagnosis/compare.js';
import { parse, positionals, requestFrom, sessionId } from '../args.js';
import { openCliEngine } from '../engine.js';
import { out, table } from '../output.js';

export const help = `frameline compare BEFORE AFTER [--id-field NAME] [--json] [--db PATH]

Two recorded sessions side by side, the one before a fix and the one after it: connections, close
codes and who closed, lifetimes, idle time before each close, reconnects and their gaps, heartbeat
round trips, answer latency (requests paired with answers by id, p50/p95), frame kinds and decoded
message types, the findings of each diagnosis that the other does not have, and a verdict in one line
("the 3 s idle cuts are gone"). Exit code 1 when the after session still has a critical finding.

  --id-field NAME   the JSON field that pairs a request with its response (default "id")`;

const OPTIONS = { 'id-field': { type: 'string' } } as const;

const MARK = { better: '+', worse: '!', same: ' ', different: '~' } as const;

function findingLines(title: string, fs: FindingGroup['findings']): string[] {
  if (fs.length === 0) return [];
  return [
    `${title}:`,
    ...fs.map((f) => `  ${f.severity.toUpperCase().padStart(8)}  ${f.id}: ${f.summary}`),
    '',
  ];
}

/** A comparison as the terminal shows it. */
export function comparisonText(c: Comparison): string {
  const head = (side: 'before' | 'after') => {
    const s = c[side].session;
    return `${side.padEnd(6)}  session ${s.id} “${s.name}” (${s.kind}, ${s.status}): ${s.target}`;
  };
  const rows = table([
    ['', 'measure', 'before', 'after'],
    ...c.rows.map((r) => [MARK[r.change], r.measure, r.before, r.after]),
  ]);
  return [
    head('before'),
    head('after'),
    '',
    rows,
    '',
    ...findingGroups(c).flatMap((g) =>
      findingLines(g.title.charAt(0).toLowerCase() + g.title.slice(1), g.findings),
    ),
    `verdict: ${c.verdict.text}`,
    '',
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'compare');
  const [before, after] = positionals(args, 'compare', { min: 2, what: 'session ids (before and after)' });
  const request = requestFrom(
    contract.diagnose.compare.request,
    values,
    { 'id-field': { field: 'idField' } },
    { before: sessionId(before, 'compare'), after: sessionId(after, 'compare') },
  );
  const engine = openCliEngine(values, { create: false });
  try {
    const comparison = await engine.api.diagnose.compare(request);
    await out(values.json ? `${JSON.stringify(comparison, null, 2)}\n` : comparisonText(comparison));
    return comparison.after.findings.some((f) => f.severity === 'critical') ? 1 : 0;
  } finally {
    await engine.close();
  }
}
