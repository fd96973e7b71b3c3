package store_test

// The retention purge (DESIGN.md, "Lifecycle of a lead" and "Contract details"): a
// trashed lead is due once now ≥ deleted_at + retention_days × 24 h (retention 0: on
// the next run once its undo window has passed), never while on legal hold; a run
// purges oldest first, PurgeChunk leads a transaction, writes a tombstone a lead and
// one audit row a workspace, and holds the "retention-purge" lease; the scheduler
// runs each workspace once a local day, at the first instant at or after its purge
// hour. Every instant comes from the injectable clock (s.Now).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, for reading and poking the file behind the store's back

	"leadkeep/store"
)

// --- Helpers (this file only; all prefixed rt) -------------------------------

type rtEnv struct {
	t     *testing.T
	ctx   context.Context
	s     *store.Store
	clock *clock
	db    *sql.DB
	n     int // leads made so far, for unique names
}

func newRT(t *testing.T) *rtEnv {
	t.Helper()
	s := openStore(t)
	e := &rtEnv{t: t, ctx: context.Background(), s: s, clock: withClock(s)}
	db, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatalf("raw open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	return e
}

// workspace creates a workspace with the retention settings (through UpdateSettings).
func (e *rtEnv) workspace(name string, retentionDays, purgeHour int, tz string) store.Workspace {
	e.t.Helper()
	ws := mustWorkspace(e.t, e.s, name)
	ws, err := e.s.UpdateSettings(e.ctx, ws.ID, systemActor, store.Settings{RetentionDays: retentionDays, PurgeHour: purgeHour, Timezone: tz})
	if err != nil {
		e.t.Fatalf("settings of %s: %v", name, err)
	}
	if ws.RetentionDays != retentionDays || ws.PurgeHour != purgeHour || ws.Timezone != tz {
		e.t.Fatalf("settings of %s saved as %+v", name, ws)
	}
	return ws
}

func (e *rtEnv) lead(ws store.Workspace) store.Lead {
	e.t.Helper()
	e.n++
	return mustLead(e.t, e.s, ws, systemActor, store.LeadInput{
		Name:  ptr(fmt.Sprintf("Rita%04d Retention", e.n)),
		Email: ptr(fmt.Sprintf("rita%04d@retention.example", e.n)),
	})
}

// trash deletes the leads as one batch at the clock's instant.
func (e *rtEnv) trash(ws store.Workspace, leads ...store.Lead) store.Batch {
	e.t.Helper()
	ids := make([]string, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	b, err := e.s.DeleteLeads(e.ctx, ws, systemActor, store.DeleteRequest{IDs: ids, Reason: "outdated"})
	if err != nil {
		e.t.Fatalf("delete %v: %v", ids, err)
	}
	return b
}

// runs turns a retention run's answer into workspace id → leads purged.
func rtRuns(runs []store.PurgeRun) map[string]int {
	out := map[string]int{}
	for _, r := range runs {
		if _, dup := out[r.Workspace.ID]; dup {
			panic("two runs for workspace " + r.Workspace.Name)
		}
		out[r.Workspace.ID] = r.Purged
	}
	return out
}

// purge runs PurgeDue (dry or not) and returns workspace id → purged.
func (e *rtEnv) purge(holder string, dry bool) map[string]int {
	e.t.Helper()
	runs, err := e.s.PurgeDue(e.ctx, holder, dry)
	if err != nil {
		e.t.Fatalf("PurgeDue(%q, dry %t) at %s: %v", holder, dry, e.clock.t.Format(time.RFC3339Nano), err)
	}
	return rtRuns(runs)
}

// wantPurged compares a run's answer with want (a missing workspace means 0).
func (e *rtEnv) wantPurged(what string, got map[string]int, want map[string]int) {
	e.t.Helper()
	for id, n := range got {
		if n != want[id] {
			e.t.Errorf("%s: purged %d in workspace %s, want %d (all: %v)", what, n, id, want[id], got)
		}
	}
	for id, n := range want {
		if _, ok := got[id]; !ok && n != 0 {
			e.t.Errorf("%s: no run for workspace %s, want %d purged (all: %v)", what, id, n, got)
		}
	}
}

func (e *rtEnv) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *rtEnv) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.db.Exec(query, args...); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
}

// state is where the lead is, read from the file: active, trashed, purged (a
// tombstone and no row) or something inconsistent.
func (e *rtEnv) state(id string) string {
	e.t.Helper()
	rows := e.count(`SELECT count(*) FROM leads WHERE id = ?`, id)
	trashed := e.count(`SELECT count(*) FROM leads WHERE id = ? AND deleted_at IS NOT NULL`, id)
	tomb := e.count(`SELECT count(*) FROM tombstones WHERE lead_id = ?`, id)
	switch {
	case rows == 1 && tomb == 0 && trashed == 1:
		return "trashed"
	case rows == 1 && tomb == 0:
		return "active"
	case rows == 0 && tomb == 1:
		return "purged"
	}
	return fmt.Sprintf("inconsistent (rows %d, tombstones %d)", rows, tomb)
}

func (e *rtEnv) wantState(id, want string) {
	e.t.Helper()
	if got := e.state(id); got != want {
		e.t.Errorf("lead %s at %s is %s, want %s", id, e.clock.t.Format(time.RFC3339Nano), got, want)
	}
}

// purgeAudits is the workspace's audit rows of action purge, newest first.
func (e *rtEnv) purgeAudits(wsID string) []store.AuditEntry {
	e.t.Helper()
	page, err := e.s.ListAudit(e.ctx, wsID, store.AuditFilter{Action: "purge", Limit: store.MaxPageSize})
	if err != nil {
		e.t.Fatalf("audit: %v", err)
	}
	if page.Next != "" {
		e.t.Fatalf("more than a page of purge audit rows")
	}
	return page.Entries
}

