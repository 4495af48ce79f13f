-- The watches running on this database (`frameline watch`): a probe on a schedule, so that the
-- console can say one runs. A watch's liveness is its lock file (as a recorder's): a row whose lock
-- nobody holds is a watch that is gone.

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
