// The probe form as typed (strings, so half-typed numbers survive), and how it becomes a
// `diagnose:probe` request — with a sentence for every field that cannot. The same options as
// `frameline probe`, checked here first so that a mistake is shown beside its field.
import type { RequestOf } from '../../../shared/contract';
import type { ProtocolChoice } from '../../../shared/protocols/names';
import type { PemFile } from '../../components/pem-file-field';
import { protocolFields, secretValueMissing, type HeaderRow } from '../attach/attach-draft';

export type ProbeRequest = RequestOf<'diagnose', 'probe'>;

export interface ProbeDraft {
  /** The backend behind the proxy, probed the same way. */
  direct: string;
  /** Origins the service's pages use, separated by commas or spaces. */
  origins: string;
  pageOrigin: string;
  healthPath: string;
  idleLimitS: string;
  echo: string;
  /** Sent on every handshake (Authorization, Cookie…); the attach screen's until edited here. */
  headers: HeaderRow[];
  /** Comma-separated. */
  subprotocols: string;
  /** The CA chosen from a file in the page, sent as PEM text. */
  ca: PemFile | null;
  insecure: boolean;
  /** The attach form's Protocol fieldset, always followed: the protocol to speak ('' for what the URL says). */
  protocol: ProtocolChoice | '';
  /** …and the JSON sent with its opening. */
  initPayload: string;
}

export const DEFAULT_IDLE_LIMIT_S = 75;

export const DEFAULT_PROBE_DRAFT: ProbeDraft = {
  direct: '',
  origins: '',
  pageOrigin: '',
  healthPath: '/health',
  idleLimitS: String(DEFAULT_IDLE_LIMIT_S),
  echo: '0',
  headers: [],
  subprotocols: '',
  ca: null,
  insecure: false,
  protocol: '',
  initPayload: '',
};

export type ProbeErrors = Partial<Record<keyof ProbeDraft | 'url', string>>;

/** Why `raw` is not a WebSocket URL, or null when it is one. */
export function wsUrlProblem(raw: string, what: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `${what} "${raw}" is not a URL; give one such as wss://api.example.com/stream`;
  }
  if (u.protocol === 'http:' || u.protocol === 'https:')
    return `${what} "${raw}" is an ${u.protocol.slice(0, -1)} URL; use ${u.protocol === 'https:' ? 'wss' : 'ws'}:// for a WebSocket endpoint`;
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    return `${what} "${raw}" must start with ws:// or wss://`;
  if (u.hash) return `${what} "${raw}" has a #fragment, which WebSocket URLs cannot carry; remove it`;
  return null;
}

/** Why `raw` is not an Origin as browsers send it (scheme://host[:port]), or null. */
export function originProblem(raw: string): string | null {
  if (raw === 'null') return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `"${raw}" is not an origin; give scheme://host[:port], such as https://app.example.com`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `"${raw}" must be an http:// or https:// origin, such as https://app.example.com`;
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username)
    return `"${raw}" has more than an origin; drop the path: ${u.origin}`;
  return null;
}

