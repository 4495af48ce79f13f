// What the application protocol refused after the socket opened: the client's credentials
// (auth-refused: graphql-ws 4401/4403, a STOMP ERROR answering CONNECT, an MQTT CONNACK refusal, a
// Socket.IO connect_error), a subscription (subscription-refused: a graphql-ws `error` for a
// subscribe, an MQTT SUBACK failure, a STOMP ERROR after SUBSCRIBE), and the subprotocol itself
// (subprotocol-refused: a 4406 close, or a server closing a connection whose protocol needs a
// subprotocol the 101 did not name). Read from the decoded frames, one at a time, and from what
// Frameline's protocol clients recorded (events `protocol-refused`, `subscription-refused`).
import { finding, type Finding } from '../findings.js';
import { subprotocolsFor, type ProtocolName } from '../protocols/names.js';
import type { DiagConnection, DiagEvent, DiagFrame } from './input.js';
import { countBy } from './stats.js';

/** One refusal. */
export interface Refusal {
  connection: number;
  kind: 'auth' | 'subscription';
  protocol: ProtocolName;
  /** The server's words, or the code it answered with. */
  refusal: string;
  /** What was subscribed to: a topic, a destination, a graphql-ws operation id. */
  subscription?: string;
}

/** Refusals kept for evidence; the rest are counted. */
const MAX_KEPT = 50;
/** Subscriptions waiting for their answer per connection; older ones are forgotten. */
const MAX_PENDING = 1000;

/** MQTT 3.1.1 CONNACK return codes. */
const CONNACK_CODES: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};
/** MQTT 5 reason codes a refusal names most often. */
const MQTT5_CODES: Record<number, string> = {
  0x80: 'unspecified error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x8a: 'banned',
  0x8f: 'topic filter invalid',
  0x97: 'quota exceeded',
  0x9e: 'shared subscriptions not supported',
};

function mqttCode(code: number, version5: boolean): string {
  const name = version5 ? MQTT5_CODES[code] : CONNACK_CODES[code];
  return `0x${code.toString(16).padStart(2, '0')}${name ? ` (${name})` : ''}`;
}

interface State {
  protocol: ProtocolName;
  stompConnected: boolean;
  /** STOMP SUBSCRIBEs sent: destination by receipt (or by id), in order. */
  stompSubscribes: Array<{ destination: string; receipt?: string }>;
  /** MQTT SUBSCRIBE packet ids and their first topic filter. */
  mqttSubscribes: Map<number, string>;
  /** graphql-ws subscribe ids and their operation name. */
  graphqlSubscribes: Map<string, string | undefined>;
  refusedAuth: boolean;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_PENDING) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** Gathers the refusals in a session's decoded frames, one frame at a time (in time order). */
export class RefusalAccumulator {
  readonly refusals: Refusal[] = [];
  /** Refusals of each kind, kept or not. */
  readonly counts = { auth: 0, subscription: 0 };
  private readonly protocols = new Map<number, ProtocolName>();
  private readonly states = new Map<number, State>();
  /** Connections on which each kind was seen in the frames. */
  readonly seen = { auth: new Set<number>(), subscription: new Set<number>() };

  constructor(connections: readonly DiagConnection[]) {
    for (const c of connections) if (c.protocol) this.protocols.set(c.ordinal, c.protocol);
  }

  private state(connection: number, protocol: ProtocolName): State {
    let s = this.states.get(connection);
    if (!s)
      this.states.set(
        connection,
        (s = {
          protocol,
          stompConnected: false,
          stompSubscribes: [],
          mqttSubscribes: new Map(),
          graphqlSubscribes: new Map(),
          refusedAuth: false,
        }),
      );
    return s;
  }

  /** Counts a refusal, and keeps it for evidence while there is room. */
  push(r: Refusal, fromFrames = true): void {
    this.counts[r.kind]++;
    if (fromFrames) this.seen[r.kind].add(r.connection);
    if (this.refusals.length < MAX_KEPT) this.refusals.push(r);
  }

