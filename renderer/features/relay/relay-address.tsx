// Where clients reach a relay, to copy: its ws:// or wss:// URL, or the http:// address of a forward
// proxy; what it relays to and records into; and, when it serves certificates Frameline's local CA
// signed, the CA file clients must trust and how (the lines `frameline relay` prints).
import type { RelayStatus } from '../../../shared/contract/relay';
import { trustAdvice } from '../../../shared/ca-trust';
import { CopyButton } from '../../components/copy-button';
import { formatCount } from '../../components/format';
import { SessionLink } from '../../components/links';

export function RelayAddress({ status }: { status: RelayStatus }) {
  const listening = status.state === 'listening';
  const [, ...how] = status.caFile ? trustAdvice(status.caFile) : [];
  return (
    <section className="relay-section" aria-label="Relay address" data-testid="relay-status">
      {status.proxy ? <h3 className="relay-heading">Proxy address</h3> : null}
      <div className="relay-url">
        <span className={`relay-state is-${status.state}`}>{status.state}</span>
        <code className="mono" data-testid="relay-url">
          {status.url}
        </code>
        {listening ? (
          status.proxy ? (
            <CopyButton
              text={status.url}
              label="Copy proxy address"
              title="Copy the address to set as the client's HTTP proxy"
            />
          ) : (
            <CopyButton text={status.url} label="Copy URL" title="Copy the URL to give the client" />
          )
        ) : null}
      </div>
      <p className="relay-facts muted">
        {status.proxy ? (
          'Forward proxy'
        ) : (
          <>
            {listening ? 'Relaying to ' : 'Relayed to '}
            <code className="mono">{status.to}</code>
          </>
        )}
        {status.tls ? ' · wss:// to clients' : ''} · <SessionLink id={status.sessionId} /> ·{' '}
        {status.connections} client{status.connections === 1 ? '' : 's'} · {formatCount(status.committed)}{' '}
        frames
      </p>
      {listening ? (
        <p className="relay-hint muted small">
          {status.proxy
            ? `Set it as the client's HTTP proxy (Chromium: --proxy-server=${status.url}; most tools: HTTPS_PROXY and HTTP_PROXY). Other requests pass through unrecorded; it listens on this machine only.`
            : 'Point the client at this URL, with the path and query it uses; it listens on this machine only.'}
        </p>
      ) : null}
      {status.caFile && listening ? (
        <div className="relay-trust" data-testid="relay-trust">
          <p className="small">
            Clients must trust Frameline&rsquo;s certificate authority:{' '}
            <code className="mono">{status.caFile}</code>{' '}
            <CopyButton text={status.caFile} label="Copy CA path" title="Copy the CA certificate's path" />
          </p>
          <details className="relay-trust-details">
            <summary className="small">How to trust it</summary>
            <ul className="relay-trust-how small mono">
              {how.map((line) => (
                <li key={line}>{line.trim()}</li>
              ))}
            </ul>
          </details>
        </div>
      ) : null}
    </section>
  );
}
