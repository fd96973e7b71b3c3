-- The whole data model of DESIGN.md. Later migrations add columns and indexes;
-- this file is never edited once released.
--
-- Times are integer Unix milliseconds (UTC). Ids are prefixed text and never reused.

CREATE TABLE workspaces (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    retention_days  INTEGER NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 0 AND 365),
    purge_hour      INTEGER NOT NULL DEFAULT 2 CHECK (purge_hour BETWEEN 0 AND 23),
    timezone        TEXT NOT NULL DEFAULT 'UTC',
    default_region  TEXT NOT NULL DEFAULT 'US',
    reason_required INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    email          TEXT NOT NULL UNIQUE, -- lower-cased; sign-in is by e-mail alone
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('viewer', 'agent', 'manager', 'admin')),
    operator       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    deactivated_at INTEGER
);
CREATE INDEX users_workspace ON users (workspace_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY, -- random, only ever sent inside the signed cookie
    user_id      TEXT NOT NULL REFERENCES users(id),
    workspace_id TEXT NOT NULL REFERENCES workspaces(id), -- where the user acts (operators switch)
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE pools (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    is_default   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);

-- One row per action on many leads: a delete, a spam marking, an import.
CREATE TABLE batches (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    kind         TEXT NOT NULL CHECK (kind IN ('delete', 'spam', 'import')),
    actor_id     TEXT NOT NULL, -- usr_… or key_…
    reason       TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT '',
    count        INTEGER NOT NULL,
    undo_until   INTEGER,
    created_at   INTEGER NOT NULL,
    undone_at    INTEGER,
    restored_at  INTEGER,
    purged_at    INTEGER
);
CREATE INDEX batches_workspace ON batches (workspace_id, created_at);

CREATE TABLE leads (
    seq             INTEGER PRIMARY KEY, -- insertion order: the search index's rowid and the cursor tiebreak
    id              TEXT NOT NULL UNIQUE,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    pool_id         TEXT NOT NULL REFERENCES pools(id),
    name            TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '', -- E.164 when it parsed, else as given
    company         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'contacted', 'qualified', 'won', 'lost')),
    source          TEXT NOT NULL DEFAULT '',
    owner_id        TEXT REFERENCES users(id),
    metadata        TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER,
    deleted_by      TEXT,
    delete_reason   TEXT,
    batch_id        TEXT REFERENCES batches(id),
    import_batch_id TEXT REFERENCES batches(id),
    held_at         INTEGER,
    held_by         TEXT,
    hold_reason     TEXT
);
-- Every list is a keyset range scan over one of these. The active-list indexes are
-- partial, so a delete or restore touches only the index it leaves or enters.
CREATE INDEX leads_active_created ON leads (workspace_id, created_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_active_status ON leads (workspace_id, status, created_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_active_pool ON leads (workspace_id, pool_id, created_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_active_name ON leads (workspace_id, name COLLATE NOCASE, seq) WHERE deleted_at IS NULL;
-- The Trash, newest deletion first. It also finds a batch's leads: they share the
-- batch's instant (deleted_at = batches.created_at), so no index on batch_id is needed.
CREATE INDEX leads_trash ON leads (workspace_id, deleted_at, seq) WHERE deleted_at IS NOT NULL;

-- Maintained counters: how many leads each (pool, status) holds, active and in the
-- Trash, so that counts never scan a million rows. Kept by the store in the same
-- transaction as every change to a lead.
CREATE TABLE lead_counts (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    pool_id      TEXT NOT NULL REFERENCES pools(id),
    status       TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 0,
    trashed      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, pool_id, status)
) WITHOUT ROWID;

CREATE TABLE notes (
    id         TEXT PRIMARY KEY,
    lead_id    TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX notes_lead ON notes (lead_id, created_at);

CREATE TABLE tags (
    lead_id TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (lead_id, tag)
) WITHOUT ROWID;

CREATE TABLE tasks (
    id         TEXT PRIMARY KEY,
    lead_id    TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    due_at     INTEGER,
    done_at    INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX tasks_lead ON tasks (lead_id, created_at);

CREATE TABLE activity (
    id       INTEGER PRIMARY KEY,
    lead_id  TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    actor_id TEXT NOT NULL DEFAULT '', -- usr_…, key_… or '' for the system
    kind     TEXT NOT NULL,           -- created, updated, note, deleted, restored, …
    text     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX activity_lead ON activity (lead_id, at);

-- Append-only. The one change ever made to a row is an erasure redacting a person's
-- name, e-mail or phone from details.
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    workspace_id TEXT NOT NULL,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('user', 'key', 'system')),
    actor_id     TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    lead_id      TEXT,
    batch_id     TEXT,
    count        INTEGER NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_workspace ON audit (workspace_id, at, id);
CREATE INDEX audit_lead ON audit (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX audit_batch ON audit (batch_id) WHERE batch_id IS NOT NULL;

-- What is left of a purged or erased lead: never a name or a value, only keyed hashes.
CREATE TABLE tombstones (
    lead_id      TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    purged_at    INTEGER NOT NULL,
    how          TEXT NOT NULL CHECK (how IN ('retention', 'manual', 'erasure')),
    by_actor     TEXT NOT NULL DEFAULT '',
    request_ref  TEXT NOT NULL DEFAULT '',
    email_hash   TEXT NOT NULL DEFAULT '',
    phone_hash   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tombstones_workspace ON tombstones (workspace_id, purged_at);

CREATE TABLE suppressions (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    kind         TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    hash         TEXT NOT NULL, -- HMAC-SHA-256 of the normalised value with the server secret
    why          TEXT NOT NULL CHECK (why IN ('spam', 'erasure')),
    by_actor     TEXT NOT NULL DEFAULT '',
    batch_id     TEXT,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, kind, hash)
);

-- One row per background job, so that two servers never run it at once.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('viewer', 'agent', 'manager', 'admin')),
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE, -- SHA-256 of the secret; the secret is never stored
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);
