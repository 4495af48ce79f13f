// The table of contents of the engine: one setup per domain, each answering its part of the
// contract. Both shells (Electron IPC and the browser-mode host) hand it channel names and
// untrusted payloads; it validates, routes, and answers with a Result. The command line calls the
// same domain functions in process, without this façade.
import type { z } from 'zod';
import {
  channels,
  type Domain,
  type ErrorBody,
  type PayloadOf,
  type Result,
  type Topic,
} from '../../shared/contract.js';
import { setupCapture } from './capture/handlers.js';
import type { DomainSetup, EngineContext } from './context.js';
import { setupDiagnose } from './diagnose/handlers.js';
import { ForbiddenError, InputError, machineFault, MissingError } from './errors.js';
import { setupIncidents } from './incidents/handlers.js';
import { ConfirmationNeededError, type Authoriser } from './incidents/trust.js';
import { setupReplay } from './replay/handlers.js';
import { setupInterop } from './interop/handlers.js';
import { setupReports } from './reports/handlers.js';
import type { PdfPrinter } from './reports/pdf.js';
import { setupSessions } from './sessions/handlers.js';
import { databasePath, openStore, type Db } from './store/database.js';

export const VERSION = '0.1.0';

type Handler = (request: never) => unknown;

export interface ServiceOptions {
  dbPath: string;
  shell: 'desktop' | 'browser';
  /**
   * How this host asks a person, outside the page, whether a shell command of `walks:run` may run
   * (incidents/trust.ts): the desktop's native dialog, browser mode's code in serve's terminal.
   * Without one, no command runs.
   */
  authoriser?: Authoriser;
  /**
   * Where a mock started through the contract may listen: anywhere (the desktop app), or loopback
   * only (browser mode, unless serve itself listens on another address).
   */
  mockHosts?: 'any' | 'loopback';
  /** How the shell prints a report to PDF; by default the system's Chromium (playwright-core). */
  pdf?: PdfPrinter;
}

export class FramelineService {
  readonly ctx: EngineContext;
  private readonly listeners = new Set<(topic: Topic, payload: unknown) => void>();
  private readonly byName = new Map<string, { request: z.ZodType; run: Handler }>();
  private readonly domains: Array<DomainSetup<Domain>>;

  constructor(private readonly options: ServiceOptions) {
    const db = openStore(options.dbPath);
    this.ctx = {
      db,
      dbPath: databasePath(db),
      push: <T extends Topic>(topic: T, payload: PayloadOf<T>) => {
        for (const l of this.listeners) l(topic, payload);
      },
    };
    const app: DomainSetup<'app'> = {
      handlers: {
        app: { info: () => ({ version: VERSION, dbPath: options.dbPath, shell: options.shell }) },
      },
    };
    const incidents = setupIncidents(this.ctx, options.authoriser);
    this.domains = [
      app,
      setupSessions(this.ctx),
      setupCapture(this.ctx),
      setupDiagnose(this.ctx),
      incidents,
      setupReports(this.ctx, {
        walks: incidents.walks,
        version: VERSION,
        ...(options.pdf ? { pdf: options.pdf } : {}),
      }),
      setupInterop(this.ctx),
      setupReplay(this.ctx, { mockHosts: options.mockHosts ?? 'any' }),
    ] as Array<DomainSetup<Domain>>;
    const handlers = Object.assign({}, ...this.domains.map((d) => d.handlers)) as Record<
      string,
      Record<string, Handler>
    >;
    for (const c of channels()) {
      const run = handlers[c.domain]?.[c.verb];
      if (!run) throw new Error(`the engine has no handler for ${c.name}`);
      this.byName.set(c.name, { request: c.request, run });
    }
  }

  get db(): Db {
    return this.ctx.db;
  }

  /** Every channel name this service answers. */
  get channelNames(): string[] {
    return [...this.byName.keys()];
  }

  /** Answers one request from either shell. Never throws. */
  async handle(channel: string, payload: unknown): Promise<Result<unknown>> {
    const entry = typeof channel === 'string' ? this.byName.get(channel) : undefined;
    if (!entry) return fail('bad-request', `unknown channel "${String(channel).slice(0, 100)}"`);
    let parsed: ReturnType<z.ZodType['safeParse']>;
    try {
      parsed = entry.request.safeParse(payload ?? {});
    } catch (err) {
      // A payload nested past the stack's depth, say: refused, never a crash of the host.
      return fail('bad-request', `${channel}: the request could not be read (${(err as Error).message})`);
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        'bad-request',
        `${channel}: ${issue?.path.join('.') || 'request'} ${issue?.message ?? 'is invalid'}`,
      );
    }
    try {
      return { ok: true, value: await entry.run(parsed.data as never) };
    } catch (err) {
      // A full disk, an I/O error, a lock held past the wait: a failure of the machine, said in the
      // command line's words, never a mistake in the request nor SQLite's own message.
      const fault = machineFault(err, this.ctx.dbPath);
      if (fault !== null) return fail('failed', fault);
      if (err instanceof MissingError) return fail('not-found', err.message);
      if (err instanceof ForbiddenError) return fail('forbidden', err.message);
      if (err instanceof ConfirmationNeededError) return fail('needs-confirmation', err.message);
      if (err instanceof InputError) return fail('bad-request', err.message);
      return fail('failed', (err as Error).message);
    }
  }

  /** Subscribes to push topics. */
  onPush(listener: (topic: Topic, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every domain's running work (captures close cleanly) and closes the database. */
  async close(): Promise<void> {
    for (const d of this.domains) await d.close?.();
    this.ctx.db.close();
  }
}

function fail(code: ErrorBody['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } };
}
