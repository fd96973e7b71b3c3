-- A bulk delete of 100,000 leads, and its undo, in well under two seconds
-- (docs/bulk-delete-speed.md). Until now a delete rewrote each lead's row, moved it
-- between five indexes and wrote it an activity row: at a million leads, 100,000 rows
-- scattered over the whole table, about six seconds. From here on a delete writes small
-- rows in order, and leaves the leads' own rows alone:
--
--   lead_rows            the leads' own data (the table called leads until now; its
--                        columns deleted_at, deleted_by, delete_reason and batch_id stay,
--                        NULL: SQLite cannot drop batch_id, in a foreign key, and
--                        dropping the other three would rewrite every row for nothing)
--   trashed              one row per lead in the Trash: when, by whom, why, which deletion
--   leads                a view, every lead as the table looked before (the Trash columns
--                        NULL for active leads); its triggers turn writes into writes
--                        to the two tables
--   trash                a view, the leads in the Trash only, read from trashed first:
--                        the Trash's pages, a deletion's leads, the purges
--   lead_activity        what happened to one lead (the table called activity until now)
--   bulk_activity        what happened to many leads at once (a deletion, its undo, a
--                        restore, a hold, an import), once
--   bulk_activity_leads  which leads it happened to: two integers per lead
--   activity             a view, every lead's activity as the table looked before: its
--                        own rows and its shares of bulk_activity (a row per lead each)
--   batch_counts         a deletion's leads counted as lead_counts counts them, so that
--                        undoing it moves the counters back without reading its leads

CREATE TABLE trashed (
    seq           INTEGER PRIMARY KEY, -- the lead's seq
    workspace_id  TEXT NOT NULL,
    deleted_at    INTEGER NOT NULL,
    deleted_by    TEXT NOT NULL DEFAULT '',
    delete_reason TEXT NOT NULL DEFAULT '',
    batch_id      TEXT
);
INSERT INTO trashed (seq, workspace_id, deleted_at, deleted_by, delete_reason, batch_id)
SELECT seq, workspace_id, deleted_at, COALESCE(deleted_by, ''), COALESCE(delete_reason, ''), batch_id
FROM leads WHERE deleted_at IS NOT NULL;
-- The Trash newest first, and a deletion's leads: they share its instant (batch_id
-- is there to count them without reading their rows).
CREATE INDEX trashed_workspace ON trashed (workspace_id, deleted_at, seq, batch_id);

DROP INDEX leads_active_created;
DROP INDEX leads_active_status;
DROP INDEX leads_active_pool;
DROP INDEX leads_active_name;
DROP INDEX leads_trash;

ALTER TABLE leads RENAME TO lead_rows;
UPDATE lead_rows SET deleted_at = NULL, deleted_by = NULL, delete_reason = NULL, batch_id = NULL WHERE deleted_at IS NOT NULL;

-- The lists' indexes, over every lead: a list skips those in the Trash by a
-- primary-key probe of trashed.
CREATE INDEX lead_rows_created ON lead_rows (workspace_id, created_at, seq);
CREATE INDEX lead_rows_status ON lead_rows (workspace_id, status, created_at, seq);
CREATE INDEX lead_rows_pool ON lead_rows (workspace_id, pool_id, created_at, seq);
CREATE INDEX lead_rows_name ON lead_rows (workspace_id, name COLLATE NOCASE, seq);

CREATE VIEW leads AS
SELECT r.seq, r.id, r.workspace_id, r.pool_id, r.name, r.email, r.phone, r.company, r.status, r.source,
       r.owner_id, r.metadata, r.created_at, r.updated_at,
       t.deleted_at, t.deleted_by, t.delete_reason, t.batch_id,
       r.import_batch_id, r.held_at, r.held_by, r.hold_reason
FROM lead_rows r LEFT JOIN trashed t ON t.seq = r.seq;

-- (t.seq, not r.seq: the Trash's order, deleted_at and seq, is then the index's.)
CREATE VIEW trash AS
SELECT t.seq, r.id, t.workspace_id, r.pool_id, r.name, r.email, r.phone, r.company, r.status, r.source,
       r.owner_id, r.metadata, r.created_at, r.updated_at,
       t.deleted_at, t.deleted_by, t.delete_reason, t.batch_id,
       r.import_batch_id, r.held_at, r.held_by, r.hold_reason
