// A frame as the exports (NDJSON, HAR) write it, redacted once: its payload (text by the text rules,
// an MQTT CONNECT's credentials in its bytes), and its message decoded from that redacted payload.
// One rule for both: the decoder reads what the file holds, so a secret masked in the payload (a
// token in an ActionCable identifier, a Bearer token in a JSON-RPC error, a user's pattern over a
// method or topic, an MQTT password) cannot come back out through the message.
import type { ProtocolMessage } from '../../../shared/contract.js';
import type { Redactor } from '../../../shared/redaction.js';
import type { MessageOf, StoredFrame } from '../sessions/frame-store.js';

export interface ExportedFrame {
  /** Text frames as text, every other frame base64. */
  data: string;
  /** The frame's message in its connection's protocol, read from `data`; null when none. */
  message: ProtocolMessage | null;
}

/** The redacted bytes of a frame that is not text: a close frame's reason is text, its code stays. */
function redactedBytes(f: StoredFrame, r: Redactor): Buffer {
  if (!r.rules.enabled) return f.payload;
  if (f.opcode === 'binary') {
    const bytes = r.bytes(f.payload);
    return bytes === f.payload ? f.payload : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  if (f.opcode !== 'close' || f.payload.length <= 2) return f.payload;
  return Buffer.concat([
    f.payload.subarray(0, 2),
    Buffer.from(r.text(f.payload.toString('utf8', 2)), 'utf8'),
  ]);
}

/** A stored frame's payload redacted by `r`, and its message decoded from that. */
export function exportedFrame(f: StoredFrame, r: Redactor, messageOf: MessageOf): ExportedFrame {
  const wire = { direction: f.direction, opcode: f.opcode, truncated: f.truncated };
  if (f.opcode === 'text') {
    const text = r.text(f.payload.toString('utf8'));
    return { data: text, message: messageOf(f.connection, { ...wire, data: text }) };
  }
  const bytes = redactedBytes(f, r);
  return { data: bytes.toString('base64'), message: messageOf(f.connection, { ...wire, data: bytes }) };
}
