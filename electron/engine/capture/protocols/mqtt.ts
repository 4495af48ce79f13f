// Frameline as an MQTT client over a WebSocket (3.1.1 by default, 5 on request): CONNECT with a clean
// session, ready at a successful CONNACK, a PINGREQ every keep-alive, each `--subscribe` topic filter
// subscribed and its SUBACK checked, and every QoS 1/2 PUBLISH acknowledged so that the broker does
// not resend it. `--subscribe TOPIC@1` (or `@2`) asks for that QoS; a bare filter is QoS 0.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ClientOpening, type ClientProtocolOptions, type ProtocolLink } from './client.js';
import {
  CONNACK_RETURN_CODES,
  PINGREQ,
  PacketReader,
  PacketType,
  REASON_CODES,
  acknowledgement,
  connectPacket,
  readProperties,
  subscribePacket,
  type MqttPacket,
  type MqttVersion,
} from './mqtt-packets.js';

/** `--init-payload` for MQTT. */
export const MqttInitPayloadSchema = z
  .object({
    /** Seconds between PINGREQs the broker may expect (0 turns keep-alive off). */
    keepAlive: z.number().int().min(0).max(65_535).optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    clientId: z.string().optional(),
    /** 4 for MQTT 3.1.1, 5 for MQTT 5. */
    protocolVersion: z.union([z.literal(4), z.literal(5)]).optional(),
  })
  .strict();

export const MQTT_DEFAULT_KEEP_ALIVE = 30;

/** A `--subscribe` value: a topic filter, with `@0`, `@1` or `@2` at its end for the QoS asked. */
export function parseTopicRequest(value: string): { filter: string; qos: number } {
  const m = /^(.+)@([012])$/.exec(value);
  return m ? { filter: m[1]!, qos: Number(m[2]) } : { filter: value, qos: 0 };
}

function refusal(version: MqttVersion, code: number): string {
  const meaning = version === 5 ? REASON_CODES[code] : CONNACK_RETURN_CODES[code];
  return meaning ?? `code ${code}`;
}

type MqttInitPayload = z.infer<typeof MqttInitPayloadSchema>;

