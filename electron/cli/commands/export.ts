// frameline export: a session written in a format other tools read, redacted unless asked not to
// be. One table, from format to the domain function that writes it: each domain keeps its own
// format code (interop: HAR and NDJSON).
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { RedactionSchema } from '../../../shared/contract/fields.js';
import { openEngine, type EngineContext } from '../../engine/context.js';
import { InputError } from '../../engine/errors.js';
import { INTEROP_FORMATS, type ExportRequest, type ExportSummary } from '../../engine/interop/exports.js';
import {
  REDACTION_FLAGS,
  REDACTION_OPTIONS,
  dbPath,
  parse,
  positionals,
  redactionFixed,
  redactionNote,
  requestFrom,
  sessionId,
} from '../args.js';
import { formatBytes, note, out } from '../output.js';

/** A format `frameline export` writes, and the domain function that writes it. */
interface ExportFormat {
  what: string;
  extension: string;
  write: (ctx: EngineContext, request: ExportRequest, dest: string) => Promise<ExportSummary>;
}

const FORMATS: Record<string, ExportFormat> = {
  har: INTEROP_FORMATS.har,
  ndjson: INTEROP_FORMATS.ndjson,
};

export const help = `frameline export SESSION --format ${Object.keys(FORMATS).join('|')} [-o FILE]
${Object.entries(FORMATS)
  .map(([name, f]) => `  --format ${name.padEnd(8)} ${f.what}`)
  .join('\n')}

  -o, --output FILE        write to FILE (default: stdout)
  --no-redact              keep credentials, tokens and secret fields (redaction is on by default:
                           headers, URLs, subprotocols, JWTs and secret-named JSON and form fields
                           inside frames; the export's header says what was taken out)
  --redact-field NAME      also redact this JSON field, header or parameter (repeatable)
  --redact-pattern REGEX   also redact whatever matches (repeatable)
  --db PATH, --json        --json prints what was written (file, format, frames, bytes, redaction)`;

const OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  ...REDACTION_OPTIONS,
} as const;

const RequestSchema = z.object({
  sessionId: z.number().int().positive(),
  format: z.enum(Object.keys(FORMATS) as [string, ...string[]], {
    error: `must be ${Object.keys(FORMATS).join(' or ')}`,
  }),
  redaction: RedactionSchema,
});

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, 'export');
  const v = parsed.values;
  const id = sessionId(
    positionals(parsed.positionals, 'export', { max: 1, what: 'session id' })[0],
    'export',
  );
  if (v.format === undefined)
    throw new InputError(`frameline export needs --format ${Object.keys(FORMATS).join('|')}`);
  if (v.output !== undefined && v.output.trim() === '')
    throw new InputError('-o is empty; give the file to write, such as -o session.har');
  const request = requestFrom(
    RequestSchema,
    { ...v, format: v.format.trim().toLowerCase() },
    { format: { field: 'format' }, ...REDACTION_FLAGS },
    { sessionId: id, ...redactionFixed(v) },
  );
  const format = FORMATS[request.format]!;
  const path = dbPath(v);
  const ctx = openEngine(path, { create: false });
  // Without -o, the export is written whole (its header comes last to be known) and then copied out.
  const scratch = v.output === undefined ? mkdtempSync(join(tmpdir(), 'frameline-export-')) : null;
  const dest = v.output === undefined ? join(scratch!, `export.${format.extension}`) : resolve(v.output);
  try {
    const summary = await format.write(
      ctx,
      { sessionId: request.sessionId, redaction: request.redaction },
      dest,
    );
    if (scratch) {
      await new Promise<void>((done, fail) => {
        const stream = createReadStream(dest);
        stream.on('error', fail);
        stream.on('end', () => done());
        stream.pipe(process.stdout, { end: false });
      });
    } else if (v.json)
      await out(
        `${JSON.stringify({ file: v.output, format: request.format, connections: summary.connections, frames: summary.frames, bytes: summary.bytes, redaction: summary.redaction }, null, 2)}\n`,
      );
    note(
      `${scratch ? 'exported' : `wrote ${v.output}:`} session ${request.sessionId} as ${request.format}, ${summary.connections} connection${summary.connections === 1 ? '' : 's'}, ${summary.frames} frames, ${formatBytes(summary.bytes)}; ${redactionNote(summary.redaction)}`,
    );
    return 0;
  } finally {
    ctx.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
