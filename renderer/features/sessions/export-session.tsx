// A session's Export menu: HAR (what browsers and proxies read) or NDJSON (one frame per line),
// redacted as set here. The engine writes the file; the console reads it back in pieces and saves
// it, so that a million-frame session never crosses in one message.
import { useState } from 'react';
import type { Api } from '../../../shared/contract';
import { INTEROP_PIECE_BYTES, type InteropFormat } from '../../../shared/contract/interop';
import { damageWords } from '../../../shared/frame-damage';
import { redactionSentence } from '../../../shared/redaction';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { fromBase64, saveFile } from '../../components/files';
import { formatBytes } from '../../components/format';
import { RedactionOptionsEditor, redactionOf, type RedactionDraft } from '../../components/redaction-options';
import { ModalDialog } from '../../components/modal-dialog';

const FORMATS: Array<[InteropFormat, string, string]> = [
  ['har', 'HAR', 'HAR 1.2 with _webSocketMessages, as Chrome DevTools writes it'],
  ['ndjson', 'NDJSON', 'one frame per line: ts, connection, direction, opcode, size, payload'],
];

export function ExportSessionDialog({
  api,
  sessionId,
  onClose,
}: {
  api: Api;
  sessionId: number;
  onClose: () => void;
}) {
  const [format, setFormat] = useState<InteropFormat>('har');
  const [redaction, setRedaction] = useState<RedactionDraft>({ enabled: true, fields: '', patterns: '' });
  const [progress, setProgress] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setError(null);
    setDone(null);
    setProgress('Writing the export…');
    let exportId: string | null = null;
    try {
      const e = await api.interop.export({
        sessionId,
        format,
        redaction: redactionOf(redaction.enabled, redaction.fields, redaction.patterns),
      });
      exportId = e.exportId;
      const parts: Uint8Array<ArrayBuffer>[] = [];
      for (let offset = 0; ;) {
        setProgress(`Reading ${formatBytes(offset)} of ${formatBytes(e.bytes)}…`);
        const r = await api.interop.read({ exportId, offset, length: INTEROP_PIECE_BYTES });
        const piece = fromBase64(r.data);
        parts.push(piece);
        offset += piece.length;
        if (r.done || piece.length === 0) break;
      }
      saveFile(e.fileName, e.mimeType, parts);
      setDone(
        `Saved ${e.fileName}: ${e.frames} frames, ${formatBytes(e.bytes)}. ${redactionSentence(e.redaction)}${e.damaged.frames ? ` ${damageWords(e.damaged)}: ${format === 'har' ? 'left out' : 'marked, without their bytes'}.` : ''}`,
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setProgress(null);
      if (exportId) void api.interop.discard({ id: exportId }).catch(() => {});
    }
  };

  const busy = progress !== null;
  return (
    <ModalDialog
      className="export-dialog"
      labelledBy="export-dialog-title"
      onCancel={() => {
        if (!busy) onClose();
      }}
    >
      <h2 id="export-dialog-title">Export session {sessionId}</h2>
      <div className="segmented" role="radiogroup" aria-label="Format">
        {FORMATS.map(([f, label]) => (
          <button
            key={f}
            type="button"
            role="radio"
            aria-checked={format === f}
            className={format === f ? 'is-on' : ''}
            disabled={busy}
            onClick={() => setFormat(f)}
          >
            {label}
          </button>
        ))}
      </div>
      <p className="muted small">{FORMATS.find(([f]) => f === format)![2]}</p>
      <RedactionOptionsEditor
        draft={redaction}
        onChange={(p) => setRedaction((d) => ({ ...d, ...p }))}
        disabled={busy}
      />
      {progress ? (
        <p role="status" className="small">
          {progress}
        </p>
      ) : null}
      {done ? (
        <p role="status" className="small" data-testid="export-done">
          {done}
        </p>
      ) : null}
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      <div className="confirm-dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy}>
          Close
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void run()} disabled={busy}>
          {busy ? 'Exporting…' : `Export ${FORMATS.find(([f]) => f === format)![1]}`}
        </button>
      </div>
    </ModalDialog>
  );
}
