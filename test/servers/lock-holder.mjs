// Another process holding the write lock of a database, as a second Frameline or a sqlite3 shell
// in the middle of a transaction does: `node lock-holder.mjs DB_PATH` opens DB_PATH, runs
// BEGIN IMMEDIATE, prints "locked" once it holds the lock, and keeps it until SIGTERM (or stdin
// closing), when it rolls back and exits.
import { createRequire } from 'node:module';

const Database = createRequire(import.meta.url)('better-sqlite3');
const db = new Database(process.argv[2], { fileMustExist: true, timeout: 10_000 });
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
const release = () => {
  db.exec('ROLLBACK');
  db.close();
  process.exit(0);
};
process.on('SIGTERM', release);
process.stdin.on('end', release);
process.stdin.resume();
