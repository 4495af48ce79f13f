// Socket.IO 4 over Engine.IO 4, as socket.io-client speaks it on a WebSocket transport: wait for
// the server's open packet `0{sid,pingInterval,pingTimeout,maxPayload}`, connect each namespace
// (`40`, or `40/ns,` then the auth from --init-payload), and answer every server ping `2` with `3`
// (in Engine.IO 4 the server pings). Events arrive on a connected namespace without asking: there is
// no subscription in Socket.IO, so `--subscribe` names the namespaces to connect (`/chat`), the
// default `/` when none is given.
import { ClientOpening, type ClientProtocolOptions, type ProtocolLink } from './client.js';

/** Engine.IO's open packet, as far as a client uses it. */
interface OpenPacket {
  sid?: string;
  pingInterval?: number;
  pingTimeout?: number;
  maxPayload?: number;
}

/** The URL socket.io-client connects its WebSocket transport to: Engine.IO 4 over `websocket`. */
export function socketIoUrl(url: URL): URL {
  const out = new URL(url.href);
  if (out.pathname === '/' || out.pathname === '') out.pathname = '/socket.io/';
  if (!out.searchParams.has('EIO')) out.searchParams.set('EIO', '4');
  if (!out.searchParams.has('transport')) out.searchParams.set('transport', 'websocket');
  return out;
}

/** What is wrong with the options for Socket.IO, in a sentence; null when nothing is. */
export function socketIoOptionsProblem(o: ClientProtocolOptions): string | null {
  const bad = o.subscribe.find((ns) => !ns.startsWith('/'));
  if (bad !== undefined)
    return `--subscribe "${bad}" is not a Socket.IO namespace; Socket.IO has no subscriptions (events arrive on a connected namespace), so --subscribe names a namespace such as /chat`;
  if (
    o.initPayload !== undefined &&
    (typeof o.initPayload !== 'object' || o.initPayload === null || Array.isArray(o.initPayload))
  )
    return '--init-payload for Socket.IO is the namespace auth, a JSON object such as {"token":"…"}';
  return null;
}

/** `/chat,` before a packet's data for a namespace other than the default. */
const prefix = (ns: string) => (ns === '/' ? '' : `${ns},`);

export class SocketIoClient extends ClientOpening {
  readonly name = 'socket.io' as const;
  protected readonly answer = 'the namespace connect';
  private readonly namespaces: string[];
  private readonly waiting = new Set<string>();

  constructor(private readonly options: ClientProtocolOptions) {
    super();
    this.namespaces = options.subscribe.length > 0 ? [...new Set(options.subscribe)] : ['/'];
  }

  opened(): void {
    // Engine.IO's server speaks first: its open packet.
  }

  received(data: Buffer, binary: boolean, link: ProtocolLink): void {
    if (binary) return; // a binary attachment of an event: nothing to answer
    const text = data.toString('utf8');
    switch (text[0]) {
      case '0':
        return this.engineOpen(text.slice(1), link);
      case '2':
        // A server ping (its payload, if any, comes back with the pong).
        link.send(`3${text.slice(1)}`, false);
        return;
      case '4':
        return this.socketPacket(text.slice(1), link);
      default:
        return;
    }
  }

  private engineOpen(json: string, link: ProtocolLink): void {
    let open: OpenPacket = {};
    try {
      open = JSON.parse(json) as OpenPacket;
    } catch {
      // Not Engine.IO after all; the namespace connect is still what a client sends next.
    }
    link.event('engine-open', {
      protocol: this.name,
      sid: open.sid ?? null,
      pingInterval: open.pingInterval ?? null,
      pingTimeout: open.pingTimeout ?? null,
      maxPayload: open.maxPayload ?? null,
    });
    const auth = this.options.initPayload === undefined ? '' : JSON.stringify(this.options.initPayload);
    for (const ns of this.namespaces) {
      this.waiting.add(ns);
      link.send(`40${prefix(ns)}${auth}`, false);
    }
  }

  /** A Socket.IO packet: `0` connect, `4` connect_error (as answers to our namespace connects). */
  private socketPacket(packet: string, link: ProtocolLink): void {
    const type = packet[0];
    if (type !== '0' && type !== '4') return;
    let rest = packet.slice(1);
    let ns = '/';
    if (rest.startsWith('/')) {
      const comma = rest.indexOf(',');
      ns = comma < 0 ? rest : rest.slice(0, comma);
      rest = comma < 0 ? '' : rest.slice(comma + 1);
    }
    let body: { sid?: string; message?: string; data?: unknown } = {};
    try {
      body = rest ? (JSON.parse(rest) as typeof body) : {};
    } catch {
      // kept empty: the words below say what is known
    }
    if (!this.waiting.has(ns)) return;
    if (type === '4') {
      this.refuse(
        link,
        `the server refused namespace ${ns} (connect_error)${body.message ? `: ${body.message}` : ''}`,
      );
      return;
    }
    this.waiting.delete(ns);
    link.event('namespace-connected', { protocol: this.name, namespace: ns, sid: body.sid ?? null });
    if (this.waiting.size === 0) this.markReady(link, { namespaces: this.namespaces });
  }
}
