// Bundles the preload into one CommonJS file: a sandboxed preload cannot load npm modules or ES
// modules at run time, only require('electron'), so the contract (and zod) are inlined.
import { build } from 'esbuild';

await build({
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'chrome120',
  external: ['electron'],
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
