-- The checklist ticks of a walk: a step of a node checked off, by hand or by a run of it that went
-- well. Unticking deletes the row; both are written into the incident's timeline.

CREATE TABLE walk_check (
  walk_id     INTEGER NOT NULL REFERENCES walk (id) ON DELETE CASCADE,
  node_id     TEXT    NOT NULL,
  step_index  INTEGER NOT NULL,
  checked_at  INTEGER NOT NULL,
  PRIMARY KEY (walk_id, node_id, step_index)
) STRICT;
