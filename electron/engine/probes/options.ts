// What a probe is asked to do, validated before anything is opened: every mistake is an InputError
// with a sentence that says what to change.
import { readFileSync } from 'node:fs';
import { parseTarget } from '../capture/options.js';
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
  ca: Buffer | undefined;
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
  return { target, direct, origins, pageOrigin, ca };
}
