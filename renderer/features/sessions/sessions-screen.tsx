// The Sessions screen: every recorded session, searchable, and one session opened with its charts,
// connections and frames. The filters survive opening a session and coming back.
import { useState } from 'react';
import type { Api } from '../../../shared/contract';
import { plural } from '../../components/format';
import { HarDropZone, importedText } from './import-har';
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
  // A new list after an import: it shows the imported session and says so.
  const [listKey, setListKey] = useState(0);

  return (
    <section className="sessions-screen" aria-label="Sessions">
      {openId === null ? (
        <HarDropZone
          api={api}
          onImported={(r, fileName) => {
            setNotice(importedText(r, fileName));
            setListKey((k) => k + 1);
          }}
        >
          <SessionList
            key={listKey}
            api={api}
            filters={filters}
            onFilters={setFilters}
            notice={notice}
            onOpen={(id) => {
              setNotice(null);
              setOpenId(id);
            }}
          />
        </HarDropZone>
      ) : (
        <SessionDetailView
          key={openId}
          api={api}
          id={openId}
          onBack={() => setOpenId(null)}
          onDeleted={(s) => {
            setNotice(`Deleted session ${s.id} “${s.name}” and its ${plural(s.frames, 'frame')}.`);
            setOpenId(null);
          }}
        />
      )}
    </section>
  );
}
