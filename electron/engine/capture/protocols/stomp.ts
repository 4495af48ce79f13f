// Frameline as a STOMP client over a WebSocket (1.2, 1.1 or 1.0, as the broker negotiates): CONNECT
// with accept-version, host, heart-beat and credentials, ready at CONNECTED (an ERROR refuses it in
// the broker's words), heart-beats sent and watched at the negotiated intervals, and each
// `--subscribe` destination subscribed (id sub-0, sub-1…, ack auto) with a receipt, so that an ERROR
// that answers a SUBSCRIBE is told apart from the connection's.
import { z } from 'zod';
import type { ClientProtocol, ClientProtocolOptions, ProtocolLink } from './client.js';
import { FrameReader, HEARTBEAT, encodeFrame, type StompFrame, type StompVersion } from './stomp-frames.js';

/** `--init-payload` for STOMP. */
export const StompInitPayloadSchema = z
  .object({
    /** The CONNECT `host` header: the virtual host (RabbitMQ's is `/`); the URL's host by default. */
    host: z.string().optional(),
    login: z.string().optional(),
    passcode: z.string().optional(),
    /** The CONNECT `heart-beat` header, `cx,cy` in milliseconds. */
    heartBeat: z
      .string()
      .regex(/^\d+,\d+$/, 'heartBeat is "cx,cy" in milliseconds, e.g. "10000,10000"')
      .optional(),
  })
  .strict();

export const STOMP_DEFAULT_HEART_BEAT = '10000,10000';
const VERSIONS: readonly StompVersion[] = ['1.2', '1.1', '1.0'];

