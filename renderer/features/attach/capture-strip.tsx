// The live capture at a glance: state, counters each way, frames/s over the last minute, and the
// last ping round trip with a Ping button. Re-renders on status pushes; nothing else does.
import { useCallback, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { errorMessage } from '../../components/error-note';
import { formatBytes, formatCount, formatMs, formatRate } from '../../components/format';
import { PulseIcon } from '../../components/icons';
import { Sparkline } from '../../components/sparkline';
import { RATE_SECONDS, useCapture, type CaptureStore } from './capture-store';

const STATE_LABEL = {
  connecting: 'Connecting',
  open: 'Open',
  closing: 'Closing',
  reconnecting: 'Reconnecting',
  ended: 'Ended',
} as const;

export function CaptureStrip({ api, sessionId }: { api: Api; sessionId: number }) {
  const status = useCapture(
    api,
    useCallback((s: CaptureStore) => s.statuses.get(sessionId) ?? null, [sessionId]),
  );
  const series = useCapture(
    api,
    useCallback((s: CaptureStore) => s.rate(sessionId), [sessionId]),
  );
  const [pingError, setPingError] = useState<string | null>(null);
  const [pinging, setPinging] = useState(false);
  if (!status) {
    return (
      <div className="capture-strip">
        <span className="state-pill is-connecting">Starting</span>
        <span className="muted">Waiting for the engine’s first status…</span>
      </div>
    );
  }
  const ping = () => {
    setPinging(true);
    setPingError(null);
    api.capture
      .ping({ sessionId })
      .catch((err: unknown) => setPingError(`Ping failed: ${errorMessage(err)}`))
      .finally(() => setPinging(false));
  };
  const current = series[series.length - 1] ?? 0;
  // Frames reach the list once committed; a burst queues on disk first, and nothing is dropped.
  const backlog = status.framesIn + status.framesOut - status.committed;
  const peak = Math.max(...series);
  return (
    <div className="capture-strip" aria-label="Capture status">
      <span className={`state-pill is-${status.state}`} data-testid="capture-state">
        <span className="dot" aria-hidden="true" />
        {STATE_LABEL[status.state]}
      </span>
      <span className="strip-url" title={status.url}>
        {status.url}
      </span>
      <span className="strip-counter" title="Frames and bytes received">
        <span className="dir-mark dir-in">↓</span>
        <strong>{formatCount(status.framesIn)}</strong>{' '}
        <span className="muted">{formatBytes(status.bytesIn)}</span>
      </span>
      <span className="strip-counter" title="Frames and bytes sent">
        <span className="dir-mark dir-out">↑</span>
        <strong>{formatCount(status.framesOut)}</strong>{' '}
        <span className="muted">{formatBytes(status.bytesOut)}</span>
      </span>
      <span
        className="strip-rate"
        title={`Frames per second, both directions, over the last ${RATE_SECONDS} s (peak ${formatRate(peak)})`}
      >
        <Sparkline
          values={series}
          width={110}
          height={22}
          label={`Frame rate over the last ${RATE_SECONDS} seconds`}
        />
        <span>{status.state === 'ended' ? '' : formatRate(current)}</span>
      </span>
      {backlog > 1000 ? (
        <span
          className="strip-backlog"
          title="Recorded on disk and being written to the database; the frame list shows them as they land. Nothing is dropped."
        >
          {formatCount(backlog)} queued for the database
        </span>
      ) : null}
      <span className="strip-rtt" title="Round trip of the last answered ping">
        RTT <strong>{status.lastPingRttMs === null ? '—' : formatMs(status.lastPingRttMs)}</strong>
      </span>
      <button
        type="button"
        className="btn btn-small"
        onClick={ping}
        disabled={status.state !== 'open' || pinging}
      >
        <PulseIcon /> Ping
      </button>
      {pingError ? (
        <span className="strip-error" role="alert">
          {pingError}
        </span>
      ) : status.message ? (
        <span className="strip-message">{status.message}</span>
      ) : null}
    </div>
  );
}
