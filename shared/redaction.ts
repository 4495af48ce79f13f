// What must not leave the machine: credentials in headers, URLs and subprotocols, JWTs anywhere,
// and secret-named fields inside JSON or form-encoded frames. One set of rules for everything that
// is exported or logged (reports, HAR, NDJSON, load-test scripts, the probe's evidence); each
// redaction is counted by rule, so that an export can say what it took out.

import type { RedactionSummary } from './contract/fields.js';
import { mqttConnectCredentials } from './protocols/decode-mqtt.js';

/** The mask a redacted value becomes (an Authorization keeps its scheme: "Bearer ***"). */
export const MASK = '***';

/** Header names whose values are credentials whatever their shape. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
/** Words that make a header, query parameter or JSON field name a secret's (STOMP's CONNECT says "passcode"). */
const SECRET_WORDS = /token|secret|key|pass(w(or)?d|code|phrase)|session|auth|credential|signature|cookie/i;
/** Names that hold those words but are public by design. */
const PUBLIC_NAMES = new Set([
  'sec-websocket-key',
  'sec-websocket-accept',
  'sec-websocket-extensions',
  'keep-alive',
  'monkey',
  'key_id',
  'keyid',
]);

/** A JSON Web Token: three base64url parts, the first two JSON objects ("eyJ…"). */
export const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** The same pattern, for a yes-or-no test (a global pattern keeps state between tests). */
const IS_JWT = new RegExp(JWT.source);

/** True when a header, query parameter or field of this name holds a secret. */
export function isSecretName(name: string): boolean {
  const n = name.trim().toLowerCase();
  if (PUBLIC_NAMES.has(n)) return false;
  return SECRET_HEADERS.has(n) || SECRET_WORDS.test(n);
}

/** The rules of one export: on by default; the user adds field names and patterns. */
export interface RedactionRules {
  /** False only when the user asked for no redaction (`--no-redact`). */
  enabled: boolean;
  /** More field and parameter names to redact, matched whole and case-insensitively. */
  fields: string[];
  /** More patterns to redact wherever they appear in text (regular expressions' sources). */
  patterns: string[];
}

export const DEFAULT_RULES: RedactionRules = { enabled: true, fields: [], patterns: [] };

/** Why something was redacted: the rule's name, as an export reports it. */
export type RedactionRule =
  | 'header'
  | 'url-query'
  | 'url-userinfo'
  | 'subprotocol'
  | 'jwt'
  | 'bearer-token'
  | 'json-field'
  | 'form-field'
  | 'packet-field'
  | 'user-field'
  | 'user-pattern';

/** Names (of headers, parameters, fields) a summary lists per rule; more are counted, not named. */
const NAMES_LISTED = 10;

/** What a redacted value is replaced with; `name` is the header, parameter or field it was in. */
export type Replacement = (rule: RedactionRule, name: string | null, value: string) => string;

/** One redaction pass over an export: applies the rules and counts what each took out. */
export class Redactor {
  private readonly counts = new Map<RedactionRule, number>();
  /** Per rule, the names whose values were taken out (lower case → as first seen), and whether more were. */
  private readonly names = new Map<RedactionRule, { listed: Map<string, string>; more: boolean }>();
  private readonly userFields: Set<string>;
  private readonly userPatterns: RegExp[];

  constructor(
    readonly rules: RedactionRules = DEFAULT_RULES,
    private readonly replacement: Replacement = () => MASK,
  ) {
    this.userFields = new Set(rules.fields.map((f) => f.toLowerCase()));
    this.userPatterns = rules.patterns.map((p) => new RegExp(p, 'g'));
  }

  /** Rule and count of everything redacted so far, most first. */
  report(): Array<{ rule: RedactionRule; count: number }> {
    return [...this.counts]
      .map(([rule, count]) => ({ rule, count }))
      .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
  }

