package store

// The lifecycle of a lead (DESIGN.md): active ──delete──▶ trashed ──purge──▶ purged,
// with undo (within the window) and restore leading back. Each public method here is
// one transaction: the batch, the leads, their activity, the counters and one audit
// row are written together or not at all.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Undo timing: the toast counts down UndoWindow; the server accepts an undo up to
// UndoGrace later, for the latency of the click.
const (
	UndoWindow = 10 * time.Second
	UndoGrace  = 2 * time.Second
	// MaxIDs is how many ids one request may name.
	MaxIDs = 1000
	// maxDetailsLen bounds the free text of a deletion.
	maxDetailsLen = 1000
)

// Reasons are the reasons a deletion may give, as forms and the API send them.
var Reasons = []string{"duplicate", "outdated", "invalid", "spam", "gdpr_request", "other"}

// ReasonLabel is a reason as people read it.
func ReasonLabel(r string) string {
	switch r {
	case "gdpr_request":
		return "GDPR request"
	case "":
		return "No reason given"
	}
	return strings.ToUpper(r[:1]) + r[1:]
}

// Batch is one action on one or many leads: a delete, a spam marking, an import.
type Batch struct {
	ID          string
	WorkspaceID string
	Kind        string
	ActorID     string
	ActorName   string
	Reason      string
	Details     string
	Count       int
	UndoUntil   time.Time
	CreatedAt   time.Time
	UndoneAt    *time.Time
	// FirstLeadID is one lead of the batch, for a one-lead batch its lead ("" once
	// none is left).
	FirstLeadID string
	// InTrash is how many of its leads are in the Trash now (set by TrashBatches).
	InTrash int
	// Held is how many of those are on legal hold (set by TrashBatches).
	Held int
}

// UndoOpen reports whether the batch can still be undone at now.
func (b Batch) UndoOpen(now time.Time) bool {
	return b.UndoneAt == nil && !now.After(b.UndoUntil.Add(UndoGrace))
}

// DeleteRequest names the leads to move to the Trash, and why: a list of ids, or
// (All) every active lead matching Filter, frozen at ExpectedCount, or every active
// lead an import created (ImportBatchID).
type DeleteRequest struct {
	IDs           []string
	All           bool
	Filter        LeadFilter // pool, status and query; sort, cursor and limit are ignored
	ExpectedCount int
	ImportBatchID string
	Reason        string
	Details       string
}

// Errors of the lifecycle that callers tell apart.
var (
	ErrAlreadyInTrash = &Error{Code: EConflict, Message: "This lead is already in the Trash"}
	ErrNotInTrash     = &Error{Code: EConflict, Message: "This lead is not in the Trash"}
	ErrBatchNotFound  = &Error{Code: ENotFound, Message: "No such deletion in this workspace"}
	ErrUndoExpired    = &Error{Code: EUndoExpired, Message: "Too late to undo — the lead is in the Trash"}
)

func checkReason(reason, details string, required bool) error {
	v := Invalid{}
	switch {
	case reason == "" && required:
		v.Add("reason", "is required")
	case reason != "" && !contains(Reasons, reason):
		v.Add("reason", "must be one of duplicate, outdated, invalid, spam, gdpr_request, other")
	}
	if len([]rune(details)) > maxDetailsLen {
		v.Add("details", fmt.Sprintf("must be at most %d characters", maxDetailsLen))
	}
	return v.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkIDs(ids []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		if !ValidLeadID(id) {
			return nil, fmt.Errorf("store: lead %q: %w", id, ErrLeadNotFound)
		}
		seen[id] = true
		out = append(out, id)
	}
	v := Invalid{}
	switch {
	case len(out) == 0:
		v.Add("ids", "select at least one lead")
	case len(out) > MaxIDs:
		v.Add("ids", fmt.Sprintf("at most %d leads at once", MaxIDs))
	}
	return out, v.Err()
}

