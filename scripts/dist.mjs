// npm run dist: the desktop packages, with the Node build of better-sqlite3 kept safe. electron-builder
// recompiles better-sqlite3 in place for Electron (npmRebuild) and can fail half-way; whatever it
// leaves in build/Release is moved to the slot of the ABI its build metadata names, and the Node
// build stays the one `npm test` and `npx frameline` load (see native-module.mjs). Publishing is off:
// packages go to release/ only. Extra arguments go to electron-builder (e.g. --linux deb).
import { spawnSync } from 'node:child_process';
import { betterSqliteDir, ensureNodeBuild, root, settleRelease } from './native-module.mjs';

const pkgDir = betterSqliteDir();
ensureNodeBuild(pkgDir);
let status;
try {
  const r = spawnSync('npx', ['electron-builder', '--publish', 'never', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  status = r.status ?? 1;
  if (status !== 0)
    console.error(`electron-builder failed (exit ${r.status ?? r.signal}); see its output above.`);
} finally {
  const settled = settleRelease(pkgDir);
  if (settled) console.error(settled);
  ensureNodeBuild(pkgDir);
}
process.exit(status);
