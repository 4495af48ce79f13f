// WebSocket close codes: the RFC 6455 set and the IANA registry, with what each means and what
// usually causes it in production.

/** What a close code means and what usually causes it. */
export interface CloseCodeInfo {
  code: number;
  name: string;
  meaning: string;
  usualCauses: string;
  /** False for codes an endpoint must never put in a close frame (1005, 1006, 1015): they describe what was observed. */
  sentOnWire: boolean;
  /** Where the definition comes from. */
  source: 'RFC 6455' | 'IANA' | 'range';
}

const KNOWN: CloseCodeInfo[] = [
  {
    code: 1000,
    name: 'Normal Closure',
    meaning: 'The connection did what it was opened for and was closed on purpose.',
    usualCauses:
      'A client or server ending the session normally: logout, page unload handled cleanly, end of a stream.',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1001,
    name: 'Going Away',
    meaning: 'The endpoint is leaving: a server shutting down or a browser leaving the page.',
    usualCauses:
      'Deploys and rolling restarts, pods drained by the orchestrator, a tab closed or navigated away.',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1002,
    name: 'Protocol Error',
    meaning: 'The endpoint received something that breaks the WebSocket protocol.',
    usualCauses: 'A buggy client or server library, an unmasked client frame, a proxy that rewrites frames.',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1003,
    name: 'Unsupported Data',
    meaning:
      'The endpoint received a type of data it cannot accept (binary where only text is handled, say).',
    usualCauses: 'Client and server disagree on the message format or on text versus binary frames.',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1004,
    name: 'Reserved',
    meaning: 'Reserved by RFC 6455; no meaning is defined.',
    usualCauses: 'A non-conforming endpoint.',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1005,
    name: 'No Status Received',
    meaning:
      'A close frame arrived without a status code. Never sent on the wire: it reports what was observed.',
    usualCauses: 'The peer closed without giving a code (allowed, but it hides the reason).',
    sentOnWire: false,
    source: 'RFC 6455',
  },
  {
    code: 1006,
    name: 'Abnormal Closure',
    meaning:
      'The connection ended with no close frame at all. Never sent on the wire: it reports that the TCP connection just went away.',
    usualCauses:
      'A proxy or load balancer idle timeout (steady lifetimes after the last traffic), a proxy missing the Upgrade/Connection headers (1006 at once), a crashed or OOM-killed server, network loss, a refused Origin dropped without a close frame.',
    sentOnWire: false,
    source: 'RFC 6455',
  },
  {
    code: 1007,
    name: 'Invalid Frame Payload Data',
    meaning: 'A message did not match its type, such as invalid UTF-8 in a text frame.',
    usualCauses: 'Binary data sent as text, broken encoding in a producer.',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1008,
    name: 'Policy Violation',
    meaning: 'A message or the connection itself violates the endpoint’s policy; the generic refusal.',
    usualCauses: 'Origin not on the allow-list, failed or expired authentication, rate limits.',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1009,
    name: 'Message Too Big',
    meaning: 'A message was larger than the endpoint accepts.',
    usualCauses:
      'A payload above the server’s or client’s max message size; raise the limit or split messages.',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1010,
    name: 'Mandatory Extension',
    meaning: 'The client required an extension the server did not negotiate.',
    usualCauses:
      'permessage-deflate required by the client but disabled on the server or stripped by a proxy.',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1011,
    name: 'Internal Error',
    meaning: 'The server hit an unexpected condition and gave up on the connection.',
    usualCauses:
      'An unhandled exception in the server’s message handler, a failing dependency (database, cache, auth).',
    sentOnWire: true,
    source: 'RFC 6455',
  },
  {
    code: 1012,
    name: 'Service Restart',
    meaning: 'The server is restarting; reconnecting after a short delay is expected to work.',
    usualCauses: 'A deploy or restart of the service.',
    sentOnWire: true,
    source: 'IANA',
  },
  {
    code: 1013,
    name: 'Try Again Later',
    meaning: 'The server is overloaded or limiting this client for now.',
    usualCauses: 'Connection limits, load shedding, rate limiting; reconnect with backoff.',
    sentOnWire: true,
    source: 'IANA',
  },
  {
    code: 1014,
    name: 'Bad Gateway',
    meaning: 'A gateway or proxy got an invalid response from the server behind it.',
    usualCauses: 'The upstream behind a proxy is down or answering garbage.',
    sentOnWire: true,
    source: 'IANA',
  },
  {
    code: 1015,
    name: 'TLS Handshake',
    meaning: 'The TLS handshake failed. Never sent on the wire: it reports what was observed.',
    usualCauses: 'An untrusted, expired or mismatched certificate; no common protocol version or cipher.',
    sentOnWire: false,
    source: 'RFC 6455',
  },
  {
    code: 3000,
    name: 'Unauthorized',
    meaning: 'The endpoint requires authentication that was missing or invalid.',
    usualCauses: 'A missing or expired token, a session cookie not sent on the upgrade.',
    sentOnWire: true,
    source: 'IANA',
  },
  {
    code: 3003,
    name: 'Forbidden',
    meaning: 'The client is authenticated but not allowed to do this.',
    usualCauses: 'Missing permission or role for the channel or topic.',
    sentOnWire: true,
    source: 'IANA',
  },
  {
    code: 3008,
    name: 'Timeout',
    meaning: 'The endpoint closed the connection because something took too long.',
    usualCauses: 'No initial message or authentication within the server’s deadline; a missed heartbeat.',
    sentOnWire: true,
    source: 'IANA',
  },
];

const BY_CODE = new Map(KNOWN.map((c) => [c.code, c]));

/** Every code with its own entry, in numeric order. */
export const CLOSE_CODES: readonly CloseCodeInfo[] = KNOWN;

/** Explains any close code: a registered one, or the range it falls in. */
export function describeCloseCode(code: number): CloseCodeInfo {
  const known = BY_CODE.get(code);
  if (known) return known;
  const range = (name: string, meaning: string, usualCauses: string, sentOnWire = true): CloseCodeInfo => ({
    code,
    name,
    meaning,
    usualCauses,
    sentOnWire,
    source: 'range',
  });
  if (code >= 4000 && code <= 4999) {
    return range(
      'Application-defined',
      'A private code of the application (4000–4999): its meaning is whatever the server’s developers gave it.',
      'Look it up in the service’s own documentation or code.',
    );
  }
  if (code >= 3000 && code <= 3999) {
    return range(
      'Registered (library or framework)',
      'A code in the 3000–3999 range, registered at IANA by libraries and frameworks.',
      'See the library or framework the server uses.',
    );
  }
  if (code >= 1016 && code <= 2999) {
    return range(
      'Reserved',
      'Reserved for the protocol and its extensions (1016–2999); no meaning is registered.',
      'A non-conforming endpoint or an extension.',
    );
  }
  return range(
    'Invalid',
    'Not a valid close code (codes below 1000 and above 4999 are never used).',
    'A broken endpoint; treat the close as a protocol error.',
    false,
  );
}
