// The Electron binary: whether it is installed, and fetching it with progress. Since Electron 42
// the `electron` package has no install script (so `npm install` succeeds offline, with npm 10 as
// with 11); the binary comes on first use. We fetch it here, on `npm start`, rather than through
// require('electron'), which would download silently and throw when it cannot.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
/** A download that moves no byte for this long is given up. */
const STALL_MS = 30_000;

/** The installed `electron` package folder, or null. */
export function electronPackageDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The Electron executable when it is installed, else null; never downloads. */
export function installedElectronBinary() {
  const dir = electronPackageDir();
  if (!dir) return null;
  try {
    const relativePath = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist');
    const binary = join(distDir, relativePath);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/**
 * Downloads the binary of the installed Electron version (into Electron's own cache, with progress
 * on stderr), then lets the package's install.js unpack it from that cache. Resolves to the
 * executable; rejects with one sentence when it cannot (offline, a proxy, a mirror).
 */
export async function fetchElectronBinary(log = (line) => process.stderr.write(line)) {
  const dir = electronPackageDir();
  if (!dir) throw new Error('the electron package is not installed (run npm install)');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const get = await import(
    pathToFileURL(createRequire(join(dir, 'package.json')).resolve('@electron/get')).href
  );
  const controller = new AbortController();
  let stall = setTimeout(() => controller.abort(), STALL_MS);
  const tty = process.stderr.isTTY;
  let shown = -1;
  const progress = ({ percent, transferred, total }) => {
    clearTimeout(stall);
    stall = setTimeout(() => controller.abort(), STALL_MS);
    const pct = Math.floor(percent * 100);
    if (pct === shown || (!tty && pct % 10 !== 0)) return;
    shown = pct;
    const mb = (n) => (n / 1e6).toFixed(0);
    const size = total ? ` (${mb(transferred)} of ${mb(total)} MB)` : '';
    log(`${tty ? '\r' : ''}Downloading Electron ${version}: ${pct}%${size}${tty ? '' : '\n'}`);
  };
  log(`Fetching the Electron ${version} binary for the desktop window (once)…\n`);
  try {
    await get.downloadArtifact({
      version,
      artifactName: 'electron',
      platform: process.env.ELECTRON_INSTALL_PLATFORM || process.env.npm_config_platform || process.platform,
      arch: process.env.ELECTRON_INSTALL_ARCH || process.env.npm_config_arch || process.arch,
      cacheRoot: process.env.electron_config_cache,
      checksums:
        process.env.electron_use_remote_checksums || process.env.npm_config_electron_use_remote_checksums
          ? undefined
          : require(join(dir, 'checksums.json')),
      downloadOptions: { quiet: true, getProgressCallback: progress, signal: controller.signal },
    });
  } catch (err) {
    const reason = controller.signal.aborted
      ? `no data for ${STALL_MS / 1000} s`
      : err.cause?.code
        ? `network error ${err.cause.code}`
        : (err.cause?.message ?? err.message);
    throw new Error(`the Electron binary could not be downloaded (${reason})`, { cause: err });
  } finally {
    clearTimeout(stall);
    if (tty && shown >= 0) log('\n');
  }
  // Electron's own installer unpacks it (from the cache just filled) and records its path.
  const unpack = spawnSync(process.execPath, [join(dir, 'install.js')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const binary = installedElectronBinary();
  if (unpack.status !== 0 || !binary)
    throw new Error(
      `the Electron binary was downloaded but could not be unpacked: ${unpack.stderr.trim().split('\n').pop()}`,
    );
  return binary;
}
