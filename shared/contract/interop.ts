// The interop domain of the contract: recordings in and out of Frameline. A HAR file comes in from
// the console in pieces and is imported; a session goes out as HAR or NDJSON, written by the engine
// and read back by the console in pieces (a million frames never cross in one message). Spread
// into the one contract under `interop`.
import { z } from 'zod';
import { RedactionSchema, RedactionSummarySchema } from './fields.js';
import { DamagedFramesSchema } from './sessions.js';

const id = z.number().int().positive();
const handle = z.string().regex(/^[a-z0-9-]{8,64}$/, { error: 'is not an upload or export id' });
/** Bytes the console sends or reads in one piece. */
export const INTEROP_PIECE_BYTES = 4 * 1024 * 1024;

/** What an import made. */
export const ImportResultSchema = z.object({
  sessionId: id,
  connections: z.number().int().nonnegative(),
  frames: z.number().int().nonnegative(),
  /** Entries that are not WebSocket connections. */
  skipped: z.number().int().nonnegative(),
  /** Messages of WebSocket entries left out: a type other than send and receive, or no data. */
  skippedMessages: z.array(
    z.object({
      type: z.string(),
      reason: z.enum(['unknown type', 'no data']),
      count: z.number().int().positive(),
      /** The JSON path of the first one (log.entries[1]._webSocketMessages[4]). */
      first: z.string(),
    }),
  ),
  /** Times of the file that would have made a lifetime negative, and what the import did instead. */
  adjusted: z.array(z.object({ path: z.string(), what: z.string() })).default([]),
});

/** What a packet capture's import made: the same fields as a HAR import's, and the TCP evidence. */
export const PcapImportResultSchema = z.object({
  sessionId: id,
  connections: z.number().int().nonnegative(),
  frames: z.number().int().nonnegative(),
  /** TCP streams that were no WebSocket connection (no upgrade answered by 101, or not decrypted). */
  skipped: z.number().int().nonnegative(),
  /** TCP evidence recorded as events on the connections, for diagnose. */
  tcpEvents: z.object({
    resets: z.number().int().nonnegative(),
    retransmissions: z.number().int().nonnegative(),
    zeroWindows: z.number().int().nonnegative(),
    /** Segments missing from the capture. */
    missing: z.number().int().nonnegative(),
  }),
});

/** The formats a session is exported in by this domain. */
export const InteropFormatSchema = z.enum(['har', 'ndjson'], { error: 'must be har or ndjson' });

/** What each format of this domain writes, in words, and the extension of its files. */
export const INTEROP_FORMAT_TEXT = {
  har: {
    what: 'HAR 1.2 with _webSocketMessages, as Chrome DevTools writes it (its importer, Playwright, mitmproxy and HTTP Toolkit read it)',
    extension: 'har',
  },
  ndjson: {
    what: 'one frame per line: ts, connection, direction, opcode, size, payload, truncated (damaged)',
    extension: 'ndjson',
  },
} as const satisfies Record<z.output<typeof InteropFormatSchema>, { what: string; extension: string }>;

/** A session to export, in which format, redacted how (on by default). */
const ExportRequestSchema = z.object({
  sessionId: id,
  format: InteropFormatSchema,
  redaction: RedactionSchema.default({ enabled: true, fields: [], patterns: [] }),
});

/** What an export wrote. */
const exportSummary = {
  fileName: z.string(),
  mimeType: z.string(),
  bytes: z.number().int().nonnegative(),
  connections: z.number().int().nonnegative(),
  frames: z.number().int().nonnegative(),
  redaction: RedactionSummarySchema,
  /** Frames whose stored bytes failed their check: marked (NDJSON) or left out (HAR). */
  damaged: DamagedFramesSchema,
};

