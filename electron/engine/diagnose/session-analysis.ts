// `frameline diagnose`: reads a recorded session from the store and runs the pure rules of
// shared/diagnosis over it. Frames are streamed from SQLite one at a time, as small summaries (the
// first bytes of text payloads, control payloads as hex), into the facts the rules read: memory
// stays bounded whatever the size of the session.
import {
  DECODE_BYTES,
  diagMessage,
  HEAD_CHARS,
  toDiagFrame,
  type RawFrame,
} from '../../../shared/diagnosis/frames.js';
import type { DiagConnection, DiagEvent, DiagFrame } from '../../../shared/diagnosis/input.js';
import { streamDiagnosis, type SessionHead } from '../../../shared/diagnosis/session.js';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/contract.js';
import { CheckSchema, type Diagnosis } from '../../../shared/findings.js';
import { directionOf, opcodeOf } from '../../../shared/frame-codes.js';
import type { ClosedBy, Direction, Headers, Opcode } from '../../../shared/contract.js';
import { nowMicros } from '../clock.js';
import type { EngineContext } from '../context.js';
import { MissingError } from '../errors.js';
import { connectionRows, type ConnectionRow } from '../sessions/connection-store.js';
import { eventRows, lastEventDetail } from '../sessions/event-store.js';
import { frameHeads, readPayload, type FrameHeadRow } from '../sessions/frame-store.js';
import { segmentReader } from '../store/segments.js';
import { DamageTally } from '../../../shared/frame-damage.js';
import type { Db } from '../store/database.js';
import { latestFindings, listFindings, saveFindings } from './finding-store.js';
import { chosenProtocol, getSessionRow, type SessionRow } from '../sessions/session-store.js';
import { SessionProtocols } from '../sessions/protocols.js';
import { Redactor } from '../../../shared/redaction.js';
import { judgeTally, sessionTally, tallyOfSession } from './scorecard.js';

export interface DiagnoseOptions {
  /** The JSON field that pairs a request with its response (default "id"). */
  idField?: string;
}

function connectionOf(r: ConnectionRow): DiagConnection {
  return {
    ordinal: r.ordinal,
    url: r.url,
    startedAt: r.started_at,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    status: r.status,
    requestHeaders: JSON.parse(r.request_headers) as Headers,
    responseHeaders: JSON.parse(r.response_headers) as Headers,
    responseBodyHead: r.response_body_head === null ? null : r.response_body_head.toString('utf8'),
    closeCode: r.close_code,
    closeReason: r.close_reason,
    closedBy: r.closed_by as ClosedBy | null,
    closeFault: r.close_fault,
    error: r.error_kind === null ? null : { kind: r.error_kind, message: r.error_message ?? '' },
    subprotocol: r.subprotocol,
  };
}

/**
 * What the rules read of a payload: the first DECODE_BYTES of a text frame, a ping's or pong's, and
 * a binary frame's on a connection with a protocol (MQTT packets are binary). A damaged payload is
 * counted in `damage` and read as none: the frame's time, size and kind still count (they are in
 * its row), what its bytes said does not.
 */
/** Whether the rules read the head of a frame's payload: text, pings and pongs, and a protocol's binary. */
function readsHead(opcode: number, withBinary: boolean): boolean {
  return opcode === 1 || opcode === 9 || opcode === 10 || (opcode === 2 && withBinary);
}

function bytesOf(db: Db, f: FrameHeadRow, withBinary: boolean, damage: DamageTally): Buffer | null {
  if (!readsHead(f.opcode, withBinary)) return null;
  const read = readPayload(db, f, DECODE_BYTES);
  if (read.bytes === null) {
    damage.add(f.seq, read.damage);
    return null;
  }
  return read.bytes;
}

/** The head the frame rules read: a text frame's first characters, a ping's or pong's bytes in hex. */
function headOf(opcode: number, bytes: Buffer | null): string | null {
  if (bytes === null || opcode === 2) return null;
  if (opcode !== 1) return bytes.toString('hex');
  return bytes.length === 0 ? null : bytes.toString('utf8').slice(0, HEAD_CHARS);
}

