// Diagnose in the console, in a real browser against real peers on 127.0.0.1: probe an endpoint from
// the attach screen and watch the checklist tick (an idle connection cut after 2 s, a handshake
// refused with 403, a healthy pinging echo server probed while attached to it), read the findings as
// cards with their evidence and fix, be told in words what is wrong with the options, and diagnose a
// session recorded with `frameline capture` (a gateway that closes with 1011) in the session view.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { echo, rejectingServer, wsServer, type Running, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, cliJson, workspace, type Workspace } from '../support/cli.js';
import { recordGateway, type Recorded } from '../support/fixtures-sessions.js';
import { inspectShot, readmeShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 30_000, interval: 50 };

/** Echoes, sends no pings, and drops a connection (no close frame) after `idleMs` without traffic. */
function idleCuttingServer(idleMs: number): Promise<WsScenario> {
  return wsServer((ws) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ws.terminate(), idleMs);
    };
    arm();
    ws.on('message', (data, isBinary) => {
      arm();
      ws.send(data, { binary: isBinary });
    });
    ws.on('ping', arm);
    ws.on('close', () => clearTimeout(timer));
  });
}

/** Echoes and pings every 300 ms: what a healthy endpoint looks like. */
function pingingEchoServer(): Promise<WsScenario> {
  return wsServer((ws) => {
    echo(ws);
    const t = setInterval(() => ws.ping('hb'), 300);
    ws.on('close', () => clearInterval(t));
  });
}

/**
 * Records, in the page, every state each checklist row shows, whether the idle countdown appeared,
 * and the time each check showed when it finished (`time:<check>=<text>`).
 */
async function watchChecklist(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __diagSeen: string[] }).__diagSeen = seen;
    const note = (el: Element) => {
      const check = el.getAttribute('data-check');
      const state = el.getAttribute('data-state');
      if (check && (state === 'ok' || state === 'failed' || state === 'soft')) {
        const time = el.querySelector('.diag-check-time')?.textContent ?? '';
        if (time && !seen.some((m) => m.startsWith(`time:${check}=`))) seen.push(`time:${check}=${time}`);
      }
      const mark =
        check && state ? `${check}:${state}` : el.getAttribute('role') === 'progressbar' ? 'countdown' : null;
      if (mark && !seen.includes(mark)) seen.push(mark);
    };
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes' && r.target instanceof Element) note(r.target);
        for (const n of r.addedNodes) {
          if (!(n instanceof Element)) continue;
          note(n);
          n.querySelectorAll('[data-check], [role=progressbar]').forEach(note);
        }
      }
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
  });
  return () => page.evaluate(() => (window as unknown as { __diagSeen: string[] }).__diagSeen);
}

