// `frameline watch` scraped by Debian's real Prometheus, with the shipped rules file loaded: the
// idle-cut alert is inactive while nginx lets idle connections be, and goes to firing once nginx
// (reloaded with a one-second proxy_read_timeout) starts cutting them. The test loads the shipped
// rules with the idle-cut rule's `for: 2m` rewritten to `for: 1s`, so that it fires within the test;
// every other line is the file as shipped. promtool checks the rules and the exposition.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { startNginx } from '../../servers/proxies.js';
import { cliJson, finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import { startPrometheus } from '../../support/prometheus.js';
import { pythonServer, Stack } from './helpers.js';

const RULES = fileURLToPath(new URL('../../../docs/monitoring/frameline-alerts.yml', import.meta.url));
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

const stack = new Stack();
let ws: Workspace | undefined;

afterEach(async () => {
  await stack.unwind();
  ws?.cleanup();
});

it('the shipped rules file is valid, with the runbook alerts and the idle-cut alert', () => {
  const said = execFileSync(PROMTOOL, ['check', 'rules', RULES]).toString();
  expect(said).toMatch(/SUCCESS: 4 rules found/);
  const text = readFileSync(RULES, 'utf8');
  for (const alert of [
    'HighWebSocketDisconnectionRate',
    'WebSocketConnectionStorm',
    'WebSocketHeartbeatFailures',
    'WebSocketIdleConnectionsCut',
  ])
    expect(text).toContain(`alert: ${alert}`);
});

it('Prometheus fires the idle-cut alert once the watched endpoint starts cutting idle connections', async () => {
  ws = workspace();
  const backend = stack.push(await pythonServer([]));
  const nginx = await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 30 });
  stack.push(nginx);

  const watch = startCli([
    'watch',
    `${nginx.url}/`,
    '--every',
    '1',
    '--idle-limit',
    '2',
    '--echo',
    '2',
    '--listen',
    '127.0.0.1:0',
    '--db',
    ws.db,
  ]);
  const exit = finished(watch, 120_000);
  stack.push({ close: async () => void (watch.exitCode === null && watch.kill('SIGKILL')) });
  const first = await new Promise<string>((resolve) =>
    createInterface({ input: watch.stdout! }).once('line', resolve),
  );
  const m = /^metrics http:\/\/(127\.0\.0\.1:\d+)\/metrics$/.exec(first);
  expect(m, first).not.toBeNull();
  const target = m![1]!;

  const rules = join(ws.dir, 'frameline-alerts.yml');
  const shipped = readFileSync(RULES, 'utf8');
  const rewritten = shipped.replace(/(alert: WebSocketIdleConnectionsCut\n(?:.*\n)*?\s+for: )2m/, '$11s');
  expect(rewritten).not.toBe(shipped);
  writeFileSync(rules, rewritten);
  const prom = await startPrometheus({ targets: [target], job: 'frameline-watch', ruleFiles: [rules] });
  stack.push(prom);

  // A round held its idle connection to the limit: nothing cut it, no alert.
  expect(await prom.untilQuery('frameline_watch_idle_cut_seconds', (v) => v === 0, 60_000)).toBe(0);
  expect(await prom.query('ALERTS{alertname="WebSocketIdleConnectionsCut"}')).toEqual([]);
  // What Prometheus scraped is valid exposition.
  const scraped = await (await fetch(`http://${target}/metrics`)).text();
  execFileSync(PROMTOOL, ['check', 'metrics'], { input: scraped });
  expect(scraped).toMatch(
    /^frameline_watch_handshake_seconds\{target="ws:\/\/127\.0\.0\.1:\d+\/",phase="upgrade"\} /m,
  );
  expect(scraped).toMatch(/^frameline_watch_round_trip_seconds\{target="[^"]+",kind="echo"\} /m);
  expect(scraped).toMatch(/^frameline_watch_connection_success_ratio\{target="[^"]+"\} 1$/m);

  // nginx now closes a connection when its upstream has been silent for a second.
  nginx.reconfigure({ readTimeoutSeconds: 1 });
  const cut = await prom.untilQuery('frameline_watch_idle_cut_seconds', (v) => v > 0, 60_000);
  expect(cut).toBeGreaterThan(0.5);
  expect(cut).toBeLessThan(2);
  const firing = await prom.untilQuery(
    'ALERTS{alertname="WebSocketIdleConnectionsCut",alertstate="firing"}',
    undefined,
    60_000,
  );
  expect(firing).toBe(1);
  // The cut also counts as a disconnection the runbook's rule reads, and as the idle-timeout finding.
  expect(await prom.untilQuery('sum(websocket_disconnections_total)', (v) => v > 0)).toBeGreaterThan(0);
  expect(
    await prom.untilQuery('sum(frameline_watch_probe_failures_total{finding="idle-timeout"})', (v) => v > 0),
  ).toBeGreaterThan(0);

  // Each round is a session tagged watch, and the engine lists the watch while it runs.
  const sessions = await cliJson<Array<{ kind: string; tags: string[] }>>(['sessions', '--db', ws.db]);
  expect(sessions.json.length).toBeGreaterThan(1);
  expect(sessions.json.every((s) => s.kind === 'probe' && s.tags.includes('watch'))).toBe(true);

  watch.kill('SIGTERM');
  const done = await exit;
  expect(done.code, done.stderr).toBe(0);
  expect(done.stderr).toMatch(/watch stopped after \d+ probes/);
}, 180_000);
