// Tables: segment, session, frame
// Segments: the append-only files beside the database that hold frame payloads. A capture's spool
// is written once by the receiving thread and kept as its session's segment: the writer thread only
// records, in SQLite, where each payload lies (segment, offset, length). This module owns the
// segment table and the files: reading payload bytes back (through a small cache of open files and
// read-ahead windows, so that a page or a whole session read in order costs few system calls) and
// checking them against the checksum taken at commit, deleting a session's files, and compaction.
// A segment is named by its file's name in the frames folder of the path the database is opened
// with (see recording.ts), and only files of that folder are ever deleted or rewritten: a copy of a
// database never touches its original's files.
import {
  closeSync,
  copyFileSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { CompactionReport as ContractCompactionReport } from '../../../shared/contract/sessions.js';
import type { DamageKind } from '../../../shared/frame-damage.js';
import { crc32 } from './checksum.js';
import { databasePath, requireWritable, StoreError } from './database.js';
import { storageAdvice } from '../errors.js';
import { ioFailure, isBusy } from './io-errors.js';
import { RecorderLock } from './recorder-lock.js';
import { framesDir, fromStoredPath, ownsFile, toStoredPath } from './recording.js';

/** Read-ahead window: a run of small payloads read in order costs one read per window. */
const WINDOW_BYTES = 1 << 20;
/** Open segment files kept per database connection. */
const MAX_OPEN = 16;

interface OpenSegment {
  fd: number;
  path: string;
  /** The file's size when last looked at (a live session's segment grows). */
  size: number;
  window: Buffer | null;
  windowStart: number;
}

/** Payload bytes as read back: intact (or unchecked, for frames from before checksums), or damaged and withheld. */
export type PayloadRead = { bytes: Buffer; damage: null } | { bytes: null; damage: DamageKind };

const EMPTY = Buffer.alloc(0);
const CHANGED: PayloadRead = { bytes: null, damage: 'checksum' };
const CUT_SHORT: PayloadRead = { bytes: null, damage: 'cut-short' };
const MISSING: PayloadRead = { bytes: null, damage: 'missing' };

/** How long a segment file found missing is taken as missing before it is looked for again. */
const MISSING_RECHECK_MS = 1000;

/** Reads payload bytes from the segments of one database connection. */
export class SegmentReader {
  private readonly open = new Map<number, OpenSegment>();
  /** Segments whose file was missing, and when that was seen (a restored file is found again). */
  private readonly missing = new Map<number, number>();
  private readonly pathOf: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly dbPath: string,
  ) {
    this.pathOf = db.prepare('SELECT session_id, path FROM segment WHERE id = ?');
  }

  /**
   * At most `max` of the `length` payload bytes at `offset` of segment `segmentId`, checked. With a
   * checksum (`crc`), the whole payload is read and must match it, also when only its head is
   * wanted; without one (frames committed before checksums), the file must at least hold it. A
   * payload that fails is answered as damaged, its bytes withheld, never thrown: the frames around
   * it still read. So is one whose segment file is missing (deleted, or a database copied without
   * its frames folder): `missingSegments` says which file to put back. The bytes may be a view into
   * a shared read window.
   */
  read(segmentId: number, offset: number, length: number, crc: number | null, max = length): PayloadRead {
    if (length === 0) return crc === null || crc === 0 ? { bytes: EMPTY, damage: null } : CHANGED;
    const s = this.segment(segmentId);
    if (s === null) return MISSING;
    if (offset + length > s.size) {
      s.size = fstatSync(s.fd).size;
      if (offset + length > s.size) return CUT_SHORT;
    }
    const want = crc === null ? Math.min(length, max) : length;
    const bytes = this.bytes(s, offset, want);
    if (bytes === null) return CUT_SHORT;
    if (crc !== null && crc32(bytes) !== crc) return CHANGED;
    return { bytes: want > max ? bytes.subarray(0, max) : bytes, damage: null };
  }

  /** Forgets segments (their session was deleted, or compaction replaced them). */
  forget(ids: Iterable<number>): void {
    for (const id of ids) {
      this.missing.delete(id);
      const s = this.open.get(id);
      if (!s) continue;
      closeSync(s.fd);
      this.open.delete(id);
    }
  }

  close(): void {
    this.forget([...this.open.keys()]);
  }

  /** The open file of segment `id`; null when the file is missing. */
  private segment(id: number): OpenSegment | null {
    let s = this.open.get(id);
    if (s) {
      // Most recently used last.
      this.open.delete(id);
      this.open.set(id, s);
      return s;
    }
    const seen = this.missing.get(id);
    if (seen !== undefined && performance.now() - seen < MISSING_RECHECK_MS) return null;
    const stored = this.pathOf.get(id) as { session_id: number; path: string } | undefined;
    if (stored === undefined)
      throw new StoreError(
        `a frame names segment ${id}, which the database does not know; the database is damaged: restore it from a copy`,
        'corrupt',
      );
    const path = fromStoredPath(this.dbPath, stored.path);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.missing.set(id, performance.now());
        return null;
      }
      throw new StoreError(
        `cannot read ${path}: ${ioFailure(err) ?? (err as Error).message}; check the file's permissions and the disk, then try again`,
        'io',
      );
    }
    this.missing.delete(id);
    if (this.open.size >= MAX_OPEN) this.forget([this.open.keys().next().value!]);
    s = { fd, path, size: fstatSync(fd).size, window: null, windowStart: 0 };
    this.open.set(id, s);
    return s;
  }

  /** `length` bytes at `offset`, through the read-ahead window; null when the file ends first. */
  private bytes(s: OpenSegment, offset: number, length: number): Buffer | null {
    const w = s.window;
    if (w && offset >= s.windowStart && offset + length <= s.windowStart + w.length)
      return w.subarray(offset - s.windowStart, offset - s.windowStart + length);
    if (length * 2 > WINDOW_BYTES) {
      const into = Buffer.allocUnsafe(length);
      return this.readAtMost(s, offset, into) < length ? null : into;
    }
    const window = Buffer.allocUnsafe(WINDOW_BYTES);
    const got = this.readAtMost(s, offset, window);
    if (got < length) return null;
    s.window = window.subarray(0, got);
    s.windowStart = offset;
    return window.subarray(0, length);
  }

  private readAtMost(s: OpenSegment, offset: number, into: Buffer): number {
    let got = 0;
    while (got < into.length) {
      const n = readSync(s.fd, into, got, into.length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }
}

/**
 * What to put back for the segments of session `sessionId` whose files are missing: one sentence
 * per missing file (or one for the whole frames folder, when it is gone), naming it and where it
 * belongs. Empty when every file is there.
 */
export function missingSegments(db: Database.Database, sessionId: number): string[] {
  const dbPath = databasePath(db);
  const whose = `the frame payloads of session ${sessionId}`;
  const out: string[] = [];
  for (const path of sessionSegments(db, dbPath, sessionId).values()) {
    if (existsSync(path)) continue;
    const folder = dirname(path);
    if (!existsSync(folder))
      return [
        `${whose} are in ${folder}, which is missing; put the folder ${basename(folder)} back beside ${basename(dbPath)}`,
      ];
    out.push(
      `${whose} are in ${path}, which is missing from ${folder}; restore that file from a copy of the folder`,
    );
  }
  return out;
}

/** Where a frame's payload is: the columns every query that needs payload bytes selects. */
export interface PayloadRef {
  /** The inline payload (frames from before segments); empty (or a head) otherwise. */
  payload: Buffer | null;
  segment_id: number | null;
  payload_offset: number | null;
  payload_length: number | null;
  /** CRC-32 of the segment's payload bytes; null for frames committed before checksums (unchecked). */
  payload_crc: number | null;
}

/** The columns of a PayloadRef, for a SELECT (`p` qualifies them, as `f.`). */
export const PAYLOAD_REF = (p = ''): string =>
  `${p}payload, ${p}segment_id, ${p}payload_offset, ${p}payload_length, ${p}payload_crc`;

/**
 * A frame's stored payload bytes (at most `max` of them), wherever they lie, checked against the
 * checksum taken at commit; or, when they failed the check, why (and no bytes). The buffer may be a
 * view into a shared read window: copy it to keep it beyond converting it.
 */
export function readPayload(db: Database.Database, r: PayloadRef, max = Infinity): PayloadRead {
  if (r.segment_id === null) {
    const inline = r.payload ?? Buffer.alloc(0);
    return { bytes: inline.length > max ? inline.subarray(0, max) : inline, damage: null };
  }
  const length = r.payload_length!;
  return segmentReader(db).read(
    r.segment_id,
    r.payload_offset!,
    length,
    r.payload_crc,
    Math.min(length, max),
  );
}

const readers = new WeakMap<Database.Database, SegmentReader>();

/** The segment reader of a database connection (one per connection, made on first use). */
export function segmentReader(db: Database.Database): SegmentReader {
  let r = readers.get(db);
  if (!r) {
    const reader = new SegmentReader(db, databasePath(db));
    readers.set(db, reader);
    // Its open files close with the connection.
    const close = db.close.bind(db);
    db.close = () => {
      reader.close();
      return close();
    };
    r = reader;
  }
  return r;
}

/** The segment that holds a session's spool, made when its first frame is committed. */
export function segmentFor(db: Database.Database, dbPath: string, sessionId: number, file: string): number {
  const path = toStoredPath(dbPath, file);
  const id = db
    .prepare('SELECT id FROM segment WHERE session_id = ? AND path = ?')
    .pluck()
    .get(sessionId, path) as number | undefined;
  if (id !== undefined) return id;
  return Number(
    db.prepare('INSERT INTO segment (session_id, path) VALUES (?, ?)').run(sessionId, path).lastInsertRowid,
  );
}

/** The files of a session's segments (absolute paths), to delete with it. */
export function sessionSegments(
  db: Database.Database,
  dbPath: string,
  sessionId: number,
): Map<number, string> {
  const rows = db.prepare('SELECT id, path FROM segment WHERE session_id = ?').all(sessionId) as Array<{
    id: number;
    path: string;
  }>;
  return new Map(rows.map((r) => [r.id, fromStoredPath(dbPath, r.path)]));
}

/**
 * Deletes the files of segments whose rows are gone (their session was deleted). A file that cannot
 * be deleted now (held open elsewhere) is left for compaction; one outside the database's frames
 * folder is not its own and is left alone. Returns the bytes freed.
 */
export function removeSegmentFiles(db: Database.Database, segments: Map<number, string>): number {
  segmentReader(db).forget(segments.keys());
  const dbPath = databasePath(db);
  let freed = 0;
  for (const path of segments.values()) {
    if (!ownsFile(dbPath, path)) continue;
    try {
      const size = statSync(path).size;
      rmSync(path, { force: true });
      freed += size;
    } catch {
      // left for compaction
    }
  }
  return freed;
}

/** What compaction did: the contract's answer to `sessions:compact`. */
export type CompactionReport = ContractCompactionReport;

/** A segment is rewritten when less than this share of its bytes are payloads that frames refer to. */
const REWRITE_BELOW = 0.9;

/**
 * Compaction, on request (`frameline compact`): deletes segment files nobody refers to (a deletion
 * interrupted before its files went, or a file held open at the time), rewrites finished segments
 * whose framing (record headers, connection records, a damaged tail) outweighs a tenth of the file
 * so that they hold payload bytes only, and compacts the database file itself (`VACUUM`), which
 * gives back the pages of deleted frames and of payloads stored inline by older versions.
 * Live sessions are left alone, and so is every file outside the database's own frames folder.
 */
export function compactSegments(db: Database.Database, dbPath: string): CompactionReport {
  requireWritable(db, 'be compacted');
  const dir = framesDir(dbPath);
  if (!existsSync(dir)) return compactFiles(db, dbPath);
  // One compaction of a frames folder at a time (another process may run one): what it finds there
  // unreferenced, a rewrite's temporary file among it, was left by one that died.
  const lockPath = join(dir, 'compact.lock');
  let lock: RecorderLock;
  try {
    lock = RecorderLock.acquire(lockPath, 5000);
  } catch (err) {
    if (isBusy(err))
      throw new StoreError(
        `another "frameline compact" is compacting ${dbPath}; try again when it has finished`,
        'busy',
      );
    throw new StoreError(
      `cannot compact ${dbPath}: cannot make its lock file ${lockPath} (${ioFailure(err) ?? (err as Error).message}); nothing was changed; ${storageAdvice(err)}`,
      'io',
    );
  }
  try {
    return compactFiles(db, dbPath);
  } finally {
    lock.release();
  }
}

/** Compaction itself, once no other compaction can run on the same frames folder. */
function compactFiles(db: Database.Database, dbPath: string): CompactionReport {
  const report: CompactionReport = {
    orphansRemoved: 0,
    segmentsRewritten: 0,
    damagedSegmentsKept: 0,
    bytesFreed: 0,
    vacuumed: false,
  };
  const dir = framesDir(dbPath);
  if (existsSync(dir)) {
    const referenced = new Set<string>();
    for (const p of db.prepare('SELECT path FROM segment').pluck().all() as string[])
      referenced.add(fromStoredPath(dbPath, p));
    for (const p of db
      .prepare('SELECT spool_path FROM session WHERE spool_path IS NOT NULL')
      .pluck()
      .all() as string[])
      referenced.add(fromStoredPath(dbPath, p));
    // Sessions still live own their files whether or not a row refers to them yet.
    const live = new Set(
      db.prepare("SELECT id FROM session WHERE status = 'live'").pluck().all() as number[],
    );
    for (const name of readdirSync(dir)) {
      const m = /^session-(\d+)(?:-\d+)?\.(?:frames|spool)$/.exec(name);
      // A rewrite's temporary file is never referenced: one left here was a compaction's that died.
      const rewrite = /^session-\d+-\d+\.frames\.tmp$/.test(name);
      if (!m && !rewrite) continue;
      const path = join(dir, name);
      if (m && (referenced.has(path) || live.has(Number(m[1])))) continue;
      try {
        report.bytesFreed += statSync(path).size;
        rmSync(path, { force: true });
        report.orphansRemoved++;
      } catch {
        // still held open: the next compaction takes it
      }
    }
  }
  const candidates = db
    .prepare(
      `SELECT g.id, g.session_id, g.path, coalesce(sum(f.payload_length), 0) AS used
       FROM segment g JOIN session s ON s.id = g.session_id
       LEFT JOIN frame f ON f.segment_id = g.id
       WHERE s.status != 'live' AND s.spool_path IS NULL
       GROUP BY g.id`,
    )
    .all() as Array<{ id: number; session_id: number; path: string; used: number }>;
  for (const c of candidates) {
    const path = fromStoredPath(dbPath, c.path);
    if (!ownsFile(dbPath, path)) continue;
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      continue;
    }
    if (size === 0 || c.used >= size * REWRITE_BELOW) continue;
    const written = rewriteSegment(db, dbPath, c.id, c.session_id, path);
    if (written === null) {
      report.damagedSegmentsKept++;
      continue;
    }
    report.bytesFreed += size - written;
    report.segmentsRewritten++;
  }
  const before = databaseBytes(dbPath);
  try {
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
    report.vacuumed = true;
    report.bytesFreed += Math.max(0, before - databaseBytes(dbPath));
  } catch (err) {
    if (isBusy(err)) return report;
    const io = ioFailure(err);
    if (io === null) throw err;
    const done =
      report.segmentsRewritten + report.orphansRemoved > 0
        ? ` (the segment files were: ${(report.bytesFreed / 1048576).toFixed(1)} MiB freed)`
        : '';
    throw new StoreError(
      `the database file ${dbPath} was not compacted${done}: ${io} (compacting it needs about as much free space as it takes); it is as it was; ${storageAdvice(err)}`,
      'io',
    );
  }
  return report;
}

