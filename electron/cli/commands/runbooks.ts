// frameline runbooks: list the built-in and imported runbooks, import one, show one, validate a file,
// trust one a page imported (outside the page: here, on the command line).
import { existsSync } from 'node:fs';
import { builtinRunbooks, builtinSource } from '../../../shared/runbooks/builtin/index.js';
import { choicesAt, labelTitle } from '../../../shared/runbooks/graph.js';
import type { Runbook, RunbookStep, StepAction } from '../../../shared/runbooks/schemas.js';
import { InputError, MissingError } from '../../engine/errors.js';
import { openEngine, type EngineContext } from '../../engine/context.js';

type Db = EngineContext['db'];
import {
  findRunbookWithTrust,
  importedSource,
  importRunbook,
  listRunbooks,
  readRunbookFile,
  RunbookFileError,
  trustRunbook,
} from '../../engine/incidents/runbook-library.js';
import { provenanceWords } from '../../engine/incidents/trust.js';
import { escapeInvisible } from '../../../shared/command-text.js';
import { dbPath, parse, positionals } from '../args.js';
import { out, table } from '../output.js';

export const help = `frameline runbooks [--json]                 list the built-in and imported runbooks
frameline runbooks show ID [--json|--markdown]  a runbook's nodes, edges and steps (--markdown: its file)
frameline runbooks import FILE [--replace]    import a Markdown runbook into the database
frameline runbooks validate FILE [--json]     check a runbook file; exit 2 with FILE:LINE: problem
frameline runbooks trust ID [--json]          trust the shell steps of a runbook imported through the
                                              console (it shows them); until then none of them runs
                                              from browser mode

A runbook is a Markdown file: optional front matter (id, title, version, applies-to), a mermaid
flowchart (or graph) whose nodes and edges are the walk, and step sections — a heading ending in
{#NODE} — with text, a shell command (a \`\`\`sh block), "Action: probe|capture|diagnose key=value...",
"Time box: 5m" and "Fixes: finding-id, ...". Start from a built-in: frameline runbooks show ws-3am --markdown`;

const OPTIONS = {
  replace: { type: 'boolean', default: false },
  markdown: { type: 'boolean', default: false },
} as const;

/** The database for reading: none yet is fine (built-ins only). */
function readDb(path: string): Db | null {
  return existsSync(path) ? openEngine(path, { create: false }).db : null;
}

function describeAction(a: StepAction): string {
  const { kind, ...args } = a;
  const parts = Object.entries(args).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  return [kind, ...parts].join(' ');
}

function minutes(s: number): string {
  return s % 60 === 0 ? `${s / 60} min` : s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** One step as a line: its title, then its command's first line or its action. */
export function stepLine(s: RunbookStep): string {
  const what = s.command
    ? `$ ${s.command.split('\n')[0]}${s.command.includes('\n') ? ' …' : ''}`
    : s.action
      ? `action: ${describeAction(s.action)}`
      : '';
  return `${s.index}. ${s.title}${what ? `   ${what}` : ''}`;
}

export { describeAction, minutes };

/** A node's label on one line: its name, then the details of a three-line-or-longer label. */
function nodeName(label: string): string {
  const lines = label
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length >= 3 ? `${lines[0]} — ${lines.slice(1).join(', ')}` : labelTitle(label);
}

function describeRunbook(r: Runbook, source: string): string {
  const lines = [
    `${r.id}  ${r.title}  (${source}, version ${r.version})`,
    ...(r.description ? [r.description] : []),
    ...(r.appliesTo.length ? [`applies to: ${r.appliesTo.join(', ')}`] : []),
    `start: ${r.start}; ${r.nodes.length} nodes, ${r.edges.length} edges, ${r.steps.length} steps`,
    '',
  ];
  for (const n of r.nodes) {
    const box = n.timeboxSeconds ? `   time box ${minutes(n.timeboxSeconds)}` : '';
    lines.push(`${n.id}  [${n.kind}]  ${nodeName(n.label)}${box}`);
    if (n.fixes.length) lines.push(`    fixes: ${n.fixes.join(', ')}`);
    for (const s of r.steps.filter((x) => x.node === n.id)) lines.push(`    ${stepLine(s)}`);
    for (const c of choicesAt(r, n.id)) lines.push(`    → "${c.label}": ${c.to}`);
  }
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: given } = parse(argv, OPTIONS, 'runbooks');
  const [sub = 'list', ...args] = given;
  if (sub === 'list') positionals(args, 'runbooks list');
  switch (sub) {
    case 'list':
      return list(values);
    case 'show':
      return show(args, values);
    case 'import':
      return importFile(args, values);
    case 'validate':
      return validate(args, values);
    case 'trust':
      return trust(args, values);
    default:
      throw new InputError(
        `"${sub}" is not a runbooks command; use list, show ID, import FILE, validate FILE or trust ID`,
      );
  }
}

async function list(values: { db?: string; json: boolean }): Promise<number> {
  const db = readDb(dbPath(values));
  const all = db
    ? listRunbooks(db)
    : builtinRunbooks().map((r) => ({
        id: r.id,
        title: r.title,
        version: r.version,
        source: 'builtin' as const,
        provenance: 'builtin' as const,
        trusted: true,
        appliesTo: r.appliesTo,
        nodes: r.nodes.length,
        importedAt: null,
        fileName: null,
      }));
  db?.close();
  if (values.json) {
    await out(`${JSON.stringify(all, null, 2)}\n`);
    return 0;
  }
  const rows = [['ID', 'SOURCE', 'VERSION', 'NODES', 'TITLE']];
  const source = (r: (typeof all)[number]) =>
    r.provenance === 'page' ? `page${r.trusted ? ' (trusted)' : ' (untrusted)'}` : r.provenance;
  for (const r of all) rows.push([r.id, source(r), r.version, String(r.nodes), r.title]);
  await out(`${table(rows)}\n`);
  return 0;
}