/** The init payload read, or what is wrong with it in a sentence. */
function readInitPayload(o: ClientProtocolOptions): { payload: MqttInitPayload } | { problem: string } {
  const parsed = MqttInitPayloadSchema.safeParse(o.initPayload ?? {});
  if (parsed.success) return { payload: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
  return {
    problem: `--init-payload for MQTT is an object of keepAlive (seconds), username, password, clientId and protocolVersion (4 or 5); ${issues}`,
  };
}

/** What is wrong with the options for MQTT, in a sentence; null when nothing is. */
export function mqttOptionsProblem(o: ClientProtocolOptions): string | null {
  const read = readInitPayload(o);
  return 'problem' in read ? read.problem : null;
}

export class MqttClient extends ClientOpening {
  readonly name = 'mqtt' as const;
  protected readonly answer = 'CONNACK';
  private readonly reader = new PacketReader();
  private readonly version: MqttVersion;
  private readonly clientId: string;
  private keepAlive: number;
  private readonly credentials: { username?: string; password?: string };
  private readonly topics: { filter: string; qos: number }[];
  /** Subscriptions waiting for their SUBACK, by packet identifier. */
  private readonly subscribing = new Map<number, { filter: string; qos: number }>();
  private nextPacketId = 1;
  private pingOutstandingSince: number | null = null;
  private disposed = false;

  constructor(options: ClientProtocolOptions) {
    super();
    const read = readInitPayload(options);
    if ('problem' in read) throw new Error(read.problem);
    const p = read.payload;
    this.version = p.protocolVersion ?? 4;
    this.clientId = p.clientId ?? `frameline-${randomBytes(6).toString('hex')}`;
    this.keepAlive = p.keepAlive ?? MQTT_DEFAULT_KEEP_ALIVE;
    this.credentials = {
      ...(p.username !== undefined ? { username: p.username } : {}),
      ...(p.password !== undefined ? { password: p.password } : {}),
    };
    this.topics = options.subscribe.map(parseTopicRequest);
  }

  opened(link: ProtocolLink): void {
    link.send(
      connectPacket({
        version: this.version,
        clientId: this.clientId,
        keepAlive: this.keepAlive,
        ...this.credentials,
      }),
      true,
    );
  }

  received(data: Buffer, _binary: boolean, link: ProtocolLink): void {
    if (this.disposed) return;
    let packets: MqttPacket[];
    try {
      packets = this.reader.push(data);
    } catch (e) {
      this.fail(link, (e as Error).message);
      return;
    }
    for (const p of packets) {
      try {
        this.handle(p, link);
      } catch (e) {
        this.fail(link, `malformed MQTT packet (type ${p.type}): ${(e as Error).message}`);
        return;
      }
    }
  }

  override dispose(): void {
    this.disposed = true;
    super.dispose();
  }

  private handle(p: MqttPacket, link: ProtocolLink): void {
    switch (p.type) {
      case PacketType.CONNACK:
        return this.connack(p.body, link);
      case PacketType.PUBLISH:
        return this.publish(p, link);
      case PacketType.PUBREL:
        link.send(acknowledgement(PacketType.PUBCOMP, p.body.readUInt16BE(0)), true);
        return;
      case PacketType.SUBACK:
        return this.suback(p.body, link);
      case PacketType.PINGRESP:
        this.pingOutstandingSince = null;
        return;
      default:
        return;
    }
  }

  private connack(body: Buffer, link: ProtocolLink): void {
    // A second CONNACK is the broker's mistake; the first one said how the session stands.
    if (this.isReady) return;
    const sessionPresent = (body[0]! & 0x01) === 1;
    const code = body[1]!;
    if (code !== 0) {
      const reason = refusal(this.version, code);
      const said = this.version === 5 && body.length > 2 ? readProperties(body, 2).reasonString : undefined;
      this.refuse(
        link,
        `the broker refused CONNECT: ${reason} (CONNACK code ${code}${said ? `: ${said}` : ''})`,
      );
      return;
    }
    if (this.version === 5 && body.length > 2) {
      const { serverKeepAlive } = readProperties(body, 2);
      if (serverKeepAlive !== undefined) this.keepAlive = serverKeepAlive;
    }
    this.markReady(link, {
      version: this.version === 5 ? '5' : '3.1.1',
      clientId: this.clientId,
      keepAlive: this.keepAlive,
      sessionPresent,
    });
    if (this.keepAlive > 0) this.every(this.keepAlive * 1000, () => this.ping(link));
    for (const t of this.topics) {
      const id = this.packetId();
      this.subscribing.set(id, t);
      link.send(subscribePacket(this.version, id, t.filter, t.qos), true);
    }
  }

  private ping(link: ProtocolLink): void {
    if (this.pingOutstandingSince !== null)
      link.event('keepalive-unanswered', {
        protocol: 'mqtt',
        waitedMs: Date.now() - this.pingOutstandingSince,
        keepAlive: this.keepAlive,
      });
    else this.pingOutstandingSince = Date.now();
    link.send(PINGREQ, true);
  }

  private publish(p: MqttPacket, link: ProtocolLink): void {
    const qos = (p.flags >> 1) & 0x03;
    if (qos === 0) return;
    const topicLength = p.body.readUInt16BE(0);
    const packetId = p.body.readUInt16BE(2 + topicLength);
    link.send(acknowledgement(qos === 1 ? PacketType.PUBACK : PacketType.PUBREC, packetId), true);
  }

  private suback(body: Buffer, link: ProtocolLink): void {
    const id = body.readUInt16BE(0);
    const asked = this.subscribing.get(id);
    if (!asked) return;
    this.subscribing.delete(id);
    const at = this.version === 5 ? readProperties(body, 2).next : 2;
    const code = body[at]!;
    if (code >= 0x80) {
      const reason = this.version === 5 ? (REASON_CODES[code] ?? `code ${code}`) : 'failure';
      link.event('subscription-refused', {
        protocol: 'mqtt',
        topic: asked.filter,
        qos: asked.qos,
        code,
        reason,
      });
    } else {
      link.event('subscribed', { protocol: 'mqtt', topic: asked.filter, qos: asked.qos, grantedQos: code });
    }
  }

  private packetId(): number {
    const id = this.nextPacketId;
    this.nextPacketId = id === 0xffff ? 1 : id + 1;
    return id;
  }

  /** A packet Frameline cannot read: said on the record, and the connection closed as a protocol error. */
  private fail(link: ProtocolLink, message: string): void {
    this.broken(link, message, 'malformed MQTT packet');
  }
}
