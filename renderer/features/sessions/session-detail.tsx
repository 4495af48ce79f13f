// One session opened: who, where and how it ended in the header; its rate and connections at a
// glance; then every frame in the same frame view as the Attach screen, read-only. The header and
// the timeline come from one cheap request and show at once; the frame view pages its own rows and
// the rate chart arrives when its scan is done, so a million-frame session opens in well under a
// second.
import { useCallback, useEffect, useState } from 'react';
import { useHotkey } from '../../components/hotkeys';
import type { Api } from '../../../shared/contract';
import { CopyButton } from '../../components/copy-button';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { BackIcon, TrashIcon } from '../../components/icons';
import { IncidentLink } from '../../components/links';
import { formatBytes, formatCount, formatIsoShort, plural } from '../../components/format';
import type { SessionDetail } from '../../../shared/charts/timeline-model';
import { ComparePicker } from '../compare/compare-picker';
import { SessionDiagnosis } from '../diagnose/session-diagnosis';
import { FrameView } from '../frames/frame-view';
import { ReplayPanels } from '../replay/replay-panels';
import { DeleteSessionDialog } from './delete-session';
import { ExportSessionDialog } from './export-session';
import { sessionDuration } from './format';
import { SessionOverview } from './session-overview';
import { Scorecard } from '../../components/scorecard';
import type { SessionSummary } from './session-list';
import { SessionName } from './session-name';
import { StatusBadge } from './status-badge';
import { TagEditor } from './tags';

const LIVE_REFRESH_MS = 2000;
/** A live session's rate is counted again at most this often: it scans every frame. */
const LIVE_RATE_EVERY = 5;