/** `interop:*` */
export const interopChannels = {
  /** A piece of a file to import, in order (the first without an id: the answer gives it). */
  upload: {
    request: z.object({
      uploadId: handle.optional(),
      fileName: z.string().min(1).max(255),
      offset: z.number().int().nonnegative(),
      /** Base64 of at most INTEROP_PIECE_BYTES bytes. */
      data: z.string().max(Math.ceil(INTEROP_PIECE_BYTES / 3) * 4 + 4),
    }),
    response: z.object({ uploadId: handle, bytes: z.number().int().nonnegative() }),
  },
  /** Imports an uploaded HAR file (progress on `interop:progress`); the upload is gone after. */
  import: {
    request: z.object({ uploadId: handle, name: z.string().trim().min(1).max(200).optional() }),
    response: ImportResultSchema,
  },
  /**
   * Imports a HAR file straight from the engine's machine (`frameline import FILE`: a file of
   * gigabytes is not copied through the contract), with progress on `interop:progress` under
   * `progressId` when the request gives one. A relative path is taken from the engine's working
   * folder. A page may not name files: browser mode answers `forbidden`.
   */
  importFile: {
    request: z.object({
      path: z.string().min(1).max(4096),
      name: z
        .string()
        .trim()
        .min(1, { error: 'is empty; give the session a name' })
        .max(200, { error: 'is longer than 200 characters; give a shorter name' })
        .optional(),
      /** Chosen by the caller to tell its progress pushes apart; without one, nothing is pushed. */
      progressId: handle.optional(),
    }),
    response: ImportResultSchema,
  },
  /**
   * Imports a packet capture (pcap or pcapng) straight from the engine's machine as a session of
   * kind `pcap`, read with tshark; `keylog` is a TLS key log (SSLKEYLOGFILE) to decrypt wss:// with.
   * Progress on `interop:progress` under `progressId`. A page may not name files: browser mode
   * answers `forbidden`.
   */
  importPcap: {
    request: z.object({
      path: z.string().min(1).max(4096),
      keylog: z.string().min(1).max(4096).optional(),
      name: z
        .string()
        .trim()
        .min(1, { error: 'is empty; give the session a name' })
        .max(200, { error: 'is longer than 200 characters; give a shorter name' })
        .optional(),
      progressId: handle.optional(),
    }),
    response: PcapImportResultSchema,
  },
  /** Writes a session in a format; read it with `interop:read`, then discard it. */
  export: {
    request: ExportRequestSchema,
    response: z.object({ exportId: handle, ...exportSummary }),
  },
  /**
   * Writes a session in a format straight to a file on the engine's machine (`frameline export
   * -o FILE`: a million frames are not copied through the contract). A relative path is taken from
   * the engine's working folder. A page may not name files: browser mode answers `forbidden`.
   */
  exportFile: {
    request: ExportRequestSchema.extend({ path: z.string().min(1).max(4096) }),
    response: z.object(exportSummary),
  },
  read: {
    request: z.object({
      exportId: handle,
      offset: z.number().int().nonnegative(),
      length: z.number().int().positive().max(INTEROP_PIECE_BYTES),
    }),
    response: z.object({ data: z.string(), done: z.boolean() }),
  },
  /** Drops an upload or an export the console no longer needs. */
  discard: { request: z.object({ id: handle }), response: z.object({ ok: z.literal(true) }) },
} as const;

/** Push topics of interop. */
export const interopTopics = {
  /** How far an import is (a few times a second). */
  'interop:progress': z.object({
    /** The upload being imported, or the `progressId` of an `interop:importFile` request. */
    uploadId: handle,
    phase: z.enum(['checking', 'importing', 'committing']),
    /** Bytes of the file (frames when committing) done so far, of `total` (0: the size is not known). */
    done: z.number().nonnegative(),
    total: z.number().nonnegative(),
    /** A packet capture: the TCP packets tshark has read so far. */
    packets: z.number().int().nonnegative().optional(),
  }),
} as const;

export type ImportResult = z.output<typeof ImportResultSchema>;
export type PcapImportResult = z.output<typeof PcapImportResultSchema>;
export type InteropFormat = z.output<typeof InteropFormatSchema>;
