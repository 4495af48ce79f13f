// The layers under the WebSocket, checked one at a time as an engineer would by hand: resolve the
// name, open TCP, look at the TLS certificate and protocol, GET the health path. Every step is
// timed, bounded by a timeout, and reports failures as data instead of throwing.
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { checkServerIdentity, connect as tlsConnect, type DetailedPeerCertificate } from 'node:tls';
import type {
  CertificateSummary,
  DnsObservation,
  HealthObservation,
  StepError,
  TcpObservation,
  TlsObservation,
} from '../../../shared/diagnosis/probe.js';
import type { Headers } from '../../../shared/contract.js';

const DAY_MS = 86_400_000;
/** Addresses tried in turn before TCP is declared unreachable. */
const MAX_ADDRESSES = 4;
const BODY_HEAD_BYTES = 512;

function stepError(err: unknown, fallback = 'ERROR'): StepError {
  const e = err as NodeJS.ErrnoException;
  return { code: e.code ?? fallback, message: e.message ?? String(err) };
}

/** The host of a URL without IPv6 brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The port of a ws:// or wss:// URL, defaults included. */
export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'wss:' || url.protocol === 'https:' ? 443 : 80;
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves the host name (all addresses, in the resolver's order). */
export async function resolveHost(host: string, timeoutMs: number): Promise<DnsObservation> {
  if (isIP(host)) return { ms: 0, host, literal: true, addresses: [host], error: null };
  const t0 = performance.now();
  return withTimeout(
    lookup(host, { all: true, verbatim: true }).then(
      (found): DnsObservation => ({
        ms: performance.now() - t0,
        host,
        literal: false,
        addresses: found.map((a) => a.address),
        error: null,
      }),
      (err: unknown): DnsObservation => ({
        ms: performance.now() - t0,
        host,
        literal: false,
        addresses: [],
        error: {
          code: (err as NodeJS.ErrnoException).code ?? 'ENOTFOUND',
          message: `cannot resolve ${host} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check the name and DNS`,
        },
      }),
    ),
    timeoutMs,
    () => ({
      ms: performance.now() - t0,
      host,
      literal: false,
      addresses: [],
      error: { code: 'ETIMEOUT', message: `resolving ${host} took longer than ${timeoutMs / 1000} s` },
    }),
  );
}

function tryConnect(address: string, port: number, timeoutMs: number): Promise<StepError | null> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: address, port });
    const done = (result: StepError | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        done({
          code: 'ETIMEDOUT',
          message: `no answer from ${address}:${port} within ${timeoutMs / 1000} s`,
        }),
      timeoutMs,
    );
    socket.once('connect', () => done(null));
    socket.once('error', (err) => done(stepError(err)));
  });
}

/** Opens (and closes) a TCP connection to the first address that accepts one. */
export async function connectTcp(
  addresses: readonly string[],
  port: number,
  timeoutMs: number,
): Promise<TcpObservation> {
  const failed: TcpObservation['failed'] = [];
  let last: StepError | null = null;
  const t0 = performance.now();
  for (const address of addresses.slice(0, MAX_ADDRESSES)) {
    const start = performance.now();
    const err = await tryConnect(address, port, timeoutMs);
    if (!err) return { ms: performance.now() - start, port, address, failed, error: null };
    failed.push({ address, code: err.code });
    last = err;
  }
  const where =
    addresses.length === 1 ? `${addresses[0]}:${port}` : `port ${port} of ${addresses.join(', ')}`;
  const message =
    last?.code === 'ECONNREFUSED'
      ? `connection refused on ${where}: nothing listens there (is the server up, is the port right?)`
      : last?.code === 'ETIMEDOUT'
        ? `${last.message}: a firewall may drop the packets, or the host is down`
        : `cannot connect to ${where}: ${last?.message ?? 'no address to try'}`;
  return {
    ms: performance.now() - t0,
    port,
    address: null,
    failed,
    error: { code: last?.code ?? 'ENOADDRESS', message },
  };
}

function name(field: unknown): string {
  if (field && typeof field === 'object') {
    const f = field as Record<string, unknown>;
    const cn = f.CN ?? f.O;
    return Array.isArray(cn) ? cn.join(', ') : String(cn ?? '');
  }
  return '';
}

function summarize(cert: DetailedPeerCertificate): CertificateSummary {
  const validTo = Date.parse(cert.valid_to);
  return {
    subject: name(cert.subject),
    issuer: name(cert.issuer),
    validFrom: new Date(Date.parse(cert.valid_from)).toISOString(),
    validTo: new Date(validTo).toISOString(),
    daysLeft: Math.floor((validTo - Date.now()) / DAY_MS),
    selfSigned:
      cert.issuerCertificate === cert ||
      (cert.fingerprint256 !== undefined && cert.issuerCertificate?.fingerprint256 === cert.fingerprint256),
    altNames: cert.subjectaltname ?? null,
  };
}

