// The verdict of a before/after comparison (shared/diagnosis/compare.ts) on measured sessions built
// by hand: an after session too short to show an idle cut is gone, latency read only from enough
// answers, and findings that moved either way.
import { describe, expect, it } from 'vitest';
import type { ComparedSession } from '../../../shared/contract/compare.js';
import { compareSessions } from '../../../shared/diagnosis/compare.js';
import { finding } from '../../../shared/findings.js';
import { at } from './build.js';

function measured(o: {
  idleCut?: number | null;
  lived?: number[];
  p95?: number | null;
  answers?: number;
  findings?: ComparedSession['findings'];
}): ComparedSession {
  const lived = o.lived ?? [10];
  const answers = o.answers ?? 10;
  return {
    session: {
      id: 1,
      name: 's',
      kind: 'capture',
      target: 'ws://127.0.0.1:1/',
      status: 'complete',
      createdAt: '2026-12-07T00:00:00.000000Z',
      endedAt: '2026-12-07T00:00:10.000000Z',
      frames: 10,
      durationSeconds: 10,
    },
    connections: { total: lived.length, opened: lived.length, failed: 0 },
    closes: [{ code: 1000, name: 'Normal Closure', closedBy: 'client', count: lived.length }],
    lifetimes: {
      count: lived.length,
      minSeconds: Math.min(...lived),
      medianSeconds: lived[0]!,
      maxSeconds: Math.max(...lived),
    },
    idleBeforeClose: {
      connections: lived.length,
      medianSeconds: 1,
      maxSeconds: 1,
      timeoutSeconds: o.idleCut ?? null,
    },
    reconnects: { count: lived.length - 1, medianGapSeconds: null, maxGapSeconds: null },
    heartbeat: null,
    answers: {
      latency: o.p95 == null ? null : { samples: answers, p50Ms: o.p95 / 2, p95Ms: o.p95, maxMs: o.p95 },
      requests: answers,
      answered: answers,
    },
    frameKinds: [],
    messageTypes: [],
    findings: o.findings ?? [],
    timeline: {
      from: at(0),
      to: at(10),
      spans: lived.map((s, i) => ({
        ordinal: i + 1,
        cls: 'normal' as const,
        attemptAt: at(0),
        openedAt: at(0),
        endAt: at(s),
        label: '1000',
      })),
      omitted: 0,
    },
  };
}

const idleTimeout = finding('idle-timeout', '3 connections were cut after 60 s', { idleSeconds: 60 });
const storm = finding('reconnect-storm', '60 reconnects within 10 s', {});
const slow = finding('high-latency', 'p95 410 ms', {});

describe('compareSessions', () => {
  it('says the idle cuts are gone, and the p95 answer latency, when the after session lived past the cut', () => {
    const c = compareSessions(
      measured({ idleCut: 60, lived: [60, 60], p95: 410, findings: [idleTimeout, slow] }),
      measured({ lived: [300], p95: 95 }),
    );
    expect(c.verdict).toEqual({
      text: 'The 60 s idle cuts are gone; no longer found: high-latency; p95 answer latency 410 → 95 ms',
      tone: 'better',
    });
    expect(c.findings.gone.map((f) => f.id)).toEqual(['idle-timeout', 'high-latency']);
  });

  it('will not call the cuts gone when no connection of the after session lived as long as the cut', () => {
    const c = compareSessions(
      measured({ idleCut: 60, lived: [60, 60], findings: [idleTimeout] }),
      measured({ lived: [20] }),
    );
    expect(c.verdict.tone).toBe('inconclusive');
    expect(c.verdict.text).toBe(
      'No connection of the after session lived 60 s (the longest: 20 s): too short to tell whether the 60 s idle cuts are gone',
    );
  });

  it('leaves out the latency of too few answers, and weighs findings gone against new ones', () => {
    const c = compareSessions(
      measured({ p95: 410, answers: 2, findings: [storm] }),
      measured({ p95: 95, answers: 2, findings: [slow] }),
    );
    expect(c.verdict).toEqual({ text: 'No longer found: reconnect-storm; new: high-latency', tone: 'mixed' });
    // Two answers each: the latencies differ, but which way is not said.
    expect(c.rows.find((r) => r.measure === 'answer latency')!.change).toBe('different');
    expect(compareSessions(measured({}), measured({})).verdict).toEqual({
      text: 'No difference the diagnosis sees',
      tone: 'same',
    });
  });
});
