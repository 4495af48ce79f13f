// A frame's message in its connection's protocol (`message` wherever a frame is shown). Control
// frames (ping, pong, close) and frames of a connection with no protocol have none (null); a data
// frame that does not parse as its protocol is `{ protocol, type: 'malformed', reason }`. Never
// throws: a recorded frame may be anything.
import type { ProtocolMessage } from '../contract/messages.js';
import type { ProtocolName } from './names.js';
import { decodeActionCable } from './decode-actioncable.js';
import { decodeGraphql } from './decode-graphql.js';
import { decodeJsonRpc } from './decode-json-rpc.js';
import { decodeMqtt, mqttConnectLevel } from './decode-mqtt.js';
import { decodePhoenix } from './decode-phoenix.js';
import { decodeSignalr } from './decode-signalr.js';
import { decodeSocketIo } from './decode-socket-io.js';
import { decodeStomp } from './decode-stomp.js';
import { DETECT_FRAMES } from './detect.js';
import { bytesOf, carriesData, malformed, type WireFrame } from './wire.js';

export type { WireFrame } from './wire.js';
export { messageLabel } from './message-filter.js';

/** What decoding a connection's frames needs besides each frame: its protocol, and for MQTT its level. */
export interface DecodeContext {
  protocol: ProtocolName;
  /** MQTT protocol level from the connection's CONNECT (4 = 3.1.1, 5); 4 when none was seen. */
  mqttVersion?: number;
}

/** The context of a connection of `protocol`, read from its first frames (the MQTT CONNECT). */
export function decodeContext(protocol: ProtocolName, firstFrames: Iterable<WireFrame>): DecodeContext {
  if (protocol !== 'mqtt') return { protocol };
  let n = 0;
  for (const f of firstFrames) {
    if (n++ >= DETECT_FRAMES) break;
    if (f.opcode !== 'binary' || f.direction !== 'out') continue;
    const level = mqttConnectLevel(bytesOf(f));
    if (level !== null) return { protocol, mqttVersion: level };
  }
  return { protocol };
}

function decodeData(f: WireFrame, c: DecodeContext): ProtocolMessage {
  switch (c.protocol) {
    case 'socket.io':
      return decodeSocketIo(f);
    case 'graphql-ws':
    case 'subscriptions-transport-ws':
      return decodeGraphql(f, c.protocol);
    case 'mqtt':
      return decodeMqtt(f, c.mqttVersion ?? 4);
    case 'stomp':
      return decodeStomp(f);
    case 'json-rpc':
      return decodeJsonRpc(f);
    case 'signalr':
      return decodeSignalr(f);
    case 'phoenix':
      return decodePhoenix(f);
    case 'actioncable':
      return decodeActionCable(f);
  }
}

/** A frame's message, or null when its connection has no protocol or the frame carries no data. */
export function decodeFrame(f: WireFrame, c: DecodeContext | null): ProtocolMessage | null {
  if (!c || !carriesData(f)) return null;
  try {
    return decodeData(f, c);
  } catch (e) {
    return malformed(c.protocol, `could not be decoded: ${(e as Error).message}`);
  }
}
