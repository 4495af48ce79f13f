// `npm start` as a new user runs it, on a machine that cannot download the Electron binary: in a
// checkout of its own (this repository's sources, its node_modules linked), with a fresh HOME and
// XDG folders so that it uses a new default database (electron/engine/paths.ts). It builds, says in
// one line that the desktop window cannot open, serves browser mode on 127.0.0.1 and prints the URL
// with its token; Chromium loads that URL and sees the console; Ctrl+C (SIGINT to the process
// group, as a terminal sends it) stops every process it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const electronInstalled = (() => {
  const dir = join(root, 'node_modules', 'electron');
  try {
    return existsSync(join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim()));
  } catch {
    return false;
  }
})();

/** A port nothing listens on: the Electron download fails at once, online or not. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(browserMissing())('npm start without the Electron binary', () => {
  let work: string;
  let checkout: string;
  let home: string;
  let npm: ChildProcess;
  let output = '';
  let exited: Promise<number | null>;
  let browser: Browser | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'frameline-npm-start-'));
    checkout = join(work, 'frameline');
    home = join(work, 'home');
    mkdirSync(home);
    // Its own checkout, so that its build never replaces the dist/ other tests are using; with the
    // last build's output and timestamps, as a user who built before has it (tsc -b is then quick).
    cpSync(root, checkout, {
      recursive: true,
      preserveTimestamps: true,
      filter: (src) => {
        const rel = relative(root, src).split('\\').join('/');
        return !/^(node_modules|release|\.git|test-results)(\/|$)/.test(rel);
      },
    });
    symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'), 'dir');

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      electron_config_cache: join(home, '.cache', 'electron'),
      ELECTRON_MIRROR: `http://127.0.0.1:${await closedPort()}/`,
      // No system browser in a test; the URL is opened by Chromium below.
      BROWSER: 'none',
    };
    delete env.FRAMELINE_DB;
    delete env.ELECTRON_RUN_AS_NODE;
    // Where the binary is installed (a laptop), npm start would rightly open the window instead.
    if (electronInstalled) env.FRAMELINE_SHELL = 'browser';
    npm = spawn('npm', ['start'], { cwd: checkout, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    npm.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    exited = new Promise((resolve) => npm.once('exit', (code) => resolve(code)));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (npm?.pid && groupAlive(npm.pid)) process.kill(-npm.pid, 'SIGKILL');
    await exited;
    if (work) rmSync(work, { recursive: true, force: true });
  });

  let url: string;

  it('says in one line why there is no window, then prints the browser-mode URL with its token', async () => {
    const deadline = Date.now() + 180_000;
    const printed = () => /Frameline console: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output)?.[1];
    // The URL, then the line saying no browser is opened: two writes, which may arrive apart.
    const browserNote = /not opening a browser \(BROWSER=none/;
    while (!printed() || !browserNote.test(output)) {
      if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start printed no URL and browser note:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    url = printed()!;
    if (!electronInstalled)
      expect(output).toMatch(
        /^Frameline: the Electron binary could not be downloaded \(.+\), so the desktop window cannot open; serving the console in your browser instead \(browser mode\)\.$/m,
      );
    expect(output).toMatch(browserNote);
  }, 200_000);

  it('serves the console, on the default database, to Chromium', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(url);
    const status = page.getByRole('status');
    await status.getByText('Engine connected (browser mode)').waitFor({ timeout: 30_000 });
    const dbPath = join(home, '.config', 'Frameline', 'frameline.db');
    // The engine names its shell and its database in the same answer: both are on the line together.
    expect(await status.textContent()).toContain(`Database ${dbPath}`);
    expect(existsSync(dbPath)).toBe(true);
    await page.close();
  }, 60_000);

  it('stops cleanly on Ctrl+C, with every process it started', async () => {
    process.kill(-npm.pid!, 'SIGINT');
    const timer = setTimeout(() => process.kill(-npm.pid!, 'SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    expect(output).toContain('stopping: closing live captures cleanly');
    const deadline = Date.now() + 10_000;
    while (groupAlive(npm.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(groupAlive(npm.pid!), `processes of npm start are left:\n${output}`).toBe(false);
  }, 60_000);
});
