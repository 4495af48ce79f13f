// What a reviewer checks by reading the desktop shell, checked on its syntax tree: the window's
// webPreferences, the popup/navigation/permission guards, how the console is loaded, what the
// preload exposes, and that only main.ts, preload.ts and ipc.ts touch Electron at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(join(root, path), 'utf8'), ts.ScriptTarget.Latest, true);
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** Every call whose callee ends with `.name` (or is `name`). */
function calls(file: ts.SourceFile, name: string): ts.CallExpression[] {
  const found: ts.CallExpression[] = [];
  walk(file, (n) => {
    if (!ts.isCallExpression(n)) return;
    const callee = n.expression;
    const calleeName = ts.isPropertyAccessExpression(callee)
      ? callee.name.text
      : ts.isIdentifier(callee)
        ? callee.text
        : '';
    if (calleeName === name) found.push(n);
  });
  return found;
}

/** `x.on('event', handler)` calls for one event name. */
function listeners(file: ts.SourceFile, event: string): ts.CallExpression[] {
  return calls(file, 'on').filter((c) => {
    const first = c.arguments[0];
    return first !== undefined && ts.isStringLiteral(first) && first.text === event;
  });
}

function property(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of object.properties) {
    if (ts.isPropertyAssignment(p) && p.name.getText() === name) return p.initializer;
  }
  return undefined;
}

function text(node: ts.Node | undefined): string {
  // One line, and method chains that Prettier breaks over lines joined again.
  return node ? node.getText().replace(/\s+/g, ' ').replace(/ \./g, '.') : '';
}

const main = parse('electron/main.ts');
const preload = parse('electron/preload.ts');
const ipc = parse('electron/ipc.ts');

