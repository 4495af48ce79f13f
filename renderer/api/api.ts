// The console talks to the engine through one Api, backed by one of two transports chosen once at
// start-up: the desktop preload (window.frameline) or browser mode's WebSocket.
import { unwrapApi, type Api, type ResultApi } from '../../shared/contract';
import { connectWebSocketApi } from './ws-transport';

declare global {
  interface Window {
    /** Exposed by the desktop preload (answers Results); absent in browser mode. */
    frameline?: ResultApi;
  }
}

let api: Api | null = null;

/** The Api for this window. */
export function getApi(): Api {
  api ??= window.frameline
    ? unwrapApi(window.frameline)
    : connectWebSocketApi(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`);
  return api;
}
