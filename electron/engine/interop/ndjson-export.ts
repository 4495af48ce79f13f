// A session as NDJSON: a first line that says what the file is and what was redacted, then one
// frame per line, in order: `ts` (ISO-8601 UTC with microseconds), `connection` (its number in the
// session), `direction` (in or out, seen from the client), `opcode`, `size` (on the wire),
// `payload` (text frames as text, others base64), `truncated` (the payload was cut at capture) and
// `message` (decoded from the redacted payload, exported-frame.ts; null when nothing is known).
// A frame whose stored bytes failed their check is written marked, `"damaged": true` and why in
// `damage`, with an empty payload: its line is there, its bytes are not passed on as if intact.
import type { RedactionOptions } from '../../../shared/contract/fields.js';
import { DAMAGE_REASONS, DamageTally } from '../../../shared/frame-damage.js';
import { Redactor, redactionSentence } from '../../../shared/redaction.js';
import { formatMicros } from '../../../shared/time.js';
import type { EngineContext } from '../context.js';
import { framePages, protocolsOf, requireSession } from '../sessions/sessions.js';
import { ExportFile } from './export-file.js';
import { exportedFrame } from './exported-frame.js';
import type { ExportSummary } from './exports.js';

/** Writes a session as NDJSON to `dest`. */
export async function writeNdjson(
  ctx: EngineContext,
  request: { sessionId: number; redaction: RedactionOptions },
  dest: string,
): Promise<ExportSummary> {
  const session = requireSession(ctx, request.sessionId);
  const r = new Redactor(request.redaction);
  const protocols = protocolsOf(ctx, session);
  const connections = protocols.connections;
  const ordinal = new Map(connections.map((c) => [c.id, c.ordinal]));
  const file = new ExportFile(dest);
  const damage = new DamageTally();
  let frames = 0;
  try {
    for await (const page of framePages(ctx, session.id)) {
      const lines: string[] = [];
      for (const f of page) {
        if (f.damage !== null) damage.add(f.seq, f.damage);
        const out = f.damage === null ? exportedFrame(f, r, protocols.messageOf) : null;
        lines.push(
          JSON.stringify({
            ts: formatMicros(f.ts),
            connection: ordinal.get(f.connection) ?? f.connection,
            direction: f.direction,
            opcode: f.opcode,
            size: f.size,
            payload: out?.data ?? '',
            truncated: f.truncated,
            message: out?.message ?? null,
            ...(f.damage === null ? {} : { damaged: true, damage: DAMAGE_REASONS[f.damage] }),
          }),
        );
      }
      if (lines.length) file.write(`${lines.join('\n')}\n`);
      frames += page.length;
    }
    // The header's own values are redacted before the summary is taken, so that it counts them too.
    const sessionHead = {
      id: session.id,
      name: r.prose(session.name),
      kind: session.kind,
      target: r.url(session.target),
      frames,
      damaged: damage.frames,
    };
    const connectionUrls = connections.map((c) => ({ connection: c.ordinal, url: r.url(c.url) }));
    const summary = r.summary();
    const header = {
      frameline: {
        format: 'ndjson',
        version: 1,
        comment: redactionSentence(summary),
        fields:
          "ts, connection, direction, opcode, size, payload (text frames as text, others base64), truncated, message (the frame's message in its connection's protocol, read from the redacted payload; null when none); damaged and damage on a frame whose stored bytes failed their check (its payload empty)",
        session: sessionHead,
        connections: connectionUrls,
        redaction: summary,
      },
    };
    const bytes = file.finish(`${JSON.stringify(header)}\n`, '');
    return {
      fileName: `session-${session.id}.ndjson`,
      mimeType: 'application/x-ndjson',
      connections: connections.length,
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
