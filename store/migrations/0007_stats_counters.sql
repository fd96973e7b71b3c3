-- The counters behind /stats, kept by the store in the same transaction as every
-- change, so that the page reads a few hundred rows whatever the number of leads.
-- (Numbered 0006: 0005 is taken on main by the suppressions.)

-- 1. lead_counts gains the lead's contact, a key column:
--      'ok'      a valid phone (the store keeps a phone in E.164 exactly when it parsed),
--      'none'    no e-mail and no phone,
--      'nophone' anything else: an e-mail without a phone, or a phone that did not parse.
--    The CASE below is store.contactOf, which every later change uses; the table is
--    rebuilt (its primary key changes) and filled once from the leads themselves.
CREATE TABLE lead_counts_new (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    pool_id      TEXT NOT NULL REFERENCES pools(id),
    status       TEXT NOT NULL,
    contact      TEXT NOT NULL CHECK (contact IN ('ok', 'nophone', 'none')),
    active       INTEGER NOT NULL DEFAULT 0,
    trashed      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, pool_id, status, contact)
) WITHOUT ROWID;

INSERT INTO lead_counts_new (workspace_id, pool_id, status, contact, active, trashed)
SELECT workspace_id, pool_id, status,
       CASE WHEN substr(phone, 1, 1) = '+' AND length(phone) BETWEEN 8 AND 16 AND substr(phone, 2, 1) <> '0'
                 AND trim(substr(phone, 2), '0123456789') = '' THEN 'ok'
            WHEN email = '' AND phone = '' THEN 'none'
            ELSE 'nophone' END AS contact,
       SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END)
FROM leads
GROUP BY workspace_id, pool_id, status, contact;

DROP TABLE lead_counts;
ALTER TABLE lead_counts_new RENAME TO lead_counts;

-- 2. event_counts: how many leads were deleted, undone, restored, purged or erased,
--    per workspace, event, quarter hour (UTC) and actor. A quarter hour lies inside
--    one local day in every time zone, so the per-day chart follows the workspace's
--    time zone, even after it changes. The audit log holds the same facts one row per
--    action (and tombstones one row per lead): summing those over 30 days would cost
--    as many rows as there were actions or purged leads.
--      event    delete, undo, restore (from the audit rows of those actions, by the
--               store's audit()); purge.retention, purge.manual, purge.erasure (one
--               per tombstone written, by the store's purgeRows())
--      leads    how many leads
--      actions  how many audited actions (0 for purges, counted per lead)
CREATE TABLE event_counts (
    workspace_id TEXT NOT NULL,
    event        TEXT NOT NULL,
    slot         INTEGER NOT NULL, -- Unix milliseconds / 900000
    actor_id     TEXT NOT NULL DEFAULT '',
    leads        INTEGER NOT NULL DEFAULT 0,
    actions      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, event, slot, actor_id)
) WITHOUT ROWID;

INSERT INTO event_counts (workspace_id, event, slot, actor_id, leads, actions)
SELECT workspace_id, CASE action WHEN 'spam' THEN 'delete' ELSE action END, at / 900000, actor_id, SUM(count), count(*)
FROM audit
WHERE action IN ('delete', 'spam', 'undo', 'restore')
GROUP BY workspace_id, CASE action WHEN 'spam' THEN 'delete' ELSE action END, at / 900000, actor_id;

INSERT INTO event_counts (workspace_id, event, slot, actor_id, leads, actions)
SELECT workspace_id, 'purge.' || how, purged_at / 900000, by_actor, count(*), 0
FROM tombstones
GROUP BY workspace_id, how, purged_at / 900000, by_actor;
