// The walk journey, as the engineer on call does it at 3 AM: open an incident, walk the built-in
// 3 AM flowchart against a WebSocket service behind a proxy that drops the Upgrade headers, let the
// direct-vs-proxy probe suggest the load balancer branch with its evidence, go back and forth, run a
// step's shell command after confirming it (edited), stop another, write a note, read it all on the
// incident timeline, and reload the page to find the walk where it was.
import { writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { wsServer, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, cliJson, workspace, type Workspace } from '../support/cli.js';
import { inspectShot, readmeShot } from '../support/screenshots.js';
import { confirmWithCode, serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 15_000 };
/** A probe holds the backend's connection idle for a few seconds. */
const PROBE_WAIT = { timeout: 45_000 };

/** A runbook of one loop whose first node has a time box of one second. */
const QUICK_CHECK = `---
id: quick-check
title: Quick dashboard check
version: 1
---

\`\`\`mermaid
flowchart TD
    LOOK[Look at the dashboards] --> HEALTHY{Healthy?}
    HEALTHY -->|No, look again| LOOK
    HEALTHY -->|Yes| DONE([Done])
\`\`\`

## Look at the dashboards {#LOOK}

Time box: 1s

Glance at the connection graphs.
`;

/** A configuration line far wider than any dialog. */
const LONG_LINE =
  'proxy_set_header X-Edge-Trace "$request_id $remote_addr $http_x_forwarded_for $http_user_agent ' +
  '$upstream_addr $upstream_status $upstream_response_time $request_time $ssl_protocol $ssl_cipher ' +
  '$http_sec_websocket_key $http_sec_websocket_version $http_sec_websocket_protocol $connection_requests"';

/**
 * Edge checks: a step whose command counts with `grep -c` (0 is an answer: exit codes 0 and 1 mean
 * success), one with a very long line, a capture; then a decision named on two lines.
 */
const EDGE_CHECKS = `---
id: edge-checks
title: Edge checks
version: 1
---

\`\`\`mermaid
flowchart TD
    START([Sockets drop]) --> COUNT[Count the upgrades]
    COUNT --> STABLE{Connections<br/>stable again?}
    STABLE -->|No| COUNT
    STABLE -->|Yes| DONE([Done])
\`\`\`

## Count the upgrades {#COUNT}

### Count upgrades in the log

No upgrade at all is an answer too: grep -c exits 1 when it counts none.

Success exit codes: 0, 1

\`\`\`sh
printf 'GET /a 200\\nGET /b 200\\n' | grep -c '" 101 '
\`\`\`

### Print the edge's trace header

\`\`\`sh
echo '${LONG_LINE}'
\`\`\`

### Record the feed

Action: capture duration=120
`;

interface Listening {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function closer(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** A chat backend: echoes over WebSocket, and answers a plain GET with 426 Upgrade Required. */
async function chatBackend(): Promise<Listening> {
  const server = createServer((_req, res) =>
    res.writeHead(426, { Upgrade: 'websocket', 'Content-Type': 'text/plain' }).end('upgrade required'),
  );
  const close = closer(server);
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', (m, binary) => socket.send(m, { binary })));
  const port = await listen(server);
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await close();
    },
  };
}

/**
 * A reverse proxy configured without WebSocket support: it forwards the request to the backend
 * without the hop-by-hop Upgrade and Connection headers, and relays the plain HTTP answer.
 */
async function proxyWithoutUpgrade(backendPort: number): Promise<Listening> {
  const server = createServer();
  const close = closer(server);
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const headers = { ...req.headers };
    delete headers.upgrade;
    delete headers.connection;
    const upstream = request(
      { host: '127.0.0.1', port: backendPort, path: req.url, method: req.method, headers },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          socket.end(
            `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\nServer: edge-proxy\r\nContent-Type: text/plain\r\n` +
              `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          ),
        );
      },
    );
    upstream.on('error', () => socket.destroy());
    upstream.end();
  });
  const port = await listen(server);
  return { url: `ws://127.0.0.1:${port}`, close };
}

describe.skipIf(browserMissing())('a runbook walk in the console', () => {
  let ws: Workspace;
  let served: Served;
  let browser: Browser;
  let backend: Listening;
  let proxy: Listening;

  beforeAll(async () => {
    ws = workspace();
    backend = await chatBackend();
    proxy = await proxyWithoutUpgrade(Number(new URL(backend.url).port));
    // The walk edits its shell commands in the dialog: browser mode runs those only when allowed, and
    // every command only with the code serve shows in its terminal (read there, as a person would).
    served = await serve(ws.db, ['--allow-any-command']);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await proxy?.close();
    await backend?.close();
    ws?.cleanup();
  });

  async function openConsole(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // The strict CSP must hold: nothing of the walk view may need an inline style or script.
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    await page.goto(await served.openUrl());
    await page.getByText('Engine connected').waitFor(WAIT);
    return { page, problems };
  }

  /** Opens a new incident from the Incidents screen; answers its "Start a walk" form. */
  async function newIncident(page: Page, title: string) {
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: 'Incidents' })
      .click();
    await page.getByLabel('Incident title').fill(title);
    await page.getByRole('button', { name: 'Open incident' }).click();
    const start = page.getByRole('form', { name: 'Start a walk' });
    await start.waitFor(WAIT);
    return start;
  }

  const chart = (page: Page) => page.getByTestId('flowchart');
  const atNode = (page: Page, node: string) =>
    page.locator(`[data-testid=flowchart][data-current="${node}"]`).waitFor(WAIT);
  const nodeState = (page: Page, node: string) =>
    chart(page).locator(`[data-node="${node}"]`).getAttribute('data-state');
  const edgeState = (page: Page, from: string, to: string) =>
    chart(page).locator(`[data-from="${from}"][data-to="${to}"]`).getAttribute('data-state');
  const step = (page: Page, index: number) => page.locator(`.node-panel .step-item[data-step="${index}"]`);
  const choose = (page: Page, label: string) =>
    page.getByRole('group', { name: 'Ways on' }).locator(`button[data-choice="${label}"]`).click();

  it('walks the 3 AM flowchart with probes, choices, a step back, shell steps and notes, and resumes after a reload', async () => {
    const { page, problems } = await openConsole();

    // Open an incident.
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: 'Incidents' })
      .click();
    await page.getByText('No incidents yet').waitFor(WAIT);
    await page.getByLabel('Incident title').fill('Chat sockets never connect through the edge');
    await page.getByRole('radiogroup', { name: 'Severity' }).getByRole('radio', { name: 'P1' }).click();
    await page.getByRole('button', { name: 'Open incident' }).click();
    await page.locator('.incident-title').waitFor(WAIT);
    expect(await page.locator('.incident-title').textContent()).toBe(
      'Chat sockets never connect through the edge',
    );
    expect(await page.locator('.incident-head [data-severity]').textContent()).toBe('P1');

    // Start the built-in 3 AM walk on the service behind the proxy, with its backend for comparison.
    const start = page.getByRole('form', { name: 'Start a walk' });
    await expect.poll(() => start.getByLabel('Runbook').inputValue(), WAIT).toBe('ws-3am');
    await start.getByLabel('Endpoint').fill(`${proxy.url}/chat`);
    await start.getByLabel('Backend, bypassing the load balancer').fill(`${backend.url}/chat`);
    await start.getByRole('button', { name: 'Start the walk' }).click();
    await atNode(page, 'ALERT');
    expect(await page.getByTestId('node-title').textContent()).toBe('WebSocket alert');
    expect(await nodeState(page, 'ALERT')).toBe('current');
    expect(await page.getByTestId('time-box').textContent()).toContain('Time box 2 min');
    expect(await page.locator('.node-panel .step-item').count()).toBe(3);
    expect(page.url()).toMatch(/#\/incidents\/\d+\/walks\/\d+$/);

    // On to the decision.
    await choose(page, 'next');
    await atNode(page, 'SCOPE');
    expect(await page.getByTestId('node-title').textContent()).toBe('Where does it break?');
    expect(await edgeState(page, 'ALERT', 'SCOPE')).toBe('taken');
    expect(await nodeState(page, 'ALERT')).toBe('visited');
    expect(
      await page
        .getByRole('group', { name: 'Ways on' })
        .locator('button[data-choice]')
        .evaluateAll((b) => b.map((x) => x.getAttribute('data-choice'))),
    ).toEqual(['Client side', 'Load balancer', 'Server side']);

    // The app action runs in place: the direct-vs-proxy probe finds the proxy dropping the upgrade...
    await step(page, 1).getByRole('button', { name: 'Run probe' }).click();
    const probe = step(page, 1).locator('.run-view[data-kind=probe]');
    await probe.and(page.locator('[data-status=ok]')).waitFor(PROBE_WAIT);
    await probe.locator('[data-finding=proxy-missing-upgrade]').waitFor(WAIT);
    expect(await probe.textContent()).toMatch(/proxy-missing-upgrade.*426/);

    // ...and the decision suggests the load balancer, with that evidence.
    const suggestion = page.getByTestId('suggestion');
    await suggestion.waitFor(WAIT);
    expect(await suggestion.getAttribute('data-choice')).toBe('Load balancer');
    expect(await suggestion.textContent()).toMatch(/proxy-missing-upgrade.*426/);
    expect(await page.locator('button[data-choice="Load balancer"]').getAttribute('class')).toContain(
      'is-suggested',
    );
    expect(await chart(page).locator('[data-node=BALANCER]').getAttribute('class')).toContain('is-suggested');

    // The same finding seen twice (here once more from a terminal) is one reason, named once.
    const walkId = /\/walks\/(\d+)$/.exec(page.url())![1]!;
    const seen = await suggestion.locator('.suggestion-evidence li').count();
    const again = await cli([
      'walk',
      'finding',
      walkId,
      'proxy-missing-upgrade',
      '--evidence',
      'through the edge: HTTP 426 again',
      '--db',
      ws.db,
    ]);
    expect(again.code).toBe(0);
    await page.reload();
    await atNode(page, 'SCOPE');
    await suggestion.waitFor(WAIT);
    expect(await suggestion.locator('.suggestion-evidence li').count()).toBe(seen + 1);
    const named = ((await suggestion.locator('.suggestion-reason').textContent()) ?? '')
      .split(' point')[0]!
      .split(', ');
    expect(named).toContain('proxy-missing-upgrade');
    expect(named).toEqual([...new Set(named)]);
    // The walk's findings say how bad each is: the probe's as it found it, the one added from the
    // terminal as the catalogue says.
    const listed = page.locator('.walk-findings li[data-finding=proxy-missing-upgrade]');
    expect(await listed.count()).toBeGreaterThanOrEqual(2);
    expect(new Set(await listed.locator('.walk-finding-severity').allTextContents())).toEqual(
      new Set(['critical']),
    );

    await choose(page, 'Load balancer');
    await atNode(page, 'BALANCER');
    expect(await edgeState(page, 'SCOPE', 'BALANCER')).toBe('taken');
    await choose(page, 'next');
    await atNode(page, 'LB_DEBUG');
    expect(await page.getByTestId('time-box').textContent()).toContain('Time box 10 min');

    // Going back is allowed, shown, and recorded.
    await page.getByRole('button', { name: '← Back to Load balancer' }).click();
    await atNode(page, 'BALANCER');
    expect(await nodeState(page, 'LB_DEBUG')).toBe('next');
    expect(await nodeState(page, 'SCOPE')).toBe('visited');
    await choose(page, 'next');
    await atNode(page, 'LB_DEBUG');

    // A shell step runs only through the confirmation, shown in full and editable.
    await step(page, 1).getByRole('button', { name: 'Run…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run this command?' });
    await dialog.waitFor(WAIT);
    const command = dialog.getByLabel('Command');
    expect(await command.inputValue()).toMatch(/^nginx -T 2>\/dev\/null \| grep[\s\S]*place\(s\)"$/);
    expect(await dialog.textContent()).toMatch(/Output cap.*64\.0 KiB/);
    await dialog.getByLabel('Output cap (KiB)').fill('128');
    expect(await dialog.textContent()).toMatch(/128(\.0)? KiB kept/);
    await command.fill('echo ok');
    await dialog.getByLabel('Timeout (seconds)').fill('10');
    let offset = served.stderr().length;
    await dialog.getByRole('button', { name: 'Run the edited command' }).click();
    // Nothing runs on the page's word: serve's terminal shows the command and a code to type here.
    await dialog.getByText('Confirm it outside this page').waitFor(WAIT);
    expect(await dialog.textContent()).toContain('frameline serve shows this command in the terminal');
    await confirmWithCode(served, dialog, offset);
    expect(served.stderr().slice(offset)).toContain('    echo ok');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    const shell = step(page, 1).locator('.run-view[data-kind=shell]');
    await shell.and(page.locator('[data-status=ok]')).waitFor(WAIT);
    expect(await shell.getByTestId('run-output').textContent()).toBe('ok\n');
    expect(await shell.locator('.run-command').textContent()).toContain('$ echo ok');
    expect(await shell.locator('.run-command').textContent()).toContain('edited');
    // A step that ran well is checked off.
    expect(await step(page, 1).getByRole('checkbox').isChecked()).toBe(true);

    // A long command streams its output, and the Stop button ends it.
    await step(page, 2).getByRole('button', { name: 'Run…' }).click();
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Command').fill('echo started; sleep 30; echo never');
    offset = served.stderr().length;
    await dialog.getByRole('button', { name: 'Run the edited command' }).click();
    await confirmWithCode(served, dialog, offset);
    const long = step(page, 2).locator('.run-view[data-kind=shell]');
    await long.getByTestId('run-output').filter({ hasText: 'started' }).waitFor(WAIT);
    await long.getByRole('button', { name: 'Stop' }).click();
    await long.and(page.locator('[data-status=stopped]')).waitFor(WAIT);
    expect(await long.getByTestId('run-output').textContent()).toBe('started\n');

    // A checklist tick and a note, both kept by the engine.
    await step(page, 3).getByRole('checkbox').check();
    await expect.poll(() => step(page, 3).getByRole('checkbox').isChecked(), WAIT).toBe(true);
    await page.getByLabel('Note').fill('The edge config has no proxy_set_header Upgrade');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.node-notes').filter({ hasText: 'no proxy_set_header Upgrade' }).waitFor(WAIT);

    // The flowchart: the path taken, the branch gone back from, the current node.
    expect(await chart(page).getAttribute('aria-label')).toContain(
      'path ALERT → SCOPE → BALANCER → LB_DEBUG',
    );
    for (const [from, to] of [
      ['ALERT', 'SCOPE'],
      ['SCOPE', 'BALANCER'],
      ['BALANCER', 'LB_DEBUG'],
    ] as const)
      expect(await edgeState(page, from, to)).toBe('taken');
    expect(await nodeState(page, 'CLIENT')).toBe('idle');
    await page.getByRole('radiogroup', { name: 'Zoom' }).getByRole('radio', { name: 'Fit' }).click();
    await page.mouse.move(0, 0);
    await page.locator('.node-panel').evaluate((el) => el.scrollTo(0, 0));
    await readmeShot(page, 'walk');

    // Every entry, choice, step back, note, output and finding is on the incident timeline.
    await page.getByRole('tab', { name: /Timeline/ }).click();
    const timeline = page.getByTestId('timeline');
    await timeline.waitFor(WAIT);
    const kinds = await timeline
      .locator('[data-kind]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds[0]).toBe('incident-created');
    expect(kinds).toEqual(
      expect.arrayContaining(['walk-started', 'node-entered', 'choice', 'back', 'note', 'finding']),
    );
    const text = await timeline.textContent();
    expect(text).toContain('chose "Load balancer" → BALANCER');
    expect(text).toContain('went back from LB_DEBUG to BALANCER');
    expect(text).toMatch(/finding proxy-missing-upgrade/);
    expect(text).toContain('ran step 1 "Read nginx\'s WebSocket settings" of LB_DEBUG (edited): $ echo ok');
    expect(text).toContain('stopped after');
    expect(text).toContain('The edge config has no proxy_set_header Upgrade');
    // The tick is the walk's own state (walks:check), not a note.
    expect(kinds).toContain('step-checked');
    expect(text).toMatch(/step 3 ".+" of LB_DEBUG checked/);
    expect(text).not.toContain('Checked step');
    const finished = timeline.locator('[data-kind=run-finished]', { hasText: 'exited with 0' });
    expect(await finished.locator('.timeline-output').textContent()).toBe('ok\n');
    await timeline.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await inspectShot(page, 'walk-timeline');
    expect(problems).toEqual([]);

    // The engine has the same walk (the console only shows it).
    const incidents = await cliJson<Array<{ id: number; title: string }>>([
      'incident',
      'list',
      '--db',
      ws.db,
    ]);
    expect(incidents.json.map((i) => i.title)).toEqual(['Chat sockets never connect through the edge']);
    const walks = await cliJson<Array<{ id: number }>>(['walk', 'list', '--db', ws.db]);
    const shown = await cliJson<{
      checked: Record<string, number[]>;
      timeline: Array<{ kind: string; detail: { kind?: string; outputCapBytes?: number } }>;
    }>(['walk', 'show', String(walks.json[0]!.id), '--db', ws.db]);
    expect(shown.json.checked.LB_DEBUG).toEqual([1, 3]);
    expect(
      shown.json.timeline.find((e) => e.kind === 'run-started' && e.detail.kind === 'shell')?.detail
        .outputCapBytes,
    ).toBe(128 * 1024);

    // Reload mid-walk: the same walk, at the same node, with its runs.
    await page.reload();
    await atNode(page, 'LB_DEBUG');
    expect(await page.getByTestId('node-title').textContent()).toBe('Debug the balancer');
    expect(await nodeState(page, 'BALANCER')).toBe('visited');
    expect(
      await step(page, 1).locator('.run-view[data-kind=shell] [data-testid=run-output]').textContent(),
    ).toBe('ok\n');
    expect(await step(page, 3).getByRole('checkbox').isChecked()).toBe(true);
    expect(await step(page, 2).getByRole('checkbox').isChecked()).toBe(false);
    // Unticking goes to the engine too, and stays after another reload.
    await step(page, 3).getByRole('checkbox').uncheck();
    await expect.poll(() => step(page, 3).getByRole('checkbox').isChecked(), WAIT).toBe(false);
    await expect
      .poll(
        async () =>
          (
            await cliJson<{ checked: Record<string, number[]> }>([
              'walk',
              'show',
              String(walks.json[0]!.id),
              '--db',
              ws.db,
            ])
          ).json.checked.LB_DEBUG,
        WAIT,
      )
      .toEqual([1]);
    await page.reload();
    await atNode(page, 'LB_DEBUG');
    expect(await step(page, 3).getByRole('checkbox').isChecked()).toBe(false);
    expect(await step(page, 1).getByRole('checkbox').isChecked()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('flags an overrun time box, follows a loop back, and finishes at an end node', async () => {
    const file = `${ws.dir}/quick-check.md`;
    writeFileSync(file, QUICK_CHECK);
    expect((await cli(['runbooks', 'import', file, '--db', ws.db])).code).toBe(0);
    const { page, problems } = await openConsole();
    const start = await newIncident(page, 'Dashboards look odd');
    await start.getByLabel('Runbook').selectOption('quick-check');
    await start.getByRole('button', { name: 'Start the walk' }).click();
    await atNode(page, 'LOOK');

    // The one-second time box runs out while the engineer looks: the console flags it.
    const box = page.locator('[data-testid=time-box][data-overrun=true]');
    await box.waitFor(WAIT);
    expect(await box.textContent()).toMatch(/Time box 1 s.*over by.*Overrun/);

    // Leaving the node records the overrun; the chart keeps the flag on the node.
    await choose(page, 'next');
    await atNode(page, 'HEALTHY');
    expect(await chart(page).locator('[data-node=LOOK]').getAttribute('class')).toContain('is-overrun');
    await page.getByRole('tab', { name: /Timeline/ }).click();
    await page
      .getByTestId('timeline')
      .locator('[data-kind=timebox-overrun]', { hasText: /LOOK took .* over its time box of 1\.0 s/ })
      .waitFor(WAIT);
    await page.getByRole('tab', { name: 'Flowchart' }).click();

    // The loop goes back up; the way out ends the walk.
    await choose(page, 'No, look again');
    await atNode(page, 'LOOK');
    expect(await edgeState(page, 'HEALTHY', 'LOOK')).toBe('taken');
    await choose(page, 'next');
    await atNode(page, 'HEALTHY');
    await choose(page, 'Yes');
    await atNode(page, 'DONE');
    await page.getByText('The walk finished here').waitFor(WAIT);
    expect(await page.getByRole('group', { name: 'Ways on' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps a walk on screen from the moment it starts, so a number pressed at once takes a way on', async () => {
    const file = `${ws.dir}/quick-keys.md`;
    writeFileSync(file, QUICK_CHECK.replace('id: quick-check', 'id: quick-keys'));
    expect((await cli(['runbooks', 'import', file, '--db', ws.db])).code).toBe(0);
    const { page, problems } = await openConsole();
    const start = await newIncident(page, 'Keys at once');
    await start.getByLabel('Runbook').selectOption('quick-keys');
    // Whether the flowchart ever leaves the page once it has shown the walk: an engineer who presses
    // 1 in that moment loses the key (no way on is on screen to take).
    await page.evaluate(() => {
      const w = window as unknown as { chartLeft: boolean };
      w.chartLeft = false;
      let shown = false;
      new MutationObserver(() => {
        const chart = document.querySelector('[data-testid=flowchart]');
        if (chart) shown = true;
        else if (shown) w.chartLeft = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    await start.getByRole('button', { name: 'Start the walk' }).click();
    await atNode(page, 'LOOK');
    await page.locator('body').press('1');
    await atNode(page, 'HEALTHY');
    expect(await page.evaluate(() => (window as unknown as { chartLeft: boolean }).chartLeft)).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('counts with grep -c, shows long commands whole, shows a walk capture as it runs, links its session to the incident, names two-line nodes in full, and walks by keyboard to a prompt to close the incident', async () => {
    const ticker: WsScenario = await wsServer((socket) => {
      const t = setInterval(() => socket.send(JSON.stringify({ type: 'tick', at: Date.now() })), 50);
      socket.on('close', () => clearInterval(t));
    });
    try {
      const file = `${ws.dir}/edge-checks.md`;
      writeFileSync(file, EDGE_CHECKS);
      expect((await cli(['runbooks', 'import', file, '--db', ws.db])).code).toBe(0);
      // The command line names the decision in full too.
      expect((await cli(['runbooks', 'show', 'edge-checks', '--db', ws.db])).stdout).toContain(
        'Connections stable again?',
      );

      const { page, problems } = await openConsole();
      const start = await newIncident(page, 'Ticks stop after a while');
      await start.getByLabel('Runbook').selectOption('edge-checks');
      await start.getByLabel('Endpoint').fill(`${ticker.url}/ticks`);
      await start.getByRole('button', { name: 'Start the walk' }).click();
      await atNode(page, 'START');
      const incidentId = Number(/#\/incidents\/(\d+)\//.exec(page.url())?.[1]);

      // The keyboard takes the ways on: 1 is the first.
      await page.locator('body').press('1');
      await atNode(page, 'COUNT');

      // A long command is shown whole: wrapped in the checklist and in the confirmation.
      const longCode = step(page, 2).locator('pre.step-command-text');
      expect(await longCode.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      await step(page, 2).getByRole('button', { name: 'Run…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Run this command?' });
      await dialog.waitFor(WAIT);
      const box = dialog.getByLabel('Command');
      expect(await box.inputValue()).toContain('$connection_requests"');
      expect(await box.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      expect(await dialog.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      await inspectShot(page, 'walk-long-command');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached', ...WAIT });

      // R runs the first step not done yet: grep -c counts nothing, exits 1, and that is a success.
      await page.locator('body').press('r');
      await dialog.waitFor(WAIT);
      expect(await dialog.getByLabel('Command').inputValue()).toContain('grep -c');
      const offset = served.stderr().length;
      await dialog.getByRole('button', { name: 'Run', exact: true }).click();
      await confirmWithCode(served, dialog, offset);
      const count = step(page, 1).locator('.run-view[data-kind=shell]');
      await count.and(page.locator('[data-status=ok]')).waitFor(WAIT);
      expect(await count.getByTestId('run-status').textContent()).toContain('exit 1');
      expect(await count.getByTestId('run-output').textContent()).toBe('0\n');
      expect(await step(page, 1).getByRole('checkbox').isChecked()).toBe(true);

      // A walk's capture shows its time and frames as it runs, and the status line says it runs.
      await step(page, 3).getByRole('button', { name: 'Run capture' }).click();
      const capture = step(page, 3).locator('.run-view[data-kind=capture]');
      const progress = capture.getByTestId('run-progress');
      await expect
        .poll(async () => Number(/(\d+) frames/.exec((await progress.textContent()) ?? '')?.[1] ?? 0), WAIT)
        .toBeGreaterThan(5);
      expect(await progress.textContent()).toMatch(/^\d+:\d\d · \d+ frames/);
      const footer = page.locator('footer.status-line');
      await expect.poll(() => footer.textContent(), WAIT).toMatch(/Capturing .*\/ticks/);
      await capture.getByRole('button', { name: 'Stop' }).click();
      await capture.and(page.locator('[data-status=stopped]')).waitFor(WAIT);

      // Its session is a link; the session links back to the incident; the list filters by incident.
      await capture.getByRole('link', { name: /^session #\d+$/ }).click();
      await page.locator('.session-name').waitFor(WAIT);
      const sessionId = Number(/#\/sessions\/(\d+)$/.exec(page.url())?.[1]);
      expect(sessionId).toBeGreaterThan(0);
      await page.getByRole('link', { name: `Incident #${incidentId}` }).click();
      await atNode(page, 'COUNT');
      await page
        .getByRole('navigation', { name: 'Screens' })
        .getByRole('button', { name: 'Sessions' })
        .click();
      await page.locator('tr[data-session-id]').first().waitFor(WAIT);
      await page.getByLabel('Incident', { exact: true }).selectOption(String(incidentId));
      await expect
        .poll(
          () =>
            page
              .locator('tr[data-session-id]')
              .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id'))),
          WAIT,
        )
        .toEqual([String(sessionId)]);
      await page.getByLabel('Kind').selectOption('probe');
      await page.getByText('No session matches these filters').waitFor(WAIT);
      await page.goto(`${served.origin}/#/incidents/${incidentId}`);
      await atNode(page, 'COUNT');

      // The decision is named in full wherever it is named.
      await page.locator('body').press('1');
      await atNode(page, 'STABLE');
      expect(await page.getByTestId('node-title').textContent()).toBe('Connections stable again?');
      await expect
        .poll(() => page.getByLabel('Walk', { exact: true }).locator('option:checked').textContent(), WAIT)
        .toContain('at Connections stable again?');
      await page.getByRole('tab', { name: /Timeline/ }).click();
      await page
        .getByTestId('timeline')
        .getByText('entered STABLE "Connections stable again?"')
        .waitFor(WAIT);
      await page.getByRole('tab', { name: 'Flowchart' }).click();

      // By keyboard: 1 is "No" (back to COUNT), B goes back, 2 is "Yes" and ends the walk.
      await page.locator('body').press('1');
      await atNode(page, 'COUNT');
      await page.locator('body').press('b');
      await atNode(page, 'STABLE');
      await page.locator('body').press('2');
      await atNode(page, 'DONE');

      // The walk is over: the incident can be marked mitigated or resolved from here.
      const prompt = page.getByRole('region', { name: 'The walk has ended' });
      await prompt.waitFor(WAIT);
      await prompt.getByRole('button', { name: 'Mark resolved' }).click();
      await expect.poll(() => page.getByLabel('Incident status').inputValue(), WAIT).toBe('resolved');
      await prompt.waitFor({ state: 'detached', ...WAIT });

      // The shortcuts are listed with the others.
      await page.locator('body').press('?');
      const keys = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await keys.waitFor(WAIT);
      expect(await keys.textContent()).toMatch(
        /Walk.*Take the way on with this number.*Go back.*Run the next step/,
      );
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await ticker.close();
    }
  });

  it('says from the command line how a walk capture is going while it runs', async () => {
    const ticker: WsScenario = await wsServer((socket) => {
      const t = setInterval(() => socket.send('tick'), 20);
      socket.on('close', () => clearInterval(t));
    });
    try {
      const file = `${ws.dir}/edge-checks-cli.md`;
      writeFileSync(file, EDGE_CHECKS.replace('id: edge-checks', 'id: edge-checks-cli'));
      expect((await cli(['runbooks', 'import', file, '--db', ws.db])).code).toBe(0);
      const incident = await cliJson<{ id: number }>([
        'incident',
        'create',
        '--title',
        'Ticks from a terminal',
        '--db',
        ws.db,
      ]);
      const walk = await cliJson<{ id: number }>([
        'walk',
        'start',
        String(incident.json.id),
        '--runbook',
        'edge-checks-cli',
        '--target',
        `${ticker.url}/ticks`,
        '--db',
        ws.db,
      ]);
      expect((await cli(['walk', 'choose', String(walk.json.id), '--db', ws.db])).code).toBe(0);
      const run = await cli(
        ['walk', 'action', String(walk.json.id), '--step', '3', '--duration', '5', '--db', ws.db],
        {},
        60_000,
      );
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      // Progress on stderr for the whole run: its time, and the frames recorded so far.
      const ticks = run.stderr.match(/^ {2}… \d+ s, \d+ frames recorded$/gm) ?? [];
      expect(ticks.length).toBeGreaterThanOrEqual(1);
      expect(run.stdout).toMatch(/session \d+: \d+ frames over 1 connection/);
    } finally {
      await ticker.close();
    }
  });
});
