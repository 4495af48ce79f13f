// Browser mode's keys: one-time links and the cookies they are traded for. A link printed by
// `frameline serve` opens the console once; its first use gives that browser a cookie of its own (a
// different secret, so a link seen later in a history, a log or a screen share opens nothing), and
// later uses are told that the link was used and how to get a new one (Enter in serve's terminal).
import { randomBytes, timingSafeEqual } from 'node:crypto';

export type LinkState = 'unused' | 'used' | 'unknown';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Finds `value` among `keys` comparing every one in constant time. */
function find(keys: Iterable<string>, value: string): string | undefined {
  let found: string | undefined;
  for (const k of keys) if (same(k, value)) found = k;
  return found;
}

export class HostKeys {
  /** Link tokens: true once used. */
  private readonly links = new Map<string, boolean>();
  private readonly cookies = new Set<string>();

  /** A new one-time link token. */
  newLink(): string {
    const token = randomBytes(24).toString('base64url');
    this.links.set(token, false);
    return token;
  }

  /** What `token` from a URL is: a link not used yet, one used already, or none of ours. */
  linkState(token: string): LinkState {
    const k = find(this.links.keys(), token);
    if (k === undefined) return 'unknown';
    return this.links.get(k) ? 'used' : 'unused';
  }

  /** Uses a link: the cookie secret it is traded for, or null when it is not an unused link. */
  trade(token: string): string | null {
    const k = find(this.links.keys(), token);
    if (k === undefined || this.links.get(k)) return null;
    this.links.set(k, true);
    const cookie = randomBytes(32).toString('base64url');
    this.cookies.add(cookie);
    return cookie;
  }

  /** True for a cookie a link was traded for. */
  knowsCookie(value: string | undefined): boolean {
    return value !== undefined && value !== '' && find(this.cookies, value) !== undefined;
  }
}
