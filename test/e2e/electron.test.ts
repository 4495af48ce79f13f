// The desktop journey through Playwright's Electron driver: the real app on a temporary database,
// loaded over app://, with exactly the contract on window.frameline and nothing of Node. Where the
// Electron binary is not installed (offline machines, CI) it reports skipped; the shell's behaviour
// is tested without it (test/integration/security/electron-shell.test.ts) and the same console is
// driven in Chromium through browser mode by the other e2e specs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron } from 'playwright-core';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../shared/contract.js';
import { APP_ENTRY_URL } from '../../electron/main/app-files.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/serving/console-security.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SKIP_REASON = 'Electron binary not installed (npm start fetches it where the network allows)';

/**
 * The Electron executable when it is installed, else null. Never require('electron') for this:
 * since Electron 42 that downloads the binary on the spot.
 */
function electronBinary(): string | null {
  const dir = join(root, 'node_modules', 'electron');
  try {
    const binary = join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const title = (name: string) => (binary ? name : `${name} — skipped: ${SKIP_REASON}`);

type Bridge = Record<string, unknown>;

describe.skipIf(!binary)(title('desktop app'), () => {
  let work: string;
  let dbPath: string;
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    // better-sqlite3 built for Electron's ABI, beside the Node build (see scripts/native-module.mjs).
    const native = spawnSync(process.execPath, ['scripts/start.mjs', '--native-only'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 15 * 60_000,
    });
    if (native.status !== 0)
      throw new Error(`preparing better-sqlite3 for Electron failed:\n${native.stderr}`);

    work = mkdtempSync(join(tmpdir(), 'frameline-electron-'));
    dbPath = join(work, 'frameline.db');
    // Its own database and user-data folder: nothing shared with a running copy or another test.
    const env: Record<string, string> = { FRAMELINE_DB: dbPath, XDG_CONFIG_HOME: join(work, 'config') };
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE' && !(key in env)) env[key] = value;
    }
    app = await _electron.launch({ executablePath: binary!, args: [root], env, timeout: 60_000 });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 16 * 60_000);

  afterAll(async () => {
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('loads the console over app://', () => {
    expect(page.url()).toBe(APP_ENTRY_URL);
  });

  it('serves it with the strict CSP', async () => {
    const csp = await page.evaluate(async () =>
      (await fetch('/index.html')).headers.get('content-security-policy'),
    );
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers 404 outside the renderer build, whatever the path says', async () => {
    const statuses = await page.evaluate(async () =>
      Promise.all(
        ['/../../package.json', '/%2e%2e/%2e%2e/package.json', '/nope.js'].map(
          async (p) => (await fetch(p)).status,
        ),
      ),
    );
    expect(statuses).toEqual([404, 404, 404]);
  });

  it('exposes exactly the contract as window.frameline, and no Node', async () => {
    const seen = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const api = (w.frameline ?? {}) as Record<string, Bridge | unknown>;
      const domains: Record<string, string[]> = {};
      for (const [key, value] of Object.entries(api)) {
        domains[key] =
          typeof value === 'object' && value !== null ? Object.keys(value).sort() : [typeof value];
      }
      return {
        domains,
        require: typeof w.require,
        process: typeof w.process,
        module: typeof w.module,
        electron: typeof w.electron,
        ipcRenderer: typeof w.ipcRenderer,
      };
    });
    const expected: Record<string, string[]> = { on: ['function'] };
    for (const [domain, verbs] of Object.entries(contract)) expected[domain] = Object.keys(verbs).sort();
    expect(seen.domains).toEqual(expected);
    expect(seen).toMatchObject({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      electron: 'undefined',
      ipcRenderer: 'undefined',
    });
  });

  it('reaches the engine on the database FRAMELINE_DB names', async () => {
    // The bridge answers Results ({ ok, value }): an error's code would not survive contextBridge.
    const info = await page.evaluate(() =>
      (window as unknown as { frameline: { app: { info(r: object): Promise<unknown> } } }).frameline.app.info(
        {},
      ),
    );
    expect(info).toMatchObject({ ok: true, value: { dbPath, shell: 'desktop' } });
    expect(existsSync(dbPath)).toBe(true);
  });

  it('blocks window.open', async () => {
    // Not https, so the deny does not hand it to the system browser either.
    const opened = await page.evaluate(() => window.open('app://frameline/index.html') === null);
    expect(opened).toBe(true);
    expect(app.windows()).toHaveLength(1);
  });
});
