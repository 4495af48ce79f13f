// A recorded connection as a load-test script for engines that run distributed: Artillery (engine
// ws, YAML) and k6 (k6/websockets, JavaScript). Secrets never reach the file: the one redaction
// module replaces each with an environment variable, named once per value and listed at the top.
import { isSecretName, Redactor, type RedactionRule } from '../redaction.js';
import { childPath, parseJson } from './diff.js';
import { offeredSubprotocols, recordedHeader, replayableHeaders } from './handshake.js';
import { greetingOf, messageId, type Conversation, type TimedMessage } from './pairing.js';
import { VOLATILE_FIELDS } from './volatile.js';

/** What a recorded answer is checked against in the script. */
export interface Expectation {
  id: string | number;
  /** A top-level field of the answer that does not change between runs; null when none is. */
  field: string | null;
  value: string | number | boolean | null;
}

export interface LoadTestStep {
  /** When the message was sent, ms after the open. */
  atMs: number;
  /** Text as sent (secrets as environment tokens); binary as base64. */
  text: string;
  binary: boolean;
  /** The answer, when it was the next message and carried the request's id. */
  expect: Expectation | null;
  /** When that answer came, ms after the open. */
  answeredAtMs: number | null;
}

/** A recorded connection ready to be written as a script. */
export interface LoadTestPlan {
  sessionId: number;
  sessionName: string;
  connection: number;
  /** The endpoint (secrets as environment tokens). */
  target: string;
  headers: Array<[string, string]>;
  origin: string | null;
  subprotocols: string[];
  idField: string;
  steps: LoadTestStep[];
  /** When the client closed the original, ms after the open; null when it did not. */
  closeAtMs: number | null;
  /** How long to let the server's greeting pass before the first message (Artillery drops it unheard). */
  settleMs: number;
  users: number;
  durationSeconds: number;
  /** Environment variables the script reads, with what each holds. */
  secrets: Array<{ name: string; what: string }>;
  /** What the script leaves out, and why. */
  notes: string[];
}

