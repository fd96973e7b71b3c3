-- What the delete, undo, restore and purge lifecycle reads often.

-- The pending undo toasts of one person: batches not undone, newest deadline first.
CREATE INDEX batches_pending ON batches (workspace_id, actor_id, undo_until) WHERE undone_at IS NULL;

-- The audit log filtered by actor or action, newest first.
CREATE INDEX audit_actor ON audit (workspace_id, actor_id, at, id);
CREATE INDEX audit_action ON audit (workspace_id, action, at, id);

-- Which deletion a purged lead came from, so that an undo or a batch restore can say
-- how many of its leads are gone for good.
ALTER TABLE tombstones ADD COLUMN batch_id TEXT;
CREATE INDEX tombstones_batch ON tombstones (batch_id) WHERE batch_id IS NOT NULL;

-- The audit log is append-only, and the database says so too: no row is ever deleted,
-- and the only column that may change is details (an erasure redacting a person).
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_update BEFORE UPDATE OF id, at, workspace_id, actor_kind, actor_id, action, lead_id, batch_id, count, reason ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
