// The side column of the attach screen: how the shown connection ended and how it was opened. A
// capture that reconnected has several connections; the newest is shown unless one is picked, and
// picking one narrows the frame list to its frames.
import { useCallback, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote } from '../../components/error-note';
import { useCapture, type CaptureStore } from './capture-store';
import { ClosePanel } from './close-panel';
import { HandshakePanel } from './handshake-panel';
import { useLiveConnections } from './use-live-connections';

export function ConnectionPanels({
  api,
  sessionId,
  onPick,
}: {
  api: Api;
  sessionId: number;
  /** A connection was picked (its id): the frame list shows its frames. */
  onPick?: (connectionId: number) => void;
}) {
  const state = useCapture(
    api,
    useCallback((s: CaptureStore) => s.statuses.get(sessionId)?.state ?? 'connecting', [sessionId]),
  );
  const { connections: all, error } = useLiveConnections(api, sessionId);
  const [picked, setPicked] = useState<number | null>(null);
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
              onClick={() => {
                setPicked(c.id);
                onPick?.(c.id);
              }}
              title={`${c.error ? c.error.message : c.closeCode !== null ? `closed with ${c.closeCode}` : 'open'}: show its frames`}
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
      ) : state === 'open' ? (
        <EmptyState title="Open — reading the handshake…">
          The handshake, its timings and headers appear here as soon as they are recorded.
        </EmptyState>
      ) : (
        <EmptyState title={state === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}>
          The handshake, its timings and headers appear here once the server answers.
        </EmptyState>
      )}
    </div>
  );
}
