// The finding catalogue: every diagnosis Frameline can reach, under an id that never changes, with
// what it means, what usually causes it, how to fix it (with the configuration to change), and the
// runbook step it links to. Probes and session analysis both speak in these ids.
import { z } from 'zod';
import { fixAdvice } from './fix-advice.js';
import { Redactor } from './redaction.js';
import { FINDING_IDS } from './runbooks/finding-ids.js';
import { findingRunbookStep } from './runbooks/finding-steps.js';

/** Every finding id, in the order a report lists them (reachability first, then behaviour). */
export { FINDING_IDS };

/** A finding id of the catalogue. */
export const FindingIdSchema = z.enum(FINDING_IDS);
/** A finding id of the catalogue, as a type. */
export type FindingId = z.output<typeof FindingIdSchema>;

/** How bad a finding is: critical means the endpoint is broken for users (exit code 1). */
export const SeveritySchema = z.enum(['info', 'warning', 'critical']);
/** info, warning or critical. */
export type Severity = z.output<typeof SeveritySchema>;

/** One entry of the catalogue. */
export interface FindingSpec {
  id: FindingId;
  /** What an engineer reads first. */
  title: string;
  /** Severity unless a rule has a reason to raise or lower it. */
  severity: Severity;
  /** What the finding means, in one sentence. */
  meaning: string;
  /** The likely cause. */
  cause: string;
  /** The fix, with the configuration or code change to make. */
  fix: string;
}

