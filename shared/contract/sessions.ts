// The sessions domain of the contract: recorded sessions, their connections, events and frames.
import { z } from 'zod';
import { ProtocolMessageSchema } from './messages.js';
import { ProtocolNameSchema } from '../protocols/names.js';

const id = z.number().int().positive();
const isoTime = z.string();

/** Domain enums as schemas. */
export const DirectionSchema = z.enum(['in', 'out']);
export const OpcodeSchema = z.enum(['text', 'binary', 'ping', 'pong', 'close', 'continuation']);
export const SessionStatusSchema = z.enum(['live', 'complete', 'interrupted', 'failed']);
export const SessionKindSchema = z.enum(['capture', 'import', 'replay', 'mock', 'probe', 'relay', 'pcap']);
/**
 * Who started a connection's end: a peer, the network (no close frame), or Frameline's relay between
 * a real client and its server (a fault it played, a protocol violation it answered, or it stopped).
 */
export const ClosedBySchema = z.enum(['client', 'server', 'network', 'relay']);
export const ErrorKindSchema = z.enum([
  'refused',
  'dns',
  'timeout',
  'tls',
  'protocol',
  'reset',
  'upgrade-rejected',
  'proxy',
  'other',
]);

/** A session as listed. */
export const SessionSummarySchema = z.object({
  id,
  name: z.string(),
  kind: SessionKindSchema,
  target: z.string(),
  status: SessionStatusSchema,
  createdAt: isoTime,
  endedAt: isoTime.nullable(),
  frames: z.number().int().nonnegative(),
  tags: z.array(z.string()),
  /** The first incident the session is evidence for (a walk's capture or probe, or linked by hand), or null. */
  incidentId: id.nullable(),
  /** How its connections ended, counted: close codes ("1006"), error kinds ("refused"), "open", "none". */
  outcomes: z.record(z.string(), z.number().int().nonnegative()),
  /** The findings of its latest diagnosis (or probe), counted by severity. */
  findings: z.object({
    critical: z.number().int().nonnegative(),
    warning: z.number().int().nonnegative(),
    info: z.number().int().nonnegative(),
  }),
  /** The recorded session a replay or a mock run was made from (null for others, or once it is deleted). */
  sourceId: id.nullable().default(null),
});

/** Header names with their values as sent or received (repeated headers joined with ", "). */
export const HeadersSchema = z.record(z.string(), z.string());

/** Phase durations of one connection attempt, in milliseconds; null when the phase did not happen. */
export const TimingsSchema = z.object({
  dnsMs: z.number().nullable(),
  tcpMs: z.number().nullable(),
  tlsMs: z.number().nullable(),
  upgradeMs: z.number().nullable(),
});

