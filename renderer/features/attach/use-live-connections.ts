// The connections of a live capture: read from the engine when one appears, opens or ends (never
// per frame), with the newest one as fresh as the last status push that changed what it says.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { errorMessage } from '../../components/error-note';
import { captureStore, useCapture, type CaptureStore } from './capture-store';
import type { Connection } from './handshake-panel';

export function useLiveConnections(
  api: Api,
  sessionId: number,
): { connections: Connection[]; error: string | null } {
  // A push moves the newest connection's counters, which nothing that uses this hook shows: the
  // slice is what can change about it otherwise, so that a flood re-renders none of them.
  const latestKey = useCapture(
    api,
    useCallback(
      (s: CaptureStore) => {
        const status = s.statuses.get(sessionId);
        if (!status) return '';
        const c = status.connection;
        const rest = c
          ? { ...c, frames: 0, bytesIn: 0, bytesOut: 0, firstFrameTs: null, lastFrameTs: null }
          : null;
        return JSON.stringify([status.state, rest]);
      },
      [sessionId],
    ),
  );
  const [connections, setConnections] = useState<Connection[]>([]);
  const [error, setError] = useState<string | null>(null);
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
  }, [api, sessionId, latestKey]);
  // The status push is fresher than the last read for the newest connection.
  const all = useMemo(() => {
    const latest = captureStore(api).statuses.get(sessionId)?.connection ?? null;
    return latest
      ? [...connections.filter((c) => c.id !== latest.id), latest].sort((a, b) => a.ordinal - b.ordinal)
      : connections;
  }, [api, sessionId, connections, latestKey]);
  return { connections: all, error };
}
