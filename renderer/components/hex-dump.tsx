// Bytes as a classic hex dump: offset, sixteen bytes in hex, and their printable ASCII. Long
// payloads are shown in steps so that a 1 MiB frame does not freeze the window.
import { useMemo, useState } from 'react';
import { formatBytes } from './format';

const STEP_LINES = 1024;

/** The three columns of a hex dump for lines [from, to), each as one block of text. */
export function hexColumns(
  bytes: Uint8Array,
  from: number,
  to: number,
): { offsets: string; hex: string; ascii: string } {
  const offsets: string[] = [];
  const hex: string[] = [];
  const ascii: string[] = [];
  for (let line = from; line < to; line++) {
    const start = line * 16;
    offsets.push(start.toString(16).padStart(8, '0'));
    let h = '';
    let a = '';
    for (let i = 0; i < 16; i++) {
      const b = bytes[start + i];
      if (i === 8) h += ' ';
      if (b === undefined) {
        h += '   ';
        continue;
      }
      h += `${b.toString(16).padStart(2, '0')} `;
      a += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    hex.push(h.trimEnd());
    ascii.push(a);
  }
  return { offsets: offsets.join('\n'), hex: hex.join('\n'), ascii: ascii.join('\n') };
}

/** Bytes as space-separated hex pairs, the format the composer and `capture:send` accept. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (i ? ' ' : '') + bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

export function HexDump({ bytes }: { bytes: Uint8Array }) {
  const totalLines = Math.ceil(bytes.length / 16);
  const [lines, setLines] = useState(Math.min(totalLines, STEP_LINES));
  const columns = useMemo(
    () => hexColumns(bytes, 0, Math.min(lines, totalLines)),
    [bytes, lines, totalLines],
  );
  if (bytes.length === 0) return <p className="muted">Empty payload (0 bytes).</p>;
  return (
    <div className="hex-dump" aria-label="Hex dump">
      <div className="hex-dump-grid">
        <pre className="hex-offsets">{columns.offsets}</pre>
        <pre className="hex-bytes">{columns.hex}</pre>
        <pre className="hex-ascii">{columns.ascii}</pre>
      </div>
      {lines < totalLines ? (
        <div className="hex-dump-more">
          <span className="muted">
            Showing the first {formatBytes(lines * 16)} of {formatBytes(bytes.length)}.
          </span>
          <button type="button" className="btn btn-small" onClick={() => setLines(lines + STEP_LINES)}>
            Show {formatBytes(Math.min(STEP_LINES, totalLines - lines) * 16)} more
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setLines(totalLines)}>
            Show all
          </button>
        </div>
      ) : null}
    </div>
  );
}
