// `frameline compare BEFORE AFTER` on two live captures of the Python `websockets` server behind
// real nginx: before the fix with proxy_read_timeout 3s (idle connections cut, the client
// reconnecting), after it with 3600s. The comparison must say the idle cuts are gone.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../../shared/contract/compare.js';
import { secondsText } from '../../../shared/diagnosis/compare.js';
import { browserMissing } from '../../support/browser.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { recordIdleCutFix, type IdleCutFix } from '../../support/idle-cut-fix.js';

let ws: Workspace;
let fix: IdleCutFix;
let before = 0;
let after = 0;
/** The idle cut the diagnosis measured before the fix, as the verdict words it (`3 s`, or `2.9 s` on a busy machine). */
let cut = '';

beforeAll(async () => {
  ws = workspace();
  fix = await recordIdleCutFix(ws.db);
  ({ before, after } = fix);
  const measured = await cli(['compare', String(before), String(after), '--json', '--db', ws.db]);
  const seconds = (JSON.parse(measured.stdout) as Comparison).before.idleBeforeClose.timeoutSeconds;
  // nginx cuts at its proxy_read_timeout, measured from the last frame: 3 s, give or take a little.
  expect(Math.abs(seconds! - 3)).toBeLessThanOrEqual(0.5);
  cut = secondsText(seconds!);
}, 60_000);

afterAll(async () => {
  await fix?.stop();
  ws.cleanup();
});

describe('frameline compare', () => {
  it('says the idle cuts are gone after nginx’s read timeout went to 3600 s', async () => {
    const result = await cli(['compare', String(before), String(after), '--json', '--db', ws.db]);
    expect(result.code, result.stderr).toBe(0);
    const c = JSON.parse(result.stdout) as Comparison;

    expect(c.before.session.id).toBe(before);
    expect(c.after.session.id).toBe(after);
    // Before: connections cut at nginx's 3 s, without a close frame, and the client reconnecting.
    expect(c.before.connections.total).toBeGreaterThanOrEqual(3);
    expect(c.before.reconnects.count).toBe(c.before.connections.total - 1);
    expect(c.before.closes).toContainEqual(expect.objectContaining({ code: 1006, closedBy: 'network' }));
    expect(c.before.findings.map((f) => f.id)).toContain('idle-timeout');
    // After: one connection for the whole capture, closed by Frameline when it ended.
    expect(c.after.idleBeforeClose.timeoutSeconds).toBeNull();
    expect(c.after.connections.total).toBe(1);
    expect(c.after.closes).toEqual([{ code: 1000, name: 'Normal Closure', closedBy: 'client', count: 1 }]);
    expect(c.after.lifetimes!.maxSeconds).toBeGreaterThan(7);
    // The request with an id was answered on every connection of both.
    expect(c.after.answers).toMatchObject({ requests: 1, answered: 1 });
    expect(c.before.answers.answered).toBe(c.before.connections.opened);
    expect(c.after.frameKinds).toContainEqual({ direction: 'out', opcode: 'text', count: 1 });

    expect(c.findings.gone.map((f) => f.id)).toContain('idle-timeout');
    expect(c.findings.appeared.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(c.verdict.tone).toBe('better');
    expect(c.verdict.text).toMatch(new RegExp(`^The ${cut} idle cuts are gone`));
    expect(c.rows.find((r) => r.measure === 'idle before close')).toMatchObject({
      before: `cut after ${cut} idle`,
      change: 'better',
    });
    expect(c.rows.find((r) => r.measure === 'reconnects')!.change).toBe('better');
  });

  it('prints both sessions, the measures and the verdict for a person; the other way round is worse', async () => {
    const text = await cli(['compare', String(before), String(after), '--db', ws.db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`before  session ${before} “via nginx, proxy_read_timeout 3s”`);
    expect(text.stdout).toMatch(
      new RegExp(`^\\+ +idle before close +cut after ${cut} idle +no idle timeout`, 'm'),
    );
    expect(text.stdout).toMatch(/gone \(before only\):\n +CRITICAL +idle-timeout: /);
    expect(text.stdout).toContain(`\nverdict: The ${cut} idle cuts are gone`);

    // Swapped, the cuts are new, and the critical finding of the "after" side fails the command.
    const swapped = await cli(['compare', String(after), String(before), '--json', '--db', ws.db]);
    expect(swapped.code).toBe(1);
    const c = JSON.parse(swapped.stdout) as Comparison;
    expect(c.verdict).toMatchObject({
      tone: 'worse',
      text: expect.stringMatching(new RegExp(`^New idle cuts after ${cut}`)),
    });
  });

  it('gives the incident report a "Before and after" section, in Markdown, HTML, JSON and PDF', async () => {
    const run = async (args: string[], code = 0) => {
      const r = await cli([...args, '--db', ws.db], {}, 60_000);
      expect(r.code, r.stderr).toBe(code);
      return r;
    };
    const created = await run(['incident', 'create', '--title', 'Prices drop every 3 s', '--json']);
    const incident = String((JSON.parse(created.stdout) as { id: number }).id);
    // Only the incident's own evidence is compared.
    const unlinked = await run(['report', incident, '--before', String(before), '--after', String(after)], 2);
    expect(unlinked.stderr).toMatch(
      new RegExp(
        `session ${before} is not linked to incident ${incident}.*incident link ${incident} --session ${before}`,
      ),
    );
    for (const id of [before, after]) await run(['incident', 'link', incident, '--session', String(id)]);
    const half = await run(['report', incident, '--before', String(before)], 2);
    expect(half.stderr).toMatch(/--before needs --after/);

    const compared = ['--before', String(before), '--after', String(after)];
    const md = (await run(['report', incident, ...compared])).stdout;
    expect(md).toContain(`\n## Before and after\n\n**Verdict:** The ${cut} idle cuts are gone`);
    expect(md).toMatch(
      new RegExp(
        `^\\| idle before close \\| cut after ${cut} idle \\| no idle timeout .* \\| better \\|$`,
        'm',
      ),
    );
    expect(md).toMatch(/^- CRITICAL `idle-timeout`: /m);
    // Without the flags, no such section.
    expect((await run(['report', incident])).stdout).not.toContain('Before and after');

    const html = (await run(['report', incident, ...compared, '--format', 'html'])).stdout;
    expect(html).toContain('<h2 id="before-and-after">Before and after</h2>');
    expect(html).toContain(
      `<p class="verdict" data-tone="better"><strong>Verdict:</strong> The ${cut} idle cuts are gone`,
    );
    expect(html.match(/class="chart connection-timeline"/g)!.length).toBe(4);

    const json = JSON.parse((await run(['report', incident, ...compared, '--format', 'json'])).stdout) as {
      comparison: Comparison | null;
    };
    expect(json.comparison!.verdict.tone).toBe('better');
    expect(json.comparison!.before.session.id).toBe(before);

    if (!browserMissing()) {
      const pdf = join(ws.dir, 'incident.pdf');
      await run(['report', incident, ...compared, '-o', pdf]);
      const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
      expect(text).toContain('Before and after');
      expect(text).toContain(`Verdict: The ${cut} idle cuts are gone`);
    }
  });

  it('refuses a missing session and a missing argument with exit code 2', async () => {
    const missing = await cli(['compare', String(before), '99', '--db', ws.db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no session 99/);
    const one = await cli(['compare', String(before), '--db', ws.db]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/takes 2 session ids \(before and after\), got 1/);
  });
});
