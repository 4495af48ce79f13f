// The state of the console's link to the engine: in the desktop app, IPC to the engine's own
// process, which main restarts if it stops (`engine:link` says so); in browser mode, a WebSocket to
// `frameline serve` that can be lost when the server stops.
import { useEffect, useState } from 'react';
import type { Api, PayloadOf, ResponseOf } from '../../shared/contract';
import { linkListeners } from '../api/ws-transport';

export type EngineLink = 'connecting' | 'open' | 'lost' | 'restarting';
export type AppInfo = ResponseOf<'app', 'info'>;

export function useEngineLink(api: Api): {
  link: EngineLink;
  info: AppInfo | null;
  error: string | null;
  /** What the desktop shell last said about its engine process (a restart, a failure). */
  notice: string | null;
} {
  const [link, setLink] = useState<EngineLink>('connecting');
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    const listener = (state: 'open' | 'lost') => setLink(state);
    linkListeners.add(listener);
    const offEngine = api.on('engine:link', (p: PayloadOf<'engine:link'>) => {
      setNotice(p.message);
      setLink(p.state === 'open' ? 'open' : p.state === 'restarting' ? 'restarting' : 'lost');
    });
    let cancelled = false;
    api.app.info({}).then(
      (i) => {
        if (cancelled) return;
        setInfo(i);
        setLink((current) => (current === 'connecting' ? 'open' : current));
      },
      (err: Error) => {
        if (cancelled) return;
        setError(err.message);
      },
    );
    return () => {
      cancelled = true;
      linkListeners.delete(listener);
      offEngine();
    };
  }, [api]);
  return { link, info, error, notice };
}
