-- A finding is stored once. Until now a probe or diagnose step of a walk wrote the same finding three
-- times: the probe's or the diagnosis' row in `finding`, a copy in `walk_finding` (without its
-- severity) and its sentence in `timeline_entry`. Now `finding` holds each finding once, about a
-- session (found by a probe or a diagnosis), held by a walk (found by one of its steps, or recorded
-- by a person at one of its nodes), or both; the timeline refers to it.
--
-- A finding lives as long as its session or its walk, as each table kept its own before: deleting a
-- session keeps the findings a walk holds (and the walk's and the timeline's sentences about them),
-- deleting a walk keeps its session's. A new probe or diagnosis of a session replaces the session's
-- findings from the same source; those a walk holds stay the walk's, marked replaced.
--
-- Old databases: a walk_finding row that copies a `finding` row (the same finding and summary, found
-- by that run of the walk, in that run's session, while it ran) becomes that row; the others move
-- over with the severity of the findings catalogue (shared/findings.ts, an unknown id: info). The
-- timeline entry of a finding refers to its row and, when its sentence is the one the row makes,
-- keeps no copy of it.

ALTER TABLE finding RENAME TO finding_before;
ALTER TABLE timeline_entry RENAME TO timeline_before;
DROP INDEX finding_by_session;
DROP INDEX timeline_by_incident;
DROP INDEX timeline_by_walk;

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

-- Which walk_finding row becomes which finding row.
CREATE TEMP TABLE finding_of_copy (
  walk_finding  INTEGER PRIMARY KEY,
  finding       INTEGER NOT NULL,
  moved         INTEGER NOT NULL
);

-- A copy is its run's own finding: same session, id, summary and source, made while the run ran.
-- Identical copies of one run take identical findings in order, one each.
WITH copy AS (
  SELECT w.id, w.finding_id, w.evidence, w.source, r.started_at, coalesce(r.ended_at, w.at) AS ended_at,
         coalesce(r.session_id,
                  CASE WHEN json_valid(r.result) THEN json_extract(r.result, '$.sessionId') END) AS session_id,
         row_number() OVER (PARTITION BY w.run_id, w.finding_id, w.evidence, w.source ORDER BY w.id) AS nth
  FROM walk_finding w JOIN walk_run r ON r.id = w.run_id
  WHERE r.kind IN ('probe', 'diagnose')
),
pair AS (
  SELECT c.id AS walk_finding, f.id AS finding, c.nth,
         row_number() OVER (PARTITION BY c.id ORDER BY f.id) AS rank
  FROM copy c JOIN finding_before f
    ON f.session_id = c.session_id AND f.finding = c.finding_id AND f.summary = c.evidence
   AND f.source = c.source AND f.created_at BETWEEN c.started_at AND c.ended_at
)
INSERT INTO temp.finding_of_copy (walk_finding, finding, moved)
SELECT walk_finding, finding, 0 FROM pair WHERE rank = nth;

-- A finding row is one copy's (the first), should two runs' copies have matched it.
DELETE FROM temp.finding_of_copy
WHERE walk_finding NOT IN (SELECT min(walk_finding) FROM temp.finding_of_copy GROUP BY finding);

-- The other copies get rows of their own, numbered after the existing ones.
INSERT INTO temp.finding_of_copy (walk_finding, finding, moved)
SELECT w.id, (SELECT coalesce(max(id), 0) FROM finding_before) + row_number() OVER (ORDER BY w.id), 1
FROM walk_finding w
WHERE w.id NOT IN (SELECT walk_finding FROM temp.finding_of_copy);

INSERT INTO finding (id, session_id, walk_id, run_id, source, finding, severity, summary, evidence,
                     created_at, attached_at, replaced_at)
SELECT f.id, f.session_id, w.walk_id, w.run_id, f.source, f.finding, f.severity, f.summary, f.evidence,
       f.created_at, w.at, NULL
FROM finding_before f
LEFT JOIN temp.finding_of_copy m ON m.finding = f.id AND m.moved = 0
LEFT JOIN walk_finding w ON w.id = m.walk_finding;

INSERT INTO finding (id, session_id, walk_id, run_id, source, finding, severity, summary, evidence,
                     created_at, attached_at, replaced_at)
SELECT m.finding, NULL, w.walk_id, w.run_id, w.source, w.finding_id,
       CASE w.finding_id
         WHEN 'server-unreachable' THEN 'critical'
         WHEN 'tls-error' THEN 'critical'
         WHEN 'mixed-content' THEN 'critical'
         WHEN 'upgrade-rejected' THEN 'critical'
         WHEN 'proxy-missing-upgrade' THEN 'critical'
         WHEN 'origin-rejected' THEN 'critical'
         WHEN 'idle-timeout' THEN 'critical'
         WHEN 'no-heartbeat' THEN 'warning'
         WHEN 'heartbeat-timeout' THEN 'warning'
         WHEN 'ping-flood' THEN 'warning'
         WHEN 'abnormal-closure' THEN 'warning'
         WHEN 'server-close' THEN 'warning'
         WHEN 'reconnect-storm' THEN 'critical'
         WHEN 'high-latency' THEN 'warning'
         WHEN 'no-messages' THEN 'critical'
         WHEN 'proxy-buffering' THEN 'warning'
         WHEN 'protocol-violation' THEN 'critical'
         ELSE 'info'
       END,
       w.evidence, '{}', w.at, w.at, NULL
FROM walk_finding w JOIN temp.finding_of_copy m ON m.walk_finding = w.id AND m.moved = 1;

-- Which timeline entry tells which copy: same walk, run, time, finding, evidence and source, in order.
CREATE TEMP TABLE finding_of_entry (
  entry    INTEGER PRIMARY KEY,
  finding  INTEGER NOT NULL,
  -- Its text and detail are the ones its finding makes (then they are not kept).
  same     INTEGER NOT NULL
);

WITH entry AS (
  SELECT t.id, t.walk_id, t.run_id, t.ts, t.text, t.detail,
         json_extract(t.detail, '$.finding') AS finding_id,
         json_extract(t.detail, '$.evidence') AS evidence,
         json_extract(t.detail, '$.source') AS source,
         row_number() OVER (
           PARTITION BY t.walk_id, t.run_id, t.ts, json_extract(t.detail, '$.finding'),
                        json_extract(t.detail, '$.evidence'), json_extract(t.detail, '$.source')
           ORDER BY t.id) AS nth
  FROM timeline_before t
  WHERE t.kind = 'finding' AND t.walk_id IS NOT NULL AND json_valid(t.detail)
),
copy AS (
  SELECT w.id, w.walk_id, w.run_id, w.at, w.finding_id, w.evidence, w.source,
         row_number() OVER (
           PARTITION BY w.walk_id, w.run_id, w.at, w.finding_id, w.evidence, w.source ORDER BY w.id) AS nth
  FROM walk_finding w
)
INSERT INTO temp.finding_of_entry (entry, finding, same)
SELECT e.id, m.finding,
       e.text = 'finding ' || c.finding_id || ': ' || c.evidence
       AND (SELECT count(*) FROM json_each(e.detail)) = 3
FROM entry e
JOIN copy c ON c.walk_id = e.walk_id AND c.run_id IS e.run_id AND c.at = e.ts AND c.finding_id = e.finding_id
           AND c.evidence = e.evidence AND c.source = e.source AND c.nth = e.nth
JOIN temp.finding_of_copy m ON m.walk_finding = c.id;

INSERT INTO timeline_entry (id, incident_id, walk_id, ts, kind, node_id, run_id, finding_id, text, detail)
SELECT t.id, t.incident_id, t.walk_id, t.ts, t.kind, t.node_id, t.run_id, m.finding,
       CASE WHEN m.same THEN NULL ELSE t.text END,
       CASE WHEN m.same THEN '{}' ELSE t.detail END
FROM timeline_before t LEFT JOIN temp.finding_of_entry m ON m.entry = t.id;

DROP TABLE timeline_before;
DROP TABLE walk_finding;
DROP TABLE finding_before;
DROP TABLE temp.finding_of_entry;
DROP TABLE temp.finding_of_copy;

CREATE INDEX finding_by_session ON finding (session_id, source);
CREATE INDEX finding_by_walk ON finding (walk_id, attached_at);
CREATE INDEX timeline_by_incident ON timeline_entry (incident_id, ts, id);
CREATE INDEX timeline_by_walk ON timeline_entry (walk_id, ts, id);

-- A finding neither its session nor its walk holds any more is gone: its session was deleted (or
-- it was replaced there) and no walk holds it, or its walk was deleted and its session no longer
-- counts it. The foreign keys' SET NULL is the update that fires this.
CREATE TRIGGER finding_let_go AFTER UPDATE OF session_id, walk_id ON finding
  WHEN NEW.walk_id IS NULL AND (NEW.session_id IS NULL OR NEW.replaced_at IS NOT NULL)
BEGIN
  DELETE FROM finding WHERE id = NEW.id;
END;
