// The attach journey with a conversation script: a mistake in it shown under the field with its
// line, then a script that talks to a real echo server and closes, its frames in the list.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { echo, wsServer, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { workspace, type Workspace } from '../support/cli.js';
import { serve, type Served } from '../support/serve.js';
import { inspectShot } from '../support/screenshots.js';

describe.skipIf(browserMissing())('attach screen running a conversation script', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let server: WsScenario;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    ws = workspace();
    served = await serve(ws.db);
    server = await wsServer(echo);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(await served.openUrl());
    await page.getByText('Engine connected').waitFor();
  });
  afterEach(async () => {
    await page?.close();
    await served?.stop();
    await server?.close();
    ws?.cleanup();
  });

  it('says which line is wrong, then sends, expects and closes as the script says', async () => {
    await page.getByLabel('WebSocket URL').fill(server.url);
    await page.locator('.connect-bar').getByRole('button', { name: 'Options' }).click();
    const options = page.locator('#attach-options');
    const script = options.getByLabel('Conversation script');
    await script.fill('send {"op":"hello"}\nwait 1s');
    await page.getByLabel('WebSocket URL').press('Enter');
    await options
      .getByText(
        'Line 2: "wait" is not a step; a line is one of send, expect, sleep, ping, close (or a # comment)',
      )
      .waitFor();
    await inspectShot(page, 'attach-script-error');

    await script.fill(
      '# the server echoes\nsend {"op":"hello","from":"script"}\nexpect {"from":"script"} 5s\nclose 4000 script done',
    );
    await page.getByLabel('WebSocket URL').press('Enter');
    await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor();
    const rows = page.getByRole('grid', { name: 'Frames' }).getByRole('row');
    // Out and back: the message the script sent, and the echo its expect waited for.
    await expect.poll(() => rows.filter({ hasText: '"from":"script"' }).count()).toBe(2);
    await expect.poll(() => rows.filter({ hasText: 'script done' }).count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
    await inspectShot(page, 'attach-script');
  });
});
