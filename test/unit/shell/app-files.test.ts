import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  mimeType,
  resolveAppUrl,
  resolveInside,
  responseHeaders,
} from '../../../electron/shell/app-files.js';

const root = join(tmpdir(), 'frameline-renderer-root');

function inside(file: string | null): boolean {
  if (file === null) return false;
  const rel = relative(resolve(root), file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..';
}

describe('resolveInside', () => {
  it.each([
    ['/index.html', 'index.html'],
    ['/', 'index.html'],
    ['/assets/index-Cw8MZoXH.js', join('assets', 'index-Cw8MZoXH.js')],
    ['/assets/index-DkMUtNjJ.css', join('assets', 'index-DkMUtNjJ.css')],
    ['/fonts/', join('fonts', 'index.html')],
    ['/assets/file%20with%20space.svg', join('assets', 'file with space.svg')],
  ])('serves %s from inside the root', (urlPath, expected) => {
    const file = resolveInside(root, urlPath);
    expect(file).toBe(join(resolve(root), expected));
    expect(inside(file)).toBe(true);
  });

  it.each([
    ['a parent segment', '/../etc/passwd'],
    ['a parent segment deeper in', '/assets/../../etc/passwd'],
    ['a bare parent', '/..'],
    ['an encoded parent', '/%2e%2e/etc/passwd'],
    ['an encoded parent, upper case', '/%2E%2E/%2E%2E/etc/passwd'],
    ['a parent hidden behind an encoded slash', '/assets%2f..%2f..%2fetc%2fpasswd'],
    ['a dot segment', '/./index.html'],
    ['an absolute path after the slash', '//etc/passwd'],
    ['an encoded absolute path', '/%2fetc%2fpasswd'],
    ['a drive letter', '/C:/Windows/win.ini'],
    ['an encoded drive letter', '/c%3a%5cWindows%5cwin.ini'],
    ['a backslash', '/assets\\..\\..\\secret'],
    ['an encoded backslash', '/..%5c..%5csecret'],
    ['a NUL byte', '/index.html%00.png'],
    ['a raw NUL byte', '/index.html\0.png'],
    ['malformed percent-encoding', '/%E0%A4%A'],
    ['a path without a leading slash', 'index.html'],
    ['an empty path', ''],
  ])('refuses %s', (_what, urlPath) => {
    expect(resolveInside(root, urlPath)).toBeNull();
  });
});

describe('resolveAppUrl', () => {
  it('maps the entry URL to index.html', () => {
    expect(resolveAppUrl(root, APP_ENTRY_URL)).toBe(join(resolve(root), 'index.html'));
    expect(resolveAppUrl(root, `${APP_ORIGIN}/`)).toBe(join(resolve(root), 'index.html'));
  });

  it('drops the query and the fragment', () => {
    expect(resolveAppUrl(root, `${APP_ORIGIN}/assets/a.js?v=1#x`)).toBe(
      join(resolve(root), 'assets', 'a.js'),
    );
  });

  it('keeps URL-normalised parent segments inside the root', () => {
    // The URL parser folds `..` before we see it; whatever is left must still be inside.
    const file = resolveAppUrl(root, `${APP_ORIGIN}/assets/../../../etc/passwd`);
    expect(inside(file)).toBe(true);
    expect(file).toBe(join(resolve(root), 'etc', 'passwd'));
  });

  it.each([
    ['another host', 'app://elsewhere/index.html'],
    ['another scheme', 'https://frameline/index.html'],
    ['file://', 'file:///etc/passwd'],
    ['credentials', 'app://user:pw@frameline/index.html'],
    ['a port', 'app://frameline:8080/index.html'],
    ['an encoded traversal', `${APP_ORIGIN}/%2e%2e%2f%2e%2e%2fetc%2fpasswd`],
    ['an encoded NUL', `${APP_ORIGIN}/index.html%00`],
    ['not a URL', 'not a url'],
  ])('refuses %s', (_what, url) => {
    expect(resolveAppUrl(root, url)).toBeNull();
  });
});

describe('isAppUrl', () => {
  it('accepts only pages of the app origin', () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('app://frameline.evil/index.html')).toBe(false);
    expect(isAppUrl('app://frameline')).toBe(false);
    expect(isAppUrl('https://frameline/')).toBe(false);
    expect(isAppUrl('about:blank')).toBe(false);
  });
});

describe('mimeType', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['assets/index.js', 'text/javascript; charset=utf-8'],
    ['assets/chunk.mjs', 'text/javascript; charset=utf-8'],
    ['assets/index.CSS', 'text/css; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['logo.svg', 'image/svg+xml'],
    ['icon.png', 'image/png'],
    ['photo.jpeg', 'image/jpeg'],
    ['favicon.ico', 'image/x-icon'],
    ['font.woff2', 'font/woff2'],
    ['module.wasm', 'application/wasm'],
    ['unknown.bin', 'application/octet-stream'],
    ['no-extension', 'application/octet-stream'],
  ])('%s is %s', (file, type) => {
    expect(mimeType(file)).toBe(type);
  });
});

describe('the content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );

  it("starts from default-src 'none'", () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
  });

  it('allows scripts, styles and connections only from the app itself', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
    expect(directives.get('font-src')).toEqual(["'self'"]);
  });

  it('forbids base changes, form posts and framing', () => {
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('has no unsafe or wildcard source', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/\*|https?:|wss?:|blob:/);
  });

  it('is sent with every answer, found or not, with nosniff', () => {
    for (const headers of [responseHeaders('/x/index.html'), responseHeaders(null)]) {
      expect(headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(headers['X-Content-Type-Options']).toBe('nosniff');
    }
    expect(responseHeaders('/x/app.js')['Content-Type']).toBe('text/javascript; charset=utf-8');
  });
});
