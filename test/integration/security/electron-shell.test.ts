// The desktop shell tested for what it does, not for how its source reads: the built main process
// (dist/electron/main/main.js) runs under plain Node with our stand-in `electron` module
// (test/support/electron-double/), which records what main asks of Electron and lets the test act
// as Electron and as a page. The engine behind it is the real one, in a process of its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, contract, type Result } from '../../../shared/contract.js';
import type { WalkView } from '../../../shared/contract/incidents.js';
import { APP_ENTRY_URL } from '../../../electron/main/app-files.js';
import { CONTINUATION } from '../../../electron/main/command-dialog.js';
import { CONTENT_SECURITY_POLICY } from '../../../electron/serving/console-security.js';
import { echo, wsServer, type WsScenario } from '../../servers/scenarios.js';
import { startDesktopShell, type DesktopShell, type ShellState } from '../../support/electron-shell.js';
import { runPreload } from '../../support/preload-double.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const RUNBOOK = readFileSync(join(root, 'test/fixtures/runbooks/shell-steps.md'), 'utf8');
const TWO_COMMANDS = readFileSync(join(root, 'test/fixtures/runbooks/two-commands.md'), 'utf8');

let shell: DesktopShell;
let beforeReady: ShellState;
let afterReady: ShellState;

const invoke = <T = unknown>(channel: string, payload: unknown = {}, from = 'window') =>
  shell.op<Result<T>>('invoke', { channel, payload, from });
async function value<T>(channel: string, payload: unknown = {}): Promise<T> {
  const r = await invoke<T>(channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}
const callsOf = (s: ShellState, api: string) => s.calls.filter((c) => c.api === api);
const pushes = (s: ShellState, topic: string) =>
  (s.windows[0]?.sent ?? [])
    .filter((m) => m[0] === 'frameline:push' && m[1] === topic)
    .map((m) => m[2] as Record<string, unknown>);

beforeAll(async () => {
  shell = startDesktopShell();
  // Everything main does at load time, before Electron says it is ready.
  beforeReady = await shell.until('main to register its scheme', (s) =>
    s.calls.some((c) => c.api === 'protocol.registerSchemesAsPrivileged'),
  );
  await shell.op('ready');
  afterReady = await shell.until('the window', (s) => s.windows.length === 1);
}, 60_000);

afterAll(async () => {
  await shell?.stop();
});

describe('before the app is ready', () => {
  it('registers app:// as a standard, secure, fetch-capable scheme', () => {
    const [call] = callsOf(beforeReady, 'protocol.registerSchemesAsPrivileged');
    expect(call).toMatchObject({ ready: false });
    expect(call!.args).toEqual([
      [
        {
          scheme: 'app',
          privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
        },
      ],
    ]);
  });

  it('sandboxes every renderer and takes the single-instance lock, and opens no window yet', () => {
    expect(callsOf(beforeReady, 'app.enableSandbox')).toEqual([
      { api: 'app.enableSandbox', args: [], ready: false },
    ]);
    expect(callsOf(beforeReady, 'app.requestSingleInstanceLock')).toHaveLength(1);
    expect(beforeReady.windows).toEqual([]);
  });
});

describe('the window', () => {
  it('is isolated and sandboxed, with no Node, no webviews and the bundled preload', () => {
    const prefs = afterReady.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
    expect(prefs.preload).toBe(join(root, 'dist/electron/preload/preload.cjs'));
  });

  it('loads the console from app://, never from a file or the network', () => {
    expect(afterReady.windows[0]!.url).toBe(APP_ENTRY_URL);
    expect(callsOf(afterReady, 'win.loadURL').map((c) => c.args)).toEqual([[APP_ENTRY_URL]]);
    expect(callsOf(afterReady, 'win.loadFile')).toEqual([]);
  });

  it('is created last: after the protocol, the session lockdown, the engine and every IPC channel', () => {
    const order = afterReady.calls.map((c) => c.api);
    const windowAt = order.indexOf('new BrowserWindow');
    for (const before of [
      'protocol.handle',
      'session.setPermissionRequestHandler',
      'session.webRequest.onBeforeRequest',
      'utilityProcess.fork',
    ])
      expect(order.indexOf(before), before).toBeLessThan(windowAt);
    const handled = afterReady.calls
      .slice(0, windowAt)
      .filter((c) => c.api === 'ipcMain.handle')
      .map((c) => c.args[0]);
    expect(handled.sort()).toEqual(
      channels()
        .map((c) => c.name)
        .sort(),
    );
    expect(afterReady.ipcListeners).toEqual(['frameline:ready']);
  });
});

describe('navigation, new windows and permissions', () => {
  it('prevents every navigation, and hands only https links to the system browser', async () => {
    const before = callsOf(await shell.state(), 'shell.openExternal').length;
    for (const url of [
      'https://example.com/docs',
      'http://example.com/',
      'file:///etc/passwd',
      'app://frameline/x',
    ])
      expect(await shell.op('contentsEvent', { event: 'will-navigate', url }), url).toEqual({
        prevented: true,
      });
    const opened = callsOf(await shell.state(), 'shell.openExternal').slice(before);
    expect(opened.map((c) => c.args)).toEqual([['https://example.com/docs']]);
  });

  it.each(['will-redirect', 'will-attach-webview'])('prevents %s', async (event) => {
    expect(await shell.op('contentsEvent', { event, url: 'https://example.com/' })).toEqual({
      prevented: true,
    });
  });

  it('denies every new window, whatever the URL', async () => {
    for (const url of [
      'https://example.com/',
      'app://frameline/index.html',
      'javascript:alert(1)',
      'file:///',
    ])
      expect(await shell.op('windowOpen', { url }), url).toEqual({ action: 'deny' });
    expect((await shell.state()).windows).toHaveLength(1);
  });

  it('refuses every permission but the clipboard write of copy buttons, and every device', async () => {
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'midi',
    ])
      expect(await shell.op('permission', { permission }), permission).toEqual({
        requested: false,
        checked: false,
        device: false,
      });
    expect(await shell.op('permission', { permission: 'clipboard-sanitized-write' })).toEqual({
      requested: true,
      checked: true,
      device: false,
    });
  });

  it('cancels requests from pages to the network or to files, and lets app:// through', async () => {
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:1/',
      'wss://example.com/',
      'file:///etc/passwd',
    ])
      expect(await shell.op('beforeRequest', { url }), url).toEqual({ cancel: true });
    expect(await shell.op('beforeRequest', { url: APP_ENTRY_URL })).toEqual({ cancel: false });
  });
});

