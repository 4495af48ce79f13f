// Query steps against Debian's Prometheus scraping an exporter the test controls (the service
// runbook's metric names): a step that passes its threshold and one that fails it, the source
// runbook's own curl checks run as queries, a bad query, a metric with no data, an unreachable
// server, refused credentials and an unset secret as one line each; the report's charts in HTML and
// PDF, read back with pdftotext and pdftoppm. Prometheus wants basic auth: the password reaches it
// from an environment variable, and is nowhere in the database, the timeline or the report.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import { QueryResultSchema } from '../../../shared/prometheus.js';
import { browserMissing } from '../../support/browser.js';
import { cli, workspace, type CliResult, type Workspace } from '../../support/cli.js';
import {
  SERVICE_RUNBOOK_CHECKS,
  startExporter,
  startPrometheus,
  type Exporter,
  type PrometheusServer,
} from '../../support/prometheus.js';
import { freePort } from '../../servers/proxies.js';

const RUNBOOK = fileURLToPath(new URL('../../fixtures/runbooks/prometheus-checks.md', import.meta.url));
/** Prometheus' basic-auth password, given to Frameline as an environment variable: never written anywhere. */
const PASSWORD = 'prom-password-7f3a9c1e-never-stored';
const ENV = { FL_TEST_PROMETHEUS_PASSWORD: PASSWORD, FL_TEST_PROMETHEUS_TOKEN: 'not-what-it-wants' };
const BASIC = ['--prometheus-user', 'frameline', '--prometheus-password-env', 'FL_TEST_PROMETHEUS_PASSWORD'];

let ws: Workspace;
let exporter: Exporter;
let prometheus: PrometheusServer;

beforeAll(async () => {
  ws = workspace();
  // Three open connections (under the step's "< 10"); every message at 0.5 s (over its "< 0.1").
  exporter = await startExporter({
    connections: 3,
    disconnections: { idle_timeout: 2, server_restart: 0.5 },
    latency: 0.5,
    observations: 20,
  });
  prometheus = await startPrometheus({
    targets: [exporter.target],
    basicAuth: { username: 'frameline', password: PASSWORD },
  });
  // rate() and histogram_quantile() need two samples of each series, and a range query's curve (a
  // point every 2 s over the five-minute window) needs scrapes spanning two of its steps.
  await prometheus.untilScraped(6);
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop();
  ws?.cleanup();
});

const fl = (...args: string[]): Promise<CliResult> => cli([...args, '--db', ws.db], ENV);

