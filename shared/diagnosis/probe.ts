// What a live probe observed, as plain data, and what it means: the checks it reports and the
// findings they raise. The engine gathers the observations (sockets, timers); this file only reads
// them, so that every conclusion can be tested without a network.
import { describeCloseCode } from '../close-codes.js';
import { finding, sortFindings, type Check, type Finding } from '../findings.js';
import { Redactor } from '../redaction.js';
import type { ClosedBy, Headers } from '../contract/sessions.js';
import { burstStats, proxyBufferingFinding } from './bursts.js';
import { namesCause } from './closes.js';
import {
  droppedUpgrade,
  evidenceHeaders,
  isMixedContent,
  mixedContentFinding,
  proxySignature,
} from './handshakes.js';
import { PONG_LATE_MS } from './heartbeat.js';
import type { DiagFrame } from './input.js';
import { protocolOfSubprotocol, subprotocolsFor, type ProtocolName } from '../protocols/names.js';
import { highLatencyFinding } from './latency.js';
import { latencySummary, median, round1, round2 } from './stats.js';

/** A step that failed, with the system's code (ECONNREFUSED, CERT_HAS_EXPIRED…). */
export interface StepError {
  code: string;
  message: string;
}

/** The name resolution of the endpoint's host. */
export interface DnsObservation {
  ms: number;
  host: string;
  /** The host is an IP address: nothing to resolve. */
  literal: boolean;
  addresses: string[];
  error: StepError | null;
}

/** The TCP connect to the endpoint. */
export interface TcpObservation {
  ms: number;
  port: number;
  /** The address that accepted the connection. */
  address: string | null;
  /** Addresses tried before it, with why they failed. */
  failed: Array<{ address: string; code: string }>;
  error: StepError | null;
}

/** One certificate of the chain the server presented. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  daysLeft: number;
  selfSigned: boolean;
  altNames: string | null;
}

/** The TLS handshake, verified the way a browser would. */
export interface TlsObservation {
  ms: number;
  servername: string;
  /** Whether the chain verified against the trusted CAs (and the name matched). */
  authorized: boolean;
  authorizationError: string | null;
  /** Why the certificate does not name the host, or null when it does. */
  hostnameError: string | null;
  protocol: string | null;
  alpn: string | null;
  cipher: string | null;
  chain: CertificateSummary[];
  /** The TLS handshake itself failed (no common version, reset…). */
  error: StepError | null;
}

/** The GET of the health path. */
export interface HealthObservation {
  ms: number;
  url: string;
  status: number | null;
  headers: Headers;
  bodyHead: string;
  error: StepError | null;
}

/** How a WebSocket connection of the probe ended. */
export interface CloseObservation {
  code: number | null;
  reason: string | null;
  closedBy: ClosedBy | null;
  /** Seconds from the open to the close. */
  afterSeconds: number;
  /** Seconds from the last frame either way to the close. */
  idleSeconds: number;
}

/** One WebSocket upgrade attempt and its answer. */
export interface HandshakeObservation {
  origin: string | null;
  ms: number;
  opened: boolean;
  status: number | null;
  headers: Headers;
  bodyHead: string | null;
  error: { kind: string; message: string } | null;
  /** A close within moments of the open (how some servers refuse an Origin: 1008). */
  earlyClose: { code: number; reason: string } | null;
}

/** An upgrade attempt with a given Origin (or none). */
export interface OriginObservation extends HandshakeObservation {
  /** No Origin header, one the user gave (or the page origin), or a foreign one. */
  role: 'none' | 'given' | 'foreign';
}

/** Echo round trips on the open connection. */
export interface EchoObservation {
  requested: number;
  sent: number;
  /** Replies that contained what was sent. */
  matched: number;
  /** Round trips, without the time this machine did not run Frameline (see localStallMs). */
  rttMs: number[];
  /** Time within the round trips when this machine was too busy to run Frameline, taken out of them. */
  localStallMs?: number;
  /** Other messages that came back meanwhile, and the first of them. */
  otherMessages: number;
  unexpected: string[];
  waitedMs: number;
}

/** Ping round trips on the open connection. */
export interface PingObservation {
  sent: number;
  answered: number;
  late: number;
  /** Round trips, without the time this machine did not run Frameline (see localStallMs). */
  rttMs: number[];
  /** Time within the round trips when this machine was too busy to run Frameline, taken out of them. */
  localStallMs?: number;
  timeoutMs: number;
}

/** An idle connection held until it closed or the limit passed. */
export interface IdleObservation {
  limitSeconds: number;
  livedSeconds: number;
  /** How it ended: still open at the limit, or closed before. */
  endedBy: 'limit' | 'close';
  close: CloseObservation | null;
  /** When the server's pings arrived, seconds after the open. */
  serverPingsAt: number[];
  /** Messages the server sent on its own during the hold. */
  messages: DiagFrame[];
  /**
   * When the protocol's own heartbeats arrived, seconds after the open: the server's (Engine.IO
   * `2`, graphql-ws `ping`, a STOMP heart-beat) or the answers to the client's (MQTT PINGRESP).
   */
  protocolBeatsAt?: number[];
  /**
   * An Engine.IO open packet the server sent on a connection that spoke no protocol (its ping
   * interval and timeout in ms): its pings went unanswered.
   */
  unspokenEngineIo?: { pingInterval: number; pingTimeout: number } | null;
}

