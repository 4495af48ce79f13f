// A recorded connection as the replay domain reads it: who sent what, when, from the client's
// point of view whatever the session's kind (in a mock's session the client's messages are `in`).
import type { ConnectionView, ClosedBy, SessionSummary } from '../../../shared/contract.js';
import { decodeContext, type DecodeContext, type WireFrame } from '../../../shared/protocols/decode.js';
import { connectionProtocol, DETECT_FRAMES } from '../../../shared/protocols/detect.js';
import type { ProtocolChoice } from '../../../shared/protocols/names.js';
import type { Conversation, TimedMessage } from '../../../shared/replay/pairing.js';
import { parseMicros } from '../../../shared/time.js';
import type { EngineContext } from '../context.js';
import { InputError, IntegrityError } from '../errors.js';
import { listConnections } from '../sessions/connection-store.js';
import { chosenProtocol } from '../sessions/session-store.js';
import { iterateFrames } from '../sessions/frame-store.js';
import { requireSession } from '../sessions/sessions.js';

/** One recorded connection, seen from the client. */
export interface RecordedConnection {
  session: SessionSummary;
  connection: ConnectionView;
  /** Epoch µs of the open (the first frame's time when the open was not recorded). */
  openedAt: number;
  closedAt: number | null;
  /** What the client sent and received (text and binary messages; binary as base64). */
  conversation: Conversation;
  /** The connection's application protocol and how to decode it (from its handshake and first messages); null when none is known. */
  protocol: DecodeContext | null;
  /** Pings the client sent, epoch µs. */
  clientPings: number[];
  /** The close the client sent first, if it did: when, the code (null for none) and the reason. */
  clientClose: { ts: number; code: number | null; reason: string } | null;
  /** The close the server sent first, if it did (or the drop, code 1006, closedBy network). */
  close: { code: number | null; reason: string | null; by: ClosedBy | null };
}

/** The direction of the client's frames in a session of this kind. */
export function clientDirection(kind: SessionSummary['kind']): 'in' | 'out' {
  return kind === 'mock' ? 'in' : 'out';
}

function closeFrame(payloadBase64: string): { code: number | null; reason: string } {
  const b = Buffer.from(payloadBase64, 'base64');
  return b.length >= 2
    ? { code: b.readUInt16BE(0), reason: b.toString('utf8', 2) }
    : { code: null, reason: '' };
}

/**
 * Reads one connection of a session. `pick` chooses it when no ordinal is given (the first that
 * sent, or received, anything). Throws MissingError for an unknown session and InputError for an
 * unknown connection or one with nothing to use.
 */
