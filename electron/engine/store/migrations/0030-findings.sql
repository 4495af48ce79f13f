-- Findings: what a probe or a diagnosis concluded about a session, with the evidence behind it.
-- `finding` is an id of the catalogue in shared/findings.ts (stable, never renamed).

CREATE TABLE finding (
  id           INTEGER PRIMARY KEY,
  session_id   INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  incident_id  INTEGER,
  source       TEXT    NOT NULL CHECK (source IN ('probe', 'diagnose')),
  finding      TEXT    NOT NULL,
  severity     TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  summary      TEXT    NOT NULL,
  evidence     TEXT    NOT NULL DEFAULT '{}',
  created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX finding_by_session ON finding (session_id, source);
