// The table of contents of the engine: one setup per domain, each answering its part of the
// contract. Every host hands it channel names and payloads — the desktop app's engine process and
// the browser-mode host (untrusted pages), and the command line in process (electron/cli/engine.ts)
// — and it validates, routes, and answers with a Result, pushing progress to whoever subscribed.
import type { z } from 'zod';
import {
  channels,
  type Domain,
  type ErrorBody,
  type PayloadOf,
  type Result,
  type Topic,
} from '../../shared/contract.js';
import type { DomainSetup, EngineContext } from './context.js';
import { describeFailure } from './failures.js';
import { editedCommands, type Authoriser } from './incidents/trust.js';
import type { WalkEngine } from './incidents/walk.js';
import type { PdfPrinter } from './reports/pdf.js';
import { databasePath, onReadOnlyOpen, openStore, readOnlyReason, type Db } from './store/database.js';
import { onRecovery } from './store/recovery.js';

export const VERSION = '0.1.0';

export { describeFailure } from './failures.js';

/** Something opening a database had to say: what recovery did or left, or that it is read-only. */
export interface StoreNotice {
  message: string;
  /** Set when the database was opened for reading only: its path and why. */
  readOnly?: { path: string; reason: string };
}

/**
 * Calls back with what opening a database (in this process) had to say, one sentence each:
 * sessions recovery could not finish yet or had to set aside, sessions live on another machine, a
 * database opened read-only. Answers the unsubscribe.
 */
export function onStoreNotice(listener: (notice: StoreNotice) => void): () => void {
  const offRecovery = onRecovery((report) => {
    for (const d of report.deferred) listener({ message: d.message });
    for (const a of report.setAside) listener({ message: a.message });
    for (const e of report.elsewhere)
      listener({
        message: `session ${e.sessionId} is live, recorded on ${e.host}; if no capture runs there any more, run "frameline recover"`,
      });
  });
  const offReadOnly = onReadOnlyOpen((path, reason) =>
    listener({
      message: `${path} is read-only here (${reason}): sessions can be listed, shown, diagnosed and exported, but nothing is recorded, changed or recovered`,
      readOnly: { path, reason },
    }),
  );
  return () => {
    offRecovery();
    offReadOnly();
  };
}

type Handler = (request: never) => unknown;

export interface ServiceOptions {
  dbPath: string;
  /**
   * Which host serves the contract: the desktop app, browser mode (a page's requests), or the
   * command line (the person at the terminal, one command at a time).
   */
  shell: 'desktop' | 'browser' | 'cli';
  /** Create the database when it is missing (default); false answers that it is missing instead. */
  create?: boolean;
  /**
   * Recover sessions left live by a recorder that is gone when the database opens (default); false
   * leaves them to `sessions:recover`, which then reports every one (`frameline recover`).
   */
  recover?: boolean;
  /**
   * Open the database on the first request that needs it instead of now: a request refused before
   * (a HAR file that is no HAR, checked before it is imported) creates nothing, not even the
   * database (`frameline import`). Default false.
   */
  openOnFirstUse?: boolean;
  /**
   * How this host asks a person, outside the page, whether a shell command of `walks:run` may run
   * (incidents/trust.ts): the desktop's native dialog, browser mode's code in serve's terminal.
   * Without one, no command runs.
   */
  authoriser?: Authoriser;
  /**
   * Where a mock or a relay started through the contract may listen: anywhere (the desktop app), or
   * loopback only (browser mode, unless serve itself listens on another address).
   */
  mockHosts?: 'any' | 'loopback';
  /** How the shell prints a report to PDF; by default the system's Chromium (playwright-core). */
  pdf?: PdfPrinter;
}

/** A domain's setup as the service keeps it once made: what it answers and what it stops. */
type Loaded = Pick<DomainSetup<never>, 'close'> & { handlers: object };

/**
 * The domains, each made the first time one of its channels is asked for: a command of the command
 * line loads only the code it uses, and the console's first screen only what it shows. The
 * incidents domain answers three parts of the contract; reports read the walks it keeps.
 */
const DOMAINS: Array<{ answers: Domain[]; make: (s: FramelineService) => Promise<Loaded> }> = [
  {
    answers: ['sessions'],
    make: async (s) => (await import('./sessions/handlers.js')).setupSessions(s.ctx, s.background),
  },
  // A capture or a probe refuses a mistaken request before it opens the database (a command line
  // that opens it on first use then creates nothing).
  {
    answers: ['capture'],
    make: async (s) => (await import('./capture/handlers.js')).setupCapture(s.lazyCtx),
  },
  {
    answers: ['diagnose'],
    make: async (s) =>
      (await import('./diagnose/handlers.js')).setupDiagnose(s.lazyCtx, { listenHosts: s.mockHosts }),
  },
  {
    answers: ['incidents', 'runbooks', 'walks'],
    make: async (s) => (await import('./incidents/handlers.js')).setupIncidents(s.ctx, s.authoriser),
  },
  {
    answers: ['reports'],
    make: async (s) => {
      const { setupReports } = await import('./reports/handlers.js');
      const incidents = (await s.domainFor('incidents')) as Loaded & { walks: WalkEngine };
      return setupReports(s.ctx, {
        walks: incidents.walks,
        version: VERSION,
        ...(s.pdf ? { pdf: s.pdf } : {}),
      });
    },
  },
  {
    answers: ['interop'],
    make: async (s) =>
      (await import('./interop/handlers.js')).setupInterop(s.lazyCtx, { localFiles: s.localFiles }),
  },
  {
    answers: ['replay', 'mock'],
    make: async (s) => (await import('./replay/handlers.js')).setupReplay(s.ctx, { mockHosts: s.mockHosts }),
  },
  {
    answers: ['relay'],
    make: async (s) => (await import('./relay/handlers.js')).setupRelay(s.ctx, { listenHosts: s.mockHosts }),
  },
];

