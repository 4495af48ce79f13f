import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import {
  countFrames,
  countMatching,
  filteredPage,
  framePage,
  iterateFrames,
} from '../../../../electron/engine/sessions/frame-store.js';
import { catchUpTextIndex } from '../../../../electron/engine/sessions/text-index.js';
import { tempDir, type TempDir } from '../store/helpers.js';

let dir: TempDir;
let db: Db;

beforeEach(() => {
  dir = tempDir('frameline-frames-');
  db = openStore(dir.file('frames.db'));
});

afterEach(() => {
  db.close();
  dir.remove();
});

function seed(sessions: number, framesEach: number): void {
  const insertSession = db.prepare(
    "INSERT INTO session (name, kind, target, status, created_at) VALUES (?, 'capture', 'ws://x', 'complete', 0)",
  );
  const insertFrame = db.prepare(
    'INSERT INTO frame (session_id, connection_id, seq, ts, direction, opcode, size, truncated, payload) VALUES (?, 1, ?, ?, ?, ?, ?, 0, ?)',
  );
  db.transaction(() => {
    for (let s = 1; s <= sessions; s++) {
      insertSession.run(`s${s}`);
      // Inserted in reverse so that rowid order differs from seq order.
      for (let q = framesEach; q >= 1; q--) {
        const text = `s${s} f${q}`;
        insertFrame.run(s, q, 1_000_000 * q, q % 2, 1, Buffer.byteLength(text), Buffer.from(text));
      }
    }
  })();
}

/**
 * The query plans of the statements a call really prepares: the SQL is taken from the store
 * module as it runs (never a copy of it), then explained with the same parameters.
 */
function plansOf(run: () => unknown): string[][] {
  const prepared: Array<{ sql: string; params: unknown[] }> = [];
  const prepare = db.prepare.bind(db);
  const spy = (sql: string) => {
    const stmt = prepare(sql);
    const wrap = (method: 'all' | 'get' | 'iterate') => {
      const original = stmt[method].bind(stmt) as (...p: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[method] = (...params: unknown[]) => {
        prepared.push({ sql, params });
        return original(...params);
      };
    };
    wrap('all');
    wrap('get');
    wrap('iterate');
    return stmt;
  };
  db.prepare = spy as typeof db.prepare;
  try {
    const result = run();
    // A lazy result (iterateFrames) runs its statement only when read.
    if (result && typeof (result as Iterable<unknown>)[Symbol.iterator] === 'function')
      Array.from(result as Iterable<unknown>);
  } finally {
    db.prepare = prepare;
  }
  return prepared.map(({ sql, params }) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map(
      (r) => r.detail,
    ),
  );
}

const scansFrames = (plan: string[]) => plan.some((d) => /^SCAN frame\b(?! USING)/.test(d));
const sorts = (plan: string[]) => plan.some((d) => /TEMP B-TREE/.test(d));

describe('the hot queries of the frame list, as the store runs them', () => {
  beforeEach(() => {
    seed(3, 200);
    catchUpTextIndex(db);
  });

  it('iterateFrames walks index frame_by_session in order', () => {
    const [plan] = plansOf(() => iterateFrames(db, 2, { afterSeq: 10, limit: 50 }));
    expect(plan!.some((d) => /USING (COVERING )?INDEX frame_by_session/.test(d))).toBe(true);
    expect(sorts(plan!)).toBe(false);
    expect(scansFrames(plan!)).toBe(false);
  });

  it('framePage (the first screen of a session) walks index frame_by_session in order', () => {
    const plans = plansOf(() => framePage(db, 2, 0, 50));
    expect(plans).toHaveLength(1);
    expect(plans[0]!.some((d) => /USING (COVERING )?INDEX frame_by_session/.test(d))).toBe(true);
    expect(sorts(plans[0]!)).toBe(false);
  });

  it('the outgoing filter reads the partial index frame_outgoing, and is counted without the frames', () => {
    const [page] = plansOf(() => filteredPage(db, 2, { direction: 'out' }, 0, 50));
    expect(page!.some((d) => /USING (COVERING )?INDEX frame_outgoing/.test(d))).toBe(true);
    expect(sorts(page!)).toBe(false);
    const [count] = plansOf(() => countMatching(db, 2, { direction: 'out' }));
    expect(count!.join(' ')).not.toMatch(/\bframe\b/);
  });

  it('a search is driven by the full-text index, not a scan of the session', () => {
    const [count] = plansOf(() => countMatching(db, 2, { text: 'f7' }));
    expect(count!.some((d) => /VIRTUAL TABLE INDEX/.test(d))).toBe(true);
    expect(scansFrames(count!)).toBe(false);
    const [page] = plansOf(() => filteredPage(db, 2, { text: 'f7' }, 0, 50, 1));
    expect(page!.some((d) => /VIRTUAL TABLE INDEX/.test(d))).toBe(true);
    expect(scansFrames(page!)).toBe(false);
  });
});

describe('iterateFrames', () => {
  it('yields one session in seq order, paged by afterSeq and limit', () => {
    seed(2, 5);
    const all = [...iterateFrames(db, 2)];
    expect(all.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(all.map((f) => f.payload)).toEqual(['s2 f1', 's2 f2', 's2 f3', 's2 f4', 's2 f5']);
    expect([...iterateFrames(db, 2, { afterSeq: 2, limit: 2 })].map((f) => f.seq)).toEqual([3, 4]);
    expect(all[0]).toEqual({
      connection: 1,
      seq: 1,
      ts: '1970-01-01T00:00:01.000000Z',
      direction: 'out',
      opcode: 'text',
      size: 5,
      payload: 's2 f1',
      truncated: false,
      message: null,
    });
    expect(countFrames(db, 2)).toBe(5);
    expect(countFrames(db, 3)).toBe(0);
  });
});