func inList(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")" }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// DeleteLeads moves active leads of the workspace to the Trash as one batch, with an
// undo deadline UndoWindow away: the listed ids (if any is not an active lead of the
// workspace, nothing is deleted), or with All every lead the filter matches, which
// must still be exactly ExpectedCount. A reason is required for more than one lead,
// for a filter, or when the workspace requires one.
func (s *Store) DeleteLeads(ctx context.Context, ws Workspace, actor Actor, req DeleteRequest) (Batch, error) {
	var ids []string
	var err error
	if !req.All && req.ImportBatchID == "" {
		if ids, err = checkIDs(req.IDs); err != nil {
			return Batch{}, err
		}
	}
	req.Reason, req.Details = strings.TrimSpace(req.Reason), strings.TrimSpace(req.Details)
	if err := checkReason(req.Reason, req.Details, req.All || req.ImportBatchID != "" || len(ids) > 1 || ws.ReasonRequired); err != nil {
		return Batch{}, err
	}
	var b Batch
	err = s.inTx(ctx, func(tx *Tx) error {
		var ls leadSet
		switch {
		case req.ImportBatchID != "":
			ls = importLeads(ws.ID, req.ImportBatchID).and("deleted_at IS NULL")
		case req.All:
			var err error
			if ls, err = s.activeSet(ctx, tx, ws.ID, req.Filter); err != nil {
				return err
			}
		default:
			if err := checkActive(ctx, tx, ws.ID, ids); err != nil {
				return err
			}
			ls = idLeads(ws.ID, ids).and("deleted_at IS NULL")
		}
		// The set's size and its counters' changes: for a filter of pool and status,
		// the counters themselves; else one scan of the set.
		var groups leadGroups
		if req.All && matchQuery(req.Filter.Query) == "" {
			groups, err = activeGroups(ctx, tx, ws.ID, req.Filter.PoolID, req.Filter.Status)
		} else {
			groups, err = groupLeads(ctx, tx, ls)
		}
		if err != nil {
			return err
		}
		switch n := groups.total(); {
		case req.ImportBatchID != "" && n == 0:
			return &Error{Code: EConflict, Message: "None of the leads this import created is active any more; nothing was changed"}
		case req.All:
			if err := checkFrozenCount(n, req.ExpectedCount); err != nil {
				return err
			}
		}
		b, err = s.deleteTx(ctx, tx, ws, actor, "delete", ls, groups, req.Reason, req.Details)
		return err
	})
	return b, err
}

// MarkSpam moves an active lead to the Trash as a batch of kind spam (reason spam)
// and suppresses its e-mail and phone for new leads; undoing the batch, or restoring
// the lead, lifts the suppression again.
func (s *Store) MarkSpam(ctx context.Context, ws Workspace, actor Actor, id, details string) (Batch, error) {
	details = strings.TrimSpace(details)
	if err := checkReason("spam", details, false); err != nil {
		return Batch{}, err
	}
	var b Batch
	err := s.inTx(ctx, func(tx *Tx) error {
		if err := checkActive(ctx, tx, ws.ID, []string{id}); err != nil {
			return err
		}
		l, err := getLead(ctx, tx, ws.ID, id)
		if err != nil {
			return err
		}
		one := idLeads(ws.ID, []string{id})
		groups, err := groupLeads(ctx, tx, one)
		if err != nil {
			return err
		}
		if b, err = s.deleteTx(ctx, tx, ws, actor, "spam", one, groups, "spam", details); err != nil {
			return err
		}
		return s.suppress(ctx, tx, ws.ID, actor, "spam", b.ID, id, l.Email, l.Phone)
	})
	return b, err
}

