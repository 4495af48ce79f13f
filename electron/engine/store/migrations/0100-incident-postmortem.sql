-- An incident that carries its post-mortem: when the impact started and when it was acknowledged
-- (besides detected, mitigated and resolved), who responded, the trigger, detection and resolution
-- (besides summary, impact and root cause), what went well, what went wrong and where we got lucky;
-- its action items; and the sessions that are its evidence. Times are integer microseconds since
-- the Unix epoch.

ALTER TABLE incident ADD COLUMN impact_started_at INTEGER;
ALTER TABLE incident ADD COLUMN acknowledged_at INTEGER;
ALTER TABLE incident ADD COLUMN responders TEXT NOT NULL DEFAULT '[]'; -- JSON array of names
ALTER TABLE incident ADD COLUMN triggered_by TEXT NOT NULL DEFAULT ''; -- the trigger
ALTER TABLE incident ADD COLUMN detection TEXT NOT NULL DEFAULT '';
ALTER TABLE incident ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
ALTER TABLE incident ADD COLUMN went_well TEXT NOT NULL DEFAULT '';
ALTER TABLE incident ADD COLUMN went_wrong TEXT NOT NULL DEFAULT '';
ALTER TABLE incident ADD COLUMN got_lucky TEXT NOT NULL DEFAULT '';

-- What is to be done so that it does not happen again (prevent), so that it hurts less next time
-- (mitigate), or so that the response goes better (process).
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

-- The sessions an incident rests on: linked by a walk's capture or probe, or by hand. A session can
-- be evidence for more than one incident.
CREATE TABLE incident_session (
  incident_id  INTEGER NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  session_id   INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  linked_at    INTEGER NOT NULL,
  via          TEXT    NOT NULL CHECK (via IN ('walk', 'user')),
  PRIMARY KEY (incident_id, session_id)
) STRICT;

CREATE INDEX incident_session_by_session ON incident_session (session_id);

-- Walk sessions were filed under their incident in the session row itself: move them here, where a
-- link lives once.
INSERT INTO incident_session (incident_id, session_id, linked_at, via)
SELECT s.incident_id, s.id, s.created_at, 'walk' FROM session s
WHERE s.incident_id IS NOT NULL AND EXISTS (SELECT 1 FROM incident i WHERE i.id = s.incident_id);

ALTER TABLE session DROP COLUMN incident_id;