/** The catalogue, by id. */
export const FINDINGS: Readonly<Record<FindingId, FindingSpec>> = {
  'server-unreachable': {
    id: 'server-unreachable',
    title: 'Nothing answers at this address',
    severity: 'critical',
    meaning: 'The name does not resolve, the connection is refused, or the TCP connect times out.',
    cause:
      'The server is down or not listening on this port or interface, the host name is wrong or missing from DNS, ' +
      'or a firewall or security group drops the traffic.',
    fix:
      'Check that the service runs and listens where expected (`ss -tlnp | grep :PORT`, `nc -zv HOST PORT`), ' +
      'that the name resolves (`dig HOST`), and that firewalls allow the port (`ufw status`, `iptables -L -n`).',
  },
  'tls-error': {
    id: 'tls-error',
    title: 'The TLS certificate or handshake is not acceptable',
    severity: 'critical',
    meaning: 'A browser would refuse this wss:// endpoint before the WebSocket handshake starts.',
    cause:
      'A self-signed or untrusted certificate, an expired (or not yet valid) one, a certificate that does not ' +
      'name this host, a missing intermediate, or no TLS version or cipher in common.',
    fix:
      'Serve a certificate from a trusted CA that covers the host name, with its full chain (nginx: ' +
      '`ssl_certificate /etc/ssl/fullchain.pem;`), and renew it before it expires. Inspect what is served with ' +
      '`openssl s_client -connect HOST:PORT -servername HOST`.',
  },
  'mixed-content': {
    id: 'mixed-content',
    title: 'An https page cannot open this ws:// URL',
    severity: 'critical',
    meaning: 'Browsers block ws:// from pages served over https as mixed content; the server never sees it.',
    cause: 'The client is configured with a ws:// URL while the page is served over https.',
    fix:
      'Use wss:// from https pages, derived from the page (`location.protocol === "https:" ? "wss:" : "ws:"`). ' +
      'Terminate TLS at the proxy (`listen 443 ssl;`) and pass `proxy_set_header X-Forwarded-Proto $scheme;` so ' +
      'that the backend builds wss:// URLs.',
  },
  'upgrade-rejected': {
    id: 'upgrade-rejected',
    title: 'The WebSocket handshake was refused',
    severity: 'critical',
    meaning: 'The upgrade request got an HTTP status other than 101 Switching Protocols, or no answer.',
    cause:
      'A wrong path (404), missing or expired authentication (401, 403), an upstream that is down or ' +
      'overloaded (502, 503, 504), or no WebSocket endpoint at this URL.',
    fix:
      'Read the status, headers and body kept as evidence. Check the path and the credentials the client sends, ' +
      'and replay the handshake by hand: `curl -i -N -H "Connection: Upgrade" -H "Upgrade: websocket" ' +
      '-H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" http://HOST/PATH`.',
  },
  'proxy-missing-upgrade': {
    id: 'proxy-missing-upgrade',
    title: 'A proxy does not pass the WebSocket upgrade',
    severity: 'critical',
    meaning:
      'The endpoint answers plain HTTP where the upgrade should succeed: direct to the backend works, through ' +
      'the proxy it does not. Browsers report 1006 at once.',
    cause:
      'Upgrade and Connection are hop-by-hop headers: nginx drops them unless told to pass them on, and talks ' +
      'HTTP/1.0 to the upstream by default, so the backend sees a plain GET (and answers 400, 426 or a page). ' +
      'Proxy configuration causes about 40 % of WebSocket outages.',
    fix:
      'In the WebSocket location: `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; ' +
      'proxy_set_header Connection "upgrade"; proxy_set_header Host $host;` and reload nginx. Check the running ' +
      'configuration with `nginx -T | grep -B5 -A10 "proxy_set_header Upgrade"`; on a load balancer, enable ' +
      'WebSocket support for the listener.',
  },
  'origin-rejected': {
    id: 'origin-rejected',
    title: 'The server refuses this Origin',
    severity: 'critical',
    meaning:
      'The handshake is refused (403, or a 1008 close) for one Origin and accepted for another or for none.',
    cause:
      'The server checks Origin against an allow-list (against cross-site WebSocket hijacking) and the page’s ' +
      'origin is not on it, or is written differently (scheme, port, trailing slash).',
    fix:
      'Add the page’s origin to the server’s allow-list exactly as browsers send it, scheme://host[:port] with no ' +
      'path (e.g. `ALLOWED_ORIGINS=https://app.example.com,https://admin.example.com`), and keep foreign origins ' +
      'refused.',
  },
  'subprotocol-refused': {
    id: 'subprotocol-refused',
    title: 'The server does not accept the subprotocol offered',
    severity: 'critical',
    meaning:
      'The server refused the connection because of its Sec-WebSocket-Protocol (a 4406 close, or a 101 that ' +
      'names none of the subprotocols offered, or none at all where its protocol needs one).',
    cause:
      'The client offers no subprotocol or the wrong one: graphql-ws servers want `graphql-transport-ws` ' +
      '(the legacy library `graphql-ws`), MQTT brokers `mqtt`, STOMP brokers `v12.stomp`.',
    fix:
      'Offer the subprotocol the server speaks: `new WebSocket(url, "graphql-transport-ws")`, or with ' +
      'Frameline `--subprotocol graphql-transport-ws` (or `--protocol NAME`, which offers it for you).',
  },
  'auth-refused': {
    id: 'auth-refused',
    title: 'The application protocol refused the credentials',
    severity: 'critical',
    meaning:
      'The WebSocket opened, then the protocol on top of it refused the client: graphql-ws closed 4401 or ' +
      '4403, a STOMP broker answered CONNECT with ERROR, an MQTT broker refused the CONNACK, a Socket.IO ' +
      'namespace answered connect_error.',
    cause:
      'Missing, wrong or expired credentials in the protocol’s own opening (the graphql-ws ' +
      '`connection_init` payload, STOMP `login`/`passcode`, MQTT username and password, Socket.IO `auth`), ' +
      'or a user without rights on the broker’s virtual host.',
    fix:
      'Send the credentials where the protocol expects them: graphql-ws `connectionParams` (Frameline ' +
      '`--init-payload \'{"token":"…"}\'`), STOMP `login`/`passcode` headers, MQTT username and password, ' +
      'Socket.IO `io(url, { auth: { token } })`; check them against the server’s authentication hook ' +
      '(graphql-ws `onConnect`, Socket.IO `io.use`) or the broker’s users and permissions.',
  },
  'idle-timeout': {
    id: 'idle-timeout',
    title: 'Idle connections are cut after a fixed time',
    severity: 'critical',
    meaning:
      'A connection that carries no traffic is dropped (1006, or a close) after a steady number of seconds.',
    cause:
      'A proxy or load-balancer idle timeout: nginx `proxy_read_timeout` (60 s by default), HAProxy ' +
      '`timeout tunnel` (or `timeout client`/`timeout server` when no tunnel timeout is set), a cloud load ' +
      'balancer or CDN idle timeout.',
    fix:
      'Keep traffic flowing more often than the smallest idle timeout on the path (a server ping at half of ' +
      'it), and raise the idle timeout of the proxy for the WebSocket location well above it: nginx ' +
      '`proxy_read_timeout` and `proxy_send_timeout`, HAProxy `timeout tunnel`.',
  },
  'no-heartbeat': {
    id: 'no-heartbeat',
    title: 'The server sends no heartbeat',
    severity: 'warning',
    meaning:
      'No ping comes from the server (or too rarely), so nothing keeps an idle connection alive through proxies.',
    cause:
      'Server heartbeats are off, or their interval is longer than the idle timeout of a proxy on the path.',
    fix:
      'Ping from the server at an interval below the smallest idle timeout on the path (every 30 s against a 60 s ' +
      'proxy timeout) and drop connections whose pong does not come back within 5–10 s. Node `ws`: `ws.ping()` on ' +
      'an interval with an isAlive flag; Python websockets: `ping_interval=30, ping_timeout=10`.',
  },
  'heartbeat-timeout': {
    id: 'heartbeat-timeout',
    title: 'Pings go unanswered or are answered late',
    severity: 'warning',
    meaning: 'Pings are sent, but their pongs are missing or come back late.',
    cause:
      'The peer’s event loop is blocked or the peer is overloaded, or the connection is already half-open: the ' +
      'other side is gone and nothing told this one.',
    fix:
      'Treat a missing pong as a dead connection: terminate it and reconnect with backoff. On the server, look ' +
      'for event-loop lag (above 10 ms is a warning sign, above 100 ms an incident), CPU saturation and long GC ' +
      'pauses. Keep the pong timeout (5–10 s) well below the ping interval.',
  },
  'app-heartbeat-unanswered': {
    id: 'app-heartbeat-unanswered',
    title: 'The protocol’s own heartbeat went unanswered',
    severity: 'critical',
    meaning:
      'The application protocol’s heartbeat (an Engine.IO ping, an MQTT keep-alive, a STOMP heart-beat, a ' +
      'graphql-ws ping) was not answered in time and the server dropped the connection for it.',
    cause:
      'A client that speaks WebSocket but not the protocol on top of it (a bare socket on a Socket.IO or MQTT ' +
      'endpoint), a client whose event loop was blocked longer than the protocol’s timeout, or a proxy that ' +
      'holds messages back.',
    fix:
      'Use the stack’s own client library, which answers its heartbeats (socket.io-client, an MQTT client ' +
      'with `keepalive`, a STOMP client with `heart-beat`), keep its event loop free, and make the ' +
      'server’s timeout generous enough for slow networks (Socket.IO `pingInterval: 25000, pingTimeout: ' +
      '20000`; MQTT keep-alive 60 s, allowed 1.5 times over).',
  },
  'ping-flood': {
    id: 'ping-flood',
    title: 'Pings come in a flood',
    severity: 'warning',
    meaning:
      'One side sent far more pings in a second than any heartbeat needs (50 or more), each of which the other ' +
      'side must answer with a pong.',
    cause:
      'A heartbeat timer started again on every reconnect or message instead of once, a ping sent in a loop, or ' +
      'an interval given in seconds where milliseconds were meant. A peer with a guard against floods (Node ' +
      '`ws` drops a connection with 60 pongs pending) then ends connections without a close frame, which looks ' +
      'like a network fault (1006).',
    fix:
      'Send one ping per interval from a single timer per connection (every 20–30 s, below the smallest idle ' +
      'timeout on the path), cleared when the connection closes; never ping per message or in a loop.',
  },
  'abnormal-closure': {
    id: 'abnormal-closure',
    title: 'Connections drop without a close frame while in use',
    severity: 'warning',
    meaning: 'Close code 1006 during activity: the TCP connection just went away, not after idleness.',
    cause:
      'The server process crashed or was OOM-killed, a proxy or node restarted, or the network path dropped.',
    fix:
      'Match the drop times with server restarts, OOM kills (`dmesg | grep -i oom`, `kubectl describe pod`), ' +
      'deploys and proxy reloads. Drain connections before shutdown (close with 1001 or 1012 first), and have ' +
      'clients reconnect with backoff and jitter.',
  },
  'server-close': {
    id: 'server-close',
    title: 'The server closed connections with a code that names the cause',
    severity: 'warning',
    meaning:
      'A close frame from the server with 1001, 1008, 1009, 1011, 1012, 1013 or an application code (4000–4999).',
    cause:
      '1001 a deploy or shutdown, 1008 a policy (authentication, origin, rate limit), 1009 a message above the ' +
      'size limit, 1011 a failing handler or dependency, 1012 a restart, 1013 overload, 4xxx the application’s ' +
      'own reason.',
    fix:
      'Find the server log line at the close time for the code and reason in the evidence. 1009: raise the ' +
      'maximum message size or split messages; 1011: fix the failing handler or dependency; 1012/1013: reconnect ' +
      'after a delay with backoff; 4xxx: see the application’s documentation.',
  },
  'reconnect-storm': {
    id: 'reconnect-storm',
    title: 'Clients reconnect in a storm',
    severity: 'critical',
    meaning: 'More than 5 reconnects a second over 10 seconds, or reconnects that do not back off.',
    cause:
      'The client reconnects at once after every failure (often twice, from both onerror and onclose), so a ' +
      'struggling backend gets a wave of handshakes that keeps it down.',
    fix:
      'Reconnect only from onclose, with exponential backoff and jitter: delay = min(base × factor^attempt, max) ' +
      '± 25 % (e.g. base 1 s, factor 1.5–2, max 30 s); reset after a connection stays up; give up after a bounded ' +
      'number of attempts; do not reconnect after a clean 1000 close.',
  },
  'high-latency': {
    id: 'high-latency',
    title: 'Round trips are slow',
    severity: 'warning',
    meaning: 'Echo, ping or request/response round trips above 100 ms at the 95th percentile.',
    cause:
      'An overloaded server or a blocked event loop, a slow handler or dependency, a distant region, or ' +
      'buffering on the path.',
    fix:
      'Compare ping round trips (answered by the WebSocket library) with request/response times: slow pings ' +
      'point at the network or a blocked event loop, fast pings with slow responses at the handler and what it ' +
      'calls. Healthy round trips stay under 100 ms.',
  },
  'no-messages': {
    id: 'no-messages',
    title: 'Connected, but nothing useful comes back',
    severity: 'critical',
    meaning: 'Messages are sent and nothing comes back, or what comes back is not what was sent (echo).',
    cause:
      'Client and server disagree on the message format or protocol (JSON or text, subscription message, ' +
      'subprotocol), the server’s handler fails silently, or something on the path eats frames.',
    fix:
      'Send the same message to a known echo endpoint, compare what is sent with what the server expects ' +
      '(serialization, subscribe message, subprotocol), and read the server log at the time of the send for parse ' +
      'errors.',
  },
  'subscription-refused': {
    id: 'subscription-refused',
    title: 'The server refused a subscription',
    severity: 'critical',
    meaning:
      'The protocol opened, but a subscription was refused, so its data never flows: a graphql-ws `error` for ' +
      'the subscribe, an MQTT SUBACK with failure 0x80 (or a reason code of 0x80 and above), a STOMP ERROR ' +
      'after SUBSCRIBE.',
    cause:
      'The topic, destination or operation is not allowed for this user (broker ACL, permissions), does not ' +
      'exist, or the GraphQL document does not validate against the schema.',
    fix:
      'Read the refusal kept as evidence. Grant the user read access to the topic or destination (mosquitto ' +
      '`acl_file` with `topic read sensors/#`; RabbitMQ `rabbitmqctl set_permissions`), or fix the ' +
      'subscription document against the schema.',
  },
  'proxy-buffering': {
    id: 'proxy-buffering',
    title: 'Messages arrive in bursts, late',
    severity: 'warning',
    meaning: 'Messages sent over time arrive together, long after they were sent.',
    cause:
      'Something on the path holds messages and releases them in batches: proxy buffering (nginx ' +
      '`proxy_buffering on`, the default, on a connection that was not really upgraded), a CDN, or a server ' +
      'that batches its writes.',
    fix:
      'Turn buffering off for the real-time location (nginx: `proxy_buffering off;`), make sure the connection is ' +
      'really upgraded (`proxy_http_version 1.1` with the Upgrade/Connection headers), and disable write ' +
      'batching in the server (TCP_NODELAY).',
  },
  'protocol-violation': {
    id: 'protocol-violation',
    title: 'The server breaks the WebSocket protocol',
    severity: 'critical',
    meaning:
      'The client closed the connection itself (1002, 1007 or 1009) because the server sent what RFC 6455 ' +
      'forbids, or the server did not answer the client’s close; the network is not to blame.',
    cause:
      'A hand-written or outdated WebSocket implementation, a proxy or middlebox that rewrites frames, ' +
      'compression (RSV1) used without negotiating permessage-deflate, binary data sent as text, or messages ' +
      'above the client’s size limit.',
    fix:
      'Fix the sender named in the evidence: servers never mask frames; text frames carry valid UTF-8 only ' +
      '(anything else goes as binary); reserved bits only with a negotiated extension; a close is answered with ' +
      'a close. Raise the client’s maximum message size (`--max-payload`) or split large messages. Prefer a ' +
      'maintained library (Node `ws`, Python `websockets`) and check again with `frameline capture`.',
  },
};

