// Bundles the preload into one CommonJS file: a sandboxed preload cannot load npm modules or ES
// modules at run time, only require('electron'). It needs the contract's names, not its schemas:
// shared/contract-names.ts is replaced in the bundle by the two lists it exports, computed here from
// the compiled contract (tsc -b runs before this script), so that zod stays out of the preload.
// Anything else the preload would pull in fails the build, which says what.
import { build } from 'esbuild';

const NAMES = 'shared/contract-names.ts';
const { channelNames, topicNames } = await import('../dist/shared/contract-names.js');

/** Resolves the names module to its lists as plain data. */
const contractNames = {
  name: 'contract-names',
  setup(b) {
    b.onResolve({ filter: /(^|\/)contract-names\.js$/ }, () => ({
      path: NAMES,
      namespace: 'contract-names',
    }));
    b.onLoad({ filter: /.*/, namespace: 'contract-names' }, () => ({
      contents:
        `export const channelNames = ${JSON.stringify(channelNames)};\n` +
        `export const topicNames = ${JSON.stringify(topicNames)};\n`,
      loader: 'js',
    }));
  },
};

const { metafile } = await build({
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
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

const extra = Object.keys(metafile.inputs).filter((f) => f !== 'electron/preload.ts' && !f.endsWith(NAMES));
if (extra.length > 0) {
  const named =
    extra.slice(0, 3).join(', ') + (extra.length > 3 ? ` and ${extra.length - 3} more files` : '');
  console.error(
    `build-preload: the preload bundles ${named}; it may use only 'electron', the contract's names (shared/contract-names.ts) and type-only imports`,
  );
  process.exit(1);
}
