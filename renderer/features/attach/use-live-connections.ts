// The connections of a live capture: read from the engine when one appears, opens or ends (never
// per frame), with the newest one as fresh as the last status push.
import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { errorMessage } from '../../components/error-note';
import { useCapture, type CaptureStore } from './capture-store';
import type { Connection } from './handshake-panel';

export function useLiveConnections(
  api: Api,
  sessionId: number,
): { connections: Connection[]; error: string | null } {
  const status = useCapture(
    api,
    useCallback((s: CaptureStore) => s.statuses.get(sessionId) ?? null, [sessionId]),
  );
  const [connections, setConnections] = useState<Connection[]>([]);
  const [error, setError] = useState<string | null>(null);
  const latest = status?.connection ?? null;
  const milestone = `${status?.state}:${latest?.id}:${latest?.openedAt}:${latest?.closedAt}:${latest?.closeCode}`;
  useEffect(() => {
    let cancelled = false;
    api.sessions.get({ id: sessionId }).then(
      (r) => {
        if (cancelled) return;
        setConnections(r.connections);
        setError(null);
      },
      (err: unknown) => !cancelled && setError(errorMessage(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [api, sessionId, milestone]);
  // The status push is fresher than the last read for the newest connection.
  const all = latest
    ? [...connections.filter((c) => c.id !== latest.id), latest].sort((a, b) => a.ordinal - b.ordinal)
    : connections;
  return { connections: all, error };
}
