// `frameline compare BEFORE AFTER` on two live captures of the Python `websockets` server behind
// real nginx: before the fix with proxy_read_timeout 3s (idle connections cut, the client
// reconnecting), after it with 3600s. The comparison must say the idle cuts are gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../../shared/contract/compare.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { recordIdleCutFix, type IdleCutFix } from '../../support/idle-cut-fix.js';

let ws: Workspace;
let fix: IdleCutFix;
let before = 0;
let after = 0;

beforeAll(async () => {
  ws = workspace();
  fix = await recordIdleCutFix(ws.db);
  ({ before, after } = fix);
}, 60_000);

afterAll(async () => {
  await fix?.stop();
  ws.cleanup();
});

describe('frameline compare', () => {
  it('says the 3 s idle cuts are gone after nginx’s read timeout went to 3600 s', async () => {
    const result = await cli(['compare', String(before), String(after), '--json', '--db', ws.db]);
    expect(result.code, result.stderr).toBe(0);
    const c = JSON.parse(result.stdout) as Comparison;

    expect(c.before.session.id).toBe(before);
    expect(c.after.session.id).toBe(after);
    // Before: connections cut at nginx's 3 s, without a close frame, and the client reconnecting.
    expect(Math.abs(c.before.idleBeforeClose.timeoutSeconds! - 3)).toBeLessThanOrEqual(1);
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
    expect(c.verdict.text).toMatch(/^The 3 s idle cuts are gone/);
    expect(c.rows.find((r) => r.measure === 'idle before close')).toMatchObject({
      before: 'cut after 3 s idle',
      change: 'better',
    });
    expect(c.rows.find((r) => r.measure === 'reconnects')!.change).toBe('better');
  });

  it('prints both sessions, the measures and the verdict for a person; the other way round is worse', async () => {
    const text = await cli(['compare', String(before), String(after), '--db', ws.db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`before  session ${before} “via nginx, proxy_read_timeout 3s”`);
    expect(text.stdout).toMatch(/^\+ +idle before close +cut after 3 s idle +no idle timeout/m);
    expect(text.stdout).toMatch(/gone \(before only\):\n +CRITICAL +idle-timeout: /);
    expect(text.stdout).toMatch(/^verdict: The 3 s idle cuts are gone/m);

    // Swapped, the cuts are new, and the critical finding of the "after" side fails the command.
    const swapped = await cli(['compare', String(after), String(before), '--json', '--db', ws.db]);
    expect(swapped.code).toBe(1);
    const c = JSON.parse(swapped.stdout) as Comparison;
    expect(c.verdict).toMatchObject({
      tone: 'worse',
      text: expect.stringMatching(/^New idle cuts after 3 s/),
    });
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
