// Our stand-in for the `electron` module, so that the built main process runs under plain Node:
// it records what main asks of Electron (app, BrowserWindow, protocol, session, ipcMain,
// utilityProcess, MessageChannelMain, dialog, shell, Menu), and the test drives it as Electron and
// a page would (ready, IPC from a frame, navigation, permission requests, app:// fetches, dialog
// answers, an engine crash, quit) over the Node IPC channel of this process
// (test/support/electron-shell.ts). utilityProcess.fork starts a real Node process with a
// process.parentPort (parent-port.mjs), so the engine behind the contract is the real one.
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';

const calls = [];
let isReady = false;

/** Functions and cycles out, so that a call can be sent to the test. */
function plain(value) {
  const seen = new WeakSet();
  return JSON.parse(
    JSON.stringify(value ?? null, (_key, v) => {
      if (typeof v === 'function') return '[function]';
      if (v && typeof v === 'object') {
        if (seen.has(v)) return '[cycle]';
        seen.add(v);
        if (v instanceof WebContents) return `[webContents ${v.id}]`;
        if (v instanceof BrowserWindow) return `[window ${v.webContents.id}]`;
      }
      return v;
    }),
  );
}

function record(api, ...args) {
  calls.push({ api, args: plain(args), ready: isReady });
}

// ---- app ----------------------------------------------------------------------------------------

let resolveReady;
const readyPromise = new Promise((resolve) => (resolveReady = resolve));

class App extends EventEmitter {
  isPackaged = false;
  paths = {};
  setName(name) {
    record('app.setName', name);
  }
  getName() {
    return 'Frameline';
  }
  setPath(name, path) {
    record('app.setPath', name, path);
    this.paths[name] = path;
  }
  getPath(name) {
    return this.paths[name] ?? `/tmp/${name}`;
  }
  enableSandbox() {
    record('app.enableSandbox');
  }
  requestSingleInstanceLock() {
    record('app.requestSingleInstanceLock');
    return true;
  }
  isReady() {
    return isReady;
  }
  whenReady() {
    return readyPromise;
  }
  quit() {
    record('app.quit');
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.emit('quit');
    setImmediate(() => process.exit(0));
  }
  exit(code = 0) {
    record('app.exit', code);
    setImmediate(() => process.exit(code));
  }
}
export const app = new App();

// ---- windows and web contents -------------------------------------------------------------------

let nextContentsId = 1;

class Frame {
  constructor(contents, parent, url = '') {
    this.url = url;
    this.parent = parent;
    this.processId = contents.id;
    this.routingId = parent ? 1000 + nextContentsId++ : 1;
  }
}

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextContentsId++;
    this.mainFrame = new Frame(this, null);
    this.sent = [];
    this.windowOpenHandler = null;
    app.emit('web-contents-created', { preventDefault() {} }, this);
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  send(channel, ...args) {
    this.sent.push(plain([channel, ...args]));
  }
  isDestroyed() {
    return false;
  }
  /** Records what it was asked to print and answers a PDF that says which page it printed. */
  printToPDF(options) {
    record('webContents.printToPDF', options);
    return Promise.resolve(Buffer.from(`%PDF-1.7 stand-in of ${this.mainFrame.url.length} URL characters`));
  }
}

const windows = [];

export class BrowserWindow extends EventEmitter {
  static getAllWindows() {
    return [...windows];
  }
  constructor(options) {
    super();
    record('new BrowserWindow', options);
    this.options = options;
    this.webContents = new WebContents();
    this.destroyed = false;
    windows.push(this);
  }
  loadURL(url) {
    record('win.loadURL', url);
    this.webContents.mainFrame.url = url;
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  loadFile(file) {
    record('win.loadFile', file);
    return Promise.resolve();
  }
  show() {
    record('win.show');
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    record('win.destroy');
    this.destroyed = true;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
}

// ---- protocol, session, IPC, dialogs, shell, menu -------------------------------------------------

const protocolHandlers = new Map();
export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    record('protocol.registerSchemesAsPrivileged', schemes);
  },
  handle(scheme, handler) {
    record('protocol.handle', scheme);
    protocolHandlers.set(scheme, handler);
  },
};

