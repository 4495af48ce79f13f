// Relay: a recording relay between a real client and its server. Give the upstream, start it, point
// the client at the URL to copy, and watch its clients connect and end while every frame both ways
// lands in the relay's session, shown live. From the console it listens on loopback only.
import { useEffect, useMemo, useState } from 'react';
import type { Api, ConnectionView } from '../../../shared/contract';
import type { RelayClient, RelayStatus } from '../../../shared/contract/relay';
import { DETECT_FRAMES } from '../../../shared/protocols/detect';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatCount, formatIsoShort } from '../../components/format';
import { RelayIcon } from '../../components/icons';
import { FrameView } from '../frames/frame-view';
import { RelayAddress } from './relay-address';
import { RelayFaults } from './relay-faults';
import { loadRelayDraft, saveRelayDraft, type RelayDraft } from './relay-memory';
import { NO_RELAY_FILES, RelayOptions, upstreamTls, type RelayFiles } from './relay-options';
import '../attach/attach.css';
import './relay.css';

/** The addresses a relay started from the console may listen on. */
const LOOPBACK_HOSTS = ['127.0.0.1', '::1'] as const;

/** The relay this window shows: the one it started, or else the latest one listening in the engine. */
function useShownRelay(api: Api): [RelayStatus | null, (s: RelayStatus) => void] {
  const [status, setStatus] = useState<RelayStatus | null>(null);
  useEffect(() => {
    let live = true;
    api.relay
      .list({})
      .then((all) => {
        const listening = all.filter((r) => r.state === 'listening');
        if (live) setStatus((cur) => cur ?? listening[listening.length - 1] ?? null);
      })
      .catch(() => {
        // nothing running to show: the form stays empty
      });
    const off = api.on('relay:status', (s) => {
      setStatus((cur) => (cur === null || cur.sessionId === s.sessionId ? s : cur));
    });
    return () => {
      live = false;
      off();
    };
  }, [api]);
  return [status, setStatus];
}

/**
 * The relay session's connections, read again when a client connects or ends, and while the first
 * frames that say a connection's protocol are being committed (never per frame after those).
 */
function useRelayConnections(api: Api, status: RelayStatus | null): ConnectionView[] {
  const sessionId = status?.sessionId ?? null;
  const opening = status ? Math.min(status.committed, DETECT_FRAMES * Math.max(1, status.connections)) : 0;
  const shape = status
    ? `${status.state}|${status.clients.map((c) => `${c.ordinal}:${c.state}`).join(',')}|${opening}`
    : '';
  const [connections, setConnections] = useState<ConnectionView[]>([]);
  useEffect(() => {
    if (sessionId === null) return;
    let live = true;
    api.sessions.get({ id: sessionId }).then(
      (r) => live && setConnections(r.connections),
      () => {
        // the next change asks again
      },
    );
    return () => {
      live = false;
    };
  }, [api, sessionId, shape]);
  return connections;
}

