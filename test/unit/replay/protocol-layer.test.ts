import { describe, expect, it } from 'vitest';
import type { TimedMessage } from '../../../shared/replay/pairing.js';
import { diffMessages } from '../../../shared/replay/diff.js';
import { ignoreRules } from '../../../shared/replay/volatile.js';
import {
  answerStructure,
  applicationConversation,
  exchangeId,
  protocolOpenedAt,
  recordedOpening,
  requestShape,
  withExchangeId,
} from '../../../shared/replay/protocol-layer.js';

const at = (ms: number, text: string): TimedMessage => ({ ts: ms * 1000, opcode: 'text', text });
const socketIo = { protocol: 'socket.io' as const };
const graphqlWs = { protocol: 'graphql-ws' as const };

// A Socket.IO session as Frameline's capture records it against socket.io 4.
const socketIoSession = {
  sent: [
    at(2, '40/chat,{"token":"t"}'),
    at(10, '421["echo",{"n":1}]'),
    at(300, '3'),
    at(310, '42["hello",2]'),
  ],
  received: [
    at(
      1,
      '0{"sid":"aaaaaaaaaaaaaaaaaaaa","upgrades":[],"pingInterval":300,"pingTimeout":1000,"maxPayload":1000000}',
    ),
    at(4, '40/chat,{"sid":"bbbbbbbbbbbbbbbbbbbb"}'),
    at(5, '42/chat,["welcome",{}]'),
    at(12, '431[{"echo":{"n":1}}]'),
    at(299, '2'),
  ],
};

describe('the protocol layer of a recorded conversation', () => {
  it("leaves out Socket.IO's opening, namespace connects and heartbeats, keeping the events and acks", () => {
    expect(applicationConversation(socketIoSession, socketIo)).toEqual({
      sent: [socketIoSession.sent[1], socketIoSession.sent[3]],
      received: [socketIoSession.received[2], socketIoSession.received[3]],
    });
  });

  it('leaves out graphql-ws connection_init/ack and ping/pong, keeping subscribe, next and complete', () => {
    const c = {
      sent: [
        at(0, '{"type":"connection_init"}'),
        at(5, '{"id":"1","type":"subscribe","payload":{"query":"{ a }"}}'),
        at(9, '{"type":"pong"}'),
      ],
      received: [
        at(2, '{"type":"connection_ack"}'),
        at(6, '{"id":"1","type":"next","payload":{}}'),
        at(8, '{"type":"ping"}'),
      ],
    };
    expect(applicationConversation(c, graphqlWs)).toEqual({ sent: [c.sent[1]], received: [c.received[1]] });
    expect(protocolOpenedAt(c, graphqlWs)).toBe(2000);
  });

  it('keeps everything when no protocol is known', () => {
    expect(applicationConversation(socketIoSession, null)).toBe(socketIoSession);
    expect(protocolOpenedAt(socketIoSession, null)).toBeNull();
  });

  it("reads the recorded opening as a protocol client's options: namespaces and auth, the init payload", () => {
    expect(recordedOpening(socketIoSession, socketIo)).toEqual({
      subscribe: ['/chat'],
      initPayload: { token: 't' },
    });
    expect(protocolOpenedAt(socketIoSession, socketIo)).toBe(4000);
    expect(
      recordedOpening(
        { sent: [at(0, '{"type":"connection_init","payload":{"token":"x"}}')], received: [] },
        graphqlWs,
      ),
    ).toEqual({ subscribe: [], initPayload: { token: 'x' } });
  });

  it('pairs requests by shape whatever ack id or operation id each client chose, and rewrites the id', () => {
    const recorded = at(0, '42/chat,7["echo",1]');
    const asked = at(0, '42/chat,0["echo",1]');
    expect(exchangeId(recorded, socketIo, 'id')).toBe(7);
    expect(exchangeId(at(0, '42["hello"]'), socketIo, 'id')).toBeUndefined();
    expect(requestShape(recorded, socketIo, 'id')).toBe(requestShape(asked, socketIo, 'id'));
    expect(requestShape(at(0, '42/chat,0["echo",2]'), socketIo, 'id')).not.toBe(
      requestShape(asked, socketIo, 'id'),
    );
    expect(withExchangeId(at(0, '43/chat,7[{"ok":1}]'), 0, socketIo, 'id')).toBe('43/chat,0[{"ok":1}]');

    const sub = at(0, '{"id":"q1","type":"subscribe","payload":{"query":"{ a }"}}');
    const theirs = at(0, '{"id":"6f1c","type":"subscribe","payload":{"query":"{ a }"}}');
    expect(requestShape(sub, graphqlWs, 'id')).toBe(requestShape(theirs, graphqlWs, 'id'));
    expect(withExchangeId(at(0, '{"id":"q1","type":"complete"}'), '6f1c', graphqlWs, 'id')).toBe(
      '{"id":"6f1c","type":"complete"}',
    );
  });

  it("compares STOMP answers by header and body, leaving out the broker's message-id", () => {
    const stomp = answerStructure({ protocol: 'stomp' });
    const rules = ignoreRules([], 'id');
    // As RabbitMQ delivers one message to two sessions: the message-id names the session.
    const message = (session: string, body: string) => ({
      opcode: 'text' as const,
      text: `MESSAGE\nsubscription:sub-0\ndestination:/queue/x\nmessage-id:T_sub-0@@session-${session}@@1\nredelivered:false\ncontent-length:${body.length}\n\n${body}\0\n`,
    });
    expect(diffMessages(message('aaa', 'hi'), message('bbb', 'hi'), rules, stomp)).toEqual([]);
    expect(diffMessages(message('aaa', 'hi'), message('bbb', 'ho'), rules, stomp)).toEqual(['$.body']);
    expect(diffMessages(message('aaa', 'hi'), message('bbb', 'hey'), rules, stomp)).toEqual([
      '$.headers["content-length"]',
      '$.body',
    ]);
    // Read as a whole, the two deliveries differ.
    expect(diffMessages(message('aaa', 'hi'), message('bbb', 'hi'), rules)).toEqual(['$']);
    // Other protocols keep JSON.
    expect(answerStructure(graphqlWs)('{"a":1}')).toEqual({ a: 1 });
  });
});
