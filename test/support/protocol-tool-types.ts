// The parts of the protocol stacks' libraries the tests call, typed here: the libraries live in
// the test-tools cache (test/support/test-tools.ts), outside the project's node_modules, so their
// own type declarations are not in reach of the type check.
import type { Server as HttpServer } from 'node:http';

export interface SocketIoServerModule {
  Server: new (
    http: HttpServer,
    options: { pingInterval?: number; pingTimeout?: number },
  ) => {
    of(namespace: string): {
      on(
        event: 'connection',
        fn: (socket: { on(event: string, fn: (...args: never[]) => void): void }) => void,
      ): void;
    };
    close(): void;
  };
}

export interface SocketIoParserModule {
  PacketType: Record<'CONNECT' | 'EVENT' | 'ACK', number>;
  Encoder: new () => { encode(packet: object): Array<string | Buffer> };
}

export interface EngineIoParserModule {
  encodePacket(
    packet: { type: string; data?: string },
    binary: boolean,
    cb: (encoded: unknown) => void,
  ): void;
}

export interface GraphqlWsModule {
  MessageType: Record<'ConnectionInit' | 'Subscribe' | 'Next' | 'Complete' | 'Ping', string>;
  stringifyMessage(message: object): string;
}

/** An MQTT packet as mqtt-packet reads and writes it: `cmd` and the packet's own fields. */
export type MqttPacketObject = Record<string, unknown> & { cmd: string };

export interface MqttPacketModule {
  generate(packet: object, options?: { protocolVersion: number }): Buffer;
  parser(options: { protocolVersion: number }): {
    on(event: 'packet', fn: (packet: MqttPacketObject) => void): void;
    on(event: 'error', fn: (err: Error) => void): void;
    parse(bytes: Buffer): number;
  };
}

/** A frame as stompjs's Parser hands it over. */
export interface StompRawFrame {
  command: string | undefined;
  headers: Array<[string, string]>;
  binaryBody: Uint8Array | undefined;
}

export interface StompModule {
  FrameImpl: {
    new (params: { command: string; headers?: Record<string, string>; body?: string }): {
      serialize(): string | ArrayBuffer;
    };
    marshall(params: {
      command: string;
      headers?: Record<string, string>;
      body?: string;
      binaryBody?: Uint8Array;
      escapeHeaderValues?: boolean;
    }): string | ArrayBuffer;
    fromRawFrame(
      raw: StompRawFrame,
      escapeHeaderValues: boolean,
    ): { command: string; headers: Record<string, string>; body: string };
  };
  Parser: new (
    onFrame: (raw: StompRawFrame) => void,
    onPing: () => void,
  ) => { parseChunk(chunk: string | ArrayBuffer): void };
  Client: new (config: Record<string, unknown>) => {
    activate(): void;
    deactivate(): Promise<void>;
    publish(message: { destination: string; body: string }): void;
    onConnect: () => void;
    onStompError: (frame: { headers: Record<string, string> }) => void;
  };
}

/** The MQTT packets in `chunks` (one direction of a connection, in order), as mqtt.js's own parser reads them. */
export function mqttPackets(
  lib: MqttPacketModule,
  chunks: Buffer[],
  protocolVersion = 4,
): MqttPacketObject[] {
  const parser = lib.parser({ protocolVersion });
  const out: MqttPacketObject[] = [];
  parser.on('packet', (p) => out.push(p));
  parser.on('error', (err) => {
    throw err;
  });
  for (const c of chunks) parser.parse(c);
  return out;
}

export interface SignalrModule {
  MessageType: Record<
    'Invocation' | 'StreamItem' | 'Completion' | 'StreamInvocation' | 'CancelInvocation' | 'Ping' | 'Close',
    number
  >;
  JsonHubProtocol: new () => { writeMessage(message: object): string | ArrayBuffer };
}

export interface PhoenixModule {
  Serializer: { encode(message: object, cb: (encoded: string) => void): void };
}

export interface ActionCableModule {
  adapters: { WebSocket: unknown };
  createConsumer(url: string): {
    subscriptions: { create(channel: object, mixin: object): unknown };
    disconnect(): void;
  };
}

export interface RpcWebsocketsModule {
  Server: new (options: { port: number; host: string }) => {
    register(method: string, fn: (params: number[]) => unknown): void;
    close(): Promise<void>;
    wss: { address(): unknown };
    on(event: string, fn: () => void): void;
  };
  Client: new (url: string) => {
    call(method: string, params: unknown[]): Promise<unknown>;
    notify(method: string, params: unknown[]): Promise<void>;
    close(): void;
    once(event: string, fn: () => void): void;
  };
}

export interface GraphqlModule {
  buildSchema(sdl: string): unknown;
}

export interface GraphqlWsServerModule {
  useServer(
    options: { schema: unknown; roots?: object },
    server: unknown,
  ): { dispose(): Promise<void> | void };
}

/** socket.io-client's `io` and the parts of its socket the tests use. */
export interface SocketIoClientModule {
  io(
    url: string,
    options: { transports: string[]; reconnection: boolean; auth?: Record<string, unknown> },
  ): SocketIoClientSocket;
}

export interface SocketIoClientSocket {
  id: string | undefined;
  connected: boolean;
  /** The Manager, whose `engine` is the Engine.IO socket (its `id` is the Engine.IO sid). */
  io: { engine: { id: string; on(event: 'ping', fn: () => void): void } };
  on(event: string, fn: (...args: unknown[]) => void): void;
  emit(event: string, ...args: unknown[]): void;
  disconnect(): void;
}

/** graphql-ws's client, as far as a subscribe goes. */
export interface GraphqlWsClientModule {
  createClient(options: {
    url: string;
    webSocketImpl: unknown;
    connectionParams?: Record<string, unknown>;
    retryAttempts?: number;
    lazy?: boolean;
  }): {
    subscribe(
      payload: { query: string },
      sink: { next(value: unknown): void; error(err: unknown): void; complete(): void },
    ): () => void;
    dispose(): Promise<void> | void;
  };
}
