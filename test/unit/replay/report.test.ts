import { describe, expect, it } from 'vitest';
import type { ReplayResult } from '../../../shared/contract/replay.js';
import { replayJson, replayMatched } from '../../../shared/replay/report.js';

const result: ReplayResult = {
  source: 3,
  connection: 1,
  sessionId: 7,
  target: 'ws://127.0.0.1:1/',
  planned: 2,
  sent: 2,
  received: 2,
  matched: 1,
  changed: 1,
  missing: 0,
  extra: 0,
  ignored: ['ts'],
  latency: { originalP50Ms: 1, originalP95Ms: 2, replayP50Ms: 1.5, replayP95Ms: 3 },
  pairs: [
    {
      kind: 'matched',
      id: 1,
      request: 'a',
      expected: 'x',
      actual: 'x',
      paths: [],
      originalMs: 1,
      replayMs: 1,
    },
    {
      kind: 'changed',
      id: 2,
      request: 'b',
      expected: '{"p":1}',
      actual: '{"p":2}',
      paths: ['$.p'],
      originalMs: 2,
      replayMs: 3,
    },
  ],
  outcome: {
    opened: true,
    closeCode: 1000,
    closeReason: '',
    closedBy: 'client',
    error: null,
    originalCloseCode: 1000,
    originalClosedBy: 'client',
  },
  findings: [],
};

describe('replay --json', () => {
  it('has exactly the fields the issue promises, differences only', () => {
    const json = replayJson(result);
    expect(Object.keys(json)).toEqual([
      'source',
      'sessionId',
      'target',
      'sent',
      'received',
      'matched',
      'changed',
      'missing',
      'extra',
      'ignored',
      'latency',
      'differences',
    ]);
    expect(Object.keys(json.latency)).toEqual([
      'originalP50Ms',
      'originalP95Ms',
      'replayP50Ms',
      'replayP95Ms',
    ]);
    expect(json.differences).toEqual([
      { kind: 'changed', id: 2, request: 'b', expected: '{"p":1}', actual: '{"p":2}', paths: ['$.p'] },
    ]);
    expect(replayMatched(result)).toBe(false);
    expect(replayMatched({ ...result, changed: 0 })).toBe(true);
    expect(replayMatched({ ...result, changed: 0, sent: 1 })).toBe(false);
  });
});
