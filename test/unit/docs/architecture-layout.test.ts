// docs/architecture.md's layout section names real files and folders. The section follows the line
// `<!-- layout: checked against the code by test/unit/docs/architecture-layout.test.ts -->` and runs to the
// next `## ` heading; each of its list items starts with a backticked path (a folder ends in /). A
// move in the tree that the page does not follow fails here, naming the path.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proseLines, read, ROOT } from './markdown.js';

const MARKER = '<!-- layout: checked against the code by test/unit/docs/architecture-layout.test.ts -->';

/** The paths the layout section names, each with its line in the page. */
function layoutPaths(text: string): Array<{ line: number; path: string }> {
  const lines = proseLines(text);
  const start = lines.indexOf(MARKER);
  if (start < 0) return [];
  const out: Array<{ line: number; path: string }> = [];
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith('## '); i++) {
    const item = /^\s*- `([^`]+)`/.exec(lines[i]!);
    if (item) out.push({ line: i + 1, path: item[1]! });
  }
  return out;
}

function missing({ line, path }: { line: number; path: string }): string | null {
  const where = `docs/architecture.md:${line}: ${path}`;
  const full = join(ROOT, path.replace(/\/$/, ''));
  if (!existsSync(full)) return `${where} does not exist`;
  const folder = statSync(full).isDirectory();
  if (path.endsWith('/') && !folder) return `${where} is a file, named as a folder`;
  if (!path.endsWith('/') && folder) return `${where} is a folder: write it with a trailing /`;
  return null;
}

describe('the layout in docs/architecture.md', () => {
  const paths = layoutPaths(read('docs/architecture.md'));

  it('is marked, and names the processes, the engine and the command line', () => {
    expect(paths.length).toBeGreaterThan(20);
    const named = paths.map((p) => p.path);
    for (const folder of [
      'electron/main/',
      'electron/engine-host/',
      'electron/browser-host/',
      'electron/engine/',
      'electron/cli/',
    ])
      expect(named).toContain(folder);
  });

  it('reads a path with its kind, and finds a path that is not there', () => {
    const sample = `${MARKER}\n\n- \`shared/\` — x\n  - \`shared/nowhere.ts\`\n- \`README.md/\`\n\n## Next\n- \`not/read.ts\`\n`;
    const found = layoutPaths(sample);
    expect(found.map((p) => p.path)).toEqual(['shared/', 'shared/nowhere.ts', 'README.md/']);
    expect(found.map(missing)).toEqual([
      null,
      'docs/architecture.md:4: shared/nowhere.ts does not exist',
      'docs/architecture.md:5: README.md/ is a file, named as a folder',
    ]);
  });

  it('names only files and folders that exist', () => {
    expect(paths.map(missing).filter((m) => m !== null)).toEqual([]);
  });
});
