// The relay domain of the contract: a recording reverse proxy between real clients and their server
// (relay:*). Every client that connects to it is relayed to the upstream URL and recorded as a
// connection of the relay's own session (kind relay; `out` is what the client sent). The console and
// `frameline relay` send the same requests; the flags are these fields.
import { z } from 'zod';
import { faultKind } from '../replay/faults.js';
import { numberIn, PemSchema, TlsPemFields } from './fields.js';
import { faultField, faultList } from './replay.js';

const id = z.number().int().positive();

/** Start a relay: listen for clients and relay each to the upstream. */
export const RelayRequestSchema = z.object({
  /**
   * The upstream WebSocket URL (ws:// or wss://); a client's path and query are appended to its path.
   * Absent for a forward proxy, whose clients name their own server.
   */
  to: z.string().min(1).max(8192).optional(),
  /**
   * A forward HTTP proxy instead: clients configured with it reach ws:// servers through CONNECT or
   * absolute-URL upgrades, and wss:// ones through CONNECT, TLS ended with a leaf certificate signed
   * by Frameline's local CA. Only WebSocket upgrades are recorded; other requests and tunnels pass.
   */
  proxy: z.boolean().default(false),
  /** Serve wss:// to clients, with a certificate signed by Frameline's local CA unless tlsCertPem is given. */
  tls: z.boolean().default(false),
  /** The certificate (with its chain) and key served to clients with `tls`, instead of the local CA's. */
  tlsCertPem: PemSchema.optional(),
  tlsKeyPem: PemSchema.optional(),
  host: z.string().min(1).max(255).default('127.0.0.1'),
  port: numberIn(0, 65535, '', { integer: true }).default(0),
  /** TLS towards a wss:// upstream, as a capture's. */
  ...TlsPemFields,
  insecure: z.boolean().default(false),
  /** Bounds TCP, TLS and the upgrade with the upstream for each client. */
  connectTimeoutSeconds: numberIn(0.001, 3600, 'seconds').default(10),
  name: z.string().trim().min(1).max(200).optional(),
  /** Faults on the live path from the start (`idle-cut=30`, `stall=10@5`…); `relay:faults` switches them later. */
  faults: faultList('relay'),
  /**
   * Push `relay:client` as each client connects and as it ends, and `relay:fault` as a fault acts
   * (the command line prints a line for each); the console reads `relay:status` for its clients and
   * turns this on for what faults did.
   */
  clientEvents: z.boolean().default(false),
});

/** One client of a relay. */
export const RelayClientSchema = z.object({
  /** Its connection in the relay's session. */
  ordinal: z.number().int().positive(),
  remote: z.string(),
  /** The upstream URL it was relayed to (the client's path and query appended). */
  url: z.string(),
  openedAt: z.string(),
  state: z.enum(['connecting', 'open', 'closed']),
  /** Frames the client sent (out) and the server sent (in). */
  framesOut: z.number().int().nonnegative(),
  framesIn: z.number().int().nonnegative(),
  /** How it ended, in words ("closed by the client with 1000; the server answered 1000"). */
  ending: z.string().nullable(),
});

/** A running (or stopped) relay as the console sees it. */
export const RelayStatusSchema = z.object({
  /** The relay's own session (kind relay), which records every client. */
  sessionId: id,
  /** Where clients connect: ws:// or wss://, or the http:// address of a forward proxy. */
  url: z.string(),
  /** A forward proxy (clients name their servers) rather than a relay to one upstream. */
  proxy: z.boolean(),
  /** Clients are served TLS. */
  tls: z.boolean(),
  /** Frameline's local CA certificate, when the relay serves certificates it signed (clients must trust it). */
  caFile: z.string().nullable(),
  port: z.number().int().positive(),
  /** It listens on a loopback address: only this machine can reach it. */
  loopback: z.boolean(),
  /** The upstream (null for a forward proxy). */
  to: z.string().nullable(),
  state: z.enum(['listening', 'stopped']),
  /** The faults switched on, as written. */
  faults: z.array(z.string()),
  /** Clients that connected so far. */
  connections: z.number().int().nonnegative(),
  /** Frames of its session committed to the database so far (the frame list shows these). */
  committed: z.number().int().nonnegative(),
  /** The latest clients (at most 50), newest last. */
  clients: z.array(RelayClientSchema),
});

/** A client of a relay connected or ended (pushed only for a relay started with `clientEvents`). */
export const RelayClientEventSchema = z.object({
  sessionId: id,
  event: z.enum(['connected', 'ended']),
  client: RelayClientSchema,
});

/**
 * Switch faults of a running relay on or off, for the clients connected and those to come: `on`
 * replaces a fault of the same kind, `off` names kinds (`idle-cut`, `cut-after`…).
 */
export const RelayFaultsRequestSchema = z.object({
  sessionId: id,
  on: z.array(faultField('relay')).max(10).default([]),
  off: z
    .array(
      z.string().refine((k) => faultKind(k) !== null, {
        error: 'is not a fault kind; name one such as idle-cut or stall',
      }),
    )
    .max(20)
    .default([]),
});

/** What switching changed, and the faults on now (as written). */
export const RelayFaultsResultSchema = z.object({
  faults: z.array(z.string()),
  switchedOn: z.array(z.string()),
  switchedOff: z.array(z.string()),
});

/** A fault of a relay started with `clientEvents` acted on a client (its `fault-applied` event). */
export const RelayFaultEventSchema = z.object({
  sessionId: id,
  /** The client's connection in the relay's session. */
  client: z.number().int().positive(),
  /** The fault as written. */
  fault: z.string(),
  /** What it did: connection-cut, close-sent, message-delayed, stall-began, upgrade-rejected… */
  action: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

/** `relay:*` */
export const relayChannels = {
  start: { request: RelayRequestSchema, response: RelayStatusSchema },
  /**
   * Stops a relay: it stops listening, closes every client and its upstream with 1001 and commits
   * its session. Answers the relay as it ended.
   */
  stop: { request: z.object({ sessionId: id }), response: RelayStatusSchema },
  list: { request: z.object({}), response: z.array(RelayStatusSchema) },
  /** Switches faults on or off while clients are connected; each change is on every live client's timeline. */
  faults: { request: RelayFaultsRequestSchema, response: RelayFaultsResultSchema },
} as const;

/** Push topics of the relay. */
export const relayTopics = {
  /** A relay's clients changed (at most ten a second per relay). */
  'relay:status': RelayStatusSchema,
  /** A client of a relay started with `clientEvents` connected or ended (one push each). */
  'relay:client': RelayClientEventSchema,
  /** A fault of a relay started with `clientEvents` acted on a client (one push each). */
  'relay:fault': RelayFaultEventSchema,
} as const;

/** A relay request as the engine sees it. */
export type RelayRequest = z.output<typeof RelayRequestSchema>;
/** A relay as the console sees it. */
export type RelayStatus = z.output<typeof RelayStatusSchema>;
/** One client of a relay. */
export type RelayClient = z.output<typeof RelayClientSchema>;
/** What a fault did to a client. */
export type RelayFaultEvent = z.output<typeof RelayFaultEventSchema>;
/** A switch of a relay's faults as the engine sees it. */
export type RelayFaultsRequest = z.output<typeof RelayFaultsRequestSchema>;
/** What a switch of faults changed. */
export type RelayFaultsResult = z.output<typeof RelayFaultsResultSchema>;
