-- Full-text search over the active and trashed leads of every workspace. Contentless:
-- it keeps tokens, never the text. SQLite-only: store/search.go is its one user.
--
-- ws holds the workspace id, so that a query is confined to one workspace by the index
-- itself; phone holds the E.164 form and its national and international digits.
CREATE VIRTUAL TABLE leads_fts USING fts5 (
    ws, name, email, phone, company, lead_id,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Deleted entries are overwritten, so purged or erased text does not linger in the file.
INSERT INTO leads_fts (leads_fts, rank) VALUES ('secure-delete', 1);
