-- Full-text search over the active and trashed leads of every workspace. Contentless:
-- it keeps tokens, never the text. SQLite-only: store/search.go is its one user.
--
-- phone holds the E.164 digits, the national number and its national dialling form.
-- The index is shared by all workspaces; every query joins leads on the rowid and
-- keeps one workspace's rows. (A workspace term in the index would be walked in step
-- with every word: measured, it tripled the cost of a search at a million leads.)
-- prefix = '2 3' keeps the short prefixes people type ("jo sm") as index entries of
-- their own, instead of merging every word that starts with them.
CREATE VIRTUAL TABLE leads_fts USING fts5 (
    name, email, phone, company, lead_id,
    content = '',
    contentless_delete = 1,
    prefix = '2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Deleted entries are overwritten, so purged or erased text does not linger in the file.
INSERT INTO leads_fts (leads_fts, rank) VALUES ('secure-delete', 1);
