// Which header lines cross a proxy: not those of one hop (RFC 9110 §7.6.1), nor those the
// Connection header names; the relay also keeps each leg's own WebSocket handshake headers apart.

/** Headers of one hop, never passed on by a proxy. */
export const HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Headers that belong to one hop or to one leg's WebSocket handshake: each leg of the relay has its
 * own. Everything else the client sent goes upstream, and everything else the upstream answered
 * goes back.
 */
export const LEG_HEADERS: ReadonlySet<string> = new Set([
  ...HOP_HEADERS,
  'host',
  'content-length',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-accept',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

/** Raw header lines (name, value, name, value…) as pairs, without `dropped` and those Connection names. */
export function passedHeaders(
  raw: readonly string[],
  dropped: ReadonlySet<string> = HOP_HEADERS,
): Array<[string, string]> {
  const named = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]!.toLowerCase() === 'connection')
      for (const n of raw[i + 1]!.split(',')) named.add(n.trim().toLowerCase());
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!dropped.has(name) && !named.has(name)) out.push([raw[i]!, raw[i + 1]!]);
  }
  return out;
}
