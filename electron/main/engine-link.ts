// Main's side of the engine process: starts it (through the fork and channel main hands in, so
// this file needs no Electron), carries the contract's requests and pushes over a MessagePort,
// answers its confirmation questions, and restarts it when it stops on its own; the database's
// recovery runs on every open, so sessions it was capturing end up `interrupted`, never lost.
// The window hears about it on the `engine:link` topic.
import type { ErrorBody, PayloadOf, Result, Topic } from '../../shared/contract.js';
import type { CommandConfirmation } from '../engine/incidents/trust.js';
import type { EngineInit, FromEngine, PortLike, ToEngine } from '../engine-host/engine-protocol.js';

/** The part of Electron's UtilityProcess the link uses. */
export interface EngineProcess {
  postMessage(message: unknown, transfer?: PortLike[]): void;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface EngineLinkOptions {
  /** Starts the engine process (utilityProcess.fork of engine-host/engine-process.js). */
  fork(): EngineProcess;
  /** A new MessageChannelMain. */
  channel(): { port1: PortLike; port2: PortLike };
  /** The shell's own confirmation of a shell command (a native dialog). */
  confirm(request: CommandConfirmation): Promise<boolean>;
  /** Prints a report's HTML to PDF with the app's own Chromium, this footer on every page. */
  print(html: string, footerTemplate: string): Promise<Buffer>;
}

/** At most this many restarts in RESTART_WINDOW_MS; then the link stays down and says so. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;
/** How long a clean close may take (live captures close with 1000, the database checkpoints). */
const CLOSE_TIMEOUT_MS = 15_000;

type Listener = (topic: Topic, payload: unknown) => void;
interface Pending {
  channel: string;
  payload: unknown;
  sent: boolean;
  resolve: (r: Result<unknown>) => void;
}

export class EngineLink {
  private process: EngineProcess | null = null;
  private port: PortLike | null = null;
  private up = false;
  private stopped = false;
  private failed: string | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<Listener>();
  private readonly restarts: number[] = [];
  private closed: (() => void) | null = null;
  private firstStart: { resolve: () => void; reject: (err: Error) => void } | null = null;
  /** Resolves once the engine first says ready; rejects with its sentence when it cannot open. */
  readonly started: Promise<void>;
  private unopened: string | null = null;

  constructor(private readonly options: EngineLinkOptions) {
    this.started = new Promise((resolve, reject) => (this.firstStart = { resolve, reject }));
    this.spawn();
  }

  /** The database the engine said it could not open, for the shell to name; null otherwise. */
  get unopenedDbPath(): string | null {
    return this.unopened;
  }

  /** Sends one contract request; answers a Result, also when the engine stops meanwhile. */
  handle(channel: string, payload: unknown): Promise<Result<unknown>> {
    if (this.failed) return Promise.resolve(fail('failed', this.failed));
    if (this.stopped) return Promise.resolve(fail('failed', 'the engine is shutting down with the app'));
    return new Promise((resolve) => {
      const id = this.nextId++;
      const p: Pending = { channel, payload, sent: false, resolve };
      this.pending.set(id, p);
      // Until the engine says ready (start-up, restart), requests wait here.
      if (this.up) this.send(id, p);
    });
  }

