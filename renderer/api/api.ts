// The console talks to the engine through one Api, backed by one of two transports chosen once at
// start-up: the desktop preload (window.frameline) or browser mode's WebSocket.
import { buildApi, type Api, type Result, type ResultApi } from '../../shared/contract';
import { connectWebSocketApi } from './ws-transport';
import { reportRefusedPush } from './refused-push';

declare global {
  interface Window {
    /** Exposed by the desktop preload (answers Results); absent in browser mode. */
    frameline?: ResultApi;
  }
}

/** What every call answers in the desktop window when the preload did not load. */
export const PRELOAD_MISSING =
  'the desktop bridge did not load (the preload script failed), so this window cannot reach the engine; ' +
  'quit, and start Frameline from a terminal with npm start to see why';

let api: Api | null = null;

/**
 * The Api over the desktop preload's functions. The preload carries only the contract's names, so
 * each answer and each push is checked against the contract here, where it arrives in the page; a
 * push in the wrong shape goes to `refused`, never to a listener.
 */
export function desktopApi(bridge: ResultApi, refused: (message: string) => void): Api {
  const named = bridge as unknown as Record<
    string,
    Record<string, (request: unknown) => Promise<Result<unknown>>>
  >;
  return buildApi(
    (channel, request) => {
      const at = channel.indexOf(':');
      return named[channel.slice(0, at)]![channel.slice(at + 1)]!(request);
    },
    (topic, listener) => bridge.on(topic, listener),
    refused,
  );
}

/** The Api for this window. */
export function getApi(): Api {
  api ??= window.frameline
    ? desktopApi(window.frameline, reportRefusedPush)
    : location.protocol === 'app:'
      ? // The desktop window has no WebSocket to fall back on: say what is wrong instead.
        buildApi(
          () => Promise.resolve({ ok: false, error: { code: 'failed', message: PRELOAD_MISSING } }),
          () => () => {},
          reportRefusedPush,
        )
      : connectWebSocketApi(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`);
  return api;
}
