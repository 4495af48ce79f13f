// A report of an incident whose capture, commands and post-mortem are full of script payloads
// (a title, a note, a command's output, a close reason, a session name, an action item, a
// responder), opened in Chromium with JavaScript on, as a colleague would open the file: no script
// runs, no element carries a handler, and every payload reads as the text it was.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, workspace, type Workspace } from '../support/cli.js';
import { walkedIncident, XSS } from '../support/incident-fixture.js';

describe.skipIf(browserMissing())('a report with script payloads in it', () => {
  let ws: Workspace;
  let browser: Browser;
  let incidentId: number;

  beforeAll(async () => {
    ws = workspace();
    const hostile = await walkedIncident(ws.db, { hostile: true });
    await hostile.server.close();
    incidentId = hostile.incidentId;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    ws?.cleanup();
  });

  it('opens in Chromium without running any of them, showing each as text', async () => {
    const out = join(ws.dir, 'hostile.html');
    const r = await cli(['report', String(incidentId), '-o', out, '--db', ws.db]);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    // As text, a payload's `<` is always written &lt;.
    expect(html).not.toMatch(/<script|<img|<svg[^>]*onload/i);

    const page = await browser.newPage({ javaScriptEnabled: true });
    const events: string[] = [];
    page.on('dialog', (d) => {
      events.push(`dialog ${d.message()}`);
      void d.dismiss();
    });
    page.on('console', (m) => events.push(`console ${m.text()}`));
    page.on('pageerror', (e) => events.push(`error ${e.message}`));
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) events.push(`request ${req.url()}`);
    });
    await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });

    const found = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
      scripts: document.querySelectorAll('script').length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) =>
        [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName} ${a.name}`),
      ),
      images: document.querySelectorAll('img, iframe, object, embed, a[href]').length,
      text: document.body.innerText,
    }));
    expect(found).toMatchObject({ xss: null, scripts: 0, handlers: [], images: 0 });
    expect(events).toEqual([]);
    // Each payload is there, as text a reader can see.
    expect(found.text).toContain(`Chat drops every minute ${XSS.script}`);
    expect(found.text).toContain(XSS.img);
    expect(found.text).toContain(XSS.svg);
    expect(found.text).toContain(XSS.link);
    expect(found.text).toContain(XSS.close.slice(0, 40));
    await page.close();
  });

  it('writes Markdown where the payloads are escaped text, never HTML or links', async () => {
    const r = await cli(['report', String(incidentId), '--format', 'md', '--db', ws.db]);
    expect(r.code).toBe(0);
    // Outside code (where Markdown shows text literally), no tag and no link survives.
    const prose = r.stdout.replace(/(`{3,})[^\n]*\n[\s\S]*?\n\1/g, '').replace(/(`+)[^`][\s\S]*?\1/g, '');
    expect(prose).not.toMatch(/<script|<img|<svg|\]\(javascript:/i);
    expect(r.stdout).toMatch(/`[^`]*<\/pre><script>window.__xss="close"<\/script>[^`]*`/);
    expect(r.stdout).toContain('&lt;script&gt;window.\\_\\_xss = "script"&lt;/script&gt;');
    expect(r.stdout).toContain('[click\\]\\(javascript:window.__xss="md")');
  });
});
