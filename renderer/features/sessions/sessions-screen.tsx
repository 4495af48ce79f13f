// The Sessions screen: every recorded session, searchable, and one session opened with its charts,
// connections and frames. The filters survive opening a session and coming back.
import { useState } from 'react';
import type { Api } from '../../../shared/contract';
import { plural } from '../../components/format';
import { SessionDetailView } from './session-detail';
import { NO_FILTERS, type SessionFilters } from './session-filters';
import { SessionList } from './session-list';
import './sessions.css';
import '../../components/charts/charts.css';

/** The Sessions screen: the list of sessions, and one session opened with its frames and charts. */
export function SessionsScreen({ api }: { api: Api }) {
  const [openId, setOpenId] = useState<number | null>(null);
  const [filters, setFilters] = useState<SessionFilters>(NO_FILTERS);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <section className="sessions-screen" aria-label="Sessions">
      {openId === null ? (
        <SessionList
          api={api}
          filters={filters}
          onFilters={setFilters}
          notice={notice}
          onOpen={(id) => {
            setNotice(null);
            setOpenId(id);
          }}
        />
      ) : (
        <SessionDetailView
          key={openId}
          api={api}
          id={openId}
          onBack={() => setOpenId(null)}
          onOpenSession={(other) => setOpenId(other)}
          onDeleted={(s) => {
            setNotice(`Deleted session ${s.id} “${s.name}” and its ${plural(s.frames, 'frame')}.`);
            setOpenId(null);
          }}
        />
      )}
    </section>
  );
}