describe.skipIf(browserMissing())('diagnose', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let gateway: Recorded;
  let idleCutter: WsScenario;
  let refusing: Running;
  let healthy: WsScenario;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    ws = workspace();
    gateway = await recordGateway(ws.db);
    idleCutter = await idleCuttingServer(2000);
    refusing = await rejectingServer(403, 'origin not allowed');
    healthy = await pingingEchoServer();
    served = await serve(ws.db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await idleCutter?.close();
    await refusing?.close();
    await healthy?.close();
    ws?.cleanup();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(await served.openUrl());
    await page.getByText('Engine connected').waitFor(WAIT);
  });
  afterEach(async () => {
    expect(pageErrors).toEqual([]);
    await page?.close();
  });

  const panel = () => page.getByTestId('diagnose-panel');
  const row = (check: string) => panel().locator(`[data-check="${check}"]`);
  const card = (id: string) => panel().locator(`[data-finding="${id}"]`);

  async function setOptions(options: Record<string, string>): Promise<void> {
    const toggle = panel().getByRole('button', { name: 'Options' });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    for (const [label, value] of Object.entries(options)) await panel().getByLabel(label).fill(value);
  }

  it('probes an endpoint whose idle connections are cut, ticks the checklist, and shows the idle timeout with its seconds and fix', async () => {
    await page.getByLabel('WebSocket URL').fill(`${idleCutter.url}/prices`);
    // Nothing is attached: the side column is the probe.
    await expect
      .poll(() => panel().locator('.diag-target').textContent(), WAIT)
      .toBe(`${idleCutter.url}/prices`);
    await setOptions({ 'Idle limit (s)': '4', 'Echo count': '3' });
    const seen = await watchChecklist(page);

    await panel().getByRole('button', { name: 'Run probe' }).click();
    // The checklist is there from the start, in order, and ticks as the checks end.
    await row('upgrade').and(page.locator('[data-state="ok"]')).waitFor(WAIT);
    // Work in progress is visible from anywhere: the status line says a probe runs.
    await row('idle').and(page.locator('[data-state="running"]')).waitFor(WAIT);
    const footer = page.locator('footer.status-line');
    await footer.getByText(`Probing ${idleCutter.url}/prices`).waitFor(WAIT);
    expect(await footer.textContent()).not.toContain('No live capture');
    expect(
      await panel()
        .locator('[data-check]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-check'))),
    ).toEqual(['dns', 'tcp', 'health', 'upgrade', 'origin', 'echo', 'ping', 'heartbeat', 'idle']);
    expect(await row('upgrade').textContent()).toContain('HTTP 101 Switching Protocols');
    await card('idle-timeout').waitFor(WAIT);

    const states = await seen();
    for (const mark of [
      'dns:ok',
      'tcp:ok',
      'echo:ok',
      'ping:ok',
      'idle:running',
      'countdown',
      'idle:failed',
      'heartbeat:failed',
    ])
      expect(states).toContain(mark);
    expect(states.indexOf('idle:running')).toBeLessThan(states.indexOf('idle:failed'));
    expect(await row('idle').getAttribute('data-state')).toBe('failed');
    expect(await row('idle').textContent()).toMatch(
      /idle connection ended after [\d.]+ s .*1006, no close frame/,
    );
    expect(await row('echo').textContent()).toContain('3/3 echoed');

    // The finding: critical, with the measured seconds, the cause, the fix with its configuration, the runbook step.
    const idle = card('idle-timeout');
    expect(await idle.getAttribute('data-severity')).toBe('critical');
    expect(await idle.locator('.diag-severity').textContent()).toBe('Critical');
    expect(await idle.locator('.diag-finding-title').textContent()).toBe(
      'Idle connections are cut after a fixed time',
    );
    const seconds = await idle.locator('[data-key="idleSeconds"] dd').textContent();
    expect(seconds).toMatch(/^[\d.]+ s$/);
    // Cut by the server's 2 s timer, before the probe's own 4 s limit.
    expect(Number(seconds!.slice(0, -2))).toBeGreaterThanOrEqual(1);
    expect(Number(seconds!.slice(0, -2))).toBeLessThan(4);
    expect(await idle.locator('[data-key="closeCode"] dd').textContent()).toBe('1006 Abnormal Closure');
    expect(await idle.locator('[data-key="limitSeconds"] dd').textContent()).toBe('4 s');
    expect(await idle.getByRole('region', { name: 'Likely cause' }).textContent()).toContain(
      'proxy_read_timeout',
    );
    // The fix: one block per place it goes, each with the measured values and the real address.
    const cut = Number(seconds!.slice(0, -2));
    const fix = idle.getByRole('region', { name: 'Fix' });
    expect(await fix.locator('.diag-fix-text').textContent()).toContain(`cut after ${cut} s`);
    expect(await fix.locator('.diag-fix-text').textContent()).not.toMatch(/60 s|30 s/);
    const blocks = fix.locator('[data-fix-target]');
    expect(await blocks.evaluateAll((els) => els.map((e) => e.getAttribute('data-fix-target')))).toEqual([
      'nginx',
      'haproxy',
      'node-ws',
      'python-websockets',
    ]);
    const code = (target: string) => fix.locator(`[data-fix-target="${target}"] pre`).textContent();
    for (const target of ['nginx', 'haproxy', 'node-ws', 'python-websockets']) {
      expect(await code(target)).not.toMatch(/HOST|PORT|\$\{/);
      await fix.locator(`[data-fix-target="${target}"]`).getByRole('button', { name: 'Copy' }).waitFor(WAIT);
    }
    expect(await code('nginx')).toContain(`${idleCutter.url}/prices`);
    expect(await code('nginx')).toContain(`cut after ${cut} s`);
    expect(await code('nginx')).toContain('proxy_read_timeout 3600s;');
    expect(await code('haproxy')).toContain('timeout tunnel 1h');
    const nodeEvery = Number(/\}, (\d+)\);/.exec((await code('node-ws')) ?? '')?.[1]);
    expect(nodeEvery).toBeGreaterThan(0);
    expect(nodeEvery).toBeLessThan(cut * 1000);
    const pythonEvery = Number(/ping_interval=([\d.]+)/.exec((await code('python-websockets')) ?? '')?.[1]);
    expect(pythonEvery * 1000).toBe(nodeEvery);
    expect(await code('python-websockets')).toContain(`"127.0.0.1", ${idleCutter.port}`);
    expect(await idle.locator('.diag-runbook').textContent()).toContain('ws-3am#FIX_TIMEOUTS');
    // No ping came from the server either: a warning beside it.
    expect(await card('no-heartbeat').getAttribute('data-severity')).toBe('warning');
    expect(
      await panel().getByRole('region', { name: 'Probe findings' }).locator('.diag-chip').allTextContents(),
    ).toEqual(['1 critical', '1 warning']);
    const recorded = /recorded, frames included, in session #(\d+)/.exec((await panel().textContent()) ?? '');
    expect(recorded).not.toBeNull();

    // The answer first: the findings above the fold, the checks folded under them.
    const findingsBox = (await panel().getByRole('region', { name: 'Probe findings' }).boundingBox())!;
    const checksBox = (await panel().getByRole('region', { name: 'Probe checks' }).boundingBox())!;
    expect(findingsBox.y).toBeLessThan(checksBox.y);
    expect((await idle.locator('.diag-finding-title').boundingBox())!.y).toBeLessThan(900 - 20);
    const fold = panel().getByTestId('probe-checks-fold');
    expect(await fold.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await fold.locator('summary').textContent()).toMatch(/^\d+ checks: \d+ passed, \d+ failed/);
    // A check's time is the one it showed when it ended: the list does not change its numbers.
    const live = (await seen()).filter((m) => m.startsWith('time:'));
    expect(live.length).toBeGreaterThanOrEqual(5);
    for (const mark of live) {
      const [check, time] = mark.slice(5).split('=') as [string, string];
      expect(`${check}=${(await row(check).locator('.diag-check-time').textContent()) ?? ''}`).toBe(
        `${check}=${time}`,
      );
    }

    await inspectShot(page, 'diagnose');
    await idle.scrollIntoViewIfNeeded();
    await readmeShot(page, 'diagnose-finding');

    // The command line prints the same fix, block for block.
    const printed = await cli(['diagnose', recorded![1]!, '--db', ws.db]);
    expect(printed.stdout).toContain('proxy_read_timeout 3600s;');
    expect(printed.stdout).toContain(`}, ${nodeEvery});`);
    expect(printed.stdout).toContain(`ping_interval=${pythonEvery}`);

    // Another URL in the field: the results say which URL they are for.
    await page.getByLabel('WebSocket URL').fill(`${healthy.url}/other`);
    const stale = panel().getByTestId('stale-results');
    await stale.waitFor(WAIT);
    expect(await stale.textContent()).toContain(`${idleCutter.url}/prices`);

    // The finding's runbook step opens where the finding is, and a walk of its runbook starts from there.
    await page.getByLabel('WebSocket URL').fill(`${idleCutter.url}/prices`);
    await idle.getByRole('button', { name: 'ws-3am#FIX_TIMEOUTS' }).click();
    const step = page.getByRole('dialog', { name: /Fix balancer timeouts/ });
    await step.waitFor(WAIT);
    expect(await step.textContent()).toContain('nginx -t && nginx -s reload');
    await step.getByRole('button', { name: /Walk “WebSocket alert at 3 AM” in a new incident/ }).click();
    await expect.poll(() => page.url(), WAIT).toMatch(/#\/incidents\/\d+\/walks\/\d+$/);
    await page.locator('[data-testid=flowchart][data-current="ALERT"]').waitFor(WAIT);
    expect(await page.locator('.walk-line').textContent()).toContain(`${idleCutter.url}/prices`);

    // The probe's session keeps the report: the session view shows the same findings, with when.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator('tr[data-session-id]', { hasText: 'probe 127.0.0.1' }).click();
    const diagnosis = page.getByRole('region', { name: 'Diagnosis' });
    await diagnosis.locator('[data-finding="idle-timeout"]').waitFor(WAIT);
    await diagnosis.locator('[data-finding="no-heartbeat"]').waitFor(WAIT);
    expect(await diagnosis.textContent()).toMatch(/Probed at \d\d:\d\d:\d\d/);
  });

  it('stops a probe whose idle hold would take two minutes, and reports what it saw until then', async () => {
    await page.getByLabel('WebSocket URL').fill(`${healthy.url}/ticks`);
    await setOptions({ 'Idle limit (s)': '120' });
    await panel().getByRole('button', { name: 'Run probe' }).click();
    await row('idle').and(page.locator('[data-state="running"]')).waitFor(WAIT);
    await panel().getByRole('button', { name: 'Stop' }).click();
    await panel().getByRole('region', { name: 'Probe findings' }).waitFor(WAIT);
    expect(await row('idle').getAttribute('data-state')).toBe('ok');
    expect(await row('idle').textContent()).toMatch(/idle connection still open after [\d.]+ s/);
    expect(await panel().getByRole('region', { name: 'Probe checks' }).textContent()).toMatch(
      /Stopped after [\d.]+ s/,
    );
    await panel().getByRole('button', { name: 'Probe again' }).waitFor(WAIT);
  });

  it('shows the findings a session was diagnosed with earlier, with their time, and diagnoses it again', async () => {
    const earlier = await recordGateway(ws.db, 'gateway diagnosed at night');
    expect((await cli(['diagnose', String(earlier.id), '--db', ws.db])).code).toBe(0);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator(`tr[data-session-id="${earlier.id}"]`).click();
    const diagnosis = page.getByRole('region', { name: 'Diagnosis' });
    // No click: what the command line found is there, with when.
    await diagnosis.locator('[data-finding="server-close"]').waitFor(WAIT);
    const when = /Diagnosed at (\d\d:\d\d:\d\d)/.exec((await diagnosis.textContent()) ?? '');
    expect(when).not.toBeNull();
    await diagnosis.getByRole('button', { name: 'Diagnose again' }).click();
    await diagnosis.and(page.locator('[data-state="done"]')).waitFor(WAIT);
    await diagnosis.locator('[data-finding="server-close"]').waitFor(WAIT);
    await diagnosis.getByRole('group', { name: 'Session checks' }).waitFor(WAIT);
    await inspectShot(page, 'diagnose-stored');
  });

  it('shows a refused handshake with its status, says which checks could not run, and puts bad options in words', async () => {
    // No URL: the probe says where to type it.
    await panel().getByRole('button', { name: 'Run probe' }).click();
    expect(await panel().getByRole('alert').textContent()).toContain(
      'Type the endpoint’s URL in the URL field above',
    );

    // Bad options are named beside their field, before anything is sent.
    await page.getByLabel('WebSocket URL').fill(`${refusing.url}/socket`);
    await setOptions({ 'Idle limit (s)': '0', 'Origins your pages use': 'https://app.example.com/login' });
    await panel().getByRole('button', { name: 'Run probe' }).click();
    expect(await panel().locator('.field-error').allTextContents()).toEqual([
      '"https://app.example.com/login" has more than an origin; drop the path: https://app.example.com',
      'The idle limit must be a number of seconds from 1 to 3600, such as 75; "0" is not',
    ]);

    // A CA is chosen from a file in the page and sent as its text: a file with no PEM block is refused
    // beside its field; what only the engine can tell (PEM that is no certificate) comes back in its words.
    await setOptions({ 'Idle limit (s)': '3', 'Origins your pages use': '' });
    const caField = panel().getByLabel('CA certificate');
    await caField.setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not a cert'),
    });
    await panel().getByText('notes.txt holds no PEM block').waitFor(WAIT);
    const fake = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    await caField.setInputFiles({
      name: 'internal-ca.pem',
      mimeType: 'text/plain',
      buffer: Buffer.from(fake),
    });
    await panel().getByTestId('pem-file-name').filter({ hasText: 'internal-ca.pem' }).waitFor(WAIT);
    await panel().getByRole('button', { name: 'Run probe' }).click();
    await panel().locator('.diag-run').and(page.locator('[data-run-state="error"]')).waitFor(WAIT);
    expect(
      await panel().locator('.diag-run').getByRole('alert').locator('.error-note-text').textContent(),
    ).toMatch(/^The probe did not start: The CA holds no PEM certificate .*choose the certificate file$/);
    await panel().getByRole('button', { name: 'Clear' }).click();

    await setOptions({});
    await panel().getByRole('button', { name: 'Remove' }).click();
    await panel().getByRole('button', { name: 'Run probe' }).click();
    await card('upgrade-rejected').waitFor(WAIT);
    expect(await row('upgrade').getAttribute('data-state')).toBe('failed');
    expect(await row('upgrade').textContent()).toContain('HTTP 403 instead of 101');
    for (const check of ['ping', 'heartbeat', 'idle']) {
      expect(await row(check).getAttribute('data-state')).toBe('skipped');
      expect(await row(check).textContent()).toContain('not run: WebSocket upgrade failed');
    }
    const refused = card('upgrade-rejected');
    expect(await refused.getAttribute('data-severity')).toBe('critical');
    expect(await refused.locator('.diag-finding-summary').textContent()).toBe(
      'The upgrade was refused with HTTP 403: "origin not allowed".',
    );
    expect(await refused.locator('[data-key="status"] dd').textContent()).toBe('HTTP 403');
    expect(await refused.locator('[data-key="bodyHead"] dd').textContent()).toBe('origin not allowed');
    expect(await refused.getByRole('table', { name: 'Response headers' }).textContent()).toContain(
      'test-scenario',
    );
    const replay = await refused.locator('[data-fix-target="shell"] pre').textContent();
    expect(replay).toContain('curl -i -N');
    expect(replay).toContain(`http://127.0.0.1:${refusing.port}/socket`);
    await inspectShot(page, 'diagnose-refused');
  });

  it('probes the endpoint it is attached to from the Diagnose tab, and says what was checked when nothing is wrong', async () => {
    await page.getByLabel('WebSocket URL').fill(`${healthy.url}/feed`);
    await page.getByLabel('WebSocket URL').press('Enter');
    await page.getByTestId('capture-state').filter({ hasText: 'Open' }).waitFor(WAIT);

    // The connection's panels stay one tab away.
    const tabs = page.getByRole('tablist', { name: 'Side panels' });
    expect(await tabs.getByRole('tab', { name: 'Connection' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('region', { name: 'Handshake' }).waitFor(WAIT);
    await tabs.getByRole('tab', { name: 'Diagnose' }).click();
    expect(await page.getByRole('region', { name: 'Handshake' }).isVisible()).toBe(false);
    expect(await panel().locator('.diag-target').textContent()).toBe(`${healthy.url}/feed`);

    await setOptions({ 'Idle limit (s)': '1', 'Echo count': '2' });
    await panel().getByRole('button', { name: 'Run probe' }).click();
    await panel().getByTestId('no-problems').waitFor(WAIT);
    expect(await panel().getByTestId('no-problems').textContent()).toMatch(
      /No problems found.*Checked DNS, TCP connect, health check, WebSocket upgrade, origin policy, echo round trips, ping round trips, server heartbeat and an idle connection held up to 1 s/,
    );
    expect(await row('heartbeat').textContent()).toMatch(/server pings every/);
    // The time the connection was held, as measured: the 1 s limit, or a little more on a busy
    // machine (1.1 s beside two CPU hogs).
    expect(await row('idle').textContent()).toMatch(/idle connection still open after 1(\.\d+)? s/);
    expect(await tabs.getByRole('tab', { name: /Diagnose/ }).textContent()).toContain('✓');
    await panel().getByTestId('no-problems').scrollIntoViewIfNeeded();
    await inspectShot(page, 'diagnose-healthy');

    await tabs.getByRole('tab', { name: 'Connection' }).click();
    await page.getByRole('region', { name: 'Handshake' }).waitFor(WAIT);
    await page.keyboard.press('Control+d');
    await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor(WAIT);
  });

  it('diagnoses a recorded session in the session view: the 1011 close names its cause', async () => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator(`tr[data-session-id="${gateway.id}"]`).click();
    const diagnosis = page.getByRole('region', { name: 'Diagnosis' });
    await diagnosis.getByRole('button', { name: 'Diagnose this session' }).click();
    const close = diagnosis.locator('[data-finding="server-close"]');
    await close.waitFor(WAIT);
    expect(await close.getAttribute('data-severity')).toBe('warning');
    expect(await close.locator('.diag-finding-summary').textContent()).toBe(
      'The server closed 1 connection with: 1011 Internal Error ×1.',
    );
    expect(await close.locator('[data-key="codes"] dd').textContent()).toBe('1011 Internal Error ×1');
    expect(await close.locator('[data-key="reasons"] dd').textContent()).toBe('pricing backend unavailable');
    expect(await close.locator('.diag-runbook').textContent()).toContain('ws-3am#FIX_HEALTH');
    // Every analysis is listed with what it saw.
    const checks = diagnosis.getByRole('group', { name: 'Session checks' });
    expect(await checks.locator('[data-check="close codes"]').getAttribute('data-state')).toBe('failed');
    expect(await checks.locator('[data-check="close codes"]').textContent()).toContain('1011 ×1');
    expect(await checks.locator('[data-check="reconnects"]').getAttribute('data-state')).toBe('ok');

    // The engine kept the findings with the session, as the command line reads them.
    const { json } = await cliJson<{ findings: Array<{ id: string }> }>([
      'diagnose',
      String(gateway.id),
      '--db',
      ws.db,
    ]);
    expect(json.findings.map((f) => f.id)).toContain('server-close');
    await inspectShot(page, 'diagnose-session');
  });
});
