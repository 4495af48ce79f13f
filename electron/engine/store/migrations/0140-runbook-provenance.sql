-- Where each imported runbook came from, so that one module (incidents/trust.ts) weighs it before a
-- shell step runs: 'file' (a file a person imported on the command line) or 'page' (imported through
-- a console, whose page may be driven by a script: untrusted until a person trusts it outside the
-- page). An import from before this migration may have come through a page: it counts as one.
ALTER TABLE runbook ADD COLUMN provenance TEXT NOT NULL DEFAULT 'page' CHECK (provenance IN ('file', 'page'));
-- When a person trusted a page's import outside the page (frameline runbooks trust ID); NULL until
-- then, and again after the runbook is replaced.
ALTER TABLE runbook ADD COLUMN trusted_at INTEGER;

-- A walk runs its own copy of the runbook: where that copy came from, taken when the walk started.
-- NULL for walks started before this migration: then the runbook's row decides while it still holds
-- the same runbook, and the walk counts as a page's otherwise.
ALTER TABLE walk ADD COLUMN runbook_provenance TEXT CHECK (runbook_provenance IN ('builtin', 'file', 'page'));
