// Each domain owns its tables. A module that names a table in SQL says so in a line at its top,
// `// Tables: finding` (the tables it reads or writes, comma-separated), and the declarations obey
// one rule: a table is declared by modules of one domain folder only — plus, for the recording
// tables, the store layer (electron/engine/store/), whose writer thread commits what a recorder
// spooled and whose recovery finishes what a dead recorder left, without calling up into a domain.
// Every other module reaches a table through its owners' functions. This test reads every .ts file
// under electron/, finds the tables its SQL names, and holds each file to its declaration.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ELECTRON = join(ROOT, 'electron');
const SNAPSHOT = join(ROOT, 'test/unit/engine/store/schema.snapshot.sql');

/** The tables of the schema, as the committed snapshot of a fresh database has them. */
const SCHEMA_TABLES = new Set(
  [...readFileSync(SNAPSHOT, 'utf8').matchAll(/^CREATE (?:VIRTUAL )?TABLE (\w+)/gm)].map((m) => m[1]!),
);

/** Which domain owns each table: the one folder whose modules may declare it (store/ aside). */
const OWNER_DOMAIN: Record<string, string> = {
  session: 'sessions',
  session_tag: 'sessions',
  connection: 'sessions',
  frame: 'sessions',
  frame_text: 'sessions',
  event: 'sessions',
  segment: 'store',
  store_state: 'store',
  finding: 'diagnose',
  incident: 'incidents',
  incident_session: 'incidents',
  action_item: 'incidents',
  runbook: 'incidents',
  walk: 'incidents',
  walk_step: 'incidents',
  walk_run: 'incidents',
  walk_check: 'incidents',
  timeline_entry: 'incidents',
  watch: 'diagnose',
};

/** The tables the store layer writes beside the domain that owns them: what a recorder records. */
const RECORDING_TABLES = ['session', 'connection', 'frame', 'event', 'frame_text'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The schema's tables that `code` names in SQL: the word after FROM, JOIN, INTO, UPDATE or TABLE, and
 * each first word of a FROM list (`FROM session s, incident_session i`). Each keyword is looked at on
 * its own (the lookahead consumes nothing), so that an alias never hides the next JOIN.
 */
function tablesNamed(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(
    /\b(FROM|JOIN|INTO|UPDATE|TABLE)\s+(?=(\w+(?:\s+\w+)?(?:\s*,\s*\w+(?:\s+\w+)?)*))/g,
  )) {
    const list = m[1] === 'FROM' ? m[2]!.split(',') : [m[2]!];
    for (const part of list) {
      const name = part.trim().split(/\s+/)[0]!;
      if (SCHEMA_TABLES.has(name)) found.add(name);
    }
  }
  return [...found].sort();
}

/** A module's declaration: the tables on its `// Tables:` line, or none. */
function declared(code: string): string[] {
  const m = /^\/\/ Tables: (.*)$/m.exec(code);
  return m
    ? m[1]!
        .split(',')
        .map((t) => t.trim())
        .sort()
    : [];
}

/** The folder right under electron/engine/ a file lies in ('' for the engine's own files, null outside it). */
function domainOf(file: string): string | null {
  const parts = relative(ELECTRON, file).split(sep);
  if (parts[0] !== 'engine') return null;
  return parts.length > 2 ? parts[1]! : '';
}

interface Module {
  file: string;
  domain: string | null;
  named: string[];
  declared: string[];
}

const modules: Module[] = sources(ELECTRON).map((path) => {
  const code = readFileSync(path, 'utf8');
  return {
    file: relative(ROOT, path),
    domain: domainOf(path),
    named: tablesNamed(code),
    declared: declared(code),
  };
});

describe('table owners', () => {
  it('finds a table named in SQL the ways this code writes it, and not a column', () => {
    expect(tablesNamed("db.prepare('SELECT * FROM finding WHERE session_id = ?')")).toEqual(['finding']);
    expect(tablesNamed('`SELECT f.seq FROM frame_text t JOIN frame f ON f.id = t.rowid`')).toEqual([
      'frame',
      'frame_text',
    ]);
    expect(tablesNamed("'INSERT OR IGNORE INTO walk_check (walk_id) VALUES (?)'")).toEqual(['walk_check']);
    expect(tablesNamed("'DELETE FROM session_tag WHERE session_id = ?'")).toEqual(['session_tag']);
    expect(tablesNamed("'UPDATE store_state SET value = ?'")).toEqual(['store_state']);
    expect(
      tablesNamed('`SELECT s.id FROM\n   session s, incident_session i WHERE i.session_id = s.id`'),
    ).toEqual(['incident_session', 'session']);
    expect(tablesNamed("'SELECT session_id, runbook, event_count FROM walk_run'")).toEqual(['walk_run']);
    expect(tablesNamed("'SELECT 1 FROM frame_text JOIN frame ON frame.id = frame_text.rowid'")).toEqual([
      'frame',
      'frame_text',
    ]);
  });

  it('names no table through a variable', () => {
    const dynamic = sources(ELECTRON).filter((f) =>
      /\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+\$\{/.test(readFileSync(f, 'utf8')),
    );
    expect(dynamic.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('holds every module to its declaration: it names in SQL exactly the tables on its "// Tables:" line', () => {
    const undeclared = modules
      .filter((m) => m.named.some((t) => !m.declared.includes(t)))
      .map((m) => `${m.file} names ${m.named.filter((t) => !m.declared.includes(t)).join(', ')}`);
    expect(undeclared).toEqual([]);
    const unused = modules
      .filter((m) => m.declared.some((t) => !m.named.includes(t)))
      .map((m) => `${m.file} declares ${m.declared.filter((t) => !m.named.includes(t)).join(', ')}`);
    expect(unused).toEqual([]);
  });

  it("gives every table of the schema its owners in one domain, the store layer writing only the recorder's tables beside them", () => {
    expect(Object.keys(OWNER_DOMAIN).sort()).toEqual([...SCHEMA_TABLES].sort());
    const wrong: string[] = [];
    for (const m of modules)
      for (const t of m.declared) {
        const owner = OWNER_DOMAIN[t];
        if (owner === undefined) wrong.push(`${m.file} declares ${t}, which is not a table of the schema`);
        else if (m.domain === owner) continue;
        else if (m.domain === 'store' && RECORDING_TABLES.includes(t)) continue;
        else wrong.push(`${m.file} declares ${t}, a table of ${owner}/`);
      }
    expect(wrong).toEqual([]);
    // Each table has a module that owns it, in its domain.
    for (const [table, owner] of Object.entries(OWNER_DOMAIN))
      expect(
        modules.filter((m) => m.domain === owner && m.declared.includes(table)).map((m) => m.file),
        table,
      ).not.toEqual([]);
  });
});