/**
 * The application protocol a probe spoke on a connection (Socket.IO, graphql-ws, MQTT, STOMP), as
 * far as the diagnosis reads it: whether it opened, how the server refused it, and the heartbeat it
 * announced.
 */
export interface ProtocolObservation {
  name: string;
  /** The subprotocols offered, and the one the 101 chose. */
  offered: string[];
  subprotocol: string | null;
  /** The server answered the opening (connection_ack, CONNACK, CONNECTED, the namespace connect). */
  ready: boolean;
  /** The server refused the opening: its words, said in a message or by closing before the answer. */
  refusal: { message: string; by: 'message' | 'close'; closeCode: number | null } | null;
  /**
   * The protocol's own heartbeat: who sends it (the server: Engine.IO pings, STOMP heart-beats; the
   * client: MQTT PINGREQ), every how many seconds, and how long an answer may take. Null: none
   * announced.
   */
  heartbeat: { from: 'server' | 'client'; intervalSeconds: number; timeoutSeconds: number | null } | null;
  /** Heartbeats the protocol client found unanswered (MQTT keep-alive, STOMP heart-beat missed). */
  unanswered: number;
}

/** Everything a probe saw of one endpoint. */
export interface EndpointObservation {
  url: string;
  dns: DnsObservation | null;
  tcp: TcpObservation | null;
  tls: TlsObservation | null;
  health: HealthObservation | null;
  upgrade: HandshakeObservation | null;
  origins: OriginObservation[];
  echo: EchoObservation | null;
  ping: PingObservation | null;
  /** How the connection used for echo and pings ended, when it ended before the probe closed it. */
  activeClose: CloseObservation | null;
  idle: IdleObservation | null;
  /** The application protocol spoken on the connections, when one was. */
  protocol?: ProtocolObservation | null;
  /** The subprotocols every handshake offered. */
  offered?: string[];
}

/** Everything a probe saw: the target, and the backend with --direct. */
export interface ProbeObservation {
  target: EndpointObservation;
  /** The same checks straight at the backend (--direct). */
  direct: EndpointObservation | null;
  pageOrigin: string | null;
  /** The Origin values the user's pages use (--origin). */
  origins: string[];
}

/** Certificates expiring sooner than this are a warning. */
export const EXPIRY_WARNING_DAYS = 14;
/** Idle drops shorter than this are not told apart from a refusal. */
const MIN_IDLE_SECONDS = 0.5;

/** Whether a handshake was accepted: opened, and not closed at once with a policy code. */
export function accepted(h: HandshakeObservation): boolean {
  return (
    h.opened &&
    !(
      h.earlyClose &&
      (h.earlyClose.code === 1008 || (h.earlyClose.code >= 4000 && h.earlyClose.code <= 4999))
    )
  );
}

/** Whether a handshake was refused the way servers refuse an Origin: 403, or 1008 right after the open. */
export function originRefusal(h: HandshakeObservation): boolean {
  return !accepted(h) && (h.status === 403 || h.earlyClose?.code === 1008);
}

const label = (origin: string | null) => origin ?? '(no Origin)';

function serverPingInterval(idle: IdleObservation): number | null {
  const at = idle.serverPingsAt;
  if (at.length === 0) return null;
  if (at.length === 1) return round1(at[0]!);
  const gaps = at.slice(1).map((t, i) => t - at[i]!);
  return round1(median(gaps));
}

/** Messages closer than this keep a connection busy through the usual proxy idle timeouts. */
const STEADY_GAP_SECONDS = 30;

/**
 * The longest silence between the server's own messages during the idle hold, in seconds, when
 * they came steadily (three or more, spread over at least half the hold, never further apart than
 * STEADY_GAP_SECONDS); null when they did not.
 */
function steadyStream(idle: IdleObservation): number | null {
  const ts = idle.messages.map((m) => m.ts).sort((a, b) => a - b);
  if (ts.length < 3) return null;
  const span = (ts[ts.length - 1]! - ts[0]!) / 1e6;
  let gap = 0;
  for (let i = 1; i < ts.length; i++) gap = Math.max(gap, (ts[i]! - ts[i - 1]!) / 1e6);
  return span * 2 >= idle.livedSeconds && gap < STEADY_GAP_SECONDS ? round1(gap) : null;
}

/**
 * How long a plain WebSocket must be watched before a missing ping means anything: servers and
 * proxies commonly ping every 20–30 s.
 */
export const PLAIN_HEARTBEAT_WINDOW_SECONDS = 35;

/** A protocol's heartbeat is judged over one and a half of its intervals (a beat may come late). */
const PROTOCOL_WINDOW_FACTOR = 1.5;