  add(f: DiagFrame): void {
    const protocol = this.protocols.get(f.connection);
    const m = f.message;
    if (!protocol || !m) return;
    const s = this.state(f.connection, protocol);
    const out = f.direction === 'out';
    const refuse = (kind: Refusal['kind'], refusal: string, subscription?: string) =>
      this.push({
        connection: f.connection,
        kind,
        protocol,
        refusal,
        ...(subscription !== undefined ? { subscription } : {}),
      });
    switch (protocol) {
      case 'socket.io':
        if (!out && m.type === 'CONNECT_ERROR')
          refuse('auth', `connect_error on ${m.namespace ?? '/'}: ${m.error ?? 'refused'}`);
        return;
      case 'graphql-ws':
      case 'subscriptions-transport-ws':
        if (out && (m.type === 'subscribe' || m.type === 'start') && m.id !== undefined)
          remember(s.graphqlSubscribes, m.id, m.operationName);
        else if (!out && m.id !== undefined && s.graphqlSubscribes.has(m.id)) {
          if (m.type === 'error') {
            const name = s.graphqlSubscribes.get(m.id);
            refuse('subscription', `error for subscribe ${m.id}${name ? ` (${name})` : ''}`, m.id);
          }
          if (m.type === 'error' || m.type === 'complete') s.graphqlSubscribes.delete(m.id);
        } else if (!out && m.type === 'connection_error') refuse('auth', 'connection_error');
        return;
      case 'mqtt': {
        if (out && m.type === 'SUBSCRIBE' && m.packetId !== undefined)
          remember(s.mqttSubscribes, m.packetId, m.topic ?? '');
        if (out) return;
        const v5 = m.reasonCode !== undefined;
        if (m.type === 'CONNACK') {
          const code = m.returnCode ?? m.reasonCode ?? 0;
          if ((m.returnCode !== undefined && code !== 0) || (v5 && code >= 0x80))
            refuse('auth', `CONNACK ${mqttCode(code, m.returnCode === undefined)}`);
        } else if (m.type === 'SUBACK' && m.packetId !== undefined) {
          const topic = s.mqttSubscribes.get(m.packetId);
          s.mqttSubscribes.delete(m.packetId);
          const failed = (m.reasonCodes ?? []).find((c) => c >= 0x80);
          if (failed !== undefined)
            refuse(
              'subscription',
              `SUBACK ${failed === 0x80 ? '0x80 (failure: not authorized, or not allowed)' : mqttCode(failed, true)}`,
              topic || undefined,
            );
        }
        return;
      }
      case 'stomp':
        if (out && m.type === 'SUBSCRIBE' && m.destination !== undefined) {
          if (s.stompSubscribes.length >= MAX_PENDING) s.stompSubscribes.shift();
          s.stompSubscribes.push({
            destination: m.destination,
            ...(m.receipt !== undefined ? { receipt: m.receipt } : {}),
          });
        } else if (!out && m.type === 'CONNECTED') s.stompConnected = true;
        else if (!out && m.type === 'RECEIPT' && m.receiptId !== undefined)
          s.stompSubscribes = s.stompSubscribes.filter((x) => x.receipt !== m.receiptId);
        else if (!out && m.type === 'ERROR') {
          const words = `ERROR${m.error ? `: ${m.error}` : ''}`;
          if (!s.stompConnected) refuse('auth', words);
          else if (s.stompSubscribes.length > 0) {
            const i =
              m.receiptId !== undefined ? s.stompSubscribes.findIndex((x) => x.receipt === m.receiptId) : -1;
            const [sub] = s.stompSubscribes.splice(i >= 0 ? i : s.stompSubscribes.length - 1, 1);
            refuse('subscription', words, sub!.destination);
          }
        }
        return;
      default:
        return;
    }
  }

  /** Forgets a finished connection's pending subscriptions. */
  finish(connection: number): void {
    this.states.delete(connection);
  }
}

/** graphql-ws close codes that refuse the client (Unauthorized, Forbidden). */
const AUTH_CLOSES: Record<number, string> = { 4401: 'Unauthorized', 4403: 'Forbidden' };

/** Refusals Frameline's protocol clients recorded as events, on connections the frames said nothing of. */
function eventRefusals(
  events: readonly DiagEvent[],
  protocols: ReadonlyMap<number, ProtocolName | null | undefined>,
  acc: RefusalAccumulator,
): void {
  for (const e of events) {
    if (e.connection === null) continue;
    const kind =
      e.kind === 'protocol-refused' ? 'auth' : e.kind === 'subscription-refused' ? 'subscription' : null;
    if (!kind || acc.seen[kind].has(e.connection)) continue;
    const d = (e.detail ?? {}) as Record<string, unknown>;
    const text = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
    const protocol = (text('protocol') ?? protocols.get(e.connection) ?? null) as ProtocolName | null;
    if (!protocol) continue;
    const subscription = text('topic') ?? text('destination') ?? text('id');
    acc.push(
      {
        connection: e.connection,
        kind,
        protocol,
        refusal: text('message') ?? text('reason') ?? e.kind,
        ...(kind === 'subscription' && subscription !== undefined ? { subscription } : {}),
      },
      false,
    );
  }
}

