// Certificates made by openssl for TLS scenarios: a self-signed server certificate for localhost
// and 127.0.0.1, and a self-signed client certificate.
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertPair {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

export function selfSigned(dir: string, name: string, cn: string, days = 2): CertPair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      String(days),
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/**
 * The base64 SHA-256 of the public key every leaf of Frameline's local CA in `caDir` shares: what
 * Chromium's --ignore-certificate-errors-spki-list pins, so that it trusts those leaves and nothing else.
 */
export function localCaLeafSpki(caDir: string): string {
  const key = createPublicKey(createPrivateKey(readFileSync(join(caDir, 'leaf.key'))));
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}
