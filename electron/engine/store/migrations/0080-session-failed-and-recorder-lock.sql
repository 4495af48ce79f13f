-- A session that never opened a connection is `failed`, not `complete`; and a live session names
-- the lock its recorder holds (a file beside the database, relative to the database's folder, like
-- its spool): the recorder is alive exactly while that lock is held, which the OS releases when the
-- process dies, whatever becomes of its PID. SQLite cannot change a CHECK constraint in place, so
-- the table is rebuilt through a copy (foreign keys are off while migrations run, so its children
-- stay; the copy goes back under the same name so that the schema reads as it was written).

CREATE TABLE session_copy AS SELECT * FROM session;
DROP TABLE session;

CREATE TABLE session (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL,
  kind          TEXT    NOT NULL CHECK (kind IN ('capture', 'import', 'replay', 'mock', 'probe')),
  target        TEXT    NOT NULL,
  settings      TEXT    NOT NULL DEFAULT '{}',
  status        TEXT    NOT NULL CHECK (status IN ('live', 'complete', 'interrupted', 'failed')),
  created_at    INTEGER NOT NULL,
  ended_at      INTEGER,
  incident_id   INTEGER,
  -- While live: the recording process (for people to read), the lock that says it is alive, and
  -- the spool that holds what it has not committed yet. Paths are relative to the database's folder.
  writer_pid    INTEGER,
  writer_host   TEXT,
  writer_lock   TEXT,
  spool_path    TEXT,
  spool_offset  INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO session (id, name, kind, target, settings, status, created_at, ended_at, incident_id,
                     writer_pid, writer_host, writer_lock, spool_path, spool_offset)
SELECT id, name, kind, target, settings, status, created_at, ended_at, incident_id,
       writer_pid, writer_host, NULL, spool_path, spool_offset
FROM session_copy;

DROP TABLE session_copy;

-- Captures and probes recorded before this version that never got a connection open.
UPDATE session SET status = 'failed'
WHERE status = 'complete'
  AND kind IN ('capture', 'probe')
  AND EXISTS (SELECT 1 FROM connection c WHERE c.session_id = session.id)
  AND NOT EXISTS (SELECT 1 FROM connection c WHERE c.session_id = session.id AND c.opened_at IS NOT NULL);
