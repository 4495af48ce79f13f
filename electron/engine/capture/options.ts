// What a capture is asked to do, checked beyond its schema before anything is created: the URL,
// the TLS files, the proxy. Every mistake here is an InputError with a sentence that says what to
// change. Ranges and defaults are the contract's (shared/contract/capture.ts).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { CaptureRequest } from '../../../shared/contract.js';
import { InputError } from '../errors.js';
import { PEM_FILE_LIMIT, readUserFile } from '../files.js';

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

/** A certificate file must hold a PEM certificate: a garbage file fails here, not mid-handshake. */
export function checkCertificate(pem: Buffer | undefined, path: string | undefined, what: string): void {
  if (!pem) return;
  try {
    new X509Certificate(pem);
  } catch {
    throw new InputError(
      `the ${what} file ${path} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); check the file`,
    );
  }
}

function readMaterial(path: string | undefined, what: string): Buffer | undefined {
  if (path === undefined) return undefined;
  return readUserFile(path, `the ${what} file`, PEM_FILE_LIMIT);
}

/** Validates options and reads the TLS files; throws InputError on the first problem. */
export function prepareCapture(o: CaptureRequest): { url: URL; tls: TlsMaterial } {
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
  const tls = {
    ca: readMaterial(o.caFile, 'CA'),
    cert: readMaterial(o.certFile, 'client certificate'),
    key: readMaterial(o.keyFile, 'client key'),
  };
  checkCertificate(tls.ca, o.caFile, 'CA');
  checkCertificate(tls.cert, o.certFile, 'client certificate');
  if (tls.key) {
    try {
      createPrivateKey(tls.key);
    } catch {
      throw new InputError(
        `the client key file ${o.keyFile} is not an unencrypted private key in PEM; export the key without a passphrase`,
      );
    }
  }
  return { url, tls };
}