const sessionHandlers = {};
export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler) {
      record('session.setPermissionRequestHandler');
      sessionHandlers.request = handler;
    },
    setPermissionCheckHandler(handler) {
      record('session.setPermissionCheckHandler');
      sessionHandlers.check = handler;
    },
    setDevicePermissionHandler(handler) {
      record('session.setDevicePermissionHandler');
      sessionHandlers.device = handler;
    },
    webRequest: {
      onBeforeRequest(handler) {
        record('session.webRequest.onBeforeRequest');
        sessionHandlers.beforeRequest = handler;
      },
    },
  },
};

const ipcHandlers = new Map();
const ipcListeners = new EventEmitter();
export const ipcMain = {
  handle(channel, handler) {
    record('ipcMain.handle', channel);
    ipcHandlers.set(channel, handler);
  },
  removeHandler(channel) {
    ipcHandlers.delete(channel);
  },
  on(channel, listener) {
    ipcListeners.on(channel, listener);
    return this;
  },
  removeListener(channel, listener) {
    ipcListeners.removeListener(channel, listener);
    return this;
  },
};

const dialogAnswers = [];
const dialogWaiters = [];
export const dialog = {
  showErrorBox(title, content) {
    record('dialog.showErrorBox', title, content);
  },
  showMessageBox(windowOrOptions, maybeOptions) {
    const options = maybeOptions ?? windowOrOptions;
    record('dialog.showMessageBox', options);
    // The answer the test gives (the button it clicks), now or when it comes.
    return new Promise((resolve) => {
      const answer = () => resolve({ response: dialogAnswers.shift(), checkboxChecked: false });
      if (dialogAnswers.length) answer();
      else dialogWaiters.push(answer);
    });
  },
};

export const shell = {
  openExternal(url) {
    record('shell.openExternal', url);
    return Promise.resolve();
  },
};

export const Menu = {
  buildFromTemplate(template) {
    return { template };
  },
  setApplicationMenu(menu) {
    record('Menu.setApplicationMenu', menu);
  },
};

// ---- MessagePorts and the utility process ---------------------------------------------------------

let nextPortId = 1;
const transferred = new Map();

class LocalPort extends EventEmitter {
  constructor() {
    super();
    this.other = null;
    this.started = false;
    this.queue = [];
    this.remote = null;
  }
  postMessage(data) {
    this.other?.deliver(structuredClone(data));
  }
  /** A message for this port's holder: forwarded to the utility process it was transferred to. */
  deliver(data) {
    if (this.remote) {
      if (this.remote.child.connected)
        this.remote.child.send({ kind: 'port-message', id: this.remote.id, data });
      return;
    }
    if (!this.started) this.queue.push(data);
    else setImmediate(() => this.emit('message', { data, ports: [] }));
  }
  start() {
    this.started = true;
    for (const data of this.queue.splice(0)) setImmediate(() => this.emit('message', { data, ports: [] }));
  }
  close() {
    this.closed = true;
  }
}

export class MessageChannelMain {
  constructor() {
    this.port1 = new LocalPort();
    this.port2 = new LocalPort();
    this.port1.other = this.port2;
    this.port2.other = this.port1;
  }
}

const PARENT_PORT = new URL('./parent-port.mjs', import.meta.url).href;
const utilities = [];

