// A session as HAR 1.2, the way Chrome DevTools writes WebSocket connections, so that its importer
// (and Playwright's, mitmproxy's, HTTP Toolkit's) read it: one entry per connection with
// `_resourceType: "websocket"`, the handshake's request and response, and `_webSocketMessages`
// ({type: "send" | "receive", time in seconds since the epoch, opcode, data: text for opcode 1,
// base64 otherwise}); the close as HTTP Toolkit's `_webSocketClose`. Every frame is written — ping,
// pong and close too (Chrome itself leaves those out) — so that an import gives the session back.
// Each entry says its connection's protocol (`_protocol`), each message its decoded `_message`
// (read from the redacted `data`, exported-frame.ts).
// A frame whose stored bytes failed their check is left out (a tool would replay or show whatever
// `data` holds), and `_frameline.damaged` in the log says how many and which.
import type { ConnectionView } from '../../../shared/contract.js';
import type { RedactionOptions } from '../../../shared/contract/fields.js';
import { OPCODE_NUMBER } from '../../../shared/frame-codes.js';
import { DamageTally } from '../../../shared/frame-damage.js';
import { Redactor, redactionSentence } from '../../../shared/redaction.js';
import { formatMicros, parseMicros } from '../../../shared/time.js';
import { connectionRows } from '../sessions/connection-store.js';
import { getSessionRow } from '../sessions/session-store.js';
import { KEPT_ENTRY_FIELDS } from './har-import.js';
import type { EngineContext } from '../context.js';
import { framesByConnection, protocolsOf, requireSession } from '../sessions/sessions.js';
import { ExportFile } from './export-file.js';
import { exportedFrame } from './exported-frame.js';
import type { ExportSummary } from './exports.js';

/** Epoch microseconds as seconds with six decimals, exactly (a float would round the last digit). */
export function secondsText(us: number): string {
  const s = Math.floor(us / 1e6);
  return `${s}.${String(us - s * 1e6).padStart(6, '0')}`;
}