/** A session as the rules read it, without its frames. */
export function loadSessionHead(
  db: Db,
  row: SessionRow,
): SessionHead & {
  frameCounts: Map<number, number>;
  ordinalOf: Map<number, number>;
  protocols: SessionProtocols;
} {
  const rows = connectionRows(db, row.id);
  // A protocol the capture was told to speak is the connections' protocol; `none` only said how
  // Frameline behaved as a client: the server still speaks what its wire shows.
  const choice = chosenProtocol(db, row.id);
  const protocols = new SessionProtocols(db, row.id, choice === 'none' ? null : choice);
  const protocolOf = new Map(protocols.connections.map((c) => [c.id, c.protocol]));
  const ordinalOf = new Map(rows.map((r) => [r.id, r.ordinal]));
  const events = eventRows(db, row.id).map((e): DiagEvent => ({
    ts: e.ts,
    connection: e.connection_id === null ? null : (ordinalOf.get(e.connection_id) ?? null),
    kind: e.kind,
    detail: JSON.parse(e.detail) as unknown,
  }));
  let origin: string | null = null;
  try {
    const settings = JSON.parse(row.settings) as { origin?: unknown };
    if (typeof settings.origin === 'string') origin = settings.origin;
  } catch {
    // settings are informational; a session without them is still analysed
  }
  return {
    target: row.target,
    origin,
    connections: rows.map((r) => ({ ...connectionOf(r), protocol: protocolOf.get(r.id) ?? null })),
    events,
    endedAt: row.ended_at,
    frameCounts: new Map(rows.map((r) => [r.ordinal, r.frames])),
    ordinalOf,
    protocols,
  };
}

/**
 * A session's frames as the rules read them, one at a time in the order they were recorded; with
 * `protocols`, each frame of a connection with a protocol carries its decoded message.
 */
export function* sessionFrames(
  db: Db,
  sessionId: number,
  ordinalOf: ReadonlyMap<number, number>,
  idField?: string,
  /** A mock's session: its client is the peer, so what the mock sent (out) is what the client received. */
  fromPeerSide = false,
  /** Counts the frames whose stored bytes failed their check. */
  damage: DamageTally = new DamageTally(),
  protocols?: SessionProtocols,
  /** Only the frames with seqs in (afterSeq, toSeq]. */
  range?: { afterSeq: number; toSeq: number },
  /** What the reader needs of a JSON payload: all the rules' fields, or only the pairing id. */
  fields: 'all' | 'pairing' = 'all',
  /**
   * Whether a frame's payload is read at all (as the reader sees its direction); a frame not read
   * has no head, so no id. Without it, every payload the rules read is.
   */
  readsPayload?: (direction: Direction, opcode: Opcode) => boolean,
  /**
   * Check every stored payload against its checksum, also those not read (a report names a damaged
   * frame anywhere, and reads the frames once for that and its scorecard).
   */
  checkEvery = false,
): Generator<DiagFrame> {
  const decoded = new Set((protocols?.connections ?? []).filter((c) => c.protocol !== null).map((c) => c.id));
  // Only the head of an inline payload leaves SQLite; a segment's is read from its file (in order,
  // through the reader's read-ahead window).
  for (const f of frameHeads(db, sessionId, DECODE_BYTES, range)) {
    const opcode = opcodeOf(f.opcode);
    const withProtocol = decoded.has(f.connection_id);
    const direction = fromPeerSide ? directionOf(1 - f.direction) : directionOf(f.direction);
    const read = withProtocol || !readsPayload || readsPayload(direction, opcode);
    const bytes = read ? bytesOf(db, f, withProtocol, damage) : null;
    if (checkEvery && f.segment_id !== null && (!read || !readsHead(f.opcode, withProtocol))) {
      const check = segmentReader(db).read(
        f.segment_id,
        f.payload_offset!,
        f.payload_length!,
        f.payload_crc,
        0,
      );
      if (check.bytes === null) damage.add(f.seq, check.damage);
    }
    const raw: RawFrame = {
      connection: ordinalOf.get(f.connection_id) ?? 0,
      ts: f.ts,
      direction,
      opcode,
      size: f.size,
      head: headOf(f.opcode, bytes),
      truncated: bytes !== null && bytes.length < f.size,
    };
    const frame = toDiagFrame(raw, idField, fields);
    if (withProtocol && bytes !== null && protocols) {
      // Decoded as recorded (the stored direction): the protocol's roles do not turn in a mock.
      const m = protocols.messageOf(f.connection_id, {
        direction: directionOf(f.direction),
        opcode,
        data: bytes,
        truncated: bytes.length < f.size,
      });
      if (m) frame.message = diagMessage(m);
    }
    yield frame;
  }
}

