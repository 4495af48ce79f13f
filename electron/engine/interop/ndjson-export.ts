// A session as NDJSON: a first line that says what the file is and what was redacted, then one
// frame per line, in order: `ts` (ISO-8601 UTC with microseconds), `connection` (its number in the
// session), `direction` (in or out, seen from the client), `opcode`, `size` (on the wire),
// `payload` (text frames as text, others base64) and `truncated` (the payload was cut at capture).
// A frame whose stored bytes failed their check is written marked, `"damaged": true` and why in
// `damage`, with an empty payload: its line is there, its bytes are not passed on as if intact.
import type { RedactionOptions } from '../../../shared/contract/fields.js';
import { DAMAGE_REASONS, DamageTally } from '../../../shared/frame-damage.js';
import { Redactor, redactionSentence } from '../../../shared/redaction.js';
import { formatMicros } from '../../../shared/time.js';
import type { EngineContext } from '../context.js';
import type { StoredFrame } from '../sessions/frame-store.js';
import { framePages, protocolsOf, requireSession } from '../sessions/sessions.js';
import { ExportFile } from './export-file.js';
import type { ExportSummary } from './exports.js';

function payload(f: StoredFrame, r: Redactor): string {
  if (f.opcode === 'text') return r.text(f.payload.toString('utf8'));
  if (f.opcode === 'close' && r.rules.enabled && f.payload.length > 2)
    return Buffer.concat([
      f.payload.subarray(0, 2),
      Buffer.from(r.text(f.payload.toString('utf8', 2)), 'utf8'),
    ]).toString('base64');
  return f.payload.toString('base64');
}

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
        lines.push(
          JSON.stringify({
            ts: formatMicros(f.ts),
            connection: ordinal.get(f.connection) ?? f.connection,
            direction: f.direction,
            opcode: f.opcode,
            size: f.size,
            payload: f.damage === null ? payload(f, r) : '',
            truncated: f.truncated,
            message: f.damage === null ? protocols.messageOf(f.connection, { ...f, data: f.payload }) : null,
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
          'ts, connection, direction, opcode, size, payload (text frames as text, others base64), truncated; damaged and damage on a frame whose stored bytes failed their check (its payload empty)',
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
