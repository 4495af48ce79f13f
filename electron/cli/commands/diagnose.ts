// frameline diagnose SESSION: what a recorded session says about the endpoint, as findings.
import { describeCheck } from '../../../shared/diagnosis/describe.js';
import { hasCritical } from '../../../shared/findings.js';
import { InputError } from '../../engine/errors.js';
import { diagnoseStoredSession } from '../../engine/diagnose/session-analysis.js';
import { openStore } from '../../engine/store/database.js';
import { dbPath, parse, sessionId } from '../args.js';
import { out } from '../output.js';
import { checkLines, findingsText, verdict } from './probe.js';

export const help = `frameline diagnose SESSION [--id-field NAME] [--json] [--db PATH]

Analyse a recorded session: close codes, connection lifetimes, idle time before each close (a tight
cluster is an idle timeout), reconnect rate and backoff, ping intervals and late or missing pongs,
round trips from pings and from requests and responses matched by a JSON id, and messages that
arrive in bursts. Prints findings with their evidence, cause, fix and runbook step; exit code 1
when one is critical. A probe session shows the probe's own report.

  --id-field NAME   the JSON field that pairs a request with its response (default "id")`;

const OPTIONS = { 'id-field': { type: 'string' } } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'diagnose');
  if (positionals.length > 1)
    throw new InputError(`frameline diagnose takes one session id, got ${positionals.length}`);
  const id = sessionId(positionals[0], 'diagnose');
  const idField = values['id-field'];
  if (idField !== undefined && !/^[^\s"]{1,100}$/.test(idField))
    throw new InputError(
      `--id-field "${idField}" is not a JSON field name; give one such as id or requestId`,
    );
  const db = openStore(dbPath(values), { create: false });
  try {
    const report = diagnoseStoredSession(db, id, idField ? { idField } : {});
    if (values.json) await out(`${JSON.stringify(report, null, 2)}\n`);
    else
      await out(
        `session ${id}: ${report.target}\n\n${checkLines(report.checks, describeCheck)}\n\n${findingsText(report.findings)}\n${verdict(report)}\n`,
      );
    return hasCritical(report.findings) ? 1 : 0;
  } finally {
    db.close();
  }
}