  /**
   * What this pass took out, as an export's header says it: each rule with its count and the names
   * (headers, query parameters, fields) it took values from — names, never values.
   */
  summary(): RedactionSummary {
    return {
      enabled: this.rules.enabled,
      rules: this.report().map(({ rule, count }) => {
        const named = this.names.get(rule);
        if (!named) return { rule, count };
        return {
          rule,
          count,
          names: [...named.listed.values()],
          ...(named.more ? { moreNames: true } : {}),
        };
      }),
      userFields: this.rules.fields,
      userPatterns: this.rules.patterns.length,
    };
  }

  /** Total number of values redacted so far. */
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  private hit(rule: RedactionRule, name: string | null, value: string): string {
    // Masked already (evidence redacted where it was kept, read again for a report): nothing to take out.
    if (value === MASK) return value;
    this.counts.set(rule, (this.counts.get(rule) ?? 0) + 1);
    if (name !== null && name !== '') {
      let named = this.names.get(rule);
      if (!named) this.names.set(rule, (named = { listed: new Map(), more: false }));
      const key = name.toLowerCase();
      if (!named.listed.has(key)) {
        if (named.listed.size < NAMES_LISTED) named.listed.set(key, name);
        else named.more = true;
      }
    }
    return this.replacement(rule, name, value);
  }

  /** A secret-named field's value; one masked already ("***", "Bearer ***") stays as it is. */
  private field(rule: RedactionRule, name: string, value: string): string {
    const scheme = authScheme(value);
    if (scheme !== null && value.slice(scheme.length) === MASK) return value;
    return this.hit(rule, name, value);
  }

  /**
   * A binary frame's bytes: an MQTT CONNECT's password (and user name when the user names it)
   * masked in place with as many `*` bytes, so that the packet keeps its lengths and still decodes;
   * the packet names itself, whatever protocol its connection was taken for. Other bytes as they are.
   */
  bytes(payload: Uint8Array): Uint8Array {
    if (!this.rules.enabled) return payload;
    const credentials = mqttConnectCredentials(payload);
    if (credentials === null) return payload;
    // A copy: a Buffer's slice() would share the stored frame's memory.
    const out = Uint8Array.from(payload);
    for (const [name, at] of Object.entries(credentials)) {
      const user = this.userFields.has(name);
      if (!user && !isSecretName(name)) continue;
      this.hit(
        user ? 'user-field' : 'packet-field',
        name,
        new TextDecoder().decode(payload.subarray(at.start, at.end)),
      );
      out.fill(0x2a, at.start, at.end);
    }
    return out;
  }

  /** A header value: credentials masked (an Authorization keeps its scheme), JWTs and patterns too. */
  header(name: string, value: string): string {
    if (!this.rules.enabled) return value;
    const lower = name.toLowerCase();
    if (lower === 'sec-websocket-protocol')
      return this.subprotocols(value.split(',').map((s) => s.trim())).join(', ');
    if (this.userFields.has(lower)) return this.hit('user-field', name, value);
    if (isSecretName(name)) {
      if (value === '') return value;
      const scheme = /authorization/.test(lower) ? authScheme(value) : null;
      return scheme
        ? `${value.slice(0, scheme.length)}${this.hit('header', name, value.slice(scheme.length))}`
        : this.hit('header', name, value);
    }
    return lower === 'referer' || lower === 'origin' || lower === 'location'
      ? this.url(value)
      : this.inText(value);
  }

