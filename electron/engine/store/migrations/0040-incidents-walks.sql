-- Incidents, the runbooks users import, the walks of an incident through a runbook, and the
-- incident's timeline. Timestamps are integer microseconds since the Unix epoch.

CREATE TABLE incident (
  id            INTEGER PRIMARY KEY,
  title         TEXT    NOT NULL,
  severity      TEXT    NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),
  status        TEXT    NOT NULL CHECK (status IN ('open', 'mitigated', 'resolved')),
  detected_at   INTEGER NOT NULL,
  mitigated_at  INTEGER,
  resolved_at   INTEGER,
  summary       TEXT    NOT NULL DEFAULT '',
  root_cause    TEXT    NOT NULL DEFAULT '',
  impact        TEXT    NOT NULL DEFAULT ''
) STRICT;

-- Runbook files imported by the user (built-in runbooks ship with the code). The Markdown is kept as
-- imported and parsed when used.
CREATE TABLE runbook (
  id           TEXT    PRIMARY KEY,
  title        TEXT    NOT NULL,
  version      TEXT    NOT NULL,
  source       TEXT    NOT NULL,
  file_name    TEXT,
  imported_at  INTEGER NOT NULL
) STRICT;

-- A walk keeps its own copy of the parsed runbook, so that re-importing or upgrading a runbook never
-- changes a walk already under way (nor the evidence of a finished one).
CREATE TABLE walk (
  id               INTEGER PRIMARY KEY,
  incident_id      INTEGER NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  runbook_id       TEXT    NOT NULL,
  runbook          TEXT    NOT NULL, -- JSON of the parsed runbook
  target           TEXT,             -- the endpoint under investigation
  direct           TEXT,             -- the same endpoint reached bypassing the load balancer
  status           TEXT    NOT NULL CHECK (status IN ('active', 'finished')),
  started_at       INTEGER NOT NULL,
  ended_at         INTEGER
) STRICT;

CREATE INDEX walk_by_incident ON walk (incident_id);

-- Every visit of a node, in order. The path from the start to the current node is the visits still
-- on_path; going back takes the last one off the path but never out of the history.
CREATE TABLE walk_step (
  id          INTEGER PRIMARY KEY,
  walk_id     INTEGER NOT NULL REFERENCES walk (id) ON DELETE CASCADE,
  ordinal     INTEGER NOT NULL,
  node_id     TEXT    NOT NULL,
  entered_at  INTEGER NOT NULL,
  left_at     INTEGER,
  via         TEXT    NOT NULL CHECK (via IN ('start', 'choice', 'back')),
  choice      TEXT,    -- the label of the way on that left this node
  on_path     INTEGER NOT NULL DEFAULT 1,
  UNIQUE (walk_id, ordinal)
) STRICT;

-- Shell commands and app actions run during a walk, with their (capped) output and result.
CREATE TABLE walk_run (
  id             INTEGER PRIMARY KEY,
  walk_id        INTEGER NOT NULL REFERENCES walk (id) ON DELETE CASCADE,
  visit_id       INTEGER REFERENCES walk_step (id) ON DELETE SET NULL,
  node_id        TEXT    NOT NULL,
  step_index     INTEGER NOT NULL,
  kind           TEXT    NOT NULL CHECK (kind IN ('shell', 'probe', 'capture', 'diagnose')),
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

CREATE INDEX walk_run_by_walk ON walk_run (walk_id, id);

-- Findings attached to a walk: they drive its suggestions.
CREATE TABLE walk_finding (
  id          INTEGER PRIMARY KEY,
  walk_id     INTEGER NOT NULL REFERENCES walk (id) ON DELETE CASCADE,
  finding_id  TEXT    NOT NULL,
  evidence    TEXT    NOT NULL DEFAULT '',
  source      TEXT    NOT NULL,
  run_id      INTEGER REFERENCES walk_run (id) ON DELETE SET NULL,
  at          INTEGER NOT NULL
) STRICT;

CREATE INDEX walk_finding_by_walk ON walk_finding (walk_id);

-- What happened during an incident, in order: the report's backbone.
CREATE TABLE timeline_entry (
  id           INTEGER PRIMARY KEY,
  incident_id  INTEGER NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  walk_id      INTEGER REFERENCES walk (id) ON DELETE CASCADE,
  ts           INTEGER NOT NULL,
  kind         TEXT    NOT NULL,
  node_id      TEXT,
  run_id       INTEGER REFERENCES walk_run (id) ON DELETE SET NULL,
  text         TEXT    NOT NULL,
  detail       TEXT    NOT NULL DEFAULT '{}'
) STRICT;

CREATE INDEX timeline_by_incident ON timeline_entry (incident_id, ts, id);
CREATE INDEX timeline_by_walk ON timeline_entry (walk_id, ts, id);
