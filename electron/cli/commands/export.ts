// frameline export SESSION --format F [-o FILE]: a session written in a format other tools read.
// One table, from format to the domain function that writes it, with the request its flags make:
// each domain keeps its own format code (interop: HAR and NDJSON, redacted unless asked not to be;
// replay: Artillery and k6 load tests, whose secrets become environment variables).
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { DamagedFrames } from '../../../shared/contract.js';
import { RedactionSchema } from '../../../shared/contract/fields.js';
import { LoadTestRequestSchema } from '../../../shared/contract/replay.js';
import { openEngine, type EngineContext } from '../../engine/context.js';
import { InputError, ioFailure, StorageFault, storageAdvice } from '../../engine/errors.js';
import { INTEROP_FORMATS, type SessionExporter } from '../../engine/interop/exports.js';
import { exportLoadTest } from '../../engine/replay/load-test.js';
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
  type Flag,
} from '../args.js';
import { damageNote, formatBytes, note, out } from '../output.js';
import { missingSegmentFiles } from '../../engine/sessions/sessions.js';

/** What an export wrote: one line for stderr, notes beside it, and what --json prints. */
interface Exported {
  line: string;
  notes: string[];
  json: Record<string, unknown>;
  /** Frames whose stored bytes failed their check (said on stderr; the export then exits with 1). */
  damaged?: DamagedFrames;
}

/** One format: its help line, the request its flags fill, and the domain function that writes it. */
interface ExportFormat<S extends z.ZodType = z.ZodType> {
  summary: string;
  extension: string;
  schema: S;
  flags: Record<string, Flag>;
  /** Request fields that come from flags in another way (redaction on unless --no-redact). */
  fixed?: (values: Record<string, unknown>) => Record<string, unknown>;
  write(ctx: EngineContext, request: z.output<S>, dest: string): Promise<Exported>;
}

function format<S extends z.ZodType>(f: ExportFormat<S>): ExportFormat {
  return f as unknown as ExportFormat;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A session file (HAR, NDJSON), redacted unless --no-redact. */
function sessionFile(name: string, exporter: { what: string; extension: string; write: SessionExporter }) {
  return format({
    summary: exporter.what,
    extension: exporter.extension,
    schema: z.object({ sessionId: z.number().int().positive(), redaction: RedactionSchema }),
    flags: REDACTION_FLAGS,
    fixed: redactionFixed,
    async write(ctx, request, dest) {
      const s = await exporter.write(ctx, request, dest);
      return {
        line: `session ${request.sessionId} as ${name}, ${plural(s.connections, 'connection')}, ${s.frames} frames, ${formatBytes(s.bytes)}; ${redactionNote(s.redaction)}`,
        notes: [],
        json: {
          format: name,
          connections: s.connections,
          frames: s.frames,
          bytes: s.bytes,
          redaction: s.redaction,
          damaged: s.damaged,
        },
        damaged: s.damaged,
      };
    },
  });
}

/** Flags of the load-test formats. */
const LOAD_TEST_FLAGS: Record<string, Flag> = {
  connection: { field: 'connection', kind: 'number' },
  'id-field': { field: 'idField' },
  users: { field: 'users', kind: 'number' },
  duration: { field: 'durationSeconds', kind: 'number' },
};

/** A load test, with the environment variables it reads instead of the recorded secrets. */
function loadTest(name: 'artillery' | 'k6', summary: string, extension: string) {
  return format({
    summary,
    extension,
    schema: LoadTestRequestSchema,
    flags: LOAD_TEST_FLAGS,
    fixed: () => ({ format: name }),
    write(ctx, request, dest) {
      const t = exportLoadTest(ctx, request);
      writeFileSync(dest, t.text);
      const secrets = t.secrets.map((s) => s.name);
      return Promise.resolve({
        line: `session ${request.sessionId} as a ${name} load test`,
        notes: [
          secrets.length
            ? `the script reads ${plural(secrets.length, 'environment variable')} instead of the secrets the session recorded: ${secrets.join(', ')}`
            : 'the session recorded no secrets',
          ...t.notes,
        ],
        json: { format: name, environment: secrets, notes: t.notes },
      });
    },
  });
}

/** Every format `frameline export` writes. */
const FORMATS: Record<string, ExportFormat> = {
  har: sessionFile('har', INTEROP_FORMATS.har),
  ndjson: sessionFile('ndjson', INTEROP_FORMATS.ndjson),
  artillery: loadTest(
    'artillery',
    'an Artillery scenario (engine ws): think times from the recorded gaps, a match on each answer paired by id',
    'yml',
  ),
  k6: loadTest(
    'k6',
    'a k6 script (k6/websockets): the messages at their recorded times, a check on each answer paired by id',
    'js',
  ),
};

const NAMES = Object.keys(FORMATS);

export const help = `frameline export SESSION --format ${NAMES.join('|')} [-o FILE] [options]

Write a recorded session in another tool's format, to FILE or to stdout.

Formats:
${Object.entries(FORMATS)
  .map(([name, f]) => `  ${name.padEnd(10)} ${f.summary}`)
  .join('\n')}

  -o, --output FILE        write to FILE (default: stdout)
  --json                   print what was written (file, format, counts, redaction or variables)
Sessions (har, ndjson):
  --no-redact              keep credentials, tokens and secret fields (redaction is on by default:
                           headers, URLs, subprotocols, JWTs and secret-named JSON and form fields
                           inside frames; the export's header says what was taken out)
  --redact-field NAME      also redact this JSON field, header or parameter (repeatable)
  --redact-pattern REGEX   also redact whatever matches (repeatable)
  A frame whose stored bytes failed their check is written marked ("damaged", no payload) in NDJSON
  and left out of HAR; the export says how many on stderr and exits with 1.
Load tests (artillery, k6): secrets the session recorded (Authorization, cookies, tokens in the
URL or in JSON fields) are never written; the script reads environment variables instead.
  --connection N           the connection to export (default: the first that sent anything)
  --id-field NAME          the JSON field that pairs a request with its answer (default "id")
  --users N                virtual users (default 1)
  --duration S             seconds over which they arrive (needed with --users above 1)
  --db PATH                see "frameline --help"`;

const OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  connection: { type: 'string' },
  'id-field': { type: 'string' },
  users: { type: 'string' },
  duration: { type: 'string' },
  ...REDACTION_OPTIONS,
} as const;

