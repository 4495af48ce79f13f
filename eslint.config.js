// Lint rules, and the boundaries between runtimes that nobody should have to remember (each rule
// is proved by test/unit/lint/layers.test.ts, which lints small files that break it):
// - shared/ runs in both processes: no Node builtin, no ws, better-sqlite3 or electron, neither side;
// - renderer/ runs in the page: no Node builtin, nothing from electron/, no native module;
// - the engine runs under plain Node too: no electron, CLI, browser-mode host or IPC binding;
// - only electron/main.ts, preload.ts and ipc.ts import electron;
// - the command line reaches the engine only through the service (the contract, in process): it
//   imports shared/, its own files, the service, errors, paths and files of the engine (trust's
//   types), and the browser-mode host that `serve` runs;
// - the store layer (electron/engine/store/) is under the domains: they import it, never the other way.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const builtins = builtinModules.filter((m) => !m.startsWith('_'));
const nodeBuiltins = (where) => ({
  group: ['node:*', ...builtins, ...builtins.map((m) => `${m}/*`)],
  message: `${where} runs without Node: no Node builtin.`,
});
const electronModule = {
  name: 'electron',
  message: 'Only electron/main.ts, preload.ts and ipc.ts import electron.',
};
const nativeModules = (where) =>
  ['better-sqlite3', 'ws'].map((name) => ({ name, message: `${where} uses no native or socket module.` }));

/**
 * The import rule of the files `depth` folders below electron/cli/ (0: electron/cli/*.ts). A
 * relative import that leaves electron/cli/ climbs depth + 1 folders to electron/, where only the
 * service, errors, paths and files of the engine (trust.js: its types), the browser-mode host, and
 * one folder higher shared/, may be reached.
 */
const cliImports = (depth) => {
  const electron = `^(\\.\\./){${depth + 1}}`;
  return {
    files: [`electron/cli/${'*/'.repeat(depth)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronModule, { name: 'react', message: 'The command line runs without a UI.' }],
          patterns: [
            {
              regex: `${electron}(?!(engine/(service|errors|paths|files)\\.js|engine/incidents/trust\\.js|host/.+|\\.\\./shared/.+)$)`,
              message:
                'The command line goes through the service (electron/cli/engine.ts), the contract in process: it imports shared/, the service, errors, paths and files of the engine, and the browser-mode host: never a domain of the engine, never its store, nor the renderer.',
            },
            {
              regex: `${electron}engine/incidents/trust\\.js$`,
              allowTypeImports: true,
              message:
                'The command line supplies an authoriser of the shape trust.ts declares: import its types only (import type).',
            },
          ],
        },
      ],
    },
  };
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test/bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            electronModule,
            ...nativeModules('shared/'),
            { name: 'react', message: 'shared/ is UI-free.' },
          ],
          patterns: [
            nodeBuiltins('shared/'),
            { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ imports neither side.' },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts', 'electron/ipc.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronModule, { name: 'react', message: 'The engine and its shells run without a UI.' }],
          patterns: [{ group: ['**/renderer/**'], message: 'The engine never imports the renderer.' }],
        },
      ],
    },
  },
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronModule, { name: 'react', message: 'The engine runs without a UI.' }],
          patterns: [
            { group: ['**/renderer/**'], message: 'The engine never imports the renderer.' },
            {
              group: [
                '**/cli/**',
                '**/host/**',
                '**/ipc',
                '**/ipc.js',
                '**/main',
                '**/main.js',
                '**/preload.js',
              ],
              message:
                'The engine is called by its shells (CLI, browser-mode host, IPC), never the other way.',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine's rule again (a later block replaces it for these files), and one more: a folder
    // beside store/ is a domain (or the service and the context that wire them), which the store
    // layer (database, spool, writer, recovery, segments) serves and never calls.
    files: ['electron/engine/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronModule, { name: 'react', message: 'The engine runs without a UI.' }],
          patterns: [
            { group: ['**/renderer/**'], message: 'The engine never imports the renderer.' },
            {
              group: [
                '**/cli/**',
                '**/host/**',
                '**/ipc',
                '**/ipc.js',
                '**/main',
                '**/main.js',
                '**/preload.js',
              ],
              message:
                'The engine is called by its shells (CLI, browser-mode host, IPC), never the other way.',
            },
            {
              group: [
                '../*/**',
                '!../../**',
                '!../store/**',
                '../context',
                '../context.js',
                '../service',
                '../service.js',
              ],
              message:
                'The store layer is under the domains: a domain imports the store, never the other way; keep the SQL the store needs in store/.',
            },
          ],
        },
      ],
    },
  },
  // electron/cli/ and its commands/ (a deeper folder gets its rule here too).
  ...[0, 1, 2].map(cliImports),
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronModule, ...nativeModules('renderer/')],
          patterns: [
            nodeBuiltins('renderer/'),
            { group: ['**/electron/**'], message: 'The renderer talks to the engine only through the Api.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
);