export class FramelineService {
  private opened: EngineContext | null = null;
  private readonly listeners = new Set<(topic: Topic, payload: unknown) => void>();
  private readonly byName = new Map<string, { domain: Domain; verb: string; request: z.ZodType }>();
  private readonly loading = new Map<(typeof DOMAINS)[number], Promise<Loaded>>();
  private closed = false;

  constructor(private readonly options: ServiceOptions) {
    if (!options.openOnFirstUse) this.opened = this.open();
    for (const c of channels())
      this.byName.set(c.name, { domain: c.domain, verb: c.verb, request: c.request });
  }

  private readonly push = <T extends Topic>(topic: T, payload: PayloadOf<T>) => {
    for (const l of this.listeners) l(topic, payload);
  };

  private open(): EngineContext {
    const db = openStore(this.options.dbPath, {
      create: this.options.create ?? true,
      recover: this.options.recover ?? true,
    });
    return { db, dbPath: databasePath(db), push: this.push };
  }

  /** What every domain works with: the open database (opened now if it was not yet), and pushes. */
  get ctx(): EngineContext {
    if (this.opened === null) {
      if (this.closed) throw new Error('the engine has closed; its database is not opened again');
      this.opened = this.open();
    }
    return this.opened;
  }

  /**
   * The same context for a domain that may answer a request before it needs the database (an
   * import checks its file first): the database opens when a handler first reads `db` or `dbPath`.
   */
  get lazyCtx(): EngineContext {
    const opened = () => this.ctx;
    return {
      get db() {
        return opened().db;
      },
      get dbPath() {
        return opened().dbPath;
      },
      push: this.push,
    };
  }

  get db(): Db {
    return this.ctx.db;
  }

  /** Every channel name this service answers. */
  get channelNames(): string[] {
    return [...this.byName.keys()];
  }

  /**
   * Whether this host does work in the background between requests (the full-text index catching
   * up): the desktop app and browser mode live long; a command of the command line does not.
   */
  get background(): boolean {
    return this.options.shell !== 'cli';
  }

  /**
   * Whether requests may name files on this machine (a HAR file imported from a path, an export
   * written to one): a page's may not, so browser mode answers such channels `forbidden`.
   */
  get localFiles(): boolean {
    return this.options.shell !== 'browser';
  }

  get authoriser(): Authoriser | undefined {
    return this.options.authoriser;
  }

  get mockHosts(): 'any' | 'loopback' {
    return this.options.mockHosts ?? 'any';
  }

  get pdf(): PdfPrinter | undefined {
    return this.options.pdf;
  }

  /** The setup of the domain that answers `domain`, made on first use. */
  domainFor(domain: Domain): Promise<Loaded> {
    if (domain === 'app') return Promise.resolve(this.app());
    const entry = DOMAINS.find((d) => d.answers.includes(domain));
    if (!entry) return Promise.reject(new Error(`the engine has no domain for ${domain}`));
    let loaded = this.loading.get(entry);
    if (!loaded) {
      loaded = entry.make(this);
      this.loading.set(entry, loaded);
    }
    return loaded;
  }

  private app(): Loaded {
    const { options } = this;
    return {
      handlers: {
        app: {
          info: () => ({
            version: VERSION,
            dbPath: options.dbPath,
            shell: options.shell,
            editedCommands: editedCommands(options.authoriser),
          }),
        },
      },
    } as Loaded;
  }

  /** Answers one request from any shell. Never throws. */
  async handle(channel: string, payload: unknown): Promise<Result<unknown>> {
    const entry = typeof channel === 'string' ? this.byName.get(channel) : undefined;
    if (!entry) return fail('bad-request', `unknown channel "${String(channel).slice(0, 100)}"`);
    if (this.closed) return fail('failed', 'the engine is closing; try again once it has started');
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
      const setup = await this.domainFor(entry.domain);
      const handlers = setup.handlers as unknown as Record<string, Record<string, Handler>>;
      const run = handlers[entry.domain]?.[entry.verb];
      if (!run) throw new Error(`the engine has no handler for ${channel}`);
      return { ok: true, value: await run(parsed.data as never) };
    } catch (err) {
      return { ok: false, error: this.failure(err) };
    }
  }

  /** How a failure of a request on this service's database reads (see failures.ts). */
  failure(err: unknown): ErrorBody {
    return describeFailure(err, {
      dbPath: this.options.dbPath,
      readOnly: this.opened ? readOnlyReason(this.opened.db) : null,
    });
  }

  /** Subscribes to push topics. */
  onPush(listener: (topic: Topic, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every domain's running work (captures close cleanly) and closes the database. */
  async close(): Promise<void> {
    this.closed = true;
    for (const loaded of this.loading.values()) {
      const d = await loaded.catch(() => null);
      await d?.close?.();
    }
    this.opened?.db.close();
  }
}

function fail(code: ErrorBody['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } };
}