/** Flags that belong to some format: given with another one, they are a mistake worth saying. */
const FORMAT_FLAGS = new Set([...Object.keys(LOAD_TEST_FLAGS), ...Object.keys(REDACTION_OPTIONS)]);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'export');
  const id = sessionId(positionals(args, 'export', { max: 1, what: 'session id' })[0], 'export');
  if (values.format === undefined) throw new InputError(`frameline export needs --format ${NAMES.join('|')}`);
  const name = values.format.trim().toLowerCase();
  const f = FORMATS[name];
  if (!f)
    throw new InputError(`--format must be one of ${NAMES.join(', ')}, not ${JSON.stringify(values.format)}`);
  const own = new Set([...Object.keys(f.flags), ...(f.fixed === redactionFixed ? ['no-redact'] : [])]);
  for (const flag of FORMAT_FLAGS) {
    const v = (values as Record<string, unknown>)[flag];
    const given = Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false;
    if (given && !own.has(flag))
      throw new InputError(`--${flag} does not apply to --format ${name}; see "frameline export --help"`);
  }
  if (values.output !== undefined && values.output.trim() === '')
    throw new InputError(`-o is empty; give the file to write, such as -o session.${f.extension}`);
  const request: unknown = requestFrom(f.schema, values, f.flags, {
    sessionId: id,
    ...(f.fixed?.(values) ?? {}),
  });
  const ctx = openEngine(dbPath(values), { create: false });
  // Without -o, the export is written whole (a HAR's header comes last to be known), then copied out.
  const scratch = values.output === undefined ? mkdtempSync(join(tmpdir(), 'frameline-export-')) : null;
  const dest = scratch ? join(scratch, `export.${f.extension}`) : resolve(values.output!);
  try {
    let written: Exported;
    try {
      written = await f.write(ctx, request, dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A full disk is no mistake in -o: the half-written file goes, and the line says so.
      const io = ioFailure(err);
      if (io !== null) {
        rmSync(dest, { force: true });
        throw new StorageFault(
          `cannot write ${scratch ? `the export to a scratch file in ${tmpdir()}` : values.output}: ${io}; ${scratch ? 'nothing was exported' : 'the partial file was removed'}; ${storageAdvice(err)}`,
        );
      }
      if (!scratch && typeof code === 'string' && /^E[A-Z]+$/.test(code))
        throw new InputError(
          `cannot write ${values.output} (${code}); check the folder exists and is writable`,
        );
      throw err;
    }
    if (scratch) {
      await new Promise<void>((done, fail) => {
        const stream = createReadStream(dest);
        stream.on('error', fail);
        stream.on('end', () => done());
        stream.pipe(process.stdout, { end: false });
      });
    } else if (values.json)
      await out(`${JSON.stringify({ file: values.output, ...written.json }, null, 2)}\n`);
    note(`${scratch ? 'exported' : `wrote ${values.output}:`} ${written.line}`);
    for (const n of written.notes) note(n);
    if (written.damaged && written.damaged.frames > 0) {
      damageNote(id, written.damaged, written.damaged.missing > 0 ? missingSegmentFiles(ctx, id) : []);
      return 1;
    }
    return 0;
  } finally {
    ctx.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
