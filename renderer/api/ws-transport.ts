// Browser mode's transport: the contract over a WebSocket to `frameline serve` (the token travels
// in an HttpOnly cookie). Requests wait for the socket to open; responses are matched by id.
import { buildApi, type Api, type Result, type Topic } from '../../shared/contract';
import { reportRefusedPush } from './refused-push';

type Listener = (payload: unknown) => void;

/** Listeners for the engine link itself (lost, restored), for the console's status line. */
export const linkListeners = new Set<(state: 'open' | 'lost') => void>();

export function connectWebSocketApi(url: string): Api {
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<Topic, Set<Listener>>();
  const queue: string[] = [];
  let nextId = 1;
  const socket = new WebSocket(url);
  socket.addEventListener('open', () => {
    for (const m of queue.splice(0)) socket.send(m);
    for (const l of linkListeners) l('open');
  });
  socket.addEventListener('message', (e: MessageEvent<string>) => {
    const msg = JSON.parse(e.data) as {
      id?: number;
      result?: Result<unknown>;
      topic?: Topic;
      payload?: unknown;
    };
    if (msg.id !== undefined && msg.result) {
      pending.get(msg.id)?.(msg.result);
      pending.delete(msg.id);
    } else if (msg.topic) {
      for (const l of listeners.get(msg.topic) ?? []) l(msg.payload);
    }
  });
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) {
      resolve({
        ok: false,
        error: { code: 'failed', message: 'lost the connection to the Frameline engine; reload the page' },
      });
    }
    pending.clear();
    for (const l of linkListeners) l('lost');
  });

  const invoke = (channel: string, request: unknown) =>
    new Promise<Result<unknown>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      const text = JSON.stringify({ id, channel, payload: request });
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (socket.readyState === WebSocket.CONNECTING) queue.push(text);
      else {
        pending.delete(id);
        resolve({
          ok: false,
          error: { code: 'failed', message: 'not connected to the Frameline engine; reload the page' },
        });
      }
    });
  const subscribe = (topic: Topic, listener: Listener) => {
    let set = listeners.get(topic);
    if (!set) listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  };
  return buildApi(invoke, subscribe, reportRefusedPush);
}