/** Whether a protocol (detected, or said by a 4406) refused the subprotocol on this connection. */
function subprotocolRefusal(c: DiagConnection, heardData: boolean): { protocol: ProtocolName } | null {
  if (c.openedAt === null || c.closedAt === null || c.closedBy !== 'server') return null;
  // 4406 is graphql-ws's "Subprotocol not acceptable" (said so when nothing sent told the protocol).
  if (c.closeCode === 4406 && (c.protocol || /subprotocol/i.test(c.closeReason ?? '')))
    return { protocol: c.protocol ?? 'graphql-ws' };
  if (!c.protocol || subprotocolsFor(c.protocol).length === 0 || c.subprotocol || heardData) return null;
  return { protocol: c.protocol };
}

function offeredOf(c: DiagConnection): string[] {
  const entry = Object.entries(c.requestHeaders).find(([k]) => k.toLowerCase() === 'sec-websocket-protocol');
  return entry
    ? String(entry[1])
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** The refusal findings of a session, and the connections whose end they explain. */
export function refusalRule(
  connections: readonly DiagConnection[],
  acc: RefusalAccumulator,
  events: readonly DiagEvent[],
  /** Whether the server sent any data on each connection. */
  heardData: (ordinal: number) => boolean,
): { findings: Finding[]; explained: Set<number>; detail: Record<string, unknown> } {
  const protocols = new Map(connections.map((c) => [c.ordinal, c.protocol]));
  for (const c of connections) {
    const words = c.closeCode !== null ? AUTH_CLOSES[c.closeCode] : undefined;
    if (words && c.closedBy === 'server' && c.protocol === 'graphql-ws')
      acc.push({
        connection: c.ordinal,
        kind: 'auth',
        protocol: 'graphql-ws',
        refusal: `close ${c.closeCode} ${c.closeReason || words}`,
      });
  }
  eventRefusals(events, protocols, acc);
  const findings: Finding[] = [];
  const explained = new Set<number>();
  for (const kind of ['auth', 'subscription'] as const) {
    const list = acc.refusals.filter((r) => r.kind === kind);
    if (list.length === 0) continue;
    const first = list[0]!;
    const n = acc.counts[kind];
    for (const r of list) if (kind === 'auth') explained.add(r.connection);
    findings.push(
      kind === 'auth'
        ? finding(
            'auth-refused',
            `The ${first.protocol} server refused the client ${n === 1 ? 'once' : `${n} times`}: ${first.refusal}.`,
            {
              protocol: first.protocol,
              refusal: first.refusal,
              refusals: n,
              connections: [...new Set(list.map((r) => r.connection))].slice(0, 20),
            },
          )
        : finding(
            'subscription-refused',
            `The ${first.protocol} server refused ${n === 1 ? 'a subscription' : `${n} subscriptions`}${first.subscription ? ` (${first.subscription})` : ''}: ${first.refusal}.`,
            {
              protocol: first.protocol,
              subscription: first.subscription ?? null,
              refusal: first.refusal,
              refusals: n,
              subscriptions: [
                ...new Set(list.map((r) => r.subscription).filter((s) => s !== undefined)),
              ].slice(0, 20),
            },
          ),
    );
  }
  const sub = connections
    .map((c) => ({ c, r: subprotocolRefusal(c, heardData(c.ordinal)) }))
    .filter((x): x is { c: DiagConnection; r: { protocol: ProtocolName } } => x.r !== null);
  if (sub.length > 0) {
    const { c, r } = sub[0]!;
    const subprotocol = subprotocolsFor(r.protocol)[0] ?? null;
    const offered = offeredOf(c);
    for (const x of sub) explained.add(x.c.ordinal);
    findings.push(
      finding(
        'subprotocol-refused',
        c.closeCode === 4406
          ? `The server closed ${sub.length === 1 ? 'the connection' : `${sub.length} connections`} with 4406 (${c.closeReason || 'Subprotocol not acceptable'}) ${offered.length ? `refusing the subprotocol ${offered.join(', ')}` : 'because no subprotocol was offered'}${subprotocol ? `: ${r.protocol} wants \`${subprotocol}\`` : ''}.`
          : `The server closed ${sub.length === 1 ? 'the connection' : `${sub.length} connections`} without a word after a 101 that named no subprotocol: ${r.protocol} wants \`${subprotocol}\`.`,
        {
          protocol: r.protocol,
          subprotocol,
          offered,
          closeCode: c.closeCode,
          connections: sub.length,
        },
      ),
    );
  }
  return {
    findings,
    explained,
    detail: {
      authRefused: acc.counts.auth,
      subscriptionsRefused: acc.counts.subscription,
      subprotocolRefused: sub.length,
      byProtocol: countBy(acc.refusals, (r) => r.protocol),
    },
  };
}
