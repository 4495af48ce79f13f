// Session and incident numbers in results are links: following one opens it (Back returns).
import { incidentHref, sessionHref } from './route';

/** "session #12", opening the session. */
export function SessionLink({ id, label }: { id: number; label?: string }) {
  return (
    <a className="link" href={sessionHref(id)}>
      {label ?? `session #${id}`}
    </a>
  );
}

/** "Incident #3", opening the incident (at a walk, when given). */
export function IncidentLink({ id, walkId, label }: { id: number; walkId?: number | null; label?: string }) {
  return (
    <a className="link" href={incidentHref(id, walkId)}>
      {label ?? `Incident #${id}`}
    </a>
  );
}