/** One connection attempt with its handshake, timings and close. */
export const ConnectionSchema = z.object({
  id,
  ordinal: z.number().int().positive(),
  url: z.string(),
  status: z.number().int().nullable(),
  requestHeaders: HeadersSchema,
  responseHeaders: HeadersSchema,
  responseBodyHead: z.string().nullable(),
  subprotocol: z.string().nullable(),
  extensions: z.string().nullable(),
  timings: TimingsSchema,
  openedAt: isoTime.nullable(),
  closedAt: isoTime.nullable(),
  closeCode: z.number().int().nullable(),
  closeReason: z.string().nullable(),
  closedBy: ClosedBySchema.nullable(),
  /** The relay's fault that ended it, as written (`idle-cut=30`), when closedBy is relay because of one. */
  closeFault: z.string().nullable().default(null),
  /**
   * A relayed connection's leg to the server: the code and reason it closed with (closeCode and
   * closeReason are the client's leg). Null for every other connection.
   */
  upstreamCloseCode: z.number().int().nullable().default(null),
  upstreamCloseReason: z.string().nullable().default(null),
  error: z.object({ kind: ErrorKindSchema, message: z.string() }).nullable(),
  frames: z.number().int().nonnegative(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  firstFrameTs: isoTime.nullable(),
  lastFrameTs: isoTime.nullable(),
  /**
   * Its application protocol: what the handshake says (subprotocol, URL), else what its first
   * frames say; null when nothing does. (Absent from answers of versions before it was known.)
   */
  protocol: ProtocolNameSchema.nullable().default(null),
});

/**
 * A frame whose stored bytes failed their check (they no longer match the checksum taken when it
 * was recorded, or its segment file ends before them) carries `damaged: true` and why; its payload
 * (and preview) is then empty: the bytes are not served as if they were intact.
 */
const damageFields = {
  damaged: z.literal(true).optional(),
  /** Why, in words: "checksum mismatch: …", "cut short: …" or "missing: …". */
  damage: z.string().optional(),
};

/** Frames whose stored bytes failed their check, among those a read met. */
export const DamagedFramesSchema = z.object({
  frames: z.number().int().nonnegative(),
  /** The first of their sequence numbers (at most 20), in the order they were met. */
  seqs: z.array(z.number().int().positive()),
  /**
   * How many no longer match their checksum, how many lie beyond the end of a segment cut short, and
   * how many lie in a segment file that is missing.
   */
  checksum: z.number().int().nonnegative(),
  cutShort: z.number().int().nonnegative(),
  /** (Absent from answers of versions before it was counted.) */
  missing: z.number().int().nonnegative().default(0),
});

/** A frame as a row of the frame list: a preview, not the whole payload. */
export const FrameRowSchema = z.object({
  seq: z.number().int().positive(),
  connection: z.number().int().positive(),
  /** Epoch microseconds. */
  ts: z.number(),
  direction: DirectionSchema,
  opcode: OpcodeSchema,
  size: z.number().int().nonnegative(),
  truncated: z.boolean(),
  /** Text frames: the first characters; others: the first bytes as hex. */
  preview: z.string(),
  /** The frame's message in its connection's protocol; null when nothing is known. */
  message: ProtocolMessageSchema.nullable().default(null),
  ...damageFields,
});

/** A frame with its whole stored payload. */
export const FrameDetailSchema = FrameRowSchema.extend({
  /** UTF-8 text for text frames, base64 otherwise. */
  payload: z.string(),
  encoding: z.enum(['text', 'base64']),
});

/** A frame with its whole payload as the command line writes it (`frameline show --json`). */
export const FrameRecordSchema = z.object({
  connection: z.number().int().positive(),
  seq: z.number().int().positive(),
  ts: isoTime,
  direction: DirectionSchema,
  opcode: OpcodeSchema,
  size: z.number().int().nonnegative(),
  /** UTF-8 text for text frames, base64 otherwise. */
  payload: z.string(),
  truncated: z.boolean(),
  /** The frame's message in its connection's protocol; null when nothing is known. */
  message: ProtocolMessageSchema.nullable().default(null),
  ...damageFields,
});

/** Frames by what their text payload says (shared/payload-query.ts); a search that does not parse is refused in one line. */
const payloadSearch = {
  /** A regular expression over each text payload: `error|fail`, or `/timeout/i` with flags. */
  grep: z.string().max(500).optional(),
  /** A JSONPath condition over each JSON payload: `$.type == "error"`, `$.data.items[0].id`, `$.error`. */
  where: z.string().max(500).optional(),
};

/** What narrows a session's frames: all optional, combined with AND. */
export const FrameFilterSchema = z.object({
  /** Full-text query over text payloads (words; "quoted phrases"; prefix*). */
  text: z.string().max(500).optional(),
  direction: DirectionSchema.optional(),
  opcodes: z.array(OpcodeSchema).optional(),
  /** Epoch microseconds, inclusive. */
  fromTs: z.number().optional(),
  toTs: z.number().optional(),
  /** Only the frames of this connection (its id, as in the frame rows). */
  connection: id.optional(),
  /**
   * Decoded messages: words matched against each frame's message type and the event, topic,
   * destination or method it names (whole words, any case; `*` for any characters).
   */
  message: z.string().max(200).optional(),
  ...payloadSearch,
});

export const SessionEventSchema = z.object({
  ts: isoTime,
  connection: z.number().int().nullable(),
  kind: z.string(),
  detail: z.unknown(),
});

/** What narrows the session list: all optional, combined with AND. */
export const SessionListRequestSchema = z.object({
  /** Words matched against the name, the target and the tags. */
  query: z.string().max(500, { error: 'a search is at most 500 characters' }).optional(),
  status: SessionStatusSchema.optional(),
  kind: SessionKindSchema.optional(),
  /** Sessions of this incident (its walks' captures and probes). */
  incidentId: id.optional(),
  /** Epoch microseconds: sessions created in this range. */
  fromTs: z.number().optional(),
  toTs: z.number().optional(),
});

const ok = z.object({ ok: z.literal(true) });

/** The most frames one page of `sessions:records` holds. */
export const RECORD_PAGE_FRAMES = 1000;
/** Payload characters after which a page of `sessions:records` ends early (it holds one frame at least). */
export const RECORD_PAGE_CHARS = 4 * 1024 * 1024;

/** What recovering sessions did (`frameline recover`): recovered, deferred, left alone, set aside. */
export const RecoveryReportSchema = z.object({
  /** Sessions marked interrupted, with their spools committed. */
  recovered: z.array(id),
  /**
   * Sessions whose spool could not be committed yet (a full disk, an I/O error): marked interrupted
   * when that much could be written, else left live; their spool is kept. One sentence each.
   */
  deferred: z.array(
    z.object({
      sessionId: id,
      /** The whole story in one sentence. */
      message: z.string(),
      /** What stopped it (the disk is full…). */
      reason: z.string(),
      /** The spool that keeps the frames, when there is one. */
      spool: z.string().nullable(),
      /** Whether the session could at least be marked interrupted. */
      interrupted: z.boolean(),
    }),
  ),
  /** Live sessions recorded on another machine, left alone: recovered only when asked (`sessions:recover`). */
  elsewhere: z.array(z.object({ sessionId: id, host: z.string() })),
  /**
   * Sessions whose spool could not be applied past some record (damage, or a value the database
   * cannot store): what came before it is committed, and the spool is set aside. One sentence each.
   */
  setAside: z.array(z.object({ sessionId: id, message: z.string() })),
});

/** What compacting the store gave back (`frameline compact`). */
export const CompactionReportSchema = z.object({
  /** Segment files no session refers to any more, deleted. */
  orphansRemoved: z.number().int().nonnegative(),
  /** Segments rewritten with nothing but their frames' payloads. */
  segmentsRewritten: z.number().int().nonnegative(),
  /** Segments left as they are because some of their frames are damaged (not rewritten). */
  damagedSegmentsKept: z.number().int().nonnegative(),
  /** Bytes given back to the file system (segment files and the database file together). */
  bytesFreed: z.number().int().nonnegative(),
  /** Whether the database file itself was compacted; false when another process used it. */
  vacuumed: z.boolean(),
});

/** `sessions:*` */
export const sessionChannels = {
  list: { request: SessionListRequestSchema, response: z.array(SessionSummarySchema) },
  get: {
    request: z.object({ id }),
    response: z.object({
      session: SessionSummarySchema,
      connections: z.array(ConnectionSchema),
      events: z.array(SessionEventSchema),
    }),
  },
  frames: {
    request: z.object({
      id,
      filter: FrameFilterSchema.default({}),
      offset: z.number().int().nonnegative(),
      limit: z.number().int().positive().max(1000),
    }),
    response: z.object({
      total: z.number().int().nonnegative(),
      frames: z.array(FrameRowSchema),
      /** Frames the full-text index has not reached yet (a text search cannot find them until it does). */
      unindexed: z.number().int().nonnegative().default(0),
    }),
  },
  frame: {
    request: z.object({ id, seq: z.number().int().positive() }),
    response: FrameDetailSchema,
  },
  /**
   * A page of a session's frames with their whole payloads, in order, after the frame `afterSeq`:
   * how `frameline show --frames` writes a session of any size without holding it. A page ends
   * after `limit` frames or once its payloads pass RECORD_PAGE_CHARS; `next` is the `afterSeq` of
   * the page after it, null when this page reached the last frame.
   */
  records: {
    request: z.object({
      id,
      afterSeq: z.number().int().nonnegative().default(0),
      limit: z.number().int().positive().max(RECORD_PAGE_FRAMES).default(RECORD_PAGE_FRAMES),
      /** Only the frames whose payload matches (then `next` follows the matches). */
      ...payloadSearch,
    }),
    response: z.object({
      frames: z.array(FrameRecordSchema),
      next: z.number().int().nonnegative().nullable(),
    }),
  },
  rate: {
    request: z.object({ id, buckets: z.number().int().min(10).max(2000).default(300) }),
    response: z.object({
      /** Epoch microseconds of the first bucket. */
      startTs: z.number(),
      bucketUs: z.number(),
      incoming: z.array(z.number().int()),
      outgoing: z.array(z.number().int()),
    }),
  },
  rename: { request: z.object({ id, name: z.string().trim().min(1).max(200) }), response: ok },
  tag: { request: z.object({ id, tags: z.array(z.string().trim().min(1).max(50)).max(20) }), response: ok },
  delete: { request: z.object({ id }), response: ok },
  /**
   * What to put back for a session whose segment files are missing (its frames read as damaged,
   * "missing"): one sentence per file, or one for the frames folder when all of it is gone; empty
   * when every file is there.
   */
  missingSegments: { request: z.object({ id }), response: z.array(z.string()) },
  /**
   * Recovers every live session whose recorder is gone: commits what its spool still holds and marks
   * it interrupted, also sessions recorded on another machine (a database copied here), which
   * opening the database never recovers by itself.
   */
  recover: { request: z.object({}), response: RecoveryReportSchema },
  /**
   * Gives disk space back: segment files no session refers to, framing overhead in segments, and
   * the database file's free pages. Live captures are left alone.
   */
  compact: { request: z.object({}), response: CompactionReportSchema },
} as const;

/** A session as listed. */
export type SessionSummary = z.output<typeof SessionSummarySchema>;
/** One connection attempt inside a session. */
export type ConnectionView = z.output<typeof ConnectionSchema>;
/** A lifecycle or diagnostic event of a session. */
export type SessionEvent = z.output<typeof SessionEventSchema>;
/** A frame as a row of the frame list. */
export type FrameRow = z.output<typeof FrameRowSchema>;
/** A frame with its whole payload, as the command line writes it. */
export type FrameRecord = z.output<typeof FrameRecordSchema>;
/** What recovering sessions did. */
export type RecoveryReport = z.output<typeof RecoveryReportSchema>;
/** What compacting the store gave back. */
export type CompactionReport = z.output<typeof CompactionReportSchema>;
/** Frames whose stored bytes failed their check, counted. */
export type DamagedFrames = z.output<typeof DamagedFramesSchema>;
/** Header names with their values. */
export type Headers = z.output<typeof HeadersSchema>;
/** Phase durations of one connection attempt. */
export type Timings = z.output<typeof TimingsSchema>;
/** A frame with its whole stored payload. */
export type FrameDetail = z.output<typeof FrameDetailSchema>;
/** What narrows a session's frames. */
export type FrameFilter = z.output<typeof FrameFilterSchema>;
/** Which way a frame travelled, seen from Frameline (the client). */
export type Direction = z.output<typeof DirectionSchema>;
/** A WebSocket frame kind as recorded. */
export type Opcode = z.output<typeof OpcodeSchema>;
/** A session is live while recorded, complete when it ended cleanly, interrupted after a crash. */
export type SessionStatus = z.output<typeof SessionStatusSchema>;
/** What produced a session. */
export type SessionKind = z.output<typeof SessionKindSchema>;
/** Who ended a connection: our side, the peer, or nobody (no close frame: 1006). */
export type ClosedBy = z.output<typeof ClosedBySchema>;
/** Why a connection attempt or an open connection failed. */
export type ErrorKind = z.output<typeof ErrorKindSchema>;
