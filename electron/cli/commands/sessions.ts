// frameline sessions: every recorded session, newest first.
import { contract } from '../../../shared/contract.js';
import { parse, positionals, requestFrom } from '../args.js';
import { openCliEngine } from '../engine.js';
import { out, table } from '../output.js';

export const help = `frameline sessions [--search WORDS] [--status S] [--kind K] [--json] [--db PATH]

List recorded sessions, newest first: id, status (live, complete, interrupted, failed), frames,
kind (capture, probe, import, pcap, replay, mock, relay), target.

  --search WORDS   only sessions whose name, target or tags hold these words
  --status S       only sessions in this status
  --kind K         only sessions of this kind`;

const OPTIONS = { search: { type: 'string' }, status: { type: 'string' }, kind: { type: 'string' } } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'sessions');
  positionals(args, 'sessions');
  const request = requestFrom(contract.sessions.list.request, values, {
    search: { field: 'query' },
    status: { field: 'status' },
    kind: { field: 'kind' },
  });
  const engine = openCliEngine(values, { create: false });
  const sessions = await engine.api.sessions.list(request).finally(() => engine.close());
  if (values.json) {
    await out(`${JSON.stringify(sessions, null, 2)}\n`);
    return 0;
  }
  if (sessions.length === 0) {
    await out(
      request.query || request.status || request.kind
        ? 'No session matches.\n'
        : 'No sessions yet. Record one with: frameline capture ws://host:port/path\n',
    );
    return 0;
  }
  const rows = [['ID', 'STATUS', 'FRAMES', 'KIND', 'CREATED', 'NAME', 'TARGET']];
  for (const s of sessions) {
    rows.push([
      String(s.id),
      s.status,
      String(s.frames),
      s.kind,
      s.createdAt.slice(0, 19).replace('T', ' '),
      s.name,
      s.target,
    ]);
  }
  await out(`${table(rows)}\n`);
  return 0;
}
