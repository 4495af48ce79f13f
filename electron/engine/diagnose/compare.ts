// `diagnose:compare` ("did the fix work?"): two recorded sessions measured the same way, side by
// side. Each is diagnosed by the session rules (its findings, idle time before each close, round
// trips paired by id or by its protocol) in one pass over its frames that also counts the frame
// kinds and decoded message types; its connections, closes, lifetimes and reconnect gaps are the
// report's evidence of a session. What changed, and the verdict, are worked out in
// shared/diagnosis/compare.ts.
import type { ParsedRequestOf } from '../../../shared/contract.js';
import type { ComparedSession, Comparison } from '../../../shared/contract/compare.js';
import { compareSessions } from '../../../shared/diagnosis/compare.js';
import type { DiagFrame } from '../../../shared/diagnosis/input.js';
import { median, maxOf, round1 } from '../../../shared/diagnosis/stats.js';
import { describeCloseCode } from '../../../shared/close-codes.js';
import { outcomeLabel } from '../../../shared/charts/connection-class.js';
import { Redactor } from '../../../shared/redaction.js';
import { parseMicros } from '../../../shared/time.js';
import type { EngineContext } from '../context.js';
import { MissingError } from '../errors.js';
import { judgeTally, scoreAndDamageOf } from './scorecard.js';
import { sessionEvidence } from '../reports/session-evidence.js';
import { getSession, getSessionRow } from '../sessions/session-store.js';
import { sessionDetail } from '../sessions/sessions.js';
import { analyseRecording } from './session-analysis.js';

/** Frame kinds and decoded message types, counted as the rules read the frames. */
class TypeTally {
  readonly kinds = new Map<string, number>();
  readonly types = new Map<string, number>();

  add(f: DiagFrame): void {
    const kind = `${f.direction} ${f.opcode}`;
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    if (f.message) {
      const type = `${f.direction} ${f.message.type}`;
      this.types.set(type, (this.types.get(type) ?? 0) + 1);
    }
  }
}

function split<T extends string>(key: string): [T, string] {
  const at = key.indexOf(' ');
  return [key.slice(0, at) as T, key.slice(at + 1)];
}

const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count;

/** One session measured for a comparison. */
export async function measureSession(
  ctx: EngineContext,
  id: number,
  idField?: string,
  redactor = new Redactor(),
): Promise<ComparedSession> {
  const row = getSessionRow(ctx.db, id);
  const summary = getSession(ctx.db, id);
  if (!row || !summary)
    throw new MissingError(`no session ${id} in this database; list them with "frameline sessions"`);
  const tally = new TypeTally();
  const { checks, findings, facts, head } = analyseRecording(
    ctx.db,
    row,
    idField !== undefined ? { idField } : {},
    (f) => tally.add(f),
  );
  const detailOf = (name: string) => checks.find((c) => c.name === name)?.detail ?? {};

  // The report's evidence of a session: closes, lifetimes, reconnect gaps, the timeline.
  const { tally: score, damaged } = await scoreAndDamageOf(ctx, row);
  const evidence = await sessionEvidence(
    ctx,
    { ...summary, linkedAt: summary.createdAt, via: 'user' },
    redactor,
    score,
    damaged,
  );

  const closes = new Map<string, ComparedSession['closes'][number]>();
  for (const c of sessionDetail(ctx, id).connections) {
    const key = `${c.closeCode ?? outcomeLabel(c)}\u0000${c.closedBy ?? ''}`;
    const seen = closes.get(key);
    if (seen) seen.count++;
    else
      closes.set(key, {
        code: c.closeCode,
        name: c.closeCode !== null ? describeCloseCode(c.closeCode).name : outcomeLabel(c),
        closedBy: c.closedBy,
        count: 1,
      });
  }

  const idle = detailOf('idle before close') as {
    idleSecondsBeforeClose?: Array<{ idleSeconds: number }>;
    idleTimeoutSeconds?: number | null;
  };
  const idles = (idle.idleSecondsBeforeClose ?? []).map((e) => e.idleSeconds);
  const trips = detailOf('round trips') as {
    ping?: ComparedSession['heartbeat'];
    requestResponse?: ComparedSession['heartbeat'];
    requests?: number;
    answered?: number;
  };

  const first = head.connections[0]?.startedAt ?? parseMicros(summary.createdAt);
  const last = row.ended_at ?? facts.lastTs ?? first;
  return {
    session: {
      id,
      name: redactor.prose(summary.name),
      kind: summary.kind,
      target: redactor.url(summary.target),
      status: summary.status,
      createdAt: summary.createdAt,
      endedAt: summary.endedAt,
      frames: summary.frames,
      durationSeconds: Math.max(0, round1((last - first) / 1e6)),
    },
    connections: {
      total: evidence.connections.total,
      opened: evidence.connections.opened,
      failed: evidence.connections.failed,
    },
    closes: [...closes.values()].sort(byCount),
    lifetimes: evidence.lifetimes,
    idleBeforeClose: {
      connections: idles.length,
      medianSeconds: idles.length ? round1(median(idles)) : null,
      maxSeconds: idles.length ? round1(maxOf(idles)) : null,
      timeoutSeconds: idle.idleTimeoutSeconds ?? null,
    },
    reconnects: evidence.reconnects,
    heartbeat: trips.ping ?? null,
    answers: {
      latency: trips.requestResponse ?? null,
      requests: trips.requests ?? 0,
      answered: trips.answered ?? 0,
    },
    frameKinds: [...tally.kinds]
      .map(([key, count]) => {
        const [direction, opcode] = split<'in' | 'out'>(key);
        return { direction, opcode: opcode as ComparedSession['frameKinds'][number]['opcode'], count };
      })
      .sort(byCount),
    messageTypes: [...tally.types]
      .map(([key, count]) => {
        const [direction, type] = split<'in' | 'out'>(key);
        return { direction, type: redactor.prose(type), count };
      })
      .sort(byCount)
      .slice(0, 50),
    findings: findings.map((f) => ({
      ...f,
      summary: redactor.prose(f.summary),
      evidence: redactor.value(f.evidence) as Record<string, unknown>,
    })),
    scorecard: judgeTally(score),
    timeline: evidence.timeline,
  };
}

/** Two sessions compared: before and after a fix. */
export async function compare(
  ctx: EngineContext,
  request: ParsedRequestOf<'diagnose', 'compare'>,
  /** The report's redactor, when the comparison goes into a report. */
  redactor = new Redactor(),
): Promise<Comparison> {
  const before = await measureSession(ctx, request.before, request.idField, redactor);
  const after = await measureSession(ctx, request.after, request.idField, redactor);
  return compareSessions(before, after);
}
