-- The retention purge runs once a local day per workspace; this is the local day
-- (YYYY-MM-DD in the workspace's time zone) of its last completed run.
ALTER TABLE workspaces ADD COLUMN last_purge_day TEXT NOT NULL DEFAULT '';
