// STOMP 1.0–1.2 frames: `COMMAND\nheader:value\n…\n\nbody\0`; a frame of only end-of-lines is a
// heart-beat. Header values are unescaped as STOMP 1.2 says (\\c \\n \\r \\\\).
import type { ProtocolMessage } from '../contract/messages.js';
import { defined, malformed, textOf, type WireFrame } from './wire.js';

/** STOMP commands, client and server. */
export const STOMP_COMMANDS = [
  'CONNECT',
  'STOMP',
  'CONNECTED',
  'SEND',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'ACK',
  'NACK',
  'BEGIN',
  'COMMIT',
  'ABORT',
  'DISCONNECT',
  'MESSAGE',
  'RECEIPT',
  'ERROR',
] as const;

/**
 * A header name or value with its escapes undone, as STOMP `version` says (1.2: `\c` `\n` `\r`
 * `\\`; 1.1: the same without `\r`). The decoder leaves an undefined escape as it is; Frameline's STOMP
 * client (`strict`) refuses the frame, as the specification asks.
 */
export function unescapeStompHeader(
  value: string,
  options: { version?: '1.0' | '1.1' | '1.2'; strict?: boolean } = {},
): string {
  const version = options.version ?? '1.2';
  return value.replace(/\\(.)/g, (all, c: string) => {
    if (c === 'n') return '\n';
    if (c === 'c') return ':';
    if (c === '\\') return '\\';
    if (c === 'r' && version === '1.2') return '\r';
    if (options.strict) throw new Error(`undefined escape sequence ${all} in a STOMP header`);
    return all;
  });
}

/** The command and headers of a STOMP frame's text, or null when it does not start with a command. */
export function stompHead(text: string): { command: string; headers: Map<string, string> } | null {
  const lines = text.split(/\r?\n/);
  const command = lines[0] ?? '';
  if (!(STOMP_COMMANDS as readonly string[]).includes(command)) return null;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = unescapeStompHeader(line.slice(0, colon));
    // The first occurrence of a repeated header is the one that counts.
    if (!headers.has(name)) headers.set(name, unescapeStompHeader(line.slice(colon + 1)));
  }
  return { command, headers };
}

export function decodeStomp(f: WireFrame): ProtocolMessage {
  const protocol = 'stomp';
  const text = textOf(f);
  if (/^(\r?\n)+$/.test(text)) return { protocol, type: 'heart-beat' };
  const head = stompHead(text);
  if (!head) return malformed(protocol, `not a STOMP command: ${JSON.stringify(text.slice(0, 20))}`);
  const h = (name: string) => head.headers.get(name);
  const ended = text.includes('\0') || f.truncated;
  return defined({
    protocol,
    type: head.command,
    destination: h('destination'),
    receipt: h('receipt'),
    receiptId: h('receipt-id'),
    messageId: h('message-id'),
    subscription: h('subscription'),
    id: h('id'),
    heartBeat: h('heart-beat'),
    contentType: h('content-type'),
    error: head.command === 'ERROR' ? h('message') : undefined,
    reason: ended ? (f.truncated ? 'cut short' : undefined) : 'no NULL octet ends the frame',
  });
}
