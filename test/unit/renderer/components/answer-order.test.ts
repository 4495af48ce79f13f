import { describe, expect, it } from 'vitest';
import { AnswerOrder } from '../../../../renderer/components/answer-order';

describe('answers shown in the order their requests were sent', () => {
  it('an answer to an earlier request that arrives after a later one’s is not shown', () => {
    // A refresh is sent (the walk at START), then the user takes a way on (the walk at COUNT);
    // the move answers first, the refresh last: COUNT stays on screen.
    const order = new AnswerOrder();
    const refresh = order.issue();
    const move = order.issue();
    expect(order.take(move)).toBe(true);
    expect(order.take(refresh)).toBe(false);
    expect(order.current(refresh)).toBe(false);
  });

  it('answers arriving in order are all shown, and a request sent after them supersedes them', () => {
    const order = new AnswerOrder();
    const a = order.issue();
    const b = order.issue();
    expect(order.take(a)).toBe(true);
    expect(order.take(b)).toBe(true);
    const c = order.issue();
    expect(order.current(b)).toBe(true);
    expect(order.take(c)).toBe(true);
    expect(order.current(b)).toBe(false);
  });

  it('expire drops every answer still on its way (another walk is shown now)', () => {
    const order = new AnswerOrder();
    const before = order.issue();
    order.expire();
    expect(order.take(before)).toBe(false);
    const after = order.issue();
    expect(order.take(after)).toBe(true);
  });
});
