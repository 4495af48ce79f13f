-- Tags that engineers put on sessions ("prod", "INC-1234", "before-deploy").

CREATE TABLE session_tag (
  session_id  INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  tag         TEXT    NOT NULL,
  PRIMARY KEY (session_id, tag)
) STRICT;

CREATE INDEX session_tag_by_tag ON session_tag (tag);