FROM trashed t JOIN lead_rows r ON r.seq = t.seq;

CREATE TABLE bulk_activity (
    id           INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    at           INTEGER NOT NULL,
    actor_id     TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL DEFAULT ''
);
CREATE TABLE bulk_activity_leads (
    seq         INTEGER NOT NULL, -- the lead's seq
    activity_id INTEGER NOT NULL,
    PRIMARY KEY (seq, activity_id)
) WITHOUT ROWID;

ALTER TABLE activity RENAME TO lead_activity;

-- bulk is 1 for a share of bulk_activity (its id is bulk_activity's): a timeline puts it
-- first among entries of the same instant, as a deletion, restore or hold follows the
-- lead's own creation or edit.
CREATE VIEW activity AS
SELECT a.id, a.lead_id, a.at, a.actor_id, a.kind, a.text, 0 AS bulk FROM lead_activity a
UNION ALL
SELECT b.id, r.id, b.at, b.actor_id, b.kind, b.text, 1
FROM lead_rows r JOIN bulk_activity_leads x ON x.seq = r.seq JOIN bulk_activity b ON b.id = x.activity_id;

CREATE TABLE batch_counts (
    batch_id TEXT NOT NULL,
    pool_id  TEXT NOT NULL,
    status   TEXT NOT NULL,
    contact  TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (batch_id, pool_id, status, contact)
) WITHOUT ROWID;

CREATE TRIGGER leads_insert INSTEAD OF INSERT ON leads
BEGIN
    INSERT INTO lead_rows (seq, id, workspace_id, pool_id, name, email, phone, company, status, source, owner_id, metadata,
        created_at, updated_at, import_batch_id, held_at, held_by, hold_reason)
    VALUES (NEW.seq, NEW.id, NEW.workspace_id, NEW.pool_id, COALESCE(NEW.name, ''), COALESCE(NEW.email, ''),
        COALESCE(NEW.phone, ''), COALESCE(NEW.company, ''), COALESCE(NEW.status, 'new'), COALESCE(NEW.source, ''),
        NEW.owner_id, COALESCE(NEW.metadata, '{}'), NEW.created_at, NEW.updated_at, NEW.import_batch_id,
        NEW.held_at, NEW.held_by, NEW.hold_reason);
    INSERT INTO trashed (seq, workspace_id, deleted_at, deleted_by, delete_reason, batch_id)
    SELECT seq, workspace_id, NEW.deleted_at, COALESCE(NEW.deleted_by, ''), COALESCE(NEW.delete_reason, ''), NEW.batch_id
    FROM lead_rows WHERE id = NEW.id AND NEW.deleted_at IS NOT NULL;
END;

CREATE TRIGGER leads_update INSTEAD OF UPDATE ON leads
BEGIN
    UPDATE lead_rows SET pool_id = NEW.pool_id, name = NEW.name, email = NEW.email, phone = NEW.phone,
        company = NEW.company, status = NEW.status, source = NEW.source, owner_id = NEW.owner_id,
        metadata = NEW.metadata, created_at = NEW.created_at, updated_at = NEW.updated_at,
        import_batch_id = NEW.import_batch_id, held_at = NEW.held_at, held_by = NEW.held_by, hold_reason = NEW.hold_reason
    WHERE seq = OLD.seq;
    DELETE FROM trashed WHERE seq = OLD.seq AND NEW.deleted_at IS NULL;
    INSERT OR REPLACE INTO trashed (seq, workspace_id, deleted_at, deleted_by, delete_reason, batch_id)
    SELECT OLD.seq, OLD.workspace_id, NEW.deleted_at, COALESCE(NEW.deleted_by, ''), COALESCE(NEW.delete_reason, ''), NEW.batch_id
    WHERE NEW.deleted_at IS NOT NULL;
END;

-- A lead that goes takes its Trash row and its share of bulk activity with it (its own
-- activity, notes, tasks and tags go by their foreign keys).
CREATE TRIGGER leads_delete INSTEAD OF DELETE ON leads
BEGIN
    DELETE FROM trashed WHERE seq = OLD.seq;
    DELETE FROM bulk_activity_leads WHERE seq = OLD.seq;
    DELETE FROM lead_rows WHERE seq = OLD.seq;
END;