/** The list of origins (or subprotocols) typed in one field. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The probe request for a URL and a draft, or the errors that stop it (keyed by field). */
export function toProbeRequest(
  rawUrl: string,
  d: ProbeDraft,
  runId: string,
): { request: ProbeRequest | null; errors: ProbeErrors } {
  const errors: ProbeErrors = {};
  const url = rawUrl.trim();
  if (!url)
    errors.url = 'Type the endpoint’s URL in the URL field above, such as wss://api.example.com/stream';
  else {
    const problem = wsUrlProblem(url, 'The URL');
    if (problem) errors.url = problem;
  }

  const direct = d.direct.trim();
  if (direct) {
    const problem = wsUrlProblem(direct, 'The direct URL');
    if (problem) errors.direct = problem;
    else if (url && direct === url)
      errors.direct = 'The direct URL is the endpoint itself; give the backend’s address behind the proxy';
  }

  const origins = splitList(d.origins);
  for (const o of origins) {
    const problem = originProblem(o);
    if (problem) {
      errors.origins = problem;
      break;
    }
  }
  if (origins.length > 20) errors.origins = `At most 20 origins; ${origins.length} are listed`;

  const pageOrigin = d.pageOrigin.trim();
  if (pageOrigin) {
    const problem = originProblem(pageOrigin);
    if (problem) errors.pageOrigin = problem;
  }

  const healthPath = d.healthPath.trim() || '/health';
  if (!healthPath.startsWith('/'))
    errors.healthPath = `The health path must start with "/", such as /health; "${healthPath}" does not`;

  const idleRaw = d.idleLimitS.trim();
  const idle = idleRaw ? Number(idleRaw) : DEFAULT_IDLE_LIMIT_S;
  if (!Number.isFinite(idle) || idle < 1 || idle > 3600)
    errors.idleLimitS = `The idle limit must be a number of seconds from 1 to 3600, such as 75; "${idleRaw}" is not`;

  const echoRaw = d.echo.trim();
  const echo = echoRaw ? Number(echoRaw) : 0;
  if (!Number.isInteger(echo) || echo < 0 || echo > 1000)
    errors.echo = `Echo must be a whole number of messages from 0 to 1000, such as 5; "${echoRaw}" is not`;

  const headers: Array<[string, string]> = [];
  for (const h of d.headers) {
    if (!h.name.trim() && !h.value.trim()) continue;
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(h.name.trim())) {
      errors.headers = `"${h.name}" is not a valid header name (letters, digits and -, no spaces or colons)`;
      break;
    }
    if (h.name.trim().toLowerCase() === 'origin') {
      errors.headers = 'Give the Origin under “Origins your pages use”, not as a header';
      break;
    }
    // A secret the attach screen's reload did not keep: asked for, never sent empty.
    const missing = secretValueMissing(h);
    if (missing) {
      errors.headers = missing;
      break;
    }
    headers.push([h.name.trim(), h.value.trim()]);
  }

  const subprotocols = splitList(d.subprotocols);
  const badProtocol = subprotocols.find((p) => !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p));
  if (badProtocol)
    errors.subprotocols = `"${badProtocol}" is not a valid subprotocol (letters, digits and -, no spaces)`;

  const { protocol, initPayload } = protocolFields(d, false, errors);

  if (Object.keys(errors).length > 0) return { request: null, errors };
  const request: ProbeRequest = {
    url,
    origins,
    healthPath,
    idleLimitSeconds: idle,
    echo,
    headers,
    subprotocols,
    insecure: d.insecure,
    runId,
    ...(direct ? { direct } : {}),
    ...(pageOrigin ? { pageOrigin } : {}),
    ...(d.ca ? { caPem: d.ca.text } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    ...(initPayload ? { initPayload } : {}),
  };
  return { request, errors };
}

/** A one-line summary of the probe options, for the collapsed form. */
export function probeSummary(d: ProbeDraft): string {
  const parts: string[] = [];
  const idle = d.idleLimitS.trim() || String(DEFAULT_IDLE_LIMIT_S);
  parts.push(`idle hold up to ${idle} s`);
  const echo = Number(d.echo.trim() || 0);
  parts.push(echo > 0 ? `${echo} echo round trips` : 'no echo');
  parts.push(`health ${d.healthPath.trim() || '/health'}`);
  if (d.direct.trim()) parts.push(`direct ${d.direct.trim()}`);
  const origins = splitList(d.origins);
  if (origins.length) parts.push(`${origins.length} origin${origins.length === 1 ? '' : 's'}`);
  if (d.pageOrigin.trim()) parts.push(`page ${d.pageOrigin.trim()}`);
  const headers = d.headers.filter((h) => h.name.trim()).length;
  if (headers) parts.push(`${headers} header${headers === 1 ? '' : 's'}`);
  const protocols = splitList(d.subprotocols);
  if (protocols.length) parts.push(`subprotocols ${protocols.join(', ')}`);
  if (d.protocol) parts.push(d.protocol === 'none' ? 'plain socket' : `speaks ${d.protocol}`);
  if (d.initPayload.trim()) parts.push('init payload');
  if (d.ca) parts.push('custom CA');
  if (d.insecure) parts.push('any certificate');
  return parts.join(' · ');
}

/** The engine's words for a refused probe, with the command line's flags named as the form does. */
export function consoleWords(message: string): string {
  const flags: Array<[RegExp, string]> = [
    [/--direct\b/g, 'The direct URL'],
    [/--page-origin\b/g, 'The page origin'],
    [/--origin\b/g, 'The origin'],
    [/--health-path\b/g, 'The health path'],
    [/--idle-limit\b/g, 'The idle limit'],
    [/--echo\b/g, 'Echo'],
    [/--ca\b/g, 'The CA certificate'],
    [/--init-payload\b/g, 'The init payload'],
    [/--protocol\b/g, 'The protocol'],
  ];
  let out = message;
  for (const [re, words] of flags) out = out.replace(re, words);
  return out.charAt(0).toUpperCase() + out.slice(1);
}
