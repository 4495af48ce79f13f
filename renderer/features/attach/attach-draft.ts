// The attach form as typed (strings, so that half-typed numbers survive), and how it becomes a
// CaptureRequest — with a sentence for every field that cannot.
import { parseCaptureScript, ScriptError } from '../../../shared/capture-script';
import type { RequestOf } from '../../../shared/contract';
import { ProtocolChoiceSchema, type ProtocolChoice } from '../../../shared/protocols/names';
import type { PemFile } from '../../components/pem-file-field';

export type CaptureRequest = RequestOf<'capture', 'start'>;

export interface HeaderRow {
  id: number;
  name: string;
  value: string;
  /**
   * The value was a secret that a reload did not keep (storage is not a keychain): until it is typed
   * again the header is not sent empty — a server would answer 401 and the diagnosis would mislead.
   */
  valueNotKept?: boolean;
  /** The value is a secret the engine holds and never sends back (a walk's profile): left empty, it is kept. */
  valueKept?: boolean;
}

export interface AttachDraft {
  url: string;
  name: string;
  headers: HeaderRow[];
  origin: string;
  /** Comma-separated. */
  subprotocols: string;
  compression: boolean;
  /** TLS material chosen from files in the page, sent as PEM text (the engine reads no path). */
  ca: PemFile | null;
  cert: PemFile | null;
  key: PemFile | null;
  insecure: boolean;
  proxyMode: 'environment' | 'none' | 'url';
  proxyUrl: string;
  connectTimeoutS: string;
  payloadCapKiB: string;
  pingIntervalS: string;
  /** The protocol to speak: empty for what the URL or the 101's subprotocol says, `none` for a plain socket. */
  protocol: ProtocolChoice | '';
  /** JSON sent with the protocol's opening (it may hold a token: never kept across a reload). */
  initPayload: string;
  /** What to ask the protocol's way, one a line: a GraphQL subscription, a Socket.IO namespace. */
  subscribe: string;
  /** Messages sent on every open, one a line. */
  sends: string;
  /** Send them again this often while open; empty: once per connection. */
  sendEveryS: string;
  /** A conversation run on each connection after the messages on open (send, expect, sleep, ping, close). */
  script: string;
  reconnect: boolean;
  reconnectBaseMs: string;
  reconnectMaxMs: string;
  reconnectFactor: string;
  reconnectJitter: string;
  reconnectAttempts: string;
}

export const DEFAULT_DRAFT: AttachDraft = {
  url: '',
  name: '',
  headers: [],
  origin: '',
  subprotocols: '',
  compression: false,
  ca: null,
  cert: null,
  key: null,
  insecure: false,
  proxyMode: 'environment',
  proxyUrl: '',
  connectTimeoutS: '10',
  payloadCapKiB: '1024',
  pingIntervalS: '',
  protocol: '',
  initPayload: '',
  subscribe: '',
  sends: '',
  sendEveryS: '',
  script: '',
  reconnect: false,
  reconnectBaseMs: '500',
  reconnectMaxMs: '30000',
  reconnectFactor: '2',
  reconnectJitter: '0.2',
  reconnectAttempts: '10',
};

export type DraftErrors = Partial<Record<keyof AttachDraft, string>>;

function numberField(
  raw: string,
  errors: DraftErrors,
  field: keyof AttachDraft,
  what: string,
  check: { min?: number; max?: number; above?: number; integer?: boolean; example: string },
): number | undefined {
  const s = raw.trim();
  if (!s) return undefined;
  const n = Number(s);
  const bad =
    !Number.isFinite(n) ||
    (check.integer && !Number.isInteger(n)) ||
    (check.min !== undefined && n < check.min) ||
    (check.max !== undefined && n > check.max) ||
    (check.above !== undefined && n <= check.above);
  if (bad) {
    errors[field] = `${what} must be ${check.integer ? 'a whole number' : 'a number'}${
      check.above !== undefined
        ? ` above ${check.above}`
        : check.min !== undefined
          ? ` of at least ${check.min}`
          : ''
    }${check.max !== undefined ? ` and at most ${check.max}` : ''}, such as ${check.example}; "${s}" is not`;
    return undefined;
  }
  return n;
}

