-- Suppressions, as spam marking, erasure and admins use them. The table of 0001 was
-- never written to; it is rebuilt with:
--   why 'manual'   an admin suppressing an address by hand on Settings;
--   lead_id        the lead marked as spam (while it exists), to show where it came from;
--   one row per (value, batch): two leads marked as spam with one e-mail make two
--                  rows, so undoing one marking does not lift the other.
DROP TABLE suppressions;
CREATE TABLE suppressions (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    kind         TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    hash         TEXT NOT NULL, -- HMAC-SHA-256 of the normalised value with the server secret
    why          TEXT NOT NULL CHECK (why IN ('spam', 'erasure', 'manual')),
    by_actor     TEXT NOT NULL DEFAULT '',
    batch_id     TEXT,
    lead_id      TEXT,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX suppressions_value ON suppressions (workspace_id, kind, hash, ifnull(batch_id, ''));
CREATE INDEX suppressions_batch ON suppressions (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX suppressions_list ON suppressions (workspace_id, created_at);
