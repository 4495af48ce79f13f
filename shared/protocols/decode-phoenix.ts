// Phoenix channels: the v2 serializer's arrays `[join_ref, ref, topic, event, payload]`, or v1
// objects `{topic, event, payload, ref, join_ref}`.
import type { ProtocolMessage } from '../contract/messages.js';
import { defined, idText, isObject, malformed, parseJson, str, textOf, type WireFrame } from './wire.js';

/** The fields of a Phoenix message, whichever serializer wrote it; null when it is neither shape. */
export function phoenixFields(
  v: unknown,
): { joinRef?: string; ref?: string; topic: string; event: string } | null {
  if (Array.isArray(v) && v.length === 5 && typeof v[2] === 'string' && typeof v[3] === 'string')
    return { joinRef: idText(v[0]), ref: idText(v[1]), topic: v[2], event: v[3] };
  if (isObject(v) && typeof v.topic === 'string' && typeof v.event === 'string' && 'payload' in v)
    return { joinRef: idText(v.join_ref), ref: idText(v.ref), topic: v.topic, event: v.event };
  return null;
}

export function decodePhoenix(f: WireFrame): ProtocolMessage {
  const protocol = 'phoenix';
  if (f.opcode === 'binary') return malformed(protocol, 'a binary push (only JSON messages are decoded)');
  const v = parseJson(textOf(f));
  const p = phoenixFields(v);
  if (!p)
    return malformed(
      protocol,
      f.truncated
        ? 'cut short'
        : 'neither [join_ref, ref, topic, event, payload] nor {topic, event, payload}',
    );
  const payload = Array.isArray(v) ? v[4] : isObject(v) ? v.payload : undefined;
  // A reply says how the request went: phx_reply's payload.status (ok, error).
  const status = p.event === 'phx_reply' && isObject(payload) ? str(payload, 'status') : undefined;
  return defined({
    protocol,
    type: p.event,
    topic: p.topic,
    ref: p.ref,
    joinRef: p.joinRef,
    error: status === 'error' ? 'error' : undefined,
  });
}
