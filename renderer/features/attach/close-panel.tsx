// How a connection ended: the close code, the reason, who closed it, and what that usually means —
// or, for a connection that never opened, why not and what to try.
import type { ReactNode } from 'react';
import { parseMicros } from '../../../shared/time';
import { CloseExplanation } from '../../components/close-explanation';
import { clockMicros } from '../../components/charts/clock';
import { formatIsoShort, formatMs } from '../../components/format';
import { zoneWord } from '../../components/time-zone';
import { awaitingUpgrade, hasEnded, type Connection } from './handshake-panel';

const FAILURE_HINTS: Record<NonNullable<Connection['error']>['kind'], string> = {
  refused: 'Nothing accepted the TCP connection: check the host and port, and whether the service is up.',
  dns: 'The host name did not resolve: check its spelling, and this machine’s DNS or VPN.',
  timeout:
    'No answer within the connect timeout: a firewall dropping packets, or a server too busy to accept.',
  tls: 'TLS failed: an untrusted, expired or mismatched certificate. Give the CA file, or accept any certificate on test endpoints.',
  protocol: 'The peer broke the WebSocket protocol: a buggy library, or a proxy rewriting frames.',
  reset: 'The connection was reset: a proxy or load balancer cut it, or the server process died.',
  'upgrade-rejected':
    'The server answered the upgrade with a plain HTTP response instead of 101: see the status, headers and body under Handshake.',
  proxy:
    'The proxy refused or failed the CONNECT tunnel: check the proxy URL and whether it allows this host.',
  other: 'See the message above; the handshake below shows how far it got.',
};

const CLOSED_BY = {
  client: 'Closed by the client (Frameline)',
  server: 'Closed by the server',
  network: 'No close frame: the network connection went away',
  relay: "Closed by Frameline's relay",
} as const;

/** Seconds from the last frame to the end: the silence before a cut, the clue to an idle timeout. */
export function silenceBeforeEnd(c: Connection): number | null {
  if (!c.closedAt || !c.lastFrameTs) return null;
  try {
    return Math.max(0, (parseMicros(c.closedAt) - parseMicros(c.lastFrameTs)) / 1e6);
  } catch {
    return null;
  }
}

function lifetime(c: Connection): string | null {
  if (!c.openedAt || !c.closedAt) return null;
  try {
    return formatMs((parseMicros(c.closedAt) - parseMicros(c.openedAt)) / 1000);
  } catch {
    return null;
  }
}

/** The Close panel of a connection that has not ended: what it waits for. */
function NotClosedYet({ chip, tone, children }: { chip: string; tone: 'ok' | 'warn'; children: ReactNode }) {
  return (
    <section
      className={`panel close-panel ${tone === 'ok' ? 'is-open' : 'is-connecting'}`}
      aria-label="Close"
    >
      <header className="panel-head">
        <h2>Close</h2>
        <span className={`chip chip-${tone}`}>{chip}</span>
      </header>
      <p className="muted">{children}</p>
    </section>
  );
}

export function ClosePanel({ connection }: { connection: Connection }) {
  const c = connection;
  if (awaitingUpgrade(c)) {
    return (
      <NotClosedYet chip="Connecting" tone="warn">
        Waiting for the server to answer the upgrade. If no answer comes within the connect timeout, why and
        what to try show here.
      </NotClosedYet>
    );
  }
  if (!hasEnded(c)) {
    return (
      <NotClosedYet chip="open" tone="ok">
        Open since {c.openedAt ? formatIsoShort(c.openedAt) : 'just now'}. When it closes, the code, the
        reason, who closed it and what that usually means show here.
      </NotClosedYet>
    );
  }
  const neverOpened = c.openedAt === null;
  const code = c.closeCode ?? (c.closedBy === 'network' && !neverOpened ? 1006 : null);
  const life = lifetime(c);
  const silence = code !== null && code !== 1000 && !neverOpened ? silenceBeforeEnd(c) : null;
  return (
    <section
      className={`panel close-panel ${code === 1000 ? 'is-normal' : 'is-abnormal'}`}
      aria-label="Close"
    >
      <header className="panel-head">
        <h2>{neverOpened ? 'Connection failed' : 'Close'}</h2>
        {c.closedBy ? <span className="chip">{c.closedBy}</span> : null}
      </header>
      {c.error ? (
        <div className="close-failure">
          <p className="close-failure-kind">{c.error.kind}</p>
          <p>{c.error.message}</p>
          <p className="muted">{FAILURE_HINTS[c.error.kind]}</p>
        </div>
      ) : null}
      {c.closedBy ? <p className="closed-by">{CLOSED_BY[c.closedBy]}</p> : null}
      {silence !== null ? (
        <p className="close-silence" data-testid="close-silence">
          No traffic for {silence.toFixed(1)} s before the cut
          {c.lastFrameTs ? (
            <span className="muted"> (last frame {clockMicros(parseMicros(c.lastFrameTs))})</span>
          ) : null}
          .
          {code === 1006
            ? ' The same silence before every cut is a proxy or load-balancer idle timeout.'
            : ''}
        </p>
      ) : null}
      {code !== null ? <CloseExplanation code={code} reason={c.closeReason} /> : null}
      <dl className="facts">
        {c.openedAt ? (
          <>
            <dt>Opened</dt>
            <dd>{formatIsoShort(c.openedAt)}</dd>
          </>
        ) : null}
        {c.closedAt ? (
          <>
            <dt>Ended</dt>
            <dd title={c.closedAt}>{formatIsoShort(c.closedAt)}</dd>
          </>
        ) : null}
        {life ? (
          <>
            <dt>Open for</dt>
            <dd>{life}</dd>
          </>
        ) : null}
        {c.lastFrameTs ? (
          <>
            <dt>Last frame</dt>
            <dd title={c.lastFrameTs}>
              {clockMicros(parseMicros(c.lastFrameTs))} {zoneWord()}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
