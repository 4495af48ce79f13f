// frameline export SESSION --format F [-o FILE]: a session written in another tool's format. One
// table from format to the domain function that writes it, with the request its flags make.
import { writeFileSync } from 'node:fs';
import type { z } from 'zod';
import { LoadTestRequestSchema } from '../../../shared/contract/replay.js';
import { openEngine, type EngineContext } from '../../engine/context.js';
import { InputError } from '../../engine/errors.js';
import { exportLoadTest } from '../../engine/replay/load-test.js';
import { dbPath, parse, positionals, requestFrom, sessionId, type Flag } from '../args.js';
import { note, out } from '../output.js';

/** What an export writes, and what to tell the user beside it. */
interface Written {
  text: string;
  notes: string[];
}

/** One format: its help line, the request its flags fill, and the domain function that writes it. */
interface ExportFormat<S extends z.ZodType = z.ZodType> {
  summary: string;
  schema: S;
  flags: Record<string, Flag>;
  write(engine: EngineContext, request: z.output<S>): Written;
}

function format<S extends z.ZodType>(f: ExportFormat<S>): ExportFormat {
  return f as unknown as ExportFormat;
}

/** Flags of the load-test formats. */
const LOAD_TEST_FLAGS: Record<string, Flag> = {
  connection: { field: 'connection', kind: 'number' },
  'id-field': { field: 'idField' },
  users: { field: 'users', kind: 'number' },
  duration: { field: 'durationSeconds', kind: 'number' },
};

/** A load test, with the environment variables it reads instead of the recorded secrets. */
function loadTest(engine: EngineContext, request: z.output<typeof LoadTestRequestSchema>): Written {
  const t = exportLoadTest(engine, request);
  return {
    text: t.text,
    notes: [
      t.secrets.length
        ? `the script reads ${t.secrets.length} environment variable${t.secrets.length === 1 ? '' : 's'} instead of the secrets the session recorded: ${t.secrets.map((s) => s.name).join(', ')}`
        : 'the session recorded no secrets',
      ...t.notes,
    ],
  };
}

/** Every format `frameline export` writes. */
const FORMATS: Record<string, ExportFormat> = {
  artillery: format({
    summary:
      'an Artillery scenario (engine ws): think times from the recorded gaps, a match on each answer paired by id, ensure',
    schema: LoadTestRequestSchema,
    flags: LOAD_TEST_FLAGS,
    write: loadTest,
  }),
  k6: format({
    summary:
      'a k6 script (k6/websockets): the messages at their recorded times, a check on each answer paired by id',
    schema: LoadTestRequestSchema,
    flags: LOAD_TEST_FLAGS,
    write: loadTest,
  }),
};

export const help = `frameline export SESSION --format FORMAT [-o FILE] [options]

Write a recorded session in another tool's format, to FILE or to stdout. Secrets the session
recorded (Authorization, cookies, tokens in the URL or in JSON fields) are never written.

Formats:
${Object.entries(FORMATS)
  .map(([name, f]) => `  ${name.padEnd(10)} ${f.summary}`)
  .join('\n')}

  -o, --output FILE    write to FILE instead of stdout
Load tests (artillery, k6):
  --connection N       the connection to export (default: the first that sent anything)
  --id-field NAME      the JSON field that pairs a request with its answer (default "id")
  --users N            virtual users (default 1)
  --duration S         seconds over which they arrive (needed with --users above 1)
  --db PATH            see "frameline --help"`;

const OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  connection: { type: 'string' },
  'id-field': { type: 'string' },
  users: { type: 'string' },
  duration: { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'export');
  const [raw] = positionals(args, 'export', { min: 1, what: 'session id' });
  const id = sessionId(raw, 'export');
  const names = Object.keys(FORMATS).join(', ');
  if (values.format === undefined) throw new InputError(`frameline export needs --format: one of ${names}`);
  const f = FORMATS[values.format];
  if (!f) throw new InputError(`--format must be one of ${names}, not ${JSON.stringify(values.format)}`);
  const request: unknown = requestFrom(f.schema, values, f.flags, { sessionId: id, format: values.format });
  if (values.output !== undefined && values.output.trim() === '')
    throw new InputError('--output is empty; give the file to write, such as -o load-test.yml');
  const engine = openEngine(dbPath(values), { create: false });
  try {
    const written = f.write(engine, request);
    if (values.output !== undefined) {
      try {
        writeFileSync(values.output, written.text);
      } catch (err) {
        throw new InputError(
          `cannot write ${values.output} (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the folder exists and is writable`,
        );
      }
      note(`wrote ${values.output}`);
    } else await out(written.text);
    for (const n of written.notes) note(n);
    return 0;
  } finally {
    engine.close();
  }
}
