// A finding's runbook step, opened where the finding is: the step's text, its commands to copy, and
// a way to start walking that runbook for this endpoint as a new incident.
import { useEffect, useId, useState } from 'react';
import type { Api, ResponseOf } from '../../../shared/contract';
import type { Finding } from '../../../shared/findings';
import { labelTitle } from '../../../shared/runbooks/graph';
import { CopyButton } from '../../components/copy-button';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { go, incidentHref } from '../../components/route';
import { Markdown } from '../incidents/markdown';
import { ModalDialog } from '../../components/modal-dialog';

type Runbook = ResponseOf<'runbooks', 'get'>;

export function RunbookStepDialog({
  api,
  finding,
  target,
  onClose,
}: {
  api: Api;
  finding: Finding;
  /** The endpoint the finding is about: the walk's target. */
  target: string | null;
  onClose: () => void;
}) {
  const [runbookId, nodeId] = finding.runbook.split('#') as [string, string | undefined];
  const [runbook, setRunbook] = useState<Runbook | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  useEffect(() => {
    let live = true;
    api.runbooks.get({ id: runbookId }).then(
      (r) => live && setRunbook(r),
      (err: unknown) => live && setError(`Could not read runbook ${runbookId}: ${errorMessage(err)}`),
    );
    return () => {
      live = false;
    };
  }, [api, runbookId]);

  const node = runbook?.nodes.find((n) => n.id === nodeId);
  const steps = runbook?.steps.filter((s) => s.node === nodeId) ?? [];
  const walk = async () => {
    setBusy(true);
    setError(null);
    try {
      const incident = await api.incidents.create({
        title: `${finding.title}${target ? ` — ${target}` : ''}`.slice(0, 200),
      });
      const w = await api.walks.start({
        incidentId: incident.id,
        runbookId,
        ...(target && /^wss?:\/\//i.test(target) ? { target } : {}),
      });
      onClose();
      go(incidentHref(incident.id, w.id));
    } catch (err) {
      setError(`Could not start the walk: ${errorMessage(err)}`);
      setBusy(false);
    }
  };

  return (
    <ModalDialog className="app-dialog runbook-step-dialog" labelledBy={`${id}-title`} onCancel={onClose}>
      <header className="dialog-head">
        <h2 id={`${id}-title`}>
          {node ? labelTitle(node.label) : 'Runbook step'}{' '}
          <code className="muted small">{finding.runbook}</code>
        </h2>
        <button type="button" className="btn btn-ghost btn-small" onClick={onClose}>
          Close
        </button>
      </header>
      {runbook ? (
        <p className="muted small">
          Step of “{runbook.title}”, the runbook for <code>{finding.id}</code>.
        </p>
      ) : null}
      {node?.text ? <Markdown text={node.text} className="step-text" /> : null}
      {steps.map((s) => (
        <section key={s.index} className="runbook-step" aria-label={s.title || `Step ${s.index}`}>
          <h3 className="section-title">
            {s.index}. {s.title}
          </h3>
          {s.text ? <Markdown text={s.text} className="step-text" /> : null}
          {s.command ? (
            <div className="step-command">
              <pre className="step-command-text mono">{s.command}</pre>
              <div className="step-command-actions">
                <CopyButton text={s.command} label="Copy" title="Copy the command" />
              </div>
            </div>
          ) : null}
        </section>
      ))}
      {runbook && !node ? <p className="muted">The runbook has no node {nodeId}.</p> : null}
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      <div className="dialog-actions">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void walk()}
          disabled={busy || !runbook}
        >
          {busy ? 'Starting…' : `Walk “${runbook?.title ?? runbookId}” in a new incident`}
        </button>
      </div>
    </ModalDialog>
  );
}
