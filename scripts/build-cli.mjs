// Bundles the command line so that it starts like one: Node loading some 160 small files (zod's
// alone are 95) for `frameline sessions` took longer than the command's work. The bundle is made
// from tsc's output (tsc -b runs before this script): dist/electron/cli/main.js and what it imports,
// in chunks, each command's code in its own, loaded when that command runs. `frameline` itself
// (package.json bin) is a two-line file that imports the bundle.
//
// Native modules, and what is loaded only if installed, stay outside and are found in node_modules
// as before. Files that the engine finds next to its own module (the migrations, the writer's worker,
// the console's files for `serve`) are found there still: each module's `import.meta.url` is made the
// URL of its place in dist/, so that the bundle uses the files tsc and copy-assets put there.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const CLI = 'dist/electron/cli';
const OUT = `${CLI}/bundle`;

/** Loaded by Node from node_modules at run time: native code, or optional and maybe not installed. */
const EXTERNAL = [
  'better-sqlite3',
  'bufferutil',
  'utf-8-validate',
  'kerberos',
  'supports-color',
  'playwright-core',
  'electron',
];

/**
 * `import { z } from 'zod'` names zod's namespace as one object, which keeps all of zod (its 40
 * locales too); `import * as z` lets the bundler keep only the schemas the contract builds. The
 * sources keep the first form, which the console's bundler shakes as well.
 */
const ZOD_IMPORT = /^import \{ z \} from 'zod';$/m;

/** Each module's `import.meta.url` becomes the URL of its file in dist/; zod is imported to be shaken. */
const fromDist = {
  name: 'from-dist',
  setup(b) {
    b.onLoad({ filter: /\.m?js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url') && !ZOD_IMPORT.test(text)) return undefined;
      const place = relative(resolve(OUT), args.path).split('\\').join('/');
      const contents = text
        .replaceAll('import.meta.url', `new URL(${JSON.stringify(place)}, import.meta.url).href`)
        .replace(ZOD_IMPORT, "import * as z from 'zod';");
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: [`${CLI}/main.js`],
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: '[name]-[hash]',
  external: EXTERNAL,
  // Bundled CommonJS (ws, debug) calls require() for Node's own modules; an ES module has none.
  banner: {
    js: "import { createRequire as __cliRequire } from 'node:module';\nconst require = __cliRequire(import.meta.url);",
  },
  // Whitespace and syntax only: names stay, so that a stack trace from the bundle still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  plugins: [fromDist],
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// Shaken or not, every zod file is an input; a locale other than English in the output says it failed.
const locales = Object.values(metafile.outputs).flatMap((o) =>
  Object.entries(o.inputs)
    .filter(([f, i]) => i.bytesInOutput > 0 && /node_modules\/zod\/.*locales\/(?!en\.js)/.test(f))
    .map(([f]) => f),
);
if (locales.length > 0) {
  console.error(
    `build-cli: the bundle holds all of zod (${locales[0]} and ${locales.length - 1} more locales); some module imports zod in a form other than "import { z } from 'zod'" or "import * as z from 'zod'"`,
  );
  process.exit(1);
}

writeFileSync(`${CLI}/frameline.js`, "#!/usr/bin/env node\nimport './bundle/main.js';\n");
chmodSync(`${CLI}/frameline.js`, 0o755);