export function RelayScreen({ api }: { api: Api }) {
  const [draft, setDraft] = useState<RelayDraft>(loadRelayDraft);
  const [files, setFiles] = useState<RelayFiles>(NO_RELAY_FILES);
  const [status, setStatus] = useShownRelay(api);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [focus, setFocus] = useState<{ sessionId: number; connection: number | null } | null>(null);
  const running = status?.state === 'listening';
  const connections = useRelayConnections(api, status);

  useEffect(() => saveRelayDraft(draft), [draft]);
  const change = (patch: Partial<RelayDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const portValue = draft.port.trim() === '' ? 0 : Number(draft.port);
  const portOk = Number.isInteger(portValue) && portValue >= 0 && portValue <= 65535;
  const proxy = draft.mode === 'proxy';
  const start = () => {
    if (!proxy && !draft.to.trim()) {
      setError('Give the upstream: the ws:// or wss:// URL the client normally connects to.');
      return;
    }
    if (!portOk) {
      setError('The port is a whole number from 0 to 65535 (empty or 0: any free port).');
      return;
    }
    const own = !proxy && draft.serveTls === 'own';
    if (own && (files.tlsCert === null || files.tlsKey === null)) {
      setError('Serving wss:// with your own certificate needs both the certificate and its key.');
      return;
    }
    const ca = upstreamTls(draft) ? files.upstreamCa : null;
    setBusy(true);
    setError(null);
    api.relay
      // clientEvents: the Faults section shows what faults did from the relay's `relay:fault` pushes.
      .start({
        ...(proxy ? { proxy: true } : { to: draft.to.trim(), tls: draft.serveTls === 'local-ca' }),
        ...(own && files.tlsCert && files.tlsKey
          ? { tlsCertPem: files.tlsCert.text, tlsKeyPem: files.tlsKey.text }
          : {}),
        ...(ca ? { caPem: ca.text, pemFiles: { ca: ca.name } } : {}),
        insecure: upstreamTls(draft) && draft.insecure,
        host: draft.host,
        port: portValue,
        clientEvents: true,
      })
      .then(setStatus, (err: unknown) => setError(errorMessage(err)))
      .finally(() => setBusy(false));
  };
  const stop = () => {
    if (!status) return;
    setBusy(true);
    api.relay
      .stop({ sessionId: status.sessionId })
      .then(setStatus, (err: unknown) => setError(errorMessage(err)))
      .finally(() => setBusy(false));
  };

  return (
    <div className="relay-screen" data-state={running ? 'listening' : status ? 'stopped' : 'idle'}>
      <div className="connect-area">
        <form
          className="connect-bar relay-bar"
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) (running ? stop : start)();
          }}
        >
          <div className={`url-field${error ? ' has-error' : ''}`}>
            <span className="url-scheme" aria-hidden="true">
              UPSTREAM
            </span>
            <input
              aria-label="Upstream URL"
              placeholder={
                proxy ? 'none: clients name their servers through the proxy' : 'wss://app.example.com/socket'
              }
              value={running ? (status.to ?? '') : proxy ? '' : draft.to}
              readOnly={running}
              disabled={!running && proxy}
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => change({ to: e.target.value })}
            />
          </div>
          <label className="relay-listen" title="From the console a relay listens on this machine only">
            <span>Listen</span>
            <select
              aria-label="Listen address"
              value={draft.host}
              disabled={running}
              onChange={(e) => change({ host: e.target.value })}
            >
              {LOOPBACK_HOSTS.map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </select>
            <span aria-hidden="true">:</span>
            <input
              aria-label="Listen port"
              className="relay-port"
              inputMode="numeric"
              placeholder="any"
              value={running ? String(status.port) : draft.port}
              readOnly={running}
              onChange={(e) => change({ port: e.target.value })}
            />
          </label>
          {running ? (
            <button type="submit" className="btn btn-danger" disabled={busy}>
              {busy ? 'Stopping…' : 'Stop'}
            </button>
          ) : (
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Starting…' : proxy ? 'Start proxy' : 'Start relay'}
            </button>
          )}
        </form>
        {running ? null : (
          <RelayOptions
            draft={draft}
            files={files}
            onChange={change}
            onFiles={(patch) => setFiles((f) => ({ ...f, ...patch }))}
          />
        )}
        {error ? (
          <ErrorNote>{error}</ErrorNote>
        ) : (
          <p className="options-summary">
            {(running ? status.proxy : proxy)
              ? 'Clients reach their servers through this proxy; only their WebSocket upgrades are relayed and recorded, in one session.'
              : 'The client connects here and is relayed to the upstream, its path and query appended; every frame both ways is recorded in one session.'}
          </p>
        )}
      </div>
      {status ? (
        <div className="attach-main">
          <div className="attach-center">
            <FrameView
              key={status.sessionId}
              api={api}
              sessionId={status.sessionId}
              connections={connections}
              connection={focus?.sessionId === status.sessionId ? focus.connection : null}
              onConnection={(connection) => setFocus({ sessionId: status.sessionId, connection })}
              {...(running ? { live: { committed: status.committed, active: true } } : {})}
            />
          </div>
          <aside className="attach-side relay-side" aria-label="Relay">
            <RelayAddress status={status} />
            <RelayFaults api={api} status={status} />
            <RelayClients
              status={status}
              connections={connections}
              onPick={(connection) => setFocus({ sessionId: status.sessionId, connection })}
            />
          </aside>
        </div>
      ) : (
        <div className="relay-intro">
          <EmptyState title="Record a real client through a relay" icon={<RelayIcon />}>
            <p>
              When the connection that fails is a browser app&rsquo;s, a mobile app&rsquo;s or a
              service&rsquo;s, put Frameline in the middle: give the upstream the client normally connects to,
              start the relay, and point the client at the address it gives.
            </p>
          </EmptyState>
        </div>
      )}
    </div>
  );
}

function clientState(c: RelayClient): string {
  return c.state === 'closed' ? 'ended' : c.state;
}

/** Each client that came through: from where, relayed to which URL, frames each way, how it ended. */
function RelayClients({
  status,
  connections,
  onPick,
}: {
  status: RelayStatus;
  connections: readonly ConnectionView[];
  onPick: (connectionId: number) => void;
}) {
  const idOf = useMemo(() => new Map(connections.map((c) => [c.ordinal, c.id])), [connections]);
  return (
    <section className="relay-section" aria-label="Relay clients">
      <h3 className="relay-heading">
        Clients
        {status.connections > status.clients.length ? (
          <span className="muted small">
            {' '}
            · the latest {status.clients.length} of {status.connections}
          </span>
        ) : null}
      </h3>
      {status.clients.length === 0 ? (
        <p className="muted small">
          {status.state !== 'listening'
            ? 'No client came.'
            : status.proxy
              ? 'No client yet: set the address above as its HTTP proxy.'
              : 'No client yet: point one at the URL above.'}
        </p>
      ) : (
        <ul className="relay-clients">
          {[...status.clients].reverse().map((c) => {
            const id = idOf.get(c.ordinal);
            return (
              <li key={c.ordinal} className="relay-client" data-client={c.ordinal} data-state={c.state}>
                <div className="relay-client-head">
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    disabled={id === undefined}
                    title="Show only this client's frames"
                    onClick={() => id !== undefined && onPick(id)}
                  >
                    #{c.ordinal}
                  </button>
                  <code className="mono">{c.remote}</code>
                  <span className={`chip relay-client-state is-${c.state}`}>{clientState(c)}</span>
                  <span className="spacer" />
                  <span className="muted small mono">{formatIsoShort(c.openedAt)}</span>
                </div>
                <code className="mono relay-client-url" title="The upstream URL it was relayed to">
                  {c.url}
                </code>
                <div className="relay-client-counts small">
                  <span title="Frames the client sent">{formatCount(c.framesOut)} out</span>
                  <span title="Frames the server sent">{formatCount(c.framesIn)} in</span>
                </div>
                {c.ending ? <p className="relay-client-ending small">{c.ending}</p> : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