async function show(
  args: string[],
  values: { db?: string; json: boolean; markdown: boolean },
): Promise<number> {
  const [id] = positionals(args, 'runbooks show', { max: 1, what: 'runbook id' });
  if (id === undefined)
    throw new InputError('frameline runbooks show needs one runbook id; list them with "frameline runbooks"');
  const db = readDb(dbPath(values));
  try {
    const found = db
      ? findRunbookWithTrust(db, id)
      : builtinRunbooks()
          .filter((r) => r.id === id)
          .map((runbook) => ({ runbook, provenance: 'builtin' as const, trusted: true }))[0];
    if (!found) throw new MissingError(`no runbook "${id}"; list them with "frameline runbooks"`);
    const { runbook } = found;
    const builtin = builtinSource(id);
    if (values.markdown) {
      await out(builtin ?? (db ? importedSource(db, id) : undefined) ?? '');
      return 0;
    }
    if (values.json) {
      await out(
        `${JSON.stringify({ ...runbook, source: builtin ? 'builtin' : 'imported', provenance: found.provenance, trusted: found.trusted }, null, 2)}\n`,
      );
      return 0;
    }
    await out(`${describeRunbook(runbook, provenanceWords({ id, title: runbook.title, ...found }))}\n`);
    return 0;
  } finally {
    db?.close();
  }
}

/** A file problem in the one-line form editors jump to: FILE:LINE: problem. */
async function fileProblem(err: RunbookFileError, json: boolean): Promise<number> {
  if (json)
    await out(`${JSON.stringify({ valid: false, file: err.file, line: err.line, problem: err.problem })}\n`);
  process.stderr.write(`${err.file}:${err.line}: ${err.problem}\n`);
  return 2;
}

async function validate(args: string[], values: { json: boolean }): Promise<number> {
  const [file] = positionals(args, 'runbooks validate', { max: 1, what: 'file' });
  if (file === undefined)
    throw new InputError(
      'frameline runbooks validate needs one file: frameline runbooks validate my-runbook.md',
    );
  let runbook: Runbook;
  try {
    runbook = readRunbookFile(file).runbook;
  } catch (err) {
    if (err instanceof RunbookFileError) return fileProblem(err, values.json);
    throw err;
  }
  const summary = {
    valid: true,
    file,
    id: runbook.id,
    title: runbook.title,
    nodes: runbook.nodes.length,
    edges: runbook.edges.length,
    steps: runbook.steps.length,
    start: runbook.start,
  };
  await out(
    values.json
      ? `${JSON.stringify(summary)}\n`
      : `${file}: a valid runbook "${runbook.id}" (${runbook.title}): ${summary.nodes} nodes, ${summary.edges} edges, ${summary.steps} steps, starting at ${runbook.start}\n`,
  );
  return 0;
}

async function importFile(
  args: string[],
  values: { db?: string; json: boolean; replace: boolean },
): Promise<number> {
  const [file] = positionals(args, 'runbooks import', { max: 1, what: 'file' });
  if (file === undefined)
    throw new InputError('frameline runbooks import needs one file: frameline runbooks import my-runbook.md');
  let text: string;
  try {
    text = readRunbookFile(file).text;
  } catch (err) {
    if (err instanceof RunbookFileError) return fileProblem(err, values.json);
    throw err;
  }
  const { db } = openEngine(dbPath(values));
  try {
    // A file a person chose here, on the command line: its commands are trusted as theirs.
    const { runbook, replaced } = importRunbook(db, text, file, {
      replace: values.replace,
      provenance: 'file',
    });
    if (values.json)
      await out(
        `${JSON.stringify({ id: runbook.id, title: runbook.title, version: runbook.version, replaced })}\n`,
      );
    else
      await out(
        `${replaced ? 'replaced' : 'imported'} runbook ${runbook.id} "${runbook.title}" (${runbook.nodes.length} nodes, ${runbook.steps.length} steps); walk it with: frameline walk start INCIDENT --runbook ${runbook.id}\n`,
      );
    return 0;
  } catch (err) {
    if (err instanceof RunbookFileError) return fileProblem(err, values.json);
    throw err;
  } finally {
    db.close();
  }
}

/**
 * Trusts a runbook a page imported: its shell steps may then be put to a person (browser mode still
 * asks for the code in serve's terminal for each run). Shows every command it trusts, escaped.
 */
async function trust(args: string[], values: { db?: string; json: boolean }): Promise<number> {
  const id = args[0];
  if (id === undefined || args.length > 1)
    throw new InputError(
      'frameline runbooks trust needs one runbook id; list them with "frameline runbooks"',
    );
  const { db } = openEngine(dbPath(values));
  try {
    const { runbook, already } = trustRunbook(db, id);
    const commands = runbook.steps.filter((s) => s.command !== null);
    if (values.json) {
      await out(`${JSON.stringify({ id: runbook.id, trusted: true, already, commands: commands.length })}\n`);
      return 0;
    }
    const lines = [
      already
        ? `runbook ${runbook.id} "${escapeInvisible(runbook.title).text}" is trusted already`
        : `trusted runbook ${runbook.id} "${escapeInvisible(runbook.title).text}": its ${commands.length} shell command${commands.length === 1 ? '' : 's'} may now be asked to run (each still confirmed where it runs):`,
    ];
    for (const s of commands) {
      lines.push('', `  step ${s.index} "${escapeInvisible(s.title).text}" of ${s.node}:`);
      for (const l of escapeInvisible(s.command!).text.split('\n')) lines.push(`    ${l}`);
    }
    await out(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    db.close();
  }
}
