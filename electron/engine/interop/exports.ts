// The session exports of the interop domain, by format: what each writes and the function that
// writes it. The command line's `frameline export` and the console's Export menu read this table.
import type { DamagedFrames } from '../../../shared/contract.js';
import type { RedactionOptions, RedactionSummary } from '../../../shared/contract/fields.js';
import type { EngineContext } from '../context.js';
import { writeHar } from './har-export.js';
import { writeNdjson } from './ndjson-export.js';

/** What an export wrote. */
export interface ExportSummary {
  /** The name to save it under. */
  fileName: string;
  mimeType: string;
  connections: number;
  frames: number;
  bytes: number;
  redaction: RedactionSummary;
  /** Frames whose stored bytes failed their check: marked (NDJSON) or left out (HAR), never written as if intact. */
  damaged: DamagedFrames;
}

/** A request to export a session. */
export interface ExportRequest {
  sessionId: number;
  redaction: RedactionOptions;
}

/** Writes a session to `dest` in one format. */
export type SessionExporter = (
  ctx: EngineContext,
  request: ExportRequest,
  dest: string,
) => Promise<ExportSummary>;

/** The interop domain's formats. */
export const INTEROP_FORMATS = {
  har: {
    what: 'HAR 1.2 with _webSocketMessages, as Chrome DevTools writes it (its importer, Playwright, mitmproxy and HTTP Toolkit read it)',
    extension: 'har',
    write: writeHar,
  },
  ndjson: {
    what: 'one frame per line: ts, connection, direction, opcode, size, payload, truncated (damaged)',
    extension: 'ndjson',
    write: writeNdjson,
  },
} as const satisfies Record<string, { what: string; extension: string; write: SessionExporter }>;

export type InteropFormat = keyof typeof INTEROP_FORMATS;
