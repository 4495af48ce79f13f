// What must not leave the machine: credentials in headers, URLs and subprotocols, JWTs anywhere,
// and secret-named fields inside JSON or form-encoded frames. One set of rules for everything that
// is exported or logged (reports, HAR, NDJSON, load-test scripts, the probe's evidence); each
// redaction is counted by rule, so that an export can say what it took out.

import type { RedactionSummary } from './contract/fields.js';

/** The mask a redacted value becomes (an Authorization keeps its scheme: "Bearer ***"). */
export const MASK = '***';

/** Header names whose values are credentials whatever their shape. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
/** Words that make a header, query parameter or JSON field name a secret's. */
const SECRET_WORDS = /token|secret|key|passw(or)?d|session|auth|credential|signature|cookie/i;
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
  | 'json-field'
  | 'form-field'
  | 'user-field'
  | 'user-pattern';

/** What a redacted value is replaced with; `name` is the header, parameter or field it was in. */
export type Replacement = (rule: RedactionRule, name: string | null, value: string) => string;

/** One redaction pass over an export: applies the rules and counts what each took out. */
export class Redactor {
  private readonly counts = new Map<RedactionRule, number>();
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

  /** What this pass took out, as an export's header says it. */
  summary(): RedactionSummary {
    return {
      enabled: this.rules.enabled,
      rules: this.report(),
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
    this.counts.set(rule, (this.counts.get(rule) ?? 0) + 1);
    return this.replacement(rule, name, value);
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
      const scheme = /authorization/.test(lower) ? /^([A-Za-z][\w.+-]*) +(\S.*)$/.exec(value) : null;
      return scheme
        ? `${scheme[1]} ${this.hit('header', name, scheme[2]!)}`
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
   * smuggled here ("access_token, eyJ…", "Bearer, abc…"): JWTs, long random-looking entries and
   * the entry after a secret-named one are masked.
   */
  subprotocols(list: string[]): string[] {
    if (!this.rules.enabled) return list;
    return list.map((p, i) => {
      const before = list[i - 1];
      const afterSecretName = before !== undefined && (isSecretName(before) || /^bearer$/i.test(before));
      if (IS_JWT.test(p) || looksRandom(p) || afterSecretName) return this.hit('subprotocol', null, p);
      return this.inText(p);
    });
  }

  /**
   * A frame's text: JSON with secret-named fields masked at any depth (the text keeps its shape,
   * re-serialised), else form-encoded fields, then JWTs and the user's patterns anywhere.
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
      try {
        const parsed = JSON.parse(payload) as unknown;
        const before = this.total;
        const masked = this.json(parsed);
        if (this.total !== before) return this.inText(JSON.stringify(masked));
      } catch {
        // not JSON after all: read as text below
      }
    } else if (
      /^[\w.-]+=[^&\s]*(&[\w.-]+=[^&\s]*)+$/.test(payload.trim()) ||
      /^[\w.-]+=[^&\s]*$/.test(payload.trim())
    ) {
      return this.inText(this.form(payload));
    }
    return this.inText(payload);
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
    let out = text.replace(URL_IN_TEXT, (m) => {
      // A URL ends before the punctuation that closes the sentence around it.
      const tail = /[.,;:!?)\]]+$/.exec(m)?.[0] ?? '';
      return this.url(m.slice(0, m.length - tail.length)) + tail;
    });
    out = out.replace(HEADER_IN_TEXT, (m, name: string, sep: string, value: string) => {
      if (!this.isSecretField(name) || value.trim() === '' || value.startsWith(MASK)) return m;
      const scheme = /authorization/i.test(name) ? /^([A-Za-z][\w.+-]*) +(\S.*)$/.exec(value) : null;
      const rule = this.userFields.has(name.toLowerCase()) ? 'user-field' : 'header';
      return scheme
        ? `${name}${sep}${scheme[1]} ${this.hit(rule, name, scheme[2]!)}`
        : `${name}${sep}${this.hit(rule, name, value)}`;
    });
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
          out[k] = this.hit(user ? 'user-field' : 'json-field', k, String(v));
        else out[k] = this.value(v);
      }
      return out;
    }
    if (typeof value === 'string') return this.prose(value);
    return value;
  }

  /** False when no secret word and no user field appears in `text` at all (a quick test). */
  private mayName(text: string): boolean {
    if (SECRET_WORDS.test(text)) return true;
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
          out[k] = this.hit(user ? 'user-field' : 'json-field', k, String(v));
        else out[k] = this.json(v);
      }
      return out;
    }
    if (typeof value === 'string') return this.inText(value);
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

/** A URL written in text. */
const URL_IN_TEXT = /\b(?:wss?|https?):\/\/[^\s"'<>`]+/g;
/** A header written in text: `Authorization: Bearer abc` (up to the end of the line or a quote). */
const HEADER_IN_TEXT = /\b([A-Za-z][A-Za-z0-9_-]*)(:[ \t]*)([^\r\n"'`]+)/g;
/** A `name=value` pair in text, as in a command line or a log. */
const PAIR_IN_TEXT = /\b([A-Za-z_][\w.-]*)=("[^"\n]*"|'[^'\n]*'|[^\s&;"'`]+)/g;
/** A `"name": "value"` pair in text that is not JSON as a whole (a log line, truncated JSON). */
const JSON_PAIR_IN_TEXT = /"([A-Za-z_][\w.-]*)"(\s*:\s*)"((?:[^"\\\n]|\\.)*)"/g;

/** An entry that looks like a credential: long, and a mix of letters and digits with no spaces. */
function looksRandom(s: string): boolean {
  return s.length >= 24 && /^[A-Za-z0-9+/=_.-]+$/.test(s) && /\d/.test(s) && /[A-Za-z]/.test(s);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** What an export took out, in one sentence for its header. */
export function redactionSentence(r: RedactionSummary): string {
  if (!r.enabled)
    return 'Redaction was turned off for this export (--no-redact): it may hold credentials, tokens and personal data; share it with care.';
  const total = r.rules.reduce((n, x) => n + x.count, 0);
  const extra = [
    ...(r.userFields.length ? [`the fields ${r.userFields.join(', ')}`] : []),
    ...(r.userPatterns ? [`${r.userPatterns} pattern${r.userPatterns === 1 ? '' : 's'} of the user's`] : []),
  ];
  const rules = `credentials in headers, URLs and subprotocols, JWTs, secret-named fields${extra.length ? `, ${extra.join(' and ')}` : ''}`;
  if (total === 0) return `Redacted: nothing matched the rules (${rules}).`;
  const counts = r.rules.map((x) => `${x.rule} ${x.count}`).join(', ');
  return `Redacted ${total} value${total === 1 ? '' : 's'} (${counts}); each is shown as ${MASK}. Rules: ${rules}.`;
}
