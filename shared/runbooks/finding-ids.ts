// The finding catalogue's ids (docs/findings.md lists each with its severity and evidence), as the
// runbooks refer to them. The diagnosis emits these; never rename one.

/** Every finding id of the catalogue. */
export const FINDING_IDS = [
  'server-unreachable',
  'tls-error',
  'mixed-content',
  'upgrade-rejected',
  'proxy-missing-upgrade',
  'origin-rejected',
  'subprotocol-refused',
  'auth-refused',
  'idle-timeout',
  'no-heartbeat',
  'heartbeat-timeout',
  'app-heartbeat-unanswered',
  'ping-flood',
  'abnormal-closure',
  'server-close',
  'reconnect-storm',
  'high-latency',
  'no-messages',
  'subscription-refused',
  'proxy-buffering',
  'protocol-violation',
] as const;

/** One finding id of the catalogue. */
export type FindingId = (typeof FINDING_IDS)[number];
