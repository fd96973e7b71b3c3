package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// StatsDays is the period of /stats: today and the days before it, in the
// workspace's time zone.
const StatsDays = 30

// eventCountsKept is how long event counts are kept: StatsDays, and as much again in
// case the period ever grows. The retention run deletes older ones.
const eventCountsKept = 2 * StatsDays * 24 * time.Hour

// slotMs is the width of event_counts' time slots: a quarter hour lies inside one
// local day in every time zone, whatever the zone and its changes.
const slotMs = 15 * 60 * 1000

// countedActions are the audited actions that event_counts counts as they are
// written, and the event each counts as (purges are counted per tombstone, in
// purgeRows). A spam marking is a deletion.
var countedActions = map[string]string{"delete": "delete", "spam": "delete", "undo": "undo", "restore": "restore"}

// countEvent adds leads (and actions audited actions) to the counter of the event,
// the actor and the current quarter hour, in the transaction of the event.
func countEvent(ctx context.Context, tx *Tx, workspaceID, event, actorID string, leads, actions int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO event_counts (workspace_id, event, slot, actor_id, leads, actions)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, event, slot, actor_id) DO UPDATE
		SET leads = leads + excluded.leads, actions = actions + excluded.actions`,
		workspaceID, event, tx.nowMs()/slotMs, actorID, leads, actions)
	if err != nil {
		return fmt.Errorf("store: count %s: %w", event, err)
	}
	return nil
}

// Stats is what /stats shows of a workspace: its leads now, from the counters, and
// what happened to them in the period.
type Stats struct {
	// From is the start of the period, local midnight StatsDays-1 days before To's
	// day; To is the moment the stats were read.
	From, To time.Time
	// Location is the workspace's time zone, in which the days are counted.
	Location *time.Location

	Active  int // active leads; trashed leads never count here
	Trashed int // leads in the Trash
	// Purged and Erased are leads deleted for good in the period: by the retention
	// purge or by hand, and by a GDPR erasure.
	Purged, Erased int
	// NoContact are active leads with neither an e-mail nor a phone; NoValidPhone
	// are active leads without a valid phone (NoContact among them).
	NoContact, NoValidPhone int

	ByStatus []StatusCount // every status, in the order of the process
	ByPool   []PoolCount   // every pool, by name
	// Days are the period's days, oldest first: leads deleted and restored on each
	// (an undo counts as a restore).
	Days []DayCount
	// TopDeleters are who deleted the most leads in the period, most first.
	TopDeleters []Deleter
}

// StatusCount is how many leads of one status are active and in the Trash.
type StatusCount struct {
	Status          Status
	Active, Trashed int
}

// PoolCount is how many leads of one pool are active and in the Trash.
type PoolCount struct {
	Pool            Pool
	Active, Trashed int
}

// DayCount is what happened on one local day.
type DayCount struct {
	Day               time.Time // local midnight
	Deleted, Restored int
}

// Deleter is a user or an API key and what they deleted in the period.
type Deleter struct {
	ActorID string
	Kind    string // "user" or "key" ("system" for anything else)
	Name    string
	// Leads is how many leads they deleted, in Deletions deletions (batches).
	Leads, Deletions int
}

// MaxTopDeleters is how many deleters Stats returns.
const MaxTopDeleters = 5

// Stats reads the workspace's stats at now: counts from the counters the store keeps
// (lead_counts, event_counts), so that it reads a few hundred rows however many leads
// and actions there are, in one read transaction so that the numbers agree.
func (s *Store) Stats(ctx context.Context, ws Workspace, now time.Time) (Stats, error) {
	loc, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	first := time.Date(local.Year(), local.Month(), local.Day()-(StatsDays-1), 0, 0, 0, 0, loc)
	st := Stats{From: first, To: now, Location: loc}

	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, err
	}
	defer tx.Rollback()

	// Leads by status and contact: the totals, the contact counts and the statuses.
	byStatus := map[Status]*StatusCount{}
	for _, status := range Statuses {
		st.ByStatus = append(st.ByStatus, StatusCount{Status: status})
	}
	for i := range st.ByStatus {
		byStatus[st.ByStatus[i].Status] = &st.ByStatus[i]
	}
	err = eachRow(ctx, tx, `SELECT status, contact, SUM(active), SUM(trashed) FROM lead_counts
		WHERE workspace_id = ? GROUP BY status, contact`, []any{ws.ID}, func(rows *sql.Rows) error {
		var status, contact string
		var active, trashed int
		if err := rows.Scan(&status, &contact, &active, &trashed); err != nil {
			return err
		}
		st.Active += active
		st.Trashed += trashed
		switch contact {
		case "none":
			st.NoContact += active
			st.NoValidPhone += active
		case "nophone":
			st.NoValidPhone += active
		}
		if c := byStatus[Status(status)]; c != nil {
			c.Active += active
			c.Trashed += trashed
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("store: stats by status: %w", err)
	}

	err = eachRow(ctx, tx, `SELECT p.id, p.name, p.is_default, COALESCE(SUM(c.active), 0), COALESCE(SUM(c.trashed), 0)
		FROM pools p LEFT JOIN lead_counts c ON c.workspace_id = p.workspace_id AND c.pool_id = p.id
		WHERE p.workspace_id = ? GROUP BY p.id, p.name, p.is_default ORDER BY p.name, p.id`, []any{ws.ID},
		func(rows *sql.Rows) error {
			pc := PoolCount{Pool: Pool{WorkspaceID: ws.ID}}
			err := rows.Scan(&pc.Pool.ID, &pc.Pool.Name, &pc.Pool.IsDefault, &pc.Active, &pc.Trashed)
			st.ByPool = append(st.ByPool, pc)
			return err
		})
	if err != nil {
		return st, fmt.Errorf("store: stats by pool: %w", err)
	}

	// The period's events, by local day.
	for i := range StatsDays {
		st.Days = append(st.Days, DayCount{Day: time.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, loc)})
	}
	dayOf := func(slot int64) int {
		t := time.UnixMilli(slot * slotMs).In(loc)
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		for i := range st.Days { // 30 days: a scan is as quick as arithmetic that minds DST
			if st.Days[i].Day.Equal(d) {
				return i
			}
		}
		return -1
	}
	fromSlot, toSlot := first.UnixMilli()/slotMs, now.UnixMilli()/slotMs
	err = eachRow(ctx, tx, `SELECT event, slot, SUM(leads) FROM event_counts
		WHERE workspace_id = ? AND event IN ('delete', 'undo', 'restore', 'purge.retention', 'purge.manual', 'purge.erasure')
		AND slot BETWEEN ? AND ? GROUP BY event, slot`, []any{ws.ID, fromSlot, toSlot}, func(rows *sql.Rows) error {
		var event string
		var slot int64
		var n int
		if err := rows.Scan(&event, &slot, &n); err != nil {
			return err
		}
		switch event {
		case "purge.retention", "purge.manual":
			st.Purged += n
		case "purge.erasure":
			st.Erased += n
		default:
			i := dayOf(slot)
			if i < 0 {
				return nil
			}
			if event == "delete" {
				st.Days[i].Deleted += n
			} else {
				st.Days[i].Restored += n
			}
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("store: stats per day: %w", err)
	}

	err = eachRow(ctx, tx, `SELECT actor_id, `+fmt.Sprintf(actorName, "actor_id")+`, leads, deletions FROM (
			SELECT actor_id, SUM(leads) AS leads, SUM(actions) AS deletions FROM event_counts
			WHERE workspace_id = ? AND event = 'delete' AND slot BETWEEN ? AND ? GROUP BY actor_id)
		WHERE leads > 0 ORDER BY leads DESC, actor_id LIMIT ?`, []any{ws.ID, fromSlot, toSlot, MaxTopDeleters},
		func(rows *sql.Rows) error {
			var d Deleter
			if err := rows.Scan(&d.ActorID, &d.Name, &d.Leads, &d.Deletions); err != nil {
				return err
			}
			switch {
			case strings.HasPrefix(d.ActorID, prefixUser):
				d.Kind = "user"
			case strings.HasPrefix(d.ActorID, prefixKey):
				d.Kind = "key"
			default:
				d.Kind = "system"
			}
			st.TopDeleters = append(st.TopDeleters, d)
			return nil
		})
	if err != nil {
		return st, fmt.Errorf("store: top deleters: %w", err)
	}
	return st, nil
}
