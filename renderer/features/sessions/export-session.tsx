// A session's Export menu: HAR (what browsers and proxies read) or NDJSON (one frame per line),
// redacted as set here, or a load test (Artillery, k6) whose secrets are environment variables, as
// `frameline export` writes them. The engine writes a session file; the console reads it back in
// pieces and saves it, so that a million-frame session never crosses in one message.
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

type ExportFormat = InteropFormat | LoadTestFormat;
type LoadTestFormat = 'artillery' | 'k6';

const FORMATS: Array<[ExportFormat, string, string]> = [
  ['har', 'HAR', 'HAR 1.2 with _webSocketMessages, as Chrome DevTools writes it'],
  ['ndjson', 'NDJSON', 'one frame per line: ts, connection, direction, opcode, size, payload'],
  [
    'artillery',
    'Artillery',
    'an Artillery load test (engine ws): the first connection that sent anything, its recorded think times, a match on each answer paired by id',
  ],
  [
    'k6',
    'k6',
    'a k6 load test (k6/websockets): the first connection that sent anything, its messages at their recorded times, a check on each answer paired by id',
  ],
];

const isLoadTest = (f: ExportFormat): f is LoadTestFormat => f === 'artillery' || f === 'k6';

/** What a saved load test reads from the environment, in a sentence. */
function secretsSentence(secrets: ReadonlyArray<{ name: string; what: string }>): string {
  if (secrets.length === 0) return 'The session recorded no secrets.';
  return `Set ${secrets.length === 1 ? 'this environment variable' : 'these environment variables'} before running it (the recorded secrets are not in the file): ${secrets.map((s) => `${s.name} (${s.what})`).join(', ')}.`;
}

export function ExportSessionDialog({
  api,
  sessionId,
  onClose,
}: {
  api: Api;
  sessionId: number;
  onClose: () => void;
}) {
  const [format, setFormat] = useState<ExportFormat>('har');
  const [redaction, setRedaction] = useState<RedactionDraft>({ enabled: true, fields: '', patterns: '' });
  const [progress, setProgress] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // A load test is one text the engine writes whole: no pieces, no redaction options (its secrets
  // are environment variables in any case).
  const runLoadTest = async (f: LoadTestFormat) => {
    setError(null);
    setDone(null);
    setProgress('Writing the load test…');
    try {
      const t = await api.replay.export({ sessionId, format: f });
      saveFile(t.fileName, f === 'k6' ? 'text/javascript' : 'application/yaml', [t.text]);
      setDone(
        `Saved ${t.fileName}. ${secretsSentence(t.secrets)}${t.notes.length ? ` ${t.notes.join(' ')}` : ''}`,
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setProgress(null);
    }
  };

  const run = async () => {
    if (isLoadTest(format)) return runLoadTest(format);
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
      {isLoadTest(format) ? (
        <p className="small" data-testid="export-secrets">
          Secrets the session recorded (Authorization, cookies, tokens in the URL or in JSON fields) are never
          written: the script reads environment variables instead, named when it is saved.
        </p>
      ) : (
        <RedactionOptionsEditor
          draft={redaction}
          onChange={(p) => setRedaction((d) => ({ ...d, ...p }))}
          disabled={busy}
        />
      )}
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
