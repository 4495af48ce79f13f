-- A database and its frames folder are one relocatable pair. Until now the files of a session (its
-- segments, its spool, its recorder's lock) were stored as paths relative to the database's folder,
-- which carry the database's own file name of the day ("live.db-frames/session-1.frames"): a copy
-- (backup.db beside backup.db-frames) kept pointing at its original's files, compacted and deleted
-- them, and a copy renamed into another folder could not find its own. From now on only the file's
-- name is stored, and it is looked up in the frames folder of the path the database is opened with
-- (then in the old "-spool" folder beside it, where versions before segments kept spools, and where
-- sessions recovered from such a spool keep it as their segment). The segment table's comment on
-- its path column ("relative to the database's folder") stays as it was written: a table is not
-- rebuilt for a comment.
--
-- The file name is what follows the last "/" or "\" (paths written on Windows): rtrim strips every
-- character that is not a separator from the end, leaving the folder part, whose length is skipped.
-- This holds for every shape older versions wrote: "live.db-frames/x", "live.db-spool/x" and the
-- absolute paths of the versions before paths were stored relative to the database.

UPDATE segment
SET path = substr(path, length(rtrim(path, replace(replace(path, '/', ''), '\', ''))) + 1);

UPDATE session
SET spool_path = substr(spool_path, length(rtrim(spool_path, replace(replace(spool_path, '/', ''), '\', ''))) + 1)
WHERE spool_path IS NOT NULL;

UPDATE session
SET writer_lock = substr(writer_lock, length(rtrim(writer_lock, replace(replace(writer_lock, '/', ''), '\', ''))) + 1)
WHERE writer_lock IS NOT NULL;
