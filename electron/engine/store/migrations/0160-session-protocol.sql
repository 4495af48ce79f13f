-- The protocol a capture was told to speak (`--protocol NAME`, or `none` for a plain socket), kept
-- on its session so that reading it back (show, the frame list, exports, reports) honours the
-- choice instead of detecting again. Null: nothing was chosen, and each connection's protocol is
-- detected from its handshake and first frames, as before.
--
-- Until now the choice was kept only among the capture's settings (JSON): it moves here, so that it
-- is stored once.

ALTER TABLE session ADD COLUMN protocol TEXT;

UPDATE session
SET protocol = json_extract(settings, '$.protocol'),
    settings = json_remove(settings, '$.protocol')
WHERE json_valid(settings) AND json_type(settings, '$.protocol') IS NOT NULL;
