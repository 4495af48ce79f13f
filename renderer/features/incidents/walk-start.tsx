// Starting a walk of an incident: which runbook, the endpoint its probes and captures look at (with
// the backend's own address for the direct-vs-proxy comparison), and how they connect to it.
import { useEffect, useId, useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { RunbookSummary } from '../../../shared/runbooks/schemas';
import type { WalkView } from '../../../shared/contract/incidents';
import { ErrorNote, errorMessage } from '../../components/error-note';
import type { DraftErrors } from '../attach/attach-draft';
import { EMPTY_PROFILE, profileOfDraft, ProfileFields, type ProfileDraft } from './walk-profile';

const PREFERRED = 'ws-3am';

export function WalkStart({
  api,
  incidentId,
  onStarted,
  onCancel,
}: {
  api: Api;
  incidentId: number;
  onStarted: (w: WalkView) => void;
  onCancel?: () => void;
}) {
  const [runbooks, setRunbooks] = useState<RunbookSummary[] | null>(null);
  const [runbookId, setRunbookId] = useState('');
  const [target, setTarget] = useState('');
  const [direct, setDirect] = useState('');
  const [profile, setProfile] = useState<ProfileDraft>(EMPTY_PROFILE);
  const [profileErrors, setProfileErrors] = useState<DraftErrors>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  useEffect(() => {
    let live = true;
    api.runbooks
      .list({})
      .then((list) => {
        if (!live) return;
        setRunbooks(list);
        setRunbookId((r) => r || (list.find((b) => b.id === PREFERRED) ?? list[0])?.id || '');
      })
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [api]);

  const chosen = runbooks?.find((r) => r.id === runbookId);
  const start = async () => {
    const given = profileOfDraft(profile);
    setProfileErrors(given.errors);
    if (!given.profile) return;
    setBusy(true);
    setError(null);
    try {
      const w = await api.walks.start({
        incidentId,
        runbookId,
        ...(target.trim() ? { target: target.trim() } : {}),
        ...(direct.trim() ? { direct: direct.trim() } : {}),
        profile: given.profile,
      });
      onStarted(w);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <form
      className="walk-start"
      aria-label="Start a walk"
      onSubmit={(e) => {
        e.preventDefault();
        if (runbookId && !busy) void start();
      }}
    >
      <h2 className="walk-start-title">Walk a runbook</h2>
      <p className="muted">
        The walk goes node by node through the runbook’s flowchart. The app runs the probes, captures and
        diagnoses it can; every step, choice, note and output goes into this incident’s timeline.
      </p>
      <div className="field">
        <label htmlFor={`${id}-runbook`}>Runbook</label>
        <select
          id={`${id}-runbook`}
          value={runbookId}
          onChange={(e) => setRunbookId(e.target.value)}
          disabled={!runbooks}
        >
          {(runbooks ?? []).map((r) => (
            <option key={r.id} value={r.id}>
              {r.title} ({r.id}, {r.nodes} nodes{r.source === 'imported' ? ', imported' : ''})
            </option>
          ))}
        </select>
        {chosen?.appliesTo.length ? <p className="field-hint">For: {chosen.appliesTo.join(', ')}</p> : null}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-target`}>Endpoint</label>
          <input
            id={`${id}-target`}
            className="mono"
            placeholder="wss://chat.example.com/socket"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            spellCheck={false}
          />
          <p className="field-hint">What probes and captures connect to; commands get it as WS_URL.</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-direct`}>Backend, bypassing the load balancer</label>
          <input
            id={`${id}-direct`}
            className="mono"
            placeholder="ws://10.0.0.12:8080/socket (optional)"
            value={direct}
            onChange={(e) => setDirect(e.target.value)}
            spellCheck={false}
          />
          <p className="field-hint">For the direct-vs-proxy probe; commands get it as DIRECT_URL.</p>
        </div>
      </div>
      <details className="walk-start-profile" open={Object.keys(profileErrors).length > 0 || undefined}>
        <summary>Connection profile: headers, credentials, subprotocol, protocol, messages on open</summary>
        <p className="field-hint">
          Every capture, probe and relay of the walk connects with it (as the Attach screen would).
        </p>
        <ProfileFields
          draft={profile}
          errors={profileErrors}
          disabled={busy}
          onChange={(p) => setProfile((d) => ({ ...d, ...p }))}
        />
      </details>
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      <div className="walk-start-actions">
        {onCancel ? (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={!runbookId || busy}>
          {busy ? 'Starting…' : 'Start the walk'}
        </button>
      </div>
    </form>
  );
}
