-- An incident may name the Prometheus server its walks' query steps ask (`Action: query promql=…`):
-- its URL and how to authenticate, as JSON; the secret itself is never stored, only the name of the
-- environment variable the engine reads it from. A walk's step may run a query: the run's kind CHECK
-- gains 'query', through a copy of the table as 0190 did.

ALTER TABLE incident ADD COLUMN prometheus TEXT; -- JSON {url, auth, username, secretEnv}, or NULL

CREATE TABLE walk_run_copy AS SELECT * FROM walk_run;
DROP TABLE walk_run;

CREATE TABLE walk_run (
  id             INTEGER PRIMARY KEY,
  walk_id        INTEGER NOT NULL REFERENCES walk (id) ON DELETE CASCADE,
  visit_id       INTEGER REFERENCES walk_step (id) ON DELETE SET NULL,
  node_id        TEXT    NOT NULL,
  step_index     INTEGER NOT NULL,
  kind           TEXT    NOT NULL CHECK (kind IN ('shell', 'probe', 'capture', 'diagnose', 'relay', 'query')),
  request        TEXT    NOT NULL,
  original       TEXT,
  status         TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'timeout', 'stopped', 'unavailable', 'interrupted')),
  started_at     INTEGER NOT NULL,
  ended_at       INTEGER,
  exit_code      INTEGER,
  output         TEXT    NOT NULL DEFAULT '',
  truncated      INTEGER NOT NULL DEFAULT 0,
  output_bytes   INTEGER NOT NULL DEFAULT 0,
  summary        TEXT    NOT NULL DEFAULT '',
  result         TEXT    NOT NULL DEFAULT 'null',
  session_id     INTEGER REFERENCES session (id) ON DELETE SET NULL,
  -- The process running it: a run left 'running' by a process that died is marked interrupted.
  owner_pid      INTEGER,
  owner_host     TEXT
) STRICT;

INSERT INTO walk_run (id, walk_id, visit_id, node_id, step_index, kind, request, original, status,
                      started_at, ended_at, exit_code, output, truncated, output_bytes, summary,
                      result, session_id, owner_pid, owner_host)
SELECT id, walk_id, visit_id, node_id, step_index, kind, request, original, status,
       started_at, ended_at, exit_code, output, truncated, output_bytes, summary,
       result, session_id, owner_pid, owner_host
FROM walk_run_copy;

DROP TABLE walk_run_copy;

CREATE INDEX walk_run_by_walk ON walk_run (walk_id, id);