const STATUS_TEXT: Record<number, string> = {
  101: 'Switching Protocols',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  426: 'Upgrade Required',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function harHeaders(h: Record<string, string>): Array<{ name: string; value: string }> {
  return Object.entries(h).map(([name, value]) => ({ name, value }));
}

/** The entry of a connection, up to (not including) its messages. */
function entryHead(
  c: ConnectionView,
  r: Redactor,
  startedAt: number | undefined,
  kept: Record<string, unknown>,
): string {
  const url = r.url(c.url);
  let query: Array<{ name: string; value: string }> = [];
  try {
    query = [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    // a URL Frameline recorded is always parseable; keep the query empty otherwise
  }
  const t = c.timings;
  const handshake = (t.dnsMs ?? 0) + (t.tcpMs ?? 0) + (t.tlsMs ?? 0) + (t.upgradeMs ?? 0);
  const started =
    startedAt ?? (c.openedAt !== null ? parseMicros(c.openedAt) - Math.round(handshake * 1000) : null);
  const entry = {
    _resourceType: 'websocket',
    _frameline: {
      connection: c.ordinal,
      closedBy: c.closedBy,
      error: c.error ? { kind: c.error.kind, message: r.prose(c.error.message) } : null,
    },
    cache: {},
    connection: String(c.ordinal),
    request: {
      method: 'GET',
      url,
      httpVersion: 'HTTP/1.1',
      headers: harHeaders(r.headers(c.requestHeaders)),
      queryString: query,
      cookies: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status: c.status ?? 0,
      statusText: c.status === null ? '' : (STATUS_TEXT[c.status] ?? ''),
      httpVersion: c.status === null ? '' : 'HTTP/1.1',
      headers: harHeaders(r.headers(c.responseHeaders)),
      cookies: [],
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      _transferSize: c.bytesIn + c.bytesOut,
      _error: c.error && c.openedAt === null ? r.prose(c.error.message) : null,
    },
    // To the microsecond, as recorded (HAR's ISO 8601 allows it; mitmproxy writes it).
    startedDateTime: formatMicros(started ?? (c.closedAt ? parseMicros(c.closedAt) : Date.now() * 1000)),
    time: Math.round(handshake * 1000) / 1000,
    // What the tool that wrote an imported file said about the entry (its `time` included), again.
    ...keptFields(kept, r),
    timings: {
      blocked: -1,
      dns: t.dnsMs ?? -1,
      ssl: t.tlsMs ?? -1,
      connect: t.tcpMs === null ? -1 : t.tcpMs + (t.tlsMs ?? 0),
      send: 0,
      wait: t.upgradeMs ?? 0,
      receive: 0,
    },
  };
  const json = JSON.stringify({ ...entry, _protocol: c.protocol });
  return `${json.slice(0, -1)},"_webSocketMessages":[`;
}

/** An imported entry's kept fields, redacted as the rest of the entry (an initiator names URLs). */
function keptFields(kept: Record<string, unknown>, r: Redactor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of KEPT_ENTRY_FIELDS)
    if (key in kept) out[key] = key === 'time' ? kept[key] : r.evidence(kept[key]);
  return out;
}

/** What an imported session kept of each entry, by connection ordinal (none for other sessions). */
function keptEntries(settings: string): Record<string, Record<string, unknown>> {
  try {
    const parsed = JSON.parse(settings) as { harEntries?: unknown };
    return typeof parsed.harEntries === 'object' && parsed.harEntries !== null
      ? (parsed.harEntries as Record<string, Record<string, unknown>>)
      : {};
  } catch {
    return {};
  }
}

/** The end of a connection's entry: its close, as HTTP Toolkit writes it. */
function entryTail(c: ConnectionView, r: Redactor): string {
  const close =
    c.closeCode !== null
      ? {
          code: c.closeCode,
          reason: r.text(c.closeReason ?? ''),
          timestamp: c.closedAt === null ? undefined : Number(secondsText(parseMicros(c.closedAt))),
        }
      : null;
  return close === null ? ']}' : `],"_webSocketClose":${JSON.stringify(close)}}`;
}

/** Writes a session as HAR to `dest`. */
export async function writeHar(
  ctx: EngineContext,
  request: { sessionId: number; redaction: RedactionOptions },
  dest: string,
): Promise<ExportSummary> {
  const session = requireSession(ctx, request.sessionId);
  const r = new Redactor(request.redaction);
  const file = new ExportFile(dest);
  const damage = new DamageTally();
  let connections = 0;
  let frames = 0;
  let open: ConnectionView | null = null;
  let first = true;
  const protocols = protocolsOf(ctx, session);
  const startedAt = new Map(connectionRows(ctx.db, session.id).map((row) => [row.ordinal, row.started_at]));
  const kept = keptEntries(getSessionRow(ctx.db, session.id)?.settings ?? '{}');
  try {
    for await (const { connection, frames: page } of framesByConnection(ctx, session.id)) {
      if (open?.id !== connection.id) {
        if (open) file.write(entryTail(open, r));
        file.write(
          `${connections === 0 ? '\n' : ',\n'}${entryHead(connection, r, startedAt.get(connection.ordinal), kept[connection.ordinal] ?? {})}`,
        );
        open = connection;
        connections++;
        first = true;
      }
      for (const f of page) {
        if (f.damage !== null) {
          damage.add(f.seq, f.damage);
          continue;
        }
        const out = exportedFrame(f, r, protocols.messageOf);
        const message: Record<string, unknown> = {
          type: f.direction === 'out' ? 'send' : 'receive',
          time: 0,
          opcode: OPCODE_NUMBER[f.opcode],
          data: out.data,
        };
        if (f.truncated) {
          message._truncated = true;
          message._size = f.size;
        }
        if (out.message) message._message = out.message;
        const json = JSON.stringify(message).replace('"time":0', `"time":${secondsText(f.ts)}`);
        file.write(`${first ? '' : ','}\n${json}`);
        first = false;
        frames++;
      }
    }
    if (open) file.write(entryTail(open, r));
    // The head's own values are redacted before the summary is taken, so that it counts them too.
    const sessionHead = {
      id: session.id,
      name: r.prose(session.name),
      kind: session.kind,
      target: r.url(session.target),
    };
    const summary = r.summary();
    const head = `{"log":{"version":"1.2","creator":{"name":"Frameline","version":"0.1.0"},"comment":${JSON.stringify(redactionSentence(summary))},"_frameline":${JSON.stringify(
      {
        session: sessionHead,
        redaction: summary,
        ...(damage.frames > 0 ? { damaged: damage.summary() } : {}),
      },
    )},"pages":[],"entries":[`;
    const bytes = file.finish(head, '\n]}}\n');
    return {
      fileName: `session-${session.id}.har`,
      mimeType: 'application/json',
      connections,
      frames,
      bytes,
      redaction: summary,
      damaged: damage.summary(),
    };
  } catch (err) {
    file.abort();
    throw err;
  }
}
