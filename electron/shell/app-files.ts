// What the app:// protocol serves, without Electron: which file a request maps to (never one outside
// the renderer's build folder), its MIME type, and the headers every answer carries. main.ts wires
// these into protocol.handle; the unit tests run them under plain Node.
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The privileged scheme the console is loaded from. */
export const APP_SCHEME = 'app';
/** The one host of that scheme; with `standard: true` it makes the origin `app://frameline`. */
export const APP_HOST = 'frameline';
/** The console's origin: the only one whose top frame may call the engine. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window opens. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The policy for everything served over app://: only our own files, no inline script or style, no
 * plugins, frames or form posts; `connect-src 'self'` because the engine is reached over IPC, never
 * over the network from the renderer.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

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

/** The headers of every app:// answer, found or not. */
export function responseHeaders(filePath: string | null): Record<string, string> {
  return {
    'Content-Type': filePath ? mimeType(filePath) : 'text/plain; charset=utf-8',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
}

/**
 * Maps a URL path (as it appears in the request, still percent-encoded) to a file inside `root`, or
 * null when it must be refused: anything that decodes to a parent segment, a backslash, a NUL, a
 * drive letter or a second leading slash, or that would resolve outside `root` by any route.
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

/** Maps a full app:// request URL to a file inside `root`, or null for any other scheme, host or path. */
export function resolveAppUrl(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  if (url.username || url.password || url.port) return null;
  return resolveInside(root, url.pathname);
}

/** True when a frame URL is a page of the console itself. */
export function isAppUrl(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`);
}
