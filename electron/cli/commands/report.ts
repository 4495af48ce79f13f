// frameline report: an incident's post-mortem report — Markdown, self-contained HTML, PDF or JSON —
// redacted unless asked not to be, to a file or to stdout.
import { rmSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { contract } from '../../../shared/contract.js';
import type { ReportFormat } from '../../../shared/contract/reports.js';
import { InputError, ioFailure, StorageFault, storageAdvice } from '../../engine/errors.js';
import {
  REDACTION_FLAGS,
  REDACTION_OPTIONS,
  parse,
  positionals,
  redactionFixed,
  redactionNote,
  requestFrom,
  sessionId,
} from '../args.js';
import { openCliEngine } from '../engine.js';
import { damageNote, formatBytes, note, out } from '../output.js';
import { incidentId } from './incident.js';

export const help = `frameline report INCIDENT [-o FILE] [--format md|html|pdf|json]
  The incident's post-mortem: header and metrics, summary, impact, trigger, root cause, detection,
  resolution, timeline, findings, the runbook path taken (flowchart and each step), the evidence of
  each linked session (connections and their protocols, close codes, lifetimes, reconnects, round
  trips, charts, its last frames with their messages decoded), action items and lessons.

  -o, --output FILE        write to FILE (the format follows its extension: .md .html .pdf .json)
  --format F               md (default on stdout), html (one self-contained file), pdf (printed by
                           Chromium: FRAMELINE_CHROMIUM, else /usr/bin/chromium…) or json (the data,
                           with its schemaVersion)
  --before S --after S     add a "Before and after" section: these two linked sessions compared (the
                           capture before the fix and the one after it), as "frameline compare" does
  --no-redact              keep credentials, tokens and secret fields (redaction is on by default)
  --redact-field NAME      also redact this JSON field, header or parameter (repeatable)
  --redact-pattern REGEX   also redact whatever matches (repeatable)
  --db PATH, --json        --json prints what was written (file, format, bytes, redaction)
  Frames of a linked session whose stored bytes failed their check are left out of its round trips
  and named in its evidence; the report is written, says so on stderr and exits with 1.`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  before: { type: 'string' },
  after: { type: 'string' },
  ...REDACTION_OPTIONS,
} as const;

const BY_EXTENSION: Record<string, ReportFormat> = {
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
  '.json': 'json',
};

/** The format asked for: --format, else the output file's extension, else Markdown. */
export function reportFormat(format: string | undefined, output: string | undefined): string {
  if (format !== undefined)
    return format
      .trim()
      .toLowerCase()
      .replace(/^markdown$/, 'md');
  if (output === undefined) return 'md';
  const byExt = BY_EXTENSION[extname(output).toLowerCase()];
  if (!byExt)
    throw new InputError(
      `cannot tell the format from "${output}": name it .md, .html, .pdf or .json, or add --format md|html|pdf|json`,
    );
  return byExt;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, 'report');
  const v = parsed.values;
  const id = incidentId(
    positionals(parsed.positionals, 'report', { max: 1, what: 'incident id' })[0],
    'report',
  );
  const output = v.output;
  if (output !== undefined && output.trim() === '')
    throw new InputError('-o is empty; give the file to write, such as -o incident.html');
  if ((v.before === undefined) !== (v.after === undefined))
    throw new InputError(
      `--${v.before === undefined ? 'after' : 'before'} needs --${v.before === undefined ? 'before' : 'after'}: give both sessions to compare, such as --before 1 --after 2`,
    );
  const compare =
    v.before !== undefined && v.after !== undefined
      ? { compare: { before: sessionId(v.before, 'report'), after: sessionId(v.after, 'report') } }
      : {};
  const values: Record<string, unknown> = { ...v, format: reportFormat(v.format, output) };
  const request = requestFrom(
    contract.reports.render.request,
    values,
    { format: { field: 'format' }, ...REDACTION_FLAGS },
    { incidentId: id, ...redactionFixed(v), ...compare },
  );
  if (request.format === 'pdf' && output === undefined && process.stdout.isTTY)
    throw new InputError('a PDF is binary: write it to a file with -o incident.pdf');

  // The report is the engine's (which walks, the version, redaction, the PDF printer): the same
  // `reports:render` the console saves with; writing it to -o or stdout is this command's.
  const engine = openCliEngine(v, { create: false });
  let rendered;
  try {
    rendered = await engine.api.reports.render(request);
  } finally {
    await engine.close();
  }
  const content = Buffer.from(rendered.content, rendered.encoding);
  if (output !== undefined) {
    try {
      writeFileSync(output, content);
    } catch (err) {
      // A full disk is no mistake in -o: the half-written file goes, and the line says so.
      const io = ioFailure(err);
      if (io !== null) {
        rmSync(output, { force: true });
        throw new StorageFault(
          `cannot write ${output}: ${io}; the partial file was removed; ${storageAdvice(err)}`,
        );
      }
      throw new InputError(
        `cannot write ${output} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pick a writable path with -o`,
      );
    }
    if (v.json)
      await out(
        `${JSON.stringify({ file: output, format: request.format, bytes: content.length, redaction: rendered.redaction }, null, 2)}\n`,
      );
    note(
      `wrote ${output} (${request.format}, ${formatBytes(content.length)}); ${redactionNote(rendered.redaction)}`,
    );
  } else {
    await new Promise<void>((resolve) => {
      if (process.stdout.write(content)) resolve();
      else process.stdout.once('drain', resolve);
    });
    note(redactionNote(rendered.redaction));
  }
  for (const d of rendered.damaged) damageNote(d.sessionId, d.damagedFrames, d.restore);
  return rendered.damaged.length > 0 ? 1 : 0;
}