async function json<T>(...args: string[]): Promise<T> {
  const r = await fl(...args, '--json');
  if (r.code !== 0)
    throw new Error(`frameline ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('query steps against a real Prometheus', () => {
  let incident: Incident;
  let walkId: number;

  it('opens an incident that names the server, its password kept as an environment variable', async () => {
    expect((await fl('runbooks', 'import', RUNBOOK)).code).toBe(0);
    incident = await json<Incident>(
      'incident',
      'create',
      '--title',
      'Latency alert',
      '--prometheus',
      prometheus.url,
      ...BASIC,
    );
    expect(incident.prometheus).toEqual({
      url: prometheus.url,
      auth: 'basic',
      username: 'frameline',
      secretEnv: 'FL_TEST_PROMETHEUS_PASSWORD',
    });
    const shown = await fl('incident', 'show', String(incident.id));
    expect(shown.stdout).toContain(
      `prometheus: ${prometheus.url} (basic auth as frameline, password from $FL_TEST_PROMETHEUS_PASSWORD)`,
    );
    const w = await json<WalkView>('walk', 'start', String(incident.id), '--runbook', 'prometheus-checks');
    walkId = w.id;
    expect(w.current.steps.map((s) => s.action?.kind)).toEqual(['query', 'query', 'query', 'query', 'query']);
    // The source runbook's curl block is read as its three queries.
    expect(w.current.steps[2]!.action).toEqual(SERVICE_RUNBOOK_CHECKS);
  });

  it('passes a step whose value meets its threshold, over the incident window', async () => {
    const r = await fl('walk', 'action', String(walkId), '--step', '1');
    expect(r.stderr).toBe(`run 1: query (step 1 of METRICS)…\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'run 1  METRICS step 1  query  ok: sum(websocket_connections_active{environment="production"}) = 3: meets < 10',
    );
    expect(r.stdout).toMatch(
      /PASS {2}sum\(websocket_connections_active\{environment="production"\}\) {2}= 3: meets < 10/,
    );
    const run = await json<WalkRun>('walk', 'show', String(walkId)).then(
      (w) => (w as unknown as WalkView).runs[0]!,
    );
    const result = QueryResultSchema.parse(run.result);
    expect(result.pass).toBe(true);
    expect(result.server).toBe(prometheus.url);
    // At least five minutes ending now, a point every second or more.
    expect(result.window.to - result.window.from).toBeGreaterThanOrEqual(300);
    const series = result.queries[0]!.series;
    expect(series).toHaveLength(1);
    expect(series[0]!.value).toBe(3);
    // The curve holds what Prometheus scraped: every point 3.
    expect(series[0]!.points.length).toBeGreaterThanOrEqual(2);
    expect(new Set(series[0]!.points.map(([, v]) => v))).toEqual(new Set([3]));
  });

  it('fails a step whose value does not meet its threshold', async () => {
    const r = await fl('walk', 'action', String(walkId), '--step', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /run 2 {2}METRICS step 2 {2}query {2}failed: histogram_quantile\(0\.95, rate\(websocket_message_latency_seconds_bucket\{environment="production"\}\[5m\]\)\) = 0\.\d+: does not meet < 0\.1/,
    );
    const w = await json<WalkView>('walk', 'show', String(walkId));
    const value = QueryResultSchema.parse(w.runs[1]!.result).queries[0]!.series[0]!.value!;
    // Every observation falls in the (0.25, 0.5] bucket: the 95th percentile lies inside it.
    expect(value).toBeGreaterThan(0.25);
    expect(value).toBeLessThanOrEqual(0.5);
    expect(w.checked.METRICS ?? []).toEqual([1]);
  });

  it("runs the source runbook's curl checks as queries, each series with its value", async () => {
    const r = await fl('walk', 'action', String(walkId), '--step', '3');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 of 3 queries passed');
    expect(r.stdout).toContain('{reason="idle_timeout"}');
    expect(r.stdout).toContain('{reason="server_restart"}');
    const w = await json<WalkView>('walk', 'show', String(walkId));
    const q = QueryResultSchema.parse(w.runs[2]!.result);
    // The incident's server is asked, not the runbook's placeholder.
    expect(q.server).toBe(prometheus.url);
    expect(q.queries[1]!.series.map((s) => s.labels.reason).sort()).toEqual([
      'idle_timeout',
      'server_restart',
    ]);
  });

  it('says in one line what went wrong: a bad query, no data, an unreachable server, refused or missing secrets', async () => {
    const bad = await fl('walk', 'action', String(walkId), '--step', '4');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /query {2}failed: .*Prometheus rejected the query \(bad_data\): .*parse error/,
    );
    const none = await fl('walk', 'action', String(walkId), '--step', '5');
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(
      /query {2}failed: sum\(websocket_reconnections_total\) no data: .* matched no series/,
    );

    const closed = await freePort();
    await json('incident', 'update', String(incident.id), '--prometheus', `http://127.0.0.1:${closed}`);
    const down = await fl('walk', 'action', String(walkId), '--step', '1');
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(
      new RegExp(
        `query {2}failed: Prometheus at http://127\\.0\\.0\\.1:${closed} is unreachable: ECONNREFUSED\\n`,
      ),
    );
    expect(down.stderr).not.toMatch(/at .*\.js:\d+/);

    // A bearer token Prometheus does not take, then a secret whose variable is not set.
    const askWith = (...auth: string[]) =>
      json('incident', 'update', String(incident.id), '--prometheus', prometheus.url, ...auth);
    await askWith('--prometheus-token-env', 'FL_TEST_PROMETHEUS_TOKEN');
    const refusedToken = await fl('walk', 'action', String(walkId), '--step', '1');
    expect(refusedToken.code).toBe(1);
    expect(refusedToken.stdout).toContain(
      `query  failed: Prometheus at ${prometheus.url} refused the request (401): check the secret in FL_TEST_PROMETHEUS_TOKEN\n`,
    );
    await askWith('--prometheus-token-env', 'FL_TEST_UNSET_PROMETHEUS_TOKEN');
    const unset = await fl('walk', 'action', String(walkId), '--step', '1');
    expect(unset.code).toBe(1);
    expect(unset.stdout).toContain(
      `the environment variable FL_TEST_UNSET_PROMETHEUS_TOKEN that holds the bearer token for ${prometheus.url} is not set`,
    );
    await askWith(...BASIC);

    const refused = await fl(
      'incident',
      'update',
      String(incident.id),
      '--prometheus',
      'http://u:p@example.com',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/carries credentials/);
  });

  it('puts every query on the timeline with its values and verdict', async () => {
    const w = await json<WalkView>('walk', 'show', String(walkId));
    const finished = w.timeline.filter((e) => e.kind === 'run-finished');
    expect(finished[0]!.text).toMatch(/step 1 of METRICS \(query\) done after .*= 3: meets < 10/);
    expect(finished[0]!.detail).toMatchObject({
      status: 'ok',
      pass: true,
      expect: { op: '<', value: 10 },
      queries: [{ pass: true, values: [{ labels: {}, value: 3, pass: true }] }],
    });
    expect(finished[1]!.detail).toMatchObject({ status: 'failed', pass: false });
  });

  it('charts each query in the HTML report and in the PDF, read back with pdftotext and pdftoppm', async () => {
    const html = join(ws.dir, 'report.html');
    expect((await fl('report', String(incident.id), '-o', html)).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    const charts = page.match(/<svg class="chart query-chart"[^>]*>/g) ?? [];
    // Step 1, step 2 and the three curl checks; the runs that reached no data have none.
    expect(charts.length).toBeGreaterThanOrEqual(5);
    expect(page).toContain('expect &lt; 10');
    expect(page).toMatch(/<path class="series series-0" d="M[\d.]+,[\d.]+L/);
    expect(page).toContain('class="verdict-pass">PASS</span>');
    expect(page).toContain('class="verdict-fail">FAIL</span>');

    const md = join(ws.dir, 'report.md');
    expect((await fl('report', String(incident.id), '-o', md)).code).toBe(0);
    expect(readFileSync(md, 'utf8')).toContain(
      '- `sum(websocket_connections_active{environment="production"})` **PASS** = 3: meets &lt; 10',
    );

    if (browserMissing()) return;
    const pdf = join(ws.dir, 'report.pdf');
    expect((await fl('report', String(incident.id), '-o', pdf)).code).toBe(0);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
    expect(text).toContain('expect < 10');
    expect(text).toContain('expect < 0.1');
    // The legends under the charts: each series with its value at the window's end.
    expect(text).toMatch(/value = 3 — meets/);
    expect(text).toMatch(/\{environment="production"\} = 0\.\d+ — does not meet/);
    expect(text).toMatch(/\{reason="idle_timeout"\} = [\d.]+/);
    // The pages as images: the series' blue line and the threshold's red dashes are drawn.
    execFileSync('pdftoppm', ['-r', '60', pdf, join(ws.dir, 'page')]);
    const pages = readdirSync(ws.dir).filter((f) => /^page-\d+\.ppm$/.test(f));
    let blue = 0;
    let red = 0;
    for (const p of pages) {
      const image = readPpm(join(ws.dir, p));
      for (let i = 0; i < image.length; i += 3) {
        const [r, g, b] = [image[i]!, image[i + 1]!, image[i + 2]!];
        if (Math.abs(r - 0x2f) < 40 && Math.abs(g - 0x6f) < 40 && b > 170 && b - r > 100) blue++;
        if (r > 170 && g < 90 && b < 90) red++;
      }
    }
    expect(blue).toBeGreaterThan(50);
    expect(red).toBeGreaterThan(20);
  });

  it('never writes the password: not in the database, the timeline or any report', async () => {
    const files = readdirSync(ws.dir).filter((f) => /^frameline\.db|^report\./.test(f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(readFileSync(join(ws.dir, f)).includes(PASSWORD), f).toBe(false);
    const json = join(ws.dir, 'report.json');
    expect((await fl('report', String(incident.id), '-o', json)).code).toBe(0);
    expect(readFileSync(json, 'utf8')).not.toContain(PASSWORD);
    expect(readFileSync(json, 'utf8')).toContain('FL_TEST_PROMETHEUS_PASSWORD');
  });
});

/** The pixels of a binary PPM (P6) as RGB bytes. */
function readPpm(file: string): Buffer {
  const data = readFileSync(file);
  // Header: P6, width, height, max value, each separated by whitespace, then the pixels.
  let at = 0;
  let fields = 0;
  while (fields < 4) {
    while (/\s/.test(String.fromCharCode(data[at]!))) at++;
    while (!/\s/.test(String.fromCharCode(data[at]!))) at++;
    fields++;
  }
  return data.subarray(at + 1);
}