describe('app://', () => {
  type Answer = { status: number; headers: Record<string, string>; body: string };
  const get = (url: string, method = 'GET') => shell.op<Answer>('fetch', { url, method });

  it('serves the built console with the shared CSP and headers', async () => {
    const page = await get(APP_ENTRY_URL);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    });
  });

  it('answers 404 outside the build and 405 to anything but GET and HEAD', async () => {
    for (const url of [
      'app://frameline/../../package.json',
      'app://frameline/%2e%2e/%2e%2e/package.json',
      'app://frameline/..%5c..%5cpackage.json',
      'app://elsewhere/index.html',
    ]) {
      const answer = await get(url);
      expect(answer.status, url).toBe(404);
      expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    }
    expect((await get(APP_ENTRY_URL, 'POST')).status).toBe(405);
  });
});

describe('IPC', () => {
  it('reaches the engine through the contract, in a process of its own, on FRAMELINE_DB', async () => {
    expect(await value('app:info')).toMatchObject({ shell: 'desktop', dbPath: shell.dbPath });
    const { engines } = await shell.state();
    expect(engines).toHaveLength(1);
    expect(engines[0]!.alive).toBe(true);
    expect(engines[0]!.pid).not.toBe(shell.child.pid);
    expect(callsOf(await shell.state(), 'utilityProcess.fork')[0]!.args[0]).toBe(
      join(root, 'dist/electron/engine-host/engine-process.js'),
    );
  });

  it.each(['subframe', 'other-contents', 'foreign-page'])(
    'refuses a call from %s with forbidden',
    async (from) => {
      const r = await invoke('app:info', {}, from);
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    },
  );

  it('has the engine validate every payload against the contract', async () => {
    expect(await invoke('sessions:get', { id: 'one' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /sessions:get: id/ },
    });
  });
});

