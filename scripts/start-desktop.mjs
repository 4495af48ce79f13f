// npm start: opens the desktop console when the Electron binary is installed; otherwise says what
// is missing and what works without it.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
let binary;
try {
  binary = require('electron');
} catch {
  binary = null;
}

if (!binary || !existsSync(binary)) {
  console.error(`The Electron binary is not installed on this machine (it is skipped when
ELECTRON_SKIP_BINARY_DOWNLOAD=1 or when the download is blocked), so the desktop window cannot open.

What works without it, on the same engine and database:
  npx frameline --help                      the command line (capture, sessions, show)
  npx frameline capture ws://host:port/path record a live endpoint

To get the desktop app, install the binary on a machine with internet access:
  npm rebuild electron   (or: node node_modules/electron/install.js)`);
  process.exit(1);
}

if (!existsSync(new URL('../dist/electron/main.js', import.meta.url))) {
  console.error(`Electron is installed, but the desktop window is not built yet: this version of
Frameline ships the capture engine and the command line (npx frameline --help).`);
  process.exit(1);
}

const { spawn } = await import('node:child_process');
const child = spawn(binary, ['.'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
