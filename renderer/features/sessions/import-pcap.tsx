// Importing a packet capture on the Sessions screen, beside the HAR import: a pcap or pcapng file on
// the engine's machine (and the TLS key log to decrypt wss:// with), read by tshark into a session of
// kind pcap, with progress. The engine reads it from its path — a capture of gigabytes is not sent
// through the page — so browser mode, whose pages may name no file, answers with why, and the line
// says how to import it from a terminal instead.
import { useState } from 'react';
import { ApiError, type Api } from '../../../shared/contract';
import type { PcapImportResult } from '../../../shared/contract/interop';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { plural } from '../../components/format';
import { progressText, type Progress } from './import-har';

/** The file name of a path as typed. */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** What a pcap import made, in one line. */
export function pcapImportedText(r: PcapImportResult, fileName: string): string {
  const tcp = r.tcpEvents;
  const evidence = [
    tcp.resets ? plural(tcp.resets, 'reset') : '',
    tcp.retransmissions ? plural(tcp.retransmissions, 'retransmission') : '',
    tcp.zeroWindows ? plural(tcp.zeroWindows, 'zero window') : '',
    tcp.missing ? plural(tcp.missing, 'missing segment') : '',
  ].filter(Boolean);
  return `Imported ${fileName} as session ${r.sessionId}: ${plural(r.connections, 'connection')}, ${plural(r.frames, 'frame')}${r.skipped ? ` (${plural(r.skipped, 'other TCP stream')} skipped)` : ''}${evidence.length ? `; TCP evidence: ${evidence.join(', ')}` : ''}.`;
}

function refusal(err: unknown, path: string, keylog: string): string {
  if (err instanceof ApiError && err.code === 'forbidden')
    return `The engine refused: ${err.message}. In a terminal on that machine: frameline import ${path || 'FILE.pcap'}${keylog ? ` --keylog ${keylog}` : ''}`;
  return `Could not import ${baseName(path)}: ${errorMessage(err)}`;
}

export function PcapImport({
  api,
  onImported,
}: {
  api: Api;
  onImported: (result: PcapImportResult, fileName: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [path, setPath] = useState('');
  const [keylog, setKeylog] = useState('');
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);

  const start = () => {
    const file = path.trim();
    const keys = keylog.trim();
    if (!file) {
      setError('Give the path of the .pcap or .pcapng file on the machine the engine runs on.');
      return;
    }
    setError(null);
    setBusy(true);
    const progressId = crypto.randomUUID();
    const off = api.on('interop:progress', (p) => {
      if (p.uploadId === progressId)
        setProgress({
          phase: p.phase,
          done: p.done,
          total: p.total,
          ...(p.packets !== undefined ? { packets: p.packets } : {}),
        });
    });
    api.interop
      .importPcap({ path: file, ...(keys ? { keylog: keys } : {}), progressId })
      .then((r) => {
        setOpen(false);
        setPath('');
        setKeylog('');
        onImported(r, baseName(file));
      })
      .catch((err: unknown) => setError(refusal(err, file, keys)))
      .finally(() => {
        off();
        setBusy(false);
        setProgress(null);
      });
  };

  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        aria-expanded={open}
        disabled={busy}
        onClick={() => setOpen((o) => !o)}
      >
        Import capture…
      </button>
      {open ? (
        <form
          className="pcap-import-form"
          aria-label="Import a packet capture"
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) start();
          }}
        >
          <input
            aria-label="Capture file"
            className="mono"
            placeholder="/path/to/capture.pcapng"
            value={path}
            spellCheck={false}
            onChange={(e) => setPath(e.target.value)}
          />
          <input
            aria-label="Key log file"
            className="mono"
            placeholder="key log (SSLKEYLOGFILE), optional"
            value={keylog}
            spellCheck={false}
            onChange={(e) => setKeylog(e.target.value)}
          />
          <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
            Import
          </button>
        </form>
      ) : null}
      {busy ? (
        <span className="har-progress" role="status" data-testid="pcap-progress">
          {progress ? (
            <>
              <progress value={progress.done} max={Math.max(1, progress.total)} /> {progressText(progress)}
            </>
          ) : (
            'Reading the capture with tshark…'
          )}
        </span>
      ) : null}
      {error ? (
        <div className="pcap-import-error">
          <ErrorNote>{error}</ErrorNote>
        </div>
      ) : null}
    </>
  );
}
