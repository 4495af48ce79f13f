-- A packet capture imported (`frameline import FILE.pcap`) is a session of its own kind, `pcap`.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt through a copy, as
-- 0080 did (foreign keys are off while migrations run, so its children stay).

CREATE TABLE session_copy AS SELECT * FROM session;
DROP TABLE session;

CREATE TABLE session (
  id                 INTEGER PRIMARY KEY,
  name               TEXT    NOT NULL,
  kind               TEXT    NOT NULL CHECK (kind IN ('capture', 'import', 'replay', 'mock', 'probe', 'relay', 'pcap')),
  target             TEXT    NOT NULL,
  settings           TEXT    NOT NULL DEFAULT '{}',
  status             TEXT    NOT NULL CHECK (status IN ('live', 'complete', 'interrupted', 'failed')),
  created_at         INTEGER NOT NULL,
  ended_at           INTEGER,
  writer_pid         INTEGER,
  writer_host        TEXT,
  writer_lock        TEXT,
  spool_path         TEXT,
  spool_offset       INTEGER NOT NULL DEFAULT 0,
  source_session_id  INTEGER REFERENCES session (id) ON DELETE SET NULL,
  protocol           TEXT
) STRICT;

INSERT INTO session (id, name, kind, target, settings, status, created_at, ended_at, writer_pid,
                     writer_host, writer_lock, spool_path, spool_offset, source_session_id, protocol)
SELECT id, name, kind, target, settings, status, created_at, ended_at, writer_pid,
       writer_host, writer_lock, spool_path, spool_offset, source_session_id, protocol
FROM session_copy;

DROP TABLE session_copy;
