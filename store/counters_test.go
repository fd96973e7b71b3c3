package store

// Tests of the counters behind /stats that need the package's insides: the contact
// expression, migration 0007 filling the counters from rows written before it, and
// erasures (which have no public method yet) counted apart from purges.

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// contactCases are e-mail and phone values as the leads table may hold them, and
// how each lead can be reached.
var contactCases = []struct{ email, phone, want string }{
	{"ada@engines.example", "+14155550142", "ok"},
	{"", "+442079460123", "ok"},
	{"", "", "none"},
	{"ada@engines.example", "", "nophone"},
	// Kept as given (an import may keep what did not parse): not a valid phone.
	{"", "555-0100 ext 2", "nophone"},
	{"", "+1 415 555 0142", "nophone"},
	{"", "+0123456789", "nophone"},
	{"", "+123456", "nophone"},
	{"", "+1234567890123456", "nophone"},
	{"ada@engines.example", "call me", "nophone"},
}

func TestContactOfSaysHowALeadCanBeReached(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "leadkeep.db"))
	defer s.Close()
	for _, c := range contactCases {
		var got string
		if err := s.read.QueryRow(`SELECT `+contactOf+` FROM (SELECT ? AS email, ? AS phone)`, c.email, c.phone).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("e-mail %q, phone %q: contact %q, want %q", c.email, c.phone, got, c.want)
		}
	}
}

func TestTheMigrationFillsTheCountersWithTheStoresExpression(t *testing.T) {
	body, err := migrations.ReadFile("migrations/0007_stats_counters.sql")
	if err != nil {
		t.Fatal(err)
	}
	squash := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if !strings.Contains(squash(string(body)), squash(contactOf)) {
		t.Errorf("migration 0007 does not fill lead_counts with contactOf:\n%s", squash(contactOf))
	}

	// Rows written as by the store before 0007 (no counters of contact, no event
	// counters), then the migration applied again to them.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leadkeep.db")
	s := openFile(t, path)
	ws, err := s.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	pools, err := s.Pools(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC).UnixMilli()
	want := map[string]string{}
	type ab struct{ active, trashed int }
	wantCounts := map[string]ab{}
	err = s.inTx(ctx, func(tx *Tx) error {
		for i, c := range contactCases {
			var deleted any
			status := Statuses[i%len(Statuses)]
			k := pools[0].ID + "|" + string(status) + "|" + c.want
			n := wantCounts[k]
			if i%3 == 0 {
				deleted = day
				n.trashed++
			} else {
				n.active++
			}
			wantCounts[k] = n
			if _, err := tx.ExecContext(ctx, `INSERT INTO leads (id, workspace_id, pool_id, name, email, phone, status, created_at, updated_at, deleted_at)
				VALUES (?, ?, ?, 'Raw', ?, ?, ?, ?, ?, ?)`, newID(prefixLead), ws.ID, pools[0].ID, c.email, c.phone, string(status), day, day, deleted); err != nil {
				return err
			}
		}
		for _, a := range []struct {
			action, actor string
			at            int64
			count         int
		}{
			{"delete", "usr_a", day, 3}, {"delete", "usr_a", day + 60_000, 2}, {"undo", "usr_a", day + 70_000, 2},
			{"restore", "key_b", day + 3_600_000, 1}, {"purge", "", day, 9}, {"settings", "usr_a", day, 0},
		} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit (at, workspace_id, actor_kind, actor_id, action, count) VALUES (?, ?, 'user', ?, ?, ?)`,
				a.at, ws.ID, a.actor, a.action, a.count); err != nil {
				return err
			}
		}
		for i, how := range []string{"retention", "retention", "manual", "erasure"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO tombstones (lead_id, workspace_id, purged_at, how, by_actor) VALUES (?, ?, ?, ?, ?)`,
				newID(prefixLead), ws.ID, day+int64(i), how, map[bool]string{true: "", false: "usr_a"}[how == "retention"]); err != nil {
				return err
			}
		}
		// As 0006 left the database.
		for _, q := range []string{`DROP TABLE event_counts`, `DROP TABLE lead_counts`, `CREATE TABLE lead_counts (
			workspace_id TEXT NOT NULL REFERENCES workspaces(id), pool_id TEXT NOT NULL REFERENCES pools(id), status TEXT NOT NULL,
			active INTEGER NOT NULL DEFAULT 0, trashed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (workspace_id, pool_id, status)) WITHOUT ROWID`,
			`DELETE FROM schema_migrations WHERE version = 7`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openFile(t, path)
	defer s.Close()
	for k, n := range wantCounts {
		want[k] = fmt.Sprintf("%d|%d", n.active, n.trashed)
	}
	got := map[string]string{}
	err = eachRow(ctx, s.read, `SELECT pool_id || '|' || status || '|' || contact, active || '|' || trashed FROM lead_counts WHERE workspace_id = ?`,
		[]any{ws.ID}, func(rows *sql.Rows) error {
			var k, v string
			err := rows.Scan(&k, &v)
			got[k] = v
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		t.Errorf("lead_counts after the migration = %v, want %v", got, want)
	}

	slot := day / slotMs
	wantEvents := map[string]string{
		fmt.Sprintf("delete|%d|usr_a", slot):        "5|2",
		fmt.Sprintf("undo|%d|usr_a", slot):          "2|1",
		fmt.Sprintf("restore|%d|key_b", slot+4):     "1|1",
		fmt.Sprintf("purge.retention|%d|", slot):    "2|0",
		fmt.Sprintf("purge.manual|%d|usr_a", slot):  "1|0",
		fmt.Sprintf("purge.erasure|%d|usr_a", slot): "1|0",
	}
	gotEvents := map[string]string{}
	rows, err := s.read.Query(`SELECT event || '|' || slot || '|' || actor_id, leads || '|' || actions FROM event_counts WHERE workspace_id = ?`, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		gotEvents[k] = v
	}
	if !maps.Equal(gotEvents, wantEvents) {
		t.Errorf("event_counts after the migration = %v, want %v", gotEvents, wantEvents)
	}
}

func TestAnErasureCountsAsErasedNotPurged(t *testing.T) {
	ctx := context.Background()
	s := openFile(t, filepath.Join(t.TempDir(), "leadkeep.db"))
	defer s.Close()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	ws, err := s.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, NewUser{WorkspaceID: ws.ID, Email: "olu@acme.example", Name: "Olu Operator", Role: "admin",
		Operator: true, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	operator := UserActor(u)
	var ids []string
	for _, name := range []string{"Erased Person", "Purged Person"} {
		l, err := s.CreateLead(ctx, ws, operator, LeadInput{Name: ptrTo(name), Email: ptrTo("p@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	if _, err := s.DeleteLeads(ctx, ws, operator, DeleteRequest{IDs: ids, Reason: "gdpr_request"}); err != nil {
		t.Fatal(err)
	}
	// An erasure is a purge with its own "how" (DESIGN.md): purgeRows is where it lands.
	err = s.inTx(ctx, func(tx *Tx) error {
		_, err := s.purgeRows(ctx, tx, ws.ID, operator, idLeads(ws.ID, ids[:1]), "erasure")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PurgeLeads(ctx, ws.ID, operator, ids[1:]); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx, ws, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Erased != 1 || st.Purged != 1 || st.Active != 0 || st.Trashed != 0 {
		t.Errorf("erased %d, purged %d, active %d, trashed %d; want 1, 1, 0, 0", st.Erased, st.Purged, st.Active, st.Trashed)
	}
}
