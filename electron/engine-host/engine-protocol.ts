// The messages between the desktop shell (main) and the engine's own process: the contract's
// requests, answers and pushes over a MessagePort, and the questions only the shell can answer (is
// this shell command confirmed? print this report to PDF) or only the engine can (is it ready, did
// the database open?).
// Types only: imported by main's EngineLink (electron/main/engine-link.ts) and by the engine
// process's entry (engine-process.ts), so that main holds no engine code.
import type { Result, Topic } from '../../shared/contract.js';
import type { CommandConfirmation } from '../engine/incidents/trust.js';

/**
 * Main → engine process, over process.parentPort, once, with the contract's port transferred. The
 * engine process chooses the database itself, as the command line does (FRAMELINE_DB, else the
 * user-data folder: engine/paths.ts).
 */
export interface EngineInit {
  kind: 'init';
}

/** Main → engine, over the contract port. */
export type ToEngine =
  | { kind: 'request'; id: number; channel: string; payload: unknown }
  | { kind: 'confirmed'; id: number; ok: boolean }
  /** The PDF the shell printed (or why it could not). */
  | { kind: 'printed'; id: number; pdf: Uint8Array | null; error: string | null }
  | { kind: 'close' };

/** Engine → main, over the contract port. */
export type FromEngine =
  | { kind: 'ready' }
  /** The database at dbPath would not open: why, in one sentence (which names the file). */
  | { kind: 'fatal'; dbPath: string; message: string }
  | { kind: 'response'; id: number; result: Result<unknown> }
  | { kind: 'push'; topic: Topic; payload: unknown }
  | { kind: 'confirm'; id: number; request: CommandConfirmation }
  /**
   * A report to print with the app's own Chromium (the engine process has none), with the footer
   * Chromium prints on every page (engine/reports/pdf.ts's footerTemplate).
   */
  | { kind: 'print'; id: number; html: string; footerTemplate: string }
  | { kind: 'closed' };

/** The part of Electron's MessagePortMain (and ParentPort) both sides use. */
export interface PortLike {
  postMessage(message: unknown, transfer?: PortLike[]): void;
  on(event: 'message', listener: (event: { data: unknown; ports: PortLike[] }) => void): unknown;
  start(): void;
  close(): void;
}
