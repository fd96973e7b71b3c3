-- Suppressions, as spam marking, erasure and admins use them. The table of 0001 was
-- never written to; it is rebuilt with:
--   why 'manual'   an admin suppressing an address by hand on Settings;
--   lead_id        the lead marked as spam (while it exists), to show where it came from;
--   one row per (value, why, batch): two leads marked as spam with one e-mail make
--                  two rows, so undoing one marking does not lift the other; an erasure
--                  of a value an admin suppressed by hand adds its own row, so lifting
--                  the manual one leaves the erased person suppressed.
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
CREATE UNIQUE INDEX suppressions_value ON suppressions (workspace_id, kind, hash, why, ifnull(batch_id, ''));
CREATE INDEX suppressions_batch ON suppressions (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX suppressions_list ON suppressions (workspace_id, created_at);

-- The finder ("Where is my lead?") looks tombstones up by the keyed hash of an
-- e-mail or phone.
CREATE INDEX tombstones_email ON tombstones (email_hash) WHERE email_hash != '';
CREATE INDEX tombstones_phone ON tombstones (phone_hash) WHERE phone_hash != '';

-- One row per GDPR erasure: its receipt. It names the request and what went, never
-- the person: lead ids and how many notes, tasks and activity rows each had.
CREATE TABLE erasures (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    reference    TEXT NOT NULL,
    by_actor     TEXT NOT NULL,
    at           INTEGER NOT NULL,
    leads        TEXT NOT NULL, -- JSON: [{"id", "wasInTrash", "notes", "tasks", "activity", "tags"}]
    suppressed   TEXT NOT NULL, -- JSON: ["email", "phone"]
    redacted     INTEGER NOT NULL DEFAULT 0, -- records of other leads and the audit log scrubbed
    -- JSON {"email": [...], "phone": [...]}: the keyed hashes of every e-mail and phone
    -- suppressed, so that a restored backup can replay the erasure (erasures replay)
    hashes       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX erasures_workspace ON erasures (workspace_id, at);

-- Leads on legal hold, for the Trash's "Next purge" panel (few rows: cheap to keep).
CREATE INDEX leads_held ON leads (workspace_id) WHERE held_at IS NOT NULL;
