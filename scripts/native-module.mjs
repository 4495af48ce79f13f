// better-sqlite3 is a native module, and Electron's ABI is not Node's: one .node file cannot serve
// both `npm start` (Electron) and `npm test` / `npx frameline` (Node). Rebuilding in place before
// each launch and back afterwards would leave the tests broken whenever Electron, electron-builder
// or this script dies in between. Instead both builds live side by side in the package, where its
// loader (`bindings`) looks after build/Release: lib/binding/node-v<ABI>-<platform>-<arch>/
// better_sqlite3.node. Node finds the one for its ABI, Electron the one for its own, and
// build/Release is kept empty, because `bindings` would load it first in either runtime.
//
// Which ABI a build in build/Release is for is read from the build's own metadata: node-gyp writes
// the headers' `node_module_version` into build/config.gypi when it configures that build (Node's
// headers say Node's, Electron's say Electron's). A build whose metadata is missing is not kept.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** The installed better-sqlite3 package folder. */
export function betterSqliteDir() {
  return dirname(require.resolve('better-sqlite3/package.json'));
}

/** Where `bindings` finds the build for one ABI. */
export function slot(pkgDir, abi, platform = process.platform, arch = process.arch) {
  return join(pkgDir, 'lib', 'binding', `node-v${abi}-${platform}-${arch}`, 'better_sqlite3.node');
}

/** The NODE_MODULE_VERSION the build in build/Release was configured for, or null when unknown. */
export function builtAbi(pkgDir) {
  const config = join(pkgDir, 'build', 'config.gypi');
  if (!existsSync(config)) return null;
  const m = /"node_module_version"\s*:\s*"?(\d+)"?/.exec(readFileSync(config, 'utf8'));
  return m ? m[1] : null;
}

/**
 * Moves a build left in build/Release (by `npm install`, `npm rebuild` or electron-builder) into
 * the slot of the ABI its metadata names; one without metadata is removed (it can be rebuilt).
 * Returns what happened, for the caller to say.
 */
export function settleRelease(pkgDir) {
  const release = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(release)) return null;
  const abi = builtAbi(pkgDir);
  if (!abi) {
    rmSync(release, { force: true });
    return `removed ${release}: its build metadata (build/config.gypi) is missing, so its ABI is unknown`;
  }
  const dest = slot(pkgDir, abi);
  mkdirSync(dirname(dest), { recursive: true });
  renameSync(release, dest); // atomic: a process loading meanwhile sees the old path or the new one
  return `better-sqlite3: the build for ABI ${abi} is now at ${relative(root, dest)}`;
}

/** Puts the Node build in its slot, rebuilding it (npm rebuild better-sqlite3) when it is missing. */
export function ensureNodeBuild(pkgDir = betterSqliteDir(), log = note) {
  const settled = settleRelease(pkgDir);
  if (settled) log(settled);
  if (existsSync(slot(pkgDir, process.versions.modules))) return;
  log('better-sqlite3: rebuilding for Node (npm rebuild better-sqlite3)');
  const r = spawnSync('npm', ['rebuild', 'better-sqlite3'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) throw new Error('npm rebuild better-sqlite3 failed');
  const again = settleRelease(pkgDir);
  if (again) log(again);
  if (!existsSync(slot(pkgDir, process.versions.modules)))
    throw new Error(
      `npm rebuild better-sqlite3 did not produce a build for Node's ABI ${process.versions.modules}`,
    );
}

/** Electron's NODE_MODULE_VERSION, as its package records it (abi_version), else node-abi's table. */
export function electronAbi(electronDir) {
  const file = join(electronDir, 'abi_version');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const { getAbi } = require('node-abi');
  return getAbi(JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version, 'electron');
}

/**
 * Both builds side by side: the Node one, and the Electron one compiled once (with
 * @electron/rebuild on a scratch copy of the package, never in place, so that a Node test starting
 * meanwhile never loads the wrong ABI) and kept in node_modules/.cache so that a reinstall does not
 * mean another compile.
 */
export async function prepareForElectron(electronDir, log = note) {
  const pkgDir = betterSqliteDir();
  ensureNodeBuild(pkgDir, log);
  const pkgVersion = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  const abi = electronAbi(electronDir);
  const target = slot(pkgDir, abi);
  if (existsSync(target)) return;
  const cacheDir = join(root, 'node_modules', '.cache', 'frameline-native');
  const cached = join(
    cacheDir,
    `better-sqlite3-${pkgVersion}-electron-${electronVersion}-${process.platform}-${process.arch}.node`,
  );
  if (!existsSync(cached)) {
    log(
      `better-sqlite3: compiling for Electron ${electronVersion} (ABI ${abi}), once; this takes a few minutes`,
    );
    const built = await buildForElectron(pkgDir, pkgVersion, electronVersion, abi, join(cacheDir, 'scratch'));
    copyAtomically(built, cached);
  }
  copyAtomically(cached, target);
  log(`better-sqlite3: the Electron build is at ${relative(root, target)}`);
}

async function buildForElectron(pkgDir, pkgVersion, electronVersion, abi, scratch) {
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
  // Node's own headers (an npmrc nodedir) would make this a Node build under an Electron name.
  const got = builtAbi(copy);
  if (got !== abi)
    throw new Error(
      `the build came out for ABI ${got ?? 'unknown'}, not Electron's ${abi}: node-gyp used other headers (check nodedir in your npmrc)`,
    );
  return built;
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
