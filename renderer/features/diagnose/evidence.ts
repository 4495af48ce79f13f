// A finding's evidence for people: each measurement under a readable name, seconds and intervals
// with their unit, close codes with their name, headers as a table. Empty values are left out; the
// raw key stays available (as the row's title) for matching the command line's `--json`.
import { describeCloseCode } from '../../../shared/close-codes';
import { formatCount, formatMs } from '../../components/format';

export type EvidenceValue =
  | { kind: 'text'; text: string; mono: boolean }
  | { kind: 'block'; text: string }
  | { kind: 'table'; entries: Array<[string, string]> };

export interface EvidenceRow {
  key: string;
  label: string;
  value: EvidenceValue;
}

const LABELS: Readonly<Record<string, string>> = {
  url: 'URL',
  directUrl: 'Direct URL',
  stage: 'Failed at',
  host: 'Host',
  port: 'Port',
  addresses: 'Addresses',
  code: 'Code',
  ms: 'Took',
  attempts: 'Attempts',
  kinds: 'Failures',
  message: 'Message',
  expired: 'Expired',
  selfSigned: 'Self-signed',
  hostnameError: 'Name mismatch',
  subject: 'Subject',
  issuer: 'Issuer',
  validFrom: 'Valid from',
  validTo: 'Valid to',
  daysLeft: 'Days left',
  protocol: 'Protocol',
  refused: 'Refused for',
  accepted: 'Accepted for',
  status: 'HTTP status',
  statuses: 'Statuses',
  directStatus: 'Direct status',
  proxy: 'Answered by',
  headers: 'Response headers',
  bodyHead: 'Response body',
  origin: 'Origin sent',
  error: 'Error',
  during: 'Connection',
  afterSeconds: 'Closed after',
  idleSeconds: 'Idle before the cut',
  idleSecondsBeforeClose: 'Idle before close',
  livedSeconds: 'Connection lived',
  limitSeconds: 'Idle limit',
  closeCode: 'Close code',
  closeCodes: 'Close codes',
  codes: 'Close codes',
  closedBy: 'Closed by',
  reason: 'Reason',
  reasons: 'Reasons',
  connections: 'Connections',
  candidates: 'Closes after silence',
  spreadSeconds: 'Spread',
  steady: 'Steady',
  ordinals: 'Connection numbers',
  layer: 'Failing layer',
  pageOrigin: 'Page origin',
  use: 'Use instead',
  sent: 'Sent',
  matched: 'Matched',
  received: 'Received',
  unexpected: 'Unexpected replies',
  waitedMs: 'Waited',
  waitedSeconds: 'Waited',
  pingsFrom: 'Pings from',
  pings: 'Pings',
  pongs: 'Pongs',
  missing: 'Missing pongs',
  late: 'Late pongs',
  lateAfterMs: 'Late after',
  timeoutMs: 'Pong timeout',
  maxRttMs: 'Slowest round trip',
  pingsSeen: 'Server pings seen',
  observedSeconds: 'Observed for',
  intervalSeconds: 'Ping interval',
  source: 'Measured by',
  samples: 'Samples',
  p50Ms: 'p50',
  p95Ms: 'p95',
  maxMs: 'Max',
  minMs: 'Min',
  thresholdMs: 'Threshold',
  sources: 'All round trips',
  idField: 'ID field',
  reconnects: 'Reconnects',
  peakPerSecond: 'Peak rate',
  windowSeconds: 'Window',
  peakInWindow: 'Peak in window',
  failingRun: 'Failures in a row',
  medianDelayMs: 'Median delay',
  firstDelaysMs: 'First delays',
  lastDelaysMs: 'Last delays',
  backoff: 'Backs off',
  messages: 'Messages',
  bursts: 'Bursts',
  messagesInBursts: 'In bursts',
  medianBurstSize: 'Median burst',
  medianQuietMs: 'Median silence',
  sendTimes: 'Carry send times',
  heldMs: 'Held (p95)',
  maxHeldMs: 'Held (max)',
  medianSentSpanMs: 'Sent over (median)',
};

