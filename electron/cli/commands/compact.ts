// frameline compact: give back the disk space deleted sessions and old payloads still hold.
import { parse, positionals } from '../args.js';
import { openCliEngine } from '../engine.js';
import { note, out } from '../output.js';

export const help = `frameline compact [--json] [--db PATH]

Give disk space back: delete frame segment files no session refers to any more (a deletion that
could not remove them at the time), rewrite segments so that they hold nothing but payloads, and
compact the database file itself (like SQLite's VACUUM). Live captures are left alone; while another
process writes the database, its file is not compacted (run it again later). Deleting a session
already deletes its segment files.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, {}, 'compact');
  positionals(args, 'compact');
  const engine = openCliEngine(values, { create: false });
  const report = await engine.api.sessions.compact({}).finally(() => engine.close());
  if (values.json) await out(`${JSON.stringify(report, null, 2)}\n`);
  else
    await out(
      `Freed ${(report.bytesFreed / 1048576).toFixed(1)} MiB: ${report.orphansRemoved} unused segment file${report.orphansRemoved === 1 ? '' : 's'} deleted, ${report.segmentsRewritten} rewritten${report.vacuumed ? ', database file compacted' : '; the database file is in use by another process and was not compacted'}.\n`,
    );
  if (report.damagedSegmentsKept > 0)
    note(
      `frameline: left ${report.damagedSegmentsKept} segment file${report.damagedSegmentsKept === 1 ? '' : 's'} with damaged frames as found (not rewritten); "frameline show SESSION --frames" marks those frames`,
    );
  return 0;
}
