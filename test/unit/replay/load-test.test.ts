// Which recorded answers a load test checks: Artillery's ws engine hands every message that comes
// while a step waits to that step, so a check stands only where nothing unasked for follows.
import { describe, expect, it } from 'vitest';
import type { TimedMessage } from '../../../shared/replay/pairing.js';
import { artilleryScript, loadTestPlan, type LoadTestInput } from '../../../shared/replay/load-test.js';

const at = (ms: number, value: unknown): TimedMessage => ({
  ts: ms * 1000,
  opcode: 'text',
  text: JSON.stringify(value),
});

function plan(sent: TimedMessage[], received: TimedMessage[], protocol: LoadTestInput['protocol'] = null) {
  return loadTestPlan({
    session: { id: 1, name: 'unit' },
    connection: {
      ordinal: 1,
      url: 'ws://127.0.0.1:9/',
      requestHeaders: {},
      openedAt: 0,
      closedAt: 1_000_000,
      closedByClient: true,
    },
    conversation: { sent, received },
    protocol,
    idField: 'id',
    users: 1,
    durationSeconds: 1,
  });
}

describe('loadTestPlan', () => {
  it('checks answers to requests sent one after the other, and to requests sent before any answer', () => {
    const p = plan(
      [at(0, { id: 1, op: 'a' }), at(1, { id: 2, op: 'b' }), at(50, { id: 3, op: 'c' })],
      [at(10, { id: 1, status: 'ok' }), at(12, { id: 2, status: 'ok' }), at(60, { id: 3, status: 'ok' })],
    );
    expect(p.steps.map((s) => s.expect)).toEqual(
      [1, 2, 3].map((id) => ({
        key: { field: 'id', value: id },
        check: { field: 'status', value: 'ok' },
      })),
    );
    expect(p.notes).toEqual([]);
  });

  it('checks no answer that a push follows before the next message, nor the last one a stream follows', () => {
    const p = plan(
      [at(0, { id: 1, op: 'watch' }), at(100, { id: 2, op: 'get' }), at(200, { id: 3, op: 'subscribe' })],
      [
        at(10, { id: 1, status: 'ok' }),
        at(50, { event: 'changed' }),
        at(110, { id: 2, status: 'ok' }),
        at(210, { id: 3, status: 'ok' }),
        at(300, { id: 3, tick: 1 }),
        at(400, { id: 3, tick: 2 }),
      ],
    );
    expect(p.steps.map((s) => s.expect !== null)).toEqual([false, true, false]);
    expect(p.notes).toEqual([
      "2 answers are not checked: other messages (a subscription's stream, a push) came in their wake",
    ]);
    const script = artilleryScript(p);
    expect(script.match(/match:/g)).toHaveLength(1);
  });

  it('opens graphql-ws with connection_init awaiting connection_ack, and leaves the recorded pongs to the script', () => {
    const p = plan(
      [
        at(0, { type: 'connection_init' }),
        at(20, { id: '1', type: 'subscribe', payload: { query: 'subscription { tick }' } }),
        at(500, { type: 'pong' }),
      ],
      [
        at(10, { type: 'connection_ack' }),
        at(100, { id: '1', type: 'next', payload: { data: { tick: 1 } } }),
        at(499, { type: 'ping' }),
        at(600, { id: '1', type: 'next', payload: { data: { tick: 2 } } }),
      ],
      'graphql-ws',
    );
    expect(p.opening).toBe(true);
    expect(p.steps.map((s) => s.expect)).toEqual([
      { key: { field: 'type', value: 'connection_ack' }, check: null },
      null,
    ]);
    expect(p.heartbeat).toEqual({ when: { field: 'type', value: 'ping' }, answer: '{"type":"pong"}' });
    expect(p.notes).toContain(
      "1 pong answering the server's pings is left out: k6 answers each ping as it comes; Artillery's ws engine cannot",
    );
  });
});
