// The session exports of the interop domain, by format: what each writes and the function that
// writes it. The handlers of `interop:export` and `interop:exportFile` read this table.
import type { DamagedFrames } from '../../../shared/contract.js';
import { INTEROP_FORMAT_TEXT } from '../../../shared/contract/interop.js';
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

/** The interop domain's formats: what each writes (in words, from the contract) and how. */
export const INTEROP_FORMATS = {
  har: { ...INTEROP_FORMAT_TEXT.har, write: writeHar },
  ndjson: { ...INTEROP_FORMAT_TEXT.ndjson, write: writeNdjson },
} as const satisfies Record<string, { what: string; extension: string; write: SessionExporter }>;

export type InteropFormat = keyof typeof INTEROP_FORMATS;
