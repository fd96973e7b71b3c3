package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Note is a remark someone left on a lead.
type Note struct {
	ID         string
	AuthorName string
	Body       string
	CreatedAt  time.Time
}

// Task is a to-do attached to a lead.
type Task struct {
	ID        string
	Title     string
	DueAt     *time.Time
	Done      bool
	CreatedAt time.Time
}

// Activity is one entry of a lead's timeline.
type Activity struct {
	At        time.Time
	ActorName string
	Kind      string
	Text      string
}

// LeadDetail is a lead with everything that belongs to it.
type LeadDetail struct {
	Lead     Lead
	Notes    []Note
	Tasks    []Task
	Activity []Activity
}

// actorName resolves an actor id (a user or an API key) to a display name; "" is the system.
const actorName = `COALESCE((SELECT name FROM users WHERE id = %[1]s),
	(SELECT 'key ''' || name || '''' FROM api_keys WHERE id = %[1]s), CASE %[1]s WHEN '' THEN 'Leadkeep' ELSE %[1]s END)`

// LeadDetail returns the workspace's lead with its notes (newest first), tasks and
// activity (newest first), in one read transaction so that the parts agree.
func (s *Store) LeadDetail(ctx context.Context, workspaceID, id string) (LeadDetail, error) {
	var d LeadDetail
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return d, err
	}
	defer tx.Rollback()
	if d.Lead, err = getLead(ctx, tx, workspaceID, id); err != nil {
		return d, err
	}
	if d.Lead.Tags, err = leadTags(ctx, tx, id); err != nil {
		return d, err
	}
	err = eachRow(ctx, tx, `SELECT id, `+fmt.Sprintf(actorName, "author_id")+`, body, created_at FROM notes
		WHERE lead_id = ? ORDER BY created_at DESC, id`, []any{id}, func(rows *sql.Rows) error {
		var n Note
		var at int64
		err := rows.Scan(&n.ID, &n.AuthorName, &n.Body, &at)
		n.CreatedAt = time.UnixMilli(at).UTC()
		d.Notes = append(d.Notes, n)
		return err
	})
	if err != nil {
		return d, err
	}
	err = eachRow(ctx, tx, `SELECT id, title, due_at, done_at IS NOT NULL, created_at FROM tasks
		WHERE lead_id = ? ORDER BY done_at IS NOT NULL, due_at IS NULL, due_at, created_at`, []any{id}, func(rows *sql.Rows) error {
		var t Task
		var due sql.NullInt64
		var at int64
		err := rows.Scan(&t.ID, &t.Title, &due, &t.Done, &at)
		if due.Valid {
			d := time.UnixMilli(due.Int64).UTC()
			t.DueAt = &d
		}
		t.CreatedAt = time.UnixMilli(at).UTC()
		d.Tasks = append(d.Tasks, t)
		return err
	})
	if err != nil {
		return d, err
	}
	err = eachRow(ctx, tx, `SELECT at, `+fmt.Sprintf(actorName, "actor_id")+`, kind, text FROM activity
		WHERE lead_id = ? ORDER BY at DESC, bulk DESC, id DESC LIMIT 200`, []any{id}, func(rows *sql.Rows) error {
		var a Activity
		var at int64
		err := rows.Scan(&at, &a.ActorName, &a.Kind, &a.Text)
		a.At = time.UnixMilli(at).UTC()
		d.Activity = append(d.Activity, a)
		return err
	})
	return d, err
}

func eachRow(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AddNote adds a note to the workspace's active lead.
func (s *Store) AddNote(ctx context.Context, workspaceID string, actor Actor, leadID, body string) (Note, error) {
	body = strings.TrimSpace(body)
	v := Invalid{}
	switch n := len([]rune(body)); {
	case n == 0:
		v.Add("body", "is required")
	case n > maxNoteLen:
		v.Add("body", fmt.Sprintf("must be at most %d characters", maxNoteLen))
	}
	if err := v.Err(); err != nil {
		return Note{}, err
	}
	n := Note{ID: newID(prefixNote), AuthorName: actor.Name, Body: body}
	err := s.inTx(ctx, func(tx *Tx) error {
		l, err := getLead(ctx, tx, workspaceID, leadID)
		if err != nil {
			return err
		}
		if l.InTrash() {
			return Errorf(EConflict, "This lead is in the Trash; restore it before adding notes")
		}
		n.CreatedAt = tx.now
		if _, err := tx.ExecContext(ctx, `INSERT INTO notes (id, lead_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)`,
			n.ID, leadID, actor.ID, body, tx.nowMs()); err != nil {
			return err
		}
		return addActivity(ctx, tx, leadID, actor, "note", "Added a note")
	})
	return n, err
}
