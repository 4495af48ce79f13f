-- Frames per direction on each connection, kept by the writer like the other totals: "only what the
-- server sent" is the most common filter, and its count must not scan a million-frame session.

ALTER TABLE connection ADD COLUMN frames_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE connection ADD COLUMN frames_out INTEGER NOT NULL DEFAULT 0;

UPDATE connection SET
  frames_in = (SELECT count(*) FROM frame f WHERE f.session_id = connection.session_id AND f.connection_id = connection.id AND f.direction = 0),
  frames_out = (SELECT count(*) FROM frame f WHERE f.session_id = connection.session_id AND f.connection_id = connection.id AND f.direction = 1);
