// A query step: ask Prometheus each of the step's PromQL queries over the incident's window — its
// value at the window's end (/api/v1/query) and its curve across it (/api/v1/query_range) — and judge
// the values against the runbook's threshold. Every failure (unreachable, refused credentials, a bad
// query, no data) is one line and a step that did not pass; nothing here throws at the walk.
import {
  describeThreshold,
  formatValue,
  meets,
  seriesName,
  type PrometheusServer,
  type QueryAnswer,
  type QueryResult,
  type QuerySeries,
  type Threshold,
} from '../../../shared/prometheus.js';
import type { StepAction } from '../../../shared/runbooks/schemas.js';

/** How long one request to Prometheus may take. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Points a range query asks for across the window, at most (Prometheus refuses more than 11,000). */
const RANGE_POINTS = 240;
/** The shortest window charted: a few minutes before its end, so that a curve has a shape. */
export const MIN_WINDOW_SECONDS = 300;

type QueryAction = Extract<StepAction, { kind: 'query' }>;

/** The window a query step asks about: the incident's, epoch seconds, at least MIN_WINDOW_SECONDS long. */
export function queryWindow(fromUs: number, toUs: number): QueryResult['window'] {
  const to = Math.floor(toUs / 1e6);
  const from = Math.min(Math.floor(fromUs / 1e6), to - MIN_WINDOW_SECONDS);
  const stepSeconds = Math.max(1, Math.ceil((to - from) / RANGE_POINTS));
  return { from, to, stepSeconds };
}

/** A failure of a request, as one line for the walk. */
class QueryFailure extends Error {
  /** The server could not be reached at all: the other queries need not try. */
  constructor(
    message: string,
    readonly unreachable = false,
  ) {
    super(message);
  }
}

