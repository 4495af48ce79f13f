-- Bytes written once: a frame's payload stays where the capture first wrote it, in the session's
-- append-only log file beside the database (its former spool, now kept), and the frame row holds
-- where: the segment, the payload's byte offset in it, and its stored length. Frames recorded before
-- this version keep their payload inline (segment_id NULL); both shapes are read by the same
-- function (frame-store's payloadBytes), so nothing is converted and opening an old file is instant.
-- A segment belongs to one session: deleting the session deletes its rows here (and its file).

CREATE TABLE segment (
  id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a reader's cached file stays right
  session_id  INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  path        TEXT    NOT NULL                   -- relative to the database's folder
) STRICT;

CREATE INDEX segment_by_session ON segment (session_id);

ALTER TABLE frame ADD COLUMN segment_id INTEGER;     -- NULL: the payload is the inline blob
ALTER TABLE frame ADD COLUMN payload_offset INTEGER; -- byte offset of the payload in the segment
ALTER TABLE frame ADD COLUMN payload_length INTEGER; -- stored bytes (the capped size when truncated)
