// docs/findings.md's table of findings is the catalogue: one row per id of shared/findings.ts, in its
// order, each with the catalogue's severity first in its severity cell (a rule may raise or lower it,
// which the cell says after that).
import { describe, expect, it } from 'vitest';
import { FINDING_IDS, FINDINGS } from '../../../shared/findings.js';
import { proseLines, read } from './markdown.js';

/** The table rows under the page's "## The findings" heading: id and severity cell. */
function catalogueRows(text: string): Array<{ id: string; severity: string }> {
  const lines = proseLines(text);
  const start = lines.indexOf('## The findings');
  const rows: Array<{ id: string; severity: string }> = [];
  for (let i = start + 1; start >= 0 && i < lines.length && !lines[i]!.startsWith('## '); i++) {
    const row = /^\| `([a-z-]+)` \| ([^|]+) \|/.exec(lines[i]!);
    if (row) rows.push({ id: row[1]!, severity: row[2]!.trim() });
  }
  return rows;
}

describe('the findings table in docs/findings.md', () => {
  const rows = catalogueRows(read('docs/findings.md'));

  it('lists every finding id of the catalogue, in its order, and no other', () => {
    expect(rows.map((r) => r.id)).toEqual([...FINDING_IDS]);
  });

  it("gives each the catalogue's severity", () => {
    const wrong = rows.filter(
      (r) => !r.severity.startsWith(FINDINGS[r.id as keyof typeof FINDINGS].severity),
    );
    expect(wrong).toEqual([]);
  });
});
