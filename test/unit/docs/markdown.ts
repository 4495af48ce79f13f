// Reading the project's Markdown as GitHub renders it, for the tests that keep README.md and docs/
// true: the lines outside fenced code blocks, the headings' anchors, and the relative links.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** README.md and every page under docs/, as paths relative to the root. */
export function markdownPages(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs.sort()];
}

/** The lines of a Markdown text with those inside fenced code blocks (``` or ~~~) blanked out. */
export function proseLines(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const opening = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === null) {
      if (opening) {
        fence = opening[1]!;
        return '';
      }
      return line;
    }
    if (opening && opening[1]!.startsWith(fence) && line.trim() === opening[1]) fence = null;
    return '';
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a page's headings get on GitHub (a repeated heading gets -1, -2…). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

/** One link or image of a page: where it is, and the target as written. */
export interface Link {
  line: number;
  target: string;
}

/** The links and images of a page outside code (fenced blocks and `inline code`). */
export function links(text: string): Link[] {
  const out: Link[] = [];
  proseLines(text).forEach((line, i) => {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ line: i + 1, target: m[1]! });
    }
  });
  return out;
}

/** A page's text. */
export function read(page: string): string {
  return readFileSync(join(ROOT, page), 'utf8');
}
