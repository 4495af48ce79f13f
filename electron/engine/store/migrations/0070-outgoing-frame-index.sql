-- What the client sent is usually a trickle beside what it received: a partial index over outgoing
-- frames alone keeps "only what we sent" instant on a million-frame session for the cost of indexing
-- that trickle. (Incoming frames are dense, so their filter stops early on the session index.)

CREATE INDEX frame_outgoing ON frame (session_id, seq) WHERE direction = 1;