/** The capture request for a draft, or the errors that stop it (keyed by field). */
export function toCaptureRequest(d: AttachDraft): { request: CaptureRequest | null; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const url = d.url.trim();
  if (!url) errors.url = 'Enter the endpoint’s URL, such as wss://api.example.com/stream';
  else if (!/^wss?:\/\//i.test(url) && !/^https?:\/\//i.test(url))
    errors.url = `"${url}" has no ws:// or wss:// scheme; WebSocket URLs start with one of them`;

  const headers: Array<[string, string]> = [];
  for (const h of d.headers) {
    if (!h.name.trim() && !h.value.trim()) continue;
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(h.name.trim())) {
      errors.headers = `"${h.name}" is not a valid header name (letters, digits and -, no spaces or colons)`;
      break;
    }
    const missing = secretValueMissing(h);
    if (missing) {
      errors.headers = missing;
      break;
    }
    headers.push([h.name.trim(), h.value]);
  }

  const timeout = numberField(d.connectTimeoutS, errors, 'connectTimeoutS', 'The connect timeout', {
    above: 0,
    example: '10',
  });
  const capKiB = numberField(d.payloadCapKiB, errors, 'payloadCapKiB', 'The payload cap', {
    min: 0,
    // 2 GiB: what one stored payload can hold.
    max: 2 * 1024 * 1024,
    integer: true,
    example: '1024',
  });
  const ping = numberField(d.pingIntervalS, errors, 'pingIntervalS', 'The ping interval', {
    above: 0,
    example: '30',
  });
  const sends = sendLines(d.sends);
  const sendEvery = numberField(d.sendEveryS, errors, 'sendEveryS', 'The send interval', {
    above: 0,
    max: 86_400,
    example: '30',
  });
  if (sendEvery !== undefined && sends.length === 0)
    errors.sendEveryS =
      'There is nothing to send again: write the messages to send on open above, one a line';
  const script = d.script.trim() ? d.script : undefined;
  if (script !== undefined) {
    try {
      parseCaptureScript(script);
    } catch (err) {
      if (!(err instanceof ScriptError)) throw err;
      errors.script = `Line ${err.line}: ${err.detail}`;
    }
  }
  let reconnect: CaptureRequest['reconnect'];
  if (d.reconnect) {
    const baseMs = numberField(d.reconnectBaseMs, errors, 'reconnectBaseMs', 'The first delay', {
      min: 0,
      example: '500',
    });
    const maxMs = numberField(d.reconnectMaxMs, errors, 'reconnectMaxMs', 'The longest delay', {
      min: 0,
      example: '30000',
    });
    const factor = numberField(d.reconnectFactor, errors, 'reconnectFactor', 'The factor', {
      min: 1,
      example: '2',
    });
    const jitter = numberField(d.reconnectJitter, errors, 'reconnectJitter', 'The jitter', {
      min: 0,
      max: 1,
      example: '0.2',
    });
    const attempts = numberField(d.reconnectAttempts, errors, 'reconnectAttempts', 'The attempts', {
      min: 1,
      integer: true,
      example: '10',
    });
    reconnect = {
      baseMs: baseMs ?? 500,
      maxMs: maxMs ?? 30_000,
      factor: factor ?? 2,
      jitter: jitter ?? 0.2,
      attempts: attempts ?? 10,
    };
  }
  const subscribe = sendLines(d.subscribe);
  const { protocol, initPayload } = protocolFields(d, subscribe.length > 0, errors);
  if (d.proxyMode === 'url' && !/^https?:\/\/\S+$/i.test(d.proxyUrl.trim()))
    errors.proxyUrl =
      'Enter the proxy as http://host:port (CONNECT tunnelling), or choose another proxy setting';
  if (d.cert && !d.key) errors.key = 'A client certificate needs its private key file too';
  if (d.key && !d.cert) errors.cert = 'A private key needs its client certificate file too';

  if (Object.keys(errors).length > 0) return { request: null, errors };
  const request: CaptureRequest = {
    url,
    headers,
    subprotocols: d.subprotocols
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    compression: d.compression,
    insecure: d.insecure,
    ...(d.name.trim() ? { name: d.name.trim() } : {}),
    ...(d.origin.trim() ? { origin: d.origin.trim() } : {}),
    ...(d.ca ? { caPem: d.ca.text } : {}),
    ...(d.cert ? { certPem: d.cert.text } : {}),
    ...(d.key ? { keyPem: d.key.text } : {}),
    ...(d.proxyMode === 'none' ? { proxy: null } : d.proxyMode === 'url' ? { proxy: d.proxyUrl.trim() } : {}),
    ...(timeout !== undefined ? { connectTimeoutSeconds: timeout } : {}),
    ...(capKiB !== undefined ? { payloadCap: capKiB * 1024 } : {}),
    ...(ping !== undefined ? { pingIntervalSeconds: ping } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    ...(initPayload ? { initPayload } : {}),
    ...(subscribe.length ? { subscribe } : {}),
    ...(sends.length ? { sends } : {}),
    ...(sendEvery !== undefined ? { sendEverySeconds: sendEvery } : {}),
    ...(script !== undefined ? { script } : {}),
    ...(reconnect ? { reconnect } : {}),
  };
  return { request, errors };
}

/**
 * The Protocol fieldset's choice and init payload as a request carries them (capture and probe
 * alike), with a sentence in `errors` for what cannot be sent.
 */
export function protocolFields(
  d: Pick<AttachDraft, 'protocol' | 'initPayload'>,
  subscribes: boolean,
  errors: Partial<Record<'protocol' | 'initPayload', string>>,
): { protocol: ProtocolChoice | undefined; initPayload: string } {
  const protocol = d.protocol === '' ? undefined : ProtocolChoiceSchema.safeParse(d.protocol).data;
  const initPayload = d.initPayload.trim();
  if (initPayload) {
    try {
      JSON.parse(initPayload);
    } catch (err) {
      errors.initPayload = `The init payload is not JSON (${(err as Error).message}); write an object such as {"token":"…"}`;
    }
  }
  if (protocol === 'none' && (initPayload || subscribes))
    errors.protocol =
      'A plain socket speaks no protocol: clear the init payload and the subscriptions, or choose a protocol';
  return { protocol, initPayload };
}

/** The sentence that asks for a secret header's value a reload did not keep; null when it is there. */
export function secretValueMissing(h: HeaderRow): string | null {
  if (!h.valueNotKept || h.value !== '' || !h.name.trim()) return null;
  return `Type the value of ${h.name.trim()} again: secret header values are not kept across a reload (or remove the row)`;
}

/** The messages to send on open: one a line, blank lines left out. */
export function sendLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}