/** camelCase → "Camel case", without a unit suffix the value will carry. */
function humanize(key: string): string {
  const words = key
    .replace(/(Seconds|Ms)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function evidenceLabel(key: string): string {
  return LABELS[key] ?? humanize(key);
}

const trimNumber = (n: number) => (Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100));

/** Seconds as a proxy setting reads them: "3 s", "75 s (1 min 15 s)". */
export function formatSeconds(s: number): string {
  const plain = `${trimNumber(s)} s`;
  if (s < 60) return plain;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  const long = h > 0 ? `${h} h${m ? ` ${m} min` : ''}` : `${m} min${rest ? ` ${rest} s` : ''}`;
  return `${plain} (${long})`;
}

function isCloseCode(n: number): boolean {
  return Number.isInteger(n) && n >= 1000 && n <= 4999;
}

function closeCodeText(n: number): string {
  return isCloseCode(n) ? `${n} ${describeCloseCode(n).name}` : String(n);
}

/** A number under its key's unit. */
function numberText(key: string, n: number): string {
  if (/Seconds$/.test(key)) return formatSeconds(n);
  if (/Ms$/.test(key) || key === 'ms') return formatMs(n);
  if (key === 'closeCode' || key === 'code') return closeCodeText(n);
  if (key === 'status' || key === 'directStatus') return `HTTP ${n}`;
  if (key === 'peakPerSecond') return `${trimNumber(n)} a second`;
  if (key === 'daysLeft') return `${n} day${n === 1 ? '' : 's'}`;
  return Number.isInteger(n) ? formatCount(n) : trimNumber(n);
}

function empty(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)
  );
}

/** Counts by key: "1006 Abnormal Closure ×2", "403 ×1". */
function countsText(key: string, counts: Record<string, unknown>): string {
  const codes = /codes$/i.test(key);
  return Object.entries(counts)
    .map(([k, n]) => `${codes && /^\d+$/.test(k) ? closeCodeText(Number(k)) : k} ×${String(n)}`)
    .join(', ');
}

/** A value in one line of text (nested objects flattened). */
function inlineText(key: string, v: unknown): string {
  if (typeof v === 'number') return numberText(key, v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => inlineText(key, x)).join(', ');
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => !empty(x));
    if (entries.every(([, x]) => typeof x === 'number') && /codes$|statuses$|kinds$/i.test(key))
      return countsText(key, Object.fromEntries(entries));
    return entries.map(([k, x]) => `${k} ${inlineText(k, x)}`).join('; ');
  }
  return String(v);
}

const MONO = new Set([
  'url',
  'directUrl',
  'host',
  'addresses',
  'pageOrigin',
  'use',
  'origin',
  'refused',
  'accepted',
  'subject',
  'issuer',
  'code',
  'message',
  'error',
  'idField',
  'proxy',
]);

function valueOf(key: string, v: unknown): EvidenceValue {
  if (key === 'bodyHead' && typeof v === 'string') return { kind: 'block', text: v };
  if (key === 'unexpected' && Array.isArray(v)) return { kind: 'block', text: v.map(String).join('\n') };
  if (key === 'headers' && v && typeof v === 'object' && !Array.isArray(v))
    return {
      kind: 'table',
      entries: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]),
    };
  if (key === 'sources' && v && typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>)
      .filter(([, s]) => !empty(s))
      .map(([source, s]) => {
        const x = s as Record<string, number>;
        return `${source}: p50 ${formatMs(x.p50Ms ?? 0)}, p95 ${formatMs(x.p95Ms ?? 0)}, max ${formatMs(x.maxMs ?? 0)} (${x.samples ?? 0} samples)`;
      });
    return { kind: 'text', text: parts.join('; '), mono: false };
  }
  if (key === 'closeCodes' || key === 'codes' || key === 'statuses' || key === 'kinds') {
    if (v && typeof v === 'object' && !Array.isArray(v))
      return { kind: 'text', text: countsText(key, v as Record<string, unknown>), mono: false };
  }
  return { kind: 'text', text: inlineText(key, v), mono: MONO.has(key) };
}

/** The evidence rows of a finding, in the order the rule gave them, empty values left out. */
export function evidenceRows(evidence: Record<string, unknown>): EvidenceRow[] {
  return Object.entries(evidence)
    .filter(([, v]) => !empty(v))
    .map(([key, v]) => ({ key, label: evidenceLabel(key), value: valueOf(key, v) }));
}
