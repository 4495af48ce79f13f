CREATE TABLE connection (
  id                  INTEGER PRIMARY KEY,
  session_id          INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  ordinal             INTEGER NOT NULL,
  url                 TEXT    NOT NULL,
  started_at          INTEGER NOT NULL,
  request_headers     TEXT    NOT NULL DEFAULT '{}',
  status              INTEGER,
  response_headers    TEXT    NOT NULL DEFAULT '{}',
  response_body_head  BLOB,
  subprotocol         TEXT,
  extensions          TEXT,
  dns_ms              REAL,
  tcp_ms              REAL,
  tls_ms              REAL,
  upgrade_ms          REAL,
  opened_at           INTEGER,
  closed_at           INTEGER,
  close_code          INTEGER,
  close_reason        TEXT,
  closed_by           TEXT CHECK (closed_by IN ('client', 'server', 'network')),
  error_kind          TEXT,
  error_message       TEXT,
  -- Running totals kept by the writer in the same transaction as the frames they count, so that
  -- listing a million-frame session does not scan its frames.
  frames              INTEGER NOT NULL DEFAULT 0,
  bytes_in            INTEGER NOT NULL DEFAULT 0,
  bytes_out           INTEGER NOT NULL DEFAULT 0,
  first_frame_at      INTEGER,
  last_frame_at       INTEGER,
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
) STRICT;

CREATE INDEX frame_by_session ON frame (session_id, seq);

CREATE VIRTUAL TABLE frame_text USING fts5 (body, content = '', contentless_delete = 1);

CREATE TABLE session (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL,
  kind          TEXT    NOT NULL CHECK (kind IN ('capture', 'import', 'replay', 'mock', 'probe')),
  target        TEXT    NOT NULL,
  settings      TEXT    NOT NULL DEFAULT '{}',
  status        TEXT    NOT NULL CHECK (status IN ('live', 'complete', 'interrupted')),
  created_at    INTEGER NOT NULL,
  ended_at      INTEGER,
  incident_id   INTEGER,
  -- The process that writes this session while it is live, and its on-disk spool: a crash leaves
  -- them behind so that the next open can recover the spooled frames and mark the session.
  writer_pid    INTEGER,
  writer_host   TEXT,
  spool_path    TEXT,
  spool_offset  INTEGER NOT NULL DEFAULT 0
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
