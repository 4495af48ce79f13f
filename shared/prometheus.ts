// Prometheus as evidence: the server an incident names (its secret kept as an environment variable's
// name, never as the value), the threshold a query step states (`Expect: < 10`) and how a value is
// judged against it, a query step's result as the walk, the timeline and the report carry it, and
// the source runbooks' own `curl …/api/v1/query?query=…` commands read as the queries they run.
import { z } from 'zod';

/**
 * An environment variable's name: where the engine reads a Prometheus secret when it queries. The
 * name must say PROMETHEUS, so that an incident can never name another secret of the engine's
 * environment (AWS_SECRET_ACCESS_KEY) to be sent to the URL it names.
 */
export const SecretEnvSchema = z.string().regex(/^[A-Z0-9_]*PROMETHEUS[A-Z0-9_]*$/, {
  error:
    'must be an environment variable whose name says PROMETHEUS, such as PROMETHEUS_TOKEN (capitals, digits, _), so that no other secret of the environment can be sent',
});

/** A Prometheus server's base URL: http or https, without credentials (those go through an environment variable). */
export const PrometheusUrlSchema = z
  .string()
  .max(2048)
  .refine((v) => prometheusUrlProblem(v) === null, {
    error: (issue) => prometheusUrlProblem(String(issue.input)) ?? 'is not a Prometheus URL',
  });

/** Why `raw` is not a Prometheus base URL, or null when it is one. */
export function prometheusUrlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `"${raw}" is not a URL; give the server as http://HOST:9090`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `"${raw}" is not http or https; give the server as http://HOST:9090`;
  if (u.username || u.password)
    return 'the URL carries credentials; give the user with --prometheus-user and the secret in an environment variable (--prometheus-password-env) so that it is never stored';
  if (u.search || u.hash) return `"${raw}" has a query or a fragment; give the server's base URL only`;
  return null;
}

/** How the engine authenticates to the server: nothing, a bearer token, or basic auth; the secret is read from `secretEnv`. */
export const PrometheusServerSchema = z.object({
  url: PrometheusUrlSchema,
  auth: z.enum(['none', 'bearer', 'basic']),
  /** Basic auth's user name (not a secret). */
  username: z.string().min(1).max(200).nullable(),
  /** The environment variable holding the bearer token or the basic-auth password; null without auth. */
  secretEnv: SecretEnvSchema.nullable(),
});

/** The server in words, without its secret: `http://prom:9090 (bearer token from $PROMETHEUS_TOKEN)`. */
export function describeServer(s: PrometheusServer): string {
  if (s.auth === 'bearer') return `${s.url} (bearer token from $${s.secretEnv})`;
  if (s.auth === 'basic') return `${s.url} (basic auth as ${s.username}, password from $${s.secretEnv})`;
  return s.url;
}

/** A comparison a query step's values must meet: `< 10`, `>= 0.995`. */
export const ThresholdSchema = z.object({
  op: z.enum(['<', '<=', '>', '>=', '==', '!=']),
  value: z.number(),
});

/** `< 10`, `<= 0.5`, `> 99.5%`, `== 0` → a threshold; null when the text is not one. */
export function parseThreshold(raw: string): Threshold | null {
  const m = /^\s*(<=|>=|==|!=|=|<|>|≤|≥)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(%?)\s*$/i.exec(raw);
  if (!m) return null;
  const op = ({ '=': '==', '≤': '<=', '≥': '>=' } as Record<string, Threshold['op']>)[m[1]!] ?? m[1];
  const value = Number(m[2]) / (m[3] ? 100 : 1);
  return { op: op as Threshold['op'], value };
}

/** The threshold as a runbook writes it: `< 10`. */
export function describeThreshold(t: Threshold): string {
  return `${t.op} ${formatValue(t.value)}`;
}

/** Whether `value` meets `t`. */
export function meets(value: number, t: Threshold): boolean {
  switch (t.op) {
    case '<':
      return value < t.value;
    case '<=':
      return value <= t.value;
    case '>':
      return value > t.value;
    case '>=':
      return value >= t.value;
    case '==':
      return value === t.value;
    case '!=':
      return value !== t.value;
  }
}

