// The command line's door to the engine: the same service, handlers and contract as the console,
// carried in process instead of over IPC or a WebSocket. A command is its flags made into contract
// requests, the service's answers and pushes, and its own rendering of them: no rule of the engine
// is kept a second time here.
import {
  ApiError,
  channels,
  type Api,
  type PayloadOf,
  type Result,
  type Topic,
} from '../../shared/contract.js';
import type { Authoriser } from '../engine/incidents/trust.js';
import { FramelineService } from '../engine/service.js';
import { dbPath } from './args.js';

export interface CliEngine {
  /** The contract, answered by the service; a failure is thrown as an ApiError with its code. */
  api: Api;
  /** Stops what the command started (captures close cleanly) and closes the database. */
  close(): Promise<void>;
}

export interface CliEngineOptions {
  /** Create the database when it is missing; reading commands say it is missing instead. */
  create?: boolean;
  /** Recover sessions left by a recorder that is gone on opening (default); `recover` does it itself. */
  recover?: boolean;
  /** Open the database on the first request that needs it: `import` checks its file before. */
  openOnFirstUse?: boolean;
  /** How `walks:run` asks the person at the terminal (`--yes`, or a prompt). */
  authoriser?: Authoriser;
}

/**
 * Opens the database that `--db` (or FRAMELINE_DB, or the desktop app's file) names, behind the
 * service. Answers are not checked against the contract's schemas again: they never cross a process
 * boundary here, and the console's transports, which do, check them.
 */
export function openCliEngine(values: { db?: unknown }, options: CliEngineOptions = {}): CliEngine {
  const service = new FramelineService({
    dbPath: dbPath(values),
    shell: 'cli',
    create: options.create ?? true,
    ...(options.recover === false ? { recover: false } : {}),
    ...(options.openOnFirstUse ? { openOnFirstUse: true } : {}),
    ...(options.authoriser ? { authoriser: options.authoriser } : {}),
  });
  const api: Record<string, unknown> = {};
  for (const c of channels()) {
    const domain = (api[c.domain] ??= {}) as Record<string, unknown>;
    domain[c.verb] = async (request: unknown) => {
      const result: Result<unknown> = await service.handle(c.name, request ?? {});
      if (!result.ok) throw new ApiError(result.error.code, result.error.message);
      return result.value;
    };
  }
  api.on = <T extends Topic>(topic: T, listener: (payload: PayloadOf<T>) => void) =>
    service.onPush((t, payload) => {
      if (t === topic) listener(payload as PayloadOf<T>);
    });
  return { api: api as Api, close: () => service.close() };
}
