// Turns the errors of net, tls, http and ws into the kinds an engineer reasons with, and a
// sentence that says what probably happened and what to check.
import type { ErrorKind } from '../../../shared/contract.js';

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

export function classifyError(err: Error, url: URL): { kind: ErrorKind; message: string } {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const where = url.host;
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
  /** What the peer did, in one sentence. */
  message: string;
}

const VIOLATIONS: Record<string, [string, string]> = {
  WS_ERR_UNEXPECTED_MASK: ['masked-frame', 'the server sent a masked frame (only clients mask)'],
  WS_ERR_INVALID_UTF8: ['invalid-utf8', 'the server sent a text message that is not valid UTF-8'],
  WS_ERR_UNEXPECTED_RSV_1: [
    'reserved-bits',
    'the server set reserved bit RSV1 without a negotiated extension that uses it',
  ],
  WS_ERR_UNEXPECTED_RSV_2_3: [
    'reserved-bits',
    'the server set reserved bits RSV2/RSV3, which no extension uses',
  ],
  WS_ERR_INVALID_OPCODE: ['invalid-opcode', 'the server sent a frame with a reserved opcode'],
  WS_ERR_EXPECTED_FIN: ['fragmented-control-frame', 'the server fragmented a control frame'],
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: [
    'control-frame-too-long',
    'the server sent a control frame longer than 125 bytes',
  ],
  WS_ERR_INVALID_CLOSE_CODE: ['invalid-close-code', 'the server closed with a code RFC 6455 does not allow'],
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: [
    'oversize',
    'the server announced a frame longer than 2^53 - 1 bytes',
  ],
  WS_ERR_TOO_MANY_BUFFERED_PARTS: [
    'too-many-fragments',
    'the server split a message into too many fragments',
  ],
};

/**
 * The protocol violation behind an error ws raised on an open connection (after which ws closes
 * with 1002, 1007 or 1009 itself); null for errors that are not the peer breaking the protocol.
 */
export function protocolViolation(err: Error, maxPayload: number): ProtocolViolation | null {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return {
      violation: 'oversize',
      wsCode: code,
      message: `the server sent a message larger than the ${maxPayload} bytes allowed (--max-payload); Frameline closed with 1009`,
    };
  }
  const known = VIOLATIONS[code];
  if (known) {
    const closeCode = code === 'WS_ERR_INVALID_UTF8' ? 1007 : 1002;
    return { violation: known[0], wsCode: code, message: `${known[1]}; Frameline closed with ${closeCode}` };
  }
  if (code.startsWith('WS_ERR')) {
    return {
      violation: 'protocol-error',
      wsCode: code,
      message: `the server broke the WebSocket protocol (${err.message}); Frameline closed the connection`,
    };
  }
  return null;
}
