// Frames by regular expression and by JSONPath over a whole session (`sessions:frames` with grep or
// where, and `sessions:records` as `show --grep/--where` reads it): pages, counts, a growing
// session, the other conditions of a filter, and a search that does not parse.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../../electron/engine/store/database.js';
import type { EngineContext } from '../../../../electron/engine/context.js';
import { InputError } from '../../../../electron/engine/errors.js';
import { frameRecords, searchedFrames } from '../../../../electron/engine/sessions/sessions.js';
import { liveSession } from './live-session.js';

let db: Db;
let ctx: EngineContext;
let committed: number;
let remove: () => void;

beforeEach(() => {
  ({ db, ctx, remove } = liveSession('frameline-sessions-'));
  committed = 0;
});

afterEach(() => remove());

/**
 * Commits `n` more frames: every fifth an error message with an item id and a price, every seventh
 * a ping (seq 35 is a ping, so not an error), the others ticks. Odd seqs are outgoing.
 */
function grow(n: number): void {
  const insert = db.prepare(
    'INSERT INTO frame (session_id, connection_id, seq, ts, direction, opcode, size, truncated, payload) VALUES (1, 1, ?, ?, ?, ?, ?, 0, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      committed++;
      const s = committed;
      const ping = s % 7 === 0;
      const text =
        s % 5 === 0
          ? JSON.stringify({ type: 'error', data: { items: [{ id: `item-${s}`, price: s }] } })
          : JSON.stringify({ type: 'tick', seq: s });
      const payload = Buffer.from(ping ? 'error' : text);
      insert.run(s, s, s % 2, ping ? 9 : 1, payload.length, payload);
    }
    db.prepare('UPDATE connection SET frames = ? WHERE id = 1').run(committed);
  })();
}

const ask = (filter: Record<string, unknown>, offset = 0, limit = 64) =>
  searchedFrames(ctx, { id: 1, filter, offset, limit } as Parameters<typeof searchedFrames>[1]);
const errorSeqs = (upto: number) =>
  Array.from({ length: upto }, (_, i) => i + 1).filter((s) => s % 5 === 0 && s % 7 !== 0);

describe('payload search over a session', () => {
  it('finds frames by JSONPath equality, existence and comparison, over the whole session, page by page', async () => {
    grow(3000);
    const all = await ask({ where: '$.type == "error"' });
    expect(all.total).toBe(errorSeqs(3000).length);
    expect(all.frames.map((f) => f.seq)).toEqual(errorSeqs(3000).slice(0, 64));
    const later = await ask({ where: '$.type == "error"' }, 500, 10);
    expect(later.frames.map((f) => f.seq)).toEqual(errorSeqs(3000).slice(500, 510));
    expect((await ask({ where: '$.data.items[0].id' })).total).toBe(errorSeqs(3000).length);
    expect((await ask({ where: '$.data.items[0].price > 2990' })).frames.map((f) => f.seq)).toEqual([
      2995, 3000,
    ]);
    expect((await ask({ where: '$.type != "tick"' })).total).toBe(errorSeqs(3000).length);
  });

  it('finds frames by regular expression in text frames only, with the rest of the filter', async () => {
    grow(100);
    // The pings' payload says "error" too, but a ping is not a text frame.
    expect((await ask({ grep: 'error' })).total).toBe(errorSeqs(100).length);
    expect((await ask({ grep: '/ITEM-1\\d\\b/i' })).frames.map((f) => f.seq)).toEqual([10, 15]);
    const outgoing = await ask({ grep: '"error"', direction: 'out' });
    expect(outgoing.frames.map((f) => f.seq)).toEqual(errorSeqs(100).filter((s) => s % 2 === 1));
    const both = await ask({ grep: 'item-[1-4]0"', where: '$.data.items[0].price >= 30' });
    expect(both.frames.map((f) => f.seq)).toEqual([30, 40]);
  });

  it('carries a live session’s search on with the frames committed since', async () => {
    grow(40);
    expect((await ask({ where: '$.type == "error"' })).total).toBe(errorSeqs(40).length);
    grow(60);
    const grown = await ask({ where: '$.type == "error"' });
    expect(grown.total).toBe(errorSeqs(100).length);
    expect(grown.frames.at(-1)?.seq).toBe(100);
  });

  it('refuses a bad pattern or JSONPath in one line an engineer can act on', async () => {
    grow(5);
    await expect(ask({ grep: '(unclosed' })).rejects.toThrow(InputError);
    await expect(ask({ grep: '(unclosed' })).rejects.toThrow(
      '"(unclosed" is not a regular expression: Unterminated group',
    );
    await expect(ask({ where: 'type == "error"' })).rejects.toThrow(
      '"type == "error"" is not a JSONPath: start at the document, as in $.type == "error"',
    );
  });

  it('pages whole records of the matching frames only, for show --grep/--where', async () => {
    grow(100);
    const read = (afterSeq: number, limit: number) =>
      frameRecords(ctx, { id: 1, afterSeq, limit, where: '$.type == "error"' } as Parameters<
        typeof frameRecords
      >[1]);
    const first = await read(0, 5);
    expect(first.frames.map((f) => f.seq)).toEqual([5, 10, 15, 20, 25]);
    expect(first.frames[0]!.payload).toContain('item-5');
    expect(first.next).toBe(25);
    const rest = await read(first.next!, 100);
    expect(rest.frames.map((f) => f.seq)).toEqual(errorSeqs(100).slice(5));
    expect(rest.next).toBeNull();
  });
});
