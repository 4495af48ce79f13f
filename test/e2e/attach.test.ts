// The attach journey in a real browser: open the console that `frameline serve` prints, attach to a
// WebSocket peer, send with Ctrl+Enter, read the echo in the frame list and its detail, disconnect,
// and read why the connection ended. Plus the security check: payloads are shown, never run.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { echo, wsServer, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { screenshot } from '../support/screenshots.js';
import { workspace, type Workspace } from '../support/cli.js';
import { serve, type Served } from '../support/serve.js';

const XSS = '<img src=x onerror=alert(1)>';

describe.skipIf(browserMissing())('attach screen', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let peer: WsScenario;
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
    peer = await wsServer(echo);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(served.url);
    await page.getByText('Engine connected').waitFor();
  });
  afterEach(async () => {
    await page?.close();
    await served?.stop();
    await peer?.close();
    ws?.cleanup();
  });

  async function attach(path: string): Promise<void> {
    await page.getByLabel('WebSocket URL').fill(`${peer.url}${path}`);
    await page.getByLabel('WebSocket URL').press('Enter');
    await page.getByTestId('capture-state').filter({ hasText: 'Open' }).waitFor();
  }

  async function send(kind: 'Text' | 'JSON', data: string): Promise<void> {
    await page.getByRole('tab', { name: kind, exact: true }).click();
    await page.getByLabel('Message to send').fill(data);
    await page.getByLabel('Message to send').press('Control+Enter');
  }

  /** Frame list rows whose text contains `text`, once both the sent and the echoed frame are in. */
  async function echoedRows(text: string) {
    const rows = page.getByRole('grid', { name: 'Frames' }).getByRole('row').filter({ hasText: text });
    await expect.poll(() => rows.count()).toBe(2);
    return {
      sent: rows.filter({ has: page.getByLabel('sent') }),
      received: rows.filter({ has: page.getByLabel('received') }),
    };
  }

  /** Tree items that hold a value, not the objects and arrays around them. */
  function leaves(scope: Page | ReturnType<Page['locator']>) {
    return scope.getByRole('treeitem').filter({ hasNot: page.getByRole('group') });
  }

  it('attaches, sends with Ctrl+Enter, shows the echo as a JSON tree, and explains the close', async () => {
    await attach('/prices');
    expect(peer.requests[0]?.url).toBe('/prices');

    await send('JSON', '{"op":"subscribe","symbol":"FRML","depth":5,"venues":["XNAS","ARCX"]}');
    const { sent, received } = await echoedRows('"symbol":"FRML"');
    expect(await sent.count()).toBe(1);
    expect(await received.getByText('text', { exact: true }).count()).toBe(1);

    await received.click();
    const detail = page.getByRole('complementary', { name: /^Frame \d+$/ });
    const tree = detail.getByRole('tree', { name: 'JSON payload' });
    await tree.waitFor();
    await expect.poll(() => leaves(tree).filter({ hasText: '"symbol": "FRML"' }).count()).toBe(1);
    expect(await detail.innerText()).toContain('received');

    // A ping and its pong are frames like any other: never hidden.
    await page.getByRole('button', { name: 'Ping' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'pong' }).count()).toBe(1);
    await screenshot(page, 'attach-detail.png');

    await page.keyboard.press('Control+d');
    await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor();
    const close = page.getByRole('region', { name: 'Close', exact: true });
    await expect.poll(() => close.innerText()).toContain('Closed by the client (Frameline)');
    const explanation = await close.innerText();
    expect(explanation).toContain('1000');
    expect(explanation).toContain('Normal Closure');
    expect(explanation).toContain('closed on purpose');
    // Both close frames are in the list, decoded.
    await expect.poll(() => page.getByRole('row').filter({ hasText: '1000 Normal Closure' }).count()).toBe(2);

    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
    await screenshot(page, 'attach.png');
    expect(pageErrors).toEqual([]);
  });

  it('shows an HTML-looking payload as text and runs nothing', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await attach('/');

    await send('Text', XSS);
    const { received } = await echoedRows(XSS);
    await received.click();
    const raw = page.getByRole('complementary', { name: /^Frame \d+$/ }).locator('pre.payload-raw');
    await expect.poll(() => raw.textContent()).toBe(XSS);

    // Inside JSON too: keys and values are text in the tree.
    await send('JSON', JSON.stringify({ [XSS]: '<script>alert(2)</script>' }));
    const json = await echoedRows('<script>alert(2)</script>');
    await json.received.click();
    const item = leaves(page).filter({ hasText: '<script>alert(2)</script>' });
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.innerText()).toContain('"<img src=x onerror=alert(1)>"');

    // The sent-message history shows it as text as well.
    await page.getByRole('list', { name: 'Sent messages' }).getByText(XSS, { exact: true }).waitFor();

    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
