// `frameline report` on a walked incident (a probe session, a capture with findings, a walk with
// shell steps): the four formats, each checked for its sections as a reader would look for them;
// the PDF turned into page images and text by poppler; the report as the console asks for it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSchema, type Report } from '../../../shared/contract/reports.js';
import { builtinRunbooks } from '../../../shared/runbooks/builtin/index.js';
import { parseFlowchart } from '../../../shared/runbooks/mermaid.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { reportStyleSource } from '../../../electron/engine/reports/report-style.js';
import { browserMissing } from '../../support/browser.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { walkedIncident, type WalkedIncident } from '../../support/incident-fixture.js';
import { callService } from '../../support/service.js';

const SECTION_TITLES = [
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
const PATH = [
  'ALERT',
  'SCOPE',
  'BALANCER',
  'LB_DEBUG',
  'LB_FIX',
  'FIX_TIMEOUTS',
  'APPLY',
  'VERIFY',
  'MONITOR',
];

let ws: Workspace;
let incident: WalkedIncident;
const file = (name: string) => join(ws.dir, name);

beforeAll(async () => {
  ws = workspace();
  incident = await walkedIncident(ws.db);
  await incident.server.close();
}, 60_000);

afterAll(() => ws.cleanup());

async function report(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return cli(['report', String(incident.incidentId), ...args, '--db', ws.db], {}, 60_000);
}

describe('frameline report', () => {
  it('writes Markdown with every section, the mermaid flowchart of the path taken and each step', async () => {
    const r = await report(['-o', file('incident.md')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wrote .+incident\.md \(md, .+\); redacted \d+ values: /m);
    const md = readFileSync(file('incident.md'), 'utf8');
    expect(md.split('\n')[0]).toBe('# Incident report: Chat drops every minute');
    let at = 0;
    for (const title of SECTION_TITLES) {
      const i = md.indexOf(`\n## ${title}\n`);
      expect(i, title).toBeGreaterThan(at);
      at = i;
    }
    expect(md).toContain('| Time to mitigate (impact start → mitigated) | 21 min 00 s |');
    expect(md).toContain('> **Redaction:** Redacted ');
    // The flowchart as mermaid: the runbook's own nodes and edges, the path styled.
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(md)![1]!;
    const chart = parseFlowchart(block);
    const runbook = builtinRunbooks().find((r) => r.id === 'ws-3am')!;
    expect(chart.nodes.map((n) => n.id).sort()).toEqual(runbook.nodes.map((n) => n.id).sort());
    expect(chart.edges.map((e) => `${e.from}>${e.to}:${e.label ?? ''}`).sort()).toEqual(
      runbook.edges.map((e) => `${e.from}>${e.to}:${e.label ?? ''}`).sort(),
    );
    expect(block).toMatch(/ {4}MONITOR\(\[".+"\]\):::current/);
    expect(block).toMatch(/ {4}FIX_HEALTH\[".+"\]:::left/);
    const taken = /linkStyle ([\d,]+) stroke:#c2410c/.exec(block)![1]!.split(',').map(Number);
    const links = block.split('\n').filter((l) => l.includes('-->'));
    expect(
      taken.map((i) =>
        links[i]!.trim()
          .replace(/\|.*\|/, '')
          .replace(/\s+/g, ' '),
      ),
    ).toEqual(PATH.slice(1).map((to, i) => `${PATH[i]} --> ${to}`));
    // The steps: ticks, the commands with their exit code and output, actions, the note, the way back.
    expect(md).toContain(`**Path taken:** ${PATH.map((p) => p.replace(/_/g, '\\_')).join(' → ')}`);
    expect(md).toContain('- [x] 1. Count the open connections');
    expect(md).toMatch(
      /Ran `echo "open connections: 3"; echo "Authorization: Bearer \*\*\*"` — exit 0 after \d/,
    );
    expect(md).toContain('```text\nopen connections: 3\nAuthorization: Bearer ***\n```');
    expect(md).toMatch(/Edited; the runbook has:\n\n```sh\nport="\$\{WS_PORT:-3000\}"\n/);
    expect(md).toMatch(/Edited; the runbook has:\n\n```sh\nnginx -T /);
    expect(md).toMatch(/App action \*\*capture\*\* `.+` — ok after .+: session \d+: /);
    expect(md).toMatch(/App action \*\*diagnose\*\* `\{"kind":"diagnose","session":"latest"\}` — ok/);
    expect(md).toMatch(
      /> \*\*Note, \d\d:\d\d:\d\d:\*\* Dashboards show drops every 60 s; token=\\\*\\\*\\\* was in the client log\./,
    );
    expect(md).toMatch(/#### \d+\. FIX\\_HEALTH — .+ _\(gone back from\)_/);
    expect(md).toMatch(/Entered .+ time box 10 min 00 s; left: chose "next"/);
    // Findings with evidence, cause and fix; the sessions' evidence; action items; lessons.
    expect(md).toMatch(/### WARNING · .+ \(`server-close`\)|### CRITICAL · .+ \(`server-close`\)/);
    expect(md).toMatch(
      /- \*\*Cause:\*\* .+\n- \*\*Fix:\*\* .+\n- \*\*From:\*\* the diagnosis of session \d+/,
    );
    expect(md).toContain(
      `### Session ${incident.captureSessionId}: chat during the outage (capture, complete)`,
    );
    expect(md).toContain(`### Session ${incident.probeSessionId}: probe `);
    expect(md).toMatch(/\| 1011 \| Internal Error \| \d+ \| .+ \|/);
    expect(md).toMatch(
      /- \*\*Round trips:\*\* ping p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms over \d+ pings; request\/response p50/,
    );
    expect(md).toMatch(/- \*\*Frames over time:\*\* `[ ▁▂▃▄▅▆▇█]+`/);
    expect(md).toMatch(
      /\| \d+ \| prevent \| Raise the proxy idle timeout above the heartbeat interval<br>`https:\/\/tickets\.example\/OPS-142` \| Ana Ortiz \| 2026-12-01 \| open \|/,
    );
    expect(md).toContain('### Where we got lucky\n\nIt happened at night, with little traffic.');
  });

  it('writes one self-contained HTML file: inline style and SVG, no script, nothing fetched', async () => {
    const r = await report(['-o', file('incident.html')]);
    expect(r.code).toBe(0);
    const html = readFileSync(file('incident.html'), 'utf8');
    let at = 0;
    for (const title of SECTION_TITLES) {
      const i = html.indexOf(`>${title}</h2>`);
      expect(i, title).toBeGreaterThan(at);
      at = i;
    }
    expect(html).not.toMatch(/<script|\bsrc=|<link|\bhref=|@import|url\((?!#)/i);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toBe(
      `default-src 'none'; style-src ${reportStyleSource()}; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    // The flowchart: the path's edges drawn as taken, the wrong turn as left, the end as current.
    const svg = /<svg class="flowchart"[\s\S]*?<\/svg>/.exec(html)![0];
    const taken = [...svg.matchAll(/data-from="(\w+)" data-to="(\w+)" data-state="taken"/g)].map(
      (m) => `${m[1]}>${m[2]}`,
    );
    expect(taken.sort()).toEqual(
      PATH.slice(1)
        .map((to, i) => `${PATH[i]}>${to}`)
        .sort(),
    );
    expect(svg).toContain('data-from="LB_FIX" data-to="FIX_HEALTH" data-state="left"');
    expect(svg).toContain('data-node="MONITOR" data-state="current"');
    // The charts of each linked session.
    expect(html.match(/<svg class="chart rate-chart"/g)).toHaveLength(3);
    expect(html.match(/<svg class="chart connection-timeline"/g)).toHaveLength(3);
    expect(html).toMatch(/<rect class="conn cls-error" [^>]*data-connection="1"\/>/);
    expect(html).toContain('<li class="is-checked">1. Count the open connections</li>');
  });

  it('writes the same content as JSON, valid against its schema, with a schemaVersion', async () => {
    const r = await report(['--format', 'json']);
    expect(r.code).toBe(0);
    const data: Report = ReportSchema.parse(JSON.parse(r.stdout));
    expect(data.schemaVersion).toBe(1);
    expect(data.incident).toMatchObject({
      title: 'Chat drops every minute',
      status: 'resolved',
      severity: 'P1',
    });
    expect(data.walks[0]!.path).toEqual(PATH);
    expect(data.walks[0]!.steps.filter((s) => !s.onPath).map((s) => s.node)).toEqual([
      'LB_FIX',
      'FIX_HEALTH',
    ]);
    expect(data.sessions.map((s) => [s.id, s.linkedVia])).toEqual([
      [incident.captureSessionId, 'user'],
      [incident.probeSessionId, 'user'],
      [incident.walkSessionId, 'walk'],
    ]);
    const capture = data.sessions[0]!;
    expect(capture.closeCodes[0]).toMatchObject({ code: 1011, name: 'Internal Error' });
    expect(capture.roundTrips.ping!.samples).toBeGreaterThan(0);
    expect(capture.roundTrips.requestResponse!.samples).toBeGreaterThan(0);
    expect(capture.reconnects.count).toBe(capture.connections.total - 1);
    expect(data.findings.map((f) => f.source).sort()).toEqual(expect.arrayContaining(['diagnose', 'probe']));
    expect(data.actionItems.map((a) => [a.type, a.done])).toEqual([
      ['prevent', false],
      ['process', true],
    ]);
  });

  it.skipIf(browserMissing())('prints a PDF with Chromium that poppler reads back page by page', async () => {
    const r = await report(['-o', file('incident.pdf')]);
    expect(r.code).toBe(0);
    const pdf = readFileSync(file('incident.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    execFileSync('pdftoppm', ['-r', '40', '-png', file('incident.pdf'), file('page')]);
    const pages = readdirSync(ws.dir).filter((f) => /^page-\d+\.png$/.test(f));
    expect(pages.length).toBeGreaterThanOrEqual(4);
    for (const p of pages) expect(statSync(file(p)).size).toBeGreaterThan(2000);
    const text = execFileSync('pdftotext', ['-layout', file('incident.pdf'), '-']).toString();
    expect(text).toContain('Chat drops every minute');
    for (const title of SECTION_TITLES) expect(text, title).toContain(title);
    expect(text).toMatch(/Path taken: ALERT → SCOPE → BALANCER → LB_DEBUG/);
    expect(text).toContain('Close codes');
    expect(text).toMatch(/page 1 of \d+/);
  });

  it('refuses what it cannot do in one line: exit 2 for bad input, 1 without a browser', async () => {
    const cases: Array<[string[], number, RegExp, Record<string, string>?]> = [
      [
        ['-o', file('x.txt')],
        2,
        /^frameline: cannot tell the format from ".+x\.txt": name it \.md, \.html, \.pdf or \.json/,
      ],
      [['--format', 'doc'], 2, /^frameline: --format must be md, html, pdf or json, not "doc"\n$/],
      [
        ['--redact-pattern', '('],
        2,
        /^frameline: --redact-pattern is not a regular expression .+, not "\("\n$/,
      ],
      [
        ['--no-redact', '--redact-field', 'x'],
        2,
        /^frameline: --redact-field redacts, --no-redact turns redaction off/,
      ],
      [
        ['-o', file('x.pdf')],
        1,
        /^frameline: cannot write a PDF: FRAMELINE_CHROMIUM is \/nowhere\/chrome, which does not exist; point it at a Chromium or Chrome binary, or write --format html and print that\n$/,
        { FRAMELINE_CHROMIUM: '/nowhere/chrome' },
      ],
    ];
    for (const [args, code, message, env] of cases) {
      const r = await cli(['report', String(incident.incidentId), ...args, '--db', ws.db], env ?? {});
      expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({
        code,
        stderr: expect.stringMatching(message),
      });
    }
    const missing = await cli(['report', '99', '--db', ws.db]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: 'frameline: no incident 99; list them with "frameline incident list"\n',
    });
    expect(existsSync(file('x.pdf'))).toBe(false);
  });
});

describe('reports through the contract (the console)', () => {
  it('renders HTML to preview and a PDF to save, with what was redacted', async () => {
    const service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
    try {
      type Rendered = {
        fileName: string;
        mimeType: string;
        encoding: string;
        content: string;
        redaction: Report['redaction'];
      };
      const html = await callService<Rendered>(service, 'reports:render', {
        incidentId: incident.incidentId,
        format: 'html',
      });
      expect(html).toMatchObject({
        fileName: `incident-${incident.incidentId}-chat-drops-every-minute.html`,
        mimeType: 'text/html; charset=utf-8',
        encoding: 'utf8',
      });
      expect(html.content).toContain('<h2 id="runbook">Runbook path</h2>');
      expect(html.redaction.rules.length).toBeGreaterThan(0);
      if (!browserMissing()) {
        const pdf = await callService<Rendered>(service, 'reports:render', {
          incidentId: incident.incidentId,
          format: 'pdf',
          redaction: { fields: ['owner'] },
        });
        expect(pdf.encoding).toBe('base64');
        expect(Buffer.from(pdf.content, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
        expect(pdf.redaction.userFields).toEqual(['owner']);
      }
    } finally {
      await service.close();
    }
  });
});
