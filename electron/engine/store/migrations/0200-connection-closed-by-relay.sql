-- A connection recorded by a relay may be ended by Frameline itself (a fault it was told to play, a
-- protocol violation it answered, the relay stopping): `closed_by` takes `relay`, `close_fault` names
-- the fault as written, and the upstream leg's close is kept beside the client leg's (close_code and
-- close_reason stay the close as the client saw it). SQLite cannot change a CHECK constraint in place,
-- so the table is rebuilt through a copy, as 0170 did (foreign keys are off while migrations run, so
-- the events that point at connections stay; the copy goes back under the same name and ids).

CREATE TABLE connection_copy AS SELECT * FROM connection;
DROP TABLE connection;

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

INSERT INTO connection (id, session_id, ordinal, url, started_at, request_headers, status,
                        response_headers, response_body_head, subprotocol, extensions, dns_ms, tcp_ms,
                        tls_ms, upgrade_ms, opened_at, closed_at, close_code, close_reason, closed_by,
                        error_kind, error_message, frames, bytes_in, bytes_out, first_frame_at,
                        last_frame_at, frames_in, frames_out)
SELECT id, session_id, ordinal, url, started_at, request_headers, status,
       response_headers, response_body_head, subprotocol, extensions, dns_ms, tcp_ms,
       tls_ms, upgrade_ms, opened_at, closed_at, close_code, close_reason, closed_by,
       error_kind, error_message, frames, bytes_in, bytes_out, first_frame_at,
       last_frame_at, frames_in, frames_out
FROM connection_copy;

DROP TABLE connection_copy;
