// frameline import: a HAR file (Chrome DevTools, Firefox, mitmproxy, HTTP Toolkit, Playwright,
// Frameline) as a session: each WebSocket entry a connection with its handshake and frames.
import { randomUUID } from 'node:crypto';
import { contract } from '../../../shared/contract.js';
import type { ImportResult } from '../../../shared/contract/interop.js';
import { InputError } from '../../engine/errors.js';
import { checkUserFile } from '../../engine/files.js';
import { parse, positionals, requestFrom } from '../args.js';
import { openCliEngine } from '../engine.js';
import { formatBytes, note, out } from '../output.js';

export const help = `frameline import FILE [--name N] [--json]
  Imports a HAR file's WebSocket connections as a session (kind "import"): the handshake's request
  and response headers and status, and every message (times in seconds, as Chrome DevTools,
  mitmproxy and HTTP Toolkit write them, or milliseconds, as Playwright does: told apart by size),
  with HTTP Toolkit's _webSocketClose. Other entries are counted as skipped, and messages that are
  not frames (a type other than send and receive, such as Chrome's "error", or no data) are counted
  and named. A malformed file, or a value that cannot be stored (a time before 1970 or after the
  year 9999, a size or status that is no whole number), gets one line saying what is wrong and
  where (its JSON path), and nothing is created.

  --name N      the session's name (default: the file's name)
  --json        {"sessionId", "connections", "frames", "skipped", "skippedMessages"} on stdout
  --db PATH     the database`;

const OPTIONS = { name: { type: 'string' } } as const;

/** The messages an import left out, by kind, each with where the first one is. */
function leftOut(skipped: ImportResult['skippedMessages']): string {
  if (skipped.length === 0) return '';
  const total = skipped.reduce((n, s) => n + s.count, 0);
  const kinds = skipped.map((s) => {
    const what =
      s.reason === 'no data'
        ? `${JSON.stringify(s.type)} without data`
        : s.type === '(none)'
          ? 'without a type'
          : `of type ${JSON.stringify(s.type)}`;
    return `${s.count} ${what} (first ${s.first})`;
  });
  return `; ${total} message${total === 1 ? '' : 's'} left out: ${kinds.join(', ')}`;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, 'import');
  const [file] = positionals(parsed.positionals, 'import', { min: 1, what: 'file' });
  const v = parsed.values;
  checkUserFile(file!, 'the HAR file'); // said before any mistake in the flags
  if (v.name !== undefined && v.name.trim() === '')
    throw new InputError('--name is empty; give the session a name');
  const request = requestFrom(
    contract.interop.importFile.request,
    v,
    { name: { field: 'name' } },
    { path: file, progressId: randomUUID() },
  );
  // The database is opened (or made) only once the whole file is checked: a refused file creates
  // nothing, not even a database at a new --db path.
  const engine = openCliEngine(v, { openOnFirstUse: true });
  // Progress for files that take a while: every second, from the first.
  let shown = Date.now();
  const off = engine.api.on('interop:progress', (p) => {
    if (p.uploadId !== request.progressId) return;
    const now = Date.now();
    if (now - shown < 1000) return;
    shown = now;
    if (p.phase === 'committing') note(`committing: ${p.done} of ${p.total} frames written`);
    else
      note(
        `${p.phase}: ${formatBytes(p.done)} of ${formatBytes(p.total)} (${Math.floor((p.done / Math.max(1, p.total)) * 100)}%)`,
      );
  });
  let result: ImportResult;
  try {
    result = await engine.api.interop.importFile(request);
  } finally {
    off();
    await engine.close();
  }
  if (v.json) await out(`${JSON.stringify(result, null, 2)}\n`);
  else
    await out(
      `imported session ${result.sessionId}: ${result.connections} connection${result.connections === 1 ? '' : 's'}, ${result.frames} frames${result.skipped ? ` (${result.skipped} other entr${result.skipped === 1 ? 'y' : 'ies'} skipped)` : ''}${leftOut(result.skippedMessages)}\n`,
    );
  return 0;
}
