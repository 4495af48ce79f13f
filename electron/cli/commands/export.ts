// frameline export SESSION --format F [-o FILE]: a session written in a format other tools read.
// One table, from format to the contract channel that writes it, with the request its flags make:
// each domain keeps its own format code (interop: HAR and NDJSON, redacted unless asked not to be;
// replay: Artillery and k6 load tests, whose secrets become environment variables).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { contract, type Api, type DamagedFrames } from '../../../shared/contract.js';
import { INTEROP_FORMAT_TEXT, INTEROP_PIECE_BYTES } from '../../../shared/contract/interop.js';
import { LoadTestRequestSchema } from '../../../shared/contract/replay.js';
import { plural, withArticle } from '../../../shared/words.js';
import { InputError } from '../../engine/errors.js';
import {
  REDACTION_FLAGS,
  REDACTION_OPTIONS,
  parse,
  positionals,
  redactionFixed,
  redactionNote,
  requestFrom,
  sessionId,
  type Flag,
} from '../args.js';
import { openCliEngine } from '../engine.js';
import { damageNote, formatBytes, note, out } from '../output.js';

/** What an export wrote: one line for stderr, notes beside it, and what --json prints. */
interface Exported {
  line: string;
  notes: string[];
  json: Record<string, unknown>;
  /** Frames whose stored bytes failed their check (said on stderr; the export then exits with 1). */
  damaged?: DamagedFrames;
}

/** One format: its help line, the request its flags fill, and how it is written through the contract. */
interface ExportFormat<S extends z.ZodType = z.ZodType> {
  summary: string;
  extension: string;
  schema: S;
  flags: Record<string, Flag>;
  /** Request fields that come from flags in another way (redaction on unless --no-redact). */
  fixed?: (values: Record<string, unknown>) => Record<string, unknown>;
  /** Redacted unless --no-redact is given. */
  redacted?: boolean;
  /** Writes the export to the file `output` names (as given), or to stdout when it is null. */
  write(api: Api, request: z.output<S>, output: string | null): Promise<Exported>;
}

function format<S extends z.ZodType>(f: ExportFormat<S>): ExportFormat {
  return f as unknown as ExportFormat;
}

/**
 * A session file on stdout: the engine writes it whole (a HAR's header comes last to be known) and
 * it is read back in pieces, as the console reads an export.
 */
async function exportToStdout(api: Api, request: z.output<typeof contract.interop.export.request>) {
  const written = await api.interop.export(request);
  try {
    for (let offset = 0; ;) {
      const piece = await api.interop.read({
        exportId: written.exportId,
        offset,
        length: INTEROP_PIECE_BYTES,
      });
      const bytes = Buffer.from(piece.data, 'base64');
      if (bytes.length > 0) await out(bytes);
      offset += bytes.length;
      if (piece.done) return written;
    }
  } finally {
    await api.interop.discard({ id: written.exportId });
  }
}

/** A session file (HAR, NDJSON), redacted unless --no-redact. */
function sessionFile(name: 'har' | 'ndjson') {
  return format({
    summary: INTEROP_FORMAT_TEXT[name].what,
    extension: INTEROP_FORMAT_TEXT[name].extension,
    schema: contract.interop.export.request,
    flags: REDACTION_FLAGS,
    fixed: (values) => ({ format: name, ...redactionFixed(values) }),
    redacted: true,
    async write(api, request, output) {
      const s =
        output === null
          ? await exportToStdout(api, request)
          : await api.interop.exportFile({ ...request, path: output });
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
function loadTest(name: 'artillery' | 'k6', tool: string, summary: string, extension: string) {
  return format({
    summary,
    extension,
    schema: LoadTestRequestSchema,
    flags: LOAD_TEST_FLAGS,
    fixed: () => ({ format: name }),
    async write(api, request, output) {
      const t = await api.replay.export(request);
      if (output === null) await out(t.text);
      else {
        try {
          writeFileSync(resolve(output), t.text);
        } catch (err) {
          throw new InputError(
            `cannot write ${output} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the folder exists and is writable`,
          );
        }
      }
      const secrets = t.secrets.map((s) => s.name);
      return {
        line: `session ${request.sessionId} as ${withArticle(`${tool} load test`)}`,
        notes: [
          secrets.length
            ? `the script reads ${plural(secrets.length, 'environment variable')} instead of the secrets the session recorded: ${secrets.join(', ')}`
            : 'the session recorded no secrets',
          ...t.notes,
        ],
        json: { format: name, environment: secrets, notes: t.notes },
      };
    },
  });
}

/** Every format `frameline export` writes. */
const FORMATS: Record<string, ExportFormat> = {
  har: sessionFile('har'),
  ndjson: sessionFile('ndjson'),
  artillery: loadTest(
    'artillery',
    'Artillery',
    'an Artillery scenario (engine ws): think times from the recorded gaps, a match on each answer paired by id',
    'yml',
  ),
  k6: loadTest(
    'k6',
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
  const own = new Set([...Object.keys(f.flags), ...(f.redacted ? ['no-redact'] : [])]);
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
  const engine = openCliEngine(values, { create: false });
  try {
    const written = await f.write(engine.api, request, values.output ?? null);
    if (values.output !== undefined && values.json)
      await out(`${JSON.stringify({ file: values.output, ...written.json }, null, 2)}\n`);
    note(`${values.output === undefined ? 'exported' : `wrote ${values.output}:`} ${written.line}`);
    for (const n of written.notes) note(n);
    const damaged = written.damaged;
    if (damaged && damaged.frames > 0) {
      damageNote(id, damaged, damaged.missing > 0 ? await engine.api.sessions.missingSegments({ id }) : []);
      return 1;
    }
    return 0;
  } finally {
    await engine.close();
  }
}
