// The checklist run against one endpoint, in the order an engineer runs it by hand: DNS, TCP, TLS,
// the health path, then the WebSocket itself — the upgrade, the Origin policy, echo and ping round
// trips, and an idle connection held to see whether something cuts it. The WebSocket checks run
// side by side, so a probe takes about as long as its idle hold.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  endpointChecks,
  type EchoObservation,
  type EndpointObservation,
  type HandshakeObservation,
  type IdleObservation,
  type OriginObservation,
  type PingObservation,
  type ProtocolObservation,
} from '../../../shared/diagnosis/probe.js';
import { toDiagFrame, HEAD_CHARS } from '../../../shared/diagnosis/frames.js';
import { PONG_LATE_MS, PONG_TIMEOUT_MS } from '../../../shared/diagnosis/heartbeat.js';
import type { DiagFrame } from '../../../shared/diagnosis/input.js';
import { engineIoOpen } from '../../../shared/protocols/decode-socket-io.js';
import { describeCheck } from '../../../shared/diagnosis/describe.js';
import { nowMicros } from '../clock.js';
import { LocalStalls } from './local-stalls.js';
import { bareHost, checkHealth, checkTls, connectTcp, portOf, resolveHost } from './network.js';
import type { ProtocolPlan } from '../capture/protocols/index.js';
import { ProbeSocket, type SocketHub } from './probe-socket.js';

/** An Origin that no service allows: a server that accepts it does not check Origin at all. */
export const FOREIGN_ORIGIN = 'https://frameline-probe.invalid';
/** How long an accepted handshake is watched for an immediate policy close (1008). */
const POLICY_WINDOW_MS = 500;
/** Pings sent to measure round trips. */
const PINGS = 3;
/** Incoming messages kept from the idle hold for the burst analysis. */
const MAX_IDLE_MESSAGES = 100_000;

export type ProgressState = 'running' | 'ok' | 'failed';

/** What a probe run gives every endpoint it checks. */
export interface ProbeRun {
  hub: SocketHub;
  ca: Buffer | undefined;
  insecure: boolean;
  timeoutMs: number;
  healthPath: string;
  echo: number;
  idleLimitSeconds: number;
  origins: string[];
  pageOrigin: string | null;
  signal: AbortSignal;
  progress(check: string, state: ProgressState, detail: string): void;
}

function emptyObservation(url: URL): EndpointObservation {
  return {
    url: url.href,
    dns: null,
    tcp: null,
    tls: null,
    health: null,
    upgrade: null,
    origins: [],
    echo: null,
    ping: null,
    activeClose: null,
    idle: null,
    protocol: null,
    offered: [],
  };
}

/**
 * Runs every check against one endpoint; `prefix` names its checks ("direct." for --direct). With a
 * protocol plan, the connections held (the active one and the idle one) speak that protocol: its
 * opening first, its heartbeats answered, round trips measured only once it is open.
 */
export async function probeEndpoint(
  run: ProbeRun,
  url: URL,
  prefix = '',
  plan: ProtocolPlan | null = null,
): Promise<EndpointObservation> {
  const o = emptyObservation(url);
  o.offered = run.hub.subprotocols;
  const report = (name: string) => {
    const check = endpointChecks(o, prefix).find((c) => c.name === `${prefix}${name}`);
    if (check) run.progress(check.name, check.ok ? 'ok' : 'failed', describeCheck(check));
  };
  const step = async (name: string, work: () => Promise<void>) => {
    run.progress(`${prefix}${name}`, 'running', '');
    await work();
    report(name);
  };
  const host = bareHost(url);
  const port = portOf(url);

  await step('dns', async () => void (o.dns = await resolveHost(host, run.timeoutMs)));
  if (o.dns!.error) return o;
  await step('tcp', async () => void (o.tcp = await connectTcp(o.dns!.addresses, port, run.timeoutMs)));
  if (o.tcp!.error) return o;
  if (url.protocol === 'wss:') {
    await step(
      'tls',
      async () => void (o.tls = await checkTls(o.tcp!.address!, port, host, run.ca, run.timeoutMs)),
    );
    const t = o.tls!;
    // A browser stops here; so does the probe, unless told to accept any certificate.
    if (t.error || ((!t.authorized || t.hostnameError) && !run.insecure)) return o;
  }
  // The health GET is reported, never fatal: it runs beside the WebSocket checks.
  run.progress(`${prefix}health`, 'running', '');
  const health = checkHealth(url, run.healthPath, run.ca, run.insecure, run.timeoutMs).then((h) => {
    o.health = h;
    report('health');
  });

  const mainOrigin = run.pageOrigin ?? run.origins[0] ?? null;
  run.progress(`${prefix}upgrade`, 'running', '');
  run.progress(`${prefix}origin`, 'running', '');
  const main = new ProbeSocket(run.hub, url, mainOrigin, plan);
  const origins = originVariants(run, url);
  // Resolves once open, or once the attempt ended (with its status and body kept).
  const opened = await main.opened;
  o.upgrade = main.handshake();
  report('upgrade');
  const idle = opened ? holdIdle(run, url, mainOrigin, prefix, plan) : Promise.resolve(null);
  // A protocol is open before anything of the probe's goes out (or refused: then nothing does).
  const ready = opened && main.speaksProtocol ? await within(main.protocolReady, run.timeoutMs) : true;
  if (opened && ready) {
    // Round trips count only the time this process could have read the answer (a busy machine
    // is not a slow endpoint).
    const stalls = new LocalStalls();
    try {
      // An echo is plain text; a protocol's server reads it as a malformed message.
      if (run.echo > 0 && !main.speaksProtocol) {
        run.progress(`${prefix}echo`, 'running', '');
        o.echo = await echoRoundTrips(main, run.echo, run.timeoutMs, stalls);
        report('echo');
      }
      if (main.isOpen) {
        run.progress(`${prefix}ping`, 'running', '');
        o.ping = await pingRoundTrips(main, stalls);
        report('ping');
      }
    } finally {
      stalls.stop();
    }
  }
  if (opened) {
    // Closed by us is the plan; closed by the server or the network is evidence.
    await main.close();
    if (!main.closedByProbe) o.activeClose = main.closeObservation();
  }
  o.origins = await origins;
  report('origin');
  await health;
  const held = await idle;
  o.idle = held?.observation ?? null;
  o.protocol = mergedProtocol(main.protocol, held?.protocol ?? null);
  report('heartbeat');
  report('idle');
  return o;
}

