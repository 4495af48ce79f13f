import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, APP_ORIGIN, isAppUrl, resolveAppUrl } from '../../../electron/main/app-files.js';

const root = join(tmpdir(), 'frameline-renderer-root');

function inside(file: string | null): boolean {
  if (file === null) return false;
  const rel = relative(resolve(root), file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..';
}

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
