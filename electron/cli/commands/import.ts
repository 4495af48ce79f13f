// frameline import: a HAR file (Chrome DevTools, Firefox, mitmproxy, HTTP Toolkit, Playwright,
// Frameline) as a session: each WebSocket entry a connection with its handshake and frames; or a
// packet capture (pcap, pcapng) read with tshark: each TCP stream that upgraded a connection.
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { contract } from '../../../shared/contract.js';
import type { PayloadOf } from '../../../shared/contract.js';
import type { ImportResult, PcapImportResult } from '../../../shared/contract/interop.js';
import { plural } from '../../../shared/words.js';
import { InputError } from '../../engine/errors.js';
import { checkUserFile } from '../../engine/files.js';
import { parse, positionals, requestFrom } from '../args.js';
import { openCliEngine } from '../engine.js';
import { formatBytes, note, out } from '../output.js';

/** A file from this size on prints its progress (a smaller one is imported in a moment). */
export const LONG_IMPORT_BYTES = 4 * 1024 * 1024;

/**
 * An import's progress as a stderr line, with the step it reports (a tenth of the phase, or each
 * 16 MiB read of a file whose size is not known): `importing: 4.0 MiB of 10.0 MiB (40%), 3120
 * packets`. Null at a phase's start (nothing to say yet).
 */
export function progressLine(p: PayloadOf<'interop:progress'>): { step: string; text: string } | null {
  if (p.done === 0) return null;
  const packets = p.packets === undefined ? '' : `, ${p.packets} packets`;
  if (p.total === 0)
    return {
      step: `${p.phase} ${Math.floor(p.done / (1 << 24))}`,
      text: `${p.phase}: ${formatBytes(p.done)} read${packets}`,
    };
  const tenth = Math.floor((p.done / p.total) * 10);
  const pct = Math.floor((p.done / p.total) * 100);
  return {
    step: `${p.phase} ${tenth}`,
    text:
      p.phase === 'committing'
        ? `committing: ${p.done} of ${p.total} frames written (${pct}%)`
        : `${p.phase}: ${formatBytes(p.done)} of ${formatBytes(p.total)} (${pct}%)${packets}`,
  };
}

export const help = `frameline import FILE [--name N] [--json]
frameline import FILE.pcap|FILE.pcapng [--keylog FILE] [--name N] [--json]
  Imports a HAR file's WebSocket connections as a session (kind "import"): the handshake's request
  and response headers and status, and every message (times in seconds, as Chrome DevTools,
  mitmproxy and HTTP Toolkit write them, or milliseconds, as Playwright does: told apart by size),
  with HTTP Toolkit's _webSocketClose. Other entries are counted as skipped, and messages that are
  not frames (a type other than send and receive, such as Chrome's "error", or no data) are counted
  and named. A malformed file, or a value that cannot be stored (a time before 1970 or after the
  year 9999, a size or status that is no whole number), gets one line saying what is wrong and
  where (its JSON path), and nothing is created.

  A packet capture (tcpdump, Wireshark: told apart by its first bytes) is read with tshark (the
  package tshark) as a session of kind "pcap": each TCP stream whose GET … Upgrade: websocket was
  answered by 101, on any port, is a connection with its handshake, its timings from the packets, and
  every message at its packet's time (unmasked, fragments joined, permessage-deflate inflated); a
  connection that ended without a close frame is closed 1006 by the side whose FIN or reset came
  first, and as reset when that side sent its FIN and then a reset before the other side's FIN (an
  abortive close, as HAProxy's option nolinger does). Resets, retransmissions, zero windows and
  segments missing from the capture (with the bytes it lacks, and the bytes after the gap that could
  not be read) are events on the connection, for diagnose. A capture of 4 MiB or more prints its
  progress on stderr, a line at each tenth of the file, with the packets read.

  --keylog FILE a TLS key log (SSLKEYLOGFILE, as browsers, curl and Python write it) to decrypt
                wss:// in a packet capture
  --name N      the session's name (default: the file's name)
  --json        {"sessionId", "connections", "frames", "skipped", "skippedMessages"} on stdout;
                for a packet capture {"sessionId", "connections", "frames", "skipped", "tcpEvents"}
  --db PATH     the database`;

const OPTIONS = { name: { type: 'string' }, keylog: { type: 'string' } } as const;

/** Whether a file is a packet capture: pcap (either byte order, µs or ns) or pcapng, by its first bytes. */
function isPacketCapture(path: string): boolean {
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, head, 0, 4, 0) < 4) return false;
  } finally {
    closeSync(fd);
  }
  const magic = head.readUInt32LE(0);
  return [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a].includes(magic);
}

