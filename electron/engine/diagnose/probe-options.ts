// What a probe is asked to do, validated before anything is opened: every mistake is an InputError
// with a sentence that says what to change.
import { readFileSync } from 'node:fs';
import { parseHeader, parseTarget, TOKEN } from '../capture/options.js';
import { InputError } from '../errors.js';

export interface ProbeOptions {
  /** The endpoint users reach (usually through a proxy). */
  url: string;
  /** The same service straight at the backend, bypassing the proxy. */
  direct?: string;
  /** Origins the service's pages use; each is tried in a handshake of its own. */
  origins: string[];
  /** The page that opens the socket; an https page with a ws:// URL is mixed content. */
  pageOrigin?: string;
  healthPath: string;
  /** How long an idle connection is held, at most, to see whether something cuts it. */
  idleLimitSeconds: number;
  /** Echo round trips to measure (0: send nothing). */
  echo: number;
  /** Request headers sent on every WebSocket handshake (Authorization, Cookie…); never logged in full. */
  headers?: Array<[string, string]>;
  /** Subprotocols offered on every WebSocket handshake. */
  subprotocols?: string[];
  insecure: boolean;
  caFile?: string;
  /** Timeout of each step (DNS, TCP, TLS, HTTP, upgrade, each echo). */
  timeoutMs: number;
  name?: string;
}

export const PROBE_DEFAULTS = {
  healthPath: '/health',
  idleLimitSeconds: 75,
  echo: 0,
  timeoutMs: 5000,
} as const;

/** An Origin as browsers send it: scheme://host[:port], or "null". */
export function parseOrigin(raw: string, option: string): string {
  if (raw === 'null') return raw;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InputError(
      `${option} "${raw}" is not an origin; give scheme://host[:port], such as https://app.example.com`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new InputError(
      `${option} "${raw}" must be an http:// or https:// origin, such as https://app.example.com`,
    );
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username)
    throw new InputError(`${option} "${raw}" has more than an origin; drop the path: ${u.origin}`);
  return u.origin;
}

export interface PreparedProbe {
  target: URL;
  direct: URL | null;
  origins: string[];
  pageOrigin: string | null;
  headers: Array<[string, string]>;
  subprotocols: string[];
  ca: Buffer | undefined;
}

/** Header names whose values are secrets: Authorization, Cookie, and anything with token, key or secret. */
const SECRET_HEADER = /authorization|cookie|token|key|secret/i;

/**
 * A header value as the probe logs it: secrets become "***", keeping an Authorization scheme
 * ("Bearer ***") since which scheme was sent is evidence and the credential is not.
 */
export function redactHeaderValue(name: string, value: string): string {
  // Sec-WebSocket-Key is a public nonce of the handshake, not a credential.
  if (!SECRET_HEADER.test(name) || /^sec-websocket-key$/i.test(name)) return value;
  const scheme = /authorization/i.test(name) ? /^([A-Za-z][\w.+-]*) +\S/.exec(value) : null;
  return scheme ? `${scheme[1]} ***` : '***';
}

/** Headers as the probe logs them (JSON, evidence, the recorded session): secrets redacted. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, redactHeaderValue(k, v)]));
}

/** Validates options and reads the CA file; throws InputError on the first problem. */
export function prepareProbe(o: ProbeOptions): PreparedProbe {
  const target = parseTarget(o.url);
  const direct = o.direct === undefined ? null : parseTarget(o.direct);
  if (direct && direct.href === target.href)
    throw new InputError('--direct is the same URL as the target; give the backend address behind the proxy');
  const origins = [...new Set(o.origins.map((x) => parseOrigin(x, '--origin')))];
  const pageOrigin = o.pageOrigin === undefined ? null : parseOrigin(o.pageOrigin, '--page-origin');
  if (!o.healthPath.startsWith('/'))
    throw new InputError(`--health-path "${o.healthPath}" must start with "/", such as /health`);
  if (!(o.idleLimitSeconds >= 1 && o.idleLimitSeconds <= 3600))
    throw new InputError('--idle-limit must be from 1 to 3600 seconds');
  if (!(Number.isInteger(o.echo) && o.echo >= 0 && o.echo <= 1000))
    throw new InputError('--echo must be a whole number of messages from 0 to 1000');
  // The same parser as `frameline capture -H`, so the same mistakes get the same sentences.
  const headers = (o.headers ?? []).map(([k, v]) => parseHeader(`${k}: ${v}`));
  if (headers.some(([k]) => k.toLowerCase() === 'origin'))
    throw new InputError('give the Origin with --origin, not as a header: the probe tries several origins');
  const subprotocols = o.subprotocols ?? [];
  for (const p of subprotocols) {
    if (!TOKEN.test(p))
      throw new InputError(`subprotocol "${p}" is not a valid token (letters, digits and !#$%&'*+-.^_\`|~)`);
  }
  let ca: Buffer | undefined;
  if (o.caFile !== undefined) {
    try {
      ca = readFileSync(o.caFile);
    } catch (err) {
      throw new InputError(
        `cannot read the CA file ${o.caFile} (${(err as NodeJS.ErrnoException).code ?? err}); check the path`,
      );
    }
  }
  return { target, direct, origins, pageOrigin, headers, subprotocols, ca };
}
