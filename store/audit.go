package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// auditEntry is one row for the append-only audit log. Nothing updates or deletes
// audit rows but an erasure's redaction of a person's details.
type auditEntry struct {
	workspaceID string
	actor       Actor
	action      string // delete, undo, restore, purge, …
	leadID      string
	batchID     string
	count       int
	reason      string
	details     string
}

func audit(ctx context.Context, tx *Tx, e auditEntry) error {
	kind := e.actor.Kind
	if kind == "" {
		kind = "system"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, workspace_id, actor_kind, actor_id, action, lead_id, batch_id, count, reason, details)
		VALUES (?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?, ?, ?)`,
		tx.nowMs(), e.workspaceID, kind, e.actor.ID, e.action, e.leadID, e.batchID, e.count, e.reason, e.details)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	if event, ok := countedActions[e.action]; ok {
		return countEvent(ctx, tx, e.workspaceID, event, e.actor.ID, e.count, 1)
	}
	return nil
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID        int64
	At        time.Time
	ActorKind string
	ActorID   string
	ActorName string
	Action    string
	LeadID    string
	BatchID   string
	Count     int
	Reason    string
	Details   string
}

// AuditActions are the actions the audit log records so far.
var AuditActions = []string{"delete", "spam", "undo", "restore", "purge", "hold", "release", "erase",
	"suppression.add", "suppression.lift", "settings", "user.add", "user.role", "user.deactivate",
	"user.reactivate", "operator.enter", "key.add", "key.revoke", "import"}

// AuditFilter narrows the audit log; zero fields do not filter.
type AuditFilter struct {
	ActorID string
	Action  string
	LeadID  string
	From    time.Time // inclusive
	To      time.Time // exclusive
	Cursor  string
	Limit   int
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Entries    []AuditEntry
	Next, Prev string
}

// ListAudit returns a page of the workspace's audit log, newest first.
func (s *Store) ListAudit(ctx context.Context, workspaceID string, f AuditFilter) (AuditPage, error) {
	var page AuditPage
	v := Invalid{}
	if f.Action != "" && !contains(AuditActions, f.Action) {
		v.Add("action", "must be one of "+strings.Join(AuditActions, ", "))
	}
	if f.LeadID != "" && !ValidLeadID(f.LeadID) {
		v.Add("lead", "is not a lead id (lead_ and 16 hex digits)")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		v.Add("to", "must be after from")
	}
	if f.Limit <= 0 || f.Limit > MaxPageSize {
		f.Limit = DefaultPageSize
	}
	if err := v.Err(); err != nil {
		return page, err
	}
	cur, err := decodeCursor(f.Cursor, "audit")
	if err != nil {
		return page, err
	}
	where := []string{"a.workspace_id = ?"}
	args := []any{workspaceID}
	for _, c := range []struct {
		cond string
		val  string
	}{{"a.actor_id = ?", f.ActorID}, {"a.action = ?", f.Action}, {"a.lead_id = ?", f.LeadID}} {
		if c.val != "" {
			where, args = append(where, c.cond), append(args, c.val)
		}
	}
	if !f.From.IsZero() {
		where, args = append(where, "a.at >= ?"), append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		where, args = append(where, "a.at < ?"), append(args, f.To.UnixMilli())
	}
	before := cur != nil && cur.Before
	order := "a.at DESC, a.id DESC"
	if cur != nil {
		cmp := "<"
		if before {
			cmp, order = ">", "a.at ASC, a.id ASC"
		}
		where, args = append(where, "(a.at, a.id) "+cmp+" (?, ?)"), append(args, cur.Created, cur.Seq)
	}
	err = eachRow(ctx, s.read, `SELECT a.id, a.at, a.actor_kind, a.actor_id, `+fmt.Sprintf(actorName, "a.actor_id")+`,
		a.action, COALESCE(a.lead_id, ''), COALESCE(a.batch_id, ''), a.count, a.reason, a.details
		FROM audit a WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+fmt.Sprintf(" LIMIT %d", f.Limit+1), args,
		func(rows *sql.Rows) error {
			var e AuditEntry
			var at int64
			err := rows.Scan(&e.ID, &at, &e.ActorKind, &e.ActorID, &e.ActorName, &e.Action, &e.LeadID, &e.BatchID, &e.Count, &e.Reason, &e.Details)
			e.At = time.UnixMilli(at).UTC()
			page.Entries = append(page.Entries, e)
			return err
		})
	if err != nil {
		return page, fmt.Errorf("store: list audit: %w", err)
	}
	more := len(page.Entries) > f.Limit
	if more {
		page.Entries = page.Entries[:f.Limit]
	}
	if before {
		reverse(page.Entries)
	}
	at := func(e AuditEntry, before bool) string {
		return cursor{Kind: "audit", Before: before, Created: e.At.UnixMilli(), Seq: e.ID}.encode()
	}
	if n := len(page.Entries); n > 0 {
		if more || before {
			page.Next = at(page.Entries[n-1], false)
		}
		if (before && more) || (!before && cur != nil) {
			page.Prev = at(page.Entries[0], true)
		}
	}
	return page, nil
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}
