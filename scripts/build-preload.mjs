// Bundles the preload into one CommonJS file: a sandboxed preload cannot load npm modules or ES
// modules at run time, only require('electron'). It needs the contract's names, not its schemas:
// shared/contract-names.ts is replaced in the bundle by what it exports (the channel and topic lists,
// the IPC channels of pushes), computed here from the compiled contract (tsc -b runs before this
// script), so that zod stays out of the preload. Anything else the preload would pull in fails the
// build, which says what. Main loads the bundle from dist/electron/preload/preload.cjs.
import { build } from 'esbuild';

const ENTRY = 'electron/preload/preload.ts';
const NAMES = 'shared/contract-names.ts';
const names = await import('../dist/shared/contract-names.js');

/** Resolves the names module to its exports as plain data. */
const contractNames = {
  name: 'contract-names',
  setup(b) {
    b.onResolve({ filter: /(^|\/)contract-names\.js$/ }, () => ({
      path: NAMES,
      namespace: 'contract-names',
    }));
    b.onLoad({ filter: /.*/, namespace: 'contract-names' }, () => ({
      contents: Object.entries(names)
        .map(([name, value]) => `export const ${name} = ${JSON.stringify(value)};\n`)
        .join(''),
      loader: 'js',
    }));
  },
};

const { metafile } = await build({
  entryPoints: [ENTRY],
  outfile: 'dist/electron/preload/preload.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'chrome120',
  external: ['electron'],
  plugins: [contractNames],
  metafile: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});

const extra = Object.keys(metafile.inputs).filter((f) => f !== ENTRY && !f.endsWith(NAMES));
if (extra.length > 0) {
  const named =
    extra.slice(0, 3).join(', ') + (extra.length > 3 ? ` and ${extra.length - 3} more files` : '');
  console.error(
    `build-preload: the preload bundles ${named}; it may use only 'electron', the contract's names (shared/contract-names.ts) and type-only imports`,
  );
  process.exit(1);
}
