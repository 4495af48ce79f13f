// Debian's Prometheus and an exporter the test controls, for the tests of query steps, watch and
// alert rules. Prometheus runs on a port picked by binding 127.0.0.1:0, with its own temporary
// storage and a short scrape interval; readiness is /-/ready, and a scrape is waited for through the
// query API — never a fixed sleep. Both are stopped with SIGTERM.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../servers/proxies.js';
import { PYTHON, serverScript, stopChild } from './processes.js';
import { until } from './wait.js';

export const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';

/**
 * The service runbook's Prometheus checks as the seed writes them (one curl each, the query plain in
 * the URL), read as one query step: what the exporter below answers.
 */
export const SERVICE_RUNBOOK_CHECKS = {
  kind: 'query',
  promql: [
    'sum(websocket_connections_active{environment="production"})',
    'sum(rate(websocket_disconnections_total{environment="production"}[5m])) by (reason)',
    'histogram_quantile(0.95,rate(websocket_message_latency_seconds_bucket{environment="production"}[5m]))',
  ],
  server: 'http://prometheus:9090',
} as const;

/** What the exporter serves; counters grow at these rates per second from the moment they are set. */
export interface ExporterSettings {
  /** websocket_connections_active{environment="production"} */
  connections: number;
  /** websocket_disconnections_total{environment="production",reason=KEY} grows by VALUE a second */
  disconnections: Record<string, number>;
  /** every websocket_message_latency_seconds observation, in seconds */
  latency: number;
  /** latency observations a second */
  observations: number;
  /** websocket_heartbeat_failures_total{environment="production"} grows by this a second */
  heartbeatFailures: number;
}

export interface Exporter {
  port: number;
  /** host:port, as a scrape target */
  target: string;
  /** Changes the settings; resolves once the exporter serves them. */
  set(change: Partial<ExporterSettings>): Promise<ExporterSettings>;
  stop(): Promise<void>;
}

/** Starts test/servers/prometheus_exporter.py (python3-prometheus-client) on 127.0.0.1. */
export async function startExporter(initial: Partial<ExporterSettings> = {}): Promise<Exporter> {
  const child = spawn(PYTHON, [serverScript('prometheus_exporter.py'), JSON.stringify(initial)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`the exporter exited with ${code}: ${stderr || 'no output'}`));
      child.once('exit', onExit);
      waiting.push((line) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const first = await nextLine();
  const { port } = JSON.parse(first) as { port: number };
  return {
    port,
    target: `127.0.0.1:${port}`,
    async set(change) {
      const answer = nextLine();
      child.stdin!.write(`${JSON.stringify(change)}\n`);
      const said = JSON.parse(await answer) as { set?: ExporterSettings; error?: string };
      if (!said.set) throw new Error(`the exporter refused ${JSON.stringify(change)}: ${said.error}`);
      return said.set;
    },
    stop: () => stopChild(child),
  };
}

export interface PrometheusOptions {
  /** Scrape targets (host:port) of the job `job`. */
  targets: string[];
  /** The job's name (default "websocket"). */
  job?: string;
  /** Seconds between scrapes and between rule evaluations (default 1). */
  intervalSeconds?: number;
  /** Rule files (alerting or recording) Prometheus loads, as paths. */
  ruleFiles?: string[];
  /** Path of the scrape (default /metrics). */
  metricsPath?: string;
  /** Require basic auth on every endpoint (Prometheus' web config, the password stored as a bcrypt hash). */
  basicAuth?: { username: string; password: string };
}

/** One sample of an instant vector from /api/v1/query. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** The configuration written, as Prometheus reads it. */
  config: string;
  /** GET `path` (with its query) on the HTTP API; the `data` of a success, else throws with the error. */
  api<T = unknown>(path: string): Promise<T>;
  /** Runs an instant query now. */
  query(promql: string): Promise<VectorSample[]>;
  /** Resolves once every target of the job has been scraped `scrapes` times (default 1), as `up` says. */
  untilScraped(scrapes?: number, ms?: number): Promise<void>;
  /** Resolves once `promql` answers at least one sample, and `test` holds for the first (when given). */
  untilQuery(promql: string, test?: (value: number) => boolean, ms?: number): Promise<number>;
  /** What Prometheus logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts Debian's Prometheus scraping `o.targets`; resolves once it is ready (/-/ready answers 200). */
export async function startPrometheus(o: PrometheusOptions): Promise<PrometheusServer> {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(`${PROMETHEUS} is missing: apt-get install prometheus (or set PROMETHEUS_PATH)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'frameline-prometheus-'));
  const interval = `${o.intervalSeconds ?? 1}s`;
  const job = o.job ?? 'websocket';
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${interval}`,
    ...(o.ruleFiles?.length ? ['rule_files:', ...o.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(job)}`,
    `    metrics_path: ${JSON.stringify(o.metricsPath ?? '/metrics')}`,
    '    static_configs:',
    `      - targets: [${o.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const webArgs: string[] = [];
  const headers: Record<string, string> = {};
  if (o.basicAuth) {
    const web = join(dir, 'web.yml');
    const hash = bcrypt(o.basicAuth.password);
    writeFileSync(
      web,
      `basic_auth_users:\n  ${JSON.stringify(o.basicAuth.username)}: ${JSON.stringify(hash)}\n`,
    );
    webArgs.push(`--web.config.file=${web}`);
    headers.authorization = `Basic ${Buffer.from(`${o.basicAuth.username}:${o.basicAuth.password}`).toString('base64')}`;
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...webArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };

  const ready = async () => {
    if (exited) throw new Error(`prometheus exited before it was ready: ${stderr}\n${config}`);
    try {
      return (await fetch(`${url}/-/ready`, { headers })).status === 200;
    } catch {
      return false;
    }
  };
  try {
    await until('prometheus to be ready', ready, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }

  const api = async <T>(path: string): Promise<T> => {
    const answer = await fetch(`${url}${path}`, { headers });
    const body = (await answer.json()) as { status: string; data?: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? answer.status}`);
    return body.data as T;
  };
  const query = async (promql: string) =>
    (await api<{ result: VectorSample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result;
  const untilQuery = async (promql: string, test?: (value: number) => boolean, ms = 30_000) => {
    let seen = NaN;
    const deadline = Date.now() + ms;
    for (;;) {
      if (exited) throw new Error(`prometheus exited: ${stderr}`);
      const sample = (await query(promql))[0];
      if (sample) {
        seen = Number(sample.value[1]);
        if (!test || test(seen)) return seen;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for prometheus to answer ${promql} (last: ${seen})`);
      }
      // Polled, not slept on: the answer is checked again as soon as a scrape could have changed it.
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    url,
    port,
    config,
    api,
    query,
    untilQuery,
    async untilScraped(scrapes = 1, ms = 30_000) {
      // count_over_time counts the scrapes stored; min() over the targets waits for the slowest.
      const targets = o.targets.length;
      await untilQuery(
        `count(up{job=${JSON.stringify(job)}} == 1) >= ${targets} and on() ` +
          `min(count_over_time(up{job=${JSON.stringify(job)}}[10m])) >= ${scrapes}`,
        undefined,
        ms,
      );
    },
    log: () => stderr,
    stop,
  };
}

/** A bcrypt hash of `password` (cost 4: a test's), from Debian's Python and libcrypt. */
function bcrypt(password: string): string {
  return execFileSync(
    PYTHON,
    [
      '-W',
      'ignore',
      '-c',
      'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))',
      password,
    ],
    { encoding: 'utf8' },
  ).trim();
}