/** The checks a probe kept in its own session, if this is a probe session. */
function storedProbeChecks(db: Db, id: number): Diagnosis['checks'] | null {
  const detail = lastEventDetail(db, id, 'probe-report');
  if (detail === undefined) return null;
  const parsed = CheckSchema.array().safeParse((JSON.parse(detail) as { checks?: unknown }).checks);
  return parsed.success ? parsed.data : null;
}

/**
 * Runs the session rules over a recorded session, streaming its frames once; `observe` sees each
 * frame as the rules read it (the comparison counts message types in the same pass).
 */
export function analyseRecording(
  db: Db,
  row: SessionRow,
  options: DiagnoseOptions = {},
  observe?: (frame: DiagFrame) => void,
) {
  const head = loadSessionHead(db, row);
  const diagnosis = streamDiagnosis(head, { ...options, expectedFrames: head.frameCounts });
  const fromPeerSide = row.kind === 'mock';
  const damage = new DamageTally();
  for (const f of sessionFrames(
    db,
    row.id,
    head.ordinalOf,
    options.idField,
    fromPeerSide,
    damage,
    head.protocols,
  )) {
    observe?.(f);
    diagnosis.add(f);
  }
  return { ...diagnosis.finish(), head, damage };
}

/**
 * Diagnoses a recorded session and keeps the findings with it. A probe session answers the probe's
 * own report: its checks, and the findings it stored.
 */
export function diagnoseSession(
  ctx: EngineContext,
  request: ParsedRequestOf<'diagnose', 'session'>,
): ResponseOf<'diagnose', 'session'> {
  const { db } = ctx;
  const id = request.id;
  const row = getSessionRow(db, id);
  if (!row) throw new MissingError(`no session ${id} in this database; list them with "frameline sessions"`);
  const options: DiagnoseOptions = request.idField !== undefined ? { idField: request.idField } : {};
  if (row.kind === 'probe') {
    const checks = storedProbeChecks(db, id);
    if (checks)
      return {
        target: new Redactor().url(row.target),
        sessionId: id,
        checks: checks.map((c) => ({ ...c, detail: new Redactor().evidence(c.detail) as typeof c.detail })),
        findings: listFindings(db, id, 'probe'),
        scorecard: judgeTally(tallyOfSession(ctx, row)),
      };
  }
  const { checks, findings, facts, head, damage } = analyseRecording(db, row, options);
  const frames = facts.frames;
  const first = head.connections[0]?.startedAt ?? row.created_at;
  const last = row.ended_at ?? facts.lastTs ?? first;
  checks.unshift({
    name: 'session',
    ok: true,
    ms: null,
    detail: {
      kind: row.kind,
      status: row.status,
      connections: head.connections.length,
      frames,
      durationSeconds: Math.round((last - first) / 1e5) / 10,
    },
  });
  // Damaged stored bytes are said among the checks: what the analysis could not read.
  if (damage.frames > 0)
    checks.splice(1, 0, {
      name: 'stored frames',
      ok: false,
      ms: null,
      detail: { damaged: damage.summary() },
    });
  // A database opened read-only is diagnosed all the same; its findings are not kept.
  if (!db.readonly) saveFindings(db, id, 'diagnose', findings, nowMicros());
  // The answer is printed and copied into tickets: the session's URLs without their credentials.
  const redactor = new Redactor();
  return {
    target: redactor.url(row.target),
    sessionId: id,
    checks: checks.map((c) => ({ ...c, detail: redactor.evidence(c.detail) as typeof c.detail })),
    findings,
    scorecard: judgeTally(sessionTally(row.kind, head, facts)),
  };
}

/** The findings last concluded about a session (by a probe or a diagnosis), with when; null when none. */
export function storedDiagnosis(ctx: EngineContext, id: number): ResponseOf<'diagnose', 'stored'> {
  if (!getSessionRow(ctx.db, id))
    throw new MissingError(`no session ${id} in this database; list them with "frameline sessions"`);
  return latestFindings(ctx.db, id);
}
