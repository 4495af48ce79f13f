// One incident opened: its header, and its walk — the flowchart (or the timeline) beside the current
// node. Without a walk yet, the form that starts one. The walk shown is the one in the address, else
// the incident's latest, so that a reload comes back to it.
import { useEffect, useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { IncidentStatus, WalkView } from '../../../shared/contract/incidents';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatIsoShort } from '../../components/format';
import { nodeText } from '../../../shared/runbooks/flow-layout';
import { Flowchart } from './flowchart';
import { IncidentTimeline } from './incident-timeline';
import { NodePanel } from './node-panel';
import { PostMortem } from './postmortem';
import { ReportDialog } from './report-dialog';
import { SeverityChip } from './severity';
import { useWalk } from './use-walk';
import { WalkStart } from './walk-start';
import { WalkProfileLine } from './walk-profile';

type Pane = 'flowchart' | 'timeline';
/** The incident's two views: walking its runbook, and writing its post-mortem. */
type View = 'walk' | 'postmortem';

export function IncidentView({
  api,
  incidentId,
  walkId,
  onWalk,
  onBack,
}: {
  api: Api;
  incidentId: number;
  walkId: number | null;
  onWalk: (walkId: number | null) => void;
  onBack: () => void;
}) {
  const state = useWalk(api, incidentId, walkId);
  const { walk, detail } = state;
  const [starting, setStarting] = useState(false);
  const [pane, setPane] = useState<Pane>('flowchart');
  const [statusError, setStatusError] = useState<string | null>(null);
  /** The walk whose end the engineer chose to leave the incident open after. */
  const [keptOpen, setKeptOpen] = useState<number | null>(null);
  const [view, setView] = useState<View>('walk');
  const [reporting, setReporting] = useState(false);

  // Open the incident's latest walk when none is named.
  useEffect(() => {
    if (walkId !== null || starting || !detail || detail.incident.id !== incidentId) return;
    const walks = detail.walks;
    const pick = walks.filter((w) => w.status === 'active').at(-1) ?? walks.at(-1);
    if (pick) onWalk(pick.id);
  }, [walkId, starting, detail, incidentId, onWalk]);

  const incident = walk?.incident ?? detail?.incident ?? null;
  const started = (w: WalkView) => {
    setStarting(false);
    state.accept(w);
    onWalk(w.id);
  };
  const setStatus = async (status: IncidentStatus) => {
    setStatusError(null);
    try {
      await api.incidents.update({ id: incidentId, status });
      state.refresh();
    } catch (err) {
      setStatusError(errorMessage(err));
    }
  };

  const showStart = starting || (detail !== null && detail.walks.length === 0 && walkId === null);

  return (
    <div className="incident-view">
      <header className="incident-head">
        <nav className="incident-crumbs" aria-label="Breadcrumbs">
          <button type="button" className="btn btn-ghost btn-small" onClick={onBack}>
            ‹ Incidents
          </button>
          <span className="muted">/ #{incidentId}</span>
        </nav>
        {incident ? (
          <div className="incident-title-row">
            <h1 className="incident-title">{incident.title}</h1>
            <SeverityChip severity={incident.severity} />
            <label className="incident-status">
              <span className="visually-hidden">Status</span>
              <select
                aria-label="Incident status"
                value={incident.status}
                onChange={(e) => void setStatus(e.target.value as IncidentStatus)}
                className={`status-${incident.status}`}
              >
                <option value="open">open</option>
                <option value="mitigated">mitigated</option>
                <option value="resolved">resolved</option>
              </select>
            </label>
            <span className="muted small">detected {formatIsoShort(incident.detectedAt)}</span>
            <span className="spacer" />
            <div className="segmented incident-views" role="tablist" aria-label="Incident view">
              <button
                type="button"
                role="tab"
                aria-selected={view === 'walk'}
                className={view === 'walk' ? 'is-on' : ''}
                onClick={() => setView('walk')}
              >
                Walk
              </button>
              <button
                type="button"
                role="tab"
                aria-selected={view === 'postmortem'}
                className={view === 'postmortem' ? 'is-on' : ''}
                onClick={() => setView('postmortem')}
              >
                Post-mortem
              </button>
            </div>
            <button type="button" className="btn btn-small" onClick={() => setReporting(true)}>
              Export report…
            </button>
            <div className="walk-controls" hidden={view !== 'walk'}>
              {detail && detail.walks.length > 0 ? (
                <label className="walk-picker">
                  <span className="muted small">Walk</span>
                  <select
                    aria-label="Walk"
                    value={starting ? '' : (walkId ?? '')}
                    onChange={(e) => {
                      setStarting(false);
                      onWalk(Number(e.target.value));
                    }}
                  >
                    {starting ? <option value="">new walk</option> : null}
                    {detail.walks.map((w) => (
                      <option key={w.id} value={w.id}>
                        {`#${w.id} ${w.status === 'finished' ? 'finished at' : 'at'} ${nodeText(w.currentLabel)} · ${w.runbookId}`}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
              {!showStart ? (
                <button type="button" className="btn btn-small" onClick={() => setStarting(true)}>
                  New walk…
                </button>
              ) : null}
            </div>
          </div>
        ) : null}
        {walk && !showStart && view === 'walk' ? (
          <p className="walk-line muted small">
            Runbook <strong>{walk.runbook.title}</strong> v{walk.runbook.version}
            {walk.target ? (
              <>
                {' '}
                · endpoint <code>{walk.target}</code>
              </>
            ) : null}
            {walk.direct ? (
              <>
                {' '}
                · backend <code>{walk.direct}</code>
              </>
            ) : null}{' '}
            · started {formatIsoShort(walk.startedAt)}
            <WalkProfileLine api={api} walk={walk} onSaved={(w) => state.accept(w)} />
          </p>
        ) : null}
        {statusError ? <ErrorNote>{statusError}</ErrorNote> : null}
        {state.error ? <ErrorNote>{state.error}</ErrorNote> : null}
      </header>

      {view === 'walk' &&
      walk &&
      !showStart &&
      walk.status === 'finished' &&
      incident?.status === 'open' &&
      keptOpen !== walk.id ? (
        <section className="walk-ended" aria-label="The walk has ended">
          <p>
            <strong>The walk has ended</strong> at {nodeText(walk.current.visit.label)}. Is the incident over?
            Marking it says so on its timeline and in the report.
          </p>
          <div className="walk-ended-actions">
            <button type="button" className="btn" onClick={() => void setStatus('mitigated')}>
              Mark mitigated
            </button>
            <button type="button" className="btn btn-primary" onClick={() => void setStatus('resolved')}>
              Mark resolved
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setKeptOpen(walk.id)}>
              Keep it open
            </button>
          </div>
        </section>
      ) : null}

      {view === 'postmortem' ? (
        detail ? (
          <PostMortem api={api} detail={detail} />
        ) : (
          <p className="incident-loading muted">Loading the incident…</p>
        )
      ) : showStart ? (
        <div className="incident-start">
          <WalkStart
            api={api}
            incidentId={incidentId}
            onStarted={started}
            {...(detail && detail.walks.length > 0 ? { onCancel: () => setStarting(false) } : {})}
          />
          {detail && detail.timeline.length > 0 ? (
            <section className="incident-start-timeline" aria-label="Timeline">
              <h3 className="section-title">Timeline</h3>
              <IncidentTimeline entries={detail.timeline} />
            </section>
          ) : null}
        </div>
      ) : walk ? (
        <div className="walk-layout">
          <section className="walk-map" aria-label="Walk map">
            <div className="pane-tabs segmented" role="tablist" aria-label="Map or timeline">
              <button
                type="button"
                role="tab"
                aria-selected={pane === 'flowchart'}
                className={pane === 'flowchart' ? 'is-on' : ''}
                onClick={() => setPane('flowchart')}
              >
                Flowchart
              </button>
              <button
                type="button"
                role="tab"
                aria-selected={pane === 'timeline'}
                className={pane === 'timeline' ? 'is-on' : ''}
                onClick={() => setPane('timeline')}
              >
                Timeline{detail ? ` (${detail.timeline.length})` : ''}
              </button>
            </div>
            {pane === 'flowchart' ? (
              <Flowchart walk={walk} />
            ) : (
              <IncidentTimeline entries={detail?.timeline ?? walk.timeline} />
            )}
          </section>
          <NodePanel
            key={walk.id}
            api={api}
            walk={walk}
            live={state.live}
            clockOffsetMs={state.clockOffsetMs}
            send={state.send}
          />
        </div>
      ) : (
        <p className="incident-loading muted">Loading the walk…</p>
      )}
      {reporting ? (
        <ReportDialog
          api={api}
          incidentId={incidentId}
          linked={detail?.sessions ?? []}
          onClose={() => setReporting(false)}
        />
      ) : null}
    </div>
  );
}
