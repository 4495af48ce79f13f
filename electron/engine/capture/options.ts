// What a capture is asked to do, checked beyond its schema before anything is created: the URL,
// the TLS material (PEM text the request carries: the engine reads no file a request names), the
// proxy. Every mistake here is an InputError with a sentence that says what to
// change. Ranges and defaults are the contract's (shared/contract/capture.ts).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { parseCaptureScript, ScriptError, type ScriptStep } from '../../../shared/capture-script.js';
import type { CaptureRequest } from '../../../shared/contract.js';
import { InputError } from '../errors.js';
import { planProtocol, type ProtocolPlan } from './protocols/index.js';

/** TLS material checked once, before connecting. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

const pemBytes = (text: string | undefined) => (text === undefined ? undefined : Buffer.from(text, 'utf8'));

/** The PEM texts of a request that connects to a wss:// server (a capture's, a relay's upstream). */
export type TlsPems = Pick<CaptureRequest, 'caPem' | 'certPem' | 'keyPem' | 'pemFiles'>;

/** Checks a request's CA, client certificate and key; throws InputError on the first problem. */
export function prepareTls(o: TlsPems): TlsMaterial {
  if ((o.certPem === undefined) !== (o.keyPem === undefined)) {
    throw new InputError('a client certificate needs both --cert FILE and --key FILE');
  }
  const tls = { ca: pemBytes(o.caPem), cert: pemBytes(o.certPem), key: pemBytes(o.keyPem) };
  checkCertificate(tls.ca, 'CA', o.pemFiles?.ca);
  checkCertificate(tls.cert, 'client certificate', o.pemFiles?.cert);
  checkPrivateKey(tls.key, o.pemFiles?.key);
  return tls;
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

/**
 * A certificate must be PEM: garbage fails here, not mid-handshake. `source` names the file it came
 * from (the request's `pemFiles`, as the command line gives them) in the sentence.
 */
export function checkCertificate(pem: Buffer | undefined, what: string, source?: string): void {
  if (!pem) return;
  try {
    new X509Certificate(pem);
  } catch {
    throw new InputError(
      `the ${what}${source ? ` file ${source}` : ''} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); ${source ? 'check the file' : 'choose the certificate file'}`,
    );
  }
}

/** A client key must be an unencrypted PEM private key. */
export function checkPrivateKey(pem: Buffer | undefined, source?: string): void {
  if (!pem) return;
  try {
    createPrivateKey(pem);
  } catch {
    throw new InputError(
      `the client key${source ? ` file ${source}` : ''} is not an unencrypted private key in PEM; export the key without a passphrase`,
    );
  }
}

/**
 * Validates options, the protocol to speak and the TLS material; throws InputError on the first
 * problem. The protocol's plan holds the URL to connect to (Socket.IO's own query added) and the
 * subprotocols to offer.
 */
export function prepareCapture(o: CaptureRequest): {
  url: URL;
  protocol: ProtocolPlan;
  tls: TlsMaterial;
  script: ScriptStep[] | null;
} {
  const url = parseTarget(o.url);
  const protocol = planProtocol({
    url,
    protocol: o.protocol,
    initPayload: o.initPayload,
    subscribe: o.subscribe,
    subprotocols: o.subprotocols,
  });
  const tls = prepareTls(o);
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
  return { url: protocol.url, protocol, tls, script: checkScript(o.script, o.scriptFile) };
}

/** The script's steps; a mistake is an InputError naming the file (when one is known) and the line. */
export function checkScript(text: string | undefined, file: string | undefined): ScriptStep[] | null {
  if (text === undefined) return null;
  try {
    return parseCaptureScript(text);
  } catch (err) {
    if (!(err instanceof ScriptError)) throw err;
    throw new InputError(`${file === undefined ? 'the script' : `script ${file}`}, ${err.message}`);
  }
}
