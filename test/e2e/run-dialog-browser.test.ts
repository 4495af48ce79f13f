// Browser mode started without --allow-any-command runs only the runbook's own commands (each with
// the code serve shows in its terminal). The run dialog says so before anything is edited, keeps the
// command as the runbook wrote it, and never offers "Run the edited command" only to refuse it.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, WalkView } from '../../shared/contract/incidents.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cliJson, workspace, type Workspace } from '../support/cli.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 30_000 };

describe.skipIf(browserMissing())('the run dialog in browser mode', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;

  beforeAll(async () => {
    ws = workspace();
    served = await serve(ws.db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    ws?.cleanup();
  });

  it('says before editing that only the runbook’s command runs here, and how to allow edits', async () => {
    const db = ['--db', ws.db];
    const { json: incident } = await cliJson<Incident>(['incident', 'create', '--title', 'Drops', ...db]);
    await cliJson<WalkView>(['walk', 'start', String(incident.id), '--runbook', 'ws-3am', ...db]);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(await served.openUrl());
    await page.goto(`${served.origin}/#/incidents/${incident.id}`);
    const step = page.locator('.node-panel .step-item[data-step="1"]');
    await step.getByRole('button', { name: 'Run…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run this command?' });
    await dialog.waitFor(WAIT);

    const note = dialog.getByTestId('run-dialog-edits');
    expect(await note.textContent()).toMatch(
      /^This console runs the runbook’s own command only: to run an edited one, start "frameline serve --allow-any-command"/,
    );
    const box = dialog.getByLabel('Command');
    expect(await box.isEditable()).toBe(false);
    expect(await box.inputValue()).toContain('grep -c ESTABLISHED');
    expect(await dialog.getByRole('button', { name: 'Run', exact: true }).isEnabled()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Run the edited command' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
