// Runs the built, bundled preload (dist/electron/preload/preload.cjs) as a sandboxed renderer would, with a
// stand-in for the two Electron modules it may use: records what it exposes to the page and what it
// sends to main, and lets the test deliver a push.
import { readFileSync } from 'node:fs';
import { PUSH_CHANNEL } from '../../shared/contract-names.js';

export interface PreloadRun {
  exposed: Record<string, unknown>;
  invoked: unknown[][];
  sent: unknown[][];
  /** The channels the preload listens on. */
  listening: string[];
  /** Delivers (topic, payload) on the push channel, as main does. */
  push(topic: string, payload: unknown): void;
}

/**
 * Runs the preload at `path`; `answer` says what main answers an invoke with (by default an empty
 * list, as if every channel succeeded).
 */
export function runPreload(
  path: string,
  answer: (channel: string, request: unknown) => unknown = () => ({ ok: true, value: [] }),
): PreloadRun {
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const sent: unknown[][] = [];
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  const electron = {
    contextBridge: {
      exposeInMainWorld(name: string, api: unknown) {
        exposed[name] = api;
      },
    },
    ipcRenderer: {
      invoke(channel: string, request: unknown) {
        invoked.push([channel, request]);
        return Promise.resolve(answer(channel, request));
      },
      send(channel: string, ...args: unknown[]) {
        sent.push([channel, ...args]);
      },
      on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
        listeners.set(channel, listener);
      },
    },
  };
  const module = { exports: {} };
  // A sandboxed preload gets a require that knows only 'electron'.
  const sandboxedRequire = (id: string) => {
    if (id === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require "${id}"`);
  };
  new Function('require', 'module', 'exports', readFileSync(path, 'utf8'))(
    sandboxedRequire,
    module,
    module.exports,
  );
  return {
    exposed,
    invoked,
    sent,
    listening: [...listeners.keys()],
    push: (topic, payload) => listeners.get(PUSH_CHANNEL)?.({}, topic, payload),
  };
}
