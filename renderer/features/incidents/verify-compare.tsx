// At the walk's VERIFY step: the first capture and the verification capture compared in place (the
// verdict, a link to the whole comparison), and a nudge before "Yes" is taken without a verification
// capture or with a critical finding still in it. The rules are shared/runbooks/verify.ts's.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { Comparison } from '../../../shared/contract/compare';
import type { WalkView } from '../../../shared/contract/incidents';
import { saysStable, verificationCaptures, verifyNudge, VERIFY_NODE } from '../../../shared/runbooks/verify';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { ModalDialog } from '../../components/modal-dialog';
import { compareHref } from '../../components/route';

interface VerifyState {
  /** The panel to show at VERIFY (null elsewhere). */
  panel: React.ReactNode;
  /** What to say before taking this way on; null to take it at once. */
  nudgeFor: (label: string) => Promise<string | null>;
}

/** The comparison of the walk's captures at VERIFY, and the nudge before "Yes". */
export function useVerify(api: Api, walk: WalkView): VerifyState {
  const atVerify = walk.current.visit.node === VERIFY_NODE;
  const captures = verificationCaptures(walk);
  const before = captures.before?.sessionId ?? null;
  const after = captures.after?.sessionId ?? null;
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const asked = useRef<Promise<Comparison | null> | null>(null);

  useEffect(() => {
    setComparison(null);
    setError(null);
    asked.current = null;
  }, [before, after]);

  const run = useCallback((): Promise<Comparison | null> => {
    if (before === null || after === null) return Promise.resolve(null);
    asked.current ??= (async () => {
      setBusy(true);
      setError(null);
      try {
        const c = await api.diagnose.compare({ before, after });
        setComparison(c);
        return c;
      } catch (err) {
        setError(errorMessage(err));
        asked.current = null;
        return null;
      } finally {
        setBusy(false);
      }
    })();
    return asked.current;
  }, [api, before, after]);

  const nudgeFor = useCallback(
    async (label: string) => {
      if (!atVerify || !saysStable(label)) return null;
      const c = await run();
      return verifyNudge(label, captures, c?.after.findings ?? null);
    },
    // `captures` follows the walk's runs, which `before` and `after` stand for.
    [atVerify, run, before, after],
  );

  const panel = atVerify ? (
    <div className="node-section verify-compare" aria-label="Before and after">
      <h3 className="section-title">Before and after</h3>
      {before === null || after === null ? (
        <p className="muted small">
          {before === null
            ? 'This walk has no capture yet: capture the endpoint, apply the fix, capture it again, then compare the two here.'
            : `Session ${before} is the capture before the fix; capture the endpoint again after it (“Watch the endpoint after the fix”) to compare the two.`}
        </p>
      ) : comparison ? (
        <>
          <p className={`verify-verdict tone-${comparison.verdict.tone}`} role="status">
            {comparison.verdict.text}
          </p>
          <p className="small">
            <a href={compareHref(before, after)}>
              Open the comparison of session {before} (before) with session {after} (after)
            </a>
          </p>
        </>
      ) : (
        <button type="button" className="btn" disabled={busy} onClick={() => void run()}>
          {busy ? 'Comparing…' : `Compare session ${before} (before) with session ${after} (after)`}
        </button>
      )}
      {error ? <ErrorNote>Could not compare the captures: {error}</ErrorNote> : null}
    </div>
  ) : null;
  return { panel, nudgeFor };
}

/** "Choose “Yes” anyway?", with what the nudge says. */
export function VerifyNudgeDialog({
  label,
  nudge,
  onConfirm,
  onCancel,
}: {
  label: string;
  nudge: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ModalDialog className="confirm-dialog verify-nudge" labelledBy="verify-nudge-title" onCancel={onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm();
        }}
      >
        <h2 id="verify-nudge-title" className="confirm-dialog-title">
          Choose “{label}” anyway?
        </h2>
        <div className="confirm-dialog-body">
          <p>{nudge}</p>
        </div>
        <div className="confirm-dialog-actions">
          <button type="button" className="btn" onClick={onCancel} autoFocus>
            Not yet
          </button>
          <button type="submit" className="btn btn-primary">
            Choose “{label}” anyway
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
