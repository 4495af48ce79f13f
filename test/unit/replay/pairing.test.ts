import { describe, expect, it } from 'vitest';
import { pairConversations, summarisePairs, type TimedMessage } from '../../../shared/replay/pairing.js';
import { ignoreRules } from '../../../shared/replay/volatile.js';

const at = (ms: number, value: unknown): TimedMessage => ({
  ts: ms * 1000,
  opcode: 'text',
  text: typeof value === 'string' ? value : JSON.stringify(value),
});
const rules = ignoreRules([], 'id');

describe('pairConversations', () => {
  it('pairs answers by id whatever their order, with latency beside the original', () => {
    const original = {
      sent: [at(0, { id: 1, op: 'a' }), at(10, { id: 2, op: 'b' })],
      received: [at(5, { id: 1, v: 1 }), at(30, { id: 2, v: 2 })],
    };
    const replay = {
      sent: [at(100, { id: 1, op: 'a' }), at(110, { id: 2, op: 'b' })],
      received: [at(112, { id: 2, v: 3 }), at(140, { id: 1, v: 1 })],
    };
    const pairs = pairConversations(original, replay, { idField: 'id', rules });
    expect(pairs.map((p) => [p.kind, p.id, p.paths, p.originalMs, p.replayMs])).toEqual([
      ['matched', 1, [], 5, 40],
      ['changed', 2, ['$.v'], 20, 2],
    ]);
    expect(pairs[1]!.request).toBe('{"id":2,"op":"b"}');
    expect(summarisePairs(pairs)).toMatchObject({ matched: 1, changed: 1, missing: 0, extra: 0 });
  });

  it('reports missing and extra answers, by id and by order', () => {
    const original = {
      sent: [at(0, { id: 1 }), at(1, 'ping')],
      received: [at(2, { id: 1, ok: true }), at(3, 'pong'), at(4, 'tick')],
    };
    const replay = {
      sent: [at(0, { id: 1 }), at(1, 'ping')],
      received: [at(3, 'pong'), at(5, { id: 9, ok: true })],
    };
    const pairs = pairConversations(original, replay, { idField: 'id', rules });
    expect(pairs.map((p) => [p.kind, p.id])).toEqual([
      ['missing', 1],
      ['matched', null],
      ['changed', null],
    ]);
    // An id that no request carried is not an id: {"id":9} is paired by order, with "tick".
    expect(pairs[2]!.actual).toBe('{"id":9,"ok":true}');
    const fewer = pairConversations(
      original,
      { ...replay, received: [at(3, 'pong')] },
      { idField: 'id', rules },
    );
    expect(fewer.map((p) => [p.kind, p.id])).toEqual([
      ['missing', 1],
      ['matched', null],
      ['missing', null],
    ]);
    const more = pairConversations(
      { ...original, received: [at(3, 'pong')] },
      { ...replay, received: [at(3, 'pong'), at(4, 'late')] },
      { idField: 'id', rules },
    );
    expect(more.map((p) => [p.kind, p.actual])).toEqual([
      ['matched', 'pong'],
      ['extra', 'late'],
    ]);
  });

  it('pairs by order when the messages carry no id, each with the request before it', () => {
    const original = { sent: [at(0, 'a'), at(10, 'b')], received: [at(4, 'A'), at(12, 'B')] };
    const replay = { sent: [at(0, 'a'), at(10, 'b')], received: [at(3, 'A'), at(15, 'X')] };
    const pairs = pairConversations(original, replay, { idField: 'id', rules });
    expect(pairs.map((p) => [p.kind, p.request, p.originalMs, p.replayMs])).toEqual([
      ['matched', 'a', 4, 3],
      ['changed', 'b', 2, 5],
    ]);
    const s = summarisePairs(pairs);
    expect(s.latency).toEqual({ originalP50Ms: 3, originalP95Ms: 3.9, replayP50Ms: 4, replayP95Ms: 4.9 });
  });
});
