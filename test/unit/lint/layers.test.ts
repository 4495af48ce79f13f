// Each layer rule of eslint.config.js fires on a small file that breaks it, and stays quiet on one
// that keeps it: the boundaries are enforced, not just written down.
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: process.cwd() });
});

/** The messages of the import rule for `code` placed at `filePath`. */
async function importProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['shared/x.ts', "import { readFileSync } from 'node:fs';", /no Node builtin/],
    ['shared/x.ts', "import { readFileSync } from 'fs';", /no Node builtin/],
    ['shared/x.ts', "import WebSocket from 'ws';", /no native or socket module/],
    ['shared/x.ts', "import Database from 'better-sqlite3';", /no native or socket module/],
    ['shared/x.ts', "import { app } from 'electron';", /Only electron\/main.ts/],
    [
      'shared/x.ts',
      "import { FramelineService } from '../electron/engine/service.js';",
      /imports neither side/,
    ],
    ['renderer/x.ts', "import { join } from 'node:path';", /no Node builtin/],
    [
      'renderer/x.tsx',
      "import { FramelineService } from '../electron/engine/service.js';",
      /only through the Api/,
    ],
    ['renderer/x.ts', "import Database from 'better-sqlite3';", /no native or socket module/],
    ['renderer/x.ts', "import { ipcRenderer } from 'electron';", /Only electron\/main.ts/],
    ['electron/engine/x.ts', "import { app } from 'electron';", /Only electron\/main.ts/],
    [
      'electron/engine/sessions/x.ts',
      "import { run } from '../../cli/commands/capture.js';",
      /called by its shells/,
    ],
    ['electron/engine/x.ts', "import { startHost } from '../host/server.js';", /called by its shells/],
    ['electron/engine/x.ts', "import { bindContract } from '../ipc.js';", /called by its shells/],
    [
      'electron/cli/commands/x.ts',
      "import { openStore } from '../../engine/store/database.js';",
      /never its store/,
    ],
    [
      'electron/cli/commands/x.ts',
      "import { getSession } from '../../engine/sessions/session-store.js';",
      /never its store/,
    ],
    [
      'electron/cli/commands/x.ts',
      "import { Capture } from '../../engine/capture/capture.js';",
      /goes through the service/,
    ],
    [
      'electron/cli/x.ts',
      "import { prepareCapture } from '../engine/capture/options.js';",
      /goes through the service/,
    ],
    [
      'electron/cli/commands/x.ts',
      "import { listSessions } from '../../engine/sessions/sessions.js';",
      /goes through the service/,
    ],
    [
      'electron/cli/commands/x.ts',
      "import { openEngine } from '../../engine/context.js';",
      /goes through the service/,
    ],
    ['electron/cli/x.ts', "import { bindContract } from '../ipc.js';", /goes through the service/],
    [
      'electron/cli/commands/x.ts',
      "import { buildApi } from '../../../renderer/api/x.js';",
      /nor the renderer/,
    ],
    [
      'electron/cli/x.ts',
      "import { ConfirmationNeededError } from '../engine/incidents/trust.js';",
      /its types only/,
    ],
    ['electron/cli/x.ts', "import { app } from 'electron';", /Only electron\/main.ts/],
    [
      'electron/engine/store/x.ts',
      "import { createSession } from '../sessions/session-store.js';",
      /The store layer is under the domains/,
    ],
    ['electron/engine/store/x.ts', "import { runProbe } from '../diagnose/probe.js';", /under the domains/],
    [
      'electron/engine/store/x.ts',
      "import type { EngineContext } from '../context.js';",
      /under the domains/,
    ],
    [
      'electron/engine/store/x.ts',
      "import { run } from '../../cli/commands/capture.js';",
      /called by its shells/,
    ],
    ['electron/engine/store/x.ts', "import { app } from 'electron';", /Only electron\/main.ts/],
    ['electron/host/x.ts', "import { app } from 'electron';", /Only electron\/main.ts/],
    ['electron/shell/x.ts', "import { app } from 'electron';", /Only electron\/main.ts/],
  ])('%s: %s is refused', async (file, code, message) => {
    const problems = await importProblems(file, code);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it.each([
    ['shared/x.ts', "import { z } from 'zod';"],
    ['renderer/x.ts', "import { buildApi } from '../shared/contract';"],
    ['electron/engine/x.ts', "import Database from 'better-sqlite3';"],
    ['electron/engine/store/x.ts', "import { nowMicros } from '../clock.js';"],
    ['electron/engine/store/x.ts', "import type { Headers } from '../../../shared/contract.js';"],
    ['electron/engine/store/x.ts', "import { openStore } from './database.js';"],
    ['electron/engine/sessions/x.ts', "import { openStore } from '../store/database.js';"],
    ['electron/cli/commands/x.ts', "import { FramelineService } from '../../engine/service.js';"],
    ['electron/cli/commands/x.ts', "import { InputError } from '../../engine/errors.js';"],
    ['electron/cli/x.ts', "import { defaultDbPath } from '../engine/paths.js';"],
    ['electron/cli/x.ts', "import { readUserFile } from '../engine/files.js';"],
    ['electron/cli/x.ts', "import type { Authoriser } from '../engine/incidents/trust.js';"],
    ['electron/cli/commands/x.ts', "import { startHost } from '../../host/server.js';"],
    ['electron/cli/commands/x.ts', "import { channels } from '../../../shared/contract.js';"],
    ['electron/cli/x.ts', "import { channels } from '../../shared/contract.js';"],
    ['electron/cli/commands/x.ts', "import { openCliEngine } from '../engine.js';"],
    ['electron/cli/x.ts', "import { note } from './output.js';"],
    ['electron/cli/commands/x.ts', "import { parseArgs } from 'node:util';"],
    ['electron/main.ts', "import { app } from 'electron';"],
    ['electron/preload.ts', "import { contextBridge } from 'electron';"],
    ['electron/ipc.ts', "import { ipcMain } from 'electron';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await importProblems(file, code)).toEqual([]);
  });
});
