// A realistic `sessions:get` answer for the chart helpers: a five-minute capture of a production
// stream with reconnects. Connection 1 ends with a deploy (1001), connection 2 is refused at the
// upgrade (HTTP 503), connection 3 drops without a close frame (1006), connection 4 is closed by the
// application (4001 token expired), connection 5 is closed by the user (1000). Between them the
// engine scheduled its reconnects (`reconnect-scheduled` with the delay and the connection it follows).
import type { Connection } from '../../../../shared/charts/connection-class';
import type { SessionDetail } from '../../../../shared/charts/timeline-model';
import { parseMicros } from '../../../../shared/time';

export const CREATED = '2025-11-22T02:00:00.000000Z';
export const ENDED = '2025-11-22T02:05:00.000000Z';

/** Epoch microseconds of a time on the fixture's day (UTC), written as `02:01:00.502`. */
export function at(clock: string): number {
  const [hms, frac = ''] = clock.split('.');
  return parseMicros(`2025-11-22T${hms}.${frac.padEnd(6, '0')}Z`);
}

const iso = (clock: string) => `2025-11-22T${clock}Z`;

export function connection(patch: Partial<Connection> & Pick<Connection, 'id' | 'ordinal'>): Connection {
  return {
    url: 'wss://api.example.com/stream',
    status: 101,
    requestHeaders: { host: 'api.example.com', upgrade: 'websocket' },
    responseHeaders: { upgrade: 'websocket', connection: 'Upgrade' },
    responseBodyHead: null,
    subprotocol: null,
    protocol: null,
    extensions: null,
    timings: { dnsMs: null, tcpMs: null, tlsMs: null, upgradeMs: null },
    openedAt: null,
    closedAt: null,
    closeCode: null,
    closeReason: null,
    closedBy: null,
    closeFault: null,
    upstreamCloseCode: null,
    upstreamCloseReason: null,
    error: null,
    frames: 0,
    bytesIn: 0,
    bytesOut: 0,
    firstFrameTs: null,
    lastFrameTs: null,
    ...patch,
  };
}

export const deployClose = connection({
  id: 11,
  ordinal: 1,
  timings: { dnsMs: 5, tcpMs: 20, tlsMs: 40, upgradeMs: 50 },
  openedAt: iso('02:00:00.115000'),
  closedAt: iso('02:01:00.000000'),
  closeCode: 1001,
  closeReason: 'server shutting down',
  closedBy: 'server',
  frames: 1200,
  bytesIn: 480_000,
  bytesOut: 2_400,
  firstFrameTs: iso('02:00:00.200000'),
  lastFrameTs: iso('02:00:59.900000'),
});

export const rejectedUpgrade = connection({
  id: 12,
  ordinal: 2,
  status: 503,
  responseHeaders: { 'content-type': 'text/plain', 'retry-after': '1' },
  responseBodyHead: 'U2VydmljZSBVbmF2YWlsYWJsZQ==',
  timings: { dnsMs: 1, tcpMs: 12, tlsMs: 35, upgradeMs: 90 },
  closedAt: iso('02:01:00.640000'),
  error: {
    kind: 'upgrade-rejected',
    message: 'the server answered the upgrade with HTTP 503 Service Unavailable instead of 101',
  },
});

export const abnormalDrop = connection({
  id: 13,
  ordinal: 3,
  timings: { dnsMs: 1, tcpMs: 12, tlsMs: 36, upgradeMs: 70 },
  openedAt: iso('02:01:01.760000'),
  closedAt: iso('02:03:00.000000'),
  closeCode: 1006,
  closeReason: '',
  closedBy: 'network',
  frames: 2900,
  bytesIn: 1_160_000,
  bytesOut: 5_800,
  firstFrameTs: iso('02:01:01.800000'),
  lastFrameTs: iso('02:02:31.000000'),
});

export const appClose = connection({
  id: 14,
  ordinal: 4,
  timings: { dnsMs: null, tcpMs: null, tlsMs: null, upgradeMs: 119 },
  openedAt: iso('02:03:00.570000'),
  closedAt: iso('02:04:30.000000'),
  closeCode: 4001,
  closeReason: 'token expired',
  closedBy: 'server',
  frames: 900,
  bytesIn: 360_000,
  bytesOut: 1_800,
  firstFrameTs: iso('02:03:00.600000'),
  lastFrameTs: iso('02:04:29.500000'),
});

export const userClose = connection({
  id: 15,
  ordinal: 5,
  openedAt: iso('02:04:30.600000'),
  closedAt: iso('02:05:00.000000'),
  closeCode: 1000,
  closeReason: '',
  closedBy: 'client',
  frames: 120,
  bytesIn: 48_000,
  bytesOut: 240,
  firstFrameTs: iso('02:04:30.700000'),
  lastFrameTs: iso('02:04:59.000000'),
});

function reconnect(clock: string, attempt: number, delayMs: number, after: number) {
  return {
    ts: iso(clock),
    connection: null,
    kind: 'reconnect-scheduled',
    detail: { attempt, delayMs, after },
  };
}

export const reconnects = [
  reconnect('02:01:00.002000', 1, 500, 1),
  reconnect('02:01:00.641000', 2, 1000, 2),
  reconnect('02:03:00.001000', 1, 450, 3),
  reconnect('02:04:30.001000', 1, 480, 4),
];

export function outageSession(patch: Partial<SessionDetail> = {}): SessionDetail {
  return {
    session: {
      id: 7,
      name: 'prod stream outage',
      kind: 'capture',
      target: 'wss://api.example.com/stream',
      status: 'complete',
      createdAt: CREATED,
      endedAt: ENDED,
      frames: 5120,
      tags: ['incident-42'],
      incidentId: 42,
      outcomes: { '1000': 1, '1001': 1, '1006': 1, '4001': 1, 'upgrade-rejected': 1 },
      findings: { critical: 0, warning: 0, info: 0 },
      sourceId: null,
    },
    connections: [deployClose, rejectedUpgrade, abnormalDrop, appClose, userClose],
    events: reconnects,
    ...patch,
  };
}