/** A diagnosis result: a catalogue entry with the evidence that triggered it. */
export const FindingSchema = z.object({
  id: FindingIdSchema,
  severity: SeveritySchema,
  title: z.string(),
  /** What was observed, in one sentence with the numbers. */
  summary: z.string(),
  /** The measurements behind the finding (idleSeconds, status, intervalSeconds…). */
  evidence: z.record(z.string(), z.unknown()),
  cause: z.string(),
  fix: z.string(),
  runbook: z.string(),
});
/** A finding with its evidence, as the probe and diagnose answer it. */
export type Finding = z.output<typeof FindingSchema>;

/** One check that a probe ran or one analysis of a session, with what it saw. */
export const CheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** How long the check took; null when it did not run or is an analysis of recorded data. */
  ms: z.number().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
/** One check or analysis with what it saw. */
export type Check = z.output<typeof CheckSchema>;

/** What `frameline probe` and `frameline diagnose` answer. */
export const DiagnosisSchema = z.object({
  target: z.string(),
  /** The session the evidence is kept in (a probe records one). */
  sessionId: z.number().int().positive().nullable(),
  checks: z.array(CheckSchema),
  findings: z.array(FindingSchema),
});
/** The answer of a probe or a diagnosis. */
export type Diagnosis = z.output<typeof DiagnosisSchema>;

