// frameline sessions: every recorded session, newest first.
import { openStore } from '../../engine/store/database.js';
import { listSessions } from '../../engine/sessions/session-store.js';
import { dbPath, parse } from '../args.js';
import { out, table } from '../output.js';

export const help = `frameline sessions [--json] [--db PATH]

List every recorded session, newest first: id, status (live, complete, interrupted), frames, target.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {}, 'sessions');
  const db = openStore(dbPath(values), { create: false });
  const sessions = listSessions(db);
  db.close();
  if (values.json) {
    await out(`${JSON.stringify(sessions, null, 2)}\n`);
    return 0;
  }
  if (sessions.length === 0) {
    await out('No sessions yet. Record one with: frameline capture ws://host:port/path\n');
    return 0;
  }
  const rows = [['ID', 'STATUS', 'FRAMES', 'CREATED', 'NAME', 'TARGET']];
  for (const s of sessions) {
    rows.push([
      String(s.id),
      s.status,
      String(s.frames),
      s.createdAt.slice(0, 19).replace('T', ' '),
      s.name,
      s.target,
    ]);
  }
  await out(`${table(rows)}\n`);
  return 0;
}
