// The attach journey in a real browser: open the console that `frameline serve` prints, attach to a
// WebSocket peer, send with Ctrl+Enter, read the echo in the frame list and its detail, disconnect,
// and read why the connection ended. A message typed while the handshake is still going is sent
// once it opens; the setup is kept across a reload and copied as a wscat, websocat or curl command.
// Plus the security check: payloads are shown, never run.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { echo, wsServer, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { serverScript, startPeer } from '../support/processes.js';
import { workspace, type Workspace } from '../support/cli.js';
import { readmeShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';

const XSS = '<img src=x onerror=alert(1)>';

interface HeldHandshake {
  url: string;
  /** Messages the server received, in order. */
  received: string[];
  /** Lets the held upgrade (and every later one) complete. */
  release(): void;
  close(): Promise<void>;
}

/** A WebSocket server that answers the upgrade only when told to: a slow handshake, on demand. */
async function heldHandshake(): Promise<HeldHandshake> {
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  const received: string[] = [];
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const held: Array<() => void> = [];
  let released = false;
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const answer = () =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (m) => {
          received.push(m.toString());
          ws.send(m.toString());
        });
      });
    if (released) answer();
    else held.push(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    received,
    release: () => {
      released = true;
      for (const answer of held.splice(0)) answer();
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

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
    await page.goto(await served.openUrl());
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
    await readmeShot(page, 'attach-detail');

    // At 1024×700 the detail keeps room to read a payload: more than its first line ("▾ {").
    await page.setViewportSize({ width: 1024, height: 700 });
    const body = detail.locator('.detail-body');
    await expect.poll(async () => (await body.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(140);
    await expect.poll(() => leaves(tree).filter({ hasText: '"depth": 5' }).isVisible()).toBe(true);
    const list = await page.getByRole('grid', { name: 'Frames' }).boundingBox();
    expect(list?.height ?? 0).toBeGreaterThanOrEqual(100);
    // The composer folded to its head row for it, and comes back with one click.
    const showComposer = page.getByRole('button', { name: 'Write a message' });
    expect(await showComposer.isVisible()).toBe(true);
    expect(await page.getByLabel('Message to send').isVisible()).toBe(false);
    // Following paused (a row was picked) while frames come in: the pill that says so sits below
    // the rows, over none of them.
    await page.getByRole('button', { name: 'Ping' }).click();
    await page.getByRole('button', { name: 'Ping' }).click();
    const pill = page.locator('.follow-button');
    await pill.filter({ hasText: /new frames/ }).waitFor();
    const pillBox = (await pill.boundingBox())!;
    const rowBoxes = await page
      .getByRole('grid', { name: 'Frames' })
      .locator('[role=row]')
      .evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().toJSON() as DOMRect));
    const grid = (await page.getByRole('grid', { name: 'Frames' }).boundingBox())!;
    for (const r of rowBoxes) {
      // Only what is on screen in the list can be covered.
      const top = Math.max(r.top, grid.y);
      const bottom = Math.min(r.bottom, grid.y + grid.height);
      if (bottom <= top) continue;
      expect(bottom <= pillBox.y + 1 || top >= pillBox.y + pillBox.height - 1, 'the pill covers a row').toBe(
        true,
      );
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    // A live list without pings and pongs still takes in the close frames of a Disconnect, with no
    // filter touched after it.
    const opcodes = page.getByRole('group', { name: 'Opcodes' });
    await opcodes.getByLabel('ping').uncheck();
    await opcodes.getByLabel('pong').uncheck();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'pong' }).count()).toBe(0);

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
    await readmeShot(page, 'attach');
    expect(pageErrors).toEqual([]);
  });

  it('follows a flood to its last frame: the count and the list agree, and no frame at the tail is missing', async () => {
    // 30,000 frames as fast as the peer sends them, then a 1000 close: pushes are coalesced and the
    // list grows by whole pages, yet what it ends with is every frame, in order.
    const flood = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'plain', '30000']);
    try {
      await page.getByLabel('WebSocket URL').fill(`ws://127.0.0.1:${flood.port}/`);
      await page.getByLabel('WebSocket URL').press('Enter');
      await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor({ timeout: 60_000 });
      const list = page.getByRole('grid', { name: 'Frames' });
      await expect.poll(() => page.locator('.frame-view .filter-count').textContent()).toBe('30,002 frames');
      await expect.poll(() => list.getAttribute('aria-rowcount')).toBe('30002');
      // The list followed the tail: the last rows on screen run without a gap up to the close.
      await list.locator('[role=row][data-seq="30002"]').waitFor();
      const seqs = (await list
        .locator('[role=row][data-seq]')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))))) as number[];
      expect(seqs.length).toBeGreaterThan(10);
      expect(seqs).toEqual(seqs.map((_, i) => 30_002 - seqs.length + 1 + i));
      await expect
        .poll(() => list.locator('[role=row][data-seq="30000"]').textContent())
        .toContain('"seq":30000,');
      expect(pageErrors).toEqual([]);
    } finally {
      await flood.stop();
    }
  });

  it('opens at the last frame when the capture ended before the first page of frames arrived', async () => {
    // On a busy machine a short flood can end before the console has read a single page: the list
    // then first appears for a capture that is no longer live, and must still show where it ended.
    // The engine's answers to frame reads are held here until the capture has ended.
    const held: Array<() => void> = [];
    let holding = true;
    await page.routeWebSocket(/\/api/, (socket) => {
      const server = socket.connectToServer();
      const frameReads = new Set<number>();
      socket.onMessage((m) => {
        const msg = JSON.parse(String(m)) as { id: number; channel: string };
        if (msg.channel === 'sessions:frames') frameReads.add(msg.id);
        server.send(m);
      });
      server.onMessage((m) => {
        const msg = JSON.parse(String(m)) as { id?: number };
        if (holding && msg.id !== undefined && frameReads.has(msg.id)) held.push(() => socket.send(m));
        else socket.send(m);
      });
    });
    await page.reload();
    await page.getByText('Engine connected').waitFor();
    const flood = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'plain', '2000']);
    try {
      await page.getByLabel('WebSocket URL').fill(`ws://127.0.0.1:${flood.port}/`);
      await page.getByLabel('WebSocket URL').press('Enter');
      await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor({ timeout: 60_000 });
      expect(held.length).toBeGreaterThan(0);
      holding = false;
      for (const answer of held.splice(0)) answer();
      const list = page.getByRole('grid', { name: 'Frames' });
      await expect.poll(() => list.getAttribute('aria-rowcount')).toBe('2002');
      await list.locator('[role=row][data-seq="2002"]').waitFor();
      expect(await list.locator('[role=row][data-seq="1"]').count()).toBe(0);
      expect(pageErrors).toEqual([]);
    } finally {
      await flood.stop();
    }
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

  it('sends a message typed while connecting once the connection opens, and says "Connecting" everywhere until then', async () => {
    const slow = await heldHandshake();
    try {
      await page.getByLabel('WebSocket URL').fill(`${slow.url}/orders`);
      await page.getByLabel('WebSocket URL').press('Enter');
      const pill = page.getByTestId('capture-state');
      await pill.filter({ hasText: 'Connecting' }).waitFor();
      // One state everywhere: the pill, the frame list and the side pane agree.
      const frames = page.getByRole('region', { name: 'Frames' });
      await expect.poll(() => frames.textContent()).toContain('Connecting');
      expect(await frames.textContent()).not.toContain('Waiting for frames');
      const side = page.getByRole('complementary', { name: 'Connection' });
      expect(await side.textContent()).toContain('Connecting');
      // Still so once the attempt's record is read: its handshake waits, it is not open.
      await side.getByRole('region', { name: 'Handshake' }).waitFor();
      const close = side.getByRole('region', { name: 'Close' });
      expect(await close.textContent()).toContain('Connecting');
      expect(await close.textContent()).not.toContain('Open since');
      expect(await side.getByRole('region', { name: 'Handshake' }).textContent()).not.toContain(
        'never answered',
      );

      // Typed and sent before the handshake is done: queued, and said so.
      await page.getByRole('tab', { name: 'Text', exact: true }).click();
      await page.getByLabel('Message to send').fill('hello after open');
      await page.getByLabel('Message to send').press('Control+Enter');
      const composer = page.getByRole('region', { name: 'Composer' });
      await composer.getByText('sends once the connection opens').waitFor();
      expect(slow.received).toEqual([]);

      slow.release();
      await pill.filter({ hasText: 'Open' }).waitFor();
      await expect.poll(() => slow.received).toEqual(['hello after open']);
      const rows = page
        .getByRole('grid', { name: 'Frames' })
        .getByRole('row')
        .filter({ hasText: 'hello after open' });
      await expect.poll(() => rows.count()).toBe(2);
      await page.keyboard.press('Control+d');
      await pill.filter({ hasText: 'Ended' }).waitFor();
      expect(pageErrors).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it('opens the shortcut list on "?" even with the empty URL field focused', async () => {
    const url = page.getByLabel('WebSocket URL');
    await url.focus();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    expect(await url.inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'detached' });
    // Once something is typed, "?" is a character of the URL.
    await url.fill('ws://127.0.0.1:9/a');
    await url.press('?');
    expect(await url.inputValue()).toBe('ws://127.0.0.1:9/a?');
    expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
  });

  it('sends the configured messages on open, keeps the setup across a reload, and copies it as wscat, websocat and curl', async () => {
    const target = `${peer.url}/prices`;
    await page.getByLabel('WebSocket URL').fill(target);
    await page.locator('.connect-bar').getByRole('button', { name: 'Options' }).click();
    const options = page.locator('#attach-options');
    await options.getByRole('button', { name: 'Add header' }).click();
    await options.getByLabel('Header name').last().fill('X-Team');
    await options.getByLabel('Value of X-Team').fill('prices');
    await options.getByRole('button', { name: 'Add header' }).click();
    await options.getByLabel('Header name').last().fill('Authorization');
    await options.getByLabel('Value of Authorization').fill('Bearer s3cret-token');
    await options.getByLabel('Origin').fill('https://app.example.com');
    await options.getByLabel('Subprotocols').fill('v2');
    await options.getByLabel('Send on open').fill('{"op":"subscribe","symbol":"FRML"}\n{"op":"snapshot"}');
    await options.getByLabel('Send again every (s)').fill('30');

    // The same setup, as the command-line tools an engineer pastes into a terminal.
    await page.getByRole('button', { name: 'Copy as…' }).click();
    const copyAs = page.getByRole('dialog', { name: 'Copy as a command' });
    const command = (tool: string) => copyAs.locator(`[data-tool="${tool}"] pre`).textContent();
    expect(await command('wscat')).toBe(
      `wscat -c '${target}' -H 'X-Team: prices' -H 'Authorization: Bearer s3cret-token' -o https://app.example.com -s v2`,
    );
    expect(await command('websocat')).toBe(
      `websocat -H='X-Team: prices' -H='Authorization: Bearer s3cret-token' --origin https://app.example.com --protocol v2 '${target}'`,
    );
    expect(await command('curl')).toBe(
      [
        'curl -i -N --http1.1 \\',
        "  -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \\",
        "  -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \\",
        "  -H 'X-Team: prices' -H 'Authorization: Bearer s3cret-token' \\",
        "  -H 'Origin: https://app.example.com' -H 'Sec-WebSocket-Protocol: v2' \\",
        `  '${target.replace('ws://', 'http://')}'`,
      ].join('\n'),
    );
    await copyAs.getByRole('button', { name: 'Copy the wscat command' }).waitFor();
    await page.keyboard.press('Escape');
    await copyAs.waitFor({ state: 'detached' });

    // On open, the two messages go out by themselves, in order.
    await page.getByLabel('WebSocket URL').press('Enter');
    await page.getByTestId('capture-state').filter({ hasText: 'Open' }).waitFor();
    const sent = page
      .getByRole('grid', { name: 'Frames' })
      .getByRole('row')
      .filter({ has: page.getByLabel('sent') });
    await expect.poll(() => sent.count()).toBe(2);
    expect(await sent.first().textContent()).toContain('"op":"subscribe"');
    expect(await sent.last().textContent()).toContain('"op":"snapshot"');
    expect(peer.requests[0]?.headers['x-team']).toBe('prices');
    await page.keyboard.press('Control+d');
    await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor();

    // A reload keeps the URL and the options, but not the secret: its value has to be typed again.
    await page.reload();
    await page.getByText('Engine connected').waitFor();
    expect(await page.getByLabel('WebSocket URL').inputValue()).toBe(target);
    if (
      (await page
        .locator('.connect-bar')
        .getByRole('button', { name: 'Options' })
        .getAttribute('aria-expanded')) !== 'true'
    )
      await page.locator('.connect-bar').getByRole('button', { name: 'Options' }).click();
    expect(
      await options
        .getByLabel('Header name')
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    ).toEqual(['X-Team', 'Authorization']);
    expect(await options.getByLabel('Value of X-Team').inputValue()).toBe('prices');
    expect(await options.getByLabel('Value of Authorization').inputValue()).toBe('');
    expect(await options.getByLabel('Origin').inputValue()).toBe('https://app.example.com');
    expect(await options.getByLabel('Send on open').inputValue()).toBe(
      '{"op":"subscribe","symbol":"FRML"}\n{"op":"snapshot"}',
    );
    expect(await options.getByLabel('Send again every (s)').inputValue()).toBe('30');
    expect(await options.textContent()).toContain('Secret header values are not kept');

    // A connect asks for the secret's value instead of sending "Authorization:" empty (a server
    // answers that with 401, and the diagnosis blames the wrong thing).
    expect(peer.requests).toHaveLength(1);
    await page.getByLabel('WebSocket URL').press('Enter');
    const asked = options.getByText(
      'Type the value of Authorization again: secret header values are not kept across a reload (or remove the row)',
    );
    // Whichever comes first: the question on screen, or a handshake at the server.
    await expect.poll(async () => peer.requests.length > 1 || (await asked.isVisible())).toBe(true);
    expect(peer.requests.map((r) => r.headers.authorization)).toEqual(['Bearer s3cret-token']);
    await asked.waitFor();
    // Typed again, it is sent as typed.
    await options.getByLabel('Value of Authorization').fill('Bearer s3cret-token');
    await page.getByLabel('WebSocket URL').press('Enter');
    await page.getByTestId('capture-state').filter({ hasText: 'Open' }).waitFor();
    expect(peer.requests).toHaveLength(2);
    expect(peer.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer s3cret-token',
      'Bearer s3cret-token',
    ]);
    await page.keyboard.press('Control+d');
    await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
