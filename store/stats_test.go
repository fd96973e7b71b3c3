package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"leadkeep/store"
)

// Tests of /stats' numbers: a known dataset counted by hand, local days, and the
// maintained counters against brute-force counts of the rows after a random mix of
// every change the store makes. Helpers are prefixed "st".

// bruteContact is how a lead can be reached, worked out in Go from its e-mail and
// phone (a valid phone is one that libphonenumber gives back unchanged in E.164),
// apart from the SQL the store counts with.
func bruteContact(email, phone string) string {
	if phone != "" {
		if e164, err := store.NormalizePhone(phone, "US"); err == nil && e164 == phone {
			return "ok"
		}
	}
	if email == "" && phone == "" {
		return "none"
	}
	return "nophone"
}

// bruteCounts counts the workspace's leads row by row: "active|trashed" by
// "pool|status|contact".
func bruteCounts(t testing.TB, db *sql.DB, wsID string) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT pool_id, status, email, phone, deleted_at IS NOT NULL FROM leads WHERE workspace_id = ?`, wsID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type ab struct{ active, trashed int }
	counts := map[string]ab{}
	for rows.Next() {
		var pool, status, email, phone string
		var trashed bool
		if err := rows.Scan(&pool, &status, &email, &phone, &trashed); err != nil {
			t.Fatal(err)
		}
		k := pool + "|" + status + "|" + bruteContact(email, phone)
		c := counts[k]
		if trashed {
			c.trashed++
		} else {
			c.active++
		}
		counts[k] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, c := range counts {
		out[k] = fmt.Sprintf("%d|%d", c.active, c.trashed)
	}
	return out
}

// bruteEvents counts the events of the workspace from the audit log and the
// tombstones, as "leads|actions" by "event|quarter hour|actor".
func (e *lcEnv) bruteEvents(t testing.TB, wsID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range e.rows(t, `SELECT action, at / 900000, actor_id, SUM(count), count(*) FROM audit
		WHERE workspace_id = ? AND action IN ('delete', 'undo', 'restore') GROUP BY 1, 2, 3`, wsID) {
		p := strings.SplitN(r, "|", 4)
		out[strings.Join(p[:3], "|")] = p[3]
	}
	for _, r := range e.rows(t, `SELECT 'purge.' || how, purged_at / 900000, by_actor, count(*), 0 FROM tombstones
		WHERE workspace_id = ? GROUP BY 1, 2, 3`, wsID) {
		p := strings.SplitN(r, "|", 4)
		out[strings.Join(p[:3], "|")] = p[3]
	}
	return out
}

// keptEvents is event_counts of the workspace, in bruteEvents' shape.
func (e *lcEnv) keptEvents(t testing.TB, wsID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range e.rows(t, `SELECT event, slot, actor_id, leads, actions FROM event_counts WHERE workspace_id = ?`, wsID) {
		p := strings.SplitN(r, "|", 4)
		out[strings.Join(p[:3], "|")] = p[3]
	}
	return out
}

// stats reads the workspace's stats at the test clock's now.
func (e *lcEnv) stats(t testing.TB, ws store.Workspace) store.Stats {
	t.Helper()
	st, err := e.s.Stats(context.Background(), ws, e.clock.t)
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	return st
}

// stDays is the days of the stats with something on them, "2006-01-02" → "deleted|restored".
func stDays(st store.Stats) map[string]string {
	out := map[string]string{}
	for _, d := range st.Days {
		if d.Deleted != 0 || d.Restored != 0 {
			out[d.Day.Format("2006-01-02")] = fmt.Sprintf("%d|%d", d.Deleted, d.Restored)
		}
	}
	return out
}

func (e *lcEnv) at(t testing.TB, when string) {
	t.Helper()
	at, err := time.Parse("2006-01-02 15:04", when)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.t = at
}

func TestStatsCountAKnownDataset(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	key, _, err := e.s.CreateAPIKey(ctx, e.ws.ID, e.dana, "Zapier sync", "manager")
	if err != nil {
		t.Fatal(err)
	}
	zapier := key.Actor()
	def, inbound := e.pools[0], e.pools[1] // Default, Inbound; Partners stays empty

	e.at(t, "2026-09-20 10:00")
	mk := func(name, email, phone string, pool store.Pool, status store.Status) store.Lead {
		return mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr(name), Email: ptr(email), Phone: ptr(phone),
			PoolID: ptr(pool.ID), Status: ptr(string(status))})
	}
	l1 := mk("Lead One", "one@acme.example", "+1 415 555 0101", def, store.StatusNew)        // ok → loses its phone: nophone
	l2 := mk("Lead Two", "two@acme.example", "", inbound, store.StatusContacted)             // nophone → loses its e-mail: none
	l3 := mk("Lead Three", "", "", inbound, store.StatusWon)                                 // none
	l4 := mk("Lead Four", "", "+44 20 7946 0104", def, store.StatusNew)                      // ok → moves to Inbound, won
	l5 := mk("Lead Five", "five@acme.example", "", def, store.StatusLost)                    // purged by retention
	l6 := mk("Lead Six", "", "", def, store.StatusLost)                                      // purged by retention
	l7 := mk("Lead Seven", "", "+1 415 555 0107", def, store.StatusNew)                      // purged by hand
	l8 := mk("Lead Eight", "", "", def, store.StatusLost)                                    // stays in the Trash
	l9 := mk("Lead Nine", "nine@acme.example", "", inbound, store.StatusQualified)           // deleted and restored long ago
	l10 := mk("Lead Ten", "ten@acme.example", "+1 415 555 0110", def, store.StatusQualified) // purged long ago
	// Another workspace's deletions never count here.
	foreign := e.otherLead(t)

	// Before the period (it starts on Oct 4): a deletion, its restore, a purge.
	e.del(t, e.dana, "", l9.ID)
	b10 := e.del(t, e.dana, "", l10.ID)
	e.at(t, "2026-09-21 10:00")
	if _, err := e.s.RestoreLeads(ctx, e.ws.ID, e.sam, []string{l9.ID}, ""); err != nil {
		t.Fatal(err)
	}
	e.at(t, "2026-09-22 10:00")
	if _, err := e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b10.ID); err != nil {
		t.Fatal(err)
	}

	// In the period.
	e.at(t, "2026-10-21 10:00")
	b1 := e.del(t, e.dana, "duplicate", l1.ID, l2.ID, l3.ID)
	e.clock.advance(5 * time.Second)
	if _, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, b1.ID); err != nil {
		t.Fatal(err)
	}
	e.at(t, "2026-10-25 12:00")
	if _, err := e.s.DeleteLeads(ctx, e.ws, zapier, store.DeleteRequest{IDs: []string{l4.ID, l5.ID}, Reason: "outdated"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.DeleteLeads(ctx, e.other, e.olga, store.DeleteRequest{IDs: []string{foreign.ID}}); err != nil {
		t.Fatal(err)
	}
	e.at(t, "2026-10-28 15:00")
	e.del(t, e.dana, "", l6.ID)
	e.at(t, "2026-10-30 09:00")
	if _, err := e.s.RestoreLeads(ctx, e.ws.ID, e.sam, []string{l4.ID}, ""); err != nil {
		t.Fatal(err)
	}
	for _, edit := range []struct {
		id string
		in store.LeadInput
	}{
		{l1.ID, store.LeadInput{Phone: ptr("")}},
		{l2.ID, store.LeadInput{Email: ptr("")}},
		{l4.ID, store.LeadInput{PoolID: ptr(inbound.ID), Status: ptr("won")}},
	} {
		if _, err := e.s.UpdateLead(ctx, e.ws, e.dana, edit.id, edit.in); err != nil {
			t.Fatal(err)
		}
	}
	e.at(t, "2026-11-01 08:00")
	e.del(t, e.dana, "invalid", l7.ID, l8.ID)
	e.at(t, "2026-11-01 09:00")
	if _, err := e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{l7.ID}); err != nil {
		t.Fatal(err)
	}
	e.at(t, "2026-11-02 09:00")
	ws, err := e.s.UpdateSettings(ctx, e.ws.ID, e.dana, store.Settings{RetentionDays: 3, PurgeHour: 2, Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PurgeDue(ctx, "test", false); err != nil { // Oct 25 and Oct 28's leads; Nov 1's stays
		t.Fatal(err)
	}
	e.at(t, "2026-11-02 10:00")

	st := e.stats(t, ws)
	got := map[string]int{"active": st.Active, "trashed": st.Trashed, "purged": st.Purged, "erased": st.Erased,
		"no contact": st.NoContact, "no valid phone": st.NoValidPhone}
	want := map[string]int{"active": 5, "trashed": 1, "purged": 3, "erased": 0, "no contact": 2, "no valid phone": 4}
	if !maps.Equal(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
	var statuses []string
	for _, c := range st.ByStatus {
		statuses = append(statuses, fmt.Sprintf("%s %d/%d", c.Status, c.Active, c.Trashed))
	}
	if g, w := strings.Join(statuses, ", "), "new 1/0, contacted 1/0, qualified 1/0, won 2/0, lost 0/1"; g != w {
		t.Errorf("by status (active/trashed) = %s, want %s", g, w)
	}
	var pools []string
	for _, c := range st.ByPool {
		pools = append(pools, fmt.Sprintf("%s %d/%d", c.Pool.Name, c.Active, c.Trashed))
	}
	if g, w := strings.Join(pools, ", "), "Default 1/1, Inbound 4/0, Partners 0/0"; g != w {
		t.Errorf("by pool (active/trashed) = %s, want %s", g, w)
	}

	if len(st.Days) != store.StatsDays {
		t.Fatalf("%d days, want %d", len(st.Days), store.StatsDays)
	}
	if first, last := st.Days[0].Day.Format("2006-01-02"), st.Days[len(st.Days)-1].Day.Format("2006-01-02"); first != "2026-10-04" || last != "2026-11-02" {
		t.Errorf("days from %s to %s, want 2026-10-04 to 2026-11-02", first, last)
	}
	wantDays := map[string]string{"2026-10-21": "3|3", "2026-10-25": "2|0", "2026-10-28": "1|0", "2026-10-30": "0|1", "2026-11-01": "2|0"}
	if g := stDays(st); !maps.Equal(g, wantDays) {
		t.Errorf("days (deleted|restored) = %v, want %v (every other day zero)", g, wantDays)
	}

	var deleters []string
	for _, d := range st.TopDeleters {
		deleters = append(deleters, fmt.Sprintf("%s (%s %s): %d leads in %d", d.Name, d.Kind, d.ActorID, d.Leads, d.Deletions))
	}
	wantDeleters := []string{
		fmt.Sprintf("Dana Admin (user %s): 6 leads in 3", e.dana.ID),
		fmt.Sprintf("key 'Zapier sync' (key %s): 2 leads in 1", zapier.ID),
	}
	if strings.Join(deleters, "; ") != strings.Join(wantDeleters, "; ") {
		t.Errorf("top deleters = %q, want %q", deleters, wantDeleters)
	}

	// The other workspace sees only its own deletion.
	other := e.stats(t, e.other)
	if other.Trashed != 1 || other.Active != 0 || len(other.TopDeleters) != 1 || other.TopDeleters[0].ActorID != e.olga.ID {
		t.Errorf("the other workspace: %d active, %d trashed, deleters %+v; want 0, 1, Olga alone", other.Active, other.Trashed, other.TopDeleters)
	}
	if g := stDays(other); !maps.Equal(g, map[string]string{"2026-10-25": "1|0"}) {
		t.Errorf("the other workspace's days = %v, want one deletion on Oct 25", g)
	}
	e.checkCounters(t, "after the dataset")
}

func TestStatsDaysAreTheWorkspacesLocalDays(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	ws, err := e.s.UpdateSettings(ctx, e.ws.ID, e.dana, store.Settings{RetentionDays: 30, PurgeHour: 2, Timezone: "America/New_York"})
	if err != nil {
		t.Fatal(err)
	}
	leads := e.leads(t, 5)
	for i, when := range []string{
		"2026-10-04 03:59", // Oct 3, 23:59 in New York (EDT): the day before the period
		"2026-10-04 04:00", // Oct 4, 00:00: the period's first day
		"2026-11-01 12:00", // Nov 1, 07:00 (EST since 2:00 that morning)
		"2026-11-02 04:59", // Nov 1, 23:59
		"2026-11-02 05:00", // Nov 2, 00:00
	} {
		e.at(t, when)
		e.del(t, e.dana, "", leads[i].ID)
	}
	e.at(t, "2026-11-02 17:00")
	st := e.stats(t, ws)
	want := map[string]string{"2026-10-04": "1|0", "2026-11-01": "2|0", "2026-11-02": "1|0"}
	if g := stDays(st); !maps.Equal(g, want) {
		t.Errorf("local days (deleted|restored) = %v, want %v", g, want)
	}
	ny, _ := time.LoadLocation("America/New_York")
	for i, d := range st.Days {
		want := time.Date(2026, 10, 4+i, 0, 0, 0, 0, ny)
		if !d.Day.Equal(want) {
			t.Fatalf("day %d is %s, want %s (a local midnight a day after the one before, across the change of clocks)", i, d.Day, want)
		}
	}
	if st.From != st.Days[0].Day {
		t.Errorf("From = %s, want the first day %s", st.From, st.Days[0].Day)
	}
}

// TestCountersStayExactThroughARandomMix runs a seeded mix of every change the store
// makes to leads (create with and without e-mail and phone, edit them, delete, undo,
// restore, purge by hand and by retention) and compares, after each step, the
// maintained counters with a brute-force count of the rows, and Stats with both.
func TestCountersStayExactThroughARandomMix(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	r := testRand()
	key, _, err := e.s.CreateAPIKey(ctx, e.ws.ID, e.dana, "Sync", "manager")
	if err != nil {
		t.Fatal(err)
	}
	actors := []store.Actor{e.dana, e.sam, key.Actor()}
	emails := []string{"", "", "x@acme.example", "y@acme.example"}
	phones := []string{"", "", "+1 415 555 0142", "(415) 555-0199", "+44 20 7946 0123", "020 7946 0123"} // the last is refused (not a US number)
	contact := func() (*string, *string) { return ptr(emails[r.IntN(len(emails))]), ptr(phones[r.IntN(len(phones))]) }
	var ids []string
	var batches []string
	pick := func(n int) []string {
		var out []string
		for range n {
			out = append(out, ids[r.IntN(len(ids))])
		}
		return out
	}
	// pickTrashed mostly picks leads in the Trash, so that restores and purges
	// mostly succeed.
	pickTrashed := func(n int) []string {
		trashed := e.rows(t, `SELECT id FROM leads WHERE workspace_id = ? AND deleted_at IS NOT NULL ORDER BY id`, e.ws.ID)
		if len(trashed) == 0 || r.IntN(5) == 0 {
			return pick(n)
		}
		var out []string
		for range n {
			out = append(out, trashed[r.IntN(len(trashed))])
		}
		return out
	}
	ws := e.ws
	steps := map[string]int{}
	for step := range 300 {
		e.clock.advance(time.Duration(r.IntN(6*3600)) * time.Second)
		actor := actors[r.IntN(len(actors))]
		var op string
		var err error
		switch k := r.IntN(100); {
		case k < 20 || len(ids) < 5:
			op = "create"
			email, phone := contact()
			e.n++
			var l store.Lead
			l, err = e.s.CreateLead(ctx, ws, actor, store.LeadInput{Name: ptr(fmt.Sprintf("Mix %d", e.n)), Email: email, Phone: phone,
				PoolID: ptr(e.pools[r.IntN(len(e.pools))].ID), Status: ptr(string(store.Statuses[r.IntN(len(store.Statuses))]))})
			if err == nil {
				ids = append(ids, l.ID)
			}
		case k < 40:
			op = "edit"
			in := store.LeadInput{}
			switch r.IntN(4) {
			case 0:
				in.Email, in.Phone = contact()
			case 1:
				_, in.Phone = contact()
			case 2:
				in.Status = ptr(string(store.Statuses[r.IntN(len(store.Statuses))]))
			default:
				in.PoolID = ptr(e.pools[r.IntN(len(e.pools))].ID)
				in.Email, _ = contact()
			}
			_, err = e.s.UpdateLead(ctx, ws, actor, pick(1)[0], in)
		case k < 60:
			op = "delete"
			var b store.Batch
			b, err = e.s.DeleteLeads(ctx, ws, actor, store.DeleteRequest{IDs: pick(1 + r.IntN(3)), Reason: "duplicate"})
			if err == nil {
				batches = append(batches, b.ID)
				if r.IntN(3) == 0 {
					e.clock.advance(time.Second)
					op = "delete and undo"
					_, err = e.s.UndoBatch(ctx, ws.ID, actor, b.ID)
				}
			}
		case k < 70:
			op = "restore"
			_, err = e.s.RestoreLeads(ctx, ws.ID, actor, pickTrashed(1+r.IntN(2)), "")
		case k < 75 && len(batches) > 0:
			op = "restore batch"
			// Mostly a batch that still has leads in the Trash, so that some succeed
			// whatever the random ids make the other steps pick.
			pickFrom := batches[len(batches)-1-r.IntN(min(3, len(batches))):]
			if live := e.rows(t, `SELECT DISTINCT batch_id FROM leads WHERE workspace_id = ? AND batch_id IS NOT NULL ORDER BY batch_id`,
				ws.ID); len(live) > 0 && r.IntN(4) != 0 {
				pickFrom = live
			}
			_, err = e.s.RestoreBatch(ctx, ws.ID, actor, pickFrom[r.IntN(len(pickFrom))])
		case k < 85:
			op = "purge"
			_, err = e.s.PurgeLeads(ctx, ws.ID, e.dana, pickTrashed(1+r.IntN(2)))
		case k < 90 && len(batches) > 0:
			op = "purge batch"
			_, err = e.s.PurgeBatch(ctx, ws.ID, e.dana, batches[len(batches)-1-r.IntN(min(3, len(batches)))])
		default:
			op = "retention purge"
			if ws, err = e.s.UpdateSettings(ctx, ws.ID, e.dana, store.Settings{RetentionDays: 2 + r.IntN(5), PurgeHour: 2, Timezone: "UTC"}); err != nil {
				t.Fatal(err)
			}
			_, err = e.s.PurgeDue(ctx, "test", false)
		}
		steps[op+map[bool]string{true: " ok", false: " refused"}[err == nil]]++
		if err != nil && store.ErrorCode(err) == "" {
			t.Fatalf("step %d, %s: %v", step, op, err)
		}

		if brute, kept := bruteCounts(t, e.db, ws.ID), stKeptCounts(t, e); !maps.Equal(brute, kept) {
			t.Fatalf("step %d, %s: lead_counts = %v, brute force %v", step, op, kept, brute)
		}
		if brute, kept := e.bruteEvents(t, ws.ID), e.keptEvents(t, ws.ID); !maps.Equal(brute, kept) {
			t.Fatalf("step %d, %s: event_counts = %v, from the audit log and tombstones %v", step, op, kept, brute)
		}
		if step%10 == 0 {
			stCheckStats(t, e, ws, fmt.Sprintf("step %d, %s", step, op))
		}
	}
	stCheckStats(t, e, ws, "after the mix")
	e.checkCounters(t, "after the mix")
	t.Logf("steps: %v", steps)
	for _, must := range []string{"create ok", "edit ok", "delete ok", "delete and undo ok", "restore ok", "restore batch ok",
		"purge ok", "purge batch ok", "retention purge ok"} {
		if steps[must] == 0 {
			t.Errorf("the mix never took a %q step; change the seed or the weights", must)
		}
	}
}

func stKeptCounts(t testing.TB, e *lcEnv) map[string]string {
	t.Helper()
	kept := map[string]string{}
	for _, r := range e.rows(t, `SELECT pool_id, status, contact, active, trashed FROM lead_counts WHERE workspace_id = ?`, e.ws.ID) {
		p := strings.SplitN(r, "|", 4)
		if p[3] != "0|0" {
			kept[p[0]+"|"+p[1]+"|"+p[2]] = p[3]
		}
	}
	return kept
}

// stCheckStats compares Stats with brute-force counts of the rows.
func stCheckStats(t testing.TB, e *lcEnv, ws store.Workspace, stage string) {
	t.Helper()
	st := e.stats(t, ws)
	from := st.From.UnixMilli()
	got := map[string]int{"active": st.Active, "trashed": st.Trashed, "no contact": st.NoContact,
		"no valid phone": st.NoValidPhone, "purged": st.Purged, "erased": st.Erased}
	want := map[string]int{
		"active":     e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ? AND deleted_at IS NULL`, ws.ID),
		"trashed":    e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ? AND deleted_at IS NOT NULL`, ws.ID),
		"purged":     e.count(t, `SELECT count(*) FROM tombstones WHERE workspace_id = ? AND how <> 'erasure' AND purged_at >= ?`, ws.ID, from),
		"erased":     e.count(t, `SELECT count(*) FROM tombstones WHERE workspace_id = ? AND how = 'erasure' AND purged_at >= ?`, ws.ID, from),
		"no contact": 0, "no valid phone": 0,
	}
	for _, r := range e.rows(t, `SELECT email, phone FROM leads WHERE workspace_id = ? AND deleted_at IS NULL`, ws.ID) {
		email, phone, _ := strings.Cut(r, "|")
		switch bruteContact(email, phone) {
		case "none":
			want["no contact"]++
			want["no valid phone"]++
		case "nophone":
			want["no valid phone"]++
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("%s: stats %v, brute force %v", stage, got, want)
	}
	for _, c := range st.ByStatus {
		a := e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ? AND status = ? AND deleted_at IS NULL`, ws.ID, string(c.Status))
		tr := e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ? AND status = ? AND deleted_at IS NOT NULL`, ws.ID, string(c.Status))
		if c.Active != a || c.Trashed != tr {
			t.Errorf("%s: status %s %d/%d, brute force %d/%d", stage, c.Status, c.Active, c.Trashed, a, tr)
		}
	}
	for _, c := range st.ByPool {
		a := e.count(t, `SELECT count(*) FROM leads WHERE pool_id = ? AND deleted_at IS NULL`, c.Pool.ID)
		tr := e.count(t, `SELECT count(*) FROM leads WHERE pool_id = ? AND deleted_at IS NOT NULL`, c.Pool.ID)
		if c.Active != a || c.Trashed != tr {
			t.Errorf("%s: pool %s %d/%d, brute force %d/%d", stage, c.Pool.Name, c.Active, c.Trashed, a, tr)
		}
	}
	// Per day, from the audit rows, by local day (the mix runs in UTC).
	wantDays := map[string]string{}
	for _, r := range e.rows(t, `SELECT date(at / 1000, 'unixepoch'), SUM(CASE WHEN action = 'delete' THEN count ELSE 0 END),
		SUM(CASE WHEN action = 'delete' THEN 0 ELSE count END) FROM audit
		WHERE workspace_id = ? AND action IN ('delete', 'undo', 'restore') AND at >= ? GROUP BY 1`, ws.ID, from) {
		day, counts, _ := strings.Cut(r, "|")
		if counts != "0|0" {
			wantDays[day] = counts
		}
	}
	if g := stDays(st); !maps.Equal(g, wantDays) {
		t.Errorf("%s: days %v, from the audit log %v", stage, g, wantDays)
	}
}
