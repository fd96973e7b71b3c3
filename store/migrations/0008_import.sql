-- Importing leads from CSV files: "Undo this import" finds the leads one import
-- created (leads.import_batch_id, from 0001). Only imported leads are in the index.
CREATE INDEX leads_import_batch ON leads (import_batch_id) WHERE import_batch_id IS NOT NULL;
