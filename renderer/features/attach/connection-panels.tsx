// The side column of the attach screen: how the shown connection ended and how it was opened. A
// capture that reconnected has several connections; the newest is shown unless one is picked.
import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { useCapture, type CaptureStore } from './capture-store';
import { ClosePanel } from './close-panel';
import { HandshakePanel, type Connection } from './handshake-panel';

export function ConnectionPanels({ api, sessionId }: { api: Api; sessionId: number }) {
  const status = useCapture(
    api,
    useCallback((s: CaptureStore) => s.statuses.get(sessionId) ?? null, [sessionId]),
  );
  const [connections, setConnections] = useState<Connection[]>([]);
  const [picked, setPicked] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = status?.connection ?? null;
  // Re-read the session when a connection appears, opens or ends, never per frame.
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
  const shown = all.find((c) => c.id === picked) ?? all[all.length - 1];

  return (
    <div className="connection-panels">
      {error ? (
        <ErrorNote>
          Could not read session {sessionId}: {error}
        </ErrorNote>
      ) : null}
      {all.length > 1 ? (
        <div className="connection-picker" role="tablist" aria-label="Connections">
          {all.map((c) => (
            <button
              key={c.id}
              type="button"
              role="tab"
              aria-selected={c === shown}
              className={c === shown ? 'is-on' : ''}
              onClick={() => setPicked(c.id)}
              title={c.error ? c.error.message : c.closeCode !== null ? `closed with ${c.closeCode}` : 'open'}
            >
              #{c.ordinal}
              <span
                className={`dot ${c.error || (c.closeCode !== null && c.closeCode !== 1000) ? 'dot-lost' : 'dot-open'}`}
              />
            </button>
          ))}
        </div>
      ) : null}
      {shown ? (
        <>
          <ClosePanel connection={shown} />
          <HandshakePanel connection={shown} />
        </>
      ) : (
        <EmptyState title="Connecting…">
          The handshake, its timings and headers appear here once the server answers.
        </EmptyState>
      )}
    </div>
  );
}
