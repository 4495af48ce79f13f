import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureRequestSchema, type CaptureRequest } from '../../../../shared/contract.js';
import { InputError } from '../../../../electron/engine/errors.js';
import { parseTarget, prepareCapture } from '../../../../electron/engine/capture/options.js';
import { selfSigned } from '../../../support/certs.js';
import { thrown } from '../../../support/thrown.js';

describe('parseTarget', () => {
  it.each([
    'ws://localhost:8080/socket',
    'wss://example.com/ws?token=abc',
    'WS://EXAMPLE.com',
    'ws://[::1]:9000/',
  ])('accepts %s', (raw) => {
    const url = parseTarget(raw);
    expect(url).toBeInstanceOf(URL);
    expect(['ws:', 'wss:']).toContain(url.protocol);
  });

  it('returns the parsed URL parts', () => {
    const url = parseTarget('wss://example.com:8443/live?x=1');
    expect(url.hostname).toBe('example.com');
    expect(url.port).toBe('8443');
    expect(url.pathname).toBe('/live');
    expect(url.search).toBe('?x=1');
  });

  it('rejects http:// and suggests ws://', () => {
    const err = thrown(() => parseTarget('http://example.com/socket'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain('ws://');
    expect(err.message).not.toContain('wss://');
  });

  it('rejects https:// and suggests wss://', () => {
    const err = thrown(() => parseTarget('https://example.com/socket'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain('wss://');
  });

  it('rejects ftp: as an unsupported scheme', () => {
    const err = thrown(() => parseTarget('ftp://example.com/file'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/unsupported scheme "ftp"/);
  });

  it.each(['', 'not a url', 'localhost:8080', '//example.com/ws', 'ws://'])('rejects garbage %j', (raw) => {
    expect(() => parseTarget(raw)).toThrow(InputError);
  });

  it('rejects a URL with a #fragment', () => {
    const err = thrown(() => parseTarget('ws://example.com/socket#frag'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/fragment/);
  });
});

describe('prepareCapture', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'frameline-options-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function base(over: Partial<CaptureRequest> = {}): CaptureRequest {
    return CaptureRequestSchema.parse({ url: 'wss://example.com/ws', compression: true, ...over });
  }

  it('returns the parsed URL and no TLS material for plain options', () => {
    const { url, tls } = prepareCapture(base());
    expect(url.href).toBe('wss://example.com/ws');
    expect(tls).toEqual({ ca: undefined, cert: undefined, key: undefined });
  });

  it('takes the CA, certificate and key as PEM text', () => {
    const ca = selfSigned(dir, 'ca', 'Test CA');
    const client = selfSigned(dir, 'client', 'client');
    const { tls } = prepareCapture(
      base({ caPem: ca.cert.toString(), certPem: client.cert.toString(), keyPem: client.key.toString() }),
    );
    expect(tls.ca).toEqual(ca.cert);
    expect(tls.cert).toEqual(client.cert);
    expect(tls.key).toEqual(client.key);
  });

  it('refuses garbage as the CA, certificate or key before anything connects', () => {
    const client = selfSigned(dir, 'client', 'client');
    expect(thrown(() => prepareCapture(base({ caPem: 'not a certificate' }))).message).toMatch(
      /^the CA holds no PEM certificate/,
    );
    expect(
      thrown(() => prepareCapture(base({ certPem: 'not a certificate', keyPem: client.key.toString() })))
        .message,
    ).toMatch(/^the client certificate holds no PEM certificate/);
    expect(
      thrown(() => prepareCapture(base({ certPem: client.cert.toString(), keyPem: 'garbage' }))).message,
    ).toMatch(/^the client key is not an unencrypted private key/);
  });

  it('refuses a path in place of the PEM text: the engine reads no file a request names', () => {
    for (const field of ['caFile', 'certFile', 'keyFile']) {
      const r = CaptureRequestSchema.safeParse({ url: 'wss://example.com/ws', [field]: '/etc/ssl/ca.pem' });
      expect(r.success, field).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(
        /reads no file a request names; send the file's PEM text as/,
      );
    }
    expect(
      CaptureRequestSchema.safeParse({ url: 'wss://example.com/ws', caPem: 'x'.repeat(1024 * 1024 + 1) })
        .success,
    ).toBe(false);
  });

  it('rejects a certificate without a key and a key without a certificate', () => {
    const client = selfSigned(dir, 'client', 'client');
    const a = thrown(() => prepareCapture(base({ certPem: client.cert.toString() })));
    expect(a).toBeInstanceOf(InputError);
    expect(a.message).toMatch(/--cert FILE and --key FILE/);
    expect(() => prepareCapture(base({ keyPem: client.key.toString() }))).toThrow(InputError);
  });

  it('accepts http and https proxies and treats null as no proxy', () => {
    expect(() => prepareCapture(base({ proxy: 'http://proxy.local:3128' }))).not.toThrow();
    expect(() => prepareCapture(base({ proxy: 'https://proxy.local:3129' }))).not.toThrow();
    expect(() => prepareCapture(base({ proxy: null }))).not.toThrow();
  });

  it.each(['socks5://proxy.local:1080', 'ftp://proxy.local'])('rejects the proxy scheme of %s', (proxy) => {
    const err = thrown(() => prepareCapture(base({ proxy })));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/proxy scheme/);
  });

  it('rejects a proxy that is not a URL', () => {
    const err = thrown(() => prepareCapture(base({ proxy: 'proxy.local 3128' })));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/not a valid URL/);
  });

  it('rejects an origin that is not a URL', () => {
    expect(() => prepareCapture(base({ origin: 'app.example.com' }))).toThrow(InputError);
    expect(() => prepareCapture(base({ origin: 'https://app.example.com' }))).not.toThrow();
  });

  it('rejects a bad target before anything else', () => {
    expect(() => prepareCapture(base({ url: 'http://example.com' }))).toThrow(InputError);
  });
});
