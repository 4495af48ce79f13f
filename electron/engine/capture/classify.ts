// Turns the errors of net, tls, http and ws into the kinds an engineer reasons with, and a
// sentence that says what probably happened and what to check.
import type { ErrorKind, Headers } from '../../../shared/contract.js';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'EPROTO',
]);

/** What the client offered in its opening handshake, and the headers of the 101 that answered it. */
export interface HandshakeOffer {
  /** The subprotocols offered (--subprotocol), in order. */
  subprotocols: readonly string[];
  /** Whether permessage-deflate was offered (--compression). */
  compression: boolean;
  /** The headers of the server's 101 answer, when one came. */
  answer: Headers | null;
}

/** A header of the answer, whatever its case; undefined when absent. */
function answered(offer: HandshakeOffer, name: string): string | undefined {
  const key = Object.keys(offer.answer ?? {}).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : offer.answer![key];
}

/**
 * A value the server sent, as it may be shown in a sentence: characters of an HTTP token only (a
 * header value may carry markup or terminal controls), at most 64 of them.
 */
function shown(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9!#$%&'*+.^_`|~=;, -]/g, '?');
  return `"${cleaned.length > 64 ? `${cleaned.slice(0, 64)}…` : cleaned}"`;
}

/**
 * A 101 answer the client refused because it breaks the opening handshake of RFC 6455 (section
 * 4.1): ws says so in a few fixed messages. What the server did, against what the client offered,
 * and what to do about it; null for any other error. The subprotocols offered are counted, never
 * shown (they may carry a token).
 */
function handshakeRefusal(
  message: string,
  where: string,
  offer: HandshakeOffer,
): { kind: ErrorKind; message: string } | null {
  const server = `the server at ${where} answered 101 Switching Protocols`;
  const offered = offer.subprotocols.length;
  const protocol = answered(offer, 'sec-websocket-protocol');
  const extensions = answered(offer, 'sec-websocket-extensions');
  const refused = 'so Frameline refused the connection';
  switch (message) {
    case 'Invalid Upgrade header': {
      const upgrade = answered(offer, 'upgrade');
      return {
        kind: 'upgrade-rejected',
        message: `${server} without "Upgrade: websocket"${upgrade === undefined ? '' : ` (its Upgrade header said ${shown(upgrade)})`}, so the connection was never upgraded; a proxy on the path may have changed the header: capture the backend directly to compare, or fix the proxy or the server`,
      };
    }
    case 'Invalid Sec-WebSocket-Accept header':
      return {
        kind: 'protocol',
        message: `${server} ${answered(offer, 'sec-websocket-accept') === undefined ? 'without a Sec-WebSocket-Accept header' : 'with a Sec-WebSocket-Accept that does not match the Sec-WebSocket-Key Frameline sent'}, ${refused}: the answer does not prove that a WebSocket server read this request (RFC 6455 4.1); something on the path (a proxy or cache answering for the server) or the server's handshake code is wrong: capture the backend directly to compare, or fix the server`,
      };
    case 'Server sent a subprotocol but none was requested':
      return {
        kind: 'protocol',
        message: `${server} choosing the subprotocol ${shown(protocol ?? '')}, but Frameline offered none, ${refused} (a server may only choose a subprotocol the client offered); offer it with --subprotocol if the server needs it, or fix the server so that it chooses none when none is offered`,
      };
    case 'Server sent an invalid subprotocol':
      return {
        kind: 'protocol',
        message: `${server} choosing the subprotocol ${shown(protocol ?? '')}, which is not among the ${offered === 1 ? 'one' : offered} Frameline offered, ${refused} (a server may only choose a subprotocol the client offered); offer the one the server expects with --subprotocol, or fix the server to choose one of those offered`,
      };
    case 'Server sent no subprotocol':
      return {
        kind: 'protocol',
        message: `${server} without choosing any of the ${offered === 1 ? 'subprotocol' : `${offered} subprotocols`} Frameline offered (--subprotocol), ${refused} (a browser refuses it too); capture without --subprotocol if the server speaks none, or fix the server to choose one of those offered`,
      };
    case 'Server sent a Sec-WebSocket-Extensions header but no extension was requested':
      return {
        kind: 'protocol',
        message: `${server} with the extension ${shown(extensions ?? '')}, but Frameline offered none, ${refused} (a server may only use an extension the client offered); fix the server so that it uses none unless offered (--compression offers permessage-deflate)`,
      };
    case 'Server indicated an extension that was not requested':
      return {
        kind: 'protocol',
        message: `${server} with the extension ${shown(extensions ?? '')}, but Frameline offered only permessage-deflate, ${refused} (a server may only use an extension the client offered); fix the server's extension configuration, or capture without --compression`,
      };
    case 'Invalid Sec-WebSocket-Extensions header':
      return {
        kind: 'protocol',
        message: `${server} with a Sec-WebSocket-Extensions header Frameline cannot accept (${shown(extensions ?? '')}: malformed, or parameters permessage-deflate does not allow as offered), ${refused}; fix the server's permessage-deflate configuration, or capture without --compression`,
      };
    default:
      return null;
  }
}

