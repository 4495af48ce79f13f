-- A replay or a mock run is made from a recorded session: the link to that source. Deleting the
-- source keeps the run (its own frames are evidence) and clears the link.

ALTER TABLE session ADD COLUMN source_session_id INTEGER REFERENCES session (id) ON DELETE SET NULL;
