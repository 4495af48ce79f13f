// The console's filter on decoded messages: what an engineer types ("chat", "EVENT chat",
// "PUBLISH sensors/*", "next") against each frame's message type and the event, topic, destination
// or method it names. Every word must match one of the two, whole and case-insensitive; `*` stands
// for any characters; "a quoted phrase" is one word (for names with spaces).
import type { ProtocolMessage } from '../contract/messages.js';

/** A message as the filter sees it: its type, and what it names (empty when it names nothing). */
export interface MessageKey {
  type: string;
  what: string;
}

/** A parsed message filter: one pattern per word, all of which must match. */
export type MessageQuery = readonly RegExp[];

/** What a message names, in the order a frame list shows it: event, topic, destination, method… */
export function messageSubject(m: ProtocolMessage): string {
  return m.name ?? m.topic ?? m.destination ?? m.method ?? m.target ?? m.channel ?? m.operationName ?? '';
}

/** The words a frame list shows for a message: its type, and the event, topic or method it names. */
export function messageLabel(m: ProtocolMessage | null): string {
  if (!m) return '';
  const what = messageSubject(m);
  return what && what !== m.type ? `${m.type} ${what}` : m.type;
}

/** The key of a message for filtering; null for a frame with no message. */
export function messageKey(m: ProtocolMessage | null): MessageKey | null {
  return m ? { type: m.type, what: messageSubject(m) } : null;
}

/** Reads what was typed into word patterns; an empty query (nothing but spaces) matches every message. */
export function parseMessageQuery(input: string): MessageQuery {
  const words = input.match(/"[^"]*"|\S+/g) ?? [];
  return words
    .map((w) => (w.length > 1 && w.startsWith('"') && w.endsWith('"') ? w.slice(1, -1) : w))
    .filter((w) => w.length > 0)
    .map(
      (w) =>
        new RegExp(
          `^${w
            .split('*')
            .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
          'is',
        ),
    );
}

/** True when every word of the query matches the message's type or what it names. */
export function matchesMessage(query: MessageQuery, key: MessageKey | null): boolean {
  if (!key) return false;
  return query.every((word) => word.test(key.type) || (key.what !== '' && word.test(key.what)));
}