describe('a shell command from a runbook step', () => {
  let walkId: number;

  beforeAll(async () => {
    await value('runbooks:import', { text: RUNBOOK, fileName: 'shell-steps.md' });
    const incident = await value<{ id: number }>('incidents:create', { title: 'Desktop commands' });
    walkId = (
      await value<WalkView>('walks:start', {
        incidentId: incident.id,
        runbookId: 'shell-steps',
        target: 'ws://127.0.0.1:9/x',
      })
    ).id;
  });

  const lastDialog = async () => {
    const s = await shell.until(
      'the confirmation dialog',
      (st) => callsOf(st, 'dialog.showMessageBox').length > 0,
    );
    const all = callsOf(s, 'dialog.showMessageBox');
    return all[all.length - 1]!.args[0] as {
      message: string;
      detail: string;
      buttons: string[];
      defaultId: number;
    };
  };

  it('waits for the native dialog, and runs nothing when it is cancelled, whatever the page confirmed', async () => {
    const command = `echo "${'x'.repeat(90)}"; echo "then a second command past the edge"`;
    const pending = invoke('walks:run', { id: walkId, step: 1, command, confirmed: true });
    const box = await lastDialog();
    expect(box.message).toBe('Run this edited command?');
    expect(box.buttons[box.defaultId]).toBe('Cancel');
    // The whole command, wrapped and never clipped: the lines put back together are the command.
    const lines = box.detail.split('\n');
    const start = lines.indexOf('It runs once in /bin/sh on this machine, as you:') + 2;
    const shown = lines.slice(start, lines.indexOf('', start));
    expect(shown.length).toBeGreaterThan(1);
    for (const line of shown) expect(line.length).toBeLessThanOrEqual(72);
    expect(shown.map((l, i) => (i === 0 ? l : l.replace(CONTINUATION, ''))).join('')).toBe(command);
    expect(box.detail).toContain('WS_URL=ws://127.0.0.1:9/x');

    await shell.op('answerDialog', { response: 0 });
    expect(await pending).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /declined in the confirmation dialog/ },
    });
    expect((await value<WalkView>('walks:get', { id: walkId })).runs).toEqual([]);
  });

  it('runs exactly the step it asked about: a walk that moved on meanwhile runs nothing', async () => {
    await value('runbooks:import', { text: TWO_COMMANDS, fileName: 'two-commands.md' });
    const incident = await value<{ id: number }>('incidents:create', { title: 'Moved on' });
    const walk = await value<WalkView>('walks:start', { incidentId: incident.id, runbookId: 'two-commands' });
    const before = callsOf(await shell.state(), 'dialog.showMessageBox').length;
    // No step named: the first node's first command, asked about in the dialog.
    const pending = invoke('walks:run', { id: walk.id, command: 'echo first', confirmed: true });
    await shell.until('the dialog', (s) => callsOf(s, 'dialog.showMessageBox').length > before);
    expect((await lastDialog()).detail).toContain('Step 1 "Say first" of FIRST.');
    // While the dialog is open, the page takes the walk on to a node with a command of its own.
    expect((await value<WalkView>('walks:choose', { id: walk.id })).current.visit.node).toBe('SECOND');
    await shell.op('answerDialog', { response: 1 });
    expect(await pending).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/nothing was run: the walk moved on \(to SECOND\)/) },
    });
    expect((await value<WalkView>('walks:get', { id: walk.id })).runs).toEqual([]);
  });

  it('runs the command once Run is clicked', async () => {
    const before = callsOf(await shell.state(), 'dialog.showMessageBox').length;
    const pending = invoke<{ runId: number }>('walks:run', {
      id: walkId,
      step: 1,
      command: 'echo "hello from $WS_HOST:$WS_PORT"',
      confirmed: true,
    });
    await shell.until('a second dialog', (s) => callsOf(s, 'dialog.showMessageBox').length > before);
    await shell.op('answerDialog', { response: 1 });
    const r = await pending;
    expect(r.ok).toBe(true);
    const runId = (r as { value: { runId: number } }).value.runId;
    const deadline = Date.now() + 10_000;
    let run;
    do {
      run = (await value<WalkView>('walks:get', { id: walkId })).runs.find((x) => x.id === runId);
    } while (run?.status === 'running' && Date.now() < deadline);
    expect(run).toMatchObject({ status: 'ok', output: 'hello from 127.0.0.1:9\n' });
  });
});

