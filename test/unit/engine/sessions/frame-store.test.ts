import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import { countFrames, iterateFrames } from '../../../../electron/engine/sessions/frame-store.js';
import { tempDir, type TempDir } from '../store/helpers.js';

// The statement iterateFrames prepares (electron/engine/sessions/frame-store.ts), kept verbatim.
const FRAMES_SQL = `SELECT id, connection_id, seq, ts, direction, opcode, size, truncated, payload FROM frame
     WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`;

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

describe('the frames query of iterateFrames', () => {
  it('is the statement iterateFrames runs', () => {
    seed(1, 3);
    const fromSql = db.prepare(FRAMES_SQL).all(1, 1, 10) as Array<{ seq: number }>;
    expect(fromSql.map((r) => r.seq)).toEqual(
      [...iterateFrames(db, 1, { afterSeq: 1, limit: 10 })].map((f) => f.seq),
    );
  });

  it('searches index frame_by_session and sorts without a temp b-tree', () => {
    seed(3, 200);
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${FRAMES_SQL}`).all(2, 10, 50) as Array<{ detail: string }>
    ).map((r) => r.detail);
    expect(plan.some((d) => /USING (COVERING )?INDEX frame_by_session/.test(d))).toBe(true);
    expect(plan.some((d) => /TEMP B-TREE/.test(d))).toBe(false);
    expect(plan.some((d) => /^SCAN frame\b(?! USING)/.test(d))).toBe(false);
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
    });
    expect(countFrames(db, 2)).toBe(5);
    expect(countFrames(db, 3)).toBe(0);
  });
});