/** The close code graphql-ws (and others after it) refuses a connection with for its subprotocol. */
export const SUBPROTOCOL_REFUSED_CODE = 4406;
/** graphql-ws's closes for a connection_init it refuses: 4401 Unauthorized, 4403 Forbidden. */
const AUTH_REFUSED_CODES = new Set([4401, 4403]);

/** What the idle hold says about the server's heartbeat, and whether it was long enough to say it. */
export interface HeartbeatReading {
  /** WebSocket pings from the server. */
  pings: number;
  /** The protocol's own heartbeats (Engine.IO pings, STOMP heart-beats, MQTT PINGRESP). */
  beats: number;
  /** Who the protocol's heartbeat comes from, when one was announced. */
  from: 'server' | 'client' | null;
  /** Seconds between beats: as the protocol announced, else as measured; null when none seen. */
  intervalSeconds: number | null;
  observedSeconds: number;
  /** How long the hold must last before a missing heartbeat is a verdict. */
  neededSeconds: number;
  /**
   * seen: heartbeats came; missing: none in a window long enough to expect one; not-observed: none
   * in a shorter window (information, no verdict); client: the client keeps it (MQTT), none due yet.
   */
  verdict: 'seen' | 'missing' | 'not-observed' | 'client';
}

/**
 * Seconds of silence after which the idle connection was cut (dropped, or closed by the server with
 * 1000/1001), when silence is what cut it; null otherwise.
 */
function silentCut(idle: IdleObservation): number | null {
  const c = idle.close;
  if (idle.endedBy !== 'close' || !c) return null;
  const dropped = c.code === 1006 || c.closedBy === 'network';
  const serverIdleClose = c.closedBy === 'server' && (c.code === 1000 || c.code === 1001);
  return (dropped || serverIdleClose) &&
    c.idleSeconds >= MIN_IDLE_SECONDS &&
    c.idleSeconds >= 0.8 * c.afterSeconds
    ? round1(c.idleSeconds)
    : null;
}

/**
 * The heartbeat of an endpoint, read from its idle hold and the protocol it spoke. A verdict needs
 * a window as long as the heartbeat's interval, or a cut that silence caused.
 */
export function heartbeatReading(
  idle: IdleObservation,
  protocol: ProtocolObservation | null,
): HeartbeatReading {
  const hb = protocol?.heartbeat ?? null;
  const pings = idle.serverPingsAt.length;
  const beats = idle.protocolBeatsAt?.length ?? 0;
  const neededSeconds = hb
    ? round1(hb.intervalSeconds * PROTOCOL_WINDOW_FACTOR)
    : PLAIN_HEARTBEAT_WINDOW_SECONDS;
  const observedSeconds = round1(idle.livedSeconds);
  const measured = serverPingInterval(idle);
  const intervalSeconds = hb ? round1(hb.intervalSeconds) : measured;
  const verdict =
    pings > 0 || beats > 0
      ? 'seen'
      : hb?.from === 'client'
        ? 'client'
        : observedSeconds >= neededSeconds || silentCut(idle) !== null
          ? 'missing'
          : 'not-observed';
  return { pings, beats, from: hb?.from ?? null, intervalSeconds, observedSeconds, neededSeconds, verdict };
}

/**
 * The subprotocol a server that refused the one offered wants: the spoken (or offered) protocol's
 * own, else graphql-ws's `graphql-transport-ws`, since 4406 is graphql-ws's refusal.
 */
function wantedSubprotocol(o: EndpointObservation): string {
  const named: ProtocolName | null =
    (o.protocol?.name as ProtocolName | undefined) ?? protocolOfSubprotocol(o.offered?.[0]);
  const own =
    named && named !== 'graphql-ws' && named !== 'subscriptions-transport-ws'
      ? subprotocolsFor(named)[0]
      : undefined;
  return own ?? subprotocolsFor('graphql-ws')[0]!;
}

/** The closes a server said it refused the subprotocol with (4406), on any connection of the endpoint. */
function subprotocolRefusal(o: EndpointObservation): { code: number; reason: string | null } | null {
  const closes = [
    o.activeClose,
    o.idle?.close ?? null,
    ...o.origins.map((v) => (v.earlyClose ? { ...v.earlyClose, closedBy: 'server' as const } : null)),
  ];
  // Without a protocol known, a 4406 is a subprotocol's refusal only when its reason says so.
  const known = o.protocol != null || protocolOfSubprotocol(o.offered?.[0]) !== null;
  const c = closes.find(
    (x) =>
      x &&
      x.closedBy === 'server' &&
      x.code === SUBPROTOCOL_REFUSED_CODE &&
      (known || /subprotocol/i.test(x.reason ?? '')),
  );
  if (c) return { code: c.code!, reason: c.reason };
  const r = o.protocol?.refusal;
  if (r?.closeCode === SUBPROTOCOL_REFUSED_CODE) return { code: r.closeCode, reason: r.message };
  return null;
}

