// The Sessions screen: every recorded session, searchable, and one session opened with its charts,
// connections and frames. The address says which (`#/sessions/12`), so that a link in a result
// opens it and Back returns; the filters survive opening a session and coming back.
import { useState } from 'react';
import type { Api } from '../../../shared/contract';
import { plural } from '../../components/format';
import { go, sessionHref, useHash } from '../../components/route';
import { CompareView } from '../compare/compare-view';
import { HarDropZone, importedText } from './import-har';
import { PcapImport, pcapImportedText } from './import-pcap';
import { SessionDetailView } from './session-detail';
import { NO_FILTERS, type SessionFilters } from './session-filters';
import { SessionList } from './session-list';
import './sessions.css';
import '../../components/charts/charts.css';

function comparedOf(hash: string): { before: number; after: number } | null {
  const m = /^#\/sessions\/compare\/(\d+)\/(\d+)/.exec(hash);
  return m ? { before: Number(m[1]), after: Number(m[2]) } : null;
}

function openIdOf(hash: string): number | null {
  const m = /^#\/sessions\/(\d+)/.exec(hash);
  return m ? Number(m[1]) : null;
}

/** The Sessions screen: the list of sessions, and one session opened with its frames and charts. */
export function SessionsScreen({ api }: { api: Api }) {
  const hash = useHash();
  const openId = openIdOf(hash);
  const compared = comparedOf(hash);
  const [filters, setFilters] = useState<SessionFilters>(NO_FILTERS);
  const [notice, setNotice] = useState<string | null>(null);
  // A new list after an import: it shows the imported session and says so.
  const [listKey, setListKey] = useState(0);

  return (
    <section className="sessions-screen" aria-label="Sessions">
      {compared ? (
        <CompareView api={api} before={compared.before} after={compared.after} />
      ) : openId === null ? (
        <HarDropZone
          api={api}
          onImported={(r, fileName) => {
            setNotice(importedText(r, fileName));
            setListKey((k) => k + 1);
          }}
          beside={
            <PcapImport
              api={api}
              onImported={(r, fileName) => {
                setNotice(pcapImportedText(r, fileName));
                setListKey((k) => k + 1);
              }}
            />
          }
        >
          <SessionList
            key={listKey}
            api={api}
            filters={filters}
            onFilters={setFilters}
            notice={notice}
            onOpen={(id) => {
              setNotice(null);
              go(sessionHref(id));
            }}
          />
        </HarDropZone>
      ) : (
        <SessionDetailView
          key={openId}
          api={api}
          id={openId}
          onBack={() => go('#/sessions')}
          onOpenSession={(other) => go(sessionHref(other))}
          onDeleted={(s) => {
            setNotice(`Deleted session ${s.id} “${s.name}” and its ${plural(s.frames, 'frame')}.`);
            go('#/sessions', { replace: true });
          }}
        />
      )}
    </section>
  );
}
