// npm start: the console, always. With the Electron binary (fetched here on first start where the
// network allows) it opens the desktop window; without it, it says so in one line and serves the
// same console in the browser (`frameline serve` on 127.0.0.1, the default database), opening the
// system browser where there is one. Ctrl+C stops either cleanly.
//
//   node scripts/start.mjs                 the desktop window, else browser mode
//   node scripts/start.mjs --browser       browser mode (also FRAMELINE_SHELL=browser)
//   node scripts/start.mjs --native-only   only prepare better-sqlite3 for Electron (e2e, dist)
//
// BROWSER=none (or FRAMELINE_NO_OPEN=1) serves without opening a browser.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { electronPackageDir, fetchElectronBinary, installedElectronBinary } from './electron-binary.mjs';
import { prepareForElectron, root } from './native-module.mjs';

const args = process.argv.slice(2);

if (args.includes('--native-only')) {
  try {
    await prepareForElectron(electronPackageDir());
    process.exit(0);
  } catch (err) {
    console.error(`Could not prepare better-sqlite3 for Electron: ${err.message}`);
    process.exit(1);
  }
}

const why = args.includes('--browser') || process.env.FRAMELINE_SHELL === 'browser' ? null : await desktop();
if (why) console.error(`Frameline: ${why}; serving the console in your browser instead (browser mode).`);
browserMode();

/** Runs the desktop app and exits with it; returns why it cannot when it cannot. */
async function desktop() {
  let binary = installedElectronBinary();
  if (!binary) {
    try {
      binary = await fetchElectronBinary();
    } catch (err) {
      return `${err.message}, so the desktop window cannot open`;
    }
  }
  try {
    await prepareForElectron(electronPackageDir());
  } catch (err) {
    return `better-sqlite3 could not be built for Electron (${err.message}; it needs Electron's headers, python3, make and a C++ compiler)`;
  }
  for (const file of [
    'dist/electron/main/main.js',
    'dist/electron/preload/preload.cjs',
    'dist/electron/engine-host/engine-process.js',
  ])
    if (!existsSync(join(root, file)))
      return `the desktop shell is not built (${file} is missing; run npm run build)`;
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [root], { stdio: 'inherit', env });
  // Ctrl+C reaches Electron too (same process group); it quits cleanly and we leave with its code.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) =>
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
  );
  process.exit(code);
}

/** `frameline serve --open` in this terminal; its Ctrl+C closes captures and the database. */
function browserMode() {
  const child = spawn(process.execPath, [join(root, 'dist/electron/cli/frameline.js'), 'serve', '--open'], {
    stdio: 'inherit',
    env: process.env,
  });
  // A terminal's Ctrl+C reaches the whole group; a signal sent to this process alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