/** Whether every Origin variant ended the same way right after opening: the close says nothing of Origin. */
function sameForEveryOrigin(origins: readonly OriginObservation[]): number | null {
  const first = origins[0]?.earlyClose?.code;
  if (first === undefined || first === 1008) return null;
  return origins.length > 1 && origins.every((v) => v.opened && v.earlyClose?.code === first) ? first : null;
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? null : round2(v));

/** The checks of one endpoint, named with `prefix` (for --direct: "direct."). */
export function endpointChecks(o: EndpointObservation, prefix = ''): Check[] {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, time: number | null, detail: Record<string, unknown>) =>
    checks.push({ name: `${prefix}${name}`, ok, ms: ms(time), detail });
  if (o.dns)
    add('dns', o.dns.error === null, o.dns.ms, {
      host: o.dns.host,
      addresses: o.dns.addresses,
      literal: o.dns.literal,
      error: o.dns.error,
    });
  if (o.tcp)
    add('tcp', o.tcp.error === null, o.tcp.ms, {
      address: o.tcp.address,
      port: o.tcp.port,
      failed: o.tcp.failed,
      error: o.tcp.error,
    });
  if (o.tls) {
    const leaf = o.tls.chain[0] ?? null;
    add('tls', o.tls.error === null && o.tls.authorized && o.tls.hostnameError === null, o.tls.ms, {
      protocol: o.tls.protocol,
      alpn: o.tls.alpn,
      cipher: o.tls.cipher,
      servername: o.tls.servername,
      authorized: o.tls.authorized,
      authorizationError: o.tls.authorizationError,
      hostnameError: o.tls.hostnameError,
      validTo: leaf?.validTo ?? null,
      daysLeft: leaf?.daysLeft ?? null,
      chain: o.tls.chain,
      error: o.tls.error,
    });
  }
  if (o.health)
    add('health', o.health.status !== null && o.health.status < 400, o.health.ms, {
      url: o.health.url,
      status: o.health.status,
      bodyHead: o.health.bodyHead.slice(0, 200),
      error: o.health.error,
    });
  if (o.upgrade)
    add('upgrade', o.upgrade.opened, o.upgrade.ms, {
      status: o.upgrade.status,
      origin: o.upgrade.origin,
      headers: o.upgrade.headers,
      bodyHead: o.upgrade.bodyHead?.slice(0, 200) ?? null,
      error: o.upgrade.error,
    });
  const sameClose = sameForEveryOrigin(o.origins);
  if (o.origins.length > 0 && sameClose !== null) {
    // Every Origin, the foreign one too, was closed alike: a refusal of something else (4406).
    add('origin', true, null, {
      accepted: [],
      refused: [],
      foreignAccepted: false,
      sameForEvery: { closeCode: sameClose },
    });
  } else if (o.origins.length > 0) {
    const acc = o.origins.filter(accepted);
    add('origin', !o.origins.some((v) => v.role === 'given' && !accepted(v)), null, {
      accepted: acc.map((v) => label(v.origin)),
      refused: o.origins
        .filter((v) => !accepted(v))
        .map((v) => ({ origin: label(v.origin), status: v.status, closeCode: v.earlyClose?.code ?? null })),
      foreignAccepted: o.origins.some((v) => v.role === 'foreign' && accepted(v)),
    });
  }
  if (o.echo) {
    const s = latencySummary(o.echo.rttMs);
    add('echo', o.echo.matched === o.echo.requested && o.echo.requested > 0, o.echo.waitedMs, {
      requested: o.echo.requested,
      sent: o.echo.sent,
      matched: o.echo.matched,
      otherMessages: o.echo.otherMessages,
      ...(s ?? {}),
      ...(o.echo.localStallMs ? { localStallMs: round1(o.echo.localStallMs) } : {}),
    });
  }
  if (o.ping) {
    const s = latencySummary(o.ping.rttMs);
    add('ping', o.ping.answered === o.ping.sent && o.ping.late === 0, null, {
      sent: o.ping.sent,
      answered: o.ping.answered,
      late: o.ping.late,
      ...(s ?? {}),
      ...(o.ping.localStallMs ? { localStallMs: round1(o.ping.localStallMs) } : {}),
    });
  }
  if (o.idle) {
    const hb = heartbeatReading(o.idle, o.protocol ?? null);
    // Only a missing heartbeat over a long enough window fails the check; a shorter one informs.
    add('heartbeat', hb.verdict !== 'missing', null, {
      serverPings: hb.pings,
      intervalSeconds: hb.intervalSeconds,
      observedSeconds: hb.observedSeconds,
      ...(o.protocol ? { protocol: o.protocol.name, protocolBeats: hb.beats, from: hb.from } : {}),
      neededSeconds: hb.neededSeconds,
      verdict: hb.verdict,
    });
    // A refused opening ended the idle connection: what it says is that refusal, not an idle drop.
    const refusal = o.protocol?.refusal ?? null;
    add('idle', o.idle.endedBy === 'limit' || refusal !== null, o.idle.livedSeconds * 1000, {
      refused: refusal?.message ?? null,
      limitSeconds: o.idle.limitSeconds,
      livedSeconds: round1(o.idle.livedSeconds),
      endedBy: o.idle.endedBy,
      idleSeconds: o.idle.close ? round1(o.idle.close.idleSeconds) : null,
      closeCode: o.idle.close?.code ?? null,
      closeReason: o.idle.close?.reason ?? null,
      closedBy: o.idle.close?.closedBy ?? null,
      messagesFromServer: o.idle.messages.length,
    });
  }
  return checks;
}