/**
 * The kind of a failed connection and a sentence that says what happened and what to check. With
 * the `offer` of the opening handshake, a 101 the client refused is said against what was offered.
 */
export function classifyError(
  err: Error,
  url: URL,
  offer?: HandshakeOffer,
): { kind: ErrorKind; message: string } {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const where = url.host;
  const refusal = offer && !code ? handshakeRefusal(err.message, where, offer) : null;
  if (refusal) return refusal;
  if (code === 'ECONNREFUSED') {
    return {
      kind: 'refused',
      message: `connection refused by ${where}: nothing listens there (is the server up, is the port right?)`,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
    return { kind: 'dns', message: `cannot resolve ${url.hostname} (${code}): check the host name and DNS` };
  }
  if (code === 'ETIMEDOUT' || /handshake has timed out/i.test(err.message)) {
    return { kind: 'timeout', message: `no answer from ${where} in time: ${err.message}` };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return {
      kind: 'reset',
      message: `the connection to ${where} was reset (${code}): the peer or something in between dropped it`,
    };
  }
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    /certificate|ssl|tls/i.test(err.message)
  ) {
    return { kind: 'tls', message: `TLS failed with ${where}: ${err.message}${code ? ` (${code})` : ''}` };
  }
  if (code.startsWith('WS_ERR') || /invalid|unexpected|sec-websocket/i.test(err.message)) {
    if (/Unexpected server response/i.test(err.message))
      return { kind: 'upgrade-rejected', message: err.message };
    return { kind: 'protocol', message: `WebSocket protocol error: ${err.message}` };
  }
  if (/proxy|tunnel|CONNECT/i.test(err.message))
    return { kind: 'proxy', message: `proxy failed: ${err.message}` };
  return { kind: 'other', message: `${err.message}${code ? ` (${code})` : ''}` };
}

/** A rule of RFC 6455 the peer broke, as recorded with the connection it ended. */
export interface ProtocolViolation {
  /** Stable name: masked-frame, invalid-utf8, reserved-bits, oversize, invalid-opcode, … */
  violation: string;
  /** ws's error code, when ws found it. */
  wsCode: string | null;
  /** What the peer did, in one sentence without the close that followed ("the server sent …"). */
  description: string;
}

/** What was being parsed when ws raised a protocol error, and the limits it applied. */
export interface ViolationContext {
  /** Who sent the offending bytes: the server (to the capture) or the client (to the mock). */
  peer: 'server' | 'client';
  /** The opcode of the frame being parsed (ws's Receiver), when known. */
  opcode: number | null;
  /** permessage-deflate was negotiated. */
  deflate: boolean;
  /** The message being parsed is compressed. */
  compressed: boolean;
  /** The largest message accepted, and the flag that sets it (null for a fixed limit). */
  maxPayload: number;
  maxPayloadFlag: string | null;
  /** The most fragments a message may have. */
  maxFragments: number;
}

const CONTROL_NAMES: Record<number, string> = { 8: 'close frame', 9: 'ping', 10: 'pong' };

function controlName(opcode: number | null): string {
  return (opcode !== null && CONTROL_NAMES[opcode]) || 'control frame';
}

/** The number after `prefix` in ws's error message ("invalid opcode 3" → 3); null when absent. */
function numberIn(message: string, prefix: string): number | null {
  const m = new RegExp(`${prefix} (\\d+)`).exec(message);
  return m ? Number(m[1]) : null;
}

/** Why RFC 6455 forbids a close code on the wire. */
function closeCodeRule(code: number): string {
  if (code === 1005 || code === 1006 || code === 1015)
    return 'a code reserved for reporting a close, never sent in a close frame';
  if (code < 1000) return 'below 1000, where no code is defined';
  if (code >= 5000) return 'above 4999, where no code is defined';
  return 'a code RFC 6455 does not define for use on the wire';
}

