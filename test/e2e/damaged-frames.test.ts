// A session whose segment was damaged after the capture, opened in the console: the frame list says
// which frame is damaged, in words, where its preview would be, and its detail says why instead of
// showing bytes; the frames around it read as recorded.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../shared/contract.js';
import { wsServer, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cliJson, workspace, type Workspace } from '../support/cli.js';
import { serve, type Served } from '../support/serve.js';
import type { ShowJson } from '../support/session-json.js';

const WAIT = { timeout: 15_000, interval: 50 };

describe.skipIf(browserMissing())('a damaged frame in the console', () => {
  let ws: Workspace;
  let server: WsScenario;
  let served: Served;
  let browser: Browser;
  let session: number;
  let bad: FrameRecord;

  beforeAll(async () => {
    ws = workspace();
    server = await wsServer((sock) => {
      for (let i = 1; i <= 12; i++)
        sock.send(JSON.stringify({ id: i, type: 'tick', price: `${100 + i}.25` }));
      sock.close(1000, 'done');
    });
    const captured = await cliJson<{ session: { id: number } }>([
      'capture',
      server.url,
      '--name',
      'bit rot',
      '--db',
      ws.db,
      '--quiet',
    ]);
    expect(captured.result.code, captured.result.stderr).toBe(0);
    session = captured.json.session.id;
    const shown = await cliJson<ShowJson>(['show', String(session), '--frames', '--db', ws.db]);
    bad = shown.json.frames!.find((f) => f.payload.includes('"price":"107.25"'))!;
    // 16 bytes of tick 7 flipped in the finished segment.
    const file = `${ws.db}-frames/session-${session}.frames`;
    const at = readFileSync(file).indexOf('"price":"107.25"');
    const fd = openSync(file, 'r+');
    try {
      writeSync(fd, Buffer.alloc(16, 0x23), 0, 16, at);
    } finally {
      closeSync(fd);
    }
    served = await serve(ws.db);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await server?.close();
    ws?.cleanup();
  });

  it('is named in the list and in its detail; its neighbours read as recorded', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator(`tr[data-session-id="${session}"]`).click();

    const damagedRow = page.locator(`.frame-view [role=row][data-seq="${bad.seq}"]`);
    await damagedRow.waitFor(WAIT);
    expect(await damagedRow.getAttribute('class')).toContain('is-damaged');
    expect(await damagedRow.locator('.cell-preview').textContent()).toBe(
      'Damaged — checksum mismatch: the stored bytes changed after they were recorded',
    );
    expect(
      await page.locator(`.frame-view [role=row][data-seq="${bad.seq + 1}"] .cell-preview`).textContent(),
    ).toContain('"price":"108.25"');
    expect(await page.locator('.frame-view [role=row].is-damaged').count()).toBe(1);

    await damagedRow.click();
    const detail = page.getByRole('complementary', { name: `Frame ${bad.seq}` });
    await expect
      .poll(() => detail.getByRole('alert').textContent(), WAIT)
      .toContain('Damaged: checksum mismatch: the stored bytes changed after they were recorded');
    expect(await detail.textContent()).not.toContain('107.25');
    expect(errors).toEqual([]);
    await page.close();
  });
});