// deleteTx moves the set's active leads (counted in groups) to the Trash as one batch
// of the kind, with an activity row per lead, the counters and one audit row.
func (s *Store) deleteTx(ctx context.Context, tx *Tx, ws Workspace, actor Actor, kind string, ls leadSet, groups leadGroups, reason, details string) (Batch, error) {
	n := groups.total()
	b := Batch{ID: newID(prefixBatch), WorkspaceID: ws.ID, Kind: kind, ActorID: actor.ID, ActorName: actor.Name,
		Reason: reason, Details: details, Count: n, UndoUntil: tx.now.Add(UndoWindow), CreatedAt: tx.now}
	if _, err := tx.ExecContext(ctx, `INSERT INTO batches (id, workspace_id, kind, actor_id, reason, details, count, undo_until, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, ws.ID, b.Kind, actor.ID, b.Reason, b.Details, b.Count,
		b.UndoUntil.UnixMilli(), tx.nowMs()); err != nil {
		return b, err
	}
	// The leads' rows stay as they are: the Trash is a small row each in trashed,
	// written in seq order (the table's own), which is what makes 100,000 of them cheap.
	res, err := tx.ExecContext(ctx, `INSERT INTO trashed (seq, workspace_id, deleted_at, deleted_by, delete_reason, batch_id)
		SELECT seq, workspace_id, ?, ?, ?, ? FROM `+ls.from+` WHERE `+ls.where+` ORDER BY seq`,
		append([]any{tx.nowMs(), actor.ID, b.Reason, b.ID}, ls.args...)...)
	if err != nil {
		return b, fmt.Errorf("store: delete leads: %w", err)
	}
	if got, _ := res.RowsAffected(); got != int64(n) { // cannot happen inside one write transaction
		return b, fmt.Errorf("store: delete leads: counted %d, deleted %d", n, got)
	}
	for _, g := range groups { // for the undo
		if _, err := tx.ExecContext(ctx, `INSERT INTO batch_counts (batch_id, pool_id, status, contact, n) VALUES (?, ?, ?, ?, ?)`,
			b.ID, g.pool, g.status, g.contact, g.n); err != nil {
			return b, err
		}
	}
	text := "Moved to the Trash"
	if b.Reason != "" {
		text += " (" + ReasonLabel(b.Reason) + ")"
	}
	if err := setActivity(ctx, tx, ws.ID, batchLeads(b), actor, "deleted", text); err != nil {
		return b, err
	}
	if err := groups.count(ctx, tx, ws.ID, -1, +1); err != nil {
		return b, err
	}
	single := ""
	if n == 1 {
		if err := tx.QueryRowContext(ctx, `SELECT id FROM `+batchLeads(b).from+` WHERE `+batchLeads(b).where, batchLeads(b).args...).Scan(&single); err != nil {
			return b, err
		}
	}
	if err := audit(ctx, tx, auditEntry{workspaceID: ws.ID, actor: actor, action: kind, batchID: b.ID,
		leadID: single, count: b.Count, reason: b.Reason, details: b.Details}); err != nil {
		return b, err
	}
	// The ten seconds to undo start when the delete is done, not when it began: a
	// batch of 100,000 leads takes seconds to write, and the toast must not be
	// born with half its time gone. (A quick delete keeps deletedAt + 10 s.)
	if done := s.Now().UTC(); done.Sub(tx.now) > time.Second {
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET undo_until = ? WHERE id = ?`, done.Add(UndoWindow).UnixMilli(), b.ID); err != nil {
			return b, err
		}
	}
	return getBatch(ctx, tx, ws.ID, b.ID) // as every later read of it will show it
}

// CheckActiveLeads makes sure every id is an active lead of the workspace, as a bulk
// delete will: for a preview that must not promise what the delete will refuse.
func (s *Store) CheckActiveLeads(ctx context.Context, workspaceID string, ids []string) error {
	ids, err := checkIDs(ids)
	if err != nil {
		return err
	}
	return checkActive(ctx, s.read, workspaceID, ids)
}

