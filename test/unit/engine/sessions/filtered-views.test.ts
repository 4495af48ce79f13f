// A filtered view of a growing session (pings hidden while a capture runs): what `sessions:frames`
// answers as it grows, and how much of the session each answer reads.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../../electron/engine/store/database.js';
import type { EngineContext } from '../../../../electron/engine/context.js';
import { frames } from '../../../../electron/engine/sessions/sessions.js';
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

/** Commits `n` more frames as the writer does (rows and running totals together): every third a ping. */
function grow(n: number): void {
  const insert = db.prepare(
    'INSERT INTO frame (session_id, connection_id, seq, ts, direction, opcode, size, truncated, payload) VALUES (1, 1, ?, ?, 0, ?, 1, 0, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      committed++;
      insert.run(committed, committed, committed % 3 === 0 ? 9 : 1, Buffer.from('x'));
    }
    db.prepare('UPDATE connection SET frames = ?, frames_in = ? WHERE id = 1').run(committed, committed);
  })();
}

/** Text frames only: 2 of every 3. */
const expectedSeqs = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => from + i + 1).filter((s) => s % 3 !== 0);

/** Calls `run` and answers the SQL parameters of every statement it ran, as the store ran them. */
function statementsOf(run: () => unknown): Array<{ sql: string; params: unknown[] }> {
  const ran: Array<{ sql: string; params: unknown[] }> = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    for (const method of ['all', 'get'] as const) {
      const original = stmt[method].bind(stmt) as (...p: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[method] = (...params: unknown[]) => {
        ran.push({ sql, params });
        return original(...params);
      };
    }
    return stmt;
  }) as typeof db.prepare;
  try {
    run();
  } finally {
    db.prepare = prepare;
  }
  return ran;
}

const textOnly = { opcodes: ['text' as const] };
const ask = (offset: number, limit: number) =>
  frames(ctx, { id: 1, filter: textOnly, offset, limit } as Parameters<typeof frames>[1]);

describe('a filtered view of a live session', () => {
  it('counts right as the session grows, and pages are the matches at their positions', () => {
    grow(300);
    expect(ask(0, 64).total).toBe(200);
    grow(3000);
    const tail = ask(2200 - 64, 64);
    expect(tail.total).toBe(2200);
    expect(tail.frames.map((f) => f.seq)).toEqual(expectedSeqs(0, 3300).slice(2200 - 64));
    grow(1);
    expect(ask(0, 64).total).toBe(2201);
    // Any position, in any order, reads the same rows as a fresh read would.
    for (const offset of [1500, 64, 2137, 0, 999]) {
      expect(ask(offset, 50).frames.map((f) => f.seq)).toEqual(
        expectedSeqs(0, 3301).slice(offset, offset + 50),
      );
    }
  });

  it('counts only the frames added since its last answer', () => {
    grow(3000);
    ask(0, 64);
    grow(30);
    const counts = statementsOf(() => ask(0, 64)).filter(({ sql }) => /count\(\*\) FROM frame\b/.test(sql));
    expect(counts).toHaveLength(1);
    // The count reads seqs 3001..3030 only.
    expect(counts[0]!.sql).toMatch(/seq > \?/);
    expect(counts[0]!.params).toEqual(expect.arrayContaining([3000, 3030]));
    expect(ask(0, 64).total).toBe(2020);
  });

  it('reads the tail page on from a known position, not past every match before it', () => {
    grow(30_000);
    ask(19_936, 64);
    grow(300);
    const pages = statementsOf(() => ask(20_136, 64)).filter(({ sql }) =>
      /ORDER BY seq LIMIT \? OFFSET/.test(sql),
    );
    expect(pages).toHaveLength(1);
    // Skips 136 matches after a known seq, never 20,136 from the start.
    expect(pages[0]!.params.at(-1)).toBe(20_136 - 20_000);
    expect(ask(20_136, 64).frames.map((f) => f.seq)).toEqual(expectedSeqs(0, 30_300).slice(20_136, 20_200));
  });

  it('starts again for a new session given a deleted one’s number', () => {
    grow(300);
    expect(ask(0, 64).total).toBe(200);
    db.prepare('DELETE FROM frame').run();
    db.prepare('DELETE FROM connection').run();
    db.prepare('DELETE FROM session').run();
    db.prepare(
      "INSERT INTO session (id, name, kind, target, status, created_at) VALUES (1, 'again', 'capture', 'ws://x', 'live', 1)",
    ).run();
    db.prepare(
      "INSERT INTO connection (session_id, ordinal, url, started_at) VALUES (1, 1, 'ws://x', 0)",
    ).run();
    committed = 0;
    grow(30);
    expect(ask(0, 64).total).toBe(20);
    expect(ask(0, 64).frames.map((f) => f.seq)).toEqual(expectedSeqs(0, 30));
  });
});
