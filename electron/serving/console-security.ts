// How the console is served, in one place for both shells: the desktop app's app:// protocol
// (main/main.ts) and browser mode's HTTP server (browser-host/server.ts) answer with the same policy, the same
// MIME types and headers, and map URL paths to files through the same guard. The page's own CSP
// meta tag is generated from this module when the renderer is built (vite.config.ts). Plain Node:
// no electron, no DOM.
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { reportStyleSource } from '../engine/reports/report-style.js';

/**
 * The console's Content-Security-Policy directives: only our own files, no inline script or style,
 * no plugins, frames or form posts. `connect-src 'self'` lets browser mode open its WebSocket to
 * the page's own host; the desktop app reaches the engine over IPC and connects to nothing.
 */
const POLICY: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  // And the incident report's one stylesheet, by its hash: the console previews a report in a
  // sandboxed frame, which keeps this policy.
  ['style-src', `'self' ${reportStyleSource()}`],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** Directives a browser ignores (and warns about) when they come in a <meta> tag. */
const HEADER_ONLY = new Set(['frame-ancestors']);

/** The policy every answer carries as a header. */
export const CONTENT_SECURITY_POLICY = POLICY.map(([d, v]) => `${d} ${v}`).join('; ');

/** The same policy for the page's <meta http-equiv> tag: the header's, less what a meta cannot carry. */
export const META_CONTENT_SECURITY_POLICY = POLICY.filter(([d]) => !HEADER_ONLY.has(d))
  .map(([d, v]) => `${d} ${v}`)
  .join('; ');

/** The tag the build puts in index.html, so the page is guarded even where headers are lost. */
export function cspMetaTag(): string {
  return `<meta http-equiv="Content-Security-Policy" content="${META_CONTENT_SECURITY_POLICY}" />`;
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

/** The Content-Type for a served file; unknown extensions are opaque bytes (and nosniff keeps them so). */
export function mimeType(filePath: string): string {
  return MIME_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The headers of every answer, found or not, in both shells: the policy, no MIME sniffing, no
 * referrer, no opener, no embedding and no cross-origin reads, nothing cached (browser mode's
 * pages sit behind a token).
 */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  };
}

/** The headers for one answer: the security headers and the body's Content-Type (null: a text message). */
export function responseHeaders(filePath: string | null): Record<string, string> {
  return {
    ...securityHeaders(),
    'Content-Type': filePath ? mimeType(filePath) : 'text/plain; charset=utf-8',
  };
}

/**
 * Maps a URL path (as it appears in the request, still percent-encoded) to a file inside `root`, or
 * null when it must be refused: anything that decodes to a parent or dot segment, a backslash, a
 * NUL, a drive letter or a second leading slash, or that would resolve outside `root` by any route.
 * A path ending in `/` means its index.html.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  if (!urlPath.startsWith('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed percent-encoding
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const inner = decoded.slice(1);
  if (inner.startsWith('/') || /^[a-zA-Z]:/.test(inner) || isAbsolute(inner)) return null;
  const segments = inner.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return null;

  const rootDir = resolve(root);
  const file = resolve(rootDir, inner === '' || inner.endsWith('/') ? `${inner}index.html` : inner);
  const rel = relative(rootDir, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return null;
  return file;
}
