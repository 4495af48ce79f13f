// Tables: connection
// The connection table: one attempt inside a session, with its handshake, timings and close.
import type Database from 'better-sqlite3';
import type { ClosedBy, ConnectionView, ErrorKind, Headers } from '../../../shared/contract.js';
import { protocolOfHandshake } from '../../../shared/protocols/names.js';
import { formatMicros } from '../../../shared/time.js';

export interface ConnectionRow {
  id: number;
  session_id: number;
  ordinal: number;
  url: string;
  started_at: number;
  request_headers: string;
  status: number | null;
  response_headers: string;
  response_body_head: Buffer | null;
  subprotocol: string | null;
  extensions: string | null;
  dns_ms: number | null;
  tcp_ms: number | null;
  tls_ms: number | null;
  upgrade_ms: number | null;
  opened_at: number | null;
  closed_at: number | null;
  close_code: number | null;
  close_reason: string | null;
  closed_by: ClosedBy | null;
  close_fault: string | null;
  upstream_close_code: number | null;
  upstream_close_reason: string | null;
  error_kind: ErrorKind | null;
  error_message: string | null;
  frames: number;
  bytes_in: number;
  bytes_out: number;
  first_frame_at: number | null;
  last_frame_at: number | null;
}

const time = (us: number | null): string | null => (us === null ? null : formatMicros(us));
const round = (ms: number | null): number | null => (ms === null ? null : Math.round(ms * 1000) / 1000);

export function fromRow(r: ConnectionRow): ConnectionView {
  return {
    id: r.id,
    ordinal: r.ordinal,
    url: r.url,
    status: r.status,
    requestHeaders: JSON.parse(r.request_headers) as Headers,
    responseHeaders: JSON.parse(r.response_headers) as Headers,
    responseBodyHead: r.response_body_head === null ? null : r.response_body_head.toString('utf8'),
    subprotocol: r.subprotocol,
    extensions: r.extensions,
    timings: {
      dnsMs: round(r.dns_ms),
      tcpMs: round(r.tcp_ms),
      tlsMs: round(r.tls_ms),
      upgradeMs: round(r.upgrade_ms),
    },
    openedAt: time(r.opened_at),
    closedAt: time(r.closed_at),
    closeCode: r.close_code,
    closeReason: r.close_reason,
    closedBy: r.closed_by,
    closeFault: r.close_fault,
    upstreamCloseCode: r.upstream_close_code,
    upstreamCloseReason: r.upstream_close_reason,
    error: r.error_kind === null ? null : { kind: r.error_kind, message: r.error_message ?? '' },
    frames: r.frames,
    bytesIn: r.bytes_in,
    bytesOut: r.bytes_out,
    firstFrameTs: time(r.first_frame_at),
    lastFrameTs: time(r.last_frame_at),
    // What the handshake says; the sessions domain adds what the first frames say (protocols.ts).
    protocol: protocolOfHandshake(r.subprotocol, r.url),
  };
}

/** The rows of a session's connections in the order they were attempted. */
export function connectionRows(db: Database.Database, sessionId: number): ConnectionRow[] {
  return db
    .prepare('SELECT * FROM connection WHERE session_id = ? ORDER BY ordinal')
    .all(sessionId) as ConnectionRow[];
}

/** The connections of a session in the order they were attempted. */
export function listConnections(db: Database.Database, sessionId: number): ConnectionView[] {
  return connectionRows(db, sessionId).map(fromRow);
}

/** The newest connection of a session (the live one of a capture), read by its unique index. */
export function latestConnection(db: Database.Database, sessionId: number): ConnectionView | null {
  const r = db
    .prepare('SELECT * FROM connection WHERE session_id = ? ORDER BY ordinal DESC LIMIT 1')
    .get(sessionId) as ConnectionRow | undefined;
  return r ? fromRow(r) : null;
}