/** How a secret appears while the plan is built; each format writes it in its own syntax. */
const TOKEN = /__FRAMELINE_ENV_([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)__/g;
const token = (name: string) => `__FRAMELINE_ENV_${name}__`;

function envBase(rule: RedactionRule, name: string | null): string {
  if (rule === 'jwt') return 'JWT';
  if (rule === 'subprotocol') return 'SUBPROTOCOL_TOKEN';
  if (rule === 'bearer-token') return 'BEARER_TOKEN';
  if (rule === 'url-userinfo') return 'URL_PASSWORD';
  const base = (name ?? 'SECRET')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return /^[A-Z]/.test(base) ? base : `SECRET_${base || 'VALUE'}`;
}

function describeSecret(rule: RedactionRule, name: string | null): string {
  switch (rule) {
    case 'header':
      return `the ${name} header${/authorization/i.test(name ?? '') ? ' (its scheme is kept in the file)' : ''}`;
    case 'url-query':
      return `the "${name}" parameter of the URL`;
    case 'url-userinfo':
      return 'the password in the URL';
    case 'subprotocol':
      return 'a token offered as a subprotocol';
    case 'jwt':
      return 'a JWT inside a message';
    case 'bearer-token':
      return 'a Bearer token inside a message';
    default:
      return `the "${name}" field of a message`;
  }
}

/** A redactor whose replacements are environment tokens, one name per distinct secret. */
function envRedactor(): { redactor: Redactor; secrets: LoadTestPlan['secrets'] } {
  const byValue = new Map<string, string>();
  const taken = new Set<string>();
  const secrets: LoadTestPlan['secrets'] = [];
  const redactor = new Redactor(undefined, (rule, name, value) => {
    let env = byValue.get(value);
    if (!env) {
      const base = envBase(rule, name);
      env = base;
      for (let i = 2; taken.has(env); i++) env = `${base}_${i}`;
      taken.add(env);
      byValue.set(value, env);
      secrets.push({ name: env, what: describeSecret(rule, name) });
    }
    return token(env);
  });
  return { redactor, secrets };
}

const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A top-level field of a recorded answer worth checking: not the id, not volatile, not a secret, a plain scalar. */
export function stableField(
  answer: TimedMessage,
  idField: string,
): { field: string; value: string | number | boolean } | null {
  const parsed = parseJson(answer.text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (k === idField || VOLATILE_FIELDS.includes(k) || isSecretName(k) || !PLAIN_FIELD.test(k)) continue;
    if (typeof v === 'number' || typeof v === 'boolean') return { field: k, value: v };
    if (typeof v === 'string' && v.length <= 200 && !v.includes('{{') && new Redactor().text(v) === v)
      return { field: k, value: v };
  }
  return null;
}

export interface LoadTestInput {
  session: { id: number; name: string };
  connection: {
    ordinal: number;
    url: string;
    requestHeaders: Record<string, string>;
    /** Epoch µs of the open. */
    openedAt: number;
    /** Epoch µs of the close, and whether the client sent it first. */
    closedAt: number | null;
    closedByClient: boolean;
  };
  conversation: Conversation;
  idField: string;
  users: number;
  durationSeconds: number;
}

/** A binary message (base64) with the credentials of its packet masked by `r`. */
function maskedBinary(base64: string, r: Redactor): string {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const masked = r.bytes(bytes);
  return masked === bytes ? base64 : btoa(Array.from(masked, (b) => String.fromCharCode(b)).join(''));
}

/** Builds the plan of a script from a recorded connection: every secret replaced, answers to check chosen. */
export function loadTestPlan(input: LoadTestInput): LoadTestPlan {
  const { redactor, secrets } = envRedactor();
  const c = input.connection;
  const at = (ts: number) => Math.max(0, Math.round((ts - c.openedAt) / 1000));
  const received = input.conversation.received;
  const sent = input.conversation.sent;
  const steps: LoadTestStep[] = [];
  const notes: string[] = [];
  const greeting = greetingOf(input.conversation, input.idField);
  // A credential inside a binary packet cannot be an environment variable: it is masked in place.
  const packets = new Redactor();
  for (const m of sent) {
    const id = messageId(m, input.idField);
    let expect: Expectation | null = null;
    let answer: TimedMessage | undefined;
    if (id !== undefined) {
      answer = received.find((x) => x.ts >= m.ts && messageId(x, input.idField) === id);
      // An engine that reads the next message as the answer can only check it when nothing else
      // (a push, a greeting aside) came between the request and its answer.
      const pushed =
        answer !== undefined &&
        received.some(
          (x) =>
            x.ts >= m.ts &&
            x.ts < answer!.ts &&
            !greeting.has(x) &&
            messageId(x, input.idField) === undefined,
        );
      if (answer && !pushed) {
        const stable = stableField(answer, input.idField);
        expect = { id, field: stable?.field ?? null, value: stable?.value ?? null };
      }
    }
    steps.push({
      atMs: at(m.ts),
      text: m.opcode === 'text' ? redactor.text(m.text) : maskedBinary(m.text, packets),
      binary: m.opcode === 'binary',
      expect,
      answeredAtMs: expect && answer ? at(answer.ts) : null,
    });
  }
  const lastGreeting = Math.max(-1, ...[...greeting].map((g) => at(g.ts)));
  const settleMs = lastGreeting < 0 ? 0 : lastGreeting * 2 + 200;
  if (packets.total > 0)
    notes.push(
      `the credentials of ${packets.total === 1 ? 'a binary message' : 'binary messages'} (an MQTT CONNECT's password) are masked as "*" in place: put them back for the server to accept the login`,
    );
  const binaries = steps.filter((s) => s.binary).length;
  if (binaries > 0)
    notes.push(
      `${binaries} binary message${binaries === 1 ? '' : 's'} (sent as base64-decoded bytes by k6; Artillery's ws engine sends text only)`,
    );
  const recordedOrigin = recordedHeader(c.requestHeaders, 'origin');
  return {
    sessionId: input.session.id,
    sessionName: input.session.name,
    connection: c.ordinal,
    target: redactor.url(c.url),
    headers: replayableHeaders(c.requestHeaders)
      .filter(([k]) => k.toLowerCase() !== 'user-agent')
      .map(([k, v]) => [k, redactor.header(k, v)]),
    origin: recordedOrigin === null ? null : redactor.url(recordedOrigin),
    subprotocols: redactor.subprotocols(offeredSubprotocols(c.requestHeaders)),
    idField: input.idField,
    steps,
    closeAtMs: c.closedByClient && c.closedAt !== null ? at(c.closedAt) : null,
    settleMs,
    users: input.users,
    durationSeconds: input.durationSeconds,
    secrets,
    notes,
  };
}

/** Secrets a script reads, as comment lines. */
function secretComment(plan: LoadTestPlan, prefix: string, howToSet: string): string[] {
  if (plan.secrets.length === 0) return [`${prefix} The session recorded no secrets: nothing to set.`];
  const width = Math.max(...plan.secrets.map((s) => s.name.length));
  return [
    `${prefix} Secrets the session recorded are not in this file. ${howToSet}:`,
    ...plan.secrets.map((s) => `${prefix}   ${s.name.padEnd(width)}  ${s.what}`),
  ];
}

function header(plan: LoadTestPlan, prefix: string, run: string, howToSet: string): string[] {
  return [
    `${prefix} Load test exported by Frameline from session ${plan.sessionId} "${plan.sessionName.replace(/[\r\n]+/g, ' ')}", connection ${plan.connection}:`,
    `${prefix} ${plan.steps.length} client message${plan.steps.length === 1 ? '' : 's'} at their recorded times, each answer paired by "${plan.idField}" checked.`,
    `${prefix} Run: ${run}`,
    ...secretComment(plan, prefix, howToSet),
    ...plan.notes.map((n) => `${prefix} Note: ${n}.`),
  ];
}

/** A YAML scalar: JSON's double-quoted strings and plain numbers are valid YAML. */
function yamlValue(v: string | number | boolean, env: (name: string) => string): string {
  return typeof v === 'string'
    ? JSON.stringify(v).replace(TOKEN, (_m, name: string) => env(name))
    : String(v);
}

/** The Artillery script (engine ws) of a plan, as YAML. */
export function artilleryScript(plan: LoadTestPlan): string {
  const env = (name: string) => `{{ $env.${name} }}`;
  const q = (v: string | number | boolean) => yamlValue(v, env);
  const lines = header(
    plan,
    '#',
    'ARTILLERY_DISABLE_TELEMETRY=true npx artillery run THIS_FILE',
    'Set each one in the environment before the run (an unset one fails the run)',
  );
  lines.push('config:', `  target: ${q(plan.target)}`, '  phases:');
  if (plan.users === 1)
    lines.push(`    - name: ${q('one virtual user')}`, '      duration: 1', '      arrivalCount: 1');
  else
    lines.push(
      `    - name: ${q(`${plan.users} virtual users over ${plan.durationSeconds} s`)}`,
      `      duration: ${plan.durationSeconds}`,
      `      arrivalCount: ${plan.users}`,
    );
  const ws: string[] = [];
  if (plan.headers.length > 0) {
    ws.push('    headers:');
    for (const [k, v] of plan.headers) ws.push(`      ${q(k)}: ${q(v)}`);
  }
  if (plan.subprotocols.length > 0) {
    ws.push('    subprotocols:');
    for (const s of plan.subprotocols) ws.push(`      - ${q(s)}`);
  }
  if (plan.origin !== null) ws.push(`    origin: ${q(plan.origin)}`);
  if (ws.length > 0) lines.push('  ws:', ...ws);
  lines.push(
    '  # A failed match fails its virtual user; any failed virtual user fails the run (exit code 1).',
    '  plugins:',
    '    ensure: {}',
    '  ensure:',
    '    maxErrorRate: 0',
    'scenarios:',
    `  - name: ${q(`replay of session ${plan.sessionId}, connection ${plan.connection}`)}`,
    '    engine: ws',
    '    flow:',
  );
  const think = (ms: number) => {
    if (ms >= 1) lines.push(`      - think: ${q(`${Math.round(ms)}ms`)}`);
  };
  // The greeting arrives before the first message and is let pass (no step listens yet).
  think(plan.settleMs);
  let end = plan.settleMs;
  let sends = 0;
  for (const s of plan.steps) {
    if (s.binary) continue;
    think(s.atMs - end);
    sends++;
    if (s.expect) {
      lines.push('      - send:', `          payload: ${q(s.text)}`, '          match:');
      lines.push(
        `            - json: ${q(childPath('$', plan.idField))}`,
        `              value: ${q(s.expect.id)}`,
      );
      if (s.expect.field !== null && s.expect.value !== null)
        lines.push(
          `            - json: ${q(childPath('$', s.expect.field))}`,
          `              value: ${q(s.expect.value)}`,
        );
      end = Math.max(s.atMs, s.answeredAtMs ?? s.atMs);
    } else {
      lines.push(`      - send: ${q(s.text)}`);
      end = s.atMs;
    }
  }
  if (plan.closeAtMs !== null) think(plan.closeAtMs - end);
  if (sends === 0) lines.push(`      - think: ${q('1ms')}`);
  return `${lines.join('\n')}\n`;
}

/** A JavaScript expression for a string holding environment tokens: `"Bearer " + __ENV.AUTHORIZATION`. */
function jsString(s: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of s.matchAll(TOKEN)) {
    if (m.index! > last) parts.push(JSON.stringify(s.slice(last, m.index)));
    parts.push(`__ENV.${m[1]}`);
    last = m.index! + m[0].length;
  }
  if (last < s.length || parts.length === 0) parts.push(JSON.stringify(s.slice(last)));
  return parts.join(' + ');
}

