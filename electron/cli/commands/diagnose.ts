// frameline diagnose SESSION: what a recorded session says about the endpoint, as findings.
import { contract, type DamagedFrames } from '../../../shared/contract.js';
import { describeCheck } from '../../../shared/diagnosis/describe.js';
import { findingsText, verdict } from '../../../shared/finding-text.js';
import { hasCritical } from '../../../shared/findings.js';
import { scorecardLines } from '../../../shared/scorecard-text.js';
import { parse, positionals, requestFrom, sessionId } from '../args.js';
import { openCliEngine } from '../engine.js';
import { damageNote, out } from '../output.js';
import { checkLines } from './probe.js';

export const help = `frameline diagnose SESSION [--id-field NAME] [--json] [--db PATH]

Analyse a recorded session: close codes, connection lifetimes, idle time before each close (a tight
cluster is an idle timeout), reconnect rate and backoff, ping intervals and late or missing pongs,
round trips from pings and from requests and responses matched by a JSON id, and messages that
arrive in bursts, and the scorecard of the runbooks' success metrics. Prints findings with their evidence, cause, fix and runbook step; exit code 1
when one is critical, or when frames' stored bytes failed their check (a "stored frames" check says
which; their payloads are left out, the rest is analysed). A probe session shows the probe's own report.

  --id-field NAME   the JSON field that pairs a request with its response (default "id")`;

const OPTIONS = { 'id-field': { type: 'string' } } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'diagnose');
  const [raw] = positionals(args, 'diagnose', { max: 1, what: 'session id' });
  const request = requestFrom(
    contract.diagnose.session.request,
    values,
    { 'id-field': { field: 'idField' } },
    { id: sessionId(raw, 'diagnose') },
  );
  const engine = openCliEngine(values, { create: false });
  try {
    const report = await engine.api.diagnose.session(request);
    if (values.json) await out(`${JSON.stringify(report, null, 2)}\n`);
    else
      await out(
        `session ${request.id}: ${report.target}\n\n${checkLines(report.checks, describeCheck)}\n\nscorecard\n${scorecardLines(
          report.scorecard,
        )
          .map((l) => `  ${l}\n`)
          .join('')}\n${findingsText(report.findings, report.target)}\n${verdict(report)}\n`,
      );
    const stored = report.checks.find((c) => c.name === 'stored frames' && !c.ok);
    if (stored) {
      const d = stored.detail.damaged as DamagedFrames;
      damageNote(
        request.id,
        d,
        d.missing > 0 ? await engine.api.sessions.missingSegments({ id: request.id }) : [],
      );
    }
    return hasCritical(report.findings) || stored ? 1 : 0;
  } finally {
    await engine.close();
  }
}
