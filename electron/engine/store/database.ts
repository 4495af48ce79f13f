// Opening the store: refuse what is not ours before touching it, set the pragmas, run the
// numbered forward-only migrations, and recover sessions whose writer died.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { InputError } from '../errors.js';
import { recoverOrphanedSessions } from './recovery.js';

export type Db = Database.Database;

/** A problem with the database file that the user must fix; the CLI turns it into exit code 2. */
export class StoreError extends InputError {
  constructor(
    message: string,
    readonly code: 'not-sqlite' | 'unwritable' | 'newer-schema' | 'missing',
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
const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

interface Migration {
  version: number;
  name: string;
  sql: string;
}

function loadMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}-.+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 4)),
      name: f,
      sql: readFileSync(new URL(f, MIGRATIONS_DIR), 'utf8'),
    }));
}

/** The schema version this build writes. */
export function latestSchemaVersion(): number {
  const all = loadMigrations();
  return all.length === 0 ? 0 : all[all.length - 1]!.version;
}

function checkFile(path: string, create: boolean): void {
  if (existsSync(path)) {
    const st = statSync(path);
    if (!st.isFile()) throw new StoreError(`${path} is not a file; pass a file path with --db`, 'unwritable');
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
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch {
      throw new StoreError(
        `cannot write ${path}; check its permissions or pass another --db path`,
        'unwritable',
      );
    }
    return;
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
}

/** Opens (creating when allowed) a Frameline database and brings its schema up to date. */
export function openStore(path: string, options: OpenOptions = {}): Db {
  checkFile(path, options.create ?? true);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, path);
    if (options.recover ?? true) recoverOrphanedSessions(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Runs every migration newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: Db, label = 'the database'): void {
  const migrations = loadMigrations();
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new StoreError(
      `${label} was written by a newer Frameline (schema ${current}; this build knows up to ${latest}); upgrade Frameline to open it`,
      'newer-schema',
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
