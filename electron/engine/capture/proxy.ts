// Proxies: an explicit --proxy, or the usual environment variables (HTTPS_PROXY for wss://,
// HTTP_PROXY for ws://, ALL_PROXY for both, NO_PROXY to exempt hosts). WebSocket traffic goes
// through an HTTP proxy with CONNECT.
import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';

function env(name: string): string | undefined {
  return process.env[name] ?? process.env[name.toLowerCase()] ?? undefined;
}

function exempt(host: string, port: string): boolean {
  const list = env('NO_PROXY');
  if (!list) return false;
  return list
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [h, p] = entry.toLowerCase().split(':');
      if (p && p !== port) return false;
      const bare = h!.replace(/^\*?\./, '');
      const name = host.toLowerCase();
      return name === bare || name.endsWith(`.${bare}`);
    });
}

/** The proxy URL a connection to `target` should use, or null for a direct connection. */
export function resolveProxy(target: URL, explicit: string | null | undefined): string | null {
  if (explicit !== undefined) return explicit;
  const port = target.port || (target.protocol === 'wss:' ? '443' : '80');
  if (exempt(target.hostname, port)) return null;
  return (target.protocol === 'wss:' ? env('HTTPS_PROXY') : env('HTTP_PROXY')) ?? env('ALL_PROXY') ?? null;
}

export function proxyAgent(proxyUrl: string): Agent {
  return new HttpsProxyAgent(proxyUrl);
}
