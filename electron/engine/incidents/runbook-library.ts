// Tables: runbook
// The runbooks a walk can use: the built-ins, and the files the user imported (kept in the database
// as imported, parsed when used), each with its provenance — imported from a file on the command
// line, or through a console's page (untrusted until a person trusts it outside the page) — which
// trust.ts weighs before a shell step runs.
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { RUNBOOK_FILE_LIMIT_BYTES } from '../../../shared/contract/incidents.js';
import { builtinRunbooks, builtinSource, builtinSummary } from '../../../shared/runbooks/builtin/index.js';
import { parseRunbook, RunbookError } from '../../../shared/runbooks/parse.js';
import type { Runbook, RunbookSummary } from '../../../shared/runbooks/schemas.js';
import { formatMicros } from '../../../shared/time.js';
import { nowMicros } from '../clock.js';
import { InputError, MissingError } from '../errors.js';

interface RunbookRow {
  id: string;
  title: string;
  version: string;
  source: string;
  file_name: string | null;
  imported_at: number;
  provenance: ImportProvenance;
  trusted_at: number | null;
}

/** How a runbook got into the database: a file imported on the command line, or through a page. */
export type ImportProvenance = 'file' | 'page';
/** Where a runbook came from: built in, or imported (see ImportProvenance). */
export type Provenance = 'builtin' | ImportProvenance;

/** Largest runbook file accepted. */
const MAX_RUNBOOK_BYTES = RUNBOOK_FILE_LIMIT_BYTES;

function summary(r: Runbook, row?: RunbookRow): RunbookSummary {
  if (!row) return builtinSummary(r);
  return {
    id: r.id,
    title: r.title,
    version: r.version,
    source: 'imported',
    ...trustOf(row),
    appliesTo: r.appliesTo,
    nodes: r.nodes.length,
    steps: r.steps.length,
    importedAt: formatMicros(row.imported_at),
    fileName: row.file_name,
  };
}