/** The certificates the server presented, leaf first. */
function chainOf(leaf: DetailedPeerCertificate): CertificateSummary[] {
  const out: CertificateSummary[] = [];
  const seen = new Set<string>();
  let c: DetailedPeerCertificate | undefined = leaf;
  while (c && c.fingerprint256 && !seen.has(c.fingerprint256) && out.length < 10) {
    seen.add(c.fingerprint256);
    out.push(summarize(c));
    c = c.issuerCertificate;
  }
  return out;
}

/** Completes a TLS handshake without trusting it, and reports what a verifying client would say. */
export function checkTls(
  address: string,
  port: number,
  servername: string,
  ca: Buffer | undefined,
  timeoutMs: number,
): Promise<TlsObservation> {
  const t0 = performance.now();
  const base: TlsObservation = {
    ms: 0,
    servername,
    authorized: false,
    authorizationError: null,
    hostnameError: null,
    protocol: null,
    alpn: null,
    cipher: null,
    chain: [],
    error: null,
  };
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: address,
      port,
      // SNI carries names only; an IP address is checked against the certificate's IP entries.
      ...(isIP(servername) ? {} : { servername }),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      ...(ca ? { ca } : {}),
    });
    const done = (o: TlsObservation) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(
      () =>
        done({
          ...base,
          ms: performance.now() - t0,
          error: {
            code: 'ERR_TLS_HANDSHAKE_TIMEOUT',
            message: `no TLS handshake within ${timeoutMs / 1000} s`,
          },
        }),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true);
      const identity =
        cert && Object.keys(cert).length > 0 ? checkServerIdentity(servername, cert) : undefined;
      const authError = socket.authorizationError as unknown;
      done({
        ...base,
        ms: performance.now() - t0,
        authorized: socket.authorized,
        authorizationError:
          authError === null || authError === undefined
            ? null
            : authError instanceof Error
              ? ((authError as NodeJS.ErrnoException).code ?? authError.message)
              : String(authError),
        hostnameError: identity ? identity.message : null,
        protocol: socket.getProtocol(),
        alpn: socket.alpnProtocol || null,
        cipher: socket.getCipher()?.name ?? null,
        chain: cert && Object.keys(cert).length > 0 ? chainOf(cert) : [],
      });
    });
    socket.once('error', (err) => done({ ...base, ms: performance.now() - t0, error: stepError(err) }));
  });
}

function headerObject(res: IncomingMessage): Headers {
  const out: Headers = {};
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const key = res.rawHeaders[i]!;
    out[key] = out[key] === undefined ? res.rawHeaders[i + 1]! : `${out[key]}, ${res.rawHeaders[i + 1]}`;
  }
  return out;
}

/** GETs the health path on the endpoint's host and port (http for ws://, https for wss://). */
export function checkHealth(
  target: URL,
  path: string,
  ca: Buffer | undefined,
  insecure: boolean,
  timeoutMs: number,
): Promise<HealthObservation> {
  const secure = target.protocol === 'wss:';
  const url = `${secure ? 'https' : 'http'}://${target.host}${path}`;
  const t0 = performance.now();
  const host = bareHost(target);
  return new Promise((resolve) => {
    const options = {
      host,
      port: portOf(target),
      path,
      method: 'GET',
      agent: false as const,
      headers: { 'User-Agent': 'frameline-probe', Accept: '*/*' },
      ...(secure
        ? {
            rejectUnauthorized: !insecure,
            ...(ca ? { ca } : {}),
            ...(isIP(host) ? {} : { servername: host }),
          }
        : {}),
    };
    let settled = false;
    const done = (o: HealthObservation) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    const req = (secure ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      const finish = () =>
        done({
          ms: performance.now() - t0,
          url,
          status: res.statusCode ?? null,
          headers: headerObject(res),
          bodyHead: Buffer.concat(chunks).subarray(0, BODY_HEAD_BYTES).toString('utf8'),
          error: null,
        });
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        length += c.length;
        if (length >= BODY_HEAD_BYTES) finish();
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    const timer = setTimeout(
      () =>
        done({
          ms: performance.now() - t0,
          url,
          status: null,
          headers: {},
          bodyHead: '',
          error: { code: 'ETIMEDOUT', message: `no answer to GET ${path} within ${timeoutMs / 1000} s` },
        }),
      timeoutMs,
    );
    req.on('error', (err) =>
      done({
        ms: performance.now() - t0,
        url,
        status: null,
        headers: {},
        bodyHead: '',
        error: stepError(err),
      }),
    );
    req.end();
  });
}