/**
 * The rule the peer broke, from an error ws raised while parsing its frames (after which ws closes
 * with the code of the error itself: 1002, 1007, 1008 or 1009); null for errors that are not the
 * peer breaking the protocol (a reset socket). The close that followed is not part of it: the
 * caller says which code went on the wire.
 */
export function protocolViolation(err: Error, ctx: ViolationContext): ProtocolViolation | null {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const peer = `the ${ctx.peer}`;
  const v = (violation: string, description: string): ProtocolViolation => ({
    violation,
    wsCode: code || null,
    description: `${peer} ${description}`,
  });
  const limit = `the ${ctx.maxPayload} bytes allowed${ctx.maxPayloadFlag ? ` (${ctx.maxPayloadFlag})` : ''}`;
  switch (code) {
    case 'WS_ERR_UNEXPECTED_MASK':
      return v('masked-frame', 'sent a masked frame (only clients mask their frames)');
    case 'WS_ERR_EXPECTED_MASK':
      return v('unmasked-frame', 'sent an unmasked frame (clients must mask every frame)');
    case 'WS_ERR_INVALID_UTF8':
      return ctx.opcode === 8
        ? v('invalid-utf8', 'sent a close reason that is not valid UTF-8')
        : v('invalid-utf8', 'sent a text message that is not valid UTF-8');
    case 'WS_ERR_UNEXPECTED_RSV_1':
      return ctx.deflate
        ? v(
            'reserved-bits',
            'set reserved bit RSV1 on a continuation or control frame (permessage-deflate allows it only on the first frame of a message)',
          )
        : v('reserved-bits', 'set reserved bit RSV1 without a negotiated extension that uses it');
    case 'WS_ERR_UNEXPECTED_RSV_2_3':
      return v('reserved-bits', 'set reserved bits RSV2/RSV3, which no negotiated extension uses');
    case 'WS_ERR_INVALID_OPCODE': {
      const opcode = numberIn(err.message, 'invalid opcode');
      if (opcode === 0)
        return v('unexpected-continuation', 'sent a continuation frame when no fragmented message was open');
      if (opcode === 1 || opcode === 2)
        return v(
          'interleaved-message',
          `started a new ${opcode === 1 ? 'text' : 'binary'} message before finishing the fragmented one`,
        );
      return v('invalid-opcode', `sent a frame with reserved opcode ${opcode ?? '(unknown)'}`);
    }
    case 'WS_ERR_EXPECTED_FIN':
      return v(
        'fragmented-control-frame',
        `fragmented a ${controlName(ctx.opcode)} (control frames are never fragmented)`,
      );
    case 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH': {
      const length = numberIn(err.message, 'invalid payload length');
      if (ctx.opcode === 8 && length === 1)
        return v(
          'close-payload-1-byte',
          'sent a close frame with a 1-byte payload (a close code takes 2 bytes)',
        );
      return v(
        'control-frame-too-long',
        `sent a ${controlName(ctx.opcode)} longer than 125 bytes (control frames carry at most 125)`,
      );
    }
    case 'WS_ERR_INVALID_CLOSE_CODE': {
      const closeCode = numberIn(err.message, 'invalid status code');
      return v(
        'invalid-close-code',
        closeCode === null
          ? 'sent a close frame with a code RFC 6455 does not allow'
          : `sent a close frame with close code ${closeCode}, ${closeCodeRule(closeCode)}`,
      );
    }
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return v('oversize', 'announced a frame longer than 2^53 - 1 bytes, more than any message can be');
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return ctx.compressed
        ? v('oversize', `sent a compressed message larger than ${limit} once inflated`)
        : v('oversize', `sent a message larger than ${limit}`);
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return /fragments/i.test(err.message)
        ? v('too-many-fragments', `split a message into more than ${ctx.maxFragments} fragments`)
        : v('too-many-chunks', 'sent data faster than it could be parsed, in more pieces than ws buffers');
    default:
      break;
  }
  // zlib's errors: the compressed payload of a message did not inflate.
  if (code.startsWith('Z_') || code.startsWith('ERR_ZLIB'))
    return v('invalid-compressed-data', `sent a compressed message that does not inflate (${err.message})`);
  if (code.startsWith('WS_ERR')) return v('protocol-error', `broke the WebSocket protocol (${err.message})`);
  return null;
}
