// What a capture is asked to do, validated before anything is created: every mistake here is an
// InputError with a sentence that says what to change.
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

export interface ReconnectPolicy {
  /** First delay in milliseconds. */
  baseMs: number;
  /** Ceiling of the delay in milliseconds. */
  maxMs: number;
  /** Growth of the delay per consecutive attempt. */
  factor: number;
  /** Random spread as a fraction of the delay (0.2 = ±20 %). */
  jitter: number;
  /** Consecutive failed attempts before giving up (Infinity for no limit). */
  attempts: number;
}

export interface CaptureOptions {
  url: string;
  name?: string;
  headers: Array<[string, string]>;
  origin?: string;
  subprotocols: string[];
  compression: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecure: boolean;
  /** An explicit proxy URL; null disables proxies; undefined reads the usual environment variables. */
  proxy?: string | null;
  connectTimeoutMs: number;
  /** Largest message accepted from the peer (bigger ones close the connection with 1009). */
  maxPayload: number;
  /** Payload bytes stored per frame; longer payloads are stored truncated with their real size. */
  payloadCap: number;
  pingIntervalMs?: number;
  reconnect?: ReconnectPolicy;
  /** Messages sent when a connection opens, in order. */
  sends: string[];
  /** Sends the messages again at this interval while connected. */
  sendEveryMs?: number;
  durationMs?: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  baseMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
  attempts: 10,
};

export const DEFAULTS = {
  connectTimeoutMs: 10_000,
  maxPayload: 100 * 1024 * 1024,
  payloadCap: 1024 * 1024,
};

/** TLS files read once, before connecting. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** Checks a WebSocket URL and returns it parsed. */
export function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(
      `"${raw}" is not a valid URL; give one such as ws://localhost:8080/socket or wss://example.com/ws`,
    );
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    throw new InputError(
      `${raw} is an ${url.protocol.slice(0, -1)} URL; use ${url.protocol === 'https:' ? 'wss' : 'ws'}:// for a WebSocket endpoint`,
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new InputError(`unsupported scheme "${url.protocol.slice(0, -1)}" in ${raw}; use ws:// or wss://`);
  }
  if (url.hash) throw new InputError(`${raw} has a #fragment, which WebSocket URLs cannot carry; remove it`);
  return url;
}

/** An RFC 7230 token: header names and subprotocols. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Parses a curl-style "Name: value" header. */
export function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  if (colon <= 0) throw new InputError(`header "${raw}" is malformed; write it as "Name: value"`);
  const name = raw.slice(0, colon).trim();
  const value = raw.slice(colon + 1).trim();
  if (!TOKEN.test(name))
    throw new InputError(`header name "${name}" has characters a header name cannot have`);
  if (/[\r\n\0]/.test(value)) throw new InputError(`header "${name}" has a line break or NUL in its value`);
  return [name, value];
}

function readMaterial(path: string | undefined, what: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(
      `cannot read the ${what} file ${path} (${(err as NodeJS.ErrnoException).code ?? err}); check the path`,
    );
  }
}

/** Validates options and reads the TLS files; throws InputError on the first problem. */
export function prepareCapture(o: CaptureOptions): { url: URL; tls: TlsMaterial } {
  const url = parseTarget(o.url);
  if ((o.certFile === undefined) !== (o.keyFile === undefined)) {
    throw new InputError('a client certificate needs both --cert FILE and --key FILE');
  }
  if (o.proxy) {
    let proxy: URL;
    try {
      proxy = new URL(o.proxy);
    } catch {
      throw new InputError(`proxy "${o.proxy}" is not a valid URL; give one such as http://proxy.local:3128`);
    }
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
      throw new InputError(
        `proxy scheme "${proxy.protocol.slice(0, -1)}" is not supported; use an http:// or https:// proxy`,
      );
    }
  }
  if (o.origin !== undefined) {
    try {
      new URL(o.origin);
    } catch {
      throw new InputError(
        `origin "${o.origin}" is not a valid origin; give one such as https://app.example.com`,
      );
    }
  }
  for (const p of o.subprotocols) {
    if (!TOKEN.test(p))
      throw new InputError(`subprotocol "${p}" is not a valid token (letters, digits and !#$%&'*+-.^_\`|~)`);
  }
  const r = o.reconnect;
  if (
    r &&
    (r.baseMs < 0 || r.maxMs < r.baseMs || r.factor < 1 || r.jitter < 0 || r.jitter > 1 || r.attempts < 1)
  ) {
    throw new InputError(
      'reconnect policy is inconsistent: need base ≥ 0, max ≥ base, factor ≥ 1, 0 ≤ jitter ≤ 1, attempts ≥ 1',
    );
  }
  const tls = {
    ca: readMaterial(o.caFile, 'CA'),
    cert: readMaterial(o.certFile, 'client certificate'),
    key: readMaterial(o.keyFile, 'client key'),
  };
  return { url, tls };
}