/** A one-line summary of the options that differ from the defaults, for the collapsed form. */
export function draftSummary(d: AttachDraft): string {
  const parts: string[] = [];
  const headers = d.headers.filter((h) => h.name.trim()).length;
  if (headers) parts.push(`${headers} header${headers === 1 ? '' : 's'}`);
  if (d.origin.trim()) parts.push(`origin ${d.origin.trim()}`);
  if (d.subprotocols.trim()) parts.push(`subprotocols ${d.subprotocols.trim()}`);
  if (d.compression) parts.push('permessage-deflate');
  if (d.ca || d.cert) parts.push('custom TLS');
  if (d.insecure) parts.push('any certificate (insecure)');
  if (d.proxyMode === 'none') parts.push('no proxy');
  if (d.proxyMode === 'url') parts.push(`proxy ${d.proxyUrl.trim()}`);
  if (d.protocol) parts.push(d.protocol === 'none' ? 'plain socket' : `speaks ${d.protocol}`);
  if (d.initPayload.trim()) parts.push('init payload');
  const subscriptions = sendLines(d.subscribe).length;
  if (subscriptions) parts.push(`${subscriptions} subscription${subscriptions === 1 ? '' : 's'}`);
  if (d.pingIntervalS.trim()) parts.push(`ping every ${d.pingIntervalS.trim()} s`);
  const sends = sendLines(d.sends).length;
  if (sends)
    parts.push(
      `${sends} message${sends === 1 ? '' : 's'} sent on open${d.sendEveryS.trim() ? ` and every ${d.sendEveryS.trim()} s` : ''}`,
    );
  if (d.script.trim()) parts.push('a conversation script');
  if (d.connectTimeoutS.trim() !== DEFAULT_DRAFT.connectTimeoutS)
    parts.push(`connect timeout ${d.connectTimeoutS.trim()} s`);
  if (d.payloadCapKiB.trim() !== DEFAULT_DRAFT.payloadCapKiB)
    parts.push(`payloads stored up to ${d.payloadCapKiB.trim()} KiB`);
  if (d.reconnect) parts.push('reconnect with backoff');
  return parts.length
    ? parts.join(' · ')
    : 'Defaults: no extra headers, proxy from the environment, no heartbeat, no reconnect';
}
