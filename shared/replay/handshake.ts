// What of a recorded handshake a replay sends again: the request headers a client chose (auth,
// cookies, user agent…), never those the WebSocket library writes itself for each connection.

/** Headers every WebSocket client writes per connection, or that a replay sets from its own options. */
const PER_CONNECTION = new Set([
  'host',
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
  'origin',
  'content-length',
]);

/** A recorded request's headers worth sending again, in order, as [name, value]. */
export function replayableHeaders(recorded: Record<string, string>): Array<[string, string]> {
  return Object.entries(recorded).filter(([k]) => !PER_CONNECTION.has(k.toLowerCase()));
}

/** A header of a recorded request, matched without regard to case. */
export function recordedHeader(recorded: Record<string, string>, name: string): string | null {
  const key = Object.keys(recorded).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? null : recorded[key]!;
}

/** The subprotocols a recorded request offered (its Sec-WebSocket-Protocol header). */
export function offeredSubprotocols(recorded: Record<string, string>): string[] {
  const v = recordedHeader(recorded, 'sec-websocket-protocol');
  return v === null
    ? []
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/**
 * Headers for a replay: the recorded ones, each replaced by a given header of the same name, and the
 * given ones that were not recorded added after them.
 */
export function mergeHeaders(
  recorded: ReadonlyArray<readonly [string, string]>,
  given: ReadonlyArray<readonly [string, string]>,
): Array<[string, string]> {
  const givenNames = new Set(given.map(([k]) => k.toLowerCase()));
  return [
    ...recorded.filter(([k]) => !givenNames.has(k.toLowerCase())).map(([k, v]) => [k, v] as [string, string]),
    ...given.map(([k, v]) => [k, v] as [string, string]),
  ];
}
