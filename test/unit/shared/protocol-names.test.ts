import { describe, expect, it } from 'vitest';
import {
  protocolOfHandshake,
  protocolOfSubprotocol,
  protocolOfUrl,
  subprotocolsFor,
  PROTOCOL_NAMES,
} from '../../../shared/protocols/names.js';

describe('what the handshake says about a protocol', () => {
  it('names the protocol of each subprotocol that names one, in any case', () => {
    expect(protocolOfSubprotocol('graphql-transport-ws')).toBe('graphql-ws');
    expect(protocolOfSubprotocol('graphql-ws')).toBe('subscriptions-transport-ws');
    expect(protocolOfSubprotocol('MQTT')).toBe('mqtt');
    expect(protocolOfSubprotocol('v12.stomp')).toBe('stomp');
    expect(protocolOfSubprotocol('actioncable-v1-json')).toBe('actioncable');
    expect(protocolOfSubprotocol('chat')).toBeNull();
    expect(protocolOfSubprotocol(null)).toBeNull();
  });

  it('knows Engine.IO, Phoenix and ActionCable by their URLs', () => {
    expect(protocolOfUrl('ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket')).toBe('socket.io');
    expect(protocolOfUrl('wss://example.test/live/websocket?vsn=2.0.0')).toBe('phoenix');
    expect(protocolOfUrl('wss://example.test/cable')).toBe('actioncable');
    expect(protocolOfUrl('ws://127.0.0.1/feed')).toBeNull();
    expect(protocolOfUrl('not a url')).toBeNull();
  });

  it('prefers the negotiated subprotocol to the URL', () => {
    expect(protocolOfHandshake('mqtt', 'ws://127.0.0.1/socket.io/?EIO=4')).toBe('mqtt');
    expect(protocolOfHandshake(null, 'ws://127.0.0.1/socket.io/?EIO=4')).toBe('socket.io');
  });

  it('offers, for each protocol with one, a subprotocol that leads back to it', () => {
    for (const p of PROTOCOL_NAMES)
      for (const sub of subprotocolsFor(p)) expect(protocolOfSubprotocol(sub), sub).toBe(p);
  });
});
