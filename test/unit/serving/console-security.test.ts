// The console-serving policy shared by app:// and browser mode: the path guard, MIME types, the CSP
// and the headers, and the meta tag the build writes into the page from it.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reportStyleSource } from '../../../electron/engine/reports/report-style.js';
import {
  CONTENT_SECURITY_POLICY,
  META_CONTENT_SECURITY_POLICY,
  mimeType,
  resolveInside,
  responseHeaders,
} from '../../../electron/serving/console-security.js';

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
    // and the incident report's one stylesheet, by its hash (the console previews reports in a sandboxed frame)
    expect(directives.get('style-src')).toEqual(["'self'", reportStyleSource()]);
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

describe('one policy for both shells and the page itself', () => {
  it('sends the same security headers with every answer', () => {
    const headers = responseHeaders(null);
    expect(headers).toMatchObject({
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
    });
  });

  it('puts the header policy, less frame-ancestors (ignored in a meta tag), in the built index.html', () => {
    const built = join(fileURLToPath(new URL('../../..', import.meta.url)), 'dist/renderer/index.html');
    expect(existsSync(built), 'dist/renderer/index.html is missing: run npm run build').toBe(true);
    const metas = [
      ...readFileSync(built, 'utf8').matchAll(
        /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/gi,
      ),
    ];
    expect(metas.map((m) => m[1])).toEqual([META_CONTENT_SECURITY_POLICY]);
    expect(META_CONTENT_SECURITY_POLICY).toBe(
      CONTENT_SECURITY_POLICY.replace(/;\s*frame-ancestors 'none'/, ''),
    );
  });
});
