-- A walk's connection profile: the headers, subprotocols, protocol, messages and TLS its capture,
-- probe and relay actions connect with, as JSON; null when the URL is all they need. Secret values
-- (credential headers, the init payload, a client key) are stored as "***": the engine holds them in
-- memory or reads them from the environment (electron/engine/incidents/walk-profile.ts).
ALTER TABLE walk ADD COLUMN profile TEXT;
