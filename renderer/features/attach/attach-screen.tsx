// Attach: connect to a live endpoint and watch it — status, frames, handshake, close — and talk to
// it through the composer. The screen itself re-renders only when the capture changes state; the
// parts that show counters subscribe to them on their own.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { EmptyState } from '../../components/empty-state';
import { errorMessage } from '../../components/error-note';
import { useHotkey } from '../../components/hotkeys';
import { PlugIcon } from '../../components/icons';
import { AttachSide } from '../diagnose/attach-side';
import { FrameView } from '../frames/frame-view';
import { draftSummary, toCaptureRequest, type AttachDraft, type DraftErrors } from './attach-draft';
import { saveDraft } from './attach-memory';
import { AttachOptions } from './attach-options';
import { captureStore, useCapture, type CaptureStore } from './capture-store';
import { CaptureStrip } from './capture-strip';
import { Composer, type ComposerFold } from './composer';
import { ConnectBar } from './connect-bar';
import { ConnectionPanels } from './connection-panels';
import { CopyAsDialog } from './copy-as-dialog';
import { useLiveConnections } from './use-live-connections';
import './attach.css';

const selectActive = (s: CaptureStore) => s.activeSessionId;

export function AttachScreen({ api }: { api: Api }) {
  const store = captureStore(api);
  const activeId = useCapture(api, selectActive);
  const state = useCapture(
    api,
    useCallback(
      (s: CaptureStore) => (activeId === null ? null : (s.statuses.get(activeId)?.state ?? 'connecting')),
      [activeId],
    ),
  );
  const [draft, setDraft] = useState<AttachDraft>(store.draft);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [connectError, setConnectError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The composer folded or shown by choice; by itself (auto) until one is made. */
  const [fold, setFold] = useState<ComposerFold>('auto');
  const [optionsOpen, setOptionsOpen] = useState(false);
  const [copyAs, setCopyAs] = useState(false);
  /** The connection picked in the side pane: the frame list shows only its frames. */
  const [focus, setFocus] = useState<{ sessionId: number; connection: number | null } | null>(null);
  const urlRef = useRef<HTMLInputElement>(null);
  const running = state !== null && state !== 'ended';
  const liveUrl = useCapture(
    api,
    useCallback(
      (s: CaptureStore) => (activeId === null ? null : (s.statuses.get(activeId)?.url ?? null)),
      [activeId],
    ),
  );

  useEffect(() => {
    store.draft = draft;
    saveDraft(draft);
  }, [store, draft]);
  useEffect(() => {
    if (activeId === null) urlRef.current?.focus();
  }, [activeId]);

  const change = useCallback((patch: Partial<AttachDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => {
      const next = { ...e };
      for (const k of Object.keys(patch)) delete next[k as keyof AttachDraft];
      return next;
    });
    setConnectError(null);
  }, []);

  const connect = () => {
    const { request, errors: found } = toCaptureRequest(draft);
    setErrors(found);
    if (!request) {
      setConnectError(found.url ?? null);
      if (Object.keys(found).some((k) => k !== 'url')) setOptionsOpen(true);
      return;
    }
    setBusy(true);
    setConnectError(null);
    api.capture.start(request).then(
      ({ sessionId }) => {
        store.show(sessionId);
        setOptionsOpen(false);
        setBusy(false);
      },
      (err: unknown) => {
        setConnectError(errorMessage(err));
        setBusy(false);
      },
    );
  };

  const disconnect = () => {
    if (activeId === null || !running) return;
    setBusy(true);
    api.capture
      .stop({ sessionId: activeId })
      .catch((err: unknown) => setConnectError(`Could not disconnect: ${errorMessage(err)}`))
      .finally(() => setBusy(false));
  };

  useHotkey(
    'mod+k',
    () => {
      urlRef.current?.focus();
      urlRef.current?.select();
    },
    { inInputs: true },
  );
  useHotkey('mod+d', disconnect, { inInputs: true, enabled: running });

  return (
    <div className="attach-screen">
      <ConnectBar
        url={running && liveUrl ? liveUrl : draft.url}
        onUrl={(url) => change({ url })}
        urlRef={urlRef}
        error={connectError}
        running={running}
        busy={busy}
        onConnect={connect}
        onDisconnect={disconnect}
        optionsOpen={optionsOpen}
        onToggleOptions={() => setOptionsOpen(!optionsOpen)}
        onCopyAs={() => setCopyAs(true)}
        summary={draftSummary(draft)}
      />
      {copyAs ? <CopyAsDialog draft={draft} onClose={() => setCopyAs(false)} /> : null}
      {optionsOpen ? (
        <AttachOptions draft={draft} errors={errors} disabled={running} onChange={change} />
      ) : null}
      {activeId === null ? (
        <div className="attach-main">
          <div className="attach-center">
            <AttachIntro />
          </div>
          <aside className="attach-side" aria-label="Diagnose">
            <AttachSide api={api} url={draft.url} headers={draft.headers} protocol={draft} />
          </aside>
        </div>
      ) : (
        <>
          <CaptureStrip api={api} sessionId={activeId} />
          <div className="attach-main">
            <div className="attach-center">
              <LiveFrames
                api={api}
                sessionId={activeId}
                connection={focus?.sessionId === activeId ? focus.connection : null}
                onConnection={(connection) => setFocus({ sessionId: activeId, connection })}
              />
              {running && state ? (
                <Composer api={api} sessionId={activeId} state={state} fold={fold} onFold={setFold} />
              ) : null}
            </div>
            <aside className="attach-side" aria-label="Connection">
              <AttachSide
                api={api}
                url={running && liveUrl ? liveUrl : draft.url}
                headers={draft.headers}
                protocol={draft}
              >
                <ConnectionPanels
                  key={activeId}
                  api={api}
                  sessionId={activeId}
                  onPick={(connection) => setFocus({ sessionId: activeId, connection })}
                />
              </AttachSide>
            </aside>
          </div>
        </>
      )}
    </div>
  );
}

