// The post-mortem journey in the console: after a walked incident, the engineer writes its
// post-mortem in place (a time, the root cause, an action item ticked off, a session linked), opens
// Export report, reads the preview, turns redaction off and on again, and saves a PDF and Markdown;
// then drops a HAR file on the Sessions screen and exports that session as HAR from its menu.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResponseOf } from '../../shared/contract.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cliJson, workspace, type Workspace } from '../support/cli.js';
import { CANARIES, walkedIncident, type WalkedIncident } from '../support/incident-fixture.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 20_000 };
const CHROME_HAR = fileURLToPath(new URL('../fixtures/har/chrome-devtools.har', import.meta.url));

async function saved(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

describe.skipIf(browserMissing())('writing and sharing the post-mortem in the console', () => {
  let ws: Workspace;
  let incident: WalkedIncident;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    ws = workspace();
    incident = await walkedIncident(ws.db);
    await incident.server.close();
    served = await serve(ws.db);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(await served.openUrl());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    ws?.cleanup();
  });

  const detail = async () =>
    (
      await cliJson<ResponseOf<'incidents', 'get'>>([
        'incident',
        'show',
        String(incident.incidentId),
        '--db',
        ws.db,
      ])
    ).json;

  it('edits the post-mortem in place, each change on the timeline', async () => {
    // The incidents list names each column, one word apart.
    await page.goto(`${served.origin}/#/incidents`);
    await page.locator('.incident-table').waitFor(WAIT);
    expect(await page.locator('.incident-table th').allTextContents()).toEqual([
      '#',
      'Title',
      'Severity',
      'Status',
      'Detected',
    ]);
    await page.goto(`${served.origin}/#/incidents/${incident.incidentId}`);
    await page.getByRole('tab', { name: 'Post-mortem' }).click();
    const pm = page.getByTestId('postmortem');
    await pm.waitFor(WAIT);
    await pm.getByLabel('Root cause').fill('The proxy idle timeout (60 s) is below the 90 s heartbeat.');
    await pm.getByLabel('Acknowledged').fill('2020-01-01 00:00:00');
    await pm.getByRole('button', { name: 'Save 2 changes' }).click();
    // The engine refuses a time before detection, in its words, and nothing is saved.
    await pm.getByRole('alert').filter({ hasText: 'acknowledgement (' }).waitFor(WAIT);
    expect(await pm.getByRole('alert').textContent()).toMatch(/would come before detection/);
    const before = (await detail()).incident;
    await pm.getByLabel('Acknowledged').fill(before.acknowledgedAt!.slice(0, 19).replace('T', ' '));
    await pm.getByRole('button', { name: 'Save 1 change' }).click();
    await pm.getByRole('button', { name: 'Saved' }).waitFor(WAIT);
    const after = await detail();
    expect(after.incident.rootCause).toBe('The proxy idle timeout (60 s) is below the 90 s heartbeat.');

    // The metrics follow the times as they are typed, before anything is saved; Revert puts them back.
    const metric = (name: string) => pm.locator('.pm-metrics > div', { hasText: name }).locator('dd');
    const savedMitigate = await metric('Time to mitigate').textContent();
    const start = after.incident.impactStartedAt ?? after.incident.detectedAt;
    const ninetyLater = new Date(Date.parse(start) + 90_000).toISOString();
    await pm.getByLabel('Mitigated').fill(ninetyLater.slice(0, 19).replace('T', ' '));
    await expect.poll(() => metric('Time to mitigate').textContent(), WAIT).toBe('1 min 30 s');
    await pm.getByLabel('Mitigated').fill('not a time');
    await expect.poll(() => metric('Time to mitigate').textContent(), WAIT).toBe('—');
    await pm.getByRole('button', { name: 'Revert' }).click();
    await expect.poll(() => metric('Time to mitigate').textContent(), WAIT).toBe(savedMitigate);

    // Tabbing into a field near the bottom brings it, label and all, clear of the sticky Save bar.
    await pm.getByLabel('Root cause').focus();
    await page.keyboard.press('Tab');
    expect(await pm.getByLabel('Detection').evaluate((el) => el === document.activeElement)).toBe(true);
    const label = (await pm.locator('.pm-text .field-label', { hasText: /^Detection$/ }).boundingBox())!;
    const bar = (await pm.locator('.pm-actions').boundingBox())!;
    expect(label.y + label.height).toBeLessThanOrEqual(bar.y + 1);
    expect(after.timeline.at(-1)).toMatchObject({
      kind: 'incident-updated',
      text: 'incident root cause written',
    });

    // An action item, added and ticked off.
    await pm.getByLabel('New action item').fill('Alert on a rise of 1006 closes');
    await pm.getByLabel('Type', { exact: true }).selectOption('process');
    await pm.getByLabel('Owner').fill('Bo Chen');
    await pm.getByRole('button', { name: 'Add', exact: true }).click();
    const done = pm.getByRole('checkbox', { name: 'Done: Alert on a rise of 1006 closes' });
    await done.waitFor(WAIT);
    await done.click();
    await pm.locator('tr.is-done', { hasText: 'Alert on a rise of 1006 closes' }).waitFor(WAIT);

    // A session unlinked and linked again.
    await pm.getByRole('button', { name: `Unlink session ${incident.probeSessionId}` }).click();
    await pm
      .locator(`li[data-session-id="${incident.probeSessionId}"]`)
      .waitFor({ state: 'detached', ...WAIT });
    await pm.getByLabel('Session to link').selectOption(String(incident.probeSessionId));
    await pm.getByRole('button', { name: 'Link', exact: true }).click();
    await pm.locator(`li[data-session-id="${incident.probeSessionId}"]`).waitFor(WAIT);
    const kinds = (await detail()).timeline.map((e) => e.kind);
    expect(kinds.slice(-4)).toEqual(['action-added', 'action-done', 'session-unlinked', 'session-linked']);
  });

  it('exports the report with a preview, redacted unless turned off, as PDF and Markdown', async () => {
    await page.getByRole('button', { name: 'Export report…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export report' });
    await dialog.waitFor(WAIT);
    const frame = page.frameLocator('iframe[data-testid=report-preview]');
    await frame.getByRole('heading', { name: 'Runbook path' }).waitFor(WAIT);
    expect(await frame.locator('h1').textContent()).toBe('Chat drops every minute');
    // The report's own stylesheet applies inside the sandboxed frame (the console's CSP lets it in).
    const h2Border = await frame
      .locator('h2')
      .first()
      .evaluate((el) => getComputedStyle(el).borderBottomStyle);
    expect(h2Border).toBe('solid');
    expect(await frame.locator('script').count()).toBe(0);
    expect(await dialog.getByTestId('report-redaction').textContent()).toMatch(/^Redacted \d+ values/);
    expect(await frame.locator('body').textContent()).not.toContain(CANARIES.shell);

    const redact = dialog.getByRole('switch', { name: /Redact secrets/ });
    expect(await redact.isChecked()).toBe(true);
    await dialog.getByText(/^Redact secrets/).click();
    await dialog
      .getByTestId('report-redaction')
      .filter({ hasText: 'Redaction was turned off' })
      .waitFor(WAIT);
    await frame.locator('body', { hasText: CANARIES.shell }).waitFor(WAIT);
    await dialog.getByText(/^Redact secrets/).click();
    await dialog
      .getByTestId('report-redaction')
      .filter({ hasText: /^Redacted \d+ values/ })
      .waitFor(WAIT);

    await dialog.getByRole('radio', { name: 'PDF' }).click();
    const [pdf] = await Promise.all([
      page.waitForEvent('download', WAIT),
      dialog.getByRole('button', { name: 'Save PDF' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toBe(`incident-${incident.incidentId}-chat-drops-every-minute.pdf`);
    expect((await saved(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    // Saying so, as the session export does.
    await dialog
      .getByTestId('report-done')
      .filter({ hasText: `Saved incident-${incident.incidentId}-chat-drops-every-minute.pdf` })
      .waitFor(WAIT);

    await dialog.getByRole('radio', { name: 'Markdown' }).click();
    await dialog.getByTestId('report-preview').filter({ hasText: '```mermaid' }).waitFor(WAIT);
    const [md] = await Promise.all([
      page.waitForEvent('download', WAIT),
      dialog.getByRole('button', { name: 'Save Markdown' }).click(),
    ]);
    await dialog
      .getByTestId('report-done')
      .filter({ hasText: `Saved incident-${incident.incidentId}-chat-drops-every-minute.md` })
      .waitFor(WAIT);
    const text = (await saved(md)).toString('utf8');
    expect(text).toContain('## Action items');
    expect(text).toContain('Alert on a rise of 1006 closes');
    expect(text).not.toContain(CANARIES.shell);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
  });

  it('imports a HAR dropped on the Sessions screen, and exports that session from its menu', async () => {
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: /Sessions/ })
      .click();
    const drop = page.getByTestId('har-drop');
    await drop.waitFor(WAIT);
    const file = readFileSync(CHROME_HAR, 'utf8');
    const data = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'chrome-devtools.har', { type: 'application/json' }));
      return dt;
    }, file);
    await drop.dispatchEvent('dragover', { dataTransfer: data });
    await drop.dispatchEvent('drop', { dataTransfer: data });
    const notice = page.getByRole('status').filter({ hasText: 'Imported chrome-devtools.har' });
    await notice.waitFor(WAIT);
    const m = /as session (\d+): 1 connection, 4 frames \(1 other entry skipped\)\./.exec(
      (await notice.textContent())!,
    );
    expect(m).not.toBeNull();
    const id = m![1]!;

    await page.locator(`tr[data-session-id="${id}"]`).click();
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: `Export session ${id}` });
    await dialog.waitFor(WAIT);
    const [har] = await Promise.all([
      page.waitForEvent('download', WAIT),
      dialog.getByRole('button', { name: 'Export HAR' }).click(),
    ]);
    expect(har.suggestedFilename()).toBe(`session-${id}.har`);
    const parsed = JSON.parse((await saved(har)).toString('utf8')) as {
      log: { entries: Array<{ _webSocketMessages: unknown[] }> };
    };
    expect(parsed.log.entries).toHaveLength(1);
    expect(parsed.log.entries[0]!._webSocketMessages).toHaveLength(4);
    await dialog
      .getByTestId('export-done')
      .filter({ hasText: `Saved session-${id}.har: 4 frames` })
      .waitFor(WAIT);
    expect(problems).toEqual([]);
  });
});
