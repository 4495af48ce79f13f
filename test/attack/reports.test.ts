// Attack family: reports with hostile text. Each case writes one payload — script and markup
// injection, attribute breakouts, Markdown headings, tables, fences and links, bidi and terminal
// controls, text at its size limit — into every written field of an incident (title, responders,
// the post-mortem, an action item, a walk note) and the name of its linked session, then renders
// its report as HTML and Markdown through the command line. Compared with the same incident written
// in plain words, the HTML gains no element and runs nothing, and the Markdown gains no heading,
// table cell or fence: the payload is shown as text, escaped, wherever it lands.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FramelineService } from '../../electron/engine/service.js';
import { cli, workspace, type Workspace } from '../support/cli.js';
import { recordQuotes } from '../support/replay.js';
import { callService } from '../support/service.js';
import { expectCleanEnd, family, limiter } from './kit.js';

const cases = family('reports');
const pool = limiter(3);
let ws: Workspace;
let service: FramelineService;
let session: number;

/** An incident with `text` in every field a person writes; answers its id. */
async function incidentWith(text: string, link = 'https://tickets.example/OPS-1'): Promise<number> {
  const call = <T>(channel: string, payload: unknown) => callService<T>(service, channel, payload);
  const short = (n: number) => text.slice(0, n).trim() || 'x';
  const { id } = await call<{ id: number }>('incidents:create', { title: short(200) });
  await call('incidents:update', {
    id,
    responders: [short(100), 'Ana'],
    ...Object.fromEntries(
      [
        'summary',
        'impact',
        'trigger',
        'rootCause',
        'detection',
        'resolution',
        'wentWell',
        'wentWrong',
        'gotLucky',
      ].map((f) => [f, text]),
    ),
  });
  await call('incidents:addAction', {
    incidentId: id,
    title: short(500),
    type: 'prevent',
    owner: short(200),
    link,
  });
  await call('incidents:link', { id, session });
  const walk = await call<{ id: number }>('walks:start', {
    incidentId: id,
    runbookId: 'ws-3am',
    target: 'ws://127.0.0.1:9/',
  });
  await call('walks:note', { id: walk.id, text: text.slice(0, 10_000) });
  return id;
}

/** The report in both formats, through the command line. */
async function rendered(id: number): Promise<{ md: string; html: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'frameline-report-'));
  try {
    const md = await cli(['report', String(id), '--db', ws.db], {}, 60_000);
    expectCleanEnd(md);
    expect(md.code, md.stderr).toBe(0);
    const file = join(dir, 'report.html');
    const html = await cli(['report', String(id), '-o', file, '--db', ws.db], {}, 60_000);
    expectCleanEnd(html);
    expect(html.code, html.stderr).toBe(0);
    return { md: md.stdout, html: readFileSync(file, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DANGEROUS = [
  'script',
  'img',
  'iframe',
  'object',
  'embed',
  'form',
  'input',
  'meta',
  'link',
  'base',
  'a',
  'style',
  'svg',
  'details',
  'h1',
  'h2',
  'h3',
  'h4',
  'table',
  'tr',
  'td',
  'pre',
  'b',
];
/** How many elements of each kind that can run, fetch, link or restructure the page. */
function elements(html: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)[\s>/]/g)) {
    const tag = m[1]!.toLowerCase();
    if (DANGEROUS.includes(tag)) counts[tag] = (counts[tag] ?? 0) + 1;
  }
  return counts;
}

/**
 * The Markdown's skeleton as a reader's renderer sees it: the headings outside code fences, whether
 * a fence is left open at the end, and the cell counts of the report's own tables (a block whose
 * header row the plain report has too). A table or a closed fence inside a written field is the
 * writer's Markdown; a heading, an open fence or a cell split by a pipe is the report broken.
 */