// wantRetentionAudit checks that the workspace has rows purge audit rows and, when
// n > 0, that the newest is the system's retention purge of n leads at the clock's
// instant (the run that just ran).
func (e *rtEnv) wantRetentionAudit(ws store.Workspace, rows, n int) {
	e.t.Helper()
	got := e.purgeAudits(ws.ID)
	if len(got) != rows {
		e.t.Fatalf("%s: %d purge audit rows, want %d: %+v", ws.Name, len(got), rows, got)
	}
	if n == 0 {
		return
	}
	a := got[0]
	if a.Reason != "retention" || a.Count != n || a.ActorKind != "system" || a.ActorID != "" || a.ActorName != "Leadkeep" ||
		!a.At.Equal(e.clock.t) {
		e.t.Errorf("%s: purge audit row %+v, want the system (Leadkeep) purging %d for retention at %s", ws.Name, a, n, e.clock.t)
	}
	if want := fmt.Sprintf("Retention: %d days", ws.RetentionDays); a.Details != want {
		e.t.Errorf("%s: purge audit details %q, want %q", ws.Name, a.Details, want)
	}
}

// trashTotal is the workspace's Trash count as the Trash page, the operator's list of
// workspaces and the rows themselves see it; they must agree.
func (e *rtEnv) trashTotal(ws store.Workspace) int {
	e.t.Helper()
	page, err := e.s.ListTrash(e.ctx, ws.ID, store.TrashFilter{})
	if err != nil {
		e.t.Fatalf("trash: %v", err)
	}
	rows := e.count(`SELECT count(*) FROM leads WHERE workspace_id = ? AND deleted_at IS NOT NULL`, ws.ID)
	all, err := e.s.Workspaces(e.ctx)
	if err != nil {
		e.t.Fatalf("workspaces: %v", err)
	}
	for _, w := range all {
		if w.ID == ws.ID && w.Trashed != page.Total {
			e.t.Errorf("%s: Workspaces says %d trashed, the Trash %d", ws.Name, w.Trashed, page.Total)
		}
	}
	if page.Total != rows {
		e.t.Errorf("%s: the Trash counts %d, the file holds %d trashed leads", ws.Name, page.Total, rows)
	}
	return page.Total
}

func (e *rtEnv) active(ws store.Workspace) int {
	e.t.Helper()
	n, _, err := e.s.Counts(e.ctx, ws.ID)
	if err != nil {
		e.t.Fatalf("counts: %v", err)
	}
	return n
}

// rtSnap is everything a retention run could change, read from the file itself.
type rtSnap struct {
	Leads, Trashed, Tombstones, Audit, Activity, Notes, FTS, Leases int
	Days, Counts, LeadRows                                          string
}

func (e *rtEnv) snap() rtSnap {
	e.t.Helper()
	var s rtSnap
	for dst, q := range map[*int]string{
		&s.Leads:      `SELECT count(*) FROM leads`,
		&s.Trashed:    `SELECT count(*) FROM leads WHERE deleted_at IS NOT NULL`,
		&s.Tombstones: `SELECT count(*) FROM tombstones`,
		&s.Audit:      `SELECT count(*) FROM audit`,
		&s.Activity:   `SELECT count(*) FROM activity`,
		&s.Notes:      `SELECT count(*) FROM notes`,
		&s.FTS:        `SELECT count(*) FROM leads_fts`,
		&s.Leases:     `SELECT count(*) FROM leases`,
	} {
		*dst = e.count(q)
	}
	s.Days = e.joined(`SELECT id || '=' || last_purge_day FROM workspaces ORDER BY id`)
	s.Counts = e.joined(`SELECT workspace_id || '/' || pool_id || '/' || status || ':' || active || '/' || trashed FROM lead_counts
		ORDER BY workspace_id, pool_id, status`)
	s.LeadRows = e.joined(`SELECT id || '|' || COALESCE(deleted_at, '') || '|' || COALESCE(held_at, '') FROM leads ORDER BY id`)
	return s
}

