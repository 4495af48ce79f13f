CREATE TABLE action_item (
  id           INTEGER PRIMARY KEY,
  incident_id  INTEGER NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  title        TEXT    NOT NULL,
  kind         TEXT    NOT NULL CHECK (kind IN ('mitigate', 'prevent', 'process')),
  owner        TEXT    NOT NULL DEFAULT '',
  due          TEXT,    -- a calendar date, YYYY-MM-DD
  link         TEXT,
  created_at   INTEGER NOT NULL,
  done_at      INTEGER
) STRICT;

CREATE INDEX action_item_by_incident ON action_item (incident_id, id);

CREATE TABLE connection (
  id                     INTEGER PRIMARY KEY,
  session_id             INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  ordinal                INTEGER NOT NULL,
  url                    TEXT    NOT NULL,
  started_at             INTEGER NOT NULL,
  request_headers        TEXT    NOT NULL DEFAULT '{}',
  status                 INTEGER,
  response_headers       TEXT    NOT NULL DEFAULT '{}',
  response_body_head     BLOB,
  subprotocol            TEXT,
  extensions             TEXT,
  dns_ms                 REAL,
  tcp_ms                 REAL,
  tls_ms                 REAL,
  upgrade_ms             REAL,
  opened_at              INTEGER,
  closed_at              INTEGER,
  close_code             INTEGER,
  close_reason           TEXT,
  closed_by              TEXT CHECK (closed_by IN ('client', 'server', 'network', 'relay')),
  error_kind             TEXT,
  error_message          TEXT,
  -- Running totals kept by the writer in the same transaction as the frames they count, so that
  -- listing a million-frame session does not scan its frames.
  frames                 INTEGER NOT NULL DEFAULT 0,
  bytes_in               INTEGER NOT NULL DEFAULT 0,
  bytes_out              INTEGER NOT NULL DEFAULT 0,
  first_frame_at         INTEGER,
  last_frame_at          INTEGER,
  frames_in              INTEGER NOT NULL DEFAULT 0,
  frames_out             INTEGER NOT NULL DEFAULT 0,
  -- A relayed connection: the relay's fault that ended it, and the close of its leg to the server.
  close_fault            TEXT,
  upstream_close_code    INTEGER,
  upstream_close_reason  TEXT,
  UNIQUE (session_id, ordinal)
) STRICT;

CREATE TABLE event (
  id             INTEGER PRIMARY KEY,
  session_id     INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  connection_id  INTEGER REFERENCES connection (id) ON DELETE CASCADE,
  ts             INTEGER NOT NULL,
  kind           TEXT    NOT NULL,
  detail         TEXT    NOT NULL DEFAULT '{}'
) STRICT;

CREATE INDEX event_by_session ON event (session_id, ts);

CREATE TABLE finding (
  id           INTEGER PRIMARY KEY,
  -- The session it was found in (by a probe or a diagnosis); null for one recorded by hand.
  session_id   INTEGER REFERENCES session (id) ON DELETE SET NULL,
  -- The walk that holds it, and the run of the walk that found it (null: recorded by hand).
  walk_id      INTEGER REFERENCES walk (id) ON DELETE SET NULL,
  run_id       INTEGER REFERENCES walk_run (id) ON DELETE SET NULL,
  source       TEXT    NOT NULL, -- 'probe', 'diagnose', 'user' (by hand)
  finding      TEXT    NOT NULL, -- its id in the catalogue
  severity     TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  summary      TEXT    NOT NULL,
  evidence     TEXT    NOT NULL DEFAULT '{}',
  created_at   INTEGER NOT NULL,
  attached_at  INTEGER,          -- when its walk took it
  replaced_at  INTEGER           -- when a newer probe or diagnosis of its session replaced it
) STRICT;

CREATE INDEX finding_by_session ON finding (session_id, source);

CREATE INDEX finding_by_walk ON finding (walk_id, attached_at);

CREATE TRIGGER finding_let_go AFTER UPDATE OF session_id, walk_id ON finding
  WHEN NEW.walk_id IS NULL AND (NEW.session_id IS NULL OR NEW.replaced_at IS NOT NULL)
BEGIN
  DELETE FROM finding WHERE id = NEW.id;
END;

CREATE TABLE frame (
  id             INTEGER PRIMARY KEY,
  session_id     INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  connection_id  INTEGER NOT NULL, -- no foreign key: frames go with their session, and the check costs
  seq            INTEGER NOT NULL,
  ts             INTEGER NOT NULL,
  direction      INTEGER NOT NULL, -- 0 in, 1 out
  opcode         INTEGER NOT NULL, -- RFC 6455 opcode
  size           INTEGER NOT NULL, -- real payload size on the wire (after decompression)
  truncated      INTEGER NOT NULL DEFAULT 0,
  payload        BLOB    NOT NULL
, segment_id INTEGER, payload_offset INTEGER, payload_length INTEGER, payload_crc INTEGER) STRICT;