class UtilityProcess extends EventEmitter {
  constructor(modulePath, args, options) {
    super();
    this.child = fork(modulePath, args, {
      execArgv: ['--import', PARENT_PORT],
      serialization: 'advanced',
      env: options?.env ?? process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.pid = this.child.pid;
    this.child.on('spawn', () => this.emit('spawn'));
    this.child.on('message', (m) => {
      if (m.kind === 'port-message') transferred.get(m.id)?.other?.deliver(m.data);
      else if (m.kind === 'parent-message') this.emit('message', m.data);
    });
    this.child.on('exit', (code, signal) => {
      record('utilityProcess.exit', this.pid, code, signal);
      this.emit('exit', code ?? 1);
    });
  }
  postMessage(data, transfer = []) {
    const ids = transfer.map((port) => {
      const id = nextPortId++;
      port.remote = { child: this.child, id };
      transferred.set(id, port);
      return id;
    });
    this.child.send({ kind: 'parent-message', data, ports: ids });
  }
  kill() {
    return this.child.kill();
  }
}

export const utilityProcess = {
  fork(modulePath, args = [], options = {}) {
    record('utilityProcess.fork', modulePath, args, options);
    const child = new UtilityProcess(modulePath, args, options);
    utilities.push(child);
    return child;
  },
};

export default {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  protocol,
  session,
  shell,
  utilityProcess,
};

// ---- the test's side --------------------------------------------------------------------------------

function window0() {
  const win = windows[0];
  if (!win) throw new Error('main has not created its window yet');
  return win;
}

/** The event an IPC message from `from` carries. */
function ipcEvent(from) {
  const win = window0();
  const main = win.webContents.mainFrame;
  switch (from) {
    case 'window':
      return { sender: win.webContents, senderFrame: main };
    case 'subframe':
      return { sender: win.webContents, senderFrame: new Frame(win.webContents, main, main.url) };
    case 'other-contents': {
      const other = new WebContents();
      other.mainFrame.url = main.url;
      return { sender: other, senderFrame: other.mainFrame };
    }
    case 'foreign-page': {
      const frame = new Frame(win.webContents, null, 'https://attacker.example/');
      frame.routingId = main.routingId;
      return { sender: win.webContents, senderFrame: frame };
    }
    default:
      throw new Error(`unknown sender ${from}`);
  }
}

const ops = {
  state: () => ({
    ready: isReady,
    calls,
    windows: windows.map((w) => ({
      options: plain(w.options),
      url: w.webContents.mainFrame.url,
      sent: w.webContents.sent,
      destroyed: w.destroyed,
    })),
    ipcChannels: [...ipcHandlers.keys()],
    ipcListeners: ipcListeners.eventNames(),
    engines: utilities.map((u) => ({
      pid: u.pid,
      alive: u.child.exitCode === null && u.child.signalCode === null,
    })),
  }),
  ready: () => {
    isReady = true;
    app.emit('ready', {}, {});
    resolveReady();
    return true;
  },
  invoke: async ({ channel, payload, from = 'window' }) => {
    const handler = ipcHandlers.get(channel);
    if (!handler) throw new Error(`no ipcMain.handle for ${channel}`);
    return handler(ipcEvent(from), payload);
  },
  send: ({ channel, args = [], from = 'window' }) => {
    ipcListeners.emit(channel, ipcEvent(from), ...args);
    return true;
  },
  contentsEvent: ({ event, url }) => {
    const contents = new WebContents();
    let prevented = false;
    const ev = { url, preventDefault: () => (prevented = true) };
    contents.emit(event, ev, url);
    return { prevented };
  },
  windowOpen: ({ url }) => {
    const contents = new WebContents();
    return contents.windowOpenHandler ? contents.windowOpenHandler({ url, disposition: 'new-window' }) : null;
  },
  permission: async ({ permission }) => {
    const contents = window0().webContents;
    const requested = await new Promise((resolve) =>
      sessionHandlers.request(contents, permission, resolve, {}),
    );
    const checked = sessionHandlers.check(contents, permission, 'app://frameline', {});
    const device = sessionHandlers.device({ deviceType: 'usb', origin: 'app://frameline' });
    return { requested, checked, device };
  },
  beforeRequest: ({ url }) => new Promise((resolve) => sessionHandlers.beforeRequest({ url }, resolve)),
  fetch: async ({ url, method = 'GET' }) => {
    const handler = protocolHandlers.get(new URL(url).protocol.replace(/:$/, ''));
    if (!handler) throw new Error(`no protocol.handle for ${url}`);
    const res = await handler(new Request(url, { method }));
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  },
  answerDialog: ({ response }) => {
    dialogAnswers.push(response);
    dialogWaiters.shift()?.();
    return true;
  },
  killEngine: () => {
    const live = utilities.filter((u) => u.child.exitCode === null && u.child.signalCode === null);
    const victim = live[live.length - 1];
    if (!victim) throw new Error('no engine process is running');
    victim.child.kill('SIGKILL');
    return victim.pid;
  },
  quit: () => {
    app.quit();
    return true;
  },
};

process.on('message', (cmd) => {
  if (!cmd || typeof cmd.op !== 'string' || !(cmd.op in ops)) return;
  Promise.resolve()
    .then(() => ops[cmd.op](cmd))
    .then(
      (result) => process.send?.({ id: cmd.id, result: plain(result) }),
      (err) => process.send?.({ id: cmd.id, error: String(err?.message ?? err) }),
    );
});
// The test may stop us with the IPC channel: the app ends with it, as an app's processes do.
process.on('disconnect', () => app.quit());
