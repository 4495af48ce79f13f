// Opening the store: refuse what is not ours before touching it, set the pragmas, run the
// numbered forward-only migrations under an exclusive lock, and recover sessions whose writer died.
// A Frameline database carries our application id in its header; files made by earlier versions
// (our schema, no id yet) are adopted; anything else is refused before a single byte is written.
// A database that cannot be written here (a read-only file, folder or file system) is opened for
// reading only: nothing is migrated, recovered or written, and every write says so in one line.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { accessSync, constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { InputError, isCorruption, storageAdvice } from '../errors.js';
import { ioFailure, isBusy } from './io-errors.js';
import { recoverOrphanedSessions } from './recovery.js';

export type Db = Database.Database;

/** A problem with the database file that the user must fix; the CLI turns it into exit code 2. */
export class StoreError extends InputError {
  constructor(
    message: string,
    readonly code:
      | 'not-sqlite'
      | 'foreign'
      | 'corrupt'
      | 'unwritable'
      | 'read-only'
      | 'newer-schema'
      | 'missing'
      | 'busy'
      | 'io',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface OpenOptions {
  /** Create the file (and its folder) when missing; default true. */
  create?: boolean;
  /** Skip crash recovery (the writer thread opens its own connection and must not recover). */
  recover?: boolean;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

/** `PRAGMA application_id` of every Frameline database: "FRML". */
export const FRAMELINE_APPLICATION_ID = 0x46524d4c;

/** Tables every Frameline schema has had since the first release: how an earlier version's file is known. */
const CORE_TABLES = ['session', 'connection', 'frame', 'event', 'store_state'];
const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

interface Migration {
  version: number;
  name: string;
  sql: string;
}

let cached: Migration[] | null = null;

function loadMigrations(): Migration[] {
  cached ??= readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}-.+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 4)),
      name: f,
      sql: readFileSync(new URL(f, MIGRATIONS_DIR), 'utf8'),
    }));
  return cached;
}

/** The schema version this build writes. */
export function latestSchemaVersion(): number {
  const all = loadMigrations();
  return all.length === 0 ? 0 : all[all.length - 1]!.version;
}

/**
 * Checks the file before SQLite opens it, creating its folder for a new one. Returns why it can only
 * be read here (the file, its folder or the file system cannot be written), or null.
 */
function checkFile(path: string, create: boolean): string | null {
  if (existsSync(path)) {
    const st = statSync(path);
    if (!st.isFile()) throw new StoreError(`${path} is not a file; pass a file path with --db`, 'unwritable');
    try {
      accessSync(path, constants.R_OK);
    } catch {
      throw new StoreError(
        `cannot read ${path}; check its permissions or pass another --db path`,
        'unwritable',
      );
    }
    if (st.size > 0) {
      const fd = openSync(path, 'r');
      const head = Buffer.alloc(16);
      try {
        readSync(fd, head, 0, 16, 0);
      } finally {
        closeSync(fd);
      }
      if (head.toString('latin1') !== SQLITE_HEADER) {
        throw new StoreError(
          `${path} is not a SQLite database (it was left untouched); pass a Frameline database or a new file path with --db`,
          'not-sqlite',
        );
      }
    }
    // SQLite writes beside the file too (its -wal and -shm), and recordings into the -frames folder.
    for (const [target, what] of [
      [path, 'the file cannot be written'],
      [dirname(resolve(path)), 'its folder cannot be written'],
    ] as const) {
      try {
        accessSync(target, constants.W_OK);
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EROFS' ? 'its file system is read-only' : what;
      }
    }
    return null;
  }
  if (!create) throw new StoreError(`no database at ${path}; run a capture first or pass --db`, 'missing');
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new StoreError(
      `cannot create a database at ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass a writable path with --db`,
      'unwritable',
    );
  }
  return null;
}

/**
 * The database's real path: symbolic links resolved, once, when it is opened. SQLite itself keeps
 * the -wal and -shm beside the real file whichever link names it, so the -frames folder goes there
 * too: a database and its frames folder stay one pair, and two links to one database (or the link
 * and the file) never see two different frames folders. A database that does not exist yet is made
 * where its link points.
 */
function realDatabasePath(path: string): string {
  let p = resolve(path);
  try {
    return realpathSync(p);
  } catch {
    // Not there yet: follow a dangling link to where the file will be made, then resolve its folder.
  }
  for (let hops = 0; hops < 40; hops++) {
    let target: string;
    try {
      target = readlinkSync(p);
    } catch {
      break; // not a link
    }
    p = resolve(dirname(p), target);
  }
  try {
    return join(realpathSync(dirname(p)), basename(p));
  } catch {
    return p;
  }
}

