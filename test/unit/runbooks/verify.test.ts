// The VERIFY step's rules (shared/runbooks/verify.ts): which captures it compares, and what it says
// before "Yes" is taken.
import { describe, expect, it } from 'vitest';
import type { WalkRun } from '../../../shared/contract/incidents.js';
import { finding } from '../../../shared/findings.js';
import { saysStable, verificationCaptures, verifyNudge } from '../../../shared/runbooks/verify.js';

function run(id: number, node: string, o: Partial<WalkRun> = {}): WalkRun {
  return {
    id,
    node,
    step: 1,
    kind: 'capture',
    request: '{}',
    original: null,
    status: 'ok',
    startedAt: `2026-12-07T02:${String(id).padStart(2, '0')}:00.000000Z`,
    endedAt: null,
    exitCode: null,
    output: '',
    truncated: false,
    outputBytes: 0,
    summary: '',
    result: null,
    sessionId: 10 + id,
    ...o,
  };
}

describe('verificationCaptures', () => {
  it('takes the first capture as before, and the last capture made at another node as after', () => {
    const runs = [
      run(1, 'CAPTURE'),
      run(2, 'CAPTURE'),
      run(3, 'DIAGNOSE', { kind: 'diagnose', sessionId: null }),
      run(4, 'APPLY'),
      run(5, 'APPLY'),
      run(6, 'APPLY', { status: 'running' }),
    ];
    const c = verificationCaptures({ runs });
    expect([c.before?.sessionId, c.after?.sessionId]).toEqual([11, 15]);
    expect(verificationCaptures({ runs: runs.slice(0, 3) }).after).toBeNull();
    expect(verificationCaptures({ runs: [] })).toEqual({ before: null, after: null });
  });
});

describe('verifyNudge', () => {
  const both = { before: run(1, 'CAPTURE'), after: run(4, 'APPLY') };
  it('says nothing for "No", nor for "Yes" after a clean verification capture', () => {
    expect(saysStable('Yes, stable')).toBe(true);
    expect(saysStable('yesterday')).toBe(false);
    expect(verifyNudge('No', { before: null, after: null }, null)).toBeNull();
    expect(verifyNudge('Yes', both, [finding('no-heartbeat', 'no pings', {}, 'warning')])).toBeNull();
  });

  it('nudges "Yes" without a capture after the fix, or with a critical finding still in it', () => {
    expect(verifyNudge('Yes', { before: run(1, 'CAPTURE'), after: null }, null)).toBe(
      'No capture was made after the fix: session 11 is from before it. Capture the endpoint after the fix (the "Watch the endpoint after the fix" step), then compare.',
    );
    expect(verifyNudge('Yes', { before: null, after: null }, null)).toMatch(
      /^No capture was made in this walk/,
    );
    expect(verifyNudge('Yes', both, [finding('idle-timeout', 'cut after 60 s', {})])).toBe(
      'The verification capture (session 14) still has a critical finding: idle-timeout.',
    );
  });
});