interface ApiAnswer {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

/** The Authorization header, read from the environment when the query runs; the value is never kept. */
function authorization(server: PrometheusServer, env: NodeJS.ProcessEnv): string | null {
  if (server.auth === 'none') return null;
  const secret = env[server.secretEnv!];
  if (!secret)
    throw new QueryFailure(
      `the environment variable ${server.secretEnv} that holds the ${server.auth === 'bearer' ? 'bearer token' : 'password'} for ${server.url} is not set: export it where Frameline runs`,
      true,
    );
  return server.auth === 'bearer'
    ? `Bearer ${secret}`
    : `Basic ${Buffer.from(`${server.username}:${secret}`).toString('base64')}`;
}

async function get(
  server: PrometheusServer,
  path: string,
  params: Record<string, string>,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<ApiAnswer> {
  const url = `${server.url}${path}?${new URLSearchParams(params).toString()}`;
  const auth = authorization(server, env);
  let answer: Response;
  try {
    answer = await fetch(url, {
      headers: { accept: 'application/json', ...(auth ? { authorization: auth } : {}) },
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      redirect: 'error',
    });
  } catch (err) {
    if (signal.aborted) throw new QueryFailure('stopped', true);
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new QueryFailure(`Prometheus at ${server.url} is unreachable: ${why}`, true);
  }
  if (answer.status === 401 || answer.status === 403)
    throw new QueryFailure(
      `Prometheus at ${server.url} refused the request (${answer.status})${server.auth === 'none' ? ': it wants credentials; give the incident a bearer token or basic auth' : `: check the secret in ${server.secretEnv}`}`,
      true,
    );
  let body: { status?: string; data?: ApiAnswer; error?: string; errorType?: string };
  try {
    body = (await answer.json()) as typeof body;
  } catch {
    throw new QueryFailure(
      `${server.url}${path} answered ${answer.status} without Prometheus' JSON: is ${server.url} a Prometheus server?`,
      true,
    );
  }
  if (body.status !== 'success' || !body.data)
    throw new QueryFailure(
      `Prometheus rejected the query (${body.errorType ?? answer.status}): ${(body.error ?? 'no reason given').split('\n')[0]}`,
    );
  return body.data;
}

function sampleValue(raw: unknown): number {
  return Number(Array.isArray(raw) ? raw[1] : NaN);
}

/** One query: its value at the window's end per series, and its curve. */
async function ask(
  promql: string,
  server: PrometheusServer,
  window: QueryResult['window'],
  expect: Threshold | null,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<QueryAnswer> {
  const instant = await get(server, '/api/v1/query', { query: promql, time: String(window.to) }, env, signal);
  if (instant.resultType === 'matrix' || instant.resultType === 'string')
    throw new QueryFailure(
      `the query answers a ${instant.resultType === 'matrix' ? 'range vector' : 'string'}, not a value: wrap it in a function such as rate(…) or sum(…)`,
    );
  const series: QuerySeries[] =
    instant.resultType === 'scalar'
      ? [{ labels: {}, value: sampleValue(instant.result), pass: null, points: [] }]
      : (instant.result as Array<{ metric: Record<string, string>; value: unknown }>).map((s) => ({
          labels: s.metric,
          value: sampleValue(s.value),
          pass: null,
          points: [],
        }));
  const range = await get(
    server,
    '/api/v1/query_range',
    {
      query: promql,
      start: String(window.from),
      end: String(window.to),
      step: String(window.stepSeconds),
    },
    env,
    signal,
  );
  const curves =
    range.resultType === 'scalar'
      ? [{ metric: {}, values: [] as unknown[] }]
      : (range.result as Array<{ metric: Record<string, string>; values: unknown[] }>);
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
  const byKey = new Map(series.map((s) => [key(s.labels), s]));
  for (const c of curves) {
    const points = c.values.map((p) => [Number((p as unknown[])[0]), sampleValue(p)] as [number, number]);
    const s = byKey.get(key(c.metric));
    if (s) s.points = points;
    // A series that had data in the window but none at its end is still charted.
    else series.push({ labels: c.metric, value: null, pass: null, points });
  }
  const valued = series.filter((s) => s.value !== null && !Number.isNaN(s.value));
  if (valued.length === 0)
    return {
      promql,
      series,
      error: `no data: ${promql} matched no series at ${new Date(window.to * 1000).toISOString()}${series.length ? ' (it had some earlier in the window)' : ''}`,
      pass: false,
      verdict: 'no data',
    };
  for (const s of valued) s.pass = expect ? meets(s.value!, expect) : null;
  const failed = valued.filter((s) => s.pass === false);
  const values =
    valued.length === 1
      ? formatValue(valued[0]!.value!)
      : valued
          .slice(0, 4)
          .map((s) => `${seriesName(s.labels)} ${formatValue(s.value!)}`)
          .join(', ') + (valued.length > 4 ? `, … (${valued.length} series)` : '');
  const verdict = !expect
    ? `= ${values}`
    : failed.length === 0
      ? `= ${values}: meets ${describeThreshold(expect)}`
      : `= ${values}: ${valued.length === 1 ? 'does not meet' : `${failed.length} of ${valued.length} series do not meet`} ${describeThreshold(expect)}`;
  return { promql, series, error: null, pass: failed.length === 0, verdict };
}

export interface QueryStepOutcome {
  result: QueryResult;
  summary: string;
}

/** Runs a query step: every query over `window`; answers the result and a one-line summary. */
export async function runQueryStep(
  action: QueryAction,
  server: PrometheusServer,
  window: QueryResult['window'],
  signal: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<QueryStepOutcome> {
  const expect = action.expect ?? null;
  const queries: QueryAnswer[] = [];
  let unreachable: string | null = null;
  for (const promql of action.promql) {
    if (unreachable !== null) {
      queries.push({ promql, series: [], error: unreachable, pass: false, verdict: 'not asked' });
      continue;
    }
    try {
      queries.push(await ask(promql, server, window, expect, env, signal));
    } catch (err) {
      if (!(err instanceof QueryFailure)) throw err;
      if (err.unreachable) unreachable = err.message;
      queries.push({ promql, series: [], error: err.message, pass: false, verdict: 'failed' });
    }
  }
  const pass = queries.every((q) => q.pass);
  const lines = queries.map((q) => `${q.promql} ${q.error ?? q.verdict}`);
  const summary =
    unreachable !== null && queries.every((q) => q.error === unreachable)
      ? unreachable
      : queries.length === 1
        ? lines[0]!
        : `${queries.filter((q) => q.pass).length} of ${queries.length} queries passed${expect ? ` (${describeThreshold(expect)})` : ''}: ${lines.join('; ')}`;
  return { result: { server: server.url, window, expect, queries, pass }, summary };
}