func (e *rtEnv) joined(query string, args ...any) string {
	e.t.Helper()
	rows, err := e.db.Query(query, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// hold puts the lead on legal hold, as the hold action would, behind the store's back.
func (e *rtEnv) hold(id string) {
	e.t.Helper()
	e.exec(`UPDATE leads SET held_at = ?, held_by = 'operator', hold_reason = 'litigation' WHERE id = ?`, e.clock.t.UnixMilli(), id)
}

func rtLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

const rtDay = 24 * time.Hour

// --- Retention at exactly N days --------------------------------------------

func TestRetentionPurgesATrashedLeadExactlyRetentionDaysAfterItsDeletion(t *testing.T) {
	e := newRT(t)
	acme := e.workspace("Acme", 30, 2, "UTC")
	globex := e.workspace("Globex", 7, 2, "UTC")
	initech := e.workspace("Initech", 90, 2, "UTC")
	admin := store.UserActor(mustUser(t, e.s, acme, "dana@acme.example"))

	t0 := e.clock.t
	a, b, kept := e.lead(acme), e.lead(acme), e.lead(acme)
	g, i := e.lead(globex), e.lead(initech)
	if _, err := e.s.AddNote(e.ctx, acme.ID, admin, a.ID, "Called, wants a quote"); err != nil {
		t.Fatal(err)
	}
	e.trash(acme, a)
	e.trash(globex, g)
	e.trash(initech, i)
	e.clock.advance(time.Hour)
	e.trash(acme, b)
	if got := e.trashTotal(acme); got != 2 {
		t.Fatalf("Acme's Trash holds %d, want 2", got)
	}

	steps := []struct {
		at      time.Duration
		want    map[string]int
		purged  []store.Lead // purged by this step
		trashed []store.Lead // still in the Trash after it
	}{
		{7*rtDay - time.Millisecond, nil, nil, []store.Lead{a, b, g, i}},
		{7 * rtDay, map[string]int{globex.ID: 1}, []store.Lead{g}, []store.Lead{a, b, i}},
		{30*rtDay - time.Millisecond, nil, nil, []store.Lead{a, b, i}},
		{30 * rtDay, map[string]int{acme.ID: 1}, []store.Lead{a}, []store.Lead{b, i}},
		{30*rtDay + time.Hour - time.Millisecond, nil, nil, []store.Lead{b, i}},
		{30*rtDay + time.Hour, map[string]int{acme.ID: 1}, []store.Lead{b}, []store.Lead{i}},
		{90*rtDay - time.Millisecond, nil, nil, []store.Lead{i}},
		{90 * rtDay, map[string]int{initech.ID: 1}, []store.Lead{i}, nil},
	}
	audits := map[string]int{}
	for _, st := range steps {
		e.clock.t = t0.Add(st.at)
		what := fmt.Sprintf("run at deletion + %s", st.at)
		before := e.count(`SELECT count(*) FROM audit WHERE action = 'purge'`)
		got := e.purge("holder A", false)
		if len(got) != 3 {
			t.Errorf("%s: runs for %d workspaces, want all 3: %v", what, len(got), got)
		}
		e.wantPurged(what, got, st.want)
		for _, l := range st.purged {
			e.wantState(l.ID, "purged")
		}
		for _, l := range st.trashed {
			e.wantState(l.ID, "trashed")
		}
		e.wantState(kept.ID, "active")
		// One audit row per workspace that purged something, none for the others.
		for _, ws := range []store.Workspace{acme, globex, initech} {
			if st.want[ws.ID] > 0 {
				audits[ws.ID]++
			}
			e.wantRetentionAudit(ws, audits[ws.ID], st.want[ws.ID])
		}
		if after := e.count(`SELECT count(*) FROM audit WHERE action = 'purge'`); after-before != len(st.want) {
			t.Errorf("%s: %d purge audit rows written, want %d", what, after-before, len(st.want))
		}
		if t.Failed() {
			t.FailNow()
		}
	}

	// The counters followed: Acme's Trash emptied, its active lead stayed.
	for _, ws := range []store.Workspace{acme, globex, initech} {
		if got := e.trashTotal(ws); got != 0 {
			t.Errorf("%s: Trash holds %d after every purge, want 0", ws.Name, got)
		}
	}
	if got := e.active(acme); got != 1 {
		t.Errorf("Acme has %d active leads, want the 1 never deleted", got)
	}

	// What is left of a: a PII-free tombstone of the system's retention purge.
	tb, err := e.s.Tombstone(e.ctx, acme.ID, a.ID)
	if err != nil {
		t.Fatalf("tombstone of a: %v", err)
	}
	if tb.How != "retention" || tb.ByName != "Leadkeep" || !tb.PurgedAt.Equal(t0.Add(30*rtDay)) {
		t.Errorf("tombstone %+v, want how retention, by Leadkeep, at %s", tb, t0.Add(30*rtDay))
	}
	if !strings.Contains(tb.Message(), "time in the Trash ran out") {
		t.Errorf("tombstone message %q does not say the retention ran out", tb.Message())
	}
	if by := e.count(`SELECT count(*) FROM tombstones WHERE by_actor = '' AND how = 'retention' AND batch_id IS NOT NULL`); by != 4 {
		t.Errorf("%d retention tombstones by the system naming their batch, want 4", by)
	}
	if _, err := e.s.Tombstone(e.ctx, globex.ID, a.ID); !errors.Is(err, store.ErrLeadNotFound) {
		t.Errorf("Acme's tombstone seen from Globex: %v, want not found", err)
	}
	// The lead went with its note, activity and search entry.
	for table, q := range map[string]string{
		"notes":     `SELECT count(*) FROM notes WHERE lead_id = ?`,
		"activity":  `SELECT count(*) FROM activity WHERE lead_id = ?`,
		"leads_fts": `SELECT count(*) FROM leads_fts WHERE lead_id = ?`,
	} {
		if n := e.count(q, a.ID); n != 0 {
			t.Errorf("%d rows of %s left for the purged lead", n, table)
		}
	}
	// A restore of it answers gone.
	_, err = e.s.RestoreLeads(e.ctx, acme.ID, admin, []string{a.ID}, "")
	wantError(t, err, store.EGone)
}

// --- retention_days = 0 -------------------------------------------------------

func TestRetentionZeroPurgesOnTheNextRunOnceTheUndoWindowHasPassed(t *testing.T) {
	e := newRT(t)
	ws := e.workspace("Acme", 0, 2, "UTC")
	l := e.lead(ws)
	t0 := e.clock.t
	b := e.trash(ws, l)
	if !b.UndoUntil.Equal(t0.Add(store.UndoWindow)) {
		t.Fatalf("undo until %s, want deletion + %s", b.UndoUntil, store.UndoWindow)
	}
	for _, d := range []time.Duration{0, time.Second, store.UndoWindow, store.UndoWindow + time.Second,
		store.UndoWindow + store.UndoGrace - time.Millisecond} {
		e.clock.t = t0.Add(d)
		if !b.UndoOpen(e.clock.t) {
			t.Fatalf("undo closed at deletion + %s", d)
		}
		if got := e.purge("A", true)[ws.ID]; got != 0 {
			t.Errorf("dry run at deletion + %s would purge %d inside the undo window", d, got)
		}
		if got := e.purge("A", false)[ws.ID]; got != 0 {
			t.Errorf("run at deletion + %s purged %d inside the undo window", d, got)
		}
		e.wantState(l.ID, "trashed")
	}
	e.wantRetentionAudit(ws, 0, 0)

	// The first run after the window has passed purges it.
	e.clock.t = t0.Add(store.UndoWindow + store.UndoGrace + time.Millisecond)
	if b.UndoOpen(e.clock.t) {
		t.Fatalf("undo still open at %s", e.clock.t)
	}
	if got := e.purge("A", true)[ws.ID]; got != 1 {
		t.Errorf("dry run after the window would purge %d, want 1", got)
	}
	e.wantPurged("run after the window", e.purge("A", false), map[string]int{ws.ID: 1})
	e.wantState(l.ID, "purged")
	e.wantRetentionAudit(ws, 1, 1)
	if got := e.trashTotal(ws); got != 0 {
		t.Errorf("Trash holds %d, want 0", got)
	}
}

// The undo window is the batch's: UndoOpen (undo_until + UndoGrace, inclusive). A
// retention-0 purge must never take a lead whose undo the store would still accept.
func TestRetentionZeroNeverPurgesALeadItsUndoWouldStillRestore(t *testing.T) {
	t.Run("at the last instant of the grace", func(t *testing.T) {
		e := newRT(t)
		ws := e.workspace("Acme", 0, 2, "UTC")
		l := e.lead(ws)
		b := e.trash(ws, l)
		e.clock.t = b.UndoUntil.Add(store.UndoGrace)
		if !b.UndoOpen(e.clock.t) {
			t.Fatalf("premise: undo closed at %s", e.clock.t)
		}
		if got := e.purge("A", false)[ws.ID]; got != 0 {
			t.Errorf("purged %d at the instant the undo is still open", got)
		}
		if _, err := e.s.UndoBatch(e.ctx, ws.ID, systemActor, b.ID); err != nil {
			t.Errorf("undo inside its window after a purge run: %v", err)
		}
	})
	t.Run("after a slow delete that pushed its deadline out", func(t *testing.T) {
		e := newRT(t)
		ws := e.workspace("Acme", 0, 2, "UTC")
		l := e.lead(ws)
		t0 := e.clock.t
		// A delete that takes 3 s: the clock moves 3 s every time the store reads it.
		e.s.Now = func() time.Time { now := e.clock.t; e.clock.advance(3 * time.Second); return now }
		b := e.trash(ws, l)
		e.s.Now = e.clock.now
		if b.UndoUntil.Sub(t0) <= store.UndoWindow {
			t.Fatalf("premise: undo until deletion + %s, want it pushed past %s", b.UndoUntil.Sub(t0), store.UndoWindow)
		}
		e.clock.t = t0.Add(store.UndoWindow + store.UndoGrace + time.Millisecond)
		if !b.UndoOpen(e.clock.t) {
			t.Fatalf("premise: undo closed at %s", e.clock.t)
		}
		if got := e.purge("A", false)[ws.ID]; got != 0 {
			t.Errorf("purged %d while its undo (until %s + grace) is open at %s", got, b.UndoUntil, e.clock.t)
		}
		res, err := e.s.UndoBatch(e.ctx, ws.ID, systemActor, b.ID)
		if err != nil || res.Restored != 1 {
			t.Errorf("undo inside its window: %+v, %v; want 1 restored", res, err)
		}
	})
}

// --- Legal hold ---------------------------------------------------------------

func TestRetentionNeverPurgesALeadOnLegalHold(t *testing.T) {
	e := newRT(t)
	ws := e.workspace("Acme", 1, 2, "UTC")
	leads := []store.Lead{e.lead(ws), e.lead(ws), e.lead(ws)}
	held := leads[1]
	e.trash(ws, leads...)
	e.hold(held.ID)

	e.clock.advance(2 * rtDay)
	if got := e.purge("A", true)[ws.ID]; got != 2 {
		t.Errorf("dry run would purge %d, want the 2 not held", got)
	}
	e.wantPurged("first run", e.purge("A", false), map[string]int{ws.ID: 2})
	e.wantState(leads[0].ID, "purged")
	e.wantState(leads[2].ID, "purged")
	e.wantState(held.ID, "trashed")
	e.wantRetentionAudit(ws, 1, 2)
	if got := e.trashTotal(ws); got != 1 {
		t.Errorf("Trash holds %d, want the held lead", got)
	}

	// However long it stays on hold.
	for _, d := range []time.Duration{rtDay, 30 * rtDay, 400 * rtDay} {
		e.clock.advance(d)
		e.wantPurged("run during the hold", e.purge("A", false), nil)
		e.wantState(held.ID, "trashed")
	}
	e.wantRetentionAudit(ws, 1, 0) // no new row

	// Once released, the next run purges it.
	e.exec(`UPDATE leads SET held_at = NULL, held_by = NULL, hold_reason = NULL WHERE id = ?`, held.ID)
	e.clock.advance(time.Minute)
	e.wantPurged("run after the release", e.purge("A", false), map[string]int{ws.ID: 1})
	e.wantState(held.ID, "purged")
	e.wantRetentionAudit(ws, 2, 1)
}

// --- Chunking -----------------------------------------------------------------

// seedTrash seeds n leads into the workspace and deletes them pool by pool, an hour
// apart, so that deletion order is neither insertion (seq) order nor batch-id order.
// It returns the trashed lead ids oldest deletion first (deleted_at, then seq).
func (e *rtEnv) seedTrash(ws store.Workspace, n int) []string {
	e.t.Helper()
	if got, err := e.s.Seed(e.ctx, ws.ID, n, store.SeedOptions{Rand: testRand()}); err != nil || got != n {
		e.t.Fatalf("seed: %d, %v", got, err)
	}
	pools, err := e.s.Pools(e.ctx, ws.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	// Delete the last pool first: the seed spread its leads over the pools at random.
	for i := len(pools) - 1; i >= 0; i-- {
		f := store.LeadFilter{PoolID: pools[i].ID}
		cnt, err := e.s.CountMatching(e.ctx, ws.ID, f)
		if err != nil {
			e.t.Fatal(err)
		}
		if cnt == 0 {
			continue
		}
		if _, err := e.s.DeleteLeads(e.ctx, ws, systemActor, store.DeleteRequest{All: true, Filter: f, ExpectedCount: cnt, Reason: "outdated"}); err != nil {
			e.t.Fatalf("delete pool %s: %v", pools[i].Name, err)
		}
		e.clock.advance(time.Hour)
	}
	var ids []string
	for _, id := range strings.Split(e.joined(`SELECT id FROM leads WHERE workspace_id = ? AND deleted_at IS NOT NULL
		ORDER BY deleted_at, seq`, ws.ID), "\n") {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) != n || e.trashTotal(ws) != n {
		e.t.Fatalf("%d leads trashed, want %d", len(ids), n)
	}
	return ids
}

func TestRetentionPurgesThousandsInChunksOldestFirstInOneRun(t *testing.T) {
	const n = 5200
	if n <= 5*store.PurgeChunk {
		t.Fatalf("PurgeChunk %d: %d leads no longer take several chunks", store.PurgeChunk, n)
	}
	e := newRT(t)
	ws := e.workspace("Bulk", 1, 2, "UTC")
	other := e.workspace("Neighbour", 1, 2, "UTC")
	ids := e.seedTrash(ws, n)
	neighbour := e.lead(other)
	e.trash(other, neighbour)

	e.clock.advance(2 * rtDay)
	if got := e.purge("A", true); got[ws.ID] != n || got[other.ID] != 1 {
		t.Fatalf("dry run would purge %v, want %d and 1", got, n)
	}
	// Each transaction reads the clock once: let it tick, so that each chunk's
	// tombstones carry their own instant.
	e.s.Now = func() time.Time { e.clock.advance(time.Millisecond); return e.clock.t }
	runs, err := e.s.PurgeDue(e.ctx, "A", false)
	e.s.Now = e.clock.now
	if err != nil {
		t.Fatalf("purge: %v", err)
	}
	e.wantPurged("one run", rtRuns(runs), map[string]int{ws.ID: n, other.ID: 1})
	e.wantState(neighbour.ID, "purged")

	// Every lead has its tombstone; oldest deletion first, PurgeChunk a transaction.
	purgedAt := map[string]int64{}
	for _, row := range strings.Split(e.joined(`SELECT lead_id || ' ' || purged_at || ' ' || how FROM tombstones WHERE workspace_id = ?`, ws.ID), "\n") {
		var id, how string
		var at int64
		if _, err := fmt.Sscan(row, &id, &at, &how); err != nil {
			t.Fatalf("tombstone %q: %v", row, err)
		}
		if how != "retention" {
			t.Errorf("tombstone of %s: how %q, want retention", id, how)
		}
		purgedAt[id] = at
	}
	if len(purgedAt) != n {
		t.Fatalf("%d tombstones, want %d", len(purgedAt), n)
	}
	var sizes []int
	last := int64(-1)
	for i, id := range ids {
		at, ok := purgedAt[id]
		switch {
		case !ok:
			t.Fatalf("lead %s (the %dth to be deleted) has no tombstone", id, i+1)
		case at < last:
			t.Fatalf("lead %s (the %dth to be deleted) was purged before a lead deleted earlier: not oldest first", id, i+1)
		case at > last:
			sizes = append(sizes, 0)
			last = at
		}
		sizes[len(sizes)-1]++
	}
	var want []int
	for rest := n; rest > 0; rest -= store.PurgeChunk {
		want = append(want, min(rest, store.PurgeChunk))
	}
	if fmt.Sprint(sizes) != fmt.Sprint(want) {
		t.Errorf("transactions purged %v leads, want %v", sizes, want)
	}

	// One audit row for the run, counting all of them; the counters are exact.
	audits := e.purgeAudits(ws.ID)
	if len(audits) != 1 || audits[0].Count != n || audits[0].Reason != "retention" || audits[0].ActorKind != "system" {
		t.Errorf("purge audit rows %+v, want exactly one of %d for retention by the system", audits, n)
	}
	if got := e.trashTotal(ws); got != 0 {
		t.Errorf("Trash holds %d, want 0", got)
	}
	if got := e.count(`SELECT count(*) FROM leads WHERE workspace_id = ?`, ws.ID); got != 0 {
		t.Errorf("%d lead rows left, want 0", got)
	}
	if fts, rows := e.count(`SELECT count(*) FROM leads_fts`), e.count(`SELECT count(*) FROM leads`); fts != rows {
		t.Errorf("%d search entries for %d leads", fts, rows)
	}
	if got := e.count(`SELECT count(*) FROM leases`); got != 0 {
		t.Errorf("%d leases left after the run, want it released", got)
	}
	// And the next run finds nothing.
	e.wantPurged("second run", e.purge("B", false), nil)
	if audits := e.purgeAudits(ws.ID); len(audits) != 1 {
		t.Errorf("%d purge audit rows after a second run, want still 1", len(audits))
	}
}

// --- Dry run and idempotence --------------------------------------------------

func TestRetentionDryRunCountsPerWorkspaceAndChangesNothing(t *testing.T) {
	e := newRT(t)
	acme := e.workspace("Acme", 1, 2, "UTC")
	globex := e.workspace("Globex", 0, 2, "Europe/Berlin")
	quiet := e.workspace("Quiet", 30, 2, "UTC")
	a := []store.Lead{e.lead(acme), e.lead(acme), e.lead(acme)}
	e.trash(acme, a[0])
	e.trash(acme, a[1], a[2])
	g := []store.Lead{e.lead(globex), e.lead(globex)}
	e.trash(globex, g...)
	q := e.lead(quiet)
	e.trash(quiet, q)
	e.clock.advance(rtDay - time.Minute)
	late := e.lead(acme) // deleted a minute before the run: not due
	e.trash(acme, late)
	e.lead(globex) // active: never due
	e.clock.advance(time.Minute)

	before := e.snap()
	dry := e.purge("A", true)
	want := map[string]int{acme.ID: 3, globex.ID: 2, quiet.ID: 0}
	e.wantPurged("dry run", dry, want)
	if len(dry) != 3 {
		t.Errorf("dry run reports %d workspaces, want 3: %v", len(dry), dry)
	}
	if after := e.snap(); after != before {
		t.Errorf("the dry run changed the database:\nbefore %+v\n after %+v", before, after)
	}
	if again := e.purge("A", true); fmt.Sprint(again) != fmt.Sprint(dry) {
		t.Errorf("a second dry run says %v, the first %v", again, dry)
	}

	// The real run purges what the dry run promised.
	e.wantPurged("run", e.purge("A", false), want)
	e.wantRetentionAudit(acme, 1, 3)
	e.wantRetentionAudit(globex, 1, 2)
	e.wantRetentionAudit(quiet, 0, 0)
	e.wantState(late.ID, "trashed")
	e.wantState(q.ID, "trashed")
	if e.trashTotal(acme) != 1 || e.trashTotal(globex) != 0 || e.trashTotal(quiet) != 1 {
		t.Errorf("Trash totals after the run: %d, %d, %d; want 1, 0, 1", e.trashTotal(acme), e.trashTotal(globex), e.trashTotal(quiet))
	}

	// Idempotent: a run right after (another holder: the lease was released) purges
	// nothing and writes no audit row.
	settled := e.snap()
	e.wantPurged("second run", e.purge("B", false), nil)
	if after := e.snap(); after.Audit != settled.Audit || after.Tombstones != settled.Tombstones || after.LeadRows != settled.LeadRows ||
		after.Counts != settled.Counts {
		t.Errorf("a second run changed something:\nbefore %+v\n after %+v", settled, after)
	}
	if got := e.purge("B", true); got[acme.ID]+got[globex.ID]+got[quiet.ID] != 0 {
		t.Errorf("dry run after the run would purge %v", got)
	}
}

// --- The lease ----------------------------------------------------------------

func TestRetentionWaitsForAnotherHoldersLease(t *testing.T) {
	e := newRT(t)
	ws := e.workspace("Acme", 0, 2, "UTC")
	l := e.lead(ws)
	e.trash(ws, l)
	e.clock.advance(time.Minute)
	taken := e.clock.t
	expires := taken.Add(10 * time.Minute)
	e.exec(`INSERT INTO leases (name, holder, expires_at) VALUES ('retention-purge', 'other', ?)`, expires.UnixMilli())

	for _, at := range []time.Time{taken, expires.Add(-time.Millisecond)} {
		e.clock.t = at
		before := e.snap()
		runs, err := e.s.PurgeDue(e.ctx, "B", false)
		if err != nil || len(runs) != 0 {
			t.Errorf("PurgeDue under another's lease at %s: %v, %v; want no runs and no error", at, runs, err)
		}
		runs, err = e.s.PurgeScheduled(e.ctx, "B")
		if err != nil || len(runs) != 0 {
			t.Errorf("PurgeScheduled under another's lease at %s: %v, %v; want no runs and no error", at, runs, err)
		}
		if after := e.snap(); after != before {
			t.Errorf("a run under another's lease changed the database:\nbefore %+v\n after %+v", before, after)
		}
		e.wantState(l.ID, "trashed")
		if got := e.joined(`SELECT holder || ' ' || expires_at FROM leases WHERE name = 'retention-purge'`); got != fmt.Sprintf("other %d", expires.UnixMilli()) {
			t.Errorf("lease is %q, want other's, untouched", got)
		}
	}

	// Once it has expired, B takes it, purges, and lets it go.
	e.clock.t = taken.Add(11 * time.Minute)
	e.wantPurged("run after the lease expired", e.purge("B", false), map[string]int{ws.ID: 1})
	e.wantState(l.ID, "purged")
	e.wantRetentionAudit(ws, 1, 1)
	if got := e.count(`SELECT count(*) FROM leases`); got != 0 {
		t.Errorf("%d leases after B's run, want it released", got)
	}
}

// --- The scheduler ------------------------------------------------------------

func TestPurgeIsDueAtTheFirstInstantOfTheLocalPurgeHourOnceALocalDay(t *testing.T) {
	e := newRT(t)
	berlin, la := rtLoc(t, "Europe/Berlin"), rtLoc(t, "America/Los_Angeles")
	ber := e.workspace("Berlin", 0, 2, "Europe/Berlin")
	utc := e.workspace("Utc", 0, 2, "UTC")
	lax := e.workspace("LosAngeles", 0, 23, "America/Los_Angeles")
	names := map[string]string{ber.ID: "Berlin", utc.ID: "Utc", lax.ID: "LosAngeles"}

	due := func(ws store.Workspace, at time.Time) bool {
		t.Helper()
		ok, err := e.s.PurgeIsDue(e.ctx, ws, at)
		if err != nil {
			t.Fatalf("PurgeIsDue: %v", err)
		}
		return ok
	}
	wantDue := func(ws store.Workspace, at time.Time, want bool) {
		t.Helper()
		if got := due(ws, at); got != want {
			t.Errorf("%s due at %s (%s local): %t, want %t", ws.Name, at.UTC().Format(time.RFC3339Nano),
				at.In(rtLoc(t, ws.Timezone)).Format("2006-01-02 15:04:05.000 MST"), got, want)
		}
	}
	// scheduled runs PurgeScheduled at the instant and returns workspace name → purged.
	scheduled := func(at time.Time) map[string]int {
		t.Helper()
		e.clock.t = at
		runs, err := e.s.PurgeScheduled(e.ctx, "serve")
		if err != nil {
			t.Fatalf("PurgeScheduled at %s: %v", at, err)
		}
		out := map[string]int{}
		for id, n := range rtRuns(runs) {
			out[names[id]] = n
		}
		return out
	}
	wantRuns := func(at time.Time, want string) {
		t.Helper()
		if got := fmt.Sprint(scheduled(at)); got != want {
			t.Errorf("PurgeScheduled at %s ran %s, want %s", at.UTC().Format(time.RFC3339), got, want)
		}
	}

	// Monday 2 November 2026, 09:00 UTC: 10:00 in Berlin and UTC's 09:00 are past
	// hour 2 on a day never run; Los Angeles is at 01:00. One due lead in each.
	for _, ws := range []store.Workspace{ber, utc, lax} {
		e.trash(ws, e.lead(ws))
	}
	wantRuns(e.clock.t, "map[Berlin:0 Utc:0]") // the leads are inside their undo window

	// Berlin, winter (CET, UTC+1): 02:00 local on 3 November is 01:00 UTC.
	berlinTwo := time.Date(2026, 11, 3, 2, 0, 0, 0, berlin)
	if !berlinTwo.Equal(time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC)) {
		t.Fatalf("premise: 02:00 Berlin is %s", berlinTwo.UTC())
	}
	wantDue(ber, berlinTwo.Add(-time.Minute), false)
	wantDue(ber, berlinTwo.Add(-time.Millisecond), false)
	wantDue(ber, berlinTwo, true)
	wantDue(utc, berlinTwo, false)
	wantDue(lax, berlinTwo, false)
	wantRuns(berlinTwo, "map[Berlin:1]")
	// Not again the same local day, up to its last instant; again the next, at 02:00.
	wantDue(ber, berlinTwo, false)
	wantDue(ber, berlinTwo.Add(time.Hour), false)
	wantDue(ber, time.Date(2026, 11, 3, 23, 59, 59, 0, berlin), false)
	wantDue(ber, time.Date(2026, 11, 4, 0, 0, 0, 0, berlin), false)
	wantDue(ber, time.Date(2026, 11, 4, 2, 0, 0, 0, berlin).Add(-time.Millisecond), false)
	wantDue(ber, time.Date(2026, 11, 4, 2, 0, 0, 0, berlin), true)

	// UTC at 02:00 UTC; Berlin does not run twice.
	utcTwo := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	wantDue(utc, utcTwo.Add(-time.Millisecond), false)
	wantRuns(utcTwo, "map[Utc:1]")

	// Los Angeles (PST, UTC−8 after 1 November): 23:00 on 2 November is 07:00 UTC
	// on 3 November.
	laEleven := time.Date(2026, 11, 2, 23, 0, 0, 0, la)
	if !laEleven.Equal(time.Date(2026, 11, 3, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("premise: 23:00 Los Angeles is %s", laEleven.UTC())
	}
	wantDue(lax, laEleven.Add(-time.Millisecond), false)
	wantDue(lax, laEleven, true)
	wantRuns(laEleven, "map[LosAngeles:1]")
	// Its local day is still 2 November until 08:00 UTC: it must not run again then
	// (the UTC day, 3 November, is not its day), nor on the early hours of the 3rd.
	wantDue(lax, laEleven.Add(30*time.Minute), false)
	wantDue(lax, time.Date(2026, 11, 3, 0, 0, 0, 0, la), false)
	wantDue(lax, time.Date(2026, 11, 3, 22, 59, 0, 0, la), false)
	wantDue(lax, time.Date(2026, 11, 3, 23, 0, 0, 0, la), true)
	for _, ws := range []store.Workspace{ber, utc, lax} {
		if got := e.trashTotal(ws); got != 0 {
			t.Errorf("%s: Trash holds %d after its scheduled run, want 0", ws.Name, got)
		}
	}

	// Daylight saving time, from the zone database rather than fixed offsets.
	// Berlin springs forward on 28 March 2027: 02:00 CET never comes, 01:59:59 CET is
	// followed by 03:00 CEST (01:00 UTC), the first instant at or after hour 2.
	springBerlin := time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC)
	if l := springBerlin.In(berlin); l.Hour() != 3 || l.Add(-time.Millisecond).Hour() != 1 {
		t.Fatalf("premise: %s and the instant before are %s and %s in Berlin", springBerlin, l, l.Add(-time.Millisecond))
	}
	wantDue(ber, springBerlin.Add(-time.Millisecond), false)
	wantDue(ber, springBerlin, true)
	// Los Angeles springs forward on 14 March 2027: 23:00 PDT (UTC−7) is 06:00 UTC.
	springLA := time.Date(2027, 3, 14, 23, 0, 0, 0, la)
	if !springLA.Equal(time.Date(2027, 3, 15, 6, 0, 0, 0, time.UTC)) {
		t.Fatalf("premise: 23:00 Los Angeles on 14 March 2027 is %s", springLA.UTC())
	}
	wantDue(lax, springLA.Add(-time.Millisecond), false)
	wantDue(lax, springLA, true)
	// Berlin falls back on 31 October 2027: 02:00 comes twice (00:00 UTC in CEST,
	// 01:00 UTC in CET); the purge runs at the first, not again at the second.
	fallFirst, fallSecond := time.Date(2027, 10, 31, 0, 0, 0, 0, time.UTC), time.Date(2027, 10, 31, 1, 0, 0, 0, time.UTC)
	if a, b := fallFirst.In(berlin), fallSecond.In(berlin); a.Hour() != 2 || b.Hour() != 2 || a.Format("MST") == b.Format("MST") {
		t.Fatalf("premise: %s and %s in Berlin are %s and %s", fallFirst, fallSecond, a, b)
	}
	wantDue(ber, fallFirst.Add(-time.Millisecond), false)
	wantRuns(fallFirst, "map[Berlin:0]")
	wantDue(ber, fallSecond, false)
	wantRuns(fallSecond, "map[]")
	wantDue(ber, time.Date(2027, 11, 1, 2, 0, 0, 0, berlin), true)
}

// DESIGN: "The scheduler runs once a local day, at the first instant at or after the
// purge hour"; `leadkeep purge` runs the purge "now, whatever the purge hour". A
// manual run before the hour is not the scheduler's run of the day.
func TestAManualPurgeBeforeThePurgeHourDoesNotCancelTheScheduledRun(t *testing.T) {
	e := newRT(t)
	ws := e.workspace("Acme", 0, 2, "UTC")
	e.clock.t = time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC)
	e.wantPurged("manual run at 01:00", e.purge("leadkeep purge", false), nil)
	e.clock.advance(30 * time.Minute)
	l := e.lead(ws)
	e.trash(ws, l)
	two := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	if ok, err := e.s.PurgeIsDue(e.ctx, ws, two); err != nil || !ok {
		t.Errorf("PurgeIsDue at 02:00 after a manual run at 01:00: %t, %v; want due", ok, err)
	}
	e.clock.t = two
	runs, err := e.s.PurgeScheduled(e.ctx, "serve")
	if err != nil {
		t.Fatal(err)
	}
	e.wantPurged("scheduled run at 02:00", rtRuns(runs), map[string]int{ws.ID: 1})
	e.wantState(l.ID, "purged")
}

// --- Resumability -------------------------------------------------------------

func TestRetentionPicksUpWhatIsLeftOfTheDueSet(t *testing.T) {
	e := newRT(t)
	ws := e.workspace("Acme", 1, 2, "UTC")
	admin := store.UserActor(mustUser(t, e.s, ws, "dana@acme.example"))
	var leads []store.Lead
	for range 10 {
		leads = append(leads, e.lead(ws))
	}
	e.trash(ws, leads...)
	e.clock.advance(rtDay)
	if got := e.purge("A", true)[ws.ID]; got != 10 {
		t.Fatalf("dry run would purge %d, want 10", got)
	}
	// Part of the due set goes by hand first.
	var first []string
	for _, l := range leads[:4] {
		first = append(first, l.ID)
	}
	if n, err := e.s.PurgeLeads(e.ctx, ws.ID, admin, first); err != nil || n != 4 {
		t.Fatalf("purge by hand: %d, %v", n, err)
	}
	e.clock.advance(time.Second)
	if got := e.purge("A", true)[ws.ID]; got != 6 {
		t.Errorf("dry run would purge %d, want the 6 left", got)
	}
	e.wantPurged("run", e.purge("A", false), map[string]int{ws.ID: 6})
	for i, l := range leads {
		e.wantState(l.ID, "purged")
		tb, err := e.s.Tombstone(e.ctx, ws.ID, l.ID)
		want := map[bool]string{true: "manual", false: "retention"}[i < 4]
		if err != nil || tb.How != want {
			t.Errorf("tombstone of lead %d: %+v, %v; want how %s", i, tb, err, want)
		}
	}
	audits := e.purgeAudits(ws.ID)
	if len(audits) != 2 || audits[0].Reason != "retention" || audits[0].Count != 6 || audits[1].Reason != "manual" ||
		audits[1].Count != 4 || audits[1].ActorID != admin.ID {
		t.Errorf("purge audit rows %+v, want the manual 4 by the admin, then the retention 6", audits)
	}
	if got := e.trashTotal(ws); got != 0 {
		t.Errorf("Trash holds %d, want 0", got)
	}
	e.wantPurged("second run", e.purge("A", false), nil)
	if got := len(e.purgeAudits(ws.ID)); got != 2 {
		t.Errorf("%d purge audit rows after a second run, want 2", got)
	}
}

// A run that stops between chunks (here: its context is cancelled as the second
// chunk begins, as serve's shutdown does to the scheduler) keeps the chunks it
// committed, leaves the rest whole, and the next run purges exactly the rest.
func TestRetentionInterruptedBetweenChunksResumesOnTheNextRun(t *testing.T) {
	const n = 2*store.PurgeChunk + 500
	e := newRT(t)
	ws := e.workspace("Bulk", 1, 2, "UTC")
	e.seedTrash(ws, n)
	e.clock.advance(2 * rtDay)

	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	// Every transaction reads the clock once, just after it begins: cancel the run as
	// soon as one chunk is committed.
	e.s.Now = func() time.Time {
		if e.count(`SELECT count(*) FROM tombstones WHERE workspace_id = ?`, ws.ID) >= store.PurgeChunk {
			cancel()
		}
		return e.clock.t
	}
	_, err := e.s.PurgeDue(ctx, "serve", false)
	e.s.Now = e.clock.now
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	if got := e.count(`SELECT count(*) FROM tombstones WHERE workspace_id = ? AND how = 'retention'`, ws.ID); got != store.PurgeChunk {
		t.Fatalf("%d tombstones after the interrupted run, want one chunk, %d", got, store.PurgeChunk)
	}
	if got := e.trashTotal(ws); got != n-store.PurgeChunk {
		t.Fatalf("Trash holds %d after the interrupted run, want %d", got, n-store.PurgeChunk)
	}
	if got := e.count(`SELECT count(*) FROM leases`); got != 0 {
		t.Errorf("%d leases left after the interrupted run, want it released", got)
	}

	e.clock.advance(time.Minute)
	e.wantPurged("resumed run", e.purge("serve", false), map[string]int{ws.ID: n - store.PurgeChunk})
	if got := e.count(`SELECT count(*) FROM tombstones WHERE workspace_id = ? AND how = 'retention'`, ws.ID); got != n {
		t.Errorf("%d tombstones after the resumed run, want %d", got, n)
	}
	if got := e.trashTotal(ws); got != 0 {
		t.Errorf("Trash holds %d, want 0", got)
	}
	e.wantPurged("third run", e.purge("serve", false), nil)

	t.Run("the audit log counts every purged lead", func(t *testing.T) {
		sum := 0
		for _, a := range e.purgeAudits(ws.ID) {
			sum += a.Count
		}
		if sum != n {
			t.Errorf("purge audit rows count %d leads, %d were purged", sum, n)
		}
	})
}

// TestRetentionRunForgetsEventCountsOlderThanStatsKeeps checks that the run deletes
// the workspace's event counts older than twice the stats period, and keeps the rest
// and other workspaces' counts.
func TestRetentionRunForgetsEventCountsOlderThanStatsKeeps(t *testing.T) {
	e := newRT(t)
	acme := e.workspace("Acme", 30, 2, "UTC")
	globex := e.workspace("Globex", 30, 2, "UTC")
	slot := func(daysAgo int) int64 {
		return e.clock.t.Add(-time.Duration(daysAgo)*rtDay).UnixMilli() / (15 * 60 * 1000)
	}
	for _, ws := range []store.Workspace{acme, globex} {
		for _, days := range []int{1, 30, 59, 61, 400} {
			e.exec(`INSERT INTO event_counts (workspace_id, event, slot, actor_id, leads, actions) VALUES (?, 'delete', ?, '', 1, 1)`,
				ws.ID, slot(days))
		}
	}
	e.purge("A", true) // a dry run changes nothing
	if n := e.count(`SELECT count(*) FROM event_counts`); n != 10 {
		t.Fatalf("%d event counts after a dry run, want 10", n)
	}
	e.purge("A", false)
	for _, ws := range []store.Workspace{acme, globex} {
		if n := e.count(`SELECT count(*) FROM event_counts WHERE workspace_id = ?`, ws.ID); n != 3 {
			t.Errorf("%s keeps %d event counts, want the 3 of the last 60 days", ws.Name, n)
		}
		if n := e.count(`SELECT count(*) FROM event_counts WHERE workspace_id = ? AND slot < ?`, ws.ID, slot(60)); n != 0 {
			t.Errorf("%s keeps %d event counts older than 60 days", ws.Name, n)
		}
	}
}
