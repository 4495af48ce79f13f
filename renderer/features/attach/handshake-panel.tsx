// The opening handshake of one connection: HTTP status, what was negotiated, how long each phase
// took, and both sets of headers (copyable for a ticket).
import type { ResponseOf } from '../../../shared/contract';
import { CopyButton } from '../../components/copy-button';
import { headerLines, KvTable } from '../../components/kv-table';
import { TimingWaterfall } from './timing-waterfall';

export type Connection = ResponseOf<'sessions', 'get'>['connections'][number];

/** The connection closed, failed, or was cut: its end is recorded. */
export function hasEnded(c: Connection): boolean {
  return c.closedAt !== null || c.closeCode !== null || c.error !== null;
}

/** An attempt whose upgrade has not been answered yet: neither open nor ended. */
export function awaitingUpgrade(c: Connection): boolean {
  return c.openedAt === null && !hasEnded(c);
}

const REASONS: Record<number, string> = {
  101: 'Switching Protocols',
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function HandshakePanel({ connection }: { connection: Connection }) {
  const request = Object.entries(connection.requestHeaders);
  const response = Object.entries(connection.responseHeaders);
  const status = connection.status;
  const waiting = awaitingUpgrade(connection);
  return (
    <section className="panel" aria-label="Handshake">
      <header className="panel-head">
        <h2>Handshake</h2>
        {status === null ? (
          <span className="chip chip-warn">{waiting ? 'waiting for the answer' : 'no HTTP response'}</span>
        ) : (
          <span className={`chip ${status === 101 ? 'chip-ok' : 'chip-error'}`}>
            HTTP {status} {REASONS[status] ?? ''}
          </span>
        )}
      </header>
      <dl className="facts">
        <dt>Subprotocol</dt>
        <dd>{connection.subprotocol ?? <span className="muted">none negotiated</span>}</dd>
        <dt>Extensions</dt>
        <dd>{connection.extensions ?? <span className="muted">none</span>}</dd>
      </dl>
      {connection.responseBodyHead ? (
        <>
          <h3 className="panel-subhead">Response body (first 2 KiB)</h3>
          <pre className="payload-raw small">{connection.responseBodyHead}</pre>
        </>
      ) : null}
      <h3 className="panel-subhead">Timing</h3>
      <TimingWaterfall timings={connection.timings} />
      <div className="panel-subhead-row">
        <h3 className="panel-subhead">Request headers</h3>
        {request.length ? (
          <CopyButton text={headerLines(request)} label="Copy" title="Copy request headers" />
        ) : null}
      </div>
      <KvTable entries={request} label="Request headers" empty="No request was sent." />
      <div className="panel-subhead-row">
        <h3 className="panel-subhead">Response headers</h3>
        {response.length ? (
          <CopyButton text={headerLines(response)} label="Copy" title="Copy response headers" />
        ) : null}
      </div>
      <KvTable
        entries={response}
        label="Response headers"
        empty={
          waiting
            ? 'The server has not answered the upgrade yet.'
            : 'No response headers: the server never answered the upgrade.'
        }
      />
    </section>
  );
}
