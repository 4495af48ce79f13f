// The console's filter on decoded messages: what an engineer types at 3 AM ("chat", "EVENT chat",
// "sensors/*") against a message's type and the event, topic or method it names.
import { describe, expect, it } from 'vitest';
import {
  matchesMessage,
  messageKey,
  messageLabel,
  parseMessageQuery,
  type MessageKey,
} from '../../../../shared/protocols/message-filter.js';

const chat: MessageKey = { type: 'EVENT', what: 'chat' };
const chatTyping: MessageKey = { type: 'EVENT', what: 'chat-typing' };
const publish: MessageKey = { type: 'PUBLISH', what: 'sensors/1/temp' };
const next: MessageKey = { type: 'next', what: '' };
const matches = (query: string, key: MessageKey | null) => matchesMessage(parseMessageQuery(query), key);

describe('matchesMessage', () => {
  it('matches an event name whole, in any case, and not a longer name that starts with it', () => {
    expect(matches('chat', chat)).toBe(true);
    expect(matches('CHAT', chat)).toBe(true);
    expect(matches('chat', chatTyping)).toBe(false);
    expect(matches('cha', chat)).toBe(false);
  });

  it('matches a message type, alone or with what the message names', () => {
    expect(matches('event', chat)).toBe(true);
    expect(matches('EVENT chat', chat)).toBe(true);
    expect(matches('EVENT chat', chatTyping)).toBe(false);
    expect(matches('ACK chat', chat)).toBe(false);
    expect(matches('next', next)).toBe(true);
    expect(matches('PUBLISH', next)).toBe(false);
  });

  it('takes * for any characters, slashes included', () => {
    expect(matches('chat*', chatTyping)).toBe(true);
    expect(matches('chat*', chat)).toBe(true);
    expect(matches('sensors/*', publish)).toBe(true);
    expect(matches('*/temp', publish)).toBe(true);
    expect(matches('sensors/*/humidity', publish)).toBe(false);
  });

  it('reads regular-expression characters as themselves', () => {
    expect(matches('sensors.1.temp', publish)).toBe(false);
    expect(matches('(chat)', chat)).toBe(false);
    expect(matches('a+b', { type: 'EVENT', what: 'a+b' })).toBe(true);
    expect(matches('a+b', { type: 'EVENT', what: 'aab' })).toBe(false);
  });

  it('keeps a quoted name with spaces as one word', () => {
    const spaced: MessageKey = { type: 'Invocation', what: 'Send Message' };
    expect(matches('"send message"', spaced)).toBe(true);
    expect(matches('send message', spaced)).toBe(false);
  });

  it('never matches a frame with no message; an empty query matches every message', () => {
    expect(matches('chat', null)).toBe(false);
    expect(matches('  ', chat)).toBe(true);
    expect(matches('', null)).toBe(false);
    expect(parseMessageQuery('  ')).toEqual([]);
  });
});

describe('messageKey and messageLabel', () => {
  it('names what a message is about: event, topic, destination or method, in that order', () => {
    expect(messageKey({ protocol: 'socket.io', type: 'EVENT', name: 'chat', namespace: '/' })).toEqual(chat);
    expect(messageKey({ protocol: 'mqtt', type: 'PUBLISH', topic: 'sensors/1/temp', qos: 1 })).toEqual(
      publish,
    );
    expect(messageKey({ protocol: 'stomp', type: 'SEND', destination: '/queue/a' })).toEqual({
      type: 'SEND',
      what: '/queue/a',
    });
    expect(messageKey({ protocol: 'graphql-ws', type: 'next', id: '1' })).toEqual(next);
    expect(messageKey(null)).toBeNull();
  });

  it('labels a message by its type and what it names, never twice the same word', () => {
    expect(messageLabel({ protocol: 'socket.io', type: 'EVENT', name: 'chat' })).toBe('EVENT chat');
    expect(messageLabel({ protocol: 'json-rpc', type: 'request', method: 'request' })).toBe('request');
    expect(messageLabel({ protocol: 'graphql-ws', type: 'next', id: '1' })).toBe('next');
    expect(messageLabel(null)).toBe('');
  });
});