  /** Every header of a record. */
  headers(headers: Record<string, string>): Record<string, string> {
    if (!this.rules.enabled) return headers;
    return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, this.header(k, v)]));
  }

  /** A URL: the password (and a user name beside it) and secret query parameters masked. */
  url(raw: string): string {
    if (!this.rules.enabled) return raw;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return this.inText(raw);
    }
    let changed = false;
    if (u.password) {
      u.password = this.hit('url-userinfo', 'password', u.password);
      changed = true;
    }
    const params = [...u.searchParams];
    if (params.some(([k]) => isSecretName(k) || this.userFields.has(k.toLowerCase()))) {
      const next = new URLSearchParams();
      for (const [k, v] of params) {
        const secret = isSecretName(k) || this.userFields.has(k.toLowerCase());
        next.append(
          k,
          secret ? this.hit(this.userFields.has(k.toLowerCase()) ? 'user-field' : 'url-query', k, v) : v,
        );
      }
      u.search = next.toString();
      changed = true;
    }
    return this.inText(changed ? u.href : raw);
  }

  /**
   * Offered or negotiated subprotocols: browsers cannot set headers on a WebSocket, so tokens are
   * smuggled here, as an entry after a marker ("access_token, abc…", "Bearer, abc…") or inside one
   * entry after a credential prefix ("access_token.abc…", Kubernetes'
   * "base64url.bearer.authorization.k8s.io.abc…"). Whether an entry holds digits says nothing about
   * it (a token of letters only is still a token), so an entry is masked when:
   * - it is, or holds, a JWT;
   * - one of its words (split on . _ -) names a credential (token, auth, key, bearer…) and more
   *   follows it: what follows is the credential, the prefix up to it stays ("access_token.***");
   * - it follows an entry that is only such a marker ("access_token", "Bearer");
   * - it has a token's shape (base64 characters, a long unbroken run, or mixed case in a long word);
   * except a known protocol name (the IANA registry's and common ones), which is a protocol whatever
   * comes before it.
   */
  subprotocols(list: string[]): string[] {
    if (!this.rules.enabled) return list;
    return list.map((p, i) => {
      if (KNOWN_SUBPROTOCOLS.has(p.toLowerCase())) return p;
      if (IS_JWT.test(p)) return this.hit('subprotocol', null, p);
      const prefix = credentialPrefix(p);
      if (prefix !== null) return `${p.slice(0, prefix)}${this.hit('subprotocol', null, p.slice(prefix))}`;
      const before = list[i - 1];
      const afterMarker =
        before !== undefined &&
        (/^bearer$/i.test(before) || (isSecretName(before) && credentialPrefix(before) === null));
      if (afterMarker || looksLikeToken(p)) return this.hit('subprotocol', null, p);
      return this.inText(p);
    });
  }

  /**
   * A frame's text: JSON with secret-named fields masked at any depth and its strings read as free
   * text (the text keeps its shape, re-serialised), form-encoded fields, and any other text (STOMP,
   * a log line, a command) read as free text: URLs, header lines, Bearer tokens, secret-named pairs,
   * then JWTs and the user's patterns anywhere.
   */
  text(payload: string): string {
    if (!this.rules.enabled) return payload;
    // Most frames name no secret: then only JWTs and the user's patterns can be in them.
    if (!this.mayName(payload)) return this.inText(payload);
    const trimmed = payload.trim();
    // JSON, whole (a payload cut at capture is not: it is read as text).
    if (
      (trimmed.startsWith('{') && trimmed.endsWith('}')) ||
      (trimmed.startsWith('[') && trimmed.endsWith(']'))
    ) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload) as unknown;
      } catch {
        return this.shapes(payload);
      }
      const before = this.total;
      const masked = this.json(parsed);
      return this.total !== before ? this.inText(JSON.stringify(masked)) : this.inText(payload);
    }
    if (/^[\w.-]+=[^&\s]*(&[\w.-]+=[^&\s]*)*$/.test(trimmed)) return this.inText(this.form(payload));
    return this.shapes(payload);
  }

  /**
   * Free text a person or a command wrote (notes, command lines and their output, evidence, close
   * reasons): URLs, credentials written as headers ("Authorization: Bearer …", as in a curl
   * command), secret-named `name=value` and `"name": "value"` pairs, then JWTs and the user's
   * patterns. Text that is JSON as a whole is read as a frame's text is.
   */
  prose(text: string): string {
    if (!this.rules.enabled || text === '') return text;
    const trimmed = text.trim();
    if (
      (trimmed.startsWith('{') && trimmed.endsWith('}')) ||
      (trimmed.startsWith('[') && trimmed.endsWith(']'))
    )
      return this.text(text);
    return this.shapes(text);
  }

  /** Secrets in the shapes text carries them: URLs, header lines, Bearer tokens, pairs, JWTs. */
  private shapes(text: string): string {
    let out = text.replace(URL_IN_TEXT, (m) => {
      // A URL ends before the punctuation that closes the sentence around it.
      const tail = /[.,;:!?)\]]+$/.exec(m)?.[0] ?? '';
      return this.url(m.slice(0, m.length - tail.length)) + tail;
    });
    out = this.headerLines(out);
    // A JWT after "Bearer" is left to the JWT rule below, which names it for what it is.
    out = out.replace(BEARER_IN_TEXT, (m, word: string, gap: string, token: string) =>
      looksLikeBearerToken(token) && !IS_JWT.test(token)
        ? `${word}${gap}${this.hit('bearer-token', null, token)}`
        : m,
    );
    out = out.replace(PAIR_IN_TEXT, (m, name: string, value: string) => {
      const bare = value.replace(/^(["'])(.*)\1$/, '$2');
      if (!this.isSecretField(name) || bare === '' || bare.startsWith(MASK)) return m;
      const rule = this.userFields.has(name.toLowerCase()) ? 'user-field' : 'form-field';
      return `${name}=${this.hit(rule, name, bare)}`;
    });
    out = out.replace(JSON_PAIR_IN_TEXT, (m, name: string, sep: string, value: string) => {
      if (!this.isSecretField(name) || value === '' || value.startsWith(MASK)) return m;
      const rule = this.userFields.has(name.toLowerCase()) ? 'user-field' : 'json-field';
      return `"${name}"${sep}"${this.hit(rule, name, value)}"`;
    });
    return this.inText(out);
  }

  /**
   * Credentials written as headers ("Authorization: Bearer …", as in a curl command, a STOMP frame
   * or a note). Where the header's grammar says where the credential ends — an Authorization's
   * scheme and its token or parameters, a Cookie's pairs — only that is masked and the rest of the
   * line stays; any other secret-named header is masked up to the end of the line or a quote (a
   * password may hold spaces).
   */
  private headerLines(text: string): string {
    let out = '';
    let last = 0;
    const re = new RegExp(HEADER_IN_TEXT.source, 'g');
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const name = m[1]!;
      if (!this.isSecretField(name)) continue;
      const start = m.index + m[0].length;
      const [keep, secret] = secretHeaderValue(name, text, start);
      if (secret === '' || secret.trim() === '' || secret.startsWith(MASK)) continue;
      const rule = this.userFields.has(name.toLowerCase()) ? 'user-field' : 'header';
      out += `${text.slice(last, start)}${keep}${this.hit(rule, name, secret)}`;
      last = start + keep.length + secret.length;
      re.lastIndex = last;
    }
    return out + text.slice(last);
  }

  /**
   * A parsed value made of things people and commands wrote (a finding's evidence, an action's
   * result): secret-named fields masked at any depth, and every string read as free text.
   */
  value(value: unknown): unknown {
    if (!this.rules.enabled) return value;
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const user = this.userFields.has(k.toLowerCase());
        if ((user || isSecretName(k)) && (typeof v === 'string' || typeof v === 'number') && v !== '')
          out[k] = this.field(user ? 'user-field' : 'json-field', k, String(v));
        else if (isSubprotocolList(k, v)) out[k] = this.subprotocols(v);
        else out[k] = this.value(v);
      }
      return out;
    }
    if (typeof value === 'string') return this.prose(value);
    return value;
  }

  /**
   * A value a rule built (a finding's evidence, a check's detail): header maps (`sentHeaders`,
   * `headers`) through the header rules, subprotocol lists through the subprotocol rules, and every
   * other string read as free text; the keys are the rule's own names and stay, as do numbers.
   */
  evidence(value: unknown, key = ''): unknown {
    if (!this.rules.enabled) return value;
    if (typeof value === 'string') return this.prose(value);
    if (isSubprotocolList(key, value)) return this.subprotocols(value);
    if (Array.isArray(value)) return value.map((v) => this.evidence(v));
    if (value && typeof value === 'object') {
      if (/headers$/i.test(key) && Object.values(value).every((v) => typeof v === 'string'))
        return this.headers(value as Record<string, string>);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.evidence(v, k)]));
    }
    return value;
  }

  /** False when no secret word, Bearer, URL password or user field appears in `text` (a quick test). */
  private mayName(text: string): boolean {
    if (SECRET_WORDS.test(text) || /bearer/i.test(text) || URL_PASSWORD.test(text)) return true;
    if (this.userFields.size === 0) return false;
    const lower = text.toLowerCase();
    for (const f of this.userFields) if (lower.includes(f)) return true;
    return false;
  }

  private isSecretField(name: string): boolean {
    return this.userFields.has(name.toLowerCase()) || isSecretName(name);
  }

  /** A parsed JSON value with secret-named fields masked at any depth. */
  json(value: unknown): unknown {
    if (!this.rules.enabled) return value;
    if (Array.isArray(value)) return value.map((v) => this.json(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const user = this.userFields.has(k.toLowerCase());
        if ((user || isSecretName(k)) && (typeof v === 'string' || typeof v === 'number') && v !== '')
          out[k] = this.field(user ? 'user-field' : 'json-field', k, String(v));
        else out[k] = this.json(v);
      }
      return out;
    }
    if (typeof value === 'string') return this.mayName(value) ? this.shapes(value) : this.inText(value);
    return value;
  }

  private form(text: string): string {
    return text
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return pair;
        const name = safeDecode(pair.slice(0, eq));
        const user = this.userFields.has(name.toLowerCase());
        if (!user && !isSecretName(name)) return pair;
        return `${pair.slice(0, eq)}=${this.hit(user ? 'user-field' : 'form-field', name, safeDecode(pair.slice(eq + 1)))}`;
      })
      .join('&');
  }

  /** JWTs and the user's patterns, anywhere in a string. */
  private inText(text: string): string {
    let out = text.replace(JWT, (m) => this.hit('jwt', null, m));
    for (const p of this.userPatterns)
      out = out.replace(p, (m) => (m === '' ? m : this.hit('user-pattern', null, m)));
    return out;
  }
}

