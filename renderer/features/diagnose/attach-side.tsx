// The attach screen's side column with Diagnose beside the connection's panels: two tabs, Connection
// (close and handshake) and Diagnose (the probe). Before anything is attached there is no connection
// to show, so the column is the probe alone. Both stay mounted, so switching keeps their state.
import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { Api } from '../../../shared/contract';
import type { AttachDraft, HeaderRow } from '../attach/attach-draft';
import { DiagnosePanel } from './diagnose-panel';
import { probeStore, useProbe, type ProbeStore, type SideTab } from './probe-store';
import './diagnose.css';

const selectTab = (s: ProbeStore) => s.sideTab;
const selectRun = (s: ProbeStore) => s.run;

/** What the Diagnose tab says about the probe without being opened. */
function TabBadge({ api }: { api: Api }) {
  const run = useProbe(api, selectRun);
  if (!run) return null;
  if (run.endedAt === null)
    return <span className="diag-spinner is-small" role="img" aria-label="probe running" />;
  if (run.error)
    return (
      <span className="diag-tab-badge is-critical" aria-label="probe failed">
        !
      </span>
    );
  const findings = run.report?.findings ?? [];
  const critical = findings.filter((f) => f.severity === 'critical').length;
  const warning = findings.filter((f) => f.severity === 'warning').length;
  if (critical + warning === 0)
    return (
      <span className="diag-tab-badge is-ok" aria-label="no problems found">
        ✓
      </span>
    );
  return (
    <span
      className={`diag-tab-badge ${critical ? 'is-critical' : 'is-warning'}`}
      aria-label={`${critical + warning} problems found`}
    >
      {critical + warning}
    </span>
  );
}

const TABS: ReadonlyArray<{ id: SideTab; label: string }> = [
  { id: 'connection', label: 'Connection' },
  { id: 'diagnose', label: 'Diagnose' },
];

export function AttachSide({
  api,
  url,
  headers,
  protocol,
  children,
}: {
  api: Api;
  url: string;
  /** The attach form's request headers, pre-filled into the probe's. */
  headers?: readonly HeaderRow[];
  /** The attach form's Protocol fieldset: the probe speaks it too. */
  protocol?: Pick<AttachDraft, 'protocol' | 'initPayload'>;
  children?: ReactNode;
}) {
  const tab = useProbe(api, selectTab);
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  if (children === undefined)
    return <DiagnosePanel api={api} url={url} attachHeaders={headers} attachProtocol={protocol} />;

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next = (i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length;
    probeStore(api).setSideTab(TABS[next]!.id);
    refs.current[next]?.focus();
  };

  return (
    <div className={`diag-side${tab === 'diagnose' ? ' is-diagnose' : ''}`}>
      <div className="diag-tabs" role="tablist" aria-label="Side panels">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`side-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`side-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={tab === t.id ? 'is-on' : ''}
            onClick={() => probeStore(api).setSideTab(t.id)}
            onKeyDown={(e) => onKeyDown(e, i)}
          >
            {t.label}
            {t.id === 'diagnose' ? <TabBadge api={api} /> : null}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id="side-panel-connection"
        aria-labelledby="side-tab-connection"
        hidden={tab !== 'connection'}
      >
        {children}
      </div>
      <div
        role="tabpanel"
        id="side-panel-diagnose"
        aria-labelledby="side-tab-diagnose"
        hidden={tab !== 'diagnose'}
      >
        <DiagnosePanel api={api} url={url} attachHeaders={headers} attachProtocol={protocol} />
      </div>
    </div>
  );
}
