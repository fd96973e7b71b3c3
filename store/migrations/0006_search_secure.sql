-- The search index again, without contentless_delete. With it, a DELETE only marks a
-- rowid as deleted and the lead's words stay in the file until a merge: an erased
-- person's name or phone would linger. Without it, the store removes a lead with
-- FTS5's 'delete' command and the values it indexed, and secure-delete overwrites
-- each token at once. The rows are indexed again by a Go step of this migration
-- (store.go, migrationSteps), which computes the phone terms.
DROP TABLE leads_fts;
CREATE VIRTUAL TABLE leads_fts USING fts5 (
    name, email, phone, company, lead_id,
    content = '',
    prefix = '2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO leads_fts (leads_fts, rank) VALUES ('secure-delete', 1);