/** A value for people: up to four significant digits, plain numbers where they are whole. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** One series of a query: its labels, its value at the window's end, and its points over the window. */
export const QuerySeriesSchema = z.object({
  labels: z.record(z.string(), z.string()),
  /** The instant query's value at the window's end; null when the series has none then. */
  value: z.number().nullable(),
  /** Whether `value` meets the threshold; null without a threshold or a value. */
  pass: z.boolean().nullable(),
  /** [epoch seconds, value] over the window, from the range query. */
  points: z.array(z.tuple([z.number(), z.number()])),
});

/** One query of a step, as it was asked and answered. */
export const QueryAnswerSchema = z.object({
  promql: z.string(),
  series: z.array(QuerySeriesSchema),
  /** What went wrong, in one line: unreachable, a bad query, no data; null when it answered with data. */
  error: z.string().nullable(),
  /** The query's verdict: it answered, with data, and every value meets the threshold (when there is one). */
  pass: z.boolean(),
  /** The verdict in words, for the walk, the timeline and the report. */
  verdict: z.string(),
});

/** A query step's result, as its run keeps it. */
export const QueryResultSchema = z.object({
  server: z.string(),
  /** The window queried, epoch seconds, and the range query's step. */
  window: z.object({ from: z.number(), to: z.number(), stepSeconds: z.number().positive() }),
  expect: ThresholdSchema.nullable(),
  queries: z.array(QueryAnswerSchema),
  pass: z.boolean(),
});

export type PrometheusServer = z.output<typeof PrometheusServerSchema>;
export type Threshold = z.output<typeof ThresholdSchema>;
export type QuerySeries = z.output<typeof QuerySeriesSchema>;
export type QueryAnswer = z.output<typeof QueryAnswerSchema>;
export type QueryResult = z.output<typeof QueryResultSchema>;

/** A series' name for a legend: its labels without the job and instance, `{reason="idle_timeout"}`. */
export function seriesName(labels: Record<string, string>): string {
  const shown = Object.entries(labels).filter(([k]) => k !== 'job' && k !== 'instance' && k !== '__name__');
  const name = labels.__name__ ?? '';
  if (shown.length === 0) return name || 'value';
  return `${name}{${shown.map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

/** The queries a shell command asks Prometheus with curl, and the server when it is written out. */
export interface CurlQueries {
  promql: string[];
  server: string | null;
}

const RANGE_PARAMS = /&(?:time|start|end|step|timeout|limit)=/;

/**
 * The PromQL of every `curl …/api/v1/query?query=…` (or `--data-urlencode 'query=…'`) in a shell
 * command, as the source runbooks write their checks; null when the command asks Prometheus nothing.
 */
export function curlQueries(command: string): CurlQueries | null {
  const lines = command
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const promql: string[] = [];
  let server: string | null = null;
  for (const line of lines) {
    if (!/\bcurl\b/.test(line) || !/\/api\/v1\/query(?:_range)?\b/.test(line)) continue;
    const words = shellWords(line);
    const urlWord = words.find((w) => /\/api\/v1\/query(?:_range)?\b/.test(w));
    let query: string | null = null;
    if (urlWord) {
      const at = urlWord.search(/\/api\/v1\/query(?:_range)?\b/);
      const base = urlWord.slice(0, at);
      if (server === null && /^https?:\/\/[^$\s]+$/.test(base)) server = base;
      const q = /[?&]query=(.*)$/.exec(urlWord.slice(at));
      if (q) query = q[1]!.split(RANGE_PARAMS)[0]!;
    }
    for (let i = 0; i < words.length - 1 && query === null; i++) {
      if (!/^--data(?:-urlencode|-raw)?$|^-d$/.test(words[i]!)) continue;
      const data = /^query=(.*)$/s.exec(words[i + 1]!);
      if (data) query = data[1]!;
    }
    if (query === null || query.trim() === '') continue;
    promql.push(decodeQuery(query).trim());
  }
  return promql.length ? { promql, server } : null;
}

/** A query as written in a URL: percent-encoded or not (the runbooks write it plain). */
function decodeQuery(q: string): string {
  if (!/%[0-9A-Fa-f]{2}/.test(q)) return q;
  try {
    return decodeURIComponent(q.replace(/\+/g, ' '));
  } catch {
    return q;
  }
}

/** A shell line split into words as sh would: quotes removed, `\"` inside double quotes kept as `"`. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end === -1 ? line.length : end);
      i = end === -1 ? line.length : end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        word += line[i];
        i++;
      }
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
