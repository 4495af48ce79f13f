// Every relative link and image in README.md and docs/ leads somewhere: the file exists, and an
// anchor (#section) names a heading of the page it points into. External links are not fetched.
import { existsSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, links, markdownPages, read, ROOT } from './markdown.js';

function broken(page: string): string[] {
  const problems: string[] = [];
  for (const { line, target } of links(read(page))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and the like
    const [path = '', anchor] = target.split('#', 2);
    const file = path === '' ? join(ROOT, page) : normalize(join(ROOT, dirname(page), decodeURI(path)));
    const shown = `${page}:${line}: ${target}`;
    if (!file.startsWith(ROOT)) problems.push(`${shown} leaves the repository`);
    else if (!existsSync(file)) problems.push(`${shown}: no file ${relative(ROOT, file)}`);
    else if (anchor !== undefined && file.endsWith('.md') && !anchors(read(relative(ROOT, file))).has(anchor))
      problems.push(`${shown}: no heading with the anchor #${anchor} in ${relative(ROOT, file)}`);
  }
  return problems;
}

describe('links in README.md and docs/', () => {
  it('reads links the way GitHub does: code is not a link, a repeated heading gets a suffix', () => {
    const text =
      '# A `b` (c)\n\n[x](one.md#two) `[y](no.md)`\n\n```\n[z](no.md)\n# Not a heading\n```\n# A `b` (c)\n';
    expect(links(text)).toEqual([{ line: 3, target: 'one.md#two' }]);
    expect([...anchors(text)]).toEqual(['a-b-c', 'a-b-c-1']);
  });

  it.each(markdownPages())('%s: every relative link and image resolves', (page) => {
    expect(broken(page)).toEqual([]);
  });

  it('README links every page under docs/', () => {
    const linked = new Set(links(read('README.md')).map(({ target }) => normalize(target.split('#')[0]!)));
    const pages = markdownPages().filter((p) => p.startsWith('docs/'));
    expect(pages.filter((p) => !linked.has(p))).toEqual([]);
  });

  it('every page under docs/ links back to README', () => {
    const pages = markdownPages().filter((p) => p.startsWith('docs/'));
    const without = pages.filter(
      (p) => !links(read(p)).some(({ target }) => target.split('#')[0] === '../README.md'),
    );
    expect(without).toEqual([]);
  });
});
