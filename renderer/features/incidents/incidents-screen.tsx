// The Incidents screen: the list, and one incident opened with its walk. The address says which
// (`#/incidents/3/walks/5`), so that a reload — or closing and reopening the app on that page —
// comes back to the same walk, whose state the engine keeps.
import { useCallback } from 'react';
import type { Api } from '../../../shared/contract';
import { go, incidentHref, useHash } from '../../components/route';
import { IncidentList } from './incident-list';
import { IncidentView } from './incident-view';
import './incidents.css';

interface Place {
  incidentId: number | null;
  walkId: number | null;
}

function placeOf(hash: string): Place {
  const m = /^#\/incidents(?:\/(\d+)(?:\/walks\/(\d+))?)?/.exec(hash);
  return {
    incidentId: m?.[1] ? Number(m[1]) : null,
    walkId: m?.[2] ? Number(m[2]) : null,
  };
}

export function IncidentsScreen({ api }: { api: Api }) {
  const { incidentId, walkId } = placeOf(useHash());
  const onWalk = useCallback(
    (next: number | null) => {
      // Showing an incident's latest walk is where it already is, not a step to go back from.
      if (incidentId !== null) go(incidentHref(incidentId, next), { replace: true });
    },
    [incidentId],
  );

  return (
    <section className="incidents-screen" aria-label="Incidents">
      {incidentId === null ? (
        <IncidentList api={api} onOpen={(id) => go(incidentHref(id))} />
      ) : (
        <IncidentView
          key={incidentId}
          api={api}
          incidentId={incidentId}
          walkId={walkId}
          onWalk={onWalk}
          onBack={() => go('#/incidents')}
        />
      )}
    </section>
  );
}
