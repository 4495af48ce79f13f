// What a probe is asked to do, checked beyond its schema before anything is opened: the URLs, the
// origins, the CA (PEM text the request carries). Every mistake is an InputError with a sentence that says what to change.
// Ranges and defaults are the contract's (shared/contract/diagnose.ts).
import type { ProbeRequest } from '../../../shared/contract/diagnose.js';
import { checkCertificate, parseTarget } from '../capture/options.js';
import { planProtocol, type ProtocolPlan } from '../capture/protocols/index.js';
import { InputError } from '../errors.js';

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

/** A backend address that is the target itself compares nothing: refused before anything opens. */
export function refuseSameDirect(
  target: URL | null,
  direct: URL | null,
  names = { direct: '--direct', target: 'the target' },
): void {
  if (target && direct && direct.href === target.href)
    throw new InputError(
      `${names.direct} is the same URL as ${names.target}; give the backend address behind the proxy`,
    );
}

export interface PreparedProbe {
  target: URL;
  direct: URL | null;
  origins: string[];
  pageOrigin: string | null;
  headers: Array<[string, string]>;
  subprotocols: string[];
  ca: Buffer | undefined;
  /** The protocol the probe speaks on the target's connections (and on --direct's, planned alike). */
  protocol: ProtocolPlan;
  directProtocol: ProtocolPlan | null;
}

/** Validates options and the CA; throws InputError on the first problem. */
export function prepareProbe(o: ProbeRequest): PreparedProbe {
  const target = parseTarget(o.url);
  const direct = o.direct === undefined ? null : parseTarget(o.direct);
  refuseSameDirect(target, direct);
  const origins = [...new Set(o.origins.map((x) => parseOrigin(x, '--origin')))];
  const pageOrigin = o.pageOrigin === undefined ? null : parseOrigin(o.pageOrigin, '--page-origin');
  const headers = o.headers;
  if (headers.some(([k]) => k.toLowerCase() === 'origin'))
    throw new InputError('give the Origin with --origin, not as a header: the probe tries several origins');
  const plan = (url: URL) =>
    planProtocol({
      url,
      protocol: o.protocol,
      initPayload: o.initPayload,
      subscribe: [],
      subprotocols: o.subprotocols,
    });
  const protocol = plan(target);
  const directProtocol = direct ? plan(direct) : null;
  // The subprotocols a chosen protocol offers (`--protocol graphql-ws`), on every handshake.
  const subprotocols = protocol.subprotocols;
  const ca = o.caPem === undefined ? undefined : Buffer.from(o.caPem, 'utf8');
  checkCertificate(ca, 'CA', o.pemFiles?.ca);
  return {
    target: protocol.url,
    direct: directProtocol?.url ?? null,
    origins,
    pageOrigin,
    headers,
    subprotocols,
    ca,
    protocol,
    directProtocol,
  };
}