function skeleton(md: string, own: Set<string> = new Set()): string[] {
  const out: string[] = [];
  let fenced = false;
  let table: string | null = null;
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced || line.startsWith('```')) continue;
    if (/^#{1,6} /.test(line)) out.push(`h${/^#+/.exec(line)![0].length}`);
    if (!line.startsWith('|')) {
      table = null;
      continue;
    }
    table ??= line;
    if (own.size === 0 || own.has(table)) out.push(`row of ${line.split(/(?<!\\)\|/).length - 2} cells`);
  }
  if (fenced) out.push('a fence left open');
  return out;
}

/** The header rows of the plain report's tables. */
const tableHeads = (md: string) =>
  new Set(md.split('\n').filter((l, i, all) => l.startsWith('|') && !(all[i - 1] ?? '').startsWith('|')));

/** Controls that reorder or recolour what a reader sees. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

let plain: { md: string; html: string };
beforeAll(async () => {
  ws = workspace();
  session = await recordQuotes(ws.db);
  service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  plain = await rendered(await incidentWith('plain words about the outage'));
}, 120_000);
afterAll(async () => {
  await service?.close();
  ws?.cleanup();
});

const payloads: Array<[string, string]> = [
  ['a script element', '<script>alert(1)</script>'],
  ['an img with onerror', '<img src=x onerror=alert(1)>'],
  ['an attribute breakout', '"><svg onload=alert(1)>'],
  ['a single-quoted breakout', "'><iframe src=javascript:alert(1)>"],
  ['closing tags first', '</style></title></pre><script>alert(2)</script>'],
  ['entities already escaped', '&lt;b&gt;not bold&lt;/b&gt; &amp; <!-- hidden -->'],
  ['Markdown headings', 'first line\n# Injected heading\n## Another one'],
  ['a Markdown table', '| a | b |\n|---|---|\n| c | d |'],
  ['a Markdown fence', '```\nfenced\n```\nafter'],
  ['a fence never closed', 'before\n```\nthe rest of the report would be code'],
  ['a javascript: link', '[click me](javascript:alert(1)) and [ok](https://example.com)'],
  ['pipes and backslashes', 'a | b \\| c \\\\| d'],
  ['bidi controls', 'deploy \u202eetadpu\u202c then \u2066isolate\u2069 done'],
  ['terminal escapes', '\u001b[31mred\u001b[0m \u0007bell \u0008back'],
  ['text at its 20,000-character limit', `${'long words '.repeat(1818)}end`.slice(0, 20_000)],
  ['5,000 bold tags', '<b>'.repeat(5000)],
];

describe('hostile text in every written field', () => {
  it.concurrent.each(cases.add(payloads))('%s', (_n, text) =>
    pool(async () => {
      const { md, html } = await rendered(await incidentWith(text));
      // HTML: nothing runs, nothing new is an element; the text is there, escaped.
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
      expect(html).not.toMatch(/<[^>]*\s(href|src)\s*=\s*["']?\s*javascript:/i);
      expect(elements(html)).toEqual(elements(plain.html));
      // Markdown: the same skeleton as plain words, and no live javascript: link.
      expect(skeleton(md, tableHeads(plain.md))).toEqual(skeleton(plain.md, tableHeads(plain.md)));
      expect(md).not.toMatch(/(?<!\\)\[[^\]\n]*\]\(\s*javascript:/i);
      // Neither shows a reader text reordered or recoloured by controls it cannot see.
      expect(html, 'control characters in the HTML').not.toMatch(CONTROLS);
      expect(md, 'control characters in the Markdown').not.toMatch(CONTROLS);
    }),
  );

  cases.one();
  it('an action item linking to javascript: is not a live link', () =>
    pool(async () => {
      const { md, html } = await rendered(
        await incidentWith('plain words', 'javascript:alert(document.domain)'),
      );
      expect(html).not.toMatch(/<[^>]*\s(href|src)\s*=\s*["']?\s*javascript:/i);
      expect(md).not.toMatch(/(?<!\\)\[[^\]\n]*\]\(\s*javascript:/i);
    }));
});
