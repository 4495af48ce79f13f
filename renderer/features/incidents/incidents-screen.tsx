// The Incidents screen: the list, and one incident opened with its walk. The address says which
// (`#/incidents/3/walks/5`), so that a reload — or closing and reopening the app on that page —
// comes back to the same walk, whose state the engine keeps.
import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { IncidentList } from './incident-list';
import { IncidentView } from './incident-view';
import './incidents.css';

interface Place {
  incidentId: number | null;
  walkId: number | null;
}

function placeFromHash(): Place {
  const m = /^#\/incidents(?:\/(\d+)(?:\/walks\/(\d+))?)?/.exec(location.hash);
  return {
    incidentId: m?.[1] ? Number(m[1]) : null,
    walkId: m?.[2] ? Number(m[2]) : null,
  };
}

function hashOf(p: Place): string {
  if (p.incidentId === null) return '#/incidents';
  return `#/incidents/${p.incidentId}${p.walkId !== null ? `/walks/${p.walkId}` : ''}`;
}

export function IncidentsScreen({ api }: { api: Api }) {
  const [place, setPlace] = useState<Place>(placeFromHash);

  const go = useCallback((p: Place) => {
    history.replaceState(null, '', hashOf(p));
    setPlace(p);
  }, []);
  useEffect(() => {
    const onHash = () => {
      if (location.hash.startsWith('#/incidents')) setPlace(placeFromHash());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const { incidentId } = place;
  const onWalk = useCallback(
    (walkId: number | null) => {
      if (incidentId !== null) go({ incidentId, walkId });
    },
    [go, incidentId],
  );

  return (
    <section className="incidents-screen" aria-label="Incidents">
      {incidentId === null ? (
        <IncidentList api={api} onOpen={(id) => go({ incidentId: id, walkId: null })} />
      ) : (
        <IncidentView
          key={incidentId}
          api={api}
          incidentId={incidentId}
          walkId={place.walkId}
          onWalk={onWalk}
          onBack={() => go({ incidentId: null, walkId: null })}
        />
      )}
    </section>
  );
}
