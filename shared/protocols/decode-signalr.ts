// ASP.NET Core SignalR, JSON hub protocol: records ending in U+001E; a handshake record
// (`{"protocol":"json","version":1}` out, `{}` or `{"error":…}` in) first, then messages whose
// `type` number names them.
import type { ProtocolMessage } from '../contract/messages.js';
import { defined, idText, isObject, malformed, parseJson, str, textOf, type WireFrame } from './wire.js';

/** The record separator that ends every SignalR JSON record. */
export const RECORD_SEPARATOR = '\u001e';

/** SignalR hub message types by their number (index). */
export const SIGNALR_TYPES = [
  undefined,
  'Invocation',
  'StreamItem',
  'Completion',
  'StreamInvocation',
  'CancelInvocation',
  'Ping',
  'Close',
  'Ack',
  'Sequence',
] as const;

export function decodeSignalr(f: WireFrame): ProtocolMessage {
  const protocol = 'signalr';
  if (f.opcode === 'binary')
    return malformed(protocol, 'a MessagePack hub protocol record (only the JSON hub protocol is decoded)');
  const records = textOf(f).split(RECORD_SEPARATOR);
  // The text after the last separator is empty unless the frame was cut short.
  const tail = records.pop();
  if (records.length === 0)
    return malformed(
      protocol,
      f.truncated ? 'cut short before its first record ended' : 'no record separator (U+001E)',
    );
  const o = parseJson(records[0]!);
  if (!isObject(o)) return malformed(protocol, 'a record that is not a JSON object');
  const packets = records.length > 1 || (tail && f.truncated) ? records.length : undefined;
  if (typeof o.type !== 'number') {
    // The handshake: the client names its protocol, the server answers {} or an error.
    return defined({ protocol, type: 'handshake', error: str(o, 'error'), packets });
  }
  const type = SIGNALR_TYPES[o.type];
  if (!type) return malformed(protocol, `an unknown message type ${o.type}`);
  return defined({
    protocol,
    type,
    target: str(o, 'target'),
    invocationId: idText(o.invocationId),
    error: str(o, 'error'),
    packets,
  });
}
