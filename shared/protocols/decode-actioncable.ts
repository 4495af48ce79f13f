// Rails ActionCable: the server's `{type}` messages (welcome, ping, confirm_subscription,
// reject_subscription, disconnect) and broadcasts `{identifier, message}`; the consumer's
// `{command, identifier, data}`. The identifier is itself JSON naming the channel.
import type { ProtocolMessage } from '../contract/messages.js';
import { defined, isObject, malformed, parseJson, str, textOf, type WireFrame } from './wire.js';

export function decodeActionCable(f: WireFrame): ProtocolMessage {
  const protocol = 'actioncable';
  const o = parseJson(textOf(f));
  if (!isObject(o)) return malformed(protocol, f.truncated ? 'cut short' : 'not a JSON object');
  const identifier = str(o, 'identifier');
  const id = identifier === undefined ? undefined : parseJson(identifier);
  const channel = isObject(id) ? str(id, 'channel') : undefined;
  const command = str(o, 'command');
  const type =
    str(o, 'type') ?? command ?? (identifier !== undefined && 'message' in o ? 'message' : undefined);
  if (type === undefined) return malformed(protocol, 'neither a type nor a command');
  const data = command === 'message' ? parseJson(str(o, 'data') ?? '') : undefined;
  return defined({
    protocol,
    type,
    command,
    identifier,
    channel,
    // A consumer's `perform("speak", …)` sends data {"action":"speak",…}.
    name: isObject(data) ? str(data, 'action') : undefined,
    error: type === 'disconnect' ? str(o, 'reason') : undefined,
  });
}
