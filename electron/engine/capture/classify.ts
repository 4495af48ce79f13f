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
