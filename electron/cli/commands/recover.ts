// frameline recover: finish sessions whose recorder is gone, on request — including sessions
// recorded on another machine (a database copied here), which are never recovered on their own.
import { parse, positionals } from '../args.js';
import { openCliEngine } from '../engine.js';
import { out } from '../output.js';

export const help = `frameline recover [--json] [--db PATH]

Recover every live session whose recorder is gone: commit what its spool still holds and mark it
interrupted. Sessions are recovered by themselves when the database is opened, except those
recorded on another machine (a database copied from there): run this for them once no capture runs
there any more. Exit code 1 when a session could not be recovered yet (a full disk: free space and
run it again).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, {}, 'recover');
  positionals(args, 'recover');
  // Opened without recovering: sessions:recover does it, and reports every session it finished.
  const engine = openCliEngine(values, { create: false, recover: false });
  const report = await engine.api.sessions.recover({}).finally(() => engine.close());
  if (values.json) await out(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.recovered.length === 0 && report.deferred.length === 0)
    await out('Nothing to recover: no session was left live by a recorder that is gone.\n');
  else if (report.recovered.length > 0)
    await out(
      `Recovered session${report.recovered.length === 1 ? '' : 's'} ${report.recovered.join(', ')}.\n`,
    );
  return report.deferred.length > 0 ? 1 : 0;
}