/** How long a k6 run waits for the last answers when the original was not closed by the client. */
const K6_ANSWER_WAIT_MS = 5000;

/** The k6 script (k6/websockets) of a plan. */
export function k6Script(plan: LoadTestPlan): string {
  const lines = header(
    plan,
    '//',
    'k6 run THIS_FILE',
    'Give each one with -e NAME=value (or in the environment)',
  );
  const headers: Array<[string, string]> = [...plan.headers];
  if (plan.origin !== null) headers.push(['Origin', plan.origin]);
  if (plan.subprotocols.length > 0) headers.push(['Sec-WebSocket-Protocol', plan.subprotocols.join(', ')]);
  const lastEnd = Math.max(0, ...plan.steps.map((s) => Math.max(s.atMs, s.answeredAtMs ?? 0)));
  const closeAt = plan.closeAtMs ?? lastEnd + K6_ANSWER_WAIT_MS;
  const scenario =
    plan.users === 1
      ? `{ executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '${Math.ceil(closeAt / 1000) + 30}s' }`
      : `{ executor: 'constant-arrival-rate', rate: ${plan.users}, timeUnit: '${plan.durationSeconds}s', duration: '${plan.durationSeconds}s', preAllocatedVUs: ${plan.users} }`;
  lines.push(
    "import { check } from 'k6';",
    "import encoding from 'k6/encoding';",
    "import { setTimeout } from 'k6/timers';",
    "import { WebSocket } from 'k6/websockets';",
    '',
    'export const options = {',
    `  scenarios: { replay: ${scenario} },`,
    '  // A missing or different answer fails a check; any failed check fails the run.',
    "  thresholds: { checks: ['rate==1'] },",
    '};',
    '',
    `const TARGET = ${jsString(plan.target)};`,
    '/** @type {Record<string, string>} */',
    'const HEADERS = {',
    ...headers.map(([k, v]) => `  ${JSON.stringify(k)}: ${jsString(v)},`),
    '};',
    `const ID_FIELD = ${JSON.stringify(plan.idField)};`,
    '/** @typedef {{ id: string | number, field: string | null, value: string | number | boolean | null }} Expectation */',
    '/** @type {Array<{ at: number, send: string, binary: boolean, expect: Expectation | null }>} */',
    'const STEPS = [',
  );
  for (const s of plan.steps) {
    const expect = s.expect
      ? `{ id: ${JSON.stringify(s.expect.id)}, field: ${JSON.stringify(s.expect.field)}, value: ${JSON.stringify(s.expect.value)} }`
      : 'null';
    lines.push(`  { at: ${s.atMs}, send: ${jsString(s.text)}, binary: ${s.binary}, expect: ${expect} },`);
  }
  lines.push(
    '];',
    `const CLOSE_AT = ${closeAt};`,
    '',
    'export default function () {',
    '  const ws = new WebSocket(TARGET, null, { headers: HEADERS });',
    '  /** @type {Map<string, Expectation>} */',
    '  const awaited = new Map();',
    '  ws.onopen = () => {',
    '    for (const step of STEPS) {',
    '      setTimeout(() => {',
    '        ws.send(step.binary ? encoding.b64decode(step.send) : step.send);',
    '        if (step.expect) awaited.set(String(step.expect.id), step.expect);',
    '      }, step.at);',
    '    }',
    '    setTimeout(() => {',
    '      for (const e of awaited.values()) check(null, { [`an answer to ${e.id} arrived`]: () => false });',
    '      ws.close();',
    '    }, CLOSE_AT);',
    '  };',
    '  ws.onmessage = (event) => {',
    "    if (!event || typeof event.data !== 'string') return;",
    '    let body;',
    '    try {',
    '      body = JSON.parse(event.data);',
    '    } catch {',
    '      return;',
    '    }',
    "    if (body === null || typeof body !== 'object') return;",
    '    const e = awaited.get(String(body[ID_FIELD]));',
    '    if (!e) return;',
    '    awaited.delete(String(e.id));',
    '    check(body, {',
    '      [`the answer to ${e.id} has ${e.field} ${JSON.stringify(e.value)}`]: (b) =>',
    '        e.field === null || b[e.field] === e.value,',
    '    });',
    '  };',
    '  ws.onerror = (event) => {',
    "    check(null, { [`the connection to ${TARGET} works: ${event ? event.error : 'error'}`]: () => false });",
    '  };',
    '}',
  );
  return `${lines.join('\n')}\n`;
}
