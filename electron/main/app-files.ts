// The desktop app's app:// origin, without Electron: which file a request URL maps to (through the
// console-serving guard shared with browser mode) and which frame URLs are our own pages. main.ts
// wires these into protocol.handle; the unit tests run them under plain Node.
import { resolveInside } from '../serving/console-security.js';

/** The privileged scheme the console is loaded from. */
export const APP_SCHEME = 'app';
/** The one host of that scheme; with `standard: true` it makes the origin `app://frameline`. */
export const APP_HOST = 'frameline';
/** The console's origin: the only one whose top frame may call the engine. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window opens. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

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