/** A runbook's provenance, and whether its commands are trusted (built in, from a file, or trusted since). */
function trustOf(row: RunbookRow | undefined): { provenance: Provenance; trusted: boolean } {
  if (!row) return { provenance: 'builtin', trusted: true };
  return { provenance: row.provenance, trusted: row.provenance === 'file' || row.trusted_at !== null };
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
    ...builtinRunbooks().map((r) => summary(r)),
    ...rows.map((row) => {
      try {
        return summary(parseRow(row), row);
      } catch {
        return {
          id: row.id,
          title: `${row.title} (no longer parses)`,
          version: row.version,
          source: 'imported' as const,
          ...trustOf(row),
          appliesTo: [],
          nodes: 0,
          steps: 0,
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

/** A runbook by id with its provenance, or undefined. */
export function findRunbookWithTrust(
  db: Database.Database,
  id: string,
): { runbook: Runbook; provenance: Provenance; trusted: boolean } | undefined {
  const builtin = builtinRunbooks().find((r) => r.id === id);
  if (builtin) return { runbook: builtin, ...trustOf(undefined) };
  const row = db.prepare('SELECT * FROM runbook WHERE id = ?').get(id) as RunbookRow | undefined;
  return row && { runbook: parseRow(row), ...trustOf(row) };
}

/**
 * Whether the copy of a runbook a walk runs is trusted: built in, imported from a file, or a page's
 * import that a person trusted since — as long as the runbook's row still holds that very copy (a
 * runbook replaced since is another text). `startedAs` is the provenance taken when the walk started
 * (null for walks from before it was kept).
 */
export function walkRunbookTrust(
  db: Database.Database,
  walk: { runbookId: string; runbookJson: string; startedAs: Provenance | null },
): { provenance: Provenance; trusted: boolean } {
  if (
    walk.startedAs === 'builtin' ||
    (walk.startedAs === null && builtinSource(walk.runbookId) !== undefined)
  )
    return { provenance: 'builtin', trusted: true };
  const row = db.prepare('SELECT * FROM runbook WHERE id = ?').get(walk.runbookId) as RunbookRow | undefined;
  let sameCopy = false;
  if (row) {
    try {
      sameCopy = JSON.stringify(parseRow(row)) === walk.runbookJson;
    } catch {
      sameCopy = false;
    }
  }
  const provenance: Provenance = walk.startedAs ?? (sameCopy && row ? row.provenance : 'page');
  const trusted = provenance !== 'page' || (sameCopy && row !== undefined && row.trusted_at !== null);
  return { provenance, trusted };
}

/**
 * A person, outside the page, trusts the commands of a runbook a page imported (`frameline runbooks
 * trust ID`). Returns the runbook; an InputError for a built-in one or one imported from a file
 * (nothing to trust), a MissingError for none.
 */
export function trustRunbook(db: Database.Database, id: string): { runbook: Runbook; already: boolean } {
  if (builtinRunbooks().some((r) => r.id === id))
    throw new InputError(
      `"${id}" is a built-in runbook: its commands ship with Frameline, there is nothing to trust`,
    );
  const row = db.prepare('SELECT * FROM runbook WHERE id = ?').get(id) as RunbookRow | undefined;
  if (!row)
    throw new MissingError(
      `no imported runbook "${id}"; the runbooks are ${listRunbooks(db)
        .map((s) => s.id)
        .join(', ')} (frameline runbooks)`,
    );
  const runbook = parseRow(row);
  if (row.provenance === 'file' || row.trusted_at !== null) return { runbook, already: true };
  db.prepare('UPDATE runbook SET trusted_at = ? WHERE id = ?').run(nowMicros(), id);
  return { runbook, already: false };
}

/** A runbook by id with its provenance; an InputError naming the ones there are when missing. */
export function requireRunbookWithTrust(
  db: Database.Database,
  id: string,
): { runbook: Runbook; provenance: Provenance; trusted: boolean } {
  const found = findRunbookWithTrust(db, id);
  if (!found) requireRunbook(db, id);
  return found!;
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

/**
 * Stores an imported runbook with its provenance (a page's import starts untrusted; replacing a
 * runbook takes back a trust given to the text it replaces). Its id may not be a built-in's; an
 * imported id is replaced only when asked (walks keep their own copy, so replacing never changes one
 * under way).
 */
export function importRunbook(
  db: Database.Database,
  text: string,
  fileName: string,
  options: { replace?: boolean; provenance: ImportProvenance },
): { runbook: Runbook; replaced: boolean } {
  if (Buffer.byteLength(text) > MAX_RUNBOOK_BYTES)
    throw new InputError(`${fileName} is larger than 1 MiB; a runbook file may hold at most 1 MiB`);
  const runbook = checkRunbook(text, fileName);
  if (builtinRunbooks().some((r) => r.id === runbook.id))
    throw new InputError(
      `"${runbook.id}" is the id of a built-in runbook; give the file another id in its front matter (id: my-${runbook.id})`,
    );
  // Immediate: it reads, then writes. A deferred transaction that reads first is refused at once
  // (SQLITE_BUSY_SNAPSHOT, no wait) when another process commits in between, as a capture's writer
  // does all the time; taking the write lock first waits for it like every other write.
  const write = db.transaction(() => {
    const exists = db.prepare('SELECT 1 FROM runbook WHERE id = ?').get(runbook.id) !== undefined;
    if (exists && !options.replace)
      throw new InputError(
        `a runbook "${runbook.id}" is already imported; pass --replace to replace it, or change the id`,
      );
    db.prepare(
      `INSERT INTO runbook (id, title, version, source, file_name, imported_at, provenance, trusted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, version = excluded.version,
         source = excluded.source, file_name = excluded.file_name, imported_at = excluded.imported_at,
         provenance = excluded.provenance, trusted_at = NULL`,
    ).run(
      runbook.id,
      runbook.title,
      runbook.version,
      text,
      basename(fileName),
      nowMicros(),
      options.provenance,
    );
    return { runbook, replaced: exists };
  });
  return write.immediate();
}

/** Deletes an imported runbook; false when there is none by that id. */
export function deleteImportedRunbook(db: Database.Database, id: string): boolean {
  return db.prepare('DELETE FROM runbook WHERE id = ?').run(id).changes === 1;
}
