// The sandboxed preload: exposes exactly the contract as `window.frameline` (named functions built
// by buildResultApi, never a raw invoke), and the push topics filtered by name. It runs bundled
// (scripts/build-preload.mjs → dist/electron/preload.cjs): a sandboxed preload can require only
// 'electron', so the contract and zod are inlined.
import { contextBridge, ipcRenderer } from 'electron';
import { buildResultApi, topics } from '../shared/contract.js';
import type { Result, Topic } from '../shared/contract.js';

// Kept in step with electron/ipc.ts; not imported from it, which would pull main-process code in.
const READY_CHANNEL = 'frameline:ready';
const PUSH_CHANNEL = 'frameline:push';

type Listener = (payload: unknown) => void;
const listeners = new Map<Topic, Set<Listener>>();
let saidReady = false;

ipcRenderer.on(PUSH_CHANNEL, (_event, topic: unknown, payload: unknown) => {
  if (typeof topic !== 'string' || !Object.hasOwn(topics, topic)) return;
  for (const listener of listeners.get(topic as Topic) ?? []) listener(payload);
});

const invoke = (channel: string, request: unknown): Promise<Result<unknown>> =>
  ipcRenderer.invoke(channel, request) as Promise<Result<unknown>>;

const subscribe = (topic: Topic, listener: Listener): (() => void) => {
  let set = listeners.get(topic);
  if (!set) listeners.set(topic, (set = new Set()));
  set.add(listener);
  // The renderer is ready once it listens: main has been holding the pushes until now.
  if (!saidReady) {
    saidReady = true;
    ipcRenderer.send(READY_CHANNEL);
  }
  return () => {
    set.delete(listener);
  };
};

// Results, not exceptions, cross the bridge: an error's code would not survive it.
contextBridge.exposeInMainWorld('frameline', buildResultApi(invoke, subscribe));