  /** Subscribes to the engine's push topics and to `engine:link`. */
  onPush(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the engine to stop cleanly (captures closed, database closed); kills it if it does not. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.answerPending((p) => `the app is quitting; ${p.channel} was not answered`);
    const proc = this.process;
    if (!proc || !this.port) return;
    const exited = new Promise<void>((resolve) => (this.closed = resolve));
    this.post({ kind: 'close' });
    const timer = setTimeout(() => proc.kill(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private spawn(): void {
    const proc = this.options.fork();
    const { port1, port2 } = this.options.channel();
    this.process = proc;
    this.port = port1;
    port1.on('message', (event) => this.receive(proc, event.data as FromEngine));
    port1.start();
    proc.on('exit', (code) => this.exited(proc, code));
    const init: EngineInit = { kind: 'init' };
    proc.postMessage(init, [port2]);
  }

  private receive(proc: EngineProcess, msg: FromEngine): void {
    if (proc !== this.process) return;
    switch (msg.kind) {
      case 'ready': {
        this.up = true;
        for (const [id, p] of this.pending) if (!p.sent) this.send(id, p);
        if (this.firstStart) {
          this.firstStart.resolve();
          this.firstStart = null;
        } else {
          this.emitLink({
            state: 'open',
            message: 'the engine restarted; interrupted captures are marked so',
          });
        }
        return;
      }
      case 'fatal':
        this.failed = `the engine could not start: ${msg.message}`;
        this.unopened = msg.dbPath;
        return;
      case 'response': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.resolve(msg.result);
        return;
      }
      case 'push':
        this.emit(msg.topic, msg.payload);
        return;
      case 'confirm':
        this.options.confirm(msg.request).then(
          (ok) => this.post({ kind: 'confirmed', id: msg.id, ok }),
          () => this.post({ kind: 'confirmed', id: msg.id, ok: false }),
        );
        return;
      case 'print':
        this.options.print(msg.html, msg.footerTemplate).then(
          (pdf) =>
            this.post({
              kind: 'printed',
              id: msg.id,
              pdf: new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength),
              error: null,
            }),
          (err: Error) => this.post({ kind: 'printed', id: msg.id, pdf: null, error: err.message }),
        );
        return;
      case 'closed':
        return;
    }
  }

  private exited(proc: EngineProcess, code: number): void {
    if (proc !== this.process) return;
    this.up = false;
    this.process = null;
    this.port?.close();
    this.port = null;
    if (this.stopped) {
      this.closed?.();
      return;
    }
    if (this.firstStart) {
      // Never got going (the database would not open): that is the app's start failing.
      this.firstStart.reject(
        new Error(this.failed ?? `the engine process exited with code ${code} while starting`),
      );
      this.firstStart = null;
      this.failed ??= `the engine process exited with code ${code} while starting`;
      this.answerPending(() => this.failed!);
      return;
    }
    const why = this.failed ?? `the engine process stopped (exit code ${code})`;
    // Requests sent to the dead process are answered; the ones not yet sent go to the next one.
    for (const [id, p] of this.pending) {
      if (!p.sent) continue;
      this.pending.delete(id);
      p.resolve(fail('failed', `${why} before answering ${p.channel}; it is restarting, try again`));
    }
    const now = Date.now();
    this.restarts.push(now);
    while (this.restarts.length && now - this.restarts[0]! > RESTART_WINDOW_MS) this.restarts.shift();
    if (this.failed || this.restarts.length > MAX_RESTARTS) {
      this.failed = `${why}, ${this.restarts.length} times in a minute; quit and start Frameline again (npm start prints why)`;
      this.answerPending(() => this.failed!);
      this.emitLink({ state: 'failed', message: this.failed });
      return;
    }
    this.emitLink({ state: 'restarting', message: `${why}; restarting it, live captures were interrupted` });
    this.spawn();
  }

  private send(id: number, p: Pending): void {
    p.sent = true;
    this.post({ kind: 'request', id, channel: p.channel, payload: p.payload });
  }

  private post(message: ToEngine): void {
    this.port?.postMessage(message);
  }

  private answerPending(message: (p: Pending) => string): void {
    for (const p of this.pending.values()) p.resolve(fail('failed', message(p)));
    this.pending.clear();
  }

  private emitLink(payload: PayloadOf<'engine:link'>): void {
    this.emit('engine:link', payload);
  }

  private emit(topic: Topic, payload: unknown): void {
    for (const l of this.listeners) l(topic, payload);
  }
}

function fail(code: ErrorBody['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } };
}
