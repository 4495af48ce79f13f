import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveProxy } from '../../../../electron/engine/capture/proxy.js';

const VARS = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY'];
const ALL_VARS = [...VARS, ...VARS.map((v) => v.toLowerCase())];

let saved: Record<string, string | undefined>;

beforeEach(() => {
  saved = {};
  for (const v of ALL_VARS) {
    saved[v] = process.env[v];
    delete process.env[v];
  }
});

afterEach(() => {
  for (const v of ALL_VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

const wss = (s = 'wss://api.example.com/ws'): URL => new URL(s);
const ws = (s = 'ws://api.example.com/ws'): URL => new URL(s);

describe('resolveProxy', () => {
  it('connects directly when nothing is configured', () => {
    expect(resolveProxy(wss(), undefined)).toBeNull();
    expect(resolveProxy(ws(), undefined)).toBeNull();
  });

  it('returns an explicit proxy as given, ignoring the environment and NO_PROXY', () => {
    process.env.HTTPS_PROXY = 'http://env-proxy:3128';
    process.env.NO_PROXY = '*';
    expect(resolveProxy(wss(), 'http://explicit:8080')).toBe('http://explicit:8080');
  });

  it('returns null for an explicit null even when the environment names a proxy', () => {
    process.env.HTTPS_PROXY = 'http://env-proxy:3128';
    process.env.HTTP_PROXY = 'http://env-proxy:3128';
    process.env.ALL_PROXY = 'http://env-proxy:3128';
    expect(resolveProxy(wss(), null)).toBeNull();
    expect(resolveProxy(ws(), null)).toBeNull();
  });

  it('uses HTTPS_PROXY for wss:// and HTTP_PROXY for ws://', () => {
    process.env.HTTPS_PROXY = 'http://secure-proxy:3128';
    process.env.HTTP_PROXY = 'http://plain-proxy:3128';
    expect(resolveProxy(wss(), undefined)).toBe('http://secure-proxy:3128');
    expect(resolveProxy(ws(), undefined)).toBe('http://plain-proxy:3128');
  });

  it('does not use HTTP_PROXY for wss:// nor HTTPS_PROXY for ws://', () => {
    process.env.HTTP_PROXY = 'http://plain-proxy:3128';
    expect(resolveProxy(wss(), undefined)).toBeNull();
    delete process.env.HTTP_PROXY;
    process.env.HTTPS_PROXY = 'http://secure-proxy:3128';
    expect(resolveProxy(ws(), undefined)).toBeNull();
  });

  it('falls back to ALL_PROXY for both schemes', () => {
    process.env.ALL_PROXY = 'http://all-proxy:3128';
    expect(resolveProxy(wss(), undefined)).toBe('http://all-proxy:3128');
    expect(resolveProxy(ws(), undefined)).toBe('http://all-proxy:3128');
    process.env.HTTPS_PROXY = 'http://secure-proxy:3128';
    expect(resolveProxy(wss(), undefined)).toBe('http://secure-proxy:3128');
  });

  it('reads the lower-case variables too', () => {
    process.env.https_proxy = 'http://lower-secure:3128';
    process.env.http_proxy = 'http://lower-plain:3128';
    expect(resolveProxy(wss(), undefined)).toBe('http://lower-secure:3128');
    expect(resolveProxy(ws(), undefined)).toBe('http://lower-plain:3128');
    process.env.no_proxy = 'api.example.com';
    expect(resolveProxy(wss(), undefined)).toBeNull();
  });

  describe('NO_PROXY', () => {
    beforeEach(() => {
      process.env.HTTPS_PROXY = 'http://secure-proxy:3128';
      process.env.HTTP_PROXY = 'http://plain-proxy:3128';
    });

    it('exempts an exact host', () => {
      process.env.NO_PROXY = 'api.example.com';
      expect(resolveProxy(wss(), undefined)).toBeNull();
      expect(resolveProxy(wss('wss://other.example.com/'), undefined)).toBe('http://secure-proxy:3128');
    });

    it('exempts subdomains of a .suffix entry', () => {
      process.env.NO_PROXY = '.example.com';
      expect(resolveProxy(wss('wss://api.example.com/'), undefined)).toBeNull();
      expect(resolveProxy(wss('wss://a.b.example.com/'), undefined)).toBeNull();
      expect(resolveProxy(wss('wss://example.org/'), undefined)).toBe('http://secure-proxy:3128');
    });

    it('matches on a domain boundary only', () => {
      process.env.NO_PROXY = 'example.com';
      expect(resolveProxy(wss('wss://notexample.com/'), undefined)).toBe('http://secure-proxy:3128');
      expect(resolveProxy(wss('wss://sub.example.com/'), undefined)).toBeNull();
    });

    it('exempts host:port only on that port, counting default ports', () => {
      process.env.NO_PROXY = 'api.example.com:8080';
      expect(resolveProxy(ws('ws://api.example.com:8080/'), undefined)).toBeNull();
      expect(resolveProxy(ws('ws://api.example.com:9090/'), undefined)).toBe('http://plain-proxy:3128');
      expect(resolveProxy(ws('ws://api.example.com/'), undefined)).toBe('http://plain-proxy:3128');
      process.env.NO_PROXY = 'api.example.com:443';
      expect(resolveProxy(wss('wss://api.example.com/'), undefined)).toBeNull();
      process.env.NO_PROXY = 'api.example.com:80';
      expect(resolveProxy(ws('ws://api.example.com/'), undefined)).toBeNull();
      expect(resolveProxy(wss('wss://api.example.com/'), undefined)).toBe('http://secure-proxy:3128');
    });

    it('exempts everything with *', () => {
      process.env.NO_PROXY = '*';
      expect(resolveProxy(wss(), undefined)).toBeNull();
      expect(resolveProxy(ws('ws://10.0.0.1:1234/'), undefined)).toBeNull();
    });

    it('reads a comma and space separated list', () => {
      process.env.NO_PROXY = 'localhost, 127.0.0.1 ,.internal';
      expect(resolveProxy(ws('ws://localhost:8080/'), undefined)).toBeNull();
      expect(resolveProxy(ws('ws://127.0.0.1:8080/'), undefined)).toBeNull();
      expect(resolveProxy(ws('ws://svc.internal/'), undefined)).toBeNull();
      expect(resolveProxy(ws('ws://api.example.com/'), undefined)).toBe('http://plain-proxy:3128');
    });
  });
});
