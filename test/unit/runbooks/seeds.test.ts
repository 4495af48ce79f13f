// The seed documents themselves, as the engineers who wrote them left them: every mermaid flowchart in
// them parses, each document imports as a runbook, and the 3 AM flowchart can be walked from the
// alert to "monitor" or "escalate".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { choicesAt, matchChoice, nodeOf } from '../../../shared/runbooks/graph.js';
import { isFlowchart, parseFlowchart } from '../../../shared/runbooks/mermaid.js';
import { parseRunbook } from '../../../shared/runbooks/parse.js';

/** The seed documents, kept with the tests (test/fixtures/seeds): missing ones fail, never skip. */
const SEEDS = fileURLToPath(new URL('../../fixtures/seeds/', import.meta.url));
const seeds = readdirSync(SEEDS)
  .filter((f) => f.endsWith('.txt'))
  .sort();

function mermaidBlocks(text: string): Array<{ line: number; body: string }> {
  const lines = text.split('\n');
  const out: Array<{ line: number; body: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```mermaid\s*$/.test(lines[i]!)) continue;
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) j++;
    out.push({ line: i + 2, body: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
  return out;
}

describe(`the seed documents (${SEEDS})`, () => {
  it('are there', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(5);
  });

  it('every flowchart or graph block parses', () => {
    let charts = 0;
    for (const f of seeds) {
      for (const b of mermaidBlocks(readFileSync(join(SEEDS, f), 'utf8'))) {
        if (!isFlowchart(b.body)) continue;
        charts++;
        const chart = parseFlowchart(b.body, b.line);
        expect(chart.nodes.length, `${f}:${b.line}`).toBeGreaterThan(0);
        expect(chart.edges.length, `${f}:${b.line}`).toBeGreaterThan(0);
      }
    }
    expect(charts).toBeGreaterThanOrEqual(3);
  });

  it('each document with a flowchart imports as a runbook', () => {
    for (const f of seeds) {
      const text = readFileSync(join(SEEDS, f), 'utf8');
      if (!mermaidBlocks(text).some((b) => isFlowchart(b.body))) continue;
      const r = parseRunbook(text, { fileName: f });
      expect(r.nodes.length, f).toBeGreaterThan(0);
      expect(nodeOf(r, r.start)!.kind, f).toBe('start');
    }
  });

  it('the 3 AM flowchart walks from the alert to monitor or to escalate', () => {
    const file = seeds.find((f) => readFileSync(join(SEEDS, f), 'utf8').includes('3 AM Debugging Flowchart'));
    expect(file).toBeDefined();
    const r = parseRunbook(readFileSync(join(SEEDS, file!), 'utf8'), { fileName: file! });
    expect(nodeOf(r, r.start)!.label).toMatch(/WebSocket Alert/);
    expect(nodeOf(r, 'CHECK_SCOPE')!.kind).toBe('decision');

    const walk = (answers: string[]) => {
      const path = [r.start];
      for (const a of answers) path.push(matchChoice(choicesAt(r, path[path.length - 1]!), a).to);
      return path;
    };
    const toMonitor = walk(['', 'load balancer', '', '', 'timeout issues', '', '', 'yes']);
    expect(toMonitor).toEqual([
      'START',
      'CHECK_SCOPE',
      'LB_ISSUES',
      'LB_DEBUG',
      'LB_FIXES',
      'FIX_TIMEOUTS',
      'APPLY_FIXES',
      'VERIFY_STABILITY',
      'MONITOR_LONG_TERM',
    ]);
    expect(nodeOf(r, 'MONITOR_LONG_TERM')!.kind).toBe('end');
    const toEscalate = walk(['', 'server-side', '', '', 'event loop lag', '', '', 'no']);
    expect(toEscalate.at(-1)).toBe('ESCALATE');
    expect(nodeOf(r, 'ESCALATE')!.kind).toBe('end');
  });
});
