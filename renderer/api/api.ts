// The console talks to the engine through one Api, backed by one of two transports chosen once at
// start-up: the desktop preload (window.frameline) or browser mode's WebSocket.
import { buildApi, unwrapApi, type Api, type ResultApi } from '../../shared/contract';
import { connectWebSocketApi } from './ws-transport';

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

/** The Api for this window. */
export function getApi(): Api {
  api ??= window.frameline
    ? unwrapApi(window.frameline)
    : location.protocol === 'app:'
      ? // The desktop window has no WebSocket to fall back on: say what is wrong instead.
        buildApi(
          () => Promise.resolve({ ok: false, error: { code: 'failed', message: PRELOAD_MISSING } }),
          () => () => {},
        )
      : connectWebSocketApi(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`);
  return api;
}
