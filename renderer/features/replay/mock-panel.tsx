// Mock on a recorded session: serve its server side as a WebSocket server with faults, copy the URL
// into the client under test, and watch its clients connect and end.
import { useEffect, useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { MockStatus } from '../../../shared/contract/replay';
import { FaultError, faultSyntax, parseFaults } from '../../../shared/replay/faults';
import { CopyButton } from '../../components/copy-button';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatIsoShort } from '../../components/format';

export function MockPanel({ api, sessionId }: { api: Api; sessionId: number }) {
  const [mode, setMode] = useState<'timed' | 'reactive'>('timed');
  const [loop, setLoop] = useState(false);
  const [faults, setFaults] = useState('');
  const [status, setStatus] = useState<MockStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.mock
      .list({})
      .then((all) => {
        const mine = all.find((m) => m.source === sessionId);
        if (live && mine) setStatus(mine);
      })
      .catch(() => {});
    const off = api.on('mock:status', (s) => {
      if (s.source === sessionId)
        setStatus((cur) => (cur === null || cur.sessionId === s.sessionId ? s : cur));
    });
    return () => {
      live = false;
      off();
    };
  }, [api, sessionId]);

  const running = status?.state === 'listening';
  const faultList = faults.split(/[\s,]+/).filter(Boolean);
  const start = () => {
    try {
      parseFaults(faultList);
    } catch (err) {
      setError(err instanceof FaultError ? `Fault: ${err.message}` : errorMessage(err));
      return;
    }
    setBusy(true);
    setError(null);
    api.mock
      .start({ sessionId, mode, loop, faults: faultList })
      .then(setStatus, (err: unknown) => setError(errorMessage(err)))
      .finally(() => setBusy(false));
  };
  const stop = () => {
    if (!status) return;
    setBusy(true);
    api.mock
      .stop({ sessionId: status.sessionId })
      .catch((err: unknown) => setError(errorMessage(err)))
      .finally(() => setBusy(false));
  };

  return (
    <section
      className="replay-panel mock-panel"
      aria-label="Mock server"
      data-state={running ? 'listening' : 'idle'}
    >
      <header className="replay-head">
        <h2>Mock</h2>
        <span className="replay-hint muted">
          Serve the recorded server side, with faults, to the client under test.
        </span>
      </header>
      <form
        className="replay-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) (running ? stop : start)();
        }}
      >
        <label className="replay-field">
          <span>Mode</span>
          <select
            value={mode}
            aria-label="Mock mode"
            disabled={running}
            onChange={(e) => setMode(e.target.value as 'timed' | 'reactive')}
          >
            <option value="timed">timed</option>
            <option value="reactive">reactive</option>
          </select>
        </label>
        <label className="replay-check">
          <input
            type="checkbox"
            checked={loop}
            disabled={running}
            onChange={(e) => setLoop(e.target.checked)}
          />{' '}
          Loop
        </label>
        <label className="replay-field is-wide" title={faultSyntax('mock').join('\n')}>
          <span>Faults</span>
          <input
            value={faults}
            spellCheck={false}
            disabled={running}
            placeholder="idle-cut=30 delay=200±50 close=1011:overloaded@5"
            aria-label="Mock faults"
            onChange={(e) => setFaults(e.target.value)}
          />
        </label>
        <button
          type="submit"
          className={`btn btn-small ${running ? 'btn-danger-ghost' : 'btn-primary'}`}
          disabled={busy}
        >
          {running ? 'Stop' : 'Start mock'}
        </button>
      </form>
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      {status ? (
        <div className="mock-status" data-testid="mock-status">
          <div className="mock-url">
            <span className={`mock-state is-${status.state}`}>{status.state}</span>
            <code className="mono" data-testid="mock-url">
              {status.url}
            </code>
            <CopyButton text={status.url} label="Copy URL" />
            <span className="muted">
              {status.mode}
              {status.loop ? ', looping' : ''}
              {status.faults.length ? ` · ${status.faults.join(' ')}` : ''} · session #{status.sessionId} ·{' '}
              {status.connections} client{status.connections === 1 ? '' : 's'}
            </span>
          </div>
          {status.clients.length > 0 ? (
            <table className="mock-clients" aria-label="Mock clients">
              <thead>
                <tr>
                  <th>#</th>
                  <th>From</th>
                  <th>Connected</th>
                  <th>In</th>
                  <th>Out</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {status.clients.map((c) => (
                  <tr key={c.ordinal} data-client={c.ordinal} data-state={c.state}>
                    <td>{c.ordinal}</td>
                    <td className="mono">{c.remote}</td>
                    <td className="mono">{formatIsoShort(c.openedAt)}</td>
                    <td>{c.framesIn}</td>
                    <td>{c.framesOut}</td>
                    <td>{c.state === 'open' ? 'open' : (c.ending ?? 'closed')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No client yet: point the client under test at the URL above.</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
