// Frameline as an MQTT client over a WebSocket (3.1.1 by default, 5 on request): CONNECT with a clean
// session, ready at a successful CONNACK, a PINGREQ every keep-alive, each `--subscribe` topic filter
// subscribed and its SUBACK checked, and every QoS 1/2 PUBLISH acknowledged so that the broker does
// not resend it. `--subscribe TOPIC@1` (or `@2`) asks for that QoS; a bare filter is QoS 0.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ClientProtocol, ClientProtocolOptions, ProtocolLink } from './client.js';
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

export class MqttClient implements ClientProtocol {
  readonly name = 'mqtt' as const;
  readonly ready: Promise<void>;
  private settle!: { resolve(): void; reject(e: Error): void };
  private settled = false;
  private readonly reader = new PacketReader();
  private readonly version: MqttVersion;
  private readonly clientId: string;
  private keepAlive: number;
  private readonly credentials: { username?: string; password?: string };
  private readonly topics: { filter: string; qos: number }[];
  /** Subscriptions waiting for their SUBACK, by packet identifier. */
  private readonly subscribing = new Map<number, { filter: string; qos: number }>();
  private nextPacketId = 1;
  private pinger: NodeJS.Timeout | undefined;
  private pingOutstandingSince: number | null = null;
  private disposed = false;

  constructor(options: ClientProtocolOptions) {
    const parsed = MqttInitPayloadSchema.safeParse(options.initPayload ?? {});
    if (!parsed.success)
      throw new Error(
        `--init-payload for MQTT takes {keepAlive, username, password, clientId, protocolVersion: 4|5}: ${parsed.error.issues
          .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
          .join('; ')}`,
      );
    const p = parsed.data;
    this.version = p.protocolVersion ?? 4;
    this.clientId = p.clientId ?? `frameline-${randomBytes(6).toString('hex')}`;
    this.keepAlive = p.keepAlive ?? MQTT_DEFAULT_KEEP_ALIVE;
    this.credentials = {
      ...(p.username !== undefined ? { username: p.username } : {}),
      ...(p.password !== undefined ? { password: p.password } : {}),
    };
    this.topics = options.subscribe.map(parseTopicRequest);
    this.ready = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // Nobody may be waiting yet when the broker refuses: the refusal is also an event on the record.
    this.ready.catch(() => {});
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

  dispose(): void {
    this.disposed = true;
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = undefined;
    this.finish(new Error('the connection ended before the broker answered CONNECT with a CONNACK'));
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
    const sessionPresent = (body[0]! & 0x01) === 1;
    const code = body[1]!;
    if (code !== 0) {
      const reason = refusal(this.version, code);
      const said = this.version === 5 && body.length > 2 ? readProperties(body, 2).reasonString : undefined;
      link.event('protocol-refused', {
        protocol: 'mqtt',
        packet: 'CONNACK',
        code,
        reason,
        ...(said ? { said } : {}),
      });
      this.finish(
        new Error(
          `the MQTT broker refused CONNECT: ${reason} (CONNACK code ${code}${said ? `: ${said}` : ''})`,
        ),
      );
      link.close(1000, 'MQTT CONNECT refused');
      return;
    }
    if (this.version === 5 && body.length > 2) {
      const { serverKeepAlive } = readProperties(body, 2);
      if (serverKeepAlive !== undefined) this.keepAlive = serverKeepAlive;
    }
    link.event('protocol-open', {
      protocol: 'mqtt',
      version: this.version === 5 ? '5' : '3.1.1',
      clientId: this.clientId,
      keepAlive: this.keepAlive,
      sessionPresent,
    });
    this.finish();
    if (this.keepAlive > 0) this.pinger = setInterval(() => this.ping(link), this.keepAlive * 1000);
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

  private fail(link: ProtocolLink, message: string): void {
    link.event('protocol-error', { protocol: 'mqtt', message });
    this.finish(new Error(message));
    this.dispose();
    link.close(1002, 'malformed MQTT packet');
  }

  private finish(error?: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (error) this.settle.reject(error);
    else this.settle.resolve();
  }
}

/** The MQTT client for one connection. */
export function mqttClient(options: ClientProtocolOptions): ClientProtocol {
  return new MqttClient(options);
}
