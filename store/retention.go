package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PurgeChunk is how many leads one retention transaction purges: small enough that
// the console keeps answering between chunks, and a crash loses at most one chunk's
// work (the next run picks up where it stopped).
const PurgeChunk = 1000

// retentionLease names the lease that keeps two servers from purging at once; the
// holder renews it after every chunk, so a long run never outlives it.
const (
	retentionLease = "retention-purge"
	leaseTTL       = 10 * time.Minute
)

// PurgeRun is what a retention run did (or, dry, would do) in one workspace.
type PurgeRun struct {
	Workspace Workspace
	Purged    int
}

// dueCondition is the set of a workspace's trashed leads whose time is up at now:
// deleted at least retention days ago, past any undo window, not on legal hold.
func dueSet(ws Workspace, now time.Time) leadSet {
	cutoff := now.Add(-time.Duration(ws.RetentionDays) * 24 * time.Hour)
	if undo := now.Add(-(UndoWindow + UndoGrace)); undo.Before(cutoff) {
		cutoff = undo
	}
	// ...and never a lead whose batch can still be undone (a slow delete moves its
	// deadline past deleted_at + the window).
	return trashLeads(`workspace_id = ? AND deleted_at <= ? AND held_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = trash.batch_id AND b.undone_at IS NULL AND b.undo_until >= ?)`,
		ws.ID, cutoff.UnixMilli(), now.Add(-UndoGrace).UnixMilli())
}

// PurgeDue purges, in every workspace, the trashed leads whose retention has run
// out, oldest first, PurgeChunk at a time, with a tombstone each and one audit row
// per workspace and run. With dryRun it only counts. It is safe to run twice and
// from two processes: a lease row lets one run at a time.
func (s *Store) PurgeDue(ctx context.Context, holder string, dryRun bool) ([]PurgeRun, error) {
	return s.purgeAll(ctx, holder, dryRun, false)
}

// purgeAll runs the purge over every workspace (scheduled: only those whose purge
// hour has come today), under the lease unless it is a dry run.
func (s *Store) purgeAll(ctx context.Context, holder string, dryRun, scheduled bool) ([]PurgeRun, error) {
	if !dryRun {
		ok, err := s.takeLease(ctx, retentionLease, holder, leaseTTL)
		if err != nil || !ok {
			return nil, err
		}
		defer s.releaseLease(context.WithoutCancel(ctx), retentionLease, holder)
	}
	all, err := s.Workspaces(ctx)
	if err != nil {
		return nil, err
	}
	var runs []PurgeRun
	for _, w := range all {
		if scheduled {
			due, err := s.PurgeIsDue(ctx, w.Workspace, s.Now())
			if err != nil {
				return runs, err
			}
			if !due {
				continue
			}
		}
		run, err := s.purgeWorkspace(ctx, w.Workspace, holder, dryRun, scheduled)
		if err != nil {
			return runs, err
		}
		runs = append(runs, run)
	}
	return runs, nil
}

// purgeWorkspace purges one workspace's due leads. A scheduled run records the
// local day, so that it runs once a day; a run on demand does not, so that it never
// cancels that day's scheduled run.
func (s *Store) purgeWorkspace(ctx context.Context, ws Workspace, holder string, dryRun, scheduled bool) (PurgeRun, error) {
	run := PurgeRun{Workspace: ws}
	if dryRun {
		ls := dueSet(ws, s.Now())
		err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM `+ls.from+` WHERE `+ls.where, ls.args...).Scan(&run.Purged)
		return run, err
	}
	system := Actor{Kind: "system"}
	for {
		var n int
		err := s.inTx(ctx, func(tx *Tx) error {
			due := dueSet(ws, tx.now)
			// Oldest first, one chunk: the chunk's own set is its seqs.
			chunk := trashLeads("seq IN (SELECT seq FROM trash WHERE "+due.where+" ORDER BY deleted_at, seq LIMIT ?)",
				append(append([]any{}, due.args...), PurgeChunk)...)
			var err error
			n, err = s.purgeRows(ctx, tx, ws.ID, system, chunk, "retention")
			return err
		})
		if err != nil {
			return run, fmt.Errorf("store: retention purge of %s: %w", ws.Name, err)
		}
		run.Purged += n
		if n < PurgeChunk {
			break
		}
		if _, err := s.takeLease(ctx, retentionLease, holder, leaseTTL); err != nil { // still ours, for longer
			return run, err
		}
	}
	// One audit row for the run. Its count is every retention purge not yet in the
	// audit log: this run's, and those of a run stopped between chunks.
	err := s.inTx(ctx, func(tx *Tx) error {
		var unaudited int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM tombstones WHERE workspace_id = ? AND how = 'retention') -
			(SELECT COALESCE(SUM(count), 0) FROM audit WHERE workspace_id = ? AND action = 'purge' AND reason = 'retention')`,
			ws.ID, ws.ID).Scan(&unaudited); err != nil {
			return err
		}
		if unaudited > 0 {
			if err := audit(ctx, tx, auditEntry{workspaceID: ws.ID, actor: system, action: "purge", count: unaudited,
				reason: "retention", details: fmt.Sprintf("Retention: %d days", ws.RetentionDays)}); err != nil {
				return err
			}
		}
		// /stats reads StatsDays of event counts; older ones only fill the file.
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_counts WHERE workspace_id = ? AND slot < ?`,
			ws.ID, tx.now.Add(-eventCountsKept).UnixMilli()/slotMs); err != nil {
			return err
		}
		if !scheduled {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE workspaces SET last_purge_day = ? WHERE id = ?`, localDay(ws, tx.now), ws.ID)
		return err
	})
	return run, err
}

func localDay(ws Workspace, t time.Time) string {
	loc, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02")
}

// PurgeIsDue reports whether the workspace's daily purge should run at now: the
// first instant at or after its purge hour, local time, on a day it has not run.
func (s *Store) PurgeIsDue(ctx context.Context, ws Workspace, now time.Time) (bool, error) {
	var last string
	if err := s.read.QueryRowContext(ctx, `SELECT last_purge_day FROM workspaces WHERE id = ?`, ws.ID).Scan(&last); err != nil {
		return false, err
	}
	loc, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	return local.Hour() >= ws.PurgeHour && last != local.Format("2006-01-02"), nil
}

// PurgeScheduled runs the retention purge for the workspaces whose purge hour has
// come today, under the lease; it is what serve's scheduler calls every few minutes.
func (s *Store) PurgeScheduled(ctx context.Context, holder string) ([]PurgeRun, error) {
	return s.purgeAll(ctx, holder, false, true)
}

// takeLease takes the named lease for holder until now+ttl, unless another holder
// has it and it has not expired.
func (s *Store) takeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	var got bool
	err := s.inTx(ctx, func(tx *Tx) error {
		var cur string
		var expires int64
		err := tx.QueryRowContext(ctx, `SELECT holder, expires_at FROM leases WHERE name = ?`, name).Scan(&cur, &expires)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err == nil && cur != holder && expires > tx.nowMs() {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`,
			name, holder, tx.now.Add(ttl).UnixMilli())
		got = err == nil
		return err
	})
	return got, err
}

func (s *Store) releaseLease(ctx context.Context, name, holder string) {
	_ = s.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
}