function closeFindings(c: CloseObservation, during: string, url: string): Finding[] {
  const out: Finding[] = [];
  if (c.code === 1006 || c.closedBy === 'network') {
    out.push(
      finding(
        'abnormal-closure',
        `The ${during} connection dropped without a close frame (1006) after ${round1(c.afterSeconds)} s, ${round1(c.idleSeconds)} s after its last traffic.`,
        {
          url,
          during,
          afterSeconds: round1(c.afterSeconds),
          idleSeconds: round1(c.idleSeconds),
          closeCode: 1006,
        },
      ),
    );
  } else if (c.closedBy === 'server' && namesCause(c.code)) {
    out.push(
      finding(
        'server-close',
        `The server closed the ${during} connection with ${c.code} ${describeCloseCode(c.code!).name}${c.reason ? ` "${c.reason}"` : ''} after ${round1(c.afterSeconds)} s.`,
        { url, during, code: c.code, reason: c.reason, afterSeconds: round1(c.afterSeconds) },
      ),
    );
  }
  return out;
}

/** What one endpoint's observations mean. */
export function endpointFindings(
  o: EndpointObservation,
  pageOrigin: string | null,
  givenOrigins: readonly string[],
): Finding[] {
  const url = o.url;
  const out: Finding[] = [];
  if (isMixedContent(pageOrigin, url)) out.push(mixedContentFinding(pageOrigin!, url));

  if (o.dns?.error) {
    out.push(
      finding('server-unreachable', `${o.dns.host} does not resolve: ${o.dns.error.message}`, {
        url,
        stage: 'dns',
        host: o.dns.host,
        code: o.dns.error.code,
      }),
    );
    return out;
  }
  if (o.tcp?.error) {
    out.push(
      finding(
        'server-unreachable',
        `Nothing accepts TCP connections on port ${o.tcp.port} of ${o.dns?.host ?? url}: ${o.tcp.error.message}`,
        {
          url,
          stage: 'tcp',
          host: o.dns?.host ?? null,
          port: o.tcp.port,
          addresses: o.dns?.addresses ?? [],
          code: o.tcp.error.code,
          ms: round2(o.tcp.ms),
        },
      ),
    );
    return out;
  }
  if (o.tls) {
    const leaf = o.tls.chain[0];
    if (o.tls.error) {
      out.push(
        finding('tls-error', `The TLS handshake failed: ${o.tls.error.message}`, {
          url,
          stage: 'handshake',
          code: o.tls.error.code,
          message: o.tls.error.message,
        }),
      );
    } else if (!o.tls.authorized || o.tls.hostnameError) {
      const expired = leaf ? leaf.daysLeft < 0 : false;
      const problem = expired
        ? `the certificate expired on ${leaf!.validTo}`
        : o.tls.hostnameError
          ? `the certificate does not name ${o.tls.servername}`
          : leaf?.selfSigned
            ? 'the certificate is self-signed and not trusted'
            : `the certificate is not trusted (${o.tls.authorizationError})`;
      out.push(
        finding('tls-error', `A browser would refuse this endpoint: ${problem}.`, {
          url,
          stage: 'certificate',
          code: o.tls.authorizationError ?? (o.tls.hostnameError ? 'ERR_TLS_CERT_ALTNAME_INVALID' : null),
          expired,
          selfSigned: leaf?.selfSigned ?? null,
          hostnameError: o.tls.hostnameError,
          subject: leaf?.subject ?? null,
          issuer: leaf?.issuer ?? null,
          validFrom: leaf?.validFrom ?? null,
          validTo: leaf?.validTo ?? null,
          daysLeft: leaf?.daysLeft ?? null,
          protocol: o.tls.protocol,
        }),
      );
    } else if (leaf && leaf.daysLeft < EXPIRY_WARNING_DAYS) {
      out.push(
        finding(
          'tls-error',
          `The certificate expires in ${leaf.daysLeft} days (${leaf.validTo}); renew it before browsers refuse it.`,
          {
            url,
            stage: 'expiry',
            expired: false,
            daysLeft: leaf.daysLeft,
            validTo: leaf.validTo,
            subject: leaf.subject,
          },
          'warning',
        ),
      );
    }
  }

  // Origins: refused for an origin the pages use, accepted for another (or none).
  let originFinding: Finding | null = null;
  if (o.origins.length > 0) {
    const wanted = o.origins.filter((v) =>
      givenOrigins.length > 0 ? v.role === 'given' : v.role === 'none',
    );
    const refused = wanted.filter(originRefusal);
    const acc = o.origins.filter(accepted);
    if (refused.length > 0 && acc.length > 0) {
      originFinding = finding(
        'origin-rejected',
        `The handshake is refused for ${refused.map((v) => label(v.origin)).join(', ')} (${refused
          .map((v) =>
            v.status !== null && v.status !== 101 ? `HTTP ${v.status}` : `close ${v.earlyClose?.code}`,
          )
          .join(', ')}) but accepted for ${acc.map((v) => label(v.origin)).join(', ')}.`,
        {
          url,
          refused: refused.map((v) => label(v.origin)),
          accepted: acc.map((v) => label(v.origin)),
          status: refused.find((v) => v.status !== null && v.status !== 101)?.status ?? null,
          closeCode: refused.find((v) => v.earlyClose)?.earlyClose?.code ?? null,
        },
      );
      out.push(originFinding);
    }
  }

  const up = o.upgrade;
  const offered = o.offered ?? [];
  if (
    up &&
    !up.opened &&
    !originFinding &&
    up.status === 101 &&
    offered.length > 0 &&
    /subprotocol/i.test(up.error?.message ?? '')
  ) {
    // The 101 named none of the subprotocols offered (or one never offered).
    out.push(
      finding(
        'subprotocol-refused',
        `The server does not accept the subprotocol offered: ${up.error!.message}.`,
        {
          url,
          subprotocol: null,
          offered,
          closeCode: null,
          error: up.error!.message,
        },
      ),
    );
  } else if (up && !up.opened && !originFinding) {
    if (droppedUpgrade(up.status, up.headers)) {
      out.push(
        finding(
          'proxy-missing-upgrade',
          `The upgrade was answered with plain HTTP ${up.status}${proxySignature(up.headers) ? ` by ${proxySignature(up.headers)}` : ''}: the Upgrade/Connection headers did not reach the backend.`,
          {
            url,
            status: up.status,
            proxy: proxySignature(up.headers),
            headers: evidenceHeaders(up.headers),
            bodyHead: up.bodyHead?.slice(0, 200) ?? null,
          },
        ),
      );
    } else {
      out.push(
        finding(
          'upgrade-rejected',
          // A 101 refused for what it negotiated (a subprotocol or extension never offered, a wrong
          // Sec-WebSocket-Accept) is said in the words of the refusal.
          up.status === 101 && up.error !== null && up.error.kind !== 'upgrade-rejected'
            ? `The upgrade did not complete: ${up.error.message}.`
            : up.status === 101
              ? 'The upgrade was answered 101 Switching Protocols without "Upgrade: websocket", so no WebSocket connection was made (a proxy on the path may have removed the header).'
              : up.status !== null
                ? `The upgrade was refused with HTTP ${up.status}${up.bodyHead ? `: "${up.bodyHead.slice(0, 80).trim()}"` : ''}.`
                : `The upgrade did not complete: ${up.error?.message ?? 'no answer'}.`,
          {
            url,
            status: up.status,
            headers: evidenceHeaders(up.headers),
            bodyHead: up.bodyHead?.slice(0, 200) ?? null,
            origin: up.origin,
            error: up.error?.message ?? null,
          },
        ),
      );
    }
  }

  // The protocol on top of the socket: its subprotocol refused (4406), its credentials refused.
  const explained = new Set<number>();
  const subRefused = up?.opened ? subprotocolRefusal(o) : null;
  if (subRefused) {
    explained.add(subRefused.code);
    const wanted = wantedSubprotocol(o);
    out.push(
      finding(
        'subprotocol-refused',
        `The server closed the connection with ${subRefused.code}${subRefused.reason ? ` "${subRefused.reason}"` : ''} right after it opened: it does not accept ${offered.length > 0 ? `the subprotocol offered (${offered.join(', ')})` : 'a connection without a subprotocol'}; offer ${wanted}.`,
        { url, subprotocol: wanted, offered, closeCode: subRefused.code, reason: subRefused.reason },
      ),
    );
  }
  const refusal = o.protocol?.refusal ?? null;
  if (
    refusal &&
    !subRefused &&
    (refusal.by === 'message' ||
      (o.protocol!.name === 'graphql-ws' &&
        refusal.closeCode !== null &&
        AUTH_REFUSED_CODES.has(refusal.closeCode)))
  ) {
    if (refusal.closeCode !== null) explained.add(refusal.closeCode);
    const name = o.protocol!.name;
    // The client's words start with the protocol's name ("stomp: the broker refused CONNECT…"): said once.
    const words = refusal.message.startsWith(`${name}: `)
      ? refusal.message.slice(name.length + 2)
      : refusal.message;
    out.push(
      finding('auth-refused', `The ${name} server refused the probe's opening: ${words}.`, {
        url,
        protocol: o.protocol!.name,
        refusal: refusal.message,
        closeCode: refusal.closeCode,
      }),
    );
  }
  const closes = (c: CloseObservation, during: string) =>
    c.code !== null && explained.has(c.code) ? [] : closeFindings(c, during, url);

  // The active connection: echo, pings, and how it ended.
  if (o.activeClose) out.push(...closes(o.activeClose, 'echo/ping'));
  const sources = [];
  if (o.echo && o.echo.requested > 0 && !o.activeClose) {
    const e = o.echo;
    if (e.matched === 0) {
      out.push(
        finding(
          'no-messages',
          e.otherMessages > 0
            ? `${e.sent} echo messages were sent; ${e.otherMessages} messages came back, none of them the echo.`
            : `${e.sent} echo messages were sent and nothing came back in ${round1(e.waitedMs / 1000)} s.`,
          {
            url,
            sent: e.sent,
            matched: 0,
            received: e.otherMessages,
            unexpected: e.unexpected,
            waitedMs: round2(e.waitedMs),
          },
        ),
      );
    } else if (e.matched < e.sent) {
      out.push(
        finding(
          'no-messages',
          `Only ${e.matched} of ${e.sent} echo messages came back.`,
          {
            url,
            sent: e.sent,
            matched: e.matched,
            received: e.otherMessages + e.matched,
            unexpected: e.unexpected,
          },
          'warning',
        ),
      );
    }
  }
  if (o.echo) sources.push({ source: 'echo' as const, summary: latencySummary(o.echo.rttMs) });
  if (o.ping) {
    const p = o.ping;
    const missing = p.sent - p.answered;
    if (missing > 0 || p.late > 0) {
      out.push(
        finding(
          'heartbeat-timeout',
          missing > 0
            ? `${missing} of ${p.sent} pings got no pong within ${round1(p.timeoutMs / 1000)} s.`
            : `${p.late} of ${p.sent} pongs came back late (over ${PONG_LATE_MS} ms).`,
          {
            url,
            pingsFrom: 'client',
            pings: p.sent,
            pongs: p.answered,
            missing,
            late: p.late,
            timeoutMs: p.timeoutMs,
            maxRttMs: p.rttMs.length ? round2(Math.max(...p.rttMs)) : null,
          },
          missing > 0 ? 'critical' : 'warning',
        ),
      );
    }
    sources.push({ source: 'ping' as const, summary: latencySummary(p.rttMs) });
  }
  const slow = highLatencyFinding(sources, { url });
  if (slow) out.push(slow);

  // The idle hold: how long an idle connection lives, and whether the server keeps it alive.
  const idle = o.idle;
  if (idle) {
    let idleSeconds: number | null = null;
    const c = idle.close;
    if (idle.endedBy === 'close' && c) {
      const dropped = c.code === 1006 || c.closedBy === 'network';
      idleSeconds = silentCut(idle);
      if (idleSeconds !== null) {
        out.push(
          finding(
            'idle-timeout',
            `An idle connection was ${dropped ? 'dropped without a close frame (1006)' : `closed by the server with ${c.code}`} after ${idleSeconds} s without traffic.`,
            {
              url,
              idleSeconds,
              livedSeconds: round1(c.afterSeconds),
              closeCode: c.code,
              closedBy: c.closedBy,
              limitSeconds: idle.limitSeconds,
            },
          ),
        );
        if (c.closedBy === 'server' && namesCause(c.code)) out.push(...closes(c, 'idle'));
      } else {
        out.push(...closes(c, 'idle'));
      }
    }
    const engine = idle.unspokenEngineIo ?? null;
    if (
      engine &&
      idle.endedBy === 'close' &&
      c &&
      c.closedBy !== 'client' &&
      c.afterSeconds >= engine.pingInterval / 1000
    ) {
      // A plain socket on a Socket.IO endpoint: Engine.IO's pings went unanswered, and it dropped us.
      out.push(
        finding(
          'app-heartbeat-unanswered',
          `The server speaks Socket.IO: it pinged every ${round1(engine.pingInterval / 1000)} s and dropped the idle connection after ${round1(c.afterSeconds)} s, when a ping went unanswered for ${round1(engine.pingTimeout / 1000)} s (the probe spoke no protocol).`,
          {
            url,
            protocol: 'socket.io',
            intervalSeconds: round1(engine.pingInterval / 1000),
            timeoutSeconds: round1(engine.pingTimeout / 1000),
            closeCode: c.code,
            connections: 1,
          },
        ),
      );
    }
    const interval = serverPingInterval(idle);
    const hb = heartbeatReading(idle, o.protocol ?? null);
    if (hb.verdict === 'missing') {
      // The heartbeat check failed: say why, whatever else the server sent. Its own messages keep a
      // connection busy only while they keep coming; a greeting or two does not.
      const streamed = steadyStream(idle);
      const own = idle.messages.length;
      out.push(
        finding(
          'no-heartbeat',
          streamed !== null
            ? `The server sent no ping in ${round1(idle.livedSeconds)} s; its own ${own} messages (at most ${streamed} s apart) kept the connection busy, but a quiet spell longer than a proxy's idle timeout would cut it.`
            : `The server sent no ping in ${round1(idle.livedSeconds)} s of an idle connection${own > 0 ? ` (only ${own} message${own === 1 ? '' : 's'} of its own)` : ''}${idleSeconds !== null ? `, which was cut after ${idleSeconds} s` : ''}.`,
          {
            url,
            pingsSeen: 0,
            observedSeconds: round1(idle.livedSeconds),
            idleSeconds,
            serverMessages: own,
            longestSilenceSeconds: streamed,
          },
          streamed !== null && idleSeconds === null ? 'info' : undefined,
        ),
      );
    } else if (
      idleSeconds !== null &&
      interval !== null &&
      idle.serverPingsAt.length > 0 &&
      interval >= idleSeconds
    ) {
      out.push(
        finding(
          'no-heartbeat',
          `The server pings every ${interval} s, but the idle connection was cut after ${idleSeconds} s: the heartbeat is slower than the timeout.`,
          { url, pingsSeen: idle.serverPingsAt.length, intervalSeconds: interval, idleSeconds },
        ),
      );
    }
    const stats = burstStats(idle.messages);
    const buffering = stats ? proxyBufferingFinding([stats]) : null;
    if (buffering)
      out.push(finding(buffering.id, buffering.summary, { url, ...buffering.evidence }, buffering.severity));
  }
  return out;
}