/** The frame view of the shown capture, fed by its committed count and its state. */
function LiveFrames({
  api,
  sessionId,
  connection,
  onConnection,
}: {
  api: Api;
  sessionId: number;
  connection: number | null;
  onConnection: (connection: number | null) => void;
}) {
  const committed = useCapture(
    api,
    useCallback((s: CaptureStore) => s.statuses.get(sessionId)?.committed ?? 0, [sessionId]),
  );
  const state = useCapture(
    api,
    useCallback((s: CaptureStore) => s.statuses.get(sessionId)?.state ?? 'connecting', [sessionId]),
  );
  const active = state !== 'ended';
  const live = useMemo(() => ({ committed, active, state }), [committed, active, state]);
  const { connections } = useLiveConnections(api, sessionId);
  return (
    <FrameView
      key={sessionId}
      api={api}
      sessionId={sessionId}
      live={live}
      connections={connections}
      connection={connection}
      onConnection={onConnection}
    />
  );
}

function AttachIntro() {
  return (
    <div className="attach-intro">
      <EmptyState title="Attach to a live WebSocket endpoint" icon={<PlugIcon />}>
        <p>
          Type its <code>ws://</code> or <code>wss://</code> URL above and press <kbd>Enter</kbd>. Every frame
          in both directions is recorded to the local database — ping, pong and close included — with the
          handshake, its timings, and how the connection ended.
        </p>
        <ul className="intro-tips">
          <li>
            Auth headers, Origin, subprotocols, TLS files, proxy, heartbeat and reconnect are under{' '}
            <strong>Options</strong>.
          </li>
          <li>
            <kbd>Ctrl</kbd> <kbd>K</kbd> focuses the URL from anywhere; <kbd>?</kbd> lists every shortcut.
          </li>
          <li>
            Captures you made before, here or with <code>frameline capture</code>, are under{' '}
            <strong>Sessions</strong>.
          </li>
        </ul>
      </EmptyState>
    </div>
  );
}