/** A list of subprotocols kept as evidence (`subprotocols: ["access_token.…"]`). */
function isSubprotocolList(key: string, value: unknown): value is string[] {
  return /^subprotocols?$/i.test(key) && Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** A URL written in text. */
const URL_IN_TEXT = /\b(?:wss?|https?):\/\/[^\s"'<>`]+/g;
/** A header's name written in text, up to its value: `Authorization: ` (the value is read apart). */
const HEADER_IN_TEXT = /\b([A-Za-z][A-Za-z0-9_-]*)(:[ \t]*)/g;
/** A Bearer token written in text without its header: `Bearer abc…`. */
const BEARER_IN_TEXT = /\b(bearer)([ \t]+)([A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/-]=*)/gi;
/** A URL with a password in it (`wss://user:pass@host`). */
const URL_PASSWORD = /\/\/[^\s/@:]*:[^\s/@]+@/;
/** A `name=value` pair in text, as in a command line or a log. */
const PAIR_IN_TEXT = /\b([A-Za-z_][\w.-]*)=("[^"\n]*"|'[^'\n]*'|[^\s&;"'`]+)/g;
/** A `"name": "value"` pair in text that is not JSON as a whole (a log line, truncated JSON). */
const JSON_PAIR_IN_TEXT = /"([A-Za-z_][\w.-]*)"(\s*:\s*)"((?:[^"\\\n]|\\.)*)"/g;