/** A read-only database is read from memory up to this size (a larger one is refused with advice). */
const MAX_READ_ONLY_BYTES = 1 << 30;

/**
 * Opens a database that cannot be written here for reading only, without leaving a file behind.
 * SQLite reads a WAL database through its -wal and -shm files, which it must create when they are
 * missing: impossible in a read-only folder, and beside a read-only file it leaves a read-only -shm
 * that blocks every writer once the file is writable again. When the -wal holds nothing, the file
 * holds everything: a copy of it is read in memory, marked as a rollback-journal database so that
 * SQLite needs no file beside it. When the -wal holds changes never merged into the file, they can
 * only be read through SQLite's own files, which are there already.
 */
function openReadOnly(path: string, reason: string): Db {
  let walBytes = 0;
  try {
    walBytes = statSync(`${path}-wal`).size;
  } catch {
    // no -wal: nothing waits outside the file
  }
  const advice =
    'make the file and its folder writable once, or copy the database with its -wal and -frames folder somewhere writable';
  if (walBytes > 0) {
    if (!existsSync(`${path}-shm`))
      throw new StoreError(
        `${path} is read-only here (${reason}) and holds changes in ${basename(path)}-wal that were never merged into it, which cannot be read without writing; ${advice}`,
        'read-only',
      );
    return new Database(path, { readonly: true, fileMustExist: true });
  }
  const size = statSync(path).size;
  if (size > MAX_READ_ONLY_BYTES)
    throw new StoreError(
      `${path} is read-only here (${reason}) and too large (${Math.round(size / 1048576)} MiB) to be read without writing; copy it with its -frames folder somewhere writable and open the copy`,
      'read-only',
    );
  const bytes = readFileSync(path);
  // Bytes 18 and 19 of the header: 2 for a WAL database, 1 for a rollback-journal one.
  if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return new Database(bytes, { readonly: true });
}

/** Where each open database lives (its real path), and why one opened read-only cannot be written. */
const locations = new WeakMap<Db, { path: string; readOnly: string | null }>();

/**
 * The real path of an open database: where its -frames folder lies beside it. (A database read from
 * memory, as a read-only one may be, has no file name of its own.)
 */
export function databasePath(db: Db): string {
  return locations.get(db)?.path ?? db.name;
}

/** Throws the one-line StoreError of a read-only database asked to `what` ("record a session"). */
/** Why `db` was opened read-only, or null when it can be written. */
export function readOnlyReason(db: Db): string | null {
  return locations.get(db)?.readOnly ?? (db.readonly ? 'it was opened for reading only' : null);
}

export function requireWritable(db: Db, what: string): void {
  if (!db.readonly) return;
  const reason = locations.get(db)?.readOnly ?? 'it was opened for reading only';
  throw new StoreError(
    `${databasePath(db)} is read-only here (${reason}), so it cannot ${what}; make the file and its folder writable, or copy the database with its -frames folder somewhere writable`,
    'read-only',
  );
}

type ReadOnlyListener = (path: string, reason: string) => void;
const readOnlyListeners = new Set<ReadOnlyListener>();

/** Hears about every database opened read-only (the command line says so; the engine never prints). */
export function onReadOnlyOpen(listener: ReadOnlyListener): () => void {
  readOnlyListeners.add(listener);
  return () => readOnlyListeners.delete(listener);
}

export { isCorruption };

/** The one-line StoreError for a failure while opening `path`, or the error itself when it is a bug. */
function openFailure(err: unknown, path: string): unknown {
  if (err instanceof StoreError) return err;
  if (isCorruption(err)) {
    return new StoreError(
      `${path} is damaged (${(err as Error).message}); it was left as it is: restore it from a copy, or pass another --db path`,
      'corrupt',
    );
  }
  if (isBusy(err)) {
    return new StoreError(
      `${path} is locked by another process that is writing to it; try again when it has finished`,
      'busy',
    );
  }
  const io = ioFailure(err);
  if (io)
    return new StoreError(
      `cannot open ${path}: ${io}; nothing in it was changed; ${storageAdvice(err)}`,
      'io',
    );
  return err;
}

type Ownership = 'new' | 'ours' | 'earlier';

/**
 * Whose file this is, read before anything is written: ours (our application id), a new one (no
 * tables at all), one an earlier Frameline made (our tables and a schema version we wrote, from
 * before the application id), or someone else's (refused).
 */
