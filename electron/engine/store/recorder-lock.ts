// A recorder's liveness is a lock that the operating system releases when the process dies: an
// exclusive lock on a small file beside the database, taken through SQLite (POSIX advisory locks
// on Unix, LockFileEx on Windows) because Node itself offers no file locks. A PID says nothing
// about a zombie, a PID reused after a reboot, or a database copied from another machine; a lock
// that nobody holds always means the recorder is gone.
import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';

/** The lock a live recorder holds for as long as its process runs. */
export class RecorderLock {
  private db: Database.Database | null;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
  }

  /**
   * Creates the lock file when needed and takes its lock, waiting up to `waitMs` for another process
   * to let go; throws (SQLite's busy) when it still holds it.
   */
  static acquire(path: string, waitMs = 2000): RecorderLock {
    const db = new Database(path, { timeout: waitMs });
    try {
      db.pragma('journal_mode = MEMORY');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      throw err;
    }
    return new RecorderLock(path, db);
  }

  get held(): boolean {
    return this.db !== null;
  }

  /** Lets go of the lock and removes the file (the recorder finished). */
  release(): void {
    if (!this.db) return;
    try {
      this.db.exec('ROLLBACK');
    } finally {
      this.db.close();
      this.db = null;
      rmSync(this.path, { force: true });
    }
  }
}

/**
 * Whether some process (this one included) holds the lock at `path`: false when the file is gone
 * or nobody holds it. Never waits.
 */
export function lockHeld(path: string): boolean {
  if (!existsSync(path)) return false;
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 0 });
  } catch {
    return false; // removed between the two calls: its recorder finished
  }
  try {
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return true;
    throw err;
  } finally {
    db.close();
  }
}