/** The runbook step that fixes a finding, as `runbook-id#node-id` (see shared/runbooks/finding-steps.ts). */
export function runbookRef(id: FindingId): string {
  const step = findingRunbookStep[id];
  return `${step.runbook}#${step.node}`;
}

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/**
 * The fix of a finding with its measured values in the sentence (the idle seconds, the ping interval
 * to use…); the catalogue's own sentence when the evidence adds nothing.
 */
export function fixFor(id: FindingId, evidence: Record<string, unknown>): string {
  return fixAdvice({ id, evidence }).text || FINDINGS[id].fix;
}

/**
 * Builds a finding of the catalogue with its evidence; a rule may give its own severity. What it
 * observed is kept without the endpoint's credentials (a `?token=`, a URL password, a header line in
 * a close reason): a finding is stored, shown, copied into tickets and reported.
 */
export function finding(
  id: FindingId,
  summary: string,
  evidence: Record<string, unknown>,
  severity?: Severity,
): Finding {
  const spec = FINDINGS[id];
  const redactor = new Redactor();
  evidence = redactor.evidence(evidence) as Record<string, unknown>;
  return {
    id,
    severity: severity ?? spec.severity,
    title: spec.title,
    summary: redactor.prose(summary),
    evidence,
    cause: spec.cause,
    fix: fixFor(id, evidence),
    runbook: runbookRef(id),
  };
}

/** Findings worst first, then in catalogue order. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => RANK[b.severity] - RANK[a.severity] || FINDING_IDS.indexOf(a.id) - FINDING_IDS.indexOf(b.id),
  );
}

/** True when any finding is critical (the probe's and diagnose's exit code 1). */
export function hasCritical(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'critical');
}

/** True when a finding is at least as bad as `floor`. */
export function atLeast(f: Finding, floor: Severity): boolean {
  return RANK[f.severity] >= RANK[floor];
}