export function readConnection(
  ctx: EngineContext,
  sessionId: number,
  ordinal: number | undefined,
  pick: 'sent' | 'received',
): RecordedConnection {
  const session = requireSession(ctx, sessionId);
  const connections = listConnections(ctx.db, sessionId);
  if (connections.length === 0)
    throw new InputError(
      `session ${sessionId} recorded no connection; pick a session with traffic ("frameline sessions")`,
    );
  const client = clientDirection(session.kind);
  const byId = new Map(connections.map((c) => [c.id, c]));
  const read = new Map<number, RecordedConnection>();
  const entry = (c: ConnectionView): RecordedConnection => {
    let r = read.get(c.id);
    if (!r) {
      r = {
        session,
        connection: c,
        openedAt: c.openedAt === null ? 0 : parseMicros(c.openedAt),
        closedAt: c.closedAt === null ? null : parseMicros(c.closedAt),
        conversation: { sent: [], received: [] },
        protocol: null,
        clientPings: [],
        clientClose: null,
        close: { code: c.closeCode, reason: c.closeReason, by: c.closedBy },
      };
      read.set(c.id, r);
    }
    return r;
  };
  const wanted = ordinal === undefined ? undefined : connections.find((c) => c.ordinal === ordinal);
  if (ordinal !== undefined && !wanted)
    throw new InputError(
      `session ${sessionId} has no connection ${ordinal}; it has connection${connections.length === 1 ? '' : 's'} ${connections.length === 1 ? '1' : `1 to ${connections.length}`}`,
    );
  const truncated = new Map<number, number>();
  /** The first frame per connection whose bytes a run would use and whose stored bytes failed their check. */
  const damaged = new Map<number, { seq: number; why: string }>();
  for (const f of iterateFrames(ctx.db, sessionId)) {
    const c = byId.get(f.connection);
    if (!c || (wanted && c.id !== wanted.id)) continue;
    const r = entry(c);
    if (f.damaged && f.opcode !== 'ping' && f.opcode !== 'pong' && !damaged.has(c.id))
      damaged.set(c.id, { seq: f.seq, why: f.damage ?? '' });
    const ts = parseMicros(f.ts);
    const fromClient = f.direction === client;
    if (f.opcode === 'text' || f.opcode === 'binary') {
      const m: TimedMessage = { ts, opcode: f.opcode, text: f.payload };
      if (fromClient) {
        if (f.truncated && !truncated.has(c.id)) truncated.set(c.id, f.seq);
        (r.conversation.sent as TimedMessage[]).push(m);
      } else (r.conversation.received as TimedMessage[]).push(m);
    } else if (f.opcode === 'ping' && fromClient) r.clientPings.push(ts);
    else if (f.opcode === 'close' && fromClient && r.close.by === 'client' && r.clientClose === null)
      r.clientClose = { ts, ...closeFrame(f.payload) };
    if (r.openedAt === 0) r.openedAt = ts;
  }
  const chosen =
    wanted ??
    connections.find((c) => {
      const r = read.get(c.id);
      return r && (pick === 'sent' ? r.conversation.sent : r.conversation.received).length > 0;
    });
  const who = pick === 'sent' ? 'sent by the client' : 'sent by the server';
  if (!chosen)
    throw new InputError(
      `session ${sessionId} has no messages ${who} in any connection; nothing to ${pick === 'sent' ? 'replay' : 'serve'}`,
    );
  const r = entry(chosen);
  if ((pick === 'sent' ? r.conversation.sent : r.conversation.received).length === 0)
    throw new InputError(
      `connection ${chosen.ordinal} of session ${sessionId} has no messages ${who}; pick another with --connection`,
    );
  const bad = damaged.get(chosen.id);
  if (bad)
    throw new IntegrityError(
      `frame ${bad.seq} of session ${sessionId} is damaged (${bad.why}), so connection ${chosen.ordinal} cannot be ${pick === 'sent' ? 'sent again' : 'served'} as it was recorded; restore the database's -frames folder from a copy, or pick another connection with --connection`,
    );
  const cut = truncated.get(chosen.id);
  if (pick === 'sent' && cut !== undefined)
    throw new InputError(
      `frame ${cut} of session ${sessionId} was stored truncated (the capture's payload cap), so it cannot be sent again as it was; capture again with a larger --payload-cap`,
    );
  r.protocol = protocolOf(r, chosenProtocol(ctx.db, sessionId));
  return r;
}

/**
 * The protocol of a recorded connection, read as `show` reads it: the capture's choice (`none`: it
 * was a plain socket, and is replayed as one), else the handshake, then the first messages.
 */
function protocolOf(r: RecordedConnection, choice: ProtocolChoice | null): DecodeContext | null {
  const opening: WireFrame[] = [
    ...r.conversation.sent.map((m) => ({ m, direction: 'out' as const })),
    ...r.conversation.received.map((m) => ({ m, direction: 'in' as const })),
  ]
    .sort((a, b) => a.m.ts - b.m.ts)
    .slice(0, DETECT_FRAMES)
    .map(({ m, direction }) => ({
      direction,
      opcode: m.opcode,
      data: m.opcode === 'binary' ? Buffer.from(m.text, 'base64') : m.text,
    }));
  const name = connectionProtocol(
    choice,
    { subprotocol: r.connection.subprotocol, url: r.connection.url },
    opening,
  );
  return name ? decodeContext(name, opening) : null;
}
