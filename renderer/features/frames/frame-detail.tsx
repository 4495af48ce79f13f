// The detail of one frame: what it was, when, and its whole stored payload, with copy buttons.
import { memo, useEffect, useMemo, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { formatMicros } from '../../../shared/time';
import { CopyButton } from '../../components/copy-button';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatBytes, formatRelative } from '../../components/format';
import { toHex } from '../../components/hex-dump';
import { CloseIcon } from '../../components/icons';
import { JsonMarksContext, pathKey } from '../../components/json-tree';
import { evaluateJsonPath, parseJsonPath } from '../../../shared/payload-query';
import { KvTable } from '../../components/kv-table';
import { DirectionMark, OpcodeBadge } from './frame-badges';
import { messageFields } from './message-fields';
import { parseJsonPayload, payloadBytes, PayloadView, type FrameDetailData } from './payload-view';

interface Props {
  api: Api;
  sessionId: number;
  seq: number;
  firstTs: number | null;
  onClose: () => void;
  /** The JSONPath search of the list: the nodes it found are marked in the payload's tree. */
  where?: string | undefined;
}

const NO_MARKS: ReadonlySet<string> = new Set();

/** The tree nodes a JSONPath search found in a payload. */
function jsonPathMarks(where: string | undefined, json: { value: unknown } | undefined): ReadonlySet<string> {
  if (!where || !json) return NO_MARKS;
  try {
    return new Set(evaluateJsonPath(parseJsonPath(where), json.value).map(pathKey));
  } catch {
    // the filter bar says why the condition does not parse
    return NO_MARKS;
  }
}

type Loaded = { seq: number; frame: FrameDetailData } | { seq: number; error: string };

export const FrameDetail = memo(function FrameDetail({
  api,
  sessionId,
  seq,
  firstTs,
  onClose,
  where,
}: Props) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [mode, setMode] = useState<'tree' | 'raw'>('tree');
  useEffect(() => {
    let cancelled = false;
    api.sessions.frame({ id: sessionId, seq }).then(
      (frame) => !cancelled && setLoaded({ seq, frame }),
      (err: unknown) => !cancelled && setLoaded({ seq, error: errorMessage(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [api, sessionId, seq]);

  const frame = loaded && loaded.seq === seq && 'frame' in loaded ? loaded.frame : null;
  const json = useMemo(() => (frame ? parseJsonPayload(frame) : undefined), [frame]);
  const marks = useMemo(() => jsonPathMarks(where, json), [where, json]);
  const bytes = useMemo(() => (frame && frame.encoding === 'base64' ? payloadBytes(frame) : null), [frame]);

  return (
    <aside className="frame-detail" aria-label={`Frame ${seq}`}>
      <header className="detail-head">
        <h3>Frame #{seq}</h3>
        {frame ? (
          <>
            <DirectionMark direction={frame.direction} />
            <span className="muted">{frame.direction === 'in' ? 'received' : 'sent'}</span>
            <OpcodeBadge opcode={frame.opcode} />
            <span className="detail-size">{formatBytes(frame.size)}</span>
          </>
        ) : null}
        <span className="spacer" />
        <button
          type="button"
          className="btn btn-ghost btn-icon"
          aria-label="Close the detail (Esc)"
          title="Close (Esc)"
          onClick={onClose}
        >
          <CloseIcon />
        </button>
      </header>
      {loaded && loaded.seq === seq && 'error' in loaded ? (
        <div className="detail-body">
          <ErrorNote>
            Could not load frame {seq}: {loaded.error}
          </ErrorNote>
        </div>
      ) : !frame ? (
        <div className="detail-body muted">Loading frame {seq}…</div>
      ) : frame.damaged ? (
        <div className="detail-body">
          <div className="detail-meta">
            <span title="UTC, microseconds">{formatMicros(frame.ts)}</span>
          </div>
          <div className="detail-warning is-damaged" role="alert">
            Damaged: {frame.damage ?? 'the stored bytes failed their check'}. Its bytes are not shown; restore
            the database’s -frames folder from a copy to get them back.
          </div>
        </div>
      ) : (
        <>
          <div className="detail-meta">
            <span title="UTC, microseconds">{formatMicros(frame.ts)}</span>
            {firstTs !== null ? (
              <span>{formatRelative(frame.ts, firstTs)} s after the first frame</span>
            ) : null}
          </div>
          {frame.message ? (
            <div className="detail-message">
              <KvTable
                entries={messageFields(frame.message)}
                empty="No decoded message"
                label="Decoded message"
              />
            </div>
          ) : null}
          {frame.truncated ? (
            <div className="detail-warning">
              Stored truncated: the first{' '}
              {formatBytes(
                frame.encoding === 'text'
                  ? new TextEncoder().encode(frame.payload).length
                  : (bytes?.length ?? 0),
              )}{' '}
              of {formatBytes(frame.size)} were kept (the capture’s payload cap). Start the capture with a
              higher payload cap to keep whole messages.
            </div>
          ) : null}
          <div className="detail-toolbar">
            {json ? (
              <div className="segmented" role="group" aria-label="Payload view">
                <button
                  type="button"
                  aria-pressed={mode === 'tree'}
                  className={mode === 'tree' ? 'is-on' : ''}
                  onClick={() => setMode('tree')}
                >
                  Tree
                </button>
                <button
                  type="button"
                  aria-pressed={mode === 'raw'}
                  className={mode === 'raw' ? 'is-on' : ''}
                  onClick={() => setMode('raw')}
                >
                  Pretty text
                </button>
              </div>
            ) : (
              <span className="muted">{frame.encoding === 'text' ? 'Text' : 'Hex dump'}</span>
            )}
            <span className="spacer" />
            {frame.encoding === 'text' ? (
              <>
                <CopyButton text={frame.payload} label="Copy payload" />
                {json ? (
                  <CopyButton text={() => JSON.stringify(json.value, null, 2)} label="Copy pretty JSON" />
                ) : null}
              </>
            ) : (
              <>
                <CopyButton text={() => toHex(bytes ?? new Uint8Array())} label="Copy hex" />
                <CopyButton text={frame.payload} label="Copy base64" />
              </>
            )}
          </div>
          <div className="detail-body">
            <JsonMarksContext.Provider value={marks}>
              <PayloadView frame={frame} json={json} mode={mode} bytes={bytes} />
            </JsonMarksContext.Provider>
          </div>
        </>
      )}
    </aside>
  );
});
