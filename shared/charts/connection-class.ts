// How a connection ended, reduced to the few classes an engineer scans for on a timeline: clean
// closes, restarts, abnormal drops (1006), other errors, the application's own codes, and attempts
// that never got past the handshake.
import { describeCloseCode } from '../close-codes.js';
import type { ResponseOf } from '../contract.js';

/** A connection as the sessions contract carries it. */
export type Connection = ResponseOf<'sessions', 'get'>['connections'][number];

/** How a connection ended, as the charts colour it. */
export type ConnectionClass =
  'normal' | 'restart' | 'abnormal' | 'error' | 'app' | 'failed' | 'open' | 'unknown';

/** Legend labels, in the order the legend lists them. */
export const CLASS_LABELS: Readonly<Record<ConnectionClass, string>> = {
  normal: 'normal 1000',
  restart: 'restart 1001/1012/1013',
  abnormal: 'abnormal 1006',
  error: 'error 1002–1015',
  app: 'application 3xxx/4xxx',
  failed: 'handshake failed',
  open: 'open',
  unknown: 'ended without a close code',
};

/** The class of a close code. */
export function closeClassOfCode(code: number): ConnectionClass {
  if (code === 1000) return 'normal';
  if (code === 1001 || code === 1012 || code === 1013) return 'restart';
  if (code === 1006) return 'abnormal';
  if (code >= 3000 && code <= 4999) return 'app';
  return 'error';
}

/** The class of a connection: failed handshakes, open ones, and closes by code. */
export function connectionClass(c: Connection): ConnectionClass {
  if (c.openedAt === null) return c.closedAt === null ? 'open' : 'failed';
  if (c.closeCode !== null) return closeClassOfCode(c.closeCode);
  return c.closedAt === null ? 'open' : 'unknown';
}

/** A short label for how a connection ended: `1011 Internal Error`, `refused`, `open`. */
export function outcomeLabel(c: Connection): string {
  if (c.openedAt === null) {
    if (c.closedAt === null) return 'connecting';
    const status = c.status !== null && c.error?.kind === 'upgrade-rejected' ? ` HTTP ${c.status}` : '';
    return `${c.error?.kind ?? 'failed'}${status}`;
  }
  if (c.closeCode !== null) return `${c.closeCode} ${describeCloseCode(c.closeCode).name}`;
  if (c.closedAt === null) return 'open';
  if (wasInterrupted(c)) return 'capture interrupted';
  return c.error?.kind ?? 'closed';
}

/** True when the recording process died with this connection open (recovery closes it so). */
export function wasInterrupted(c: Connection): boolean {
  return c.closeCode === null && c.error?.message.startsWith('capture interrupted') === true;
}

/** The few characters a timeline bar has room for: `1006`, `open`, `interrupted`. */
export function barLabel(c: Connection): string {
  if (c.closeCode !== null) return String(c.closeCode);
  if (c.closedAt === null) return 'open';
  if (wasInterrupted(c)) return 'interrupted';
  return c.error?.kind ?? '';
}

/** Who ended it, in words. */
export function closedByLabel(c: Connection): string | null {
  // A relayed connection (it has a leg to the server): its client is the real client, not Frameline.
  const relayed = c.upstreamCloseCode !== null || c.closedBy === 'relay';
  switch (c.closedBy) {
    case 'client':
      return relayed ? 'closed by the client' : 'closed by Frameline (client)';
    case 'server':
      return 'closed by the server';
    case 'network':
      return 'no close frame: the connection just went away';
    case 'relay':
      return `closed by ${relayCloser(c)}`;
    default:
      return null;
  }
}

/** Frameline's relay as the closer, with why: `Frameline's relay (fault idle-cut=30)`. */
export function relayCloser(c: Pick<Connection, 'closeFault' | 'error'>): string {
  const why = c.closeFault
    ? `fault ${c.closeFault}`
    : c.error?.kind === 'protocol'
      ? 'a peer broke the protocol'
      : 'it stopped';
  return `Frameline's relay (${why})`;
}

/**
 * A relayed connection's two closes, `client 1000 "done", server 1000 "done"`: the client's leg and
 * the server's; null for a connection with one leg (or a relayed one that never opened).
 */
export function legsLabel(
  c: Pick<Connection, 'closeCode' | 'closeReason' | 'upstreamCloseCode' | 'upstreamCloseReason'>,
): string | null {
  if (c.upstreamCloseCode === null) return null;
  const leg = (code: number | null, reason: string | null) => `${code ?? '—'}${reason ? ` "${reason}"` : ''}`;
  return `client ${leg(c.closeCode, c.closeReason)}, server ${leg(c.upstreamCloseCode, c.upstreamCloseReason)}`;
}