export function SessionDetailView({
  api,
  id,
  onBack,
  onDeleted,
  onOpenSession,
}: {
  api: Api;
  id: number;
  onBack: () => void;
  onDeleted: (session: SessionSummary) => void;
  /** Opens another session (the replay a panel made, the source of a replay). */
  onOpenSession?: (id: number) => void;
}) {
  const [detail, setDetail] = useState<SessionDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [refreshes, setRefreshes] = useState(0);
  const [committed, setCommitted] = useState<number | null>(null);
  const [tagBusy, setTagBusy] = useState(false);
  const [tagError, setTagError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  /** A connection picked on the timeline or in the list: the frames are narrowed to it. */
  const [focus, setFocus] = useState<number | null>(null);
  const [exporting, setExporting] = useState(false);
  const [comparing, setComparing] = useState(false);

  useEffect(() => {
    let current = true;
    api.sessions
      .get({ id })
      .then((d) => {
        if (!current) return;
        setDetail(d);
        setLoadError(null);
      })
      .catch((err: unknown) => current && setLoadError(errorMessage(err)));
    return () => {
      current = false;
    };
  }, [api, id, refreshes]);

  const live = detail?.session.status === 'live';
  // Backspace goes back to the list, as in a mail client; never while typing.
  useHotkey('backspace', onBack, { enabled: !deleting });
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setRefreshes((r) => r + 1), LIVE_REFRESH_MS);
    const off = api.on('capture:status', (s) => {
      if (s.sessionId !== id) return;
      setCommitted(s.committed);
      if (s.state === 'ended') setRefreshes((r) => r + 1);
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, [api, id, live]);

  const setSession = useCallback(
    (patch: Partial<SessionDetail['session']>) =>
      setDetail((d) => (d ? { ...d, session: { ...d.session, ...patch } } : d)),
    [],
  );

  if (!detail) {
    return (
      <div className="session-detail">
        <nav className="session-crumbs">
          <button type="button" className="btn btn-ghost btn-small" onClick={onBack}>
            <BackIcon /> Sessions
          </button>
        </nav>
        {loadError ? (
          <ErrorNote
            action={
              <button type="button" className="btn btn-small" onClick={onBack}>
                Back to the list
              </button>
            }
          >
            Could not open session {id}: {loadError}
          </ErrorNote>
        ) : (
          <p className="muted sessions-loading">Opening session {id}…</p>
        )}
      </div>
    );
  }

  const { session, connections } = detail;
  const bytesIn = connections.reduce((n, c) => n + c.bytesIn, 0);
  const bytesOut = connections.reduce((n, c) => n + c.bytesOut, 0);
  const frames = Math.max(session.frames, committed ?? 0);
  const rateVersion = live ? Math.floor(refreshes / LIVE_RATE_EVERY) : -1;

  const saveTags = (tags: string[]) => {
    const before = session.tags;
    setTagBusy(true);
    setTagError(null);
    setSession({ tags });
    api.sessions
      .tag({ id, tags })
      .catch((err: unknown) => {
        setSession({ tags: before });
        setTagError(errorMessage(err));
      })
      .finally(() => setTagBusy(false));
  };

  return (
    <div className="session-detail" data-session-id={id}>
      <header className="session-header">
        <nav className="session-crumbs" aria-label="Breadcrumb">
          <button type="button" className="btn btn-ghost btn-small" onClick={onBack}>
            <BackIcon /> Sessions
          </button>
          <span className="muted">/</span>
          <span className="muted mono">#{session.id}</span>
        </nav>
        <div className="session-title-row">
          <SessionName
            name={session.name}
            busy={false}
            onRename={async (name) => {
              await api.sessions.rename({ id, name });
              setSession({ name });
            }}
          />
          <StatusBadge status={session.status} />
          <span className="session-kind">{session.kind}</span>
          {session.incidentId !== null ? <IncidentLink id={session.incidentId} /> : null}
          {session.sourceId !== null ? (
            <button
              type="button"
              className="btn btn-ghost btn-small"
              aria-label={`Open the source session #${session.sourceId}`}
              onClick={() => onOpenSession?.(session.sourceId!)}
            >
              {session.kind} of #{session.sourceId}
            </button>
          ) : null}
          <TagEditor tags={session.tags} busy={tagBusy} onChange={saveTags} />
          <span className="legend-spacer" />
          <button type="button" className="btn" onClick={() => setComparing(true)} disabled={live}>
            Compare with…
          </button>
          <button type="button" className="btn" onClick={() => setExporting(true)} disabled={live}>
            Export…
          </button>
          <button type="button" className="btn btn-danger-ghost" onClick={() => setDeleting(true)}>
            <TrashIcon /> Delete…
          </button>
        </div>
        <div className="session-target">
          <span className="mono" title="Target">
            {session.target}
          </span>
          <CopyButton text={session.target} label="Copy URL" />
        </div>
        <dl className="session-facts">
          <div>
            <dt>Created</dt>
            <dd className="mono">{formatIsoShort(session.createdAt)}</dd>
          </div>
          <div>
            <dt>{live ? 'Running' : 'Ran'}</dt>
            <dd>{sessionDuration(session.createdAt, session.endedAt, Date.now())}</dd>
          </div>
          <div>
            <dt>Connections</dt>
            <dd>{formatCount(connections.length)}</dd>
          </div>
          <div>
            <dt>Frames</dt>
            <dd data-testid="session-frames">{formatCount(frames)}</dd>
          </div>
          <div>
            <dt>Received</dt>
            <dd>{formatBytes(bytesIn)}</dd>
          </div>
          <div>
            <dt>Sent</dt>
            <dd>{formatBytes(bytesOut)}</dd>
          </div>
        </dl>
        {tagError && <ErrorNote>Could not save the tags: {tagError}</ErrorNote>}
      </header>
      <SessionOverview
        api={api}
        detail={detail}
        rateVersion={rateVersion}
        onPickConnection={(connectionId) => setFocus(connectionId)}
      />
      <Scorecard api={api} of={{ sessionId: id }} version={`${rateVersion}/${session.status}`} />
      <SessionDiagnosis api={api} session={session} />
      {!live ? (
        <ReplayPanels
          api={api}
          sessionId={id}
          connections={connections}
          {...(onOpenSession ? { onOpenSession } : {})}
        />
      ) : null}
      <section className="session-frames" aria-label={`Frames: ${plural(frames, 'frame')}`}>
        <FrameView
          key={id}
          api={api}
          sessionId={id}
          connections={connections}
          connection={focus}
          onConnection={setFocus}
          {...(live ? { live: { committed: frames, active: true } } : {})}
        />
      </section>
      {comparing && <ComparePicker api={api} session={session} onClose={() => setComparing(false)} />}
      {exporting && <ExportSessionDialog api={api} sessionId={id} onClose={() => setExporting(false)} />}
      {deleting && (
        <DeleteSessionDialog
          api={api}
          session={session}
          onCancel={() => setDeleting(false)}
          onDeleted={onDeleted}
        />
      )}
    </div>
  );
}
