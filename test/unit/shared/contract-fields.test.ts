// The field schemas both shells check requests with: the sentences an engineer reads when a value
// is out of range, a header is malformed or a reconnect policy contradicts itself.
import { describe, expect, it } from 'vitest';
import { CaptureRequestSchema, ReconnectPolicySchema } from '../../../shared/contract.js';
import { HeaderSchema, numberIn, SubprotocolSchema } from '../../../shared/contract/fields.js';

const firstMessage = (r: { success: boolean; error?: { issues: Array<{ message: string }> } }) =>
  r.success ? null : r.error!.issues[0]!.message;

describe('numberIn', () => {
  const seconds = numberIn(0.1, 300, 'seconds');
  it('accepts the bounds and what lies between', () => {
    for (const n of [0.1, 5, 300]) expect(seconds.safeParse(n).success).toBe(true);
  });
  it.each([0, 300.5, -1, Number.NaN, '5'])('says the range for %j', (bad) => {
    expect(firstMessage(seconds.safeParse(bad))).toBe('must be a number from 0.1 to 300 seconds');
  });
  it('asks for a whole number when it must be one', () => {
    expect(firstMessage(numberIn(0, 10, 'messages', { integer: true }).safeParse(1.5))).toBe(
      'must be a whole number from 0 to 10 messages',
    );
  });
});

describe('HeaderSchema', () => {
  it('accepts a token name with any visible value, spaces and tabs included', () => {
    expect(HeaderSchema.safeParse(['Authorization', 'Bearer a.b\tc']).success).toBe(true);
    expect(HeaderSchema.safeParse(['X-Empty', '']).success).toBe(true);
  });
  it.each(['Bad Name', 'Bad(name)', 'Bäd', 'a/b', ''])('refuses the name %j', (name) => {
    expect(HeaderSchema.safeParse([name, 'v']).success).toBe(false);
  });
  it.each(['one\r\nX-Injected: two', 'one\ntwo', 'one\0two', 'a\u0001b', 'del\u007f'])(
    'refuses the control character in %j',
    (value) => {
      expect(firstMessage(HeaderSchema.safeParse(['X-A', value]))).toMatch(/control characters/);
    },
  );
});

describe('SubprotocolSchema', () => {
  it.each(['graphql-transport-ws', 'v1.json', 'mqtt'])('accepts %j', (p) => {
    expect(SubprotocolSchema.safeParse(p).success).toBe(true);
  });
  it.each(['two words', '', 'a,b', 'proto/1', 'ü'])('refuses %j', (p) => {
    expect(SubprotocolSchema.safeParse(p).success).toBe(false);
  });
});

describe('ReconnectPolicySchema', () => {
  it('fills in the defaults a well-behaved client uses', () => {
    expect(ReconnectPolicySchema.parse({})).toEqual({
      baseMs: 500,
      maxMs: 30_000,
      factor: 2,
      jitter: 0.2,
      attempts: 10,
      giveUpOnRefusal: false,
    });
  });
  it.each([
    ['negative base', { baseMs: -1 }, /from 0 to 3600000 ms/],
    ['max below base', { baseMs: 1000, maxMs: 999 }, /longest reconnect delay/],
    ['factor below 1', { factor: 0.5 }, /from 1 to 10/],
    ['jitter above 1', { jitter: 1.5 }, /from 0 to 1/],
    ['zero attempts', { attempts: 0 }, /whole number from 1/],
  ])('refuses a policy with %s', (_label, over, message) => {
    expect(firstMessage(ReconnectPolicySchema.safeParse(over))).toMatch(message);
  });
});

describe('CaptureRequestSchema', () => {
  it('fills in the defaults the attach screen and the command line share', () => {
    expect(CaptureRequestSchema.parse({ url: 'ws://localhost/' })).toMatchObject({
      headers: [],
      subprotocols: [],
      compression: false,
      insecure: false,
      connectTimeoutSeconds: 10,
      maxPayload: 100 * 1024 * 1024,
      payloadCap: 1024 * 1024,
      sends: [],
    });
  });
});