CREATE INDEX frame_by_session ON frame (session_id, seq);

CREATE INDEX frame_outgoing ON frame (session_id, seq) WHERE direction = 1;

CREATE VIRTUAL TABLE frame_text USING fts5 (body, content = '', contentless_delete = 1);

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
, impact_started_at INTEGER, acknowledged_at INTEGER, responders TEXT NOT NULL DEFAULT '[]', triggered_by TEXT NOT NULL DEFAULT '', detection TEXT NOT NULL DEFAULT '', resolution TEXT NOT NULL DEFAULT '', went_well TEXT NOT NULL DEFAULT '', went_wrong TEXT NOT NULL DEFAULT '', got_lucky TEXT NOT NULL DEFAULT '', prometheus TEXT) STRICT;

CREATE TABLE incident_session (
  incident_id  INTEGER NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  session_id   INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  linked_at    INTEGER NOT NULL,
  via          TEXT    NOT NULL CHECK (via IN ('walk', 'user')),
  PRIMARY KEY (incident_id, session_id)
) STRICT;

CREATE INDEX incident_session_by_session ON incident_session (session_id);

CREATE TABLE runbook (
  id           TEXT    PRIMARY KEY,
  title        TEXT    NOT NULL,
  version      TEXT    NOT NULL,
  source       TEXT    NOT NULL,
  file_name    TEXT,
  imported_at  INTEGER NOT NULL
, provenance TEXT NOT NULL DEFAULT 'page' CHECK (provenance IN ('file', 'page')), trusted_at INTEGER) STRICT;

CREATE TABLE segment (
  id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a reader's cached file stays right
  session_id  INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  path        TEXT    NOT NULL                   -- relative to the database's folder
) STRICT;

CREATE INDEX segment_by_session ON segment (session_id);

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

CREATE TABLE session_tag (
  session_id  INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  tag         TEXT    NOT NULL,
  PRIMARY KEY (session_id, tag)
) STRICT;

CREATE INDEX session_tag_by_tag ON session_tag (tag);

CREATE TABLE store_state (
  key    TEXT PRIMARY KEY,
  value  INTEGER NOT NULL
) STRICT;

CREATE INDEX timeline_by_incident ON timeline_entry (incident_id, ts, id);

CREATE INDEX timeline_by_walk ON timeline_entry (walk_id, ts, id);

CREATE TABLE timeline_entry (
  id           INTEGER PRIMARY KEY,
  incident_id  INTEGER NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  walk_id      INTEGER REFERENCES walk (id) ON DELETE CASCADE,
  ts           INTEGER NOT NULL,
  kind         TEXT    NOT NULL,
  node_id      TEXT,
  run_id       INTEGER REFERENCES walk_run (id) ON DELETE SET NULL,
  -- The finding an entry is about; without a text of its own, it reads as that finding.
  finding_id   INTEGER REFERENCES finding (id) ON DELETE CASCADE,
  text         TEXT,
  detail       TEXT    NOT NULL DEFAULT '{}',
  CHECK (text IS NOT NULL OR finding_id IS NOT NULL)
) STRICT;

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
, runbook_provenance TEXT CHECK (runbook_provenance IN ('builtin', 'file', 'page')), profile TEXT) STRICT;

CREATE INDEX walk_by_incident ON walk (incident_id);

CREATE TABLE walk_check (
  walk_id     INTEGER NOT NULL REFERENCES walk (id) ON DELETE CASCADE,
  node_id     TEXT    NOT NULL,
  step_index  INTEGER NOT NULL,
  checked_at  INTEGER NOT NULL,
  PRIMARY KEY (walk_id, node_id, step_index)
) STRICT;

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

CREATE INDEX walk_run_by_walk ON walk_run (walk_id, id);

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

CREATE TABLE watch (
  id              INTEGER PRIMARY KEY,
  target          TEXT    NOT NULL,
  every_seconds   REAL    NOT NULL,
  started_at      INTEGER NOT NULL,
  lock_path       TEXT    NOT NULL,
  metrics_url     TEXT,
  probes          INTEGER NOT NULL DEFAULT 0,
  last_probe_at   INTEGER,
  last_session_id INTEGER REFERENCES session (id) ON DELETE SET NULL,
  -- JSON array of the finding ids of its last probe that are warnings or critical.
  last_findings   TEXT    NOT NULL DEFAULT '[]'
) STRICT;
