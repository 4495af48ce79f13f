// The application protocol of a session's connections and the messages of their frames, worked out
// at read time: the protocol its capture was told to speak (`--protocol NAME|none`, kept on the
// session), else what the handshake (subprotocol, URL) or the first frames say
// (shared/protocols/detect.ts); each frame is decoded from its stored payload. A session recorded
// before protocols were known, or without a choice, is detected as it is read.
import type Database from 'better-sqlite3';
import type { ConnectionView, ProtocolMessage } from '../../../shared/contract.js';
import {
  decodeContext,
  decodeFrame,
  type DecodeContext,
  type WireFrame,
} from '../../../shared/protocols/decode.js';
import { connectionProtocol, DETECT_FRAMES } from '../../../shared/protocols/detect.js';
import type { ProtocolChoice } from '../../../shared/protocols/names.js';
import { listConnections } from './connection-store.js';
import { openingFrames, type StoredFrame } from './frame-store.js';
import { chosenProtocol } from './session-store.js';

const wire = (f: StoredFrame): WireFrame => ({
  direction: f.direction,
  opcode: f.opcode,
  data: f.payload,
  truncated: f.truncated,
});

/**
 * A session's connections with their protocols, and the decoding of their frames. `choice` is the
 * protocol its capture was told to speak, which every view of the session honours (sessionProtocols
 * passes it); without one each connection is detected from the wire, as the diagnosis reads a
 * session: it asks what the server spoke, whatever the client was told (a capture told `none` is
 * how a bare client of a Socket.IO server is diagnosed).
 */
export class SessionProtocols {
  private readonly contexts = new Map<number, DecodeContext | null>();
  readonly connections: ConnectionView[];

  constructor(
    private readonly db: Database.Database,
    private readonly sessionId: number,
    choice: ProtocolChoice | null = null,
  ) {
    let seq = 0;
    this.connections = listConnections(db, sessionId).map((c) => {
      const opening = openingFrames(db, sessionId, c.id, seq, Math.min(DETECT_FRAMES, c.frames)).map(wire);
      seq += c.frames;
      const protocol = connectionProtocol(choice, c, opening);
      this.contexts.set(c.id, protocol ? decodeContext(protocol, opening) : null);
      return { ...c, protocol };
    });
  }

  /** The message of a frame of one of the session's connections (null when nothing is known). */
  readonly messageOf = (connectionId: number, f: WireFrame): ProtocolMessage | null =>
    decodeFrame(f, this.contexts.get(connectionId) ?? null);
}

/** Protocols are worked out once per session and number of frames (a live session may say more). */
const cache = new WeakMap<Database.Database, Map<string, SessionProtocols>>();

/** The protocols of a session's connections as its frames stand now, as its capture chose them. */
export function sessionProtocols(
  db: Database.Database,
  session: { id: number; createdAt: string },
  committed: number,
): SessionProtocols {
  let bySession = cache.get(db);
  if (!bySession) cache.set(db, (bySession = new Map()));
  // A session's connections have said what they will once each has DETECT_FRAMES frames; until
  // then the count is part of the key.
  // The creation time too: a deleted session's number may be given to a new one.
  const key = `${session.id}:${session.createdAt}:${committed}`;
  let p = bySession.get(key);
  if (!p) {
    if (bySession.size >= 16) bySession.delete(bySession.keys().next().value!);
    bySession.set(key, (p = new SessionProtocols(db, session.id, chosenProtocol(db, session.id))));
  }
  return p;
}
