// The engine's side of the `diagnose:*` channels: a probe started from the console (its progress
// pushed on `diagnose:progress`) and the diagnosis of a recorded session. The service spreads
// these handlers into its own and stops the running probes when it closes.
import type { Contract, ParsedRequestOf, PayloadOf, ResponseOf } from '../../../shared/contract.js';
import type { Db } from '../store/database.js';
import { diagnoseStoredSession } from './session-analysis.js';
import { PROBE_DEFAULTS, type ProbeOptions } from './probe-options.js';
import { runProbe } from './probe.js';

type Handlers = {
  [V in keyof Contract['diagnose']]: (
    request: ParsedRequestOf<'diagnose', V>,
  ) => ResponseOf<'diagnose', V> | Promise<ResponseOf<'diagnose', V>>;
};

export interface DiagnoseContext {
  db: Db;
  dbPath: string;
  progress(p: PayloadOf<'diagnose:progress'>): void;
  /** Throws the service's not-found error for a session that does not exist. */
  requireSession(id: number): void;
}

/** Probe options from a validated `diagnose:probe` request. */
export function probeOptionsOf(r: ParsedRequestOf<'diagnose', 'probe'>): ProbeOptions {
  return {
    url: r.url,
    origins: r.origins ?? [],
    healthPath: r.healthPath ?? PROBE_DEFAULTS.healthPath,
    idleLimitSeconds: r.idleLimitSeconds ?? PROBE_DEFAULTS.idleLimitSeconds,
    echo: r.echo ?? PROBE_DEFAULTS.echo,
    timeoutMs: (r.timeoutSeconds ?? PROBE_DEFAULTS.timeoutMs / 1000) * 1000,
    insecure: r.insecure ?? false,
    headers: r.headers ?? [],
    subprotocols: r.subprotocols ?? [],
    ...(r.direct !== undefined ? { direct: r.direct } : {}),
    ...(r.pageOrigin !== undefined ? { pageOrigin: r.pageOrigin } : {}),
    ...(r.caFile !== undefined ? { caFile: r.caFile } : {}),
    ...(r.name !== undefined ? { name: r.name } : {}),
  };
}

export class DiagnoseChannels {
  private readonly running = new Set<{ abort: AbortController; done: Promise<unknown> }>();

  constructor(private readonly ctx: DiagnoseContext) {}

  handlers(): { diagnose: Handlers } {
    return {
      diagnose: {
        probe: (r) => {
          const abort = new AbortController();
          const done = runProbe(this.ctx.db, this.ctx.dbPath, probeOptionsOf(r), {
            ...(r.runId !== undefined ? { runId: r.runId } : {}),
            signal: abort.signal,
            onProgress: (p) => this.ctx.progress(p),
          });
          const entry = { abort, done };
          this.running.add(entry);
          return done.finally(() => this.running.delete(entry));
        },
        session: (r) => {
          this.ctx.requireSession(r.id);
          return diagnoseStoredSession(
            this.ctx.db,
            r.id,
            r.idField !== undefined ? { idField: r.idField } : {},
          );
        },
      },
    };
  }

  /** Cuts the idle holds of running probes short and waits for them to finish. */
  async close(): Promise<void> {
    const running = [...this.running];
    for (const r of running) r.abort.abort();
    await Promise.allSettled(running.map((r) => r.done));
  }
}
