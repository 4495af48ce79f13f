// The runbooks a walk can use: the built-ins, and the files the user imported (kept in the database
// as imported, parsed when used).
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { builtinRunbooks } from '../../../shared/runbooks/builtin/index.js';
import { parseRunbook, RunbookError } from '../../../shared/runbooks/parse.js';
import type { Runbook, RunbookSummary } from '../../../shared/runbooks/schemas.js';
import { formatMicros } from '../../../shared/time.js';
import { nowMicros } from '../clock.js';
import { InputError } from '../errors.js';
import { readUserFile } from '../files.js';

interface RunbookRow {
  id: string;
  title: string;
  version: string;
  source: string;
  file_name: string | null;
  imported_at: number;
}

/** Largest runbook file accepted. */
const MAX_RUNBOOK_BYTES = 1024 * 1024;

function summary(r: Runbook, source: 'builtin' | 'imported', row?: RunbookRow): RunbookSummary {
  return {
    id: r.id,
    title: r.title,
    version: r.version,
    source,
    appliesTo: r.appliesTo,
    nodes: r.nodes.length,
    importedAt: row ? formatMicros(row.imported_at) : null,
    fileName: row?.file_name ?? null,
  };
}

/** Parses an imported row; a row that no longer parses (a stricter parser) is reported, not hidden. */
function parseRow(row: RunbookRow): Runbook {
  try {
    return parseRunbook(row.source, row.file_name ? { fileName: row.file_name } : {});
  } catch (err) {
    if (err instanceof RunbookError)
      throw new InputError(
        `imported runbook ${row.id} no longer parses (line ${err.line}: ${err.message}); import a fixed file with --replace`,
      );
    throw err;
  }
}

/** Every runbook: built-ins first, then imported ones by id. */
export function listRunbooks(db: Database.Database): RunbookSummary[] {
  const rows = db.prepare('SELECT * FROM runbook ORDER BY id').all() as RunbookRow[];
  return [
    ...builtinRunbooks().map((r) => summary(r, 'builtin')),
    ...rows.map((row) => {
      try {
        return summary(parseRow(row), 'imported', row);
      } catch {
        return {
          id: row.id,
          title: `${row.title} (no longer parses)`,
          version: row.version,
          source: 'imported' as const,
          appliesTo: [],
          nodes: 0,
          importedAt: formatMicros(row.imported_at),
          fileName: row.file_name,
        };
      }
    }),
  ];
}

/** A runbook by id, or undefined. */
export function findRunbook(db: Database.Database, id: string): Runbook | undefined {
  const builtin = builtinRunbooks().find((r) => r.id === id);
  if (builtin) return builtin;
  const row = db.prepare('SELECT * FROM runbook WHERE id = ?').get(id) as RunbookRow | undefined;
  return row && parseRow(row);
}

/** A runbook by id; an InputError naming the ones there are when missing. */
export function requireRunbook(db: Database.Database, id: string): Runbook {
  const r = findRunbook(db, id);
  if (!r)
    throw new InputError(
      `no runbook "${id}"; the runbooks are ${listRunbooks(db)
        .map((s) => s.id)
        .join(', ')} (frameline runbooks)`,
    );
  return r;
}

/** The Markdown of an imported runbook, or undefined. */
export function importedSource(db: Database.Database, id: string): string | undefined {
  const row = db.prepare('SELECT source FROM runbook WHERE id = ?').get(id) as { source: string } | undefined;
  return row?.source;
}

/** Thrown for a runbook file that does not parse: `file:line: message`. */
export class RunbookFileError extends InputError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'RunbookFileError';
  }
}

/** Parses Markdown as a runbook named `fileName`; a problem becomes a RunbookFileError. */
export function checkRunbook(text: string, fileName: string): Runbook {
  try {
    return parseRunbook(text, { fileName });
  } catch (err) {
    if (err instanceof RunbookError) throw new RunbookFileError(fileName, err.line, err.message);
    throw err;
  }
}

/** Reads and parses a runbook file. */
export function readRunbookFile(path: string): { text: string; runbook: Runbook } {
  const text = readUserFile(path, 'the runbook file', MAX_RUNBOOK_BYTES).toString('utf8');
  return { text, runbook: checkRunbook(text, path) };
}

/**
 * Stores an imported runbook. Its id may not be a built-in's; an imported id is replaced only when
 * asked (walks keep their own copy, so replacing never changes one under way).
 */
export function importRunbook(
  db: Database.Database,
  text: string,
  fileName: string,
  options: { replace?: boolean } = {},
): { runbook: Runbook; replaced: boolean } {
  if (Buffer.byteLength(text) > MAX_RUNBOOK_BYTES)
    throw new InputError(`${fileName} is larger than 1 MiB; a runbook file may hold at most 1 MiB`);
  const runbook = checkRunbook(text, fileName);
  if (builtinRunbooks().some((r) => r.id === runbook.id))
    throw new InputError(
      `"${runbook.id}" is the id of a built-in runbook; give the file another id in its front matter (id: my-${runbook.id})`,
    );
  return db.transaction(() => {
    const exists = db.prepare('SELECT 1 FROM runbook WHERE id = ?').get(runbook.id) !== undefined;
    if (exists && !options.replace)
      throw new InputError(
        `a runbook "${runbook.id}" is already imported; pass --replace to replace it, or change the id`,
      );
    db.prepare(
      `INSERT INTO runbook (id, title, version, source, file_name, imported_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, version = excluded.version,
         source = excluded.source, file_name = excluded.file_name, imported_at = excluded.imported_at`,
    ).run(runbook.id, runbook.title, runbook.version, text, basename(fileName), nowMicros());
    return { runbook, replaced: exists };
  })();
}

/** Deletes an imported runbook; false when there is none by that id. */
export function deleteImportedRunbook(db: Database.Database, id: string): boolean {
  return db.prepare('DELETE FROM runbook WHERE id = ?').run(id).changes === 1;
}
