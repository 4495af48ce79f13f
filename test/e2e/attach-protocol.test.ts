// The attach journey against a graphql-ws server: the protocol chosen in Options, a subscription
// typed there, and the stream's messages in the frame list after connection_ack.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphqlWsServer, type GraphqlWsScenario } from '../servers/graphql-ws.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { workspace, type Workspace } from '../support/cli.js';
import { serve, type Served } from '../support/serve.js';
import { protocolToolMissing } from '../support/test-tools.js';
import { inspectShot } from '../support/screenshots.js';

const missing = browserMissing() || protocolToolMissing('graphql-ws') || protocolToolMissing('graphql');

describe.skipIf(missing)('attach screen speaking graphql-ws', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let server: GraphqlWsScenario;
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
    server = await graphqlWsServer({ tickMs: 100 });
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

  it('opens the protocol with the init payload, subscribes, and lists the next messages', async () => {
    await page.getByLabel('WebSocket URL').fill(server.url);
    await page.locator('.connect-bar').getByRole('button', { name: 'Options' }).click();
    const options = page.locator('#attach-options');
    await options.getByLabel('Protocol', { exact: true }).selectOption('graphql-ws');
    await options.getByLabel('Init payload (JSON)').fill('{"token":"let-me-in"}');
    await options.getByLabel('Subscribe').fill('subscription { tick }');
    await inspectShot(page, 'attach-protocol-options');
    await page.getByLabel('WebSocket URL').press('Enter');
    await page.getByTestId('capture-state').filter({ hasText: 'Open' }).waitFor();
    const rows = page.getByRole('grid', { name: 'Frames' }).getByRole('row');
    await expect.poll(() => rows.filter({ hasText: '"tick":3' }).count()).toBe(1);
    expect(await rows.filter({ hasText: 'connection_ack' }).count()).toBe(1);
    expect(server.accepted).toEqual([{ token: 'let-me-in' }]);
    expect(server.received.slice(0, 2)).toEqual([
      { type: 'connection_init' },
      { type: 'subscribe', id: '1' },
    ]);
    expect(pageErrors).toEqual([]);
    await inspectShot(page, 'attach-protocol');
  });
});