// checkActive makes sure every id is an active lead of the workspace.
func checkActive(ctx context.Context, tx querier, workspaceID string, ids []string) error {
	trashed := map[string]bool{}
	ls := idLeads(workspaceID, ids)
	err := eachRow(ctx, tx, `SELECT id, deleted_at IS NOT NULL FROM `+ls.from+` WHERE `+ls.where, ls.args, func(rows *sql.Rows) error {
		var id string
		var t bool
		err := rows.Scan(&id, &t)
		trashed[id] = t
		return err
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		t, ok := trashed[id]
		switch {
		case !ok && len(ids) == 1:
			return fmt.Errorf("store: delete %s: %w", id, ErrLeadNotFound)
		case !ok:
			return &Error{Code: ELeadNotFound, Message: fmt.Sprintf("Lead %s is not a lead of this workspace; nothing was changed", id)}
		case t && len(ids) == 1:
			return ErrAlreadyInTrash
		case t:
			return &Error{Code: EConflict, Message: fmt.Sprintf("Lead %s is already in the Trash; nothing was changed", id)}
		}
	}
	return nil
}

// checkFrozenCount refuses a bulk action whose selection is not the one the person
// saw counted.
func checkFrozenCount(n, expected int) error {
	switch {
	case n == 0:
		return &Error{Code: EInvalid, Message: "No lead matches this selection; nothing was changed",
			Fields: map[string]string{"all_matching": "matches nothing"}}
	case expected <= 0:
		return &Error{Code: EInvalid, Message: "The count you confirmed is missing",
			Fields: map[string]string{"expected_count": "is required with a filter"}}
	case n != expected:
		return &Error{Code: EConflict, Message: fmt.Sprintf("The selection changed: %s now match, not %s. Nothing was changed; look again and confirm.",
			thousandsOf(n), thousandsOf(expected))}
	}
	return nil
}

func thousandsOf(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// leadSet is a set of leads named by a WHERE condition on a view of them, so that
// one statement acts on all of them however many they are. The view is leads (every
// lead) or trash (the leads in the Trash, read from the Trash's own index first), and
// a statement reads the set as FROM ls.from WHERE ls.where.
type leadSet struct {
	from  string
	where string
	args  []any
}

// anyLeads and trashLeads are the sets of leads, or of leads in the Trash, that the
// condition names.
func anyLeads(where string, args ...any) leadSet   { return leadSet{"leads", where, args} }
func trashLeads(where string, args ...any) leadSet { return leadSet{"trash", where, args} }

// batchLeads is the batch's leads still in the Trash. They were deleted in the batch's
// transaction, so they share its instant: the Trash index finds them by it, and no
// index on batch_id has to be kept up to date by every delete and restore.
func batchLeads(b Batch) leadSet {
	return trashLeads("workspace_id = ? AND deleted_at = ? AND batch_id = ?", b.WorkspaceID, b.CreatedAt.UnixMilli(), b.ID)
}

// inBatch is the SQL condition, on the trash view or the trashed table aliased l and
// batches aliased b, of a lead of the batch still in the Trash (batchLeads, in a join).
const inBatch = `l.workspace_id = b.workspace_id AND l.deleted_at = b.created_at AND l.batch_id = b.id`

// heldInBatch counts the held leads of the batch aliased b still in the Trash, by the
// index of held leads (a few), not by the batch's leads (perhaps 100,000).
const heldInBatch = `SELECT count(*) FROM lead_rows r INDEXED BY leads_held JOIN trashed t ON t.seq = r.seq
	WHERE r.workspace_id = b.workspace_id AND r.held_at IS NOT NULL AND t.deleted_at = b.created_at AND t.batch_id = b.id`

// idLeads is the set of the workspace's leads with the ids. The workspace term is no
// index key ("+"): SQLite, without statistics, would otherwise take a list index's
// workspace range (every lead of the workspace) for a long list of ids, over the ids'
// own index (TestSelectiveQueriesDoNotWalkTheWorkspace).
func idLeads(workspaceID string, ids []string) leadSet {
	return anyLeads("+workspace_id = ? AND id IN "+inList(len(ids)), append([]any{workspaceID}, anys(ids)...)...)
}

func (ls leadSet) and(cond string) leadSet {
	return leadSet{ls.from, ls.where + " AND " + cond, ls.args}
}

// setActivity adds one entry to the timeline of every lead of the set: the entry once
// in bulk_activity, and a row of two integers per lead in bulk_activity_leads, in seq
// order. (A row of activity per lead, with its text and an index by lead id, cost
// 1.4 s at 100,000 leads; this costs a tenth of that.)
func setActivity(ctx context.Context, tx *Tx, workspaceID string, ls leadSet, actor Actor, kind, text string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO bulk_activity (workspace_id, at, actor_id, kind, text) VALUES (?, ?, ?, ?, ?)`,
		workspaceID, tx.nowMs(), actor.ID, kind, text)
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO bulk_activity_leads (seq, activity_id) SELECT seq, ? FROM `+ls.from+` WHERE `+ls.where+` ORDER BY seq`,
		append([]any{id}, ls.args...)...)
	return err
}

// moveCounts moves the set's leads between the counters: active → trashed for a
// delete (dir -1), trashed → active for a restore (dir +1), out of trashed for a
// purge (dir 0).
func moveCounts(ctx context.Context, tx *Tx, workspaceID string, ls leadSet, dir int) error {
	active, trashed := dir, -dir
	if dir == 0 {
		trashed = -1
	}
	return countLeads(ctx, tx, workspaceID, ls, active, trashed)
}

// countAndFirst is how many leads the set holds and the id of one of them.
func countAndFirst(ctx context.Context, tx *Tx, ls leadSet) (int, string, error) {
	var n int
	var id sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT count(*), min(id) FROM `+ls.from+` WHERE `+ls.where, ls.args...).Scan(&n, &id)
	return n, id.String, err
}

var batchColumns = `b.id, b.workspace_id, b.kind, b.actor_id, ` + actorNameOfB + `, b.reason, b.details, b.count,
	COALESCE(b.undo_until, 0), b.created_at, b.undone_at,
	COALESCE((SELECT l.id FROM trash l WHERE ` + inBatch + ` LIMIT 1), '')`

const actorNameOfB = `COALESCE((SELECT name FROM users WHERE id = b.actor_id),
	(SELECT 'key ''' || name || '''' FROM api_keys WHERE id = b.actor_id), 'Leadkeep')`

func scanBatch(row interface{ Scan(...any) error }, extra ...any) (Batch, error) {
	var b Batch
	var undo, created int64
	var undone sql.NullInt64
	err := row.Scan(append([]any{&b.ID, &b.WorkspaceID, &b.Kind, &b.ActorID, &b.ActorName, &b.Reason, &b.Details, &b.Count,
		&undo, &created, &undone, &b.FirstLeadID}, extra...)...)
	b.UndoUntil, b.CreatedAt = time.UnixMilli(undo).UTC(), time.UnixMilli(created).UTC()
	if undone.Valid {
		t := time.UnixMilli(undone.Int64).UTC()
		b.UndoneAt = &t
	}
	return b, err
}

func getBatch(ctx context.Context, q querier, workspaceID, id string) (Batch, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batches b WHERE b.workspace_id = ? AND b.id = ?`,
		workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("store: batch %q: %w", id, ErrBatchNotFound)
	}
	return b, err
}

// Batch returns the workspace's batch with the id; another workspace's is not found.
func (s *Store) Batch(ctx context.Context, workspaceID, id string) (Batch, error) {
	return getBatch(ctx, s.read, workspaceID, id)
}

// RestoreResult says what a restore or undo brought back.
type RestoreResult struct {
	Batch Batch
	// Restored leads are active again; NotRestored could not come back (purged).
	Restored, NotRestored int
	// Already is set when the batch had been undone before: nothing was written.
	Already bool
}

// UndoBatch restores the batch's leads that are still in the Trash, within the undo
// window (plus UndoGrace). Undoing an undone batch succeeds and writes nothing.
// Who may undo (the batch's actor, or a manager) is the caller's policy.
func (s *Store) UndoBatch(ctx context.Context, workspaceID string, actor Actor, batchID string) (RestoreResult, error) {
	var res RestoreResult
	err := s.inTx(ctx, func(tx *Tx) error {
		b, err := getBatch(ctx, tx, workspaceID, batchID)
		if err != nil {
			return err
		}
		res.Batch = b
		if b.UndoneAt != nil {
			res.Already = true
			return nil
		}
		if !b.UndoOpen(tx.now) {
			return ErrUndoExpired
		}
		res.Restored, res.NotRestored, err = restoreBatchTx(ctx, tx, workspaceID, actor, b, "undo", "Deletion undone")
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE batches SET undone_at = ? WHERE id = ?`, tx.nowMs(), b.ID)
		return err
	})
	return res, err
}

// RestoreBatch puts back every lead of the batch that is still in the Trash.
func (s *Store) RestoreBatch(ctx context.Context, workspaceID string, actor Actor, batchID string) (RestoreResult, error) {
	var res RestoreResult
	err := s.inTx(ctx, func(tx *Tx) error {
		b, err := getBatch(ctx, tx, workspaceID, batchID)
		if err != nil {
			return err
		}
		res.Batch = b
		res.Restored, res.NotRestored, err = restoreBatchTx(ctx, tx, workspaceID, actor, b, "restore", "Restored from the Trash")
		return err
	})
	return res, err
}

// restoreBatchTx brings back the batch's leads still in the Trash. A batch none of
// whose leads can come back is an error: EGone if they were purged, EConflict if
// they were restored already.
func restoreBatchTx(ctx context.Context, tx *Tx, workspaceID string, actor Actor, b Batch, action, text string) (restored, notRestored int, err error) {
	gone, err := countGone(ctx, tx, b.ID)
	if err != nil {
		return 0, 0, err
	}
	groups, err := batchGroups(ctx, tx, b)
	if err != nil {
		return 0, 0, err
	}
	restored, err = restoreTx(ctx, tx, workspaceID, actor, batchLeads(b), groups, b.ID, action, text)
	if err != nil {
		return 0, 0, err
	}
	if restored == 0 {
		if gone > 0 {
			return 0, 0, &Error{Code: EGone, Message: goneMessage(gone)}
		}
		return 0, 0, &Error{Code: EConflict, Message: "Nothing of this deletion is in the Trash any more: it was restored already"}
	}
	return restored, gone, nil
}

func goneMessage(n int) string {
	if n == 1 {
		return "This lead was permanently deleted and cannot come back"
	}
	return fmt.Sprintf("These %d leads were permanently deleted and cannot come back", n)
}

// batchGroups is the batch's leads still in the Trash, counted as groupLeads counts
// them: while all of them are still there (an undo), the counts its deletion kept;
// else one scan of those left.
func batchGroups(ctx context.Context, tx *Tx, b Batch) (leadGroups, error) {
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM trashed WHERE workspace_id = ? AND deleted_at = ? AND batch_id = ?`,
		b.WorkspaceID, b.CreatedAt.UnixMilli(), b.ID).Scan(&left); err != nil {
		return nil, err
	}
	if left == b.Count {
		kept, err := scanGroups(ctx, tx, `SELECT pool_id, status, contact, n FROM batch_counts WHERE batch_id = ?`, b.ID)
		if err != nil || kept.total() == left {
			return kept, err
		}
	}
	return groupLeads(ctx, tx, batchLeads(b))
}

// restoreTx makes the trashed leads of the set active again, exactly as they were,
// with an entry in their timelines and one audit row; it returns how many it
// restored. groups are the set counted by groupLeads, or nil to count it here.
func restoreTx(ctx context.Context, tx *Tx, workspaceID string, actor Actor, ls leadSet, groups leadGroups, batchID, action, text string) (int, error) {
	var err error
	if groups == nil {
		if groups, err = groupLeads(ctx, tx, ls); err != nil {
			return 0, err
		}
	}
	n := groups.total()
	if n == 0 {
		return 0, nil
	}
	first := ""
	if n == 1 {
		if err := tx.QueryRowContext(ctx, `SELECT id FROM `+ls.from+` WHERE `+ls.where, ls.args...).Scan(&first); err != nil {
			return 0, err
		}
	}
	if err := setActivity(ctx, tx, workspaceID, ls, actor, "restored", text); err != nil {
		return 0, err
	}
	if err := liftSpamSuppressions(ctx, tx, workspaceID, ls); err != nil {
		return 0, err
	}
	if err := groups.count(ctx, tx, workspaceID, +1, -1); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM trashed WHERE seq IN (SELECT seq FROM `+ls.from+` WHERE `+ls.where+`)`, ls.args...); err != nil {
		return 0, fmt.Errorf("store: restore: %w", err)
	}
	return n, audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: action, batchID: batchID,
		leadID: first, count: n})
}

// liftSpamSuppressions lifts the suppressions of the spam markings that put the
// set's leads in the Trash: a lead that comes back was not spam after all.
func liftSpamSuppressions(ctx context.Context, tx *Tx, workspaceID string, ls leadSet) error {
	var some bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM suppressions WHERE workspace_id = ? AND why = 'spam')`,
		workspaceID).Scan(&some); err != nil || !some {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM suppressions WHERE workspace_id = ? AND why = 'spam' AND batch_id IN
		(SELECT batch_id FROM `+ls.from+` WHERE `+ls.where+` AND delete_reason = 'spam')`, append([]any{workspaceID}, ls.args...)...)
	return err
}

// countGone is how many leads of the batch were purged (their tombstones name it).
func countGone(ctx context.Context, tx *Tx, batchID string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tombstones WHERE batch_id = ?`, batchID).Scan(&n)
	return n, err
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