/** Which layer fails when the target (through the proxy) and the backend (direct) are compared. */
export type Layer = 'proxy' | 'backend' | 'none';

/**
 * Interprets a whole probe: the target, and with --direct the backend, and which layer fails. The
 * URLs enter the findings and checks without their credentials (a `?token=`, a URL password): what
 * a probe concludes is stored, shown, copied into tickets and reported.
 */
export function interpretProbe(observed: ProbeObservation): { checks: Check[]; findings: Finding[] } {
  const { checks, findings } = interpretObservation(withoutCredentials(observed));
  const redactor = new Redactor();
  return {
    checks: checks.map((c) => ({ ...c, detail: redactor.evidence(c.detail) as Check['detail'] })),
    findings,
  };
}

/** The observation with its endpoints' URLs redacted, by the same rules as exports. */
function withoutCredentials(p: ProbeObservation): ProbeObservation {
  const redactor = new Redactor();
  return {
    ...p,
    target: { ...p.target, url: redactor.url(p.target.url) },
    direct: p.direct ? { ...p.direct, url: redactor.url(p.direct.url) } : null,
  };
}

function interpretObservation(p: ProbeObservation): { checks: Check[]; findings: Finding[] } {
  const target = endpointFindings(p.target, p.pageOrigin, p.origins);
  const checks = endpointChecks(p.target);
  if (p.pageOrigin !== null) {
    checks.unshift({
      name: 'mixed-content',
      ok: !isMixedContent(p.pageOrigin, p.target.url),
      ms: null,
      detail: { pageOrigin: p.pageOrigin, url: p.target.url },
    });
  }
  if (!p.direct) return { checks, findings: sortFindings(target) };

  const direct = endpointFindings(p.direct, null, p.origins);
  checks.push(...endpointChecks(p.direct, 'direct.'));
  const directIds = new Set(direct.map((f) => f.id));
  const directWorks = p.direct.upgrade?.opened === true;
  const findings: Finding[] = [];
  for (const f of target) {
    // A plain answer through the proxy while the backend upgrades: the proxy drops the headers.
    if (
      f.id === 'upgrade-rejected' &&
      directWorks &&
      droppedUpgrade(f.evidence.status as number | null, p.target.upgrade?.headers ?? {}, true)
    ) {
      findings.push(
        finding(
          'proxy-missing-upgrade',
          `Through the proxy the upgrade got HTTP ${String(f.evidence.status)}; straight to the backend it got 101: the proxy does not pass the upgrade.`,
          { ...f.evidence, directStatus: 101, directUrl: p.direct.url, layer: 'proxy' },
        ),
      );
      continue;
    }
    const layer = f.id === 'mixed-content' ? 'client' : directIds.has(f.id) ? 'backend' : 'proxy';
    const extra = f.id === 'proxy-missing-upgrade' && directWorks ? { directStatus: 101 } : {};
    findings.push({ ...f, evidence: { ...f.evidence, ...extra, layer, directUrl: p.direct.url } });
  }
  for (const f of direct) {
    if (findings.some((t) => t.id === f.id)) continue;
    findings.push({ ...f, evidence: { ...f.evidence, layer: 'backend' } });
  }
  const bad = (list: Finding[]) => list.filter((f) => f.severity !== 'info' && f.id !== 'mixed-content');
  const layer: Layer = bad(direct).length > 0 ? 'backend' : bad(findings).length > 0 ? 'proxy' : 'none';
  checks.push({
    name: 'layers',
    ok: layer === 'none',
    ms: null,
    detail: {
      failing: layer,
      proxy: p.target.url,
      backend: p.direct.url,
      throughProxy: target.map((f) => f.id),
      direct: direct.map((f) => f.id),
    },
  });
  return { checks, findings: sortFindings(findings) };
}
