import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import {
  catchUpTextIndex,
  indexPendingText,
  searchText,
} from '../../../../electron/engine/sessions/text-index.js';
import { createSession, setSpoolPath } from '../../../../electron/engine/sessions/session-store.js';
import { SpoolApplier } from '../../../../electron/engine/store/spool-apply.js';
import { SpoolWriter } from '../../../../electron/engine/store/spool.js';
import { tempDir, type TempDir } from '../store/helpers.js';

const TEXT = 1;
const BINARY = 2;
const PING = 9;

let dir: TempDir;
let db: Db;

beforeEach(() => {
  dir = tempDir('frameline-fts-');
  db = openStore(dir.file('store.db'));
});

afterEach(() => {
  db.close();
  dir.remove();
});

/** Records a session through a spool and the applier, as a capture does; frames get seq 1, 2, ... */
function record(name: string, frames: Array<[opcode: number, payload: string]>): number {
  const id = createSession(db, {
    name,
    kind: 'capture',
    target: 'ws://localhost/',
    settings: {},
    createdAt: 0,
  });
  const spool = dir.file(`${name}.spool`);
  setSpoolPath(db, id, spool);
  const w = new SpoolWriter(spool);
  w.message({ type: 'connection', ordinal: 1, url: 'ws://localhost/', startedAt: 0, requestHeaders: {} });
  frames.forEach(([opcode, payload], i) =>
    w.frame(1, i + 1, i + 1, i % 2, opcode, Buffer.from(payload), 1 << 20),
  );
  w.close();
  const a = new SpoolApplier(db, id, spool, 0);
  try {
    expect(a.applyUpTo()).toBe(frames.length);
  } finally {
    a.close();
  }
  return id;
}

const indexed = (word: string): number[] =>
  (
    db.prepare('SELECT rowid FROM frame_text WHERE frame_text MATCH ? ORDER BY rowid').all(word) as Array<{
      rowid: number;
    }>
  ).map((r) => r.rowid);

describe('full-text search', () => {
  it('finds words of text frames and nothing in binary or control frames', () => {
    const id = record('a', [
      [TEXT, '{"type":"hello","user":"alpha"}'],
      [BINARY, 'alpha inside a binary frame'],
      [TEXT, 'beta gamma'],
      [PING, 'alpha ping'],
      [TEXT, 'ALPHA again, upper case'],
    ]);
    expect(searchText(db, id, 'alpha')).toEqual([1, 5]);
    expect(searchText(db, id, 'beta')).toEqual([3]);
    expect(searchText(db, id, 'binary')).toEqual([]);
    expect(searchText(db, id, 'ping')).toEqual([]);
    expect(searchText(db, id, 'nowhere')).toEqual([]);
  });

  it('keeps sessions apart', () => {
    const a = record('a', [
      [TEXT, 'shared word'],
      [TEXT, 'only in a'],
    ]);
    const b = record('b', [
      [TEXT, 'nothing'],
      [TEXT, 'shared here too'],
    ]);
    expect(searchText(db, a, 'shared')).toEqual([1]);
    expect(searchText(db, b, 'shared')).toEqual([2]);
  });

  it('honours the limit', () => {
    const id = record(
      'a',
      Array.from({ length: 10 }, (): [number, string] => [TEXT, 'same word']),
    );
    expect(searchText(db, id, 'same', 3)).toEqual([1, 2, 3]);
  });

  it('indexes new frames before each search', () => {
    const a = record('a', [[TEXT, 'first alpha']]);
    expect(searchText(db, a, 'alpha')).toEqual([1]);
    const b = record('b', [[TEXT, 'later alpha']]);
    expect(searchText(db, b, 'alpha')).toEqual([1]);
  });
});

describe('indexPendingText', () => {
  it('is idempotent: a second pass indexes nothing and search results do not change', () => {
    const id = record('a', [
      [TEXT, 'alpha one'],
      [BINARY, 'alpha two'],
      [TEXT, 'alpha three'],
    ]);
    expect(indexPendingText(db)).toBe(3);
    const after = indexed('alpha');
    expect(after).toHaveLength(2);
    expect(indexPendingText(db)).toBe(0);
    catchUpTextIndex(db);
    expect(indexed('alpha')).toEqual(after);
    expect(searchText(db, id, 'alpha')).toEqual([1, 3]);
    expect(searchText(db, id, 'alpha')).toEqual([1, 3]);
    expect(db.prepare("SELECT value FROM store_state WHERE key = 'fts_indexed_upto'").get()).toEqual({
      value: (db.prepare('SELECT max(id) AS m FROM frame').get() as { m: number }).m,
    });
  });

  it('works in batches of maxRows and resumes where it stopped', () => {
    const id = record(
      'a',
      Array.from({ length: 5 }, (_, i): [number, string] => [TEXT, `word${i + 1} common`]),
    );
    expect(indexPendingText(db, 2)).toBe(2);
    expect(indexed('common')).toHaveLength(2);
    expect(indexPendingText(db, 2)).toBe(2);
    expect(indexPendingText(db, 2)).toBe(1);
    expect(indexPendingText(db, 2)).toBe(0);
    expect(indexed('common')).toHaveLength(5);
    expect(searchText(db, id, 'word4')).toEqual([4]);
  });
});
