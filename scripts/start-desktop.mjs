// npm start: opens the desktop console when the Electron binary is installed; otherwise says what
// is missing and what works without it.
//
//   node scripts/start-desktop.mjs                 prepare better-sqlite3 for Electron, then launch
//   node scripts/start-desktop.mjs --native-only   only prepare better-sqlite3 (e2e tests, after dist)
//
// better-sqlite3 is a native module, and Electron's ABI is not Node's: one .node file cannot serve
// both `npm start` and `npm test`. Rebuilding in place before each launch and back afterwards would
// leave the tests broken whenever Electron or this script dies in between, and cost two compiles per
// launch offline. Instead both builds live side by side in the package, where its loader (`bindings`)
// looks after build/Release: lib/binding/node-v<ABI>-<platform>-<arch>/better_sqlite3.node. Node
// finds the one for its ABI, Electron the one for its own, and build/Release is kept empty, because
// `bindings` would load it first in either runtime. So this script, each time:
//   1. moves a build/Release/better_sqlite3.node (left by `npm install`, `npm rebuild` or
//      electron-builder) into the slot of the ABI it was compiled for;
//   2. compiles the Electron build once, with @electron/rebuild on a scratch copy of the package
//      (never in place: a Node test starting meanwhile would load the wrong ABI), and keeps it in
//      node_modules/.cache so that a reinstall does not mean another compile.
// Nothing here runs without the Electron binary.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const nativeOnly = process.argv.includes('--native-only');

const binary = electronBinary();
if (!binary) {
  console.error(`The Electron binary is not installed on this machine (it is skipped when
ELECTRON_SKIP_BINARY_DOWNLOAD=1 or when the download is blocked), so the desktop window cannot open.

What works without it, on the same engine and database:
  npx frameline --help                      the command line (capture, sessions, show, …)
  npx frameline capture ws://host:port/path record a live endpoint
  npx frameline serve                       the same console in your browser, on 127.0.0.1

To get the desktop app, install the binary on a machine with internet access:
  npm rebuild electron   (or: node node_modules/electron/install.js)`);
  process.exit(1);
}

try {
  await prepareNativeModule();
} catch (err) {
  console.error(`Could not prepare better-sqlite3 for Electron: ${err.message}
The Electron build needs Electron's headers (downloaded once into ~/.electron-gyp), python3, make
and a C++ compiler. The command line and browser mode work meanwhile: npx frameline --help`);
  process.exit(1);
}
if (nativeOnly) process.exit(0);

if (
  !existsSync(join(root, 'dist/electron/main.js')) ||
  !existsSync(join(root, 'dist/electron/preload.cjs'))
) {
  console.error('The desktop shell is not built yet: run npm run build (npm start does it for you).');
  process.exit(1);
}
if (!existsSync(join(root, 'dist/renderer/index.html'))) {
  console.error('warning: dist/renderer/index.html is missing; the window will say so. Run npm run build.');
}

const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(binary, [root], { stdio: 'inherit', env });
// Ctrl+C reaches Electron too (same process group); it quits cleanly and we leave with its code.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** The Electron executable, or null when the package is installed without its binary. */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Puts a Node build and an Electron build of better-sqlite3 side by side (see the top of this file). */
async function prepareNativeModule() {
  const pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
  const pkgVersion = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  const electronDir = dirname(require.resolve('electron/package.json'));
  const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  const electronAbi = readElectronAbi(electronDir);
  const slot = (abi) =>
    join(pkgDir, 'lib', 'binding', `node-v${abi}-${process.platform}-${process.arch}`, 'better_sqlite3.node');
  const release = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');

  const settleRelease = () => {
    if (!existsSync(release)) return;
    const abi = compiledAbi(release);
    if (!abi)
      throw new Error(
        `cannot tell which runtime ${release} was compiled for; run npm rebuild better-sqlite3`,
      );
    moveInto(release, slot(abi));
    note(`better-sqlite3: the build for ABI ${abi} is now at ${relative(root, slot(abi))}`);
  };

  settleRelease();
  if (!existsSync(slot(process.versions.modules))) {
    note('better-sqlite3: rebuilding for Node (npm rebuild better-sqlite3)');
    const r = spawnSync('npm', ['rebuild', 'better-sqlite3'], {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    if (r.status !== 0) throw new Error('npm rebuild better-sqlite3 failed');
    settleRelease();
  }

  const target = slot(electronAbi);
  if (existsSync(target)) return;
  const cacheDir = join(root, 'node_modules', '.cache', 'frameline-native');
  const cached = join(
    cacheDir,
    `better-sqlite3-${pkgVersion}-electron-${electronVersion}-${process.platform}-${process.arch}.node`,
  );
  if (!existsSync(cached)) {
    note(
      `better-sqlite3: compiling for Electron ${electronVersion} (ABI ${electronAbi}), once; this takes a few minutes`,
    );
    const built = await buildForElectron(pkgDir, pkgVersion, electronVersion, join(cacheDir, 'scratch'));
    copyAtomically(built, cached);
  }
  copyAtomically(cached, target);
  note(`better-sqlite3: the Electron build is at ${relative(root, target)}`);
}

/** Electron's NODE_MODULE_VERSION: the package records it; node-abi knows it otherwise. */
function readElectronAbi(electronDir) {
  const file = join(electronDir, 'abi_version');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const { getAbi } = require('node-abi');
  return getAbi(JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version, 'electron');
}

/** The ABI a .node file was compiled for: ours if it loads here, else the one Node's refusal names. */
function compiledAbi(file) {
  try {
    process.dlopen({ exports: {} }, file);
    return process.versions.modules;
  } catch (err) {
    return /NODE_MODULE_VERSION (\d+)/.exec(err.message)?.[1] ?? null;
  }
}

/** Compiles better-sqlite3 for Electron in a scratch copy of the package; returns the built file. */
async function buildForElectron(pkgDir, pkgVersion, electronVersion, scratch) {
  rmSync(scratch, { recursive: true, force: true });
  const copy = join(scratch, 'node_modules', 'better-sqlite3');
  cpSync(pkgDir, copy, {
    recursive: true,
    filter: (src) => {
      const rel = relative(pkgDir, src);
      return !(rel === 'build' || rel.startsWith(`build${sep}`) || rel.startsWith(join('lib', 'binding')));
    },
  });
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({
      name: 'frameline-native-scratch',
      private: true,
      dependencies: { 'better-sqlite3': pkgVersion },
    }),
  );
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({
    buildPath: scratch,
    electronVersion,
    arch: process.arch,
    onlyModules: ['better-sqlite3'],
    force: true,
  });
  const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(built)) throw new Error(`@electron/rebuild finished without producing ${built}`);
  return built;
}

function moveInto(src, dest) {
  mkdirSync(dirname(dest), { recursive: true });
  renameSync(src, dest); // atomic: a process loading meanwhile sees the old path or the new one
}

function copyAtomically(src, dest) {
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  cpSync(src, tmp);
  renameSync(tmp, dest);
}

function note(message) {
  console.error(message);
}
