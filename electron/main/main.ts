// The desktop shell: one hardened window on the console, loaded from app:// (never file:// or the
// network), talking to the engine only through the contract. The engine runs in a process of its
// own (electron/engine-host/, an Electron utilityProcess) so that nothing it does can freeze the
// window; this process keeps the window, the protocol, the dialogs and the IPC routing, wired in
// the order below. The window is created last, after every handler is registered. It imports no
// engine code, only the engine's types (eslint.config.js).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  Menu,
  MessageChannelMain,
  protocol,
  session,
  shell,
  utilityProcess,
} from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import type { CommandConfirmation } from '../engine/incidents/trust.js';
import { responseHeaders } from '../serving/console-security.js';
import { APP_ENTRY_URL, APP_SCHEME, resolveAppUrl } from './app-files.js';
import { confirmationDialog, RUN_BUTTON } from './command-dialog.js';
import { EngineLink } from './engine-link.js';
import { bindContract } from './ipc.js';
import type { ContractBinding } from './ipc.js';

/** dist/electron, where the compiled processes sit side by side (main/, preload/, engine-host/). */
const electronRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The Vite build of the console (dist/renderer), inside app.asar when packaged. */
const RENDERER_ROOT = join(electronRoot, '..', 'renderer');
/** The bundled preload (scripts/build-preload.mjs). */
const PRELOAD = join(electronRoot, 'preload', 'preload.cjs');
/** The engine process's entry. */
const ENGINE_ENTRY = join(electronRoot, 'engine-host', 'engine-process.js');
const isDev = !app.isPackaged;

let mainWindow: BrowserWindow | null = null;

setupIdentity();
setupPrivilegedScheme();
if (setupSingleInstance()) {
  setupWebContentsGuards();
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  setupSessionLockdown();
  setupAppProtocol();
  const engine = await startEngine();
  if (!engine) return;
  const contract = bindContract(engine);
  setupMenu();
  setupQuit(engine, contract);
  contract.attach(createWindow());
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) contract.attach(createWindow());
  });
}

/**
 * Name, user-data folder and sandbox, before anything reads them. The user-data folder is Electron's
 * own for an app named Frameline (whatever package.json's name), the folder where the engine process
 * and the command line look for the database (engine/paths.ts spells the same rule without Electron).
 */
function setupIdentity(): void {
  app.setName('Frameline');
  app.setPath('userData', join(app.getPath('appData'), 'Frameline'));
  app.enableSandbox();
}

/** app:// must be privileged before 'ready': a standard, secure origin with fetch, like https. */
function setupPrivilegedScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      // corsEnabled: Vite emits `<script type="module" crossorigin>`, a CORS-mode fetch, and module
      // scripts from a custom scheme load reliably only when it takes part in CORS. We never send
      // Access-Control-Allow-Origin, so no other origin can read app:// resources.
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    },
  ]);
}

/** One running app per user-data folder: a second launch focuses the first window. */
function setupSingleInstance(): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  return true;
}

/** Every web contents, present and future: no popups, no navigation, no redirects, no webviews. */
function setupWebContentsGuards(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      openExternally(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event) => {
      event.preventDefault();
      openExternally(event.url);
    });
    contents.on('will-redirect', (event) => {
      event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => {
      event.preventDefault();
    });
    // The page then has no window.frameline and says so itself (renderer/api/api.ts).
    contents.on('preload-error', (_event, path, error) => {
      console.error(`the preload ${path} failed: ${error.message}`);
    });
  });
}

/** Links leave the app only as https, in the user's browser; anything else goes nowhere. */
function openExternally(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (parsed.protocol !== 'https:') return;
  shell
    .openExternal(parsed.href)
    .catch((err: Error) => console.error(`could not open ${parsed.href}: ${err.message}`));
}

/**
 * The console needs no camera, microphone, notifications, geolocation or devices, and fetches
 * nothing from the network (sockets live in the engine): refuse every permission and every
 * http(s), ws(s) or file request from a page (app://, data: and devtools stay).
 */
