// Tables: frame, connection, event, session
// Commits spooled records into the database: used by the writer thread while a capture runs and
// by crash recovery when a session's writer is gone. One transaction per batch; the session's
// spool offset moves in the same transaction, so a record is never applied twice. A frame's payload
// is not copied: the spool is kept as the session's segment and the frame row says where in it the
// payload lies. Before a batch commits, the spool is flushed to the disk (fdatasync) up to where the
// batch reaches, so that a committed row never points at bytes a power cut could take back. Each
// frame row keeps the CRC-32 of its payload as read from the spool here, on the writer thread (the
// receiving thread never pays for it), so that every later read can tell damaged bytes from intact.
import { closeSync, fdatasyncSync, openSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { directionOf } from '../../../shared/frame-codes.js';
import { crc32 } from './checksum.js';
import { segmentFor } from './segments.js';
import { valueRefused } from './io-errors.js';
import {
  readSpool,
  SPOOL_READ_BYTES,
  SpoolDamagedError,
  SpoolRecordError,
  type SpoolMessage,
  type SpooledFrame,
} from './spool.js';

/** Flushes a file's data to the disk; a handle that cannot (read-only on some systems) is let be. */
function syncData(fd: number): void {
  try {
    fdatasyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EBADF' && code !== 'EPERM' && code !== 'EINVAL') throw err;
  }
}

/**
 * Frame rows inserted by one statement: per row, a statement of one row cost the writer 2.4 µs of
 * CPU, one of 64 rows 1.4 (binding, stepping and resetting a statement is most of a small frame's
 * cost).
 */
const ROWS_PER_INSERT = 64;
const FRAME_COLUMNS = 13;

/**
 * A statement of many rows was refused a value: the batch is rolled back and applied again a row
 * at a time, so that the record it came from is found and everything before it kept.
 */
class RowByRow extends Error {
  override name = 'RowByRow';
}

interface Totals {
  frames: number;
  framesIn: number;
  bytesIn: number;
  bytesOut: number;
  first: number | null;
  last: number;
}

export class SpoolApplier {
  private readonly connectionIds = new Map<number, number>();
  private readonly totals = new Map<number, Totals>();
  private readonly insertFrame: Database.Statement;
  private readonly insertFrames: Database.Statement;
  /** Values of frame rows not inserted yet (inserted ROWS_PER_INSERT at a time, the rest at the batch's end). */
  private rows: unknown[] = [];
  /** Insert a row at a time (after a statement of many rows was refused a value). */
  private rowByRow = false;
  private readonly insertConnection: Database.Statement;
  private readonly updateHandshake: Database.Statement;
  private readonly updateClosed: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly updateTotals: Database.Statement;
  private readonly updateOffset: Database.Statement;
  private readonly readOffset: Database.Statement;
  /** Frames committed by this applier so far (also when a later batch failed). */
  committedFrames = 0;
  private fd: number | null = null;
  /** What the spool is read into, kept from batch to batch (faulting in a fresh one cost as much as the read). */
  private scratch: Buffer | null = null;
  /** The segment this spool is, once the first batch made its row (null again after a rollback). */
  private segmentId: number | null = null;
  private static readonly EMPTY = Buffer.alloc(0);

  constructor(
    private readonly db: Database.Database,
    readonly sessionId: number,
    readonly spoolPath: string,
    /** Offset of the first record not yet committed. */
    public offset: number,
  ) {
    const insert = `INSERT INTO frame (session_id, connection_id, seq, ts, direction, opcode, size, truncated,
         payload, segment_id, payload_offset, payload_length, payload_crc) VALUES `;
    const row = `(${Array<string>(FRAME_COLUMNS).fill('?').join(', ')})`;
    this.insertFrame = db.prepare(insert + row);
    this.insertFrames = db.prepare(insert + Array<string>(ROWS_PER_INSERT).fill(row).join(', '));
    this.insertConnection = db.prepare(
      'INSERT INTO connection (session_id, ordinal, url, started_at, request_headers) VALUES (?, ?, ?, ?, ?)',
    );
    this.updateHandshake = db.prepare(
      `UPDATE connection SET status = ?, response_headers = ?, response_body_head = ?, subprotocol = ?,
         extensions = ?, dns_ms = ?, tcp_ms = ?, tls_ms = ?, upgrade_ms = ?, opened_at = ?,
         request_headers = coalesce(?, request_headers)
       WHERE id = ?`,
    );
    this.updateClosed = db.prepare(
      `UPDATE connection SET closed_at = ?, close_code = ?, close_reason = ?, closed_by = ?, error_kind = ?,
         error_message = ?, close_fault = ?, upstream_close_code = ?, upstream_close_reason = ? WHERE id = ?`,
    );
    this.insertEvent = db.prepare(
      'INSERT INTO event (session_id, connection_id, ts, kind, detail) VALUES (?, ?, ?, ?, ?)',
    );
    this.updateTotals = db.prepare(
      `UPDATE connection SET frames = frames + ?, frames_in = frames_in + ?, frames_out = frames_out + ?,
         bytes_in = bytes_in + ?, bytes_out = bytes_out + ?,
         first_frame_at = coalesce(first_frame_at, ?), last_frame_at = ? WHERE id = ?`,
    );
    this.updateOffset = db.prepare('UPDATE session SET spool_offset = ? WHERE id = ?');
    this.readOffset = db.prepare('SELECT spool_offset FROM session WHERE id = ?');
    this.loadConnections();
  }

  private loadConnections(): void {
    this.connectionIds.clear();
    for (const row of this.db
      .prepare('SELECT ordinal, id FROM connection WHERE session_id = ?')
      .all(this.sessionId) as Array<{ ordinal: number; id: number }>) {
      this.connectionIds.set(row.ordinal, row.id);
    }
  }

  /**
   * Commits records from the current offset up to `to` (the end of the file when omitted), in
   * transactions of at most `batchFrames` frames, at most `maxBatches` of them. Returns the number
   * of frames committed.
   */
  applyUpTo(to?: number, batchFrames = 20_000, maxBatches = Infinity): number {
    const fd = this.open();
    const end = to ?? statSync(this.spoolPath).size;
    let committed = 0;
    const visitor = {
      frame: (f: SpooledFrame) => this.frame(f),
      message: (m: SpoolMessage) => this.message(m),
    };
    let before = 0;
    const batch = this.db.transaction(() => {
      // Someone else may have committed part of this spool meanwhile (a recovery that took over):
      // never apply a record twice.
      const stored = this.readOffset.get(this.sessionId) as { spool_offset: number } | undefined;
      if (stored && stored.spool_offset > this.offset) {
        this.offset = stored.spool_offset;
        this.loadConnections();
      }
      before = this.framesSeen;
      let next: number;
      let damage: SpoolDamagedError | null = null;
      try {
        next = readSpool(
          fd,
          this.offset,
          end,
          visitor,
          batchFrames,
          (this.scratch ??= Buffer.allocUnsafe(SPOOL_READ_BYTES)),
        );
      } catch (err) {
        // Commit the whole records before the damage, then report it.
        if (!(err instanceof SpoolDamagedError)) throw err;
        next = err.offset;
        damage = err;
      }
      this.flushRows();
      this.flushTotals();
      this.updateOffset.run(next, this.sessionId);
      if (this.framesSeen > before) syncData(fd);
      return { next, damage };
    });
    for (let batches = 0; this.offset < end && batches < maxBatches; batches++) {
      let next: number;
      try {
        const result = batch() as { next: number; damage: SpoolDamagedError | null };
        next = result.next;
        if (result.damage) {
          committed += this.framesSeen - before;
          this.committedFrames += this.framesSeen - before;
          this.offset = next;
          throw result.damage;
        }
      } catch (err) {
        if (err instanceof SpoolDamagedError) throw err;
        // The transaction rolled back: forget what this batch taught us in memory too.
        this.totals.clear();
        this.rows = [];
        this.segmentId = null;
        this.loadConnections();
        if (err instanceof RowByRow && !this.rowByRow) {
          this.rowByRow = true;
          batches--;
          continue;
        }
        throw err;
      }
      this.rowByRow = false;
      committed += this.framesSeen - before;
      this.committedFrames += this.framesSeen - before;
      if (next === this.offset) break; // only a torn record is left
      this.offset = next;
    }
    return committed;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.scratch = null;
  }

  private framesSeen = 0;

  private open(): number {
    if (this.fd === null) {
      // Writable when it can be: some systems flush a file to the disk only through a handle that may write.
      try {
        this.fd = openSync(this.spoolPath, 'r+');
      } catch {
        this.fd = openSync(this.spoolPath, 'r');
      }
    }
    return this.fd;
  }

  private frame(f: SpooledFrame): void {
    const connectionId = this.connectionIds.get(f.ordinal);
    if (connectionId === undefined) {
      throw new SpoolRecordError(`a frame for unknown connection ${f.ordinal} of session ${this.sessionId}`);
    }
    this.rows.push(
      this.sessionId,
      connectionId,
      f.seq,
      f.ts,
      f.direction,
      f.opcode,
      f.size,
      f.truncated,
      SpoolApplier.EMPTY,
      // Made with the first frame: a session without frames keeps no segment.
      (this.segmentId ??= segmentFor(this.db, this.db.name, this.sessionId, this.spoolPath)),
      f.at,
      f.payload.length,
      crc32(f.payload),
    );
    if (this.rowByRow || this.rows.length === ROWS_PER_INSERT * FRAME_COLUMNS) this.flushRows();
    this.framesSeen++;
    let t = this.totals.get(connectionId);
    if (!t) {
      t = { frames: 0, framesIn: 0, bytesIn: 0, bytesOut: 0, first: f.ts, last: f.ts };
      this.totals.set(connectionId, t);
    }
    t.frames++;
    if (directionOf(f.direction) === 'in') {
      t.framesIn++;
      t.bytesIn += f.size;
    } else t.bytesOut += f.size;
    t.last = f.ts;
  }

  private message(m: SpoolMessage): void {
    switch (m.type) {
      case 'connection': {
        const info = this.insertConnection.run(
          this.sessionId,
          m.ordinal,
          m.url,
          m.startedAt,
          JSON.stringify(m.requestHeaders),
        );
        this.connectionIds.set(m.ordinal, Number(info.lastInsertRowid));
        return;
      }
      case 'handshake':
        this.updateHandshake.run(
          m.status,
          JSON.stringify(m.responseHeaders),
          m.bodyHead === null ? null : Buffer.from(m.bodyHead, 'base64'),
          m.subprotocol,
          m.extensions,
          m.timings.dnsMs,
          m.timings.tcpMs,
          m.timings.tlsMs,
          m.timings.upgradeMs,
          m.openedAt,
          m.requestHeaders ? JSON.stringify(m.requestHeaders) : null,
          this.connection(m.ordinal),
        );
        return;
      case 'closed':
        this.updateClosed.run(
          m.closedAt,
          m.code,
          m.reason,
          m.closedBy,
          m.error?.kind ?? null,
          m.error?.message ?? null,
          m.fault ?? null,
          m.upstream?.code ?? null,
          m.upstream?.reason ?? null,
          this.connection(m.ordinal),
        );
        return;
      case 'event':
        this.insertEvent.run(
          this.sessionId,
          m.ordinal === null ? null : this.connection(m.ordinal),
          m.ts,
          m.kind,
          JSON.stringify(m.detail ?? {}),
        );
        return;
    }
  }

  private connection(ordinal: number): number {
    const id = this.connectionIds.get(ordinal);
    if (id === undefined)
      throw new SpoolRecordError(`a record names unknown connection ${ordinal} of session ${this.sessionId}`);
    return id;
  }

  /** Inserts the frame rows not inserted yet. */
  private flushRows(): void {
    const rows = this.rows;
    if (rows.length === 0) return;
    this.rows = [];
    if (this.rowByRow) {
      this.insertFrame.run(rows);
      return;
    }
    try {
      if (rows.length === ROWS_PER_INSERT * FRAME_COLUMNS) this.insertFrames.run(rows);
      else
        for (let i = 0; i < rows.length; i += FRAME_COLUMNS)
          this.insertFrame.run(rows.slice(i, i + FRAME_COLUMNS));
    } catch (err) {
      // Which record holds the refused value is found by applying the batch again a row at a time.
      if (valueRefused(err) !== null) throw new RowByRow((err as Error).message);
      throw err;
    }
  }

  private flushTotals(): void {
    for (const [id, t] of this.totals) {
      this.updateTotals.run(
        t.frames,
        t.framesIn,
        t.frames - t.framesIn,
        t.bytesIn,
        t.bytesOut,
        t.first,
        t.last,
        id,
      );
    }
    this.totals.clear();
  }
}