describe('a report printed to PDF', () => {
  it("is printed by the app's own Chromium, in a hidden window with no script, and the window is gone after", async () => {
    const incident = await value<{ id: number }>('incidents:create', { title: 'Printed <b>report</b>' });
    const before = (await shell.state()).windows.length;
    const r = await value<{ encoding: string; content: string; fileName: string }>('reports:render', {
      incidentId: incident.id,
      format: 'pdf',
    });
    expect(r.encoding).toBe('base64');
    expect(Buffer.from(r.content, 'base64').toString()).toMatch(/^%PDF-1\.7 stand-in of \d+ URL characters$/);
    const s = await shell.state();
    expect(s.windows).toHaveLength(before + 1);
    const printer = s.windows[s.windows.length - 1]!;
    expect(printer.options).toMatchObject({
      show: false,
      webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false },
    });
    expect(printer.options.webPreferences).not.toHaveProperty('preload');
    // The report itself, as a data: URL: nothing from the network, nothing from a file.
    expect(printer.url).toMatch(/^data:text\/html;charset=utf-8;base64,/);
    const html = Buffer.from(printer.url.split(',')[1]!, 'base64').toString('utf8');
    expect(html).toContain('<h1>Printed &lt;b&gt;report&lt;/b&gt;</h1>');
    expect(html).not.toMatch(/<script/i);
    expect(printer.destroyed).toBe(true);
    const printed = callsOf(s, 'webContents.printToPDF');
    expect(printed.at(-1)!.args[0]).toMatchObject({
      pageSize: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
    });
  });
});

describe('an engine crash', () => {
  let server: WsScenario;

  beforeAll(async () => {
    server = await wsServer(echo);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('is reported in the window, the engine restarts, and recovery marks its capture interrupted', async () => {
    // The page says it listens (as the preload does once it subscribes).
    await shell.op('send', { channel: 'frameline:ready' });
    const { sessionId } = await value<{ sessionId: number }>('capture:start', { url: `${server.url}/live` });
    await shell.until('the capture to be live', (s) =>
      pushes(s, 'capture:status').some((p) => p.sessionId === sessionId && p.state === 'open'),
    );
    const killed = await shell.op<number>('killEngine');
    const s = await shell.until(
      'the engine to restart',
      (st) => pushes(st, 'engine:link').some((p) => p.state === 'open') && st.engines.some((e) => e.alive),
    );
    expect(pushes(s, 'engine:link').map((p) => p.state)).toEqual(['restarting', 'open']);
    expect(pushes(s, 'engine:link')[0]!.message).toMatch(
      /the engine process stopped \(exit code \d+\); restarting/,
    );
    expect(s.engines.find((e) => e.alive)!.pid).not.toBe(killed);
    const detail = await value<{ session: { status: string } }>('sessions:get', { id: sessionId });
    expect(detail.session.status).toBe('interrupted');
  });
});

describe('quitting', () => {
  it('closes the engine cleanly before the app ends', async () => {
    const code = await shell.stop();
    expect(code).toBe(0);
    expect(shell.output()).not.toMatch(/failed|Error/);
  });
});

describe('the preload', () => {
  it('exposes exactly the contract as window.frameline, and sends to ipcRenderer only through it', async () => {
    const { exposed, invoked, sent, push } = runPreload(join(root, 'dist/electron/preload/preload.cjs'));
    expect(Object.keys(exposed)).toEqual(['frameline']);
    const api = exposed.frameline as Record<
      string,
      Record<string, (r: unknown) => Promise<unknown>> | unknown
    >;
    const expected: Record<string, string[]> = {};
    for (const [domain, verbs] of Object.entries(contract)) expected[domain] = Object.keys(verbs).sort();
    const seen: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(api)) if (typeof v === 'object' && v) seen[k] = Object.keys(v).sort();
    expect(seen).toEqual(expected);
    expect(typeof (api as { on: unknown }).on).toBe('function');
    await (api.sessions as Record<string, (r: unknown) => Promise<unknown>>).list!({});
    expect(invoked).toEqual([['sessions:list', {}]]);
    expect(sent).toEqual([]);
    // Subscribing says ready once; pushes reach listeners only for the contract's topics.
    const heard: unknown[] = [];
    const on = (api as { on: (t: string, l: (p: unknown) => void) => void }).on;
    on('capture:status', (p) => heard.push(p));
    on('walk:changed', (p) => heard.push(p));
    expect(sent).toEqual([['frameline:ready']]);
    push('fs:secrets', { a: 1 });
    push('capture:status', { sessionId: 1 });
    expect(heard).toEqual([{ sessionId: 1 }]);
  });
});
