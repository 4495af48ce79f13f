// Connection attempts that never opened: nothing listening, TLS refused, the upgrade refused by the
// server or dropped by a proxy; and a ws:// target used with an https Origin.
import { finding, type Finding } from '../findings.js';
import type { Headers } from '../contract/sessions.js';
import type { DiagConnection, RuleResult, SessionData } from './input.js';
import { countBy } from './stats.js';

const PROXY_SOFTWARE =
  /nginx|openresty|haproxy|envoy|traefik|caddy|apache|varnish|squid|cloudflare|awselb|akamai|fastly|istio|kong/i;

function header(headers: Headers, name: string): string | null {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? null : headers[key]!;
}

/** The proxy that answered, from the Server or Via header; null when nothing says so. */
export function proxySignature(headers: Headers): string | null {
  const via = header(headers, 'via');
  if (via) return `Via: ${via}`;
  const server = header(headers, 'server');
  return server && PROXY_SOFTWARE.test(server) ? server : null;
}

/**
 * Whether a refused upgrade looks like a proxy that dropped the Upgrade/Connection headers: a plain
 * page (2xx), a 400, or a 426 "Upgrade Required" (the client did send Upgrade, so something in
 * between removed it); 2xx and 400 count only when a proxy answered or the backend works directly.
 */
export function droppedUpgrade(status: number | null, headers: Headers, directWorks = false): boolean {
  if (status === null) return false;
  if (status === 426) return true;
  const plain = (status >= 200 && status < 300) || status === 400;
  return plain && (directWorks || proxySignature(headers) !== null);
}

/** Headers worth keeping as evidence of a refused upgrade. */
export function evidenceHeaders(headers: Headers): Headers {
  const keep = ['server', 'via', 'content-type', 'connection', 'upgrade', 'www-authenticate', 'x-reason'];
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers)) if (keep.includes(k.toLowerCase())) out[k] = v;
  return out;
}

/** True for an https page origin opening a ws:// URL. */
export function isMixedContent(pageOrigin: string | null, url: string): boolean {
  return pageOrigin !== null && /^https:/i.test(pageOrigin) && /^ws:/i.test(url);
}

/** The finding for a mixed-content pair. */
export function mixedContentFinding(pageOrigin: string, url: string): Finding {
  return finding(
    'mixed-content',
    `A page on ${pageOrigin} would open ${url}: browsers block ws:// from https pages before anything is sent.`,
    { pageOrigin, url, use: url.replace(/^ws:/i, 'wss:') },
  );
}

const UNREACHABLE = new Set(['refused', 'dns', 'proxy']);

function isHandshakeTimeout(c: DiagConnection): boolean {
  return c.error?.kind === 'timeout' && /handshake/i.test(c.error.message);
}

/** Findings and the check for the attempts of a recorded session that never opened. */
export function handshakeRule(data: SessionData): RuleResult {
  const attempts = data.connections;
  const failed = attempts.filter((c) => c.openedAt === null);
  const opened = attempts.length - failed.length;
  const findings: Finding[] = [];
  const unreachable = failed.filter(
    (c) =>
      c.error !== null &&
      (UNREACHABLE.has(c.error.kind) || (c.error.kind === 'timeout' && !isHandshakeTimeout(c))),
  );
  if (unreachable.length > 0) {
    const first = unreachable[0]!;
    findings.push(
      finding(
        'server-unreachable',
        `${unreachable.length} of ${attempts.length} connection attempts found nothing answering: ${first.error!.message}`,
        {
          attempts: unreachable.length,
          kinds: countBy(unreachable, (c) => c.error!.kind),
          url: first.url,
          message: first.error!.message,
          connections: unreachable.map((c) => c.ordinal).slice(0, 20),
        },
      ),
    );
  }
  const tls = failed.filter((c) => c.error?.kind === 'tls');
  if (tls.length > 0) {
    findings.push(
      finding('tls-error', `${tls.length} connection attempts failed in TLS: ${tls[0]!.error!.message}`, {
        attempts: tls.length,
        message: tls[0]!.error!.message,
        url: tls[0]!.url,
      }),
    );
  }
  const refused = failed.filter(
    (c) => c.error?.kind === 'upgrade-rejected' || (c.status !== null && c.status !== 101),
  );
  const dropped = refused.filter((c) => droppedUpgrade(c.status, c.responseHeaders));
  const rejected = refused.filter((c) => !dropped.includes(c));
  if (dropped.length > 0) {
    const c = dropped[0]!;
    findings.push(
      finding(
        'proxy-missing-upgrade',
        `${dropped.length} upgrades were answered with plain HTTP ${c.status}${proxySignature(c.responseHeaders) ? ` by ${proxySignature(c.responseHeaders)}` : ''}: the Upgrade/Connection headers did not reach the backend.`,
        {
          status: c.status,
          proxy: proxySignature(c.responseHeaders),
          headers: evidenceHeaders(c.responseHeaders),
          bodyHead: c.responseBodyHead?.slice(0, 200) ?? null,
          attempts: dropped.length,
        },
      ),
    );
  }
  const noAnswer = failed.filter(
    (c) =>
      !refused.includes(c) &&
      (isHandshakeTimeout(c) || (c.error !== null && ['reset', 'protocol', 'other'].includes(c.error.kind))),
  );
  if (rejected.length > 0 || noAnswer.length > 0) {
    const c = rejected[0] ?? noAnswer[0]!;
    findings.push(
      finding(
        'upgrade-rejected',
        // A refused upgrade is said first; else one that did not complete (a 101 refused for what
        // it negotiated among them), in the words of its error.
        rejected.length === 0
          ? `${noAnswer.length} upgrade${noAnswer.length === 1 ? '' : 's'} did not complete: ${c.error?.message ?? 'unknown error'}.`
          : c.status === 101
            ? `${rejected.length} upgrade${rejected.length === 1 ? ' was' : 's were'} answered 101 Switching Protocols without "Upgrade: websocket", so no WebSocket connection was made (a proxy on the path may have removed the header).`
            : c.status !== null
              ? `${rejected.length} upgrades were refused with HTTP ${c.status}${c.responseBodyHead ? `: "${c.responseBodyHead.slice(0, 80).trim()}"` : ''}.`
              : `${rejected.length} upgrades did not complete: ${c.error?.message ?? 'unknown error'}.`,
        {
          status: c.status,
          statuses: countBy(rejected, (r) => String(r.status)),
          headers: evidenceHeaders(c.responseHeaders),
          bodyHead: c.responseBodyHead?.slice(0, 200) ?? null,
          origin: c.requestHeaders.Origin ?? c.requestHeaders.origin ?? null,
          error: c.error?.message ?? null,
          attempts: rejected.length + noAnswer.length,
        },
      ),
    );
  }
  if (isMixedContent(data.origin, data.target)) findings.push(mixedContentFinding(data.origin!, data.target));
  return {
    check: {
      name: 'handshakes',
      ok: findings.length === 0,
      ms: null,
      detail: {
        attempts: attempts.length,
        opened,
        failed: failed.length,
        failures: countBy(
          failed,
          (c) => c.error?.kind ?? (c.status !== null ? `HTTP ${c.status}` : 'unknown'),
        ),
        statuses: countBy(
          attempts.filter((c) => c.status !== null),
          (c) => String(c.status),
        ),
      },
    },
    findings,
  };
}
