// The server's side of a protocol, as a mock speaks it to each client: Socket.IO 4 over Engine.IO 4
// (an open packet with a new sid and the recorded pingInterval/pingTimeout, pings on that interval,
// a client that misses a pong dropped as Engine.IO drops it, each namespace connect answered with a
// new sid) and graphql-ws (connection_init answered with connection_ack, ping with pong). What the
// protocol says by itself is answered here; the rest goes to the recorded answers.
import { randomBytes } from 'node:crypto';
import type { DecodeContext } from '../../../shared/protocols/decode.js';
import { engineIoOpen } from '../../../shared/protocols/decode-socket-io.js';
import type { Conversation } from '../../../shared/replay/pairing.js';
import { messageOf } from '../../../shared/replay/protocol-layer.js';

/** What a mock's protocol may do on one client's connection. */
export interface MockLink {
  send(text: string): void;
  /** Ends the connection as the stack's server would (Engine.IO's ping timeout closes the transport). */
  close(why: string): void;
  /** Puts an event on the mock's record for this client. */
  event(kind: string, detail: Record<string, unknown>): void;
  /** The protocol is open: the recorded greeting and answers may follow. Called once. */
  ready(): void;
}

/** One client's side of the protocol. */
export interface MockProtocol {
  /** The WebSocket is open: the server speaks first if its protocol does (Engine.IO). */
  opened(): void;
  /** A client message: true when the protocol answered it (opening, heartbeat), false for the application's. */
  received(data: Buffer, binary: boolean): boolean;
  /** Stops the protocol's timers; the connection ended. */
  dispose(): void;
}

/** Makes one client's protocol, from what the recording says of it. */
export type MockProtocolFactory = (link: MockLink) => MockProtocol;

/** A new session id, as Engine.IO makes them (20 URL-safe characters). */
const newSid = () => randomBytes(15).toString('base64url');

/** Engine.IO's defaults, for a recording whose open packet says nothing. */
const ENGINE_IO_DEFAULTS = { pingInterval: 25_000, pingTimeout: 20_000, maxPayload: 1_000_000 };

function socketIo(recorded: Conversation, context: DecodeContext): MockProtocolFactory {
  const open = recorded.received.find((m) => m.opcode === 'text' && m.text.startsWith('0{'));
  const said = open ? engineIoOpen(open.text) : null;
  const maxPayload = open
    ? (JSON.parse(open.text.slice(1)) as { maxPayload?: unknown }).maxPayload
    : undefined;
  const timing = {
    pingInterval: said?.pingInterval ?? ENGINE_IO_DEFAULTS.pingInterval,
    pingTimeout: said?.pingTimeout || ENGINE_IO_DEFAULTS.pingTimeout,
    maxPayload: typeof maxPayload === 'number' ? maxPayload : ENGINE_IO_DEFAULTS.maxPayload,
  };
  // A namespace the recorded server refused (connect_error) is refused again, in its words.
  const refusals = new Map<string, string>();
  for (const m of recorded.received) {
    const d = messageOf(m, 'in', context);
    if (d?.type === 'CONNECT_ERROR') refusals.set(d.namespace ?? '/', m.text);
  }
  return (link) => {
    let pingTimer: NodeJS.Timeout | null = null;
    let pongTimer: NodeJS.Timeout | null = null;
    let opened = false;
    const ping = () => {
      pingTimer = setTimeout(() => {
        link.send('2');
        pongTimer = setTimeout(() => {
          link.event('ping-timeout', { protocol: 'socket.io', pingTimeout: timing.pingTimeout });
          link.close(`no pong within the pingTimeout of ${timing.pingTimeout} ms (Engine.IO ping timeout)`);
        }, timing.pingTimeout);
      }, timing.pingInterval);
    };
    return {
      opened() {
        link.send(`0${JSON.stringify({ sid: newSid(), upgrades: [], ...timing })}`);
        ping();
      },
      received(data, binary) {
        if (binary) return false;
        const text = data.toString('utf8');
        switch (text[0]) {
          case '3':
            if (pongTimer) clearTimeout(pongTimer);
            pongTimer = null;
            ping();
            return true;
          case '2':
            link.send(`3${text.slice(1)}`);
            return true;
          case '1':
            link.close('the client closed Engine.IO');
            return true;
          case '5':
          case '6':
            return true;
          case '4':
            break;
          default:
            return false;
        }
        const d = messageOf({ ts: 0, opcode: 'text', text }, 'out', context);
        if (d?.type === 'DISCONNECT') return true;
        if (d?.type !== 'CONNECT') return false;
        const ns = d.namespace ?? '/';
        const refusal = refusals.get(ns);
        if (refusal !== undefined) {
          link.send(refusal);
          return true;
        }
        link.send(`40${ns === '/' ? '' : `${ns},`}${JSON.stringify({ sid: newSid() })}`);
        if (!opened) {
          opened = true;
          link.ready();
        }
        return true;
      },
      dispose() {
        if (pingTimer) clearTimeout(pingTimer);
        if (pongTimer) clearTimeout(pongTimer);
      },
    };
  };
}

function graphqlWs(recorded: Conversation, context: DecodeContext): MockProtocolFactory {
  const ack =
    recorded.received.find((m) => messageOf(m, 'in', context)?.type === 'connection_ack')?.text ??
    '{"type":"connection_ack"}';
  return (link) => {
    let opened = false;
    return {
      opened() {
        // The client speaks first: connection_init.
      },
      received(data, binary) {
        if (binary) return false;
        const d = messageOf({ ts: 0, opcode: 'text', text: data.toString('utf8') }, 'out', context);
        switch (d?.type) {
          case 'connection_init':
            link.send(ack);
            if (!opened) {
              opened = true;
              link.ready();
            }
            return true;
          case 'ping': {
            const payload = (JSON.parse(data.toString('utf8')) as { payload?: unknown }).payload;
            link.send(JSON.stringify(payload === undefined ? { type: 'pong' } : { type: 'pong', payload }));
            return true;
          }
          case 'pong':
            return true;
          default:
            return false;
        }
      },
      dispose() {},
    };
  };
}

/** The protocol a mock of this recording speaks to its clients; null: it serves the recording as it is. */
export function mockProtocolFor(
  recorded: Conversation,
  context: DecodeContext | null,
): MockProtocolFactory | null {
  switch (context?.protocol) {
    case 'socket.io':
      return socketIo(recorded, context);
    case 'graphql-ws':
      return graphqlWs(recorded, context);
    default:
      return null;
  }
}
