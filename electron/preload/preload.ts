// The sandboxed preload: exposes exactly the contract as `window.frameline` (named functions, one
// per channel, never a raw invoke), and the push topics filtered by name. It runs bundled
// (scripts/build-preload.mjs → dist/electron/preload/preload.cjs): a sandboxed preload can require
// only 'electron'. It carries the contract's names and no schemas: main hands each request to the
// engine, which checks it, and the page checks each answer and each push where it arrives
// (renderer/api/api.ts).
import { contextBridge, ipcRenderer } from 'electron';
import { channelNames, PUSH_CHANNEL, READY_CHANNEL, topicNames } from '../../shared/contract-names.js';
import type { Result, Topic } from '../../shared/contract.js';

type Listener = (payload: unknown) => void;
const knownTopics = new Set<string>(topicNames);
const listeners = new Map<Topic, Set<Listener>>();
let saidReady = false;

ipcRenderer.on(PUSH_CHANNEL, (_event, topic: unknown, payload: unknown) => {
  if (typeof topic !== 'string' || !knownTopics.has(topic)) return;
  for (const listener of listeners.get(topic as Topic) ?? []) listener(payload);
});

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

// `api.sessions.list(request)` invokes `sessions:list`. Results, not exceptions, cross the bridge:
// an error's code would not survive it.
const api: Record<string, unknown> = {};
for (const channel of channelNames) {
  const at = channel.indexOf(':');
  const domain = (api[channel.slice(0, at)] ??= {}) as Record<string, unknown>;
  domain[channel.slice(at + 1)] = (request: unknown): Promise<Result<unknown>> =>
    ipcRenderer.invoke(channel, request ?? {}) as Promise<Result<unknown>>;
}
api.on = (topic: Topic, listener: Listener) => subscribe(topic, listener);

contextBridge.exposeInMainWorld('frameline', api);
