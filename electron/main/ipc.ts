// Binds the contract to Electron IPC: one ipcMain.handle per channel of shared/contract.ts, each
// answering only our window's top frame on an app:// page, and the engine's push topics delivered
// once the renderer has said it is listening.
import { ipcMain } from 'electron';
import type { BrowserWindow, IpcMainEvent, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { channelNames, PUSH_CHANNEL, READY_CHANNEL } from '../../shared/contract-names.js';
import type { ErrorBody, Result, Topic } from '../../shared/contract.js';
import { isAppUrl } from './app-files.js';

/**
 * Pushes waiting for a renderer that is not listening yet (start-up, reload). Topics are status
 * snapshots, so when a renderer stays away this long the oldest are the ones worth losing.
 */
const MAX_QUEUED_PUSHES = 1000;

/** What answers the contract: the engine process's link (or, in tests, a FramelineService). */
export interface ContractEndpoint {
  /** Answers one request with a Result; never throws. */
  handle(channel: string, payload: unknown): Promise<Result<unknown>>;
  onPush(listener: (topic: Topic, payload: unknown) => void): () => void;
}

export interface ContractBinding {
  /** The window whose top frame may call; pushes go to it. Call again for a new window. */
  attach(win: BrowserWindow): void;
  /** Removes every handler and stops forwarding pushes. */
  dispose(): void;
}

/** Registers every channel of the contract, and the push topics, for the window given to attach(). */
export function bindContract(engine: ContractEndpoint): ContractBinding {
  let win: BrowserWindow | null = null;
  let ready = false;
  const queue: Array<[Topic, unknown]> = [];

  const trusted = (event: IpcMainInvokeEvent | IpcMainEvent): boolean =>
    win !== null &&
    !win.isDestroyed() &&
    event.sender === win.webContents &&
    isTopFrame(event.senderFrame, win.webContents.mainFrame);

  for (const name of channelNames) {
    ipcMain.handle(name, async (event, payload: unknown): Promise<Result<unknown>> => {
      if (!trusted(event)) return forbidden(name, event.senderFrame?.url);
      // The engine validates the payload against the channel's schema and answers a Result.
      return engine.handle(name, payload);
    });
  }

  const flush = () => {
    if (!win || win.isDestroyed() || !ready) return;
    for (const [topic, payload] of queue.splice(0)) win.webContents.send(PUSH_CHANNEL, topic, payload);
  };
  const onReady = (event: IpcMainEvent) => {
    if (!trusted(event)) return;
    ready = true;
    flush();
  };
  ipcMain.on(READY_CHANNEL, onReady);

  const unsubscribe = engine.onPush((topic, payload) => {
    queue.push([topic, payload]);
    if (queue.length > MAX_QUEUED_PUSHES) queue.splice(0, queue.length - MAX_QUEUED_PUSHES);
    flush();
  });

  return {
    attach(next) {
      win = next;
      ready = false;
      // A reload or a crashed renderer loses its listeners: queue until the new page says ready.
      const notReady = () => {
        if (win === next) ready = false;
      };
      next.webContents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) notReady();
      });
      next.webContents.on('render-process-gone', notReady);
      next.on('closed', () => {
        if (win === next) {
          win = null;
          ready = false;
        }
      });
    },
    dispose() {
      unsubscribe();
      ipcMain.removeListener(READY_CHANNEL, onReady);
      for (const name of channelNames) ipcMain.removeHandler(name);
      queue.length = 0;
      win = null;
    },
  };
}

/** The sender is the window's main frame (not an iframe, not a stale frame) showing one of our pages. */
function isTopFrame(frame: WebFrameMain | null, main: WebFrameMain): boolean {
  if (!frame || frame.parent !== null) return false;
  const same = frame === main || (frame.processId === main.processId && frame.routingId === main.routingId);
  return same && isAppUrl(frame.url);
}

function forbidden(channel: string, url: string | undefined): Result<never> {
  const error: ErrorBody = {
    code: 'forbidden',
    message: `${channel} refused: only the Frameline console's own page may call the engine (caller: ${url ?? 'unknown frame'})`,
  };
  return { ok: false, error };
}
