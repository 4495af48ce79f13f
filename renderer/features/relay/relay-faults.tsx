// The Relay screen's faults: add one in the relay's grammar (checked by the one parser as it is
// typed), see the faults on, switch each off — live, for the clients connected and those to come
// (relay:faults) — and what the faults did lately, from the relay's `relay:fault` pushes.
import { useEffect, useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { RelayFaultEvent, RelayStatus } from '../../../shared/contract/relay';
import { faultText, parseFault, FaultError } from '../../../shared/replay/faults';
import { ErrorNote, errorMessage } from '../../components/error-note';

/** What the section keeps of what faults did: the latest few, repeats folded into a count. */
const RECENT = 6;

interface Applied {
  client: number;
  fault: string;
  action: string;
  times: number;
  at: number;
}

/** What a fault did lately to the relay's clients, newest first. */
function useFaultsApplied(api: Api, sessionId: number): Applied[] {
  const [applied, setApplied] = useState<Applied[]>([]);
  useEffect(() => {
    setApplied([]);
    return api.on('relay:fault', (f: RelayFaultEvent) => {
      if (f.sessionId !== sessionId) return;
      setApplied((cur) => {
        const last = cur[0];
        if (last && last.client === f.client && last.fault === f.fault && last.action === f.action)
          return [{ ...last, times: last.times + 1, at: Date.now() }, ...cur.slice(1)];
        return [
          { client: f.client, fault: f.fault, action: f.action, times: 1, at: Date.now() },
          ...cur,
        ].slice(0, RECENT);
      });
    });
  }, [api, sessionId]);
  return applied;
}

/** The fault typed, as the relay would read it, or the sentence that says what to write. */
function checkFault(text: string): { fault: string } | { error: string } | null {
  if (text.trim() === '') return null;
  try {
    return { fault: faultText(parseFault(text, 'relay')) };
  } catch (err) {
    return { error: err instanceof FaultError ? err.message : errorMessage(err) };
  }
}

export function RelayFaults({ api, status }: { api: Api; status: RelayStatus }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const applied = useFaultsApplied(api, status.sessionId);
  const listening = status.state === 'listening';
  const checked = checkFault(text);
  const typed = checked && 'error' in checked ? checked.error : null;

  const change = (request: { on?: string[]; off?: string[] }, after?: () => void) => {
    setBusy(true);
    setError(null);
    api.relay
      .faults({ sessionId: status.sessionId, on: request.on ?? [], off: request.off ?? [] })
      .then(
        () => after?.(),
        (err: unknown) => setError(errorMessage(err)),
      )
      .finally(() => setBusy(false));
  };
  const add = () => {
    if (!checked || !('fault' in checked)) return;
    change({ on: [checked.fault] }, () => setText(''));
  };

  return (
    <section className="relay-section" aria-label="Relay faults">
      <h3 className="relay-heading">Faults</h3>
      {status.faults.length === 0 ? (
        <p className="relay-faults-none muted small">
          {listening ? 'None: clients are relayed as they are.' : 'None were on.'}
        </p>
      ) : (
        <ul className="relay-faults">
          {status.faults.map((f) => (
            <li key={f} className="relay-fault" data-fault={f}>
              <code className="mono">{f}</code>
              {listening ? (
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  disabled={busy}
                  aria-label={`Switch off ${f}`}
                  title="Switch it off for the clients connected and those to come"
                  onClick={() => change({ off: [f.split('=')[0]!] })}
                >
                  Off
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {listening ? (
        <form
          className="relay-fault-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) add();
          }}
        >
          <input
            aria-label="Fault"
            className="mono"
            placeholder="idle-cut=30 · stall=10@5 · delay=200±50"
            value={text}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={typed !== null}
            onChange={(e) => setText(e.target.value)}
          />
          <button
            type="submit"
            className="btn btn-small"
            disabled={busy || !checked || 'error' in checked}
            title="Switch it on for the clients connected and those to come (replaces one of the same kind)"
          >
            Switch on
          </button>
        </form>
      ) : null}
      {typed ? <p className="relay-fault-error small">{typed}</p> : null}
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      {applied.length > 0 ? (
        <ul className="relay-faults-applied small" aria-label="What faults did">
          {applied.map((a) => (
            <li key={`${a.at}-${a.client}-${a.action}`} data-action={a.action}>
              <span className="mono">#{a.client}</span> <code className="mono">{a.fault}</code> {a.action}
              {a.times > 1 ? <span className="muted"> ×{a.times}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