describe('the window', () => {
  const windows: ts.NewExpression[] = [];
  walk(main, (n) => {
    if (ts.isNewExpression(n) && n.expression.getText() === 'BrowserWindow') windows.push(n);
  });

  it('is created in one place', () => {
    expect(windows).toHaveLength(1);
  });

  const options = windows[0]?.arguments?.[0];
  const prefs =
    options && ts.isObjectLiteralExpression(options) ? property(options, 'webPreferences') : undefined;

  it.each([
    ['contextIsolation', 'true'],
    ['sandbox', 'true'],
    ['nodeIntegration', 'false'],
    ['nodeIntegrationInWorker', 'false'],
    ['nodeIntegrationInSubFrames', 'false'],
    ['webSecurity', 'true'],
    ['allowRunningInsecureContent', 'false'],
    ['webviewTag', 'false'],
    ['experimentalFeatures', 'false'],
  ])('sets %s: %s literally', (name, value) => {
    expect(prefs && ts.isObjectLiteralExpression(prefs)).toBe(true);
    expect(text(property(prefs as ts.ObjectLiteralExpression, name))).toBe(value);
  });

  it('uses the bundled preload, and nothing enables Node or remote content anywhere in main.ts', () => {
    expect(text(property(prefs as ts.ObjectLiteralExpression, 'preload'))).toBe('PRELOAD');
    expect(main.getText()).toMatch(/const PRELOAD = join\(here, 'preload\.cjs'\)/);
    expect(main.getText()).not.toMatch(
      /nodeIntegration\w*:\s*true|contextIsolation:\s*false|sandbox:\s*false/,
    );
    expect(main.getText()).not.toMatch(
      /webSecurity:\s*false|allowRunningInsecureContent:\s*true|webviewTag:\s*true/,
    );
  });

  it('loads the console from app://, never from a file or the network', () => {
    const loads = [...calls(main, 'loadURL'), ...calls(main, 'loadFile')];
    expect(loads.map((c) => text(c.arguments[0]))).toEqual(['APP_ENTRY_URL']);
    expect(main.getText()).not.toMatch(/['"`](https?|file):\/\//);
  });

  it('calls app.enableSandbox() for every renderer', () => {
    expect(calls(main, 'enableSandbox')).toHaveLength(1);
  });

  it('is created last: after the handlers and the contract are registered', () => {
    const start = main.statements.find(
      (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === 'start',
    );
    const body = start?.body?.getText() ?? '';
    const order = [
      'setupSessionLockdown()',
      'setupAppProtocol()',
      'bindContract(',
      'setupQuit(',
      'createWindow()',
    ];
    const positions = order.map((s) => body.indexOf(s));
    expect(
      positions.every((p) => p >= 0),
      `start() must call ${order.join(', ')}`,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe('popups, navigation and permissions', () => {
  it('denies every window.open and opens only https: links outside', () => {
    const handlers = calls(main, 'setWindowOpenHandler');
    expect(handlers).toHaveLength(1);
    const body = text(handlers[0]!.arguments[0]);
    expect(body).toContain("return { action: 'deny' }");
    expect(body).not.toContain("'allow'");
    const open = main.statements.find(
      (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === 'openExternally',
    );
    const openBody = text(open?.body);
    expect(openBody).toMatch(
      /if \(parsed\.protocol !== 'https:'\) return;.*shell\.openExternal\(parsed\.href\)/,
    );
    expect(calls(main, 'openExternal')).toHaveLength(1);
  });

  it.each(['will-navigate', 'will-redirect', 'will-attach-webview'])('prevents %s', (event) => {
    const on = listeners(main, event);
    expect(on).toHaveLength(1);
    expect(text(on[0]!.arguments[1])).toContain('event.preventDefault()');
  });

  it('applies the guards to every web contents that is created', () => {
    const created = listeners(main, 'web-contents-created');
    expect(created).toHaveLength(1);
    const body = text(created[0]!.arguments[1]);
    for (const guard of [
      'setWindowOpenHandler',
      "'will-navigate'",
      "'will-redirect'",
      "'will-attach-webview'",
    ]) {
      expect(body).toContain(guard);
    }
  });

  it('refuses every permission request and check but the clipboard write of copy buttons', () => {
    const request = calls(main, 'setPermissionRequestHandler');
    expect(request).toHaveLength(1);
    expect(text(request[0]!.arguments[0])).toMatch(
      /=> callback\(permission === 'clipboard-sanitized-write'\)$/,
    );
    const check = calls(main, 'setPermissionCheckHandler');
    expect(check).toHaveLength(1);
    expect(text(check[0]!.arguments[0])).toMatch(/=> permission === 'clipboard-sanitized-write'$/);
    const device = calls(main, 'setDevicePermissionHandler');
    expect(text(device[0]?.arguments[0])).toBe('() => false');
  });

  it('registers app:// as privileged and serves it through the path guard', () => {
    const privileged = calls(main, 'registerSchemesAsPrivileged');
    expect(privileged).toHaveLength(1);
    expect(text(privileged[0])).toMatch(/standard: true, secure: true, supportFetchAPI: true/);
    const handle = calls(main, 'handle').filter((c) => text(c.expression) === 'protocol.handle');
    expect(handle).toHaveLength(1);
    expect(text(handle[0]!.arguments[0])).toBe('APP_SCHEME');
    expect(text(handle[0]!.arguments[1])).toContain('resolveAppUrl(RENDERER_ROOT, request.url)');
    expect(text(handle[0]!.arguments[1])).toContain('responseHeaders(file)');
  });

  it('opens the database FRAMELINE_DB names (defaultDbPath) and closes it before quitting', () => {
    expect(main.getText()).toMatch(/new FramelineService\(\{ dbPath, shell: 'desktop' \}\)/);
    expect(main.getText()).toMatch(/const dbPath = defaultDbPath\(\);/);
    const quit = listeners(main, 'will-quit');
    expect(quit).toHaveLength(1);
    expect(text(quit[0]!.arguments[1])).toMatch(/event\.preventDefault\(\);.*service\.close\(\)/);
  });
});

describe('the preload', () => {
  it('exposes exactly one object, window.frameline, built from the contract', () => {
    const exposed = calls(preload, 'exposeInMainWorld');
    expect(exposed).toHaveLength(1);
    expect(text(exposed[0]!.arguments[0])).toBe("'frameline'");
    expect(text(exposed[0]!.arguments[1])).toBe('buildResultApi(invoke, subscribe)');
    expect(calls(preload, 'exposeInIsolatedWorld')).toHaveLength(0);
  });

  it('never hands ipcRenderer itself, or a raw invoke, to the page', () => {
    const source = preload.getText();
    expect(source).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(source).not.toMatch(/sendSync/);
    // invoke is used only by buildResultApi, with the channel names it derives from the contract.
    const invokes = calls(preload, 'invoke');
    expect(invokes.map((c) => text(c))).toEqual(['ipcRenderer.invoke(channel, request)']);
  });

  it('listens only to the push channel and filters by topic', () => {
    const on = calls(preload, 'on').filter((c) => text(c.expression) === 'ipcRenderer.on');
    expect(on.map((c) => text(c.arguments[0]))).toEqual(['PUSH_CHANNEL']);
    expect(text(on[0]!.arguments[1])).toContain('Object.hasOwn(topics, topic)');
  });

  it('is bundled for the sandbox: the built preload requires nothing but electron', () => {
    const built = join(root, 'dist/electron/preload.cjs');
    expect(existsSync(built), 'dist/electron/preload.cjs is missing: run npm run build').toBe(true);
    const requires = new Set(
      [...readFileSync(built, 'utf8').matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]),
    );
    expect([...requires]).toEqual(['electron']);
  });
});

describe('IPC', () => {
  it('registers every channel of the contract through one ipcMain.handle', () => {
    const handles = calls(ipc, 'handle').filter((c) => text(c.expression) === 'ipcMain.handle');
    expect(handles).toHaveLength(1);
    expect(ipc.getText()).toMatch(
      /const names = channels\(\)\.map\(\(c\) => c\.name\);\s+for \(const name of names\)/,
    );
  });

  it('answers only our window top frame on an app:// page, and refuses others with forbidden', () => {
    const source = ipc.getText();
    expect(source).toMatch(/event\.sender === win\.webContents/);
    expect(source).toMatch(/isTopFrame\(event\.senderFrame, win\.webContents\.mainFrame\)/);
    expect(source).toMatch(/frame\.parent !== null\) return false/);
    expect(source).toMatch(/isAppUrl\(frame\.url\)/);
    expect(source).toMatch(/if \(!trusted\(event\)\) return forbidden\(/);
    expect(source).toMatch(/code: 'forbidden'/);
  });

  it('uses no synchronous IPC and no other inbound channel than the ready signal', () => {
    expect(ipc.getText()).not.toMatch(/sendSync|returnValue/);
    const on = calls(ipc, 'on').filter((c) => text(c.expression) === 'ipcMain.on');
    expect(on.map((c) => text(c.arguments[0]))).toEqual(['READY_CHANNEL']);
  });
});

describe('the electron boundary', () => {
  function sources(dir: string): string[] {
    const abs = join(root, dir);
    if (!existsSync(abs)) return [];
    return readdirSync(abs, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|tsx|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts'))
      .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'));
  }

  it('only electron/main.ts, preload.ts and ipc.ts import electron', () => {
    const importers = ['electron', 'shared', 'renderer']
      .flatMap(sources)
      .filter((file) =>
        /(from\s+|import\s*\(\s*|require\(\s*)['"]electron['"]/.test(readFileSync(join(root, file), 'utf8')),
      );
    expect(importers.sort()).toEqual(['electron/ipc.ts', 'electron/main.ts', 'electron/preload.ts']);
  });

  it('keeps the app:// file logic free of electron, so it runs under plain Node', () => {
    expect(readFileSync(join(root, 'electron/shell/app-files.ts'), 'utf8')).not.toMatch(/['"]electron['"]/);
  });
});
