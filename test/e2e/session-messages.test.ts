// A Socket.IO session opened the morning after: the frame list says what each frame is in the
// protocol's words (Message column), a filter on the event name leaves only those frames, and a
// frame's detail lists its decoded fields above the payload.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketIoServer, type SocketIoScenario } from '../servers/socketio.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cliJson, workspace, type Workspace } from '../support/cli.js';
import { inspectShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';
import { protocolToolMissing } from '../support/test-tools.js';

const WAIT = { timeout: 15_000, interval: 50 };
const missing = browserMissing() || protocolToolMissing('socket.io');

describe.skipIf(missing)('a Socket.IO session in the console', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let server: SocketIoScenario;
  let sessionId: number;
  let frames: number;

  beforeAll(async () => {
    ws = workspace();
    server = await socketIoServer({ pingInterval: 200, pingTimeout: 1000 });
    const { result, json } = await cliJson<{ session: { id: number; frames: number } }>([
      'capture',
      server.url,
      '--send',
      '42["chat",{"text":"is checkout down for anyone else?"}]',
      '--send',
      '42["typing",{"who":"oncall"}]',
      '--send',
      '42["chat",{"text":"rolling back the 02:10 deploy"}]',
      '--duration',
      '0.7',
      '--name',
      'support chat',
      '--db',
      ws.db,
    ]);
    expect(result.code).toBe(0);
    sessionId = json.session.id;
    frames = json.session.frames;
    served = await serve(ws.db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await server?.close();
    ws?.cleanup();
  });

  async function openSession(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(await served.openUrl());
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator(`tr[data-session-id="${sessionId}"]`).click();
    await page.locator('.session-name').waitFor(WAIT);
    return { page, errors };
  }

  it('shows each frame’s message, filters on an event name, and lists the decoded fields', async () => {
    const { page, errors } = await openSession();
    const list = page.locator('.frame-view');
    const rows = list.locator('[role=row][data-seq]');
    const count = list.locator('.filter-count');
    await expect.poll(() => count.textContent(), WAIT).toBe(`${frames} frames`);

    // The connection says its protocol; the list has a Message column in the protocol's words.
    expect(await page.locator('.connection-item .connection-protocol').first().textContent()).toBe(
      'socket.io',
    );
    await inspectShot(page, 'session-messages-connection');
    expect(await list.locator('.frame-list-head .cell-message').textContent()).toBe('Message');
    await expect
      .poll(() => rows.locator('.cell-message').allTextContents(), WAIT)
      .toEqual(expect.arrayContaining(['EVENT welcome', 'EVENT chat', 'EVENT typing', 'ping', 'pong']));
    await list.scrollIntoViewIfNeeded();
    await inspectShot(page, 'session-messages');

    // Filtering on the event name leaves the two chat messages, in order.
    await page.getByLabel('Filter messages').fill('chat');
    await expect.poll(() => count.textContent(), WAIT).toBe(`2 of ${frames} frames`);
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    expect(await rows.locator('.cell-message').allTextContents()).toEqual(['EVENT chat', 'EVENT chat']);
    expect(await rows.locator('.cell-preview').allTextContents()).toEqual([
      '42["chat",{"text":"is checkout down for anyone else?"}]',
      '42["chat",{"text":"rolling back the 02:10 deploy"}]',
    ]);

    // The detail lists the decoded message above the payload.
    await rows.nth(1).click();
    const detail = page.getByRole('complementary', { name: /^Frame \d+$/ });
    const fields = detail.getByRole('table', { name: 'Decoded message' });
    await fields.waitFor(WAIT);
    const pairs = await fields
      .locator('tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]),
      );
    expect(pairs).toEqual(
      expect.arrayContaining([
        ['protocol', 'socket.io'],
        ['type', 'EVENT'],
        ['name', 'chat'],
        ['namespace', '/'],
      ]),
    );
    expect(pairs.slice(0, 2)).toEqual([
      ['protocol', 'socket.io'],
      ['type', 'EVENT'],
    ]);
    await expect.poll(() => detail.locator('.detail-body').textContent(), WAIT).toContain('rolling back');
    await detail.scrollIntoViewIfNeeded();
    await inspectShot(page, 'session-messages-filtered');

    // A name that no message has: nothing, and a way out.
    await page.getByLabel('Filter messages').fill('chat-history');
    await expect.poll(() => count.textContent(), WAIT).toBe(`0 of ${frames} frames`);
    await page.getByRole('button', { name: 'Clear the filter' }).click();
    await expect.poll(() => count.textContent(), WAIT).toBe(`${frames} frames`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