function ownership(db: Db, path: string): Ownership {
  // One read transaction: another process creating the same new file commits its whole schema
  // at once, and the three answers must come from the same side of that commit.
  const { appId, version, tables } = db.transaction(() => ({
    appId: db.pragma('application_id', { simple: true }) as number,
    version: db.pragma('user_version', { simple: true }) as number,
    tables: (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
        name: string;
      }>
    ).map((r) => r.name),
  }))();
  if (appId === FRAMELINE_APPLICATION_ID) return 'ours';
  const refuse = (what: string) =>
    new StoreError(
      `${path} is not a Frameline database (${what}); it was left untouched: pass a Frameline database or a new file path with --db`,
      'foreign',
    );
  if (appId !== 0) throw refuse(`its application id is ${appId}`);
  if (tables.length === 0 && version === 0) return 'new';
  const known = loadMigrations().some((m) => m.version === version);
  if (known && CORE_TABLES.every((t) => tables.includes(t))) return 'earlier';
  const shown = tables.slice(0, 3).join(', ') + (tables.length > 3 ? ', …' : '');
  throw refuse(
    tables.length > 0
      ? `it holds ${tables.length === 1 ? 'a table' : 'tables'} ${shown}`
      : `schema version ${version}`,
  );
}

function newerSchema(label: string, current: number, latest: number): StoreError {
  return new StoreError(
    `${label} was written by a newer Frameline (schema ${current}; this build knows up to ${latest}); upgrade Frameline to open it`,
    'newer-schema',
  );
}

/**
 * Opens (creating when allowed) a Frameline database and brings its schema up to date; one that
 * cannot be written here is opened for reading only, as it is.
 */
export function openStore(path: string, options: OpenOptions = {}): Db {
  const readOnly = checkFile(path, options.create ?? true);
  const real = realDatabasePath(path);
  let db: Db;
  try {
    db = readOnly === null ? new Database(real) : openReadOnly(real, readOnly);
  } catch (err) {
    throw openFailure(err, path);
  }
  locations.set(db, { path: real, readOnly });
  try {
    db.pragma('busy_timeout = 5000');
    // Nothing is written before we know the file is ours and not from a newer version.
    const owner = ownership(db, path);
    const current = db.pragma('user_version', { simple: true }) as number;
    const latest = latestSchemaVersion();
    if (owner === 'ours' && current > latest) throw newerSchema(path, current, latest);
    if (readOnly !== null) {
      if (owner !== 'ours' || current < latest)
        throw new StoreError(
          `${path} was written by an earlier Frameline (schema ${current}; this build reads ${latest}) and is read-only here (${readOnly}), so it cannot be brought up to date; make the file and its folder writable and open it once, or copy the database with its -frames folder somewhere writable and open the copy`,
          'read-only',
        );
      db.pragma('foreign_keys = ON');
      for (const l of readOnlyListeners) l(path, readOnly);
      return db;
    }
    useWal(db);
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
    db.pragma('foreign_keys = ON');
    if (options.recover ?? true) recoverOrphanedSessions(db, real);
  } catch (err) {
    db.close();
    throw openFailure(err, path);
  }
  return db;
}

/** How long a switch to WAL mode keeps trying while other processes open the same file. */
const WAL_SWITCH_MS = 5000;

/**
 * Puts the database in WAL mode. The switch takes the file's lock from inside a statement that
 * already reads it, and SQLite answers a second process doing the same at that moment (two
 * processes creating one new database) with "busy" at once, without its busy timeout, to break
 * the deadlock. Nothing has changed then, so the switch is simply tried again for a while.
 */
function useWal(db: Db): void {
  const deadline = Date.now() + WAL_SWITCH_MS;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (!isBusy(err) || Date.now() + pause > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    }
  }
}

/**
 * Runs every migration newer than the database's `user_version` in one exclusive transaction,
 * reading the version again once the lock is held (another process may have migrated meanwhile),
 * and marks the file with our application id. Foreign keys are off while it runs, so that a table
 * can be rebuilt without its children being deleted; they are checked before the commit.
 */
export function migrate(db: Db, label = 'the database'): void {
  const migrations = loadMigrations();
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const needed = () =>
    (db.pragma('user_version', { simple: true }) as number) !== latest ||
    (db.pragma('application_id', { simple: true }) as number) !== FRAMELINE_APPLICATION_ID;
  if (!needed()) return;
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.exec('BEGIN EXCLUSIVE');
    try {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current > latest) throw newerSchema(label, current, latest);
      for (const m of migrations) if (m.version > current) db.exec(m.sql);
      if (current !== latest) db.pragma(`user_version = ${latest}`);
      db.pragma(`application_id = ${FRAMELINE_APPLICATION_ID}`);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0)
        throw new Error(
          `migrating ${label} left ${broken.length} rows without their parent; nothing was changed`,
        );
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}
