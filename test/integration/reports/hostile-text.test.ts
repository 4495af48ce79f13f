// An incident whose fields hold what a reader cannot see (bidi overrides and isolates, terminal
// escapes, a bell, a backspace) and Markdown that would restructure a report (a heading, a fence
// never closed), written by `frameline report` in each format: Markdown and HTML (and the PDF
// printed from it) show each such character as ⟦U+XXXX⟧ and say what that means, the Markdown keeps
// its own sections, and the JSON keeps the text as written in bytes that reorder and recolour nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FramelineService } from '../../../electron/engine/service.js';
import type { Report } from '../../../shared/contract/reports.js';
import { browserMissing } from '../../support/browser.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { callService } from '../../support/service.js';

const BIDI = 'deploy \u202eetadpu\u202c then \u2066isolate\u2069 done';
const TERMINAL = '\u001b[31mred\u001b[0m \u0007bell \u0008back';
const BIDI_SHOWN = 'deploy ⟦U+202E⟧etadpu⟦U+202C⟧ then ⟦U+2066⟧isolate⟦U+2069⟧ done';
const TITLE = `${BIDI} ${TERMINAL}`;
/** Characters that reorder or recolour what a reader sees. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const SECTIONS = [
  'Summary',
  'Impact',
  'Trigger',
  'Root cause',
  'Detection',
  'Resolution',
  'Timeline',
  'Findings',
  'Runbook path',
  'Evidence: sessions',
  'Action items',
  'Lessons',
];

let ws: Workspace;
let hostile: number;
let plain: number;

beforeAll(async () => {
  ws = workspace();
  const service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  try {
    const call = <T>(channel: string, payload: unknown) => callService<T>(service, channel, payload);
    hostile = (await call<{ id: number }>('incidents:create', { title: TITLE })).id;
    await call('incidents:update', {
      id: hostile,
      responders: [BIDI],
      summary: `Rolled out at 02:00\n# Injected heading\n\tindented by a tab\r\nended by CRLF`,
      rootCause: 'before\n```\nthe rest of the report would be code',
      wentWell: TERMINAL,
    });
    await call('incidents:addAction', { incidentId: hostile, title: TERMINAL, type: 'prevent' });
    const walk = await call<{ id: number }>('walks:start', {
      incidentId: hostile,
      runbookId: 'ws-3am',
      target: 'ws://127.0.0.1:9/',
    });
    await call('walks:note', { id: walk.id, text: BIDI });
    plain = (await call<{ id: number }>('incidents:create', { title: 'Chat drops every minute' })).id;
    await call('incidents:update', { id: plain, summary: 'Plain words about the outage.' });
  } finally {
    await service.close();
  }
}, 60_000);

afterAll(() => ws?.cleanup());

async function report(id: number, ...args: string[]): Promise<string> {
  const r = await cli(['report', String(id), ...args, '--db', ws.db], {}, 60_000);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The lines of a Markdown document that are outside its fenced code blocks. */
function outsideFences(md: string): string[] {
  let fence: string | null = null;
  const out: string[] = [];
  for (const line of md.split('\n')) {
    const mark = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && mark) fence = mark;
    else if (
      fence !== null &&
      mark &&
      mark[0] === fence[0] &&
      mark.length >= fence.length &&
      line.trim() === mark
    )
      fence = null;
    else if (fence === null) out.push(line);
  }
  if (fence !== null) out.push(`(a ${fence} fence left open)`);
  return out;
}

describe('a report of fields holding controls and Markdown structure', () => {
  it('writes Markdown that shows each control as ⟦U+XXXX⟧ and keeps its own sections', async () => {
    const md = await report(hostile);
    expect(md).not.toMatch(CONTROLS);
    const lines = outsideFences(md);
    expect(lines[0]).toBe(
      `# Incident report: ${BIDI_SHOWN} ⟦U+001B⟧\\[31mred⟦U+001B⟧\\[0m ⟦U+0007⟧bell ⟦U+0008⟧back`,
    );
    expect(lines.filter((l) => /^#{1,2} /.test(l)).slice(1)).toEqual(SECTIONS.map((s) => `## ${s}`));
    expect(lines).not.toContain('(a ``` fence left open)');
    expect(md).toContain(
      '## Summary\n\nRolled out at 02:00\n\\# Injected heading\n\tindented by a tab\nended by CRLF\n\n## Impact',
    );
    expect(md).toContain(
      '## Root cause\n\nbefore\n```\nthe rest of the report would be code\n```\n\n## Detection',
    );
    expect(md).toContain(`| Responders | ${BIDI_SHOWN} |`);
    expect(md).toMatch(
      new RegExp(`> \\*\\*Note, \\d\\d:\\d\\d:\\d\\d:\\*\\* ${BIDI_SHOWN.replace(/[+]/g, '\\+')}\n`),
    );
    expect(md).toContain('### What went well\n\n⟦U+001B⟧[31mred⟦U+001B⟧[0m ⟦U+0007⟧bell ⟦U+0008⟧back\n');
    expect(md).toContain('| prevent | ⟦U+001B⟧\\[31mred⟦U+001B⟧\\[0m ⟦U+0007⟧bell ⟦U+0008⟧back |');
    expect(md).toContain('> ⟦U+XXXX⟧ stands for one character');
  });

  it('writes HTML whose title and text show each control as ⟦U+XXXX⟧', async () => {
    const file = join(ws.dir, 'hostile.html');
    await report(hostile, '-o', file);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(CONTROLS);
    expect(html).toContain(
      `<title>Incident ${hostile}: ${BIDI_SHOWN} ⟦U+001B⟧[31mred⟦U+001B⟧[0m ⟦U+0007⟧bell ⟦U+0008⟧back</title>`,
    );
    expect(html).toContain('<p class="text">⟦U+001B⟧[31mred⟦U+001B⟧[0m ⟦U+0007⟧bell ⟦U+0008⟧back</p>');
    expect(html).toContain(`<p class="text">${BIDI_SHOWN}</p>`);
    expect(html).toMatch(/<p class="meta" data-testid="escapes">⟦U\+XXXX⟧ stands for one character/);
  });

  it('says nothing of escapes in the report of an incident that has none', async () => {
    const md = await report(plain);
    const file = join(ws.dir, 'plain.html');
    await report(plain, '-o', file);
    expect(md).not.toContain('⟦');
    expect(readFileSync(file, 'utf8')).not.toContain('⟦');
  });

  it('writes JSON holding the text as written, in bytes that show no control', async () => {
    const json = await report(hostile, '--format', 'json');
    expect(json).not.toMatch(CONTROLS);
    expect(json).toContain(
      '"title": "deploy \\u202eetadpu\\u202c then \\u2066isolate\\u2069 done \\u001b[31m',
    );
    const data = JSON.parse(json) as Report;
    expect(data.incident.title).toBe(TITLE);
    expect(data.incident.responders).toEqual([BIDI]);
    expect(data.walks[0]!.steps[0]!.notes[0]!.text).toBe(BIDI);
  });

  it.skipIf(browserMissing())('prints a PDF whose text shows the controls escaped', async () => {
    const file = join(ws.dir, 'hostile.pdf');
    await report(hostile, '-o', file);
    // pdftotext ends each page with a form feed.
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString().replace(/\f/g, '');
    expect(text).not.toMatch(CONTROLS);
    expect(text).toContain('⟦U+202E⟧etadpu⟦U+202C⟧');
    for (const title of SECTIONS) expect(text, title).toContain(title);
  });
});
