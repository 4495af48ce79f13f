// JSON-RPC 2.0: requests (method and id), notifications (method, no id), results and errors (id).
import type { ProtocolMessage } from '../contract/messages.js';
import {
  defined,
  fieldsOfHead,
  idText,
  isObject,
  malformed,
  parseJson,
  str,
  textOf,
  type WireFrame,
} from './wire.js';

/** The kind of one JSON-RPC message object, with its method, id and error code. */
function decodeOne(o: Record<string, unknown>): ProtocolMessage {
  const protocol = 'json-rpc';
  const id = idText(o.id);
  const method = str(o, 'method');
  if (method !== undefined)
    return defined({ protocol, type: id === undefined ? 'notification' : 'request', method, id });
  if ('error' in o) {
    const e = isObject(o.error) ? o.error : {};
    return defined({
      protocol,
      type: 'error',
      id,
      errorCode: typeof e.code === 'number' ? e.code : undefined,
      error: str(e, 'message'),
    });
  }
  if ('result' in o) return defined({ protocol, type: 'result', id });
  return malformed(protocol, 'a JSON-RPC object with neither method, result nor error');
}

export function decodeJsonRpc(f: WireFrame): ProtocolMessage {
  const text = textOf(f);
  const v = parseJson(text);
  if (Array.isArray(v)) {
    // A batch: the first message's fields, and how many the batch holds.
    const first = v.find(isObject);
    if (!first) return malformed('json-rpc', 'an empty batch');
    return { ...decodeOne(first), packets: v.length };
  }
  if (isObject(v)) return decodeOne(v);
  if (f.truncated) {
    const head = fieldsOfHead(text, ['method', 'id']);
    if (head.method)
      return defined({
        protocol: 'json-rpc',
        type: 'request',
        method: head.method,
        id: head.id,
        reason: 'cut short',
      });
  }
  return malformed('json-rpc', 'not a JSON object');
}