/** A packet capture's import, in words. */
function pcapLine(r: PcapImportResult): string {
  const t = r.tcpEvents;
  const evidence = [
    t.resets && `${t.resets} reset${t.resets === 1 ? '' : 's'}`,
    t.retransmissions && `${t.retransmissions} retransmission${t.retransmissions === 1 ? '' : 's'}`,
    t.zeroWindows && `${t.zeroWindows} zero window${t.zeroWindows === 1 ? '' : 's'}`,
    t.missing && `${t.missing} segment${t.missing === 1 ? '' : 's'} missing from the capture`,
  ].filter(Boolean);
  return `imported session ${r.sessionId}: ${r.connections} connection${r.connections === 1 ? '' : 's'}, ${r.frames} frames${r.skipped ? ` (${r.skipped} other TCP stream${r.skipped === 1 ? '' : 's'} skipped)` : ''}${evidence.length ? `; TCP: ${evidence.join(', ')}` : ''}\n`;
}

/** The messages an import left out, by kind, each with where the first one is. */
/** The file's times the import did not take as they were, one a line. */
function adjustedLines(adjusted: ImportResult['adjusted']): string {
  if (adjusted.length === 0) return '';
  const head = `adjusted ${plural(adjusted.length, 'time')}`;
  return adjusted.length === 1
    ? `${head}: ${adjusted[0]!.path}: ${adjusted[0]!.what}\n`
    : `${head}:\n${adjusted.map((a) => `  ${a.path}: ${a.what}\n`).join('')}`;
}

function leftOut(skipped: ImportResult['skippedMessages']): string {
  if (skipped.length === 0) return '';
  const total = skipped.reduce((n, s) => n + s.count, 0);
  const kinds = skipped.map((s) => {
    const what =
      s.reason === 'no data'
        ? `${JSON.stringify(s.type)} without data`
        : s.type === '(none)'
          ? 'without a type'
          : `of type ${JSON.stringify(s.type)}`;
    return `${s.count} ${what} (first ${s.first})`;
  });
  return `; ${total} message${total === 1 ? '' : 's'} left out: ${kinds.join(', ')}`;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, 'import');
  const [file] = positionals(parsed.positionals, 'import', { min: 1, what: 'file' });
  const v = parsed.values;
  checkUserFile(file!, 'the file to import'); // said before any mistake in the flags
  if (v.name !== undefined && v.name.trim() === '')
    throw new InputError('--name is empty; give the session a name');
  const pcap = isPacketCapture(file!);
  if (!pcap && /\.pcap(ng)?$/i.test(file!))
    throw new InputError(
      `${basename(file!)} is named as a packet capture but is none: its first bytes are no pcap or pcapng header`,
    );
  if (v.keylog !== undefined) {
    if (!pcap)
      throw new InputError('--keylog is for a packet capture (pcap, pcapng); this is no packet capture');
    checkUserFile(v.keylog, 'the TLS key log');
  }
  const request = requestFrom(
    contract.interop.importFile.request,
    v,
    { name: { field: 'name' } },
    { path: file, progressId: randomUUID() },
  );
  // The database is opened (or made) only once the whole file is checked: a refused file creates
  // nothing, not even a database at a new --db path.
  const engine = openCliEngine(v, { openOnFirstUse: true });
  // Progress on stderr for a file that takes a while: a line at each tenth of each phase.
  const long = statSync(file!).size >= LONG_IMPORT_BYTES;
  let shown = '';
  const off = engine.api.on('interop:progress', (p) => {
    if (p.uploadId !== request.progressId || !long) return;
    const line = progressLine(p);
    if (line === null || line.step === shown) return;
    shown = line.step;
    note(line.text);
  });
  if (pcap) {
    let r: PcapImportResult;
    try {
      r = await engine.api.interop.importPcap({
        ...request,
        ...(v.keylog !== undefined ? { keylog: resolve(v.keylog) } : {}),
      });
    } finally {
      off();
      await engine.close();
    }
    await out(v.json ? `${JSON.stringify(r, null, 2)}\n` : pcapLine(r));
    return 0;
  }
  let result: ImportResult;
  try {
    result = await engine.api.interop.importFile(request);
  } finally {
    off();
    await engine.close();
  }
  if (v.json) await out(`${JSON.stringify(result, null, 2)}\n`);
  else
    await out(
      `imported session ${result.sessionId}: ${result.connections} connection${result.connections === 1 ? '' : 's'}, ${result.frames} frames${result.skipped ? ` (${result.skipped} other entr${result.skipped === 1 ? 'y' : 'ies'} skipped)` : ''}${leftOut(result.skippedMessages)}\n${adjustedLines(result.adjusted)}`,
    );
  return 0;
}
