// What a linked session says in a report: its connections and how they closed, how long they
// lived, how often the client reconnected and after how long, round-trip percentiles, and its
// traffic over time. Counted in SQLite or streamed (a million-frame session never sits in memory):
// the rate in time buckets, the round trips from the pings, pongs and id-carrying messages only.
import { describeCloseCode } from '../../../shared/close-codes.js';
import type { ReportFrame, ReportSession } from '../../../shared/contract/reports.js';
import type { DamagedFrames } from '../../../shared/contract/sessions.js';
import type { LinkedSession } from '../../../shared/contract/incidents.js';
import { barLabel, outcomeLabel } from '../../../shared/charts/connection-class.js';
import { buildTimeline } from '../../../shared/charts/timeline-model.js';
import { reconnectsOf } from '../../../shared/diagnosis/reconnects.js';
import { latencySummary, maxOf, median, minOf } from '../../../shared/diagnosis/stats.js';
import { messageLabel } from '../../../shared/protocols/decode.js';
import { formatMicros, parseMicros } from '../../../shared/time.js';
import type { Redactor } from '../../../shared/redaction.js';
import type { EngineContext } from '../context.js';
import { exportedFrame } from '../interop/exported-frame.js';
import { judgeTally, type ScoreTally } from '../diagnose/scorecard.js';
import { preview } from '../../../shared/frame-preview.js';
import { lastFrames, protocolsOf, rate, roundTrips, sessionDetail } from '../sessions/sessions.js';

/** Connections listed one by one in a report; the rest are counted. */
export const CONNECTIONS_SHOWN = 50;
/** Connections drawn on the timeline; more would be lines thinner than a pixel. */
export const SPANS_DRAWN = 400;
/** Buckets of the rate chart. */
export const RATE_BUCKETS = 240;
/** The last frames of a session a report shows. */
export const LAST_FRAMES = 12;

const micros = (iso: string | null) => (iso === null ? null : parseMicros(iso));
const seconds = (us: number) => Math.round(us / 1000) / 1000;