function setupSessionLockdown(): void {
  const ses = session.defaultSession;
  // Copy buttons write to the clipboard; nothing else is ever granted.
  ses.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permission === 'clipboard-sanitized-write'),
  );
  ses.setPermissionCheckHandler((_contents, permission) => permission === 'clipboard-sanitized-write');
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: REMOTE_SCHEMES.test(details.url) });
  });
}
const REMOTE_SCHEMES = /^(https?|wss?|file|ftp):/i;

/** Serves dist/renderer over app://frameline/ with the CSP; nothing outside that folder. */
function setupAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('method not allowed', { status: 405, headers: responseHeaders(null) });
    }
    const file = resolveAppUrl(RENDERER_ROOT, request.url);
    if (!file) return notFound(request.url);
    try {
      const body = await readFile(file);
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
        status: 200,
        headers: responseHeaders(file),
      });
    } catch {
      return notFound(request.url);
    }
  });
}

function notFound(url: string): Response {
  const hint = url.endsWith('/index.html') ? ' (is the console built? run npm run build)' : '';
  return new Response(`not found: ${url}${hint}`, { status: 404, headers: responseHeaders(null) });
}

/**
 * The engine in its own process on the user's database (FRAMELINE_DB, else the user-data folder),
 * reached over a MessagePort; restarted when it stops on its own. Null when it cannot start.
 */
async function startEngine(): Promise<EngineLink | null> {
  const engine = new EngineLink({
    fork: () => utilityProcess.fork(ENGINE_ENTRY, [], { serviceName: 'Frameline engine', stdio: 'inherit' }),
    channel: () => new MessageChannelMain(),
    confirm: confirmCommand,
    print: printToPdf,
  });
  try {
    await engine.started;
    return engine;
  } catch (err) {
    const dbPath = engine.unopenedDbPath;
    dialog.showErrorBox(
      'Frameline cannot open its database',
      (err as Error).message +
        (dbPath
          ? `\n\nThe command line shows the same database: npx frameline sessions --db "${dbPath}"`
          : ''),
    );
    app.exit(1);
    return null;
  }
}

/** A shell command from a runbook step runs only once the user accepted it here, outside the page. */
async function confirmCommand(request: CommandConfirmation): Promise<boolean> {
  const options = confirmationDialog(request);
  const { response } =
    mainWindow && !mainWindow.isDestroyed()
      ? await dialog.showMessageBox(mainWindow, options)
      : await dialog.showMessageBox(options);
  return response === RUN_BUTTON;
}

/**
 * How the engine's reports become PDF in the desktop app: printed by the app's own Chromium, in a
 * hidden window with no script, no preload and no network (the report fetches nothing), then
 * closed.
 */
async function printToPdf(html: string, footerTemplate: string): Promise<Buffer> {
  const win = new BrowserWindow({
    show: false,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      javascript: false,
      webSecurity: true,
      webviewTag: false,
      // Nothing in a report is clickable; the same hardening as the console's window all the same.
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    },
  });
  try {
    await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`);
    return await win.webContents.printToPDF({
      pageSize: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate,
      margins: { top: 0.63, bottom: 0.71, left: 0.55, right: 0.55 },
    });
  } finally {
    win.destroy();
  }
}

/** A small menu: quit, editing shortcuts, zoom; reload and developer tools only in development. */
function setupMenu(): void {
  const dev: MenuItemConstructorOptions[] = isDev
    ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
    : [];
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...dev,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Quitting stops live captures cleanly (1000 close) and closes the database before the process ends. */
function setupQuit(engine: EngineLink, contract: ContractBinding): void {
  let closing = false;
  let closed = false;
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    contract.dispose();
    engine
      .close()
      .catch((err: Error) => console.error(`stopping the engine failed: ${err.message}`))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
  // Ctrl+C in the terminal that ran `npm start`, or a service manager: the same clean quit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}

/** The console window: isolated, sandboxed, no Node, no webviews; shown once painted. */
function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'Frameline',
    show: false,
    backgroundColor: '#15171c',
    webPreferences: {
      preload: PRELOAD,
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
      // Middle-click would ask for a new window; the open handler refuses it anyway.
      disableBlinkFeatures: 'Auxclick',
      devTools: isDev,
    },
  });
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  win
    .loadURL(APP_ENTRY_URL)
    .catch((err: Error) => console.error(`could not load the console: ${err.message}`));
  return win;
}
