// The state of the console's link to the engine: always up in the desktop app (IPC), a WebSocket
// to `frameline serve` in browser mode that can be lost when the server stops.
import { useEffect, useState } from 'react';
import type { Api, ResponseOf } from '../../shared/contract';
import { linkListeners } from '../api/ws-transport';

export type EngineLink = 'connecting' | 'open' | 'lost';
export type AppInfo = ResponseOf<'app', 'info'>;

export function useEngineLink(api: Api): { link: EngineLink; info: AppInfo | null; error: string | null } {
  const [link, setLink] = useState<EngineLink>('connecting');
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const listener = (state: 'open' | 'lost') => setLink(state);
    linkListeners.add(listener);
    let cancelled = false;
    api.app.info({}).then(
      (i) => {
        if (cancelled) return;
        setInfo(i);
        setLink((current) => (current === 'lost' ? current : 'open'));
      },
      (err: Error) => {
        if (cancelled) return;
        setError(err.message);
      },
    );
    return () => {
      cancelled = true;
      linkListeners.delete(listener);
    };
  }, [api]);
  return { link, info, error };
}
