// frameline runbooks: list the built-in and imported runbooks, import one, show one, validate a file,
// trust one a page imported (outside the page: here, on the command line).
import { describeThreshold } from '../../../shared/prometheus.js';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Api, ResponseOf } from '../../../shared/contract.js';
import { RUNBOOK_FILE_LIMIT_BYTES } from '../../../shared/contract/incidents.js';
import { escapeInvisible } from '../../../shared/command-text.js';
import { builtinRunbooks, builtinSource, builtinSummary } from '../../../shared/runbooks/builtin/index.js';
import { choicesAt, labelTitle } from '../../../shared/runbooks/graph.js';
import { parseRunbook, RunbookError } from '../../../shared/runbooks/parse.js';
import { provenanceWords } from '../../../shared/runbooks/provenance.js';
import type { Runbook, RunbookStep, RunbookSummary, StepAction } from '../../../shared/runbooks/schemas.js';
import { InputError, MissingError } from '../../engine/errors.js';
import { readUserFile } from '../../engine/files.js';
import { dbPath, parse, positionals } from '../args.js';
import { openCliEngine } from '../engine.js';
import { out, table } from '../output.js';
import { terminalAuthoriser } from '../terminal-authoriser.js';

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

/**
 * Reads through the service when the database is there; none yet is fine for reading: the built-in
 * runbooks need no database (and are shown without making one).
 */
async function withDatabase<T>(
  values: { db?: string },
  read: (api: Api) => Promise<T>,
  builtinOnly: () => T,
): Promise<T> {
  if (!existsSync(dbPath(values))) return builtinOnly();
  const engine = openCliEngine(values, { create: false });
  try {
    return await read(engine.api);
  } finally {
    await engine.close();
  }
}

function describeAction(a: StepAction): string {
  // A query as the runbook writes it: its PromQL quoted, its threshold as `Expect:` says it.
  if (a.kind === 'query')
    return [
      'query',
      ...a.promql.map((q) => `promql=${JSON.stringify(q)}`),
      ...(a.expect ? [`expect "${describeThreshold(a.expect)}"`] : []),
      ...(a.server ? [`server=${a.server}`] : []),
    ].join(' ');
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
  const all: RunbookSummary[] = await withDatabase(
    values,
    (api) => api.runbooks.list({}),
    () => builtinRunbooks().map(builtinSummary),
  );
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
  const found: ResponseOf<'runbooks', 'get'> = await withDatabase(
    values,
    (api) => api.runbooks.get({ id }),
    () => {
      const runbook = builtinRunbooks().find((r) => r.id === id);
      if (!runbook) throw new MissingError(`no runbook "${id}"; list them with "frameline runbooks"`);
      const { provenance, trusted } = builtinSummary(runbook);
      return { ...runbook, source: 'builtin', provenance, trusted, markdown: builtinSource(id) ?? '' };
    },
  );
  const { markdown, ...runbook } = found;
  if (values.markdown) {
    await out(markdown);
    return 0;
  }
  if (values.json) {
    await out(`${JSON.stringify(runbook, null, 2)}\n`);
    return 0;
  }
  await out(`${describeRunbook(runbook, provenanceWords(runbook))}\n`);
  return 0;
}

/** A file problem in the one-line form editors jump to: FILE:LINE: problem. */
async function fileProblem(file: string, err: RunbookError, json: boolean): Promise<number> {
  if (json) await out(`${JSON.stringify({ valid: false, file, line: err.line, problem: err.message })}\n`);
  process.stderr.write(`${file}:${err.line}: ${err.message}\n`);
  return 2;
}

/**
 * A runbook file the person named, read within its limit, with its text parsed by the one parser the
 * engine uses too: its runbook, or its problem.
 */
function readRunbookFile(file: string): { text: string; runbook: Runbook } | RunbookError {
  const text = readUserFile(file, 'the runbook file', RUNBOOK_FILE_LIMIT_BYTES).toString('utf8');
  try {
    return { text, runbook: parseRunbook(text, { fileName: file }) };
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
}

async function validate(args: string[], values: { json: boolean }): Promise<number> {
  const [file] = positionals(args, 'runbooks validate', { max: 1, what: 'file' });
  if (file === undefined)
    throw new InputError(
      'frameline runbooks validate needs one file: frameline runbooks validate my-runbook.md',
    );
  // Checking a file needs no database: it is the parser's work alone.
  const read = readRunbookFile(file);
  if (read instanceof RunbookError) return fileProblem(file, read, values.json);
  const { runbook } = read;
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
  // A problem of the file is said in the editor's form before the database is opened.
  const read = readRunbookFile(file);
  if (read instanceof RunbookError) return fileProblem(file, read, values.json);
  // A file a person chose here, on the command line: its commands are trusted as theirs (the
  // service takes the provenance of an import from its requester, the person at this terminal).
  const engine = openCliEngine(values, { authoriser: terminalAuthoriser({ yes: false }) });
  try {
    const { runbook, replaced } = await engine.api.runbooks.import({
      fileName: basename(file),
      text: read.text,
      replace: values.replace,
    });
    if (values.json)
      await out(
        `${JSON.stringify({ id: runbook.id, title: runbook.title, version: runbook.version, replaced })}\n`,
      );
    else
      await out(
        `${replaced ? 'replaced' : 'imported'} runbook ${runbook.id} "${runbook.title}" (${runbook.nodes} nodes, ${runbook.steps} steps); walk it with: frameline walk start INCIDENT --runbook ${runbook.id}\n`,
      );
    return 0;
  } finally {
    await engine.close();
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
  // Trust is the person's at this terminal: the service answers `runbooks:trust` for no page.
  const engine = openCliEngine(values, { authoriser: terminalAuthoriser({ yes: false }) });
  try {
    const { runbook, already } = await engine.api.runbooks.trust({ id });
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
    await engine.close();
  }
}