function heartBeat(value: string | undefined): [number, number] {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** The broker's words in an ERROR frame: its `message` header, and its body when there is one. */
function errorText(frame: StompFrame): string {
  const message = frame.headers['message'] ?? '';
  const body = frame.body.toString('utf8').trim();
  return [message, body].filter((s) => s !== '').join(': ') || 'ERROR without a message';
}

interface Subscription {
  id: string;
  destination: string;
}

export class StompClient implements ClientProtocol {
  readonly name = 'stomp' as const;
  readonly ready: Promise<void>;
  private settle!: { resolve(): void; reject(e: Error): void };
  private settled = false;
  private readonly reader = new FrameReader();
  private readonly connectHeaders: Record<string, string>;
  private readonly destinations: readonly string[];
  /** Subscriptions sent and not yet confirmed by their RECEIPT, in order. */
  private readonly unconfirmed: Subscription[] = [];
  private connected = false;
  private timers: NodeJS.Timeout[] = [];
  private lastReceived = Date.now();
  private silenceReported = false;
  private disposed = false;

  constructor(options: ClientProtocolOptions, url: string) {
    const parsed = StompInitPayloadSchema.safeParse(options.initPayload ?? {});
    if (!parsed.success)
      throw new Error(
        `--init-payload for STOMP takes {host, login, passcode, heartBeat: "cx,cy"}: ${parsed.error.issues
          .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
          .join('; ')}`,
      );
    const p = parsed.data;
    this.connectHeaders = {
      'accept-version': VERSIONS.slice().reverse().join(','),
      host: p.host ?? new URL(url).hostname,
      'heart-beat': p.heartBeat ?? STOMP_DEFAULT_HEART_BEAT,
      ...(p.login !== undefined ? { login: p.login } : {}),
      ...(p.passcode !== undefined ? { passcode: p.passcode } : {}),
    };
    this.destinations = options.subscribe;
    this.ready = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // Nobody may be waiting yet when the broker refuses: the refusal is also an event on the record.
    this.ready.catch(() => {});
  }

  opened(link: ProtocolLink): void {
    link.send(encodeFrame('CONNECT', this.connectHeaders, '1.0'), false);
  }

  received(data: Buffer, _binary: boolean, link: ProtocolLink): void {
    if (this.disposed) return;
    this.lastReceived = Date.now();
    this.silenceReported = false;
    let frames: StompFrame[];
    try {
      ({ frames } = this.reader.push(data));
    } catch (e) {
      const message = `malformed STOMP frame: ${(e as Error).message}`;
      link.event('protocol-error', { protocol: 'stomp', message });
      this.finish(new Error(message));
      this.dispose();
      link.close(1002, 'malformed STOMP frame');
      return;
    }
    for (const f of frames) this.handle(f, link);
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.finish(new Error('the connection ended before the broker answered CONNECT with CONNECTED'));
  }

  private handle(frame: StompFrame, link: ProtocolLink): void {
    switch (frame.command) {
      case 'CONNECTED':
        return this.onConnected(frame, link);
      case 'ERROR':
        return this.onError(frame, link);
      case 'RECEIPT': {
        const i = this.unconfirmed.findIndex((s) => s.id === frame.headers['receipt-id']);
        if (i < 0) return;
        const [s] = this.unconfirmed.splice(i, 1);
        link.event('subscribed', { protocol: 'stomp', destination: s!.destination, id: s!.id });
        return;
      }
      default:
        return;
    }
  }

  private onConnected(frame: StompFrame, link: ProtocolLink): void {
    if (this.connected) return;
    this.connected = true;
    const version = (VERSIONS as readonly string[]).includes(frame.headers['version'] ?? '')
      ? (frame.headers['version'] as StompVersion)
      : '1.0';
    this.reader.version = version;
    const [cx, cy] = heartBeat(this.connectHeaders['heart-beat']);
    const [sx, sy] = heartBeat(frame.headers['heart-beat']);
    const sendEvery = cx > 0 && sy > 0 ? Math.max(cx, sy) : 0;
    const expectEvery = cy > 0 && sx > 0 ? Math.max(cy, sx) : 0;
    link.event('protocol-open', {
      protocol: 'stomp',
      version,
      heartBeat: { sendEveryMs: sendEvery, expectEveryMs: expectEvery },
      ...(frame.headers['server'] ? { server: frame.headers['server'] } : {}),
      ...(frame.headers['session'] ? { session: frame.headers['session'] } : {}),
    });
    this.finish();
    if (sendEvery > 0) this.timers.push(setInterval(() => link.send(HEARTBEAT, false), sendEvery));
    if (expectEvery > 0) this.timers.push(setInterval(() => this.watch(link, expectEvery), expectEvery));
    this.destinations.forEach((destination, i) => {
      const id = `sub-${i}`;
      this.unconfirmed.push({ id, destination });
      link.send(encodeFrame('SUBSCRIBE', { id, destination, ack: 'auto', receipt: id }, version), false);
    });
  }

  /** The specification lets a client give up after silence well past the agreed interval; we say so. */
  private watch(link: ProtocolLink, expectEvery: number): void {
    const silent = Date.now() - this.lastReceived;
    if (silent <= 2 * expectEvery || this.silenceReported) return;
    this.silenceReported = true;
    link.event('heartbeat-missed', { protocol: 'stomp', silentMs: silent, expectEveryMs: expectEvery });
  }

  private onError(frame: StompFrame, link: ProtocolLink): void {
    const text = errorText(frame);
    if (!this.connected) {
      link.event('protocol-refused', { protocol: 'stomp', frame: 'ERROR', message: text });
      this.finish(new Error(`the STOMP broker refused CONNECT: ${text}`));
      link.close(1000, 'STOMP CONNECT refused');
      return;
    }
    const receipt = frame.headers['receipt-id'];
    const i =
      receipt !== undefined
        ? this.unconfirmed.findIndex((s) => s.id === receipt)
        : this.unconfirmed.length
          ? 0
          : -1;
    if (i >= 0) {
      const [s] = this.unconfirmed.splice(i, 1);
      link.event('subscription-refused', {
        protocol: 'stomp',
        destination: s!.destination,
        id: s!.id,
        message: text,
      });
    } else {
      link.event('protocol-error', { protocol: 'stomp', message: text });
    }
  }

  private finish(error?: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (error) this.settle.reject(error);
    else this.settle.resolve();
  }
}

/** The STOMP client for one connection to `url` (its host is the CONNECT `host` unless the payload names one). */
export function stompClient(options: ClientProtocolOptions, url: string): ClientProtocol {
  return new StompClient(options, url);
}
