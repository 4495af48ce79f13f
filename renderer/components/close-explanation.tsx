// What a close code means and what usually causes it (shared/close-codes.ts), in a form an
// on-call engineer can act on.
import { describeCloseCode } from '../../shared/close-codes';

export function CloseExplanation({ code, reason }: { code: number; reason: string | null }) {
  const info = describeCloseCode(code);
  const appDefined = code >= 4000 && code <= 4999;
  return (
    <div className="close-explanation">
      <div className="close-heading">
        <span className={`close-code ${code === 1000 ? 'is-normal' : 'is-abnormal'}`}>{code}</span>
        <span className="close-name">{info.name}</span>
      </div>
      <div className="chips">
        <span className="chip">{appDefined ? 'application-defined (4000–4999)' : info.source}</span>
        {info.sentOnWire ? null : (
          <span className="chip chip-warn">never sent on the wire — observed locally</span>
        )}
      </div>
      <dl className="close-facts">
        <dt>Reason</dt>
        <dd>
          {reason ? <q className="close-reason">{reason}</q> : <span className="muted">none given</span>}
        </dd>
        <dt>Meaning</dt>
        <dd>{info.meaning}</dd>
        <dt>Usual causes</dt>
        <dd>{info.usualCauses}</dd>
      </dl>
    </div>
  );
}
