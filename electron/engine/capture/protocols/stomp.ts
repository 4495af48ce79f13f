// Frameline as a STOMP client over a WebSocket (1.2, 1.1 or 1.0, as the broker negotiates): CONNECT
// with accept-version, host, heart-beat and credentials, ready at CONNECTED (an ERROR refuses it in
// the broker's words), heart-beats sent and watched at the negotiated intervals, and each
// `--subscribe` destination subscribed (id sub-0, sub-1…, ack auto) with a receipt, so that an ERROR
// that answers a SUBSCRIBE is told apart from the connection's.
import { z } from 'zod';
import { ClientOpening, type ClientProtocolOptions, type ProtocolLink } from './client.js';
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

type StompInitPayload = z.infer<typeof StompInitPayloadSchema>;

/** The init payload read, or what is wrong with it in a sentence. */
function readInitPayload(o: ClientProtocolOptions): { payload: StompInitPayload } | { problem: string } {
  const parsed = StompInitPayloadSchema.safeParse(o.initPayload ?? {});
  if (parsed.success) return { payload: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
  return {
    problem: `--init-payload for STOMP is an object of host, login, passcode and heartBeat ("cx,cy" in milliseconds); ${issues}`,
  };
}

/** What is wrong with the options for STOMP, in a sentence; null when nothing is. */
export function stompOptionsProblem(o: ClientProtocolOptions): string | null {
  const read = readInitPayload(o);
  return 'problem' in read ? read.problem : null;
}

export class StompClient extends ClientOpening {
  readonly name = 'stomp' as const;
  protected readonly answer = 'CONNECTED';
  private readonly reader = new FrameReader();
  private readonly connectHeaders: Record<string, string>;
  private readonly destinations: readonly string[];
  /** Subscriptions sent and not yet confirmed by their RECEIPT, in order. */
  private readonly unconfirmed: Subscription[] = [];
  private lastReceived = Date.now();
  private silenceReported = false;
  private disposed = false;

  /** `url` is the connection's: its host is the CONNECT `host` unless the payload names one. */
  constructor(options: ClientProtocolOptions, url: URL) {
    super();
    const read = readInitPayload(options);
    if ('problem' in read) throw new Error(read.problem);
    const p = read.payload;
    this.connectHeaders = {
      'accept-version': VERSIONS.slice().reverse().join(','),
      host: p.host ?? url.hostname,
      'heart-beat': p.heartBeat ?? STOMP_DEFAULT_HEART_BEAT,
      ...(p.login !== undefined ? { login: p.login } : {}),
      ...(p.passcode !== undefined ? { passcode: p.passcode } : {}),
    };
    this.destinations = options.subscribe;
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
      this.broken(link, `malformed STOMP frame: ${(e as Error).message}`, 'malformed STOMP frame');
      return;
    }
    for (const f of frames) this.handle(f, link);
  }

  override dispose(): void {
    this.disposed = true;
    super.dispose();
  }

  /**
   * A STOMP frame as written (`SEND\ndestination:/queue/x\n\nhi`) ends with the NUL a frame needs,
   * which no command line can carry: without it the broker waits for the rest of the frame forever.
   */
  framed(text: string): string {
    return /^[A-Z]+\r?\n/.test(text) && !text.includes('\0') ? `${text}\0` : text;
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
    if (this.isReady) return;
    const version = (VERSIONS as readonly string[]).includes(frame.headers['version'] ?? '')
      ? (frame.headers['version'] as StompVersion)
      : '1.0';
    this.reader.version = version;
    const [cx, cy] = heartBeat(this.connectHeaders['heart-beat']);
    const [sx, sy] = heartBeat(frame.headers['heart-beat']);
    const sendEvery = cx > 0 && sy > 0 ? Math.max(cx, sy) : 0;
    const expectEvery = cy > 0 && sx > 0 ? Math.max(cy, sx) : 0;
    this.markReady(link, {
      version,
      heartBeat: { sendEveryMs: sendEvery, expectEveryMs: expectEvery },
      ...(frame.headers['server'] ? { server: frame.headers['server'] } : {}),
      ...(frame.headers['session'] ? { session: frame.headers['session'] } : {}),
    });
    if (sendEvery > 0) this.every(sendEvery, () => link.send(HEARTBEAT, false));
    if (expectEvery > 0) this.every(expectEvery, () => this.watch(link, expectEvery));
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
    if (!this.isReady) {
      this.refuse(link, `the broker refused CONNECT: ${text}`);
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
}