/** `p`'s value, or false when `ms` passes first. */
async function within(p: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([
    p,
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return r;
}

/**
 * What the protocol said on the active connection and on the idle one: the active one's opening
 * (and refusal), the heartbeat whichever announced it, the beats either found unanswered.
 */
function mergedProtocol(
  active: ProtocolObservation | null,
  idle: ProtocolObservation | null,
): ProtocolObservation | null {
  if (!active || !idle) return active ?? idle;
  return {
    ...active,
    refusal: active.refusal ?? idle.refusal,
    heartbeat: active.heartbeat ?? idle.heartbeat,
    unanswered: active.unanswered + idle.unanswered,
  };
}

/** The handshake without Origin, with each given one, and with a foreign one, side by side. */
async function originVariants(run: ProbeRun, url: URL): Promise<OriginObservation[]> {
  const given = [...new Set([...(run.pageOrigin ? [run.pageOrigin] : []), ...run.origins])];
  const variants: Array<{ origin: string | null; role: OriginObservation['role'] }> = [
    { origin: null, role: 'none' },
    ...given.map((origin) => ({ origin, role: 'given' as const })),
    { origin: FOREIGN_ORIGIN, role: 'foreign' },
  ];
  return Promise.all(
    variants.map(async ({ origin, role }): Promise<OriginObservation> => {
      const s = new ProbeSocket(run.hub, url, origin);
      const opened = await s.opened;
      let handshake: HandshakeObservation = s.handshake();
      if (opened && (await s.endsWithin(POLICY_WINDOW_MS))) {
        const c = s.closeObservation();
        if (c && c.closedBy === 'server' && c.code !== null)
          handshake = { ...handshake, earlyClose: { code: c.code, reason: c.reason ?? '' } };
      }
      await s.close();
      if (!opened) handshake = s.handshake();
      return { ...handshake, role };
    }),
  );
}

/** Sends `n` messages one at a time and waits for each to come back. */
async function echoRoundTrips(
  s: ProbeSocket,
  n: number,
  timeoutMs: number,
  stalls: LocalStalls,
): Promise<EchoObservation> {
  const nonce = randomBytes(4).toString('hex');
  const o: EchoObservation = {
    requested: n,
    sent: 0,
    matched: 0,
    rttMs: [],
    localStallMs: 0,
    otherMessages: 0,
    unexpected: [],
    waitedMs: 0,
  };
  const start = performance.now();
  const off = s.onFrame((f) => {
    if (f.direction !== 'in' || (f.opcode !== 'text' && f.opcode !== 'binary')) return;
    if (!f.data.toString('utf8').includes(`frameline-echo ${nonce}`)) {
      o.otherMessages++;
      if (o.unexpected.length < 3) o.unexpected.push(f.data.toString('utf8', 0, 120));
    }
  });
  try {
    for (let i = 1; i <= n && s.isOpen; i++) {
      const token = `frameline-echo ${nonce} ${i}`;
      const wait = s.next(
        (f) =>
          f.direction === 'in' &&
          (f.opcode === 'text' || f.opcode === 'binary') &&
          f.data.toString('utf8').includes(token),
        timeoutMs,
      );
      const sentUs = nowMicros();
      s.send(token);
      o.sent++;
      const reply = await wait;
      if (!reply) break; // the server does not echo (or the connection ended): no point waiting again
      o.matched++;
      const trip = stalls.roundTrip(sentUs, reply.ts);
      o.rttMs.push(trip.rttMs);
      o.localStallMs = (o.localStallMs ?? 0) + trip.stalledMs;
    }
  } finally {
    off();
    o.waitedMs = performance.now() - start;
  }
  return o;
}

/** Pings a few times and waits for each pong (payload: the send time in epoch µs). */
async function pingRoundTrips(s: ProbeSocket, stalls: LocalStalls): Promise<PingObservation> {
  const o: PingObservation = {
    sent: 0,
    answered: 0,
    late: 0,
    rttMs: [],
    localStallMs: 0,
    timeoutMs: PONG_TIMEOUT_MS,
  };
  for (let i = 0; i < PINGS && s.isOpen; i++) {
    const wait = s.next((f) => f.direction === 'in' && f.opcode === 'pong', PONG_TIMEOUT_MS);
    s.ping();
    o.sent++;
    const pong = await wait;
    if (!pong) break; // one missing pong is enough to know; waiting again costs another timeout
    o.answered++;
    const sentUs = pong.data.length === 8 ? pong.data.readDoubleBE(0) : NaN;
    if (Number.isFinite(sentUs)) {
      const trip = stalls.roundTrip(sentUs, pong.ts);
      o.rttMs.push(trip.rttMs);
      o.localStallMs = (o.localStallMs ?? 0) + trip.stalledMs;
      if (trip.rttMs > PONG_LATE_MS) o.late++;
    }
  }
  return o;
}

/** Holds a connection open without sending anything until it closes or the limit passes. */
async function holdIdle(
  run: ProbeRun,
  url: URL,
  origin: string | null,
  prefix: string,
  plan: ProtocolPlan | null,
): Promise<{ observation: IdleObservation; protocol: ProtocolObservation | null } | null> {
  run.progress(`${prefix}heartbeat`, 'running', '');
  run.progress(`${prefix}idle`, 'running', `holding an idle connection for up to ${run.idleLimitSeconds} s`);
  const s = new ProbeSocket(run.hub, url, origin, plan);
  const pingsAt: number[] = [];
  const messages: DiagFrame[] = [];
  let unspokenEngineIo: IdleObservation['unspokenEngineIo'] = null;
  s.onFrame((f) => {
    if (f.direction !== 'in' || s.openedMs === null) return;
    // Engine.IO speaks first; a connection that does not speak it back leaves its pings unanswered.
    if (messages.length === 0 && f.opcode === 'text' && !s.speaksProtocol)
      unspokenEngineIo = engineIoOpen(f.data.toString('utf8'));
    if (f.opcode === 'ping') pingsAt.push((performance.now() - s.openedMs) / 1000);
    else if ((f.opcode === 'text' || f.opcode === 'binary') && messages.length < MAX_IDLE_MESSAGES) {
      messages.push(
        toDiagFrame({
          connection: s.ordinal,
          ts: f.ts,
          direction: 'in',
          opcode: f.opcode,
          size: f.data.length,
          head: f.opcode === 'text' ? f.data.toString('utf8', 0, HEAD_CHARS * 4).slice(0, HEAD_CHARS) : null,
        }),
      );
    }
  });
  if (!(await s.opened)) return null;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<'limit'>((resolve) => {
    timer = setTimeout(() => resolve('limit'), run.idleLimitSeconds * 1000);
    onAbort = () => resolve('limit');
    run.signal.addEventListener('abort', onAbort, { once: true });
    // Stopped before the hold began: end it at once rather than wait out the limit.
    if (run.signal.aborted) onAbort();
  });
  const how = await Promise.race([s.ended.then(() => 'close' as const), limit]);
  clearTimeout(timer);
  if (onAbort) run.signal.removeEventListener('abort', onAbort);
  const livedSeconds = (performance.now() - s.openedMs!) / 1000;
  if (how === 'limit') await s.close();
  const close = how === 'close' ? s.closeObservation() : null;
  return {
    observation: {
      limitSeconds: run.idleLimitSeconds,
      livedSeconds: close ? close.afterSeconds : livedSeconds,
      endedBy: how,
      close,
      serverPingsAt: pingsAt,
      messages,
      protocolBeatsAt: [...s.protocolBeatsAt],
      unspokenEngineIo,
    },
    protocol: s.protocol,
  };
}
