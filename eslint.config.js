// Lint rules, and the boundaries between runtimes that nobody should have to remember (each rule
// is proved by test/unit/lint/layers.test.ts, which lints small files that break it):
// - shared/ runs in both processes: no Node builtin, no ws, better-sqlite3 or electron, neither side;
// - renderer/ runs in the page: no Node builtin, nothing from electron/, no native module;
// - the engine runs under plain Node too: no electron, and no code of the processes that host it;
// - each process has its folder (main/, preload/, engine-host/, browser-host/, cli/) and imports no
//   other process's code; serving/ is how main and browser mode both serve the console;
// - only electron/main/main.ts, main/ipc.ts and the preload import electron;
// - the main process runs no engine code (the engine runs in engine-host/): engine types only;
// - the preload imports only electron and the contract's names (types of the contract);
// - the engine's process reaches the engine through its service and the ports a host supplies;
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
  message: 'Only electron/main/main.ts, main/ipc.ts and the preload import electron.',
};
const nativeModules = (where) =>
  ['better-sqlite3', 'ws'].map((name) => ({ name, message: `${where} uses no native or socket module.` }));
/** The folders of the processes that host the engine (and serving/, which two of them share). */
const hosts = ['main', 'preload', 'engine-host', 'browser-host', 'cli', 'serving'];
const folders = (names) => names.map((name) => `**/${name}/**`);
/** A process's folder imports nothing of the other processes'. */
const otherProcesses = (own, allowed = []) => ({
  group: folders(hosts.filter((h) => h !== own && !allowed.includes(h))),
  message: `electron/${own}/ is one process's code: it imports nothing of another process (${hosts
    .filter((h) => h !== own && !allowed.includes(h))
    .join(', ')}).`,
});
const engineCalledByShells = {
  group: folders(hosts),
  message:
    'The engine is called by its shells (its process in engine-host/, the CLI, the browser-mode host), never the other way.',
};
/**
 * The main process: the window, app://, dialogs and IPC. The engine runs in a process of its own, so
 * main imports only the engine's types (and engine-host's protocol, which is types only); only
 * main.ts and ipc.ts touch Electron, so the rest of main runs under plain Node in the unit tests.
 */
const mainImports = (withElectron) => [
  'error',
  {
    paths: [
      ...(withElectron
        ? []
        : [{ name: 'electron', message: 'In electron/main/, only main.ts and ipc.ts import electron.' }]),
      { name: 'react', message: 'The main process runs without a UI.' },
    ],
    patterns: [
      { group: ['**/renderer/**'], message: 'The main process talks to the page only through IPC.' },
      {
        group: ['**/engine/**'],
        allowTypeImports: true,
        message:
          "The main process runs no engine code (the engine runs in its own process, electron/engine-host/): import the engine's types only.",
      },
      {
        group: ['**/engine-host/**', '!**/engine-host/engine-protocol.js'],
        message:
          "Main starts the engine's process (utilityProcess.fork); it imports only its protocol (engine-host/engine-protocol.ts).",
      },
      otherProcesses('main', ['engine-host', 'serving']),
    ],
  },
];

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
              regex: `${electron}(?!(engine/(service|errors|paths|files)\\.js|engine/incidents/trust\\.js|browser-host/.+|\\.\\./shared/.+)$)`,
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
    ignores: ['electron/main/**', 'electron/preload/**'],
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
            engineCalledByShells,
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
            engineCalledByShells,
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
    files: ['electron/main/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': mainImports(false) },
  },
  {
    files: ['electron/main/main.ts', 'electron/main/ipc.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': mainImports(true) },
  },
  {
    // The preload runs sandboxed and is bundled alone (scripts/build-preload.mjs, which refuses
    // anything else too): electron, the contract's names as data, and the contract's types.
    files: ['electron/preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!electron$|(\\.\\./)+shared/contract(-names)?\\.js$)',
              message:
                "The preload imports only electron and the contract's names (shared/contract-names.ts).",
            },
            {
              group: ['**/shared/contract.js'],
              allowTypeImports: true,
              message:
                "The preload carries no schemas: the contract's types only (import type); its names are in shared/contract-names.ts.",
            },
          ],
        },
      ],
    },
  },
  {
    // The engine's own process: the service, and the ports a host supplies to it (the authoriser,
    // the printer, where the database is).
    files: ['electron/engine-host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronModule, { name: 'react', message: "The engine's process runs without a UI." }],
          patterns: [
            { group: ['**/renderer/**'], message: "The engine's process never imports the renderer." },
            {
              regex: '(^|/)engine/(?!(service|paths|incidents/trust|reports/pdf)\\.js$)',
              message:
                "The engine's process reaches the engine through its service and the ports a host supplies (incidents/trust.ts, reports/pdf.ts, paths.ts), never a domain or the store directly.",
            },
            otherProcesses('engine-host'),
          ],
        },
      ],
    },
  },
  {
    files: ['electron/browser-host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronModule, { name: 'react', message: 'The browser-mode host runs without a UI.' }],
          patterns: [
            {
              group: ['**/renderer/**'],
              message: 'The browser-mode host serves the renderer, never imports it.',
            },
            otherProcesses('browser-host', ['serving']),
          ],
        },
      ],
    },
  },
  {
    files: ['electron/serving/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronModule, { name: 'react', message: 'Serving the console runs without a UI.' }],
          patterns: [
            { group: ['**/renderer/**'], message: 'Serving the console never imports the renderer.' },
            {
              regex: '(^|/)engine/(?!reports/report-style\\.js$)',
              message:
                "Serving the console needs of the engine only the report's stylesheet (its hash is in the console's CSP).",
            },
            otherProcesses('serving'),
          ],
        },
      ],
    },
  },
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