/** A linked session's evidence for the report, with every text from the capture redacted. */
export async function sessionEvidence(
  ctx: EngineContext,
  linked: LinkedSession,
  redactor: Redactor,
  /** The counts of the session's scorecard (the incident's adds them up). */
  tally: ScoreTally,
  /** Its frames whose stored bytes fail their check, every payload checked (read with the scorecard). */
  damaged: DamagedFrames,
): Promise<ReportSession> {
  const detail = sessionDetail(ctx, linked.id);
  const connections = detail.connections;
  const opened = connections.filter((c) => c.openedAt !== null);

  // Close codes, with the connections that ended without one grouped by how they ended.
  const byCode = new Map<string, ReportSession['closeCodes'][number]>();
  for (const c of connections) {
    const code = c.closeCode;
    const key = code === null ? `none:${outcomeLabel(c)}` : String(code);
    const row = byCode.get(key);
    if (row) row.count++;
    else if (code !== null) {
      const info = describeCloseCode(code);
      byCode.set(key, { code, name: info.name, meaning: info.meaning, count: 1 });
    } else
      byCode.set(key, {
        code: null,
        name: outcomeLabel(c),
        meaning: c.error ? redactor.prose(c.error.message) : 'no close code was recorded',
        count: 1,
      });
  }

  const lifetimes = opened
    .filter((c) => c.closedAt !== null)
    .map((c) => seconds(micros(c.closedAt)! - micros(c.openedAt)!));
  const timeline = buildTimeline(detail, parseMicros(detail.session.endedAt ?? detail.session.createdAt));
  // A reconnect's gap: from the end of the connections before it to its attempt.
  const gaps = reconnectsOf(
    timeline.spans.map((s) => ({
      startedAt: s.attemptAt,
      endedAt: s.stillOpen ? Number.POSITIVE_INFINITY : s.endAt,
    })),
  ).map((r) => seconds(r.gapUs));

  const trips = roundTrips(ctx, linked.id);
  const frameRate = await rate(ctx, { id: linked.id, buckets: RATE_BUCKETS });
  const spans = timeline.spans.slice(0, SPANS_DRAWN).map((s) => ({
    ordinal: s.connection.ordinal,
    cls: s.cls,
    attemptAt: s.attemptAt,
    openedAt: s.openedAt,
    endAt: s.endAt,
    label: barLabel(s.connection),
  }));

  return {
    id: linked.id,
    name: redactor.prose(linked.name),
    kind: linked.kind,
    target: redactor.url(linked.target),
    status: linked.status,
    createdAt: linked.createdAt,
    endedAt: linked.endedAt,
    frames: linked.frames,
    linkedVia: linked.via,
    connections: {
      total: connections.length,
      opened: opened.length,
      failed: connections.length - opened.length,
      shown: connections.slice(0, CONNECTIONS_SHOWN).map((c) => ({
        ordinal: c.ordinal,
        url: redactor.url(c.url),
        startedAt: c.openedAt ?? c.closedAt ?? detail.session.createdAt,
        openedAt: c.openedAt,
        closedAt: c.closedAt,
        lifetimeSeconds:
          c.openedAt !== null && c.closedAt !== null
            ? seconds(micros(c.closedAt)! - micros(c.openedAt)!)
            : null,
        status: c.status,
        subprotocol: c.subprotocol === null ? null : redactor.subprotocols([c.subprotocol])[0]!,
        closeCode: c.closeCode,
        closeReason: c.closeReason === null ? null : redactor.text(c.closeReason),
        closedBy: c.closedBy,
        closeFault: c.closeFault,
        upstreamCloseCode: c.upstreamCloseCode,
        outcome: outcomeLabel(c),
        error: c.error ? redactor.prose(c.error.message) : null,
        frames: c.frames,
        protocol: c.protocol,
      })),
      omitted: Math.max(0, connections.length - CONNECTIONS_SHOWN),
    },
    closeCodes: [...byCode.values()].sort((a, b) => b.count - a.count),
    lifetimes: lifetimes.length
      ? {
          count: lifetimes.length,
          minSeconds: minOf(lifetimes),
          medianSeconds: Math.round(median(lifetimes) * 1000) / 1000,
          maxSeconds: maxOf(lifetimes),
        }
      : null,
    reconnects: {
      count: gaps.length,
      medianGapSeconds: gaps.length ? Math.round(median(gaps) * 1000) / 1000 : null,
      maxGapSeconds: gaps.length ? maxOf(gaps) : null,
    },
    roundTrips: {
      ping: latencySummary(trips.pingMs),
      requestResponse: latencySummary(trips.requestMs),
    },
    // Every stored payload checked, not only the ones read for the figures above.
    damagedFrames: damaged,
    rate: frameRate,
    timeline: {
      from: timeline.from,
      to: timeline.to,
      spans,
      omitted: Math.max(0, timeline.spans.length - spans.length),
    },
    lastFrames: lastFramesOf(ctx, detail.session, connections, redactor),
    scorecard: judgeTally(tally),
  };
}

/**
 * The session's last frames, each redacted and decoded as the exports do it (exportedFrame): the
 * message is read from the redacted payload, so a masked secret cannot come back through it.
 */
function lastFramesOf(
  ctx: EngineContext,
  session: { id: number; createdAt: string },
  connections: Array<{ id: number; ordinal: number }>,
  redactor: Redactor,
): ReportFrame[] {
  const { messageOf } = protocolsOf(ctx, session);
  const ordinal = new Map(connections.map((c) => [c.id, c.ordinal]));
  return lastFrames(ctx, session.id, LAST_FRAMES).map((f) => {
    const out = f.damage === null ? exportedFrame(f, redactor, messageOf) : null;
    const bytes = out && Buffer.from(out.data, f.opcode === 'text' ? 'utf8' : 'base64');
    return {
      connection: ordinal.get(f.connection) ?? f.connection,
      ts: formatMicros(f.ts),
      direction: f.direction,
      opcode: f.opcode,
      size: f.size,
      message: out?.message ?? null,
      label: messageLabel(out?.message ?? null),
      preview: bytes ? preview(f.opcode, bytes) : '',
      damaged: out === null,
    };
  });
}
