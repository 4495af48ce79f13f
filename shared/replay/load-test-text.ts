// What every load-test script is written with: secrets as environment tokens while a plan is built,
// each written in its engine's syntax ({{ $env.NAME }} in Artillery, __ENV.NAME in k6), and the head
// of an Artillery and of a k6 script (the comment, target, virtual users, what fails a run).
import { Redactor, type RedactionRule } from '../redaction.js';

/** What every script says of where it comes from and what it reads. */
export interface ScriptOrigin {
  sessionId: number;
  sessionName: string;
  connection: number;
  /** Environment variables the script reads, with what each holds. */
  secrets: Array<{ name: string; what: string }>;
  /** What the script leaves out, and why. */
  notes: string[];
}

/** How a secret appears while the plan is built; each format writes it in its own syntax. */
export const TOKEN = /__FRAMELINE_ENV_([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)__/g;
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
export function envRedactor(): { redactor: Redactor; secrets: ScriptOrigin['secrets'] } {
  const byValue = new Map<string, string>();
  const taken = new Set<string>();
  const secrets: ScriptOrigin['secrets'] = [];
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

/** Secrets a script reads, as comment lines. */
function secretComment(plan: ScriptOrigin, prefix: string, howToSet: string): string[] {
  if (plan.secrets.length === 0) return [`${prefix} The session recorded no secrets: nothing to set.`];
  const width = Math.max(...plan.secrets.map((s) => s.name.length));
  return [
    `${prefix} Secrets the session recorded are not in this file. ${howToSet}:`,
    ...plan.secrets.map((s) => `${prefix}   ${s.name.padEnd(width)}  ${s.what}`),
  ];
}

/** The comment a script opens with: where it comes from, what it does (`what`), how to run it, what it reads. */
export function header(
  plan: ScriptOrigin,
  what: string,
  prefix: string,
  run: string,
  howToSet: string,
): string[] {
  return [
    `${prefix} Load test exported by Frameline from session ${plan.sessionId} "${plan.sessionName.replace(/[\r\n]+/g, ' ')}", connection ${plan.connection}:`,
    `${prefix} ${what}.`,
    `${prefix} Run: ${run}`,
    ...secretComment(plan, prefix, howToSet),
    ...plan.notes.map((n) => `${prefix} Note: ${n}.`),
  ];
}

/** A YAML scalar: JSON's double-quoted strings and plain numbers are valid YAML. */
export function yamlValue(v: string | number | boolean, env: (name: string) => string): string {
  return typeof v === 'string'
    ? JSON.stringify(v).replace(TOKEN, (_m, name: string) => env(name))
    : String(v);
}

/** An Artillery script's head: its comment, its target and its phases (virtual users). */
export function artilleryHead(
  plan: ScriptOrigin & { target: string; users: number; durationSeconds: number },
  what: string,
  q: (v: string | number | boolean) => string,
): string[] {
  const lines = header(
    plan,
    what,
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
  return lines;
}

/** The end of an Artillery config (any error fails the run) and the start of its one scenario's flow. */
export function artilleryScenario(
  plan: ScriptOrigin,
  engine: 'ws' | 'socketio',
  q: (v: string | number | boolean) => string,
): string[] {
  return [
    '  # A failed match fails its virtual user; any failed virtual user fails the run (exit code 1).',
    '  plugins:',
    '    ensure: {}',
    '  ensure:',
    '    maxErrorRate: 0',
    'scenarios:',
    `  - name: ${q(`replay of session ${plan.sessionId}, connection ${plan.connection}`)}`,
    `    engine: ${engine}`,
    '    flow:',
  ];
}

/** A JavaScript expression for a string holding environment tokens: `"Bearer " + __ENV.AUTHORIZATION`. */
export function jsString(s: string): string {
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

/**
 * A k6 script's head: its comment, imports, options (virtual users, a run that ends `closeAtMs`
 * after the open, failed checks failing it), TARGET and HEADERS.
 */
export function k6Head(
  plan: ScriptOrigin & {
    target: string;
    headers: Array<[string, string]>;
    users: number;
    durationSeconds: number;
  },
  what: string,
  closeAtMs: number,
): string[] {
  const scenario =
    plan.users === 1
      ? `{ executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '${Math.ceil(closeAtMs / 1000) + 30}s' }`
      : `{ executor: 'constant-arrival-rate', rate: ${plan.users}, timeUnit: '${plan.durationSeconds}s', duration: '${plan.durationSeconds}s', preAllocatedVUs: ${plan.users} }`;
  return [
    ...header(
      plan,
      what,
      '//',
      'k6 run THIS_FILE',
      'Give each one with -e NAME=value (or in the environment)',
    ),
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
    ...plan.headers.map(([k, v]) => `  ${JSON.stringify(k)}: ${jsString(v)},`),
    '};',
  ];
}
