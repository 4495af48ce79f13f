// Importing a HAR file on the Sessions screen: dropped anywhere on it, or picked with the button.
// The file goes to the engine in pieces; the engine checks it, imports it and commits its frames,
// and says how far it is; a file that is not a HAR gets the engine's one sentence saying where.
import { useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { Api, PayloadOf, ResponseOf } from '../../../shared/contract';
import { INTEROP_PIECE_BYTES } from '../../../shared/contract/interop';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatBytes, plural } from '../../components/format';
import { toBase64 } from '../../components/files';

type Imported = ResponseOf<'interop', 'import'>;

export interface Progress {
  phase: 'uploading' | PayloadOf<'interop:progress'>['phase'];
  done: number;
  total: number;
  /** A packet capture: the packets tshark has read so far. */
  packets?: number;
}

/** Sends a file to the engine and imports it; progress as it goes. */
export async function importHarFile(
  api: Api,
  file: File,
  onProgress: (p: Progress) => void,
): Promise<Imported> {
  let uploadId: string | undefined;
  for (let offset = 0; offset < file.size || (offset === 0 && uploadId === undefined);) {
    const piece = new Uint8Array(await file.slice(offset, offset + INTEROP_PIECE_BYTES).arrayBuffer());
    const r = await api.interop.upload({
      ...(uploadId ? { uploadId } : {}),
      fileName: file.name,
      offset,
      data: toBase64(piece),
    });
    uploadId = r.uploadId;
    offset = r.bytes;
    onProgress({ phase: 'uploading', done: offset, total: file.size });
    if (piece.length === 0) break;
  }
  const id = uploadId!;
  const off = api.on('interop:progress', (p) => {
    if (p.uploadId === id) onProgress({ phase: p.phase, done: p.done, total: p.total });
  });
  try {
    return await api.interop.import({ uploadId: id });
  } finally {
    off();
  }
}

export function progressText(p: Progress): string {
  const pct = `${Math.floor((p.done / Math.max(1, p.total)) * 100)}%`;
  if (p.phase === 'committing') return `Committing frames: ${p.done} of ${p.total}`;
  const what = { uploading: 'Sending the file', checking: 'Checking the file', importing: 'Importing' }[
    p.phase
  ];
  const packets = p.packets === undefined ? '' : `, ${p.packets.toLocaleString('en-US')} packets`;
  return `${what}: ${formatBytes(p.done)} of ${formatBytes(p.total)} (${pct})${packets}`;
}

/** The Sessions screen's drop target for HAR files, around `children`. */
export function HarDropZone({
  api,
  children,
  beside,
  onImported,
}: {
  api: Api;
  children: ReactNode;
  /** Another import, beside this one in the bar (the packet capture's). */
  beside?: ReactNode;
  onImported: (result: Imported, fileName: string) => void;
}) {
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const busy = progress !== null;

  const start = (file: File) => {
    setError(null);
    setProgress({ phase: 'uploading', done: 0, total: file.size });
    importHarFile(api, file, setProgress)
      .then((r) => onImported(r, file.name))
      .catch((err: unknown) => setError(`Could not import ${file.name}: ${errorMessage(err)}`))
      .finally(() => setProgress(null));
  };

  // A file dropped outside the drop zone must not replace the console with it.
  useEffect(() => {
    const stop = (e: globalThis.DragEvent) => e.preventDefault();
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (busy) return;
    const file = e.dataTransfer.files[0];
    if (file) start(file);
  };

  return (
    <div
      className={`har-drop${over ? ' is-over' : ''}`}
      data-testid="har-drop"
      onDragOver={(e) => {
        e.preventDefault();
        if (!over) setOver(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setOver(false);
      }}
      onDrop={onDrop}
    >
      <div className="har-import-bar">
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          onClick={() => picker.current?.click()}
        >
          Import HAR…
        </button>
        <input
          ref={picker}
          type="file"
          accept=".har,application/json"
          hidden
          aria-label="HAR file to import"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) start(file);
          }}
        />
        {progress ? (
          <span className="har-progress" role="status" data-testid="import-progress">
            <progress value={progress.done} max={Math.max(1, progress.total)} /> {progressText(progress)}
          </span>
        ) : (
          <span className="muted small">
            or drop a .har file here (Chrome, Firefox, mitmproxy, HTTP Toolkit, Playwright)
          </span>
        )}
        {beside}
      </div>
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      {over ? (
        <div className="har-drop-hint">Drop the HAR file to import its WebSocket connections</div>
      ) : null}
      {children}
    </div>
  );
}

/** What an import made, in one line. */
export function importedText(r: Imported, fileName: string): string {
  const left = r.skippedMessages.reduce((n, s) => n + s.count, 0);
  const types = [...new Set(r.skippedMessages.map((s) => s.type))].join(', ');
  return `Imported ${fileName} as session ${r.sessionId}: ${plural(r.connections, 'connection')}, ${plural(r.frames, 'frame')}${r.skipped ? ` (${plural(r.skipped, 'other entry', 'other entries')} skipped)` : ''}${left ? `; ${plural(left, 'message')} that ${left === 1 ? 'is' : 'are'} not frames left out (${types})` : ''}.${r.adjusted.length ? ` Adjusted ${plural(r.adjusted.length, 'time')} that would have made a lifetime negative: ${r.adjusted.map((a) => `${a.path}: ${a.what}`).join('; ')}.` : ''}`;
}