/**
 * Authentication schemes (RFC 9110 and the IANA registry, plus common ones): the word an
 * Authorization value starts with and that is not itself a secret.
 */
const AUTH_SCHEMES = new Set([
  'basic',
  'bearer',
  'digest',
  'dpop',
  'gnap',
  'hoba',
  'mutual',
  'negotiate',
  'ntlm',
  'oauth',
  'privatetoken',
  'scram-sha-1',
  'scram-sha-256',
  'vapid',
  'aws4-hmac-sha256',
  'hawk',
  'token',
  'apikey',
  'api-key',
  'key',
  'jwt',
  'sso-key',
  'ssws',
  'splunk',
]);

// The parts of a header's value, matched where the value starts (sticky: a long text is never copied).
/** An authentication scheme and the spaces after it (`Bearer `). */
const SCHEME_AT = /([A-Za-z][\w.+-]*)[ \t]+(?=\S)/y;
/** An auth-param (`realm="x"`, `response=abc`), as Digest and others write their credentials. */
const AUTH_PARAM = String.raw`[\w!#$%&*+.^|~-]+=(?:"(?:[^"\\\r\n]|\\.)*"|[^\s,"'\x60]*)`;
const AUTH_PARAMS_AT = new RegExp(String.raw`${AUTH_PARAM}(?:[ \t]*,[ \t]*${AUTH_PARAM})*`, 'y');
/** A token68 credential (`Basic dXNlcjpw…=`, `Bearer abc.def`). */
const TOKEN68_AT = /[A-Za-z0-9._~+/-]+=*/y;
/** A cookie header's pairs and attributes (`sid=abc; Path=/`). */
const COOKIE_VALUE_AT = /[^\s;"'`]+(?:;[ \t]*[^\s;"'`]+)*;?/y;
/** The rest of a line, up to a quote that closes the text around it. */
const TO_LINE_END_AT = /[^\r\n"'`]*/y;

/** What a sticky pattern matches at `at` in `text` ('' when nothing). */
function matchAt(re: RegExp, text: string, at: number): string {
  re.lastIndex = at;
  return re.exec(text)?.[0] ?? '';
}

/** The scheme of an Authorization value at `at`, with the spaces after it ("Bearer "), when known. */
function authScheme(text: string, at = 0): string | null {
  SCHEME_AT.lastIndex = at;
  const m = SCHEME_AT.exec(text);
  return m && AUTH_SCHEMES.has(m[1]!.toLowerCase()) ? m[0] : null;
}

/**
 * The value of a secret-named header written in text, starting at `at` (just after its colon): what
 * stays (an Authorization's scheme) and what is the secret.
 */
function secretHeaderValue(name: string, text: string, at: number): [keep: string, secret: string] {
  const lower = name.toLowerCase();
  if (lower.includes('authorization')) {
    const scheme = authScheme(text, at);
    if (scheme !== null) {
      const params = matchAt(AUTH_PARAMS_AT, text, at + scheme.length);
      const token = matchAt(TOKEN68_AT, text, at + scheme.length);
      return [scheme, params.length > token.length ? params : token];
    }
  } else if (lower === 'cookie' || lower === 'set-cookie') {
    return ['', matchAt(COOKIE_VALUE_AT, text, at)];
  }
  return ['', matchAt(TO_LINE_END_AT, text, at).trimEnd()];
}

/** A Bearer token, not an English word after "bearer" ("bearer of bad news"). */
function looksLikeBearerToken(s: string): boolean {
  return s.length >= 8 && /[^a-z]/.test(s);
}

/**
 * Subprotocol names that are protocols, not credentials: the IANA WebSocket Subprotocol Name
 * Registry's and common unregistered ones.
 */
const KNOWN_SUBPROTOCOLS = new Set([
  'mbwsp',
  'wamp',
  'wamp.2.json',
  'wamp.2.msgpack',
  'wamp.2.json.batched',
  'wamp.2.msgpack.batched',
  'wamp.2.cbor',
  'wamp.2.cbor.batched',
  'wamp.2.ubjson',
  'wamp.2.ubjson.batched',
  'soap',
  'msrp',
  'sip',
  'xmpp',
  'mqtt',
  'mqttv3.1',
  'v10.stomp',
  'v11.stomp',
  'v12.stomp',
  'stomp',
  'ocpp1.2',
  'ocpp1.5',
  'ocpp1.6',
  'ocpp2.0',
  'ocpp2.0.1',
  'ocpp2.1',
  'rfb',
  'binary',
  'base64',
  'coap',
  'jmap',
  'graphql-ws',
  'graphql-transport-ws',
  'actioncable-v1-json',
  'actioncable-v1-msgpack',
  'actioncable-unsupported',
  'chat',
  'superchat',
  'echo-protocol',
  'json',
  'v1.kafka',
  'v1.ttml.ws',
]);

/**
 * Where the credential starts inside one subprotocol entry: after its first word (split on . _ -)
 * that names a credential, when something follows it; null when none does.
 */
function credentialPrefix(p: string): number | null {
  const word = /[^._-]+/g;
  for (let m = word.exec(p); m !== null; m = word.exec(p)) {
    const end = m.index + m[0].length;
    if (end >= p.length - 1) return null;
    if (/bearer/i.test(m[0]) || isSecretName(m[0])) return end + 1;
  }
  return null;
}

/**
 * An entry with a token's shape rather than a protocol name's (protocol names are lower-case words
 * and versions): base64 characters, a long unbroken run, mixed case in a long word, or a long mix
 * of letters and digits. Digits alone decide nothing.
 */
function looksLikeToken(s: string): boolean {
  if (!/^[A-Za-z0-9+/=_.~-]+$/.test(s)) return false;
  if (/[+/=]/.test(s) && s.length >= 8) return true;
  const runs = s.split(/[._~-]/);
  return (
    runs.some((r) => r.length >= 20) ||
    runs.some((r) => r.length >= 12 && /[a-z]/.test(r) && /[A-Z]/.test(r)) ||
    (s.length >= 24 && /\d/.test(s) && /[A-Za-z]/.test(s))
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** What each rule took out, for a sentence: "header 2: Authorization, X-Api-Key; jwt 1; url-query 1: token". */
export function redactionCounts(r: Pick<RedactionSummary, 'rules'>): string {
  return r.rules
    .map((x) =>
      x.names && x.names.length > 0
        ? `${x.rule} ${x.count}: ${x.names.join(', ')}${x.moreNames ? ' and others' : ''}`
        : `${x.rule} ${x.count}`,
    )
    .join('; ');
}

/** What an export took out, in one sentence for its header. */
export function redactionSentence(r: RedactionSummary): string {
  if (!r.enabled)
    return 'Redaction was turned off for this export: it may hold credentials, tokens and personal data; share it with care.';
  const total = r.rules.reduce((n, x) => n + x.count, 0);
  const extra = [
    ...(r.userFields.length ? [`the fields ${r.userFields.join(', ')}`] : []),
    ...(r.userPatterns ? [`${r.userPatterns} pattern${r.userPatterns === 1 ? '' : 's'} of the user's`] : []),
  ];
  const rules = `credentials in headers, URLs and subprotocols, Bearer tokens, JWTs, secret-named fields${extra.length ? `, ${extra.join(' and ')}` : ''}`;
  if (total === 0) return `Redacted: nothing matched the rules (${rules}).`;
  return `Redacted ${total} value${total === 1 ? '' : 's'} (${redactionCounts(r)}); each is shown as ${MASK}. Rules: ${rules}.`;
}
