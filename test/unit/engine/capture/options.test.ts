import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../../electron/engine/errors.js';
import {
  DEFAULT_RECONNECT,
  DEFAULTS,
  parseHeader,
  parseTarget,
  prepareCapture,
  type CaptureOptions,
  type ReconnectPolicy,
} from '../../../../electron/engine/capture/options.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to throw');
}

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

describe('parseHeader', () => {
  it('parses "Name: value"', () => {
    expect(parseHeader('Authorization: Bearer abc.def')).toEqual(['Authorization', 'Bearer abc.def']);
  });

  it('trims spaces around the name and the value and keeps colons in the value', () => {
    expect(parseHeader('  X-Trace :  a:b:c  ')).toEqual(['X-Trace', 'a:b:c']);
  });

  it('accepts an empty value', () => {
    expect(parseHeader('X-Empty:')).toEqual(['X-Empty', '']);
  });

  it.each(['novalue', ': value', ''])('rejects %j as malformed', (raw) => {
    const err = thrown(() => parseHeader(raw));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/Name: value/);
  });

  it.each(['Bad Name: v', 'Bad(name): v', 'Bad"name": v', 'Bäd: v', 'a/b: v'])(
    'rejects the bad name in %j',
    (raw) => {
      const err = thrown(() => parseHeader(raw));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(/header name/);
    },
  );

  it.each(['X-A: one\r\nX-Injected: two', 'X-A: one\ntwo', 'X-A: one\rtwo', 'X-A: one\0two'])(
    'rejects a line break or NUL inside the value of %j',
    (raw) => {
      const err = thrown(() => parseHeader(raw));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(/line break/);
    },
  );
});

describe('prepareCapture', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'frameline-options-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function base(over: Partial<CaptureOptions> = {}): CaptureOptions {
    return {
      url: 'wss://example.com/ws',
      headers: [],
      subprotocols: [],
      compression: true,
      insecure: false,
      connectTimeoutMs: DEFAULTS.connectTimeoutMs,
      maxPayload: DEFAULTS.maxPayload,
      payloadCap: DEFAULTS.payloadCap,
      sends: [],
      ...over,
    };
  }

  it('returns the parsed URL and no TLS material for plain options', () => {
    const { url, tls } = prepareCapture(base());
    expect(url.href).toBe('wss://example.com/ws');
    expect(tls).toEqual({ ca: undefined, cert: undefined, key: undefined });
  });

  it('reads the CA, certificate and key files', () => {
    const ca = join(dir, 'ca.pem');
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    writeFileSync(ca, 'CA BYTES');
    writeFileSync(cert, 'CERT BYTES');
    writeFileSync(key, 'KEY BYTES');
    const { tls } = prepareCapture(base({ caFile: ca, certFile: cert, keyFile: key }));
    expect(tls.ca?.toString()).toBe('CA BYTES');
    expect(tls.cert?.toString()).toBe('CERT BYTES');
    expect(tls.key?.toString()).toBe('KEY BYTES');
  });

  it('rejects an unreadable CA file path, naming it', () => {
    const missing = join(dir, 'no-such-ca.pem');
    const err = thrown(() => prepareCapture(base({ caFile: missing })));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(missing);
    expect(err.message).toContain('ENOENT');
  });

  it('rejects a CA path that is a folder', () => {
    expect(() => prepareCapture(base({ caFile: dir }))).toThrow(InputError);
  });

  it('rejects a certificate without a key and a key without a certificate', () => {
    const f = join(dir, 'x.pem');
    writeFileSync(f, 'x');
    const a = thrown(() => prepareCapture(base({ certFile: f })));
    expect(a).toBeInstanceOf(InputError);
    expect(a.message).toMatch(/--cert FILE and --key FILE/);
    expect(() => prepareCapture(base({ keyFile: f }))).toThrow(InputError);
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

  it('accepts the default reconnect policy and an unlimited one', () => {
    expect(() => prepareCapture(base({ reconnect: DEFAULT_RECONNECT }))).not.toThrow();
    expect(() =>
      prepareCapture(base({ reconnect: { ...DEFAULT_RECONNECT, attempts: Infinity } })),
    ).not.toThrow();
  });

  it.each<[string, Partial<ReconnectPolicy>]>([
    ['negative base', { baseMs: -1 }],
    ['max below base', { baseMs: 1000, maxMs: 999 }],
    ['factor below 1', { factor: 0.5 }],
    ['negative jitter', { jitter: -0.1 }],
    ['jitter above 1', { jitter: 1.5 }],
    ['zero attempts', { attempts: 0 }],
  ])('rejects an inconsistent reconnect policy: %s', (_label, over) => {
    const err = thrown(() => prepareCapture(base({ reconnect: { ...DEFAULT_RECONNECT, ...over } })));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/reconnect policy is inconsistent/);
  });

  it('accepts valid subprotocol tokens', () => {
    expect(() =>
      prepareCapture(base({ subprotocols: ['graphql-transport-ws', 'v1.json', 'mqtt'] })),
    ).not.toThrow();
  });

  it.each(['two words', '', 'a,b', 'proto/1', 'ü'])('rejects the subprotocol %j', (p) => {
    const err = thrown(() => prepareCapture(base({ subprotocols: ['ok', p] })));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/subprotocol/);
  });

  it('rejects a bad target before anything else', () => {
    expect(() => prepareCapture(base({ url: 'http://example.com' }))).toThrow(InputError);
  });
});