function databaseBytes(dbPath: string): number {
  let n = 0;
  for (const p of [dbPath, `${dbPath}-wal`]) {
    try {
      n += statSync(p).size;
    } catch {
      // no such file
    }
  }
  return n;
}

/**
 * Copies the payloads a segment's frames refer to into a new file, in order, then points the frames
 * at it in one transaction and deletes the old file. A write or a commit that fails removes the new
 * file at once (the frames still point into the old one); a crash before the commit leaves it (its
 * `.tmp`, or the renamed file) an orphan the next compaction deletes; after it, the old one. Returns the new file's size.
 * Each payload is checked on the way; the checksums stay in the frame rows, so they hold for the new
 * file as they did for the old. A segment with a damaged frame is not rewritten (null): copying the
 * bytes would make a fresh file of them, and dropping them would take the evidence of the damage.
 */
function rewriteSegment(
  db: Database.Database,
  dbPath: string,
  segmentId: number,
  sessionId: number,
  path: string,
): number | null {
  const target = join(framesDir(dbPath), `session-${sessionId}-${segmentId}.frames`);
  const tmp = `${target}.tmp`;
  const reader = segmentReader(db);
  const rows = db
    .prepare(
      'SELECT id, payload_offset AS o, payload_length AS n, payload_crc AS crc FROM frame WHERE segment_id = ? ORDER BY payload_offset',
    )
    .all(segmentId) as Array<{ id: number; o: number; n: number; crc: number | null }>;
  const moved: Array<[number, number]> = [];
  let at = 0;
  let damaged = false;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const r of rows) {
        const { bytes } = reader.read(segmentId, r.o, r.n, r.crc);
        if (bytes === null) {
          damaged = true;
          break;
        }
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, at + off);
        moved.push([r.id, at]);
        at += r.n;
      }
      if (!damaged) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (!damaged) renameSync(tmp, target);
  } catch (err) {
    // A full disk, say: the partial copy goes, and the frames still point into the old file.
    rmSync(tmp, { force: true });
    const io = ioFailure(err);
    if (io === null) throw err;
    throw new StoreError(
      `compaction stopped: cannot write ${tmp}, the rewritten segment of session ${sessionId}: ${io}; it was removed, and every frame is where it was; ${storageAdvice(err)}`,
      'io',
    );
  }
  if (damaged) {
    rmSync(tmp, { force: true });
    return null;
  }
  let newId = 0;
  try {
    db.transaction(() => {
      newId = Number(
        db
          .prepare('INSERT INTO segment (session_id, path) VALUES (?, ?)')
          .run(sessionId, toStoredPath(dbPath, target)).lastInsertRowid,
      );
      const point = db.prepare('UPDATE frame SET segment_id = ?, payload_offset = ? WHERE id = ?');
      for (const [id, offset] of moved) point.run(newId, offset, id);
      db.prepare('DELETE FROM segment WHERE id = ?').run(segmentId);
    })();
  } catch (err) {
    // Not switched (the database is full or locked): the frames point into the old file, and the
    // new one is nobody's.
    rmSync(target, { force: true });
    throw err;
  }
  reader.forget([segmentId]);
  try {
    rmSync(path, { force: true });
  } catch {
    // held open elsewhere: nothing refers to it any more, so the next compaction deletes it
  }
  return at;
}

/**
 * A spool wholly committed: kept as its session's segment when frames point into it, else (a
 * session without frames) deleted, since the database holds everything else it recorded — when it
 * is the database's own.
 */
export function retireSpool(db: Database.Database, dbPath: string, spool: string): void {
  if (!ownsFile(dbPath, spool)) return;
  const used = db.prepare('SELECT 1 FROM segment WHERE path = ?').get(toStoredPath(dbPath, spool));
  if (!used) rmSync(spool, { force: true });
}

/**
 * A damaged spool: the whole file is set aside at `keptAt` for forensics, and the segment keeps
 * only the whole records before the damage (which the committed frames point into). A spool that
 * is not the database's own is left as it is (its reader skips the damage by its offset).
 */
export function setAsideDamagedSpool(
  db: Database.Database,
  dbPath: string,
  spool: string,
  damagedAt: number,
  keptAt: string,
): void {
  if (!ownsFile(dbPath, spool)) return;
  const used = db.prepare('SELECT 1 FROM segment WHERE path = ?').get(toStoredPath(dbPath, spool));
  if (!used) {
    renameSync(spool, keptAt);
    return;
  }
  copyFileSync(spool, keptAt);
  truncateSync(spool, damagedAt);
}
