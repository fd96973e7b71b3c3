package store_test

// The lifecycle of a lead as a state machine (DESIGN.md, "Lifecycle of a lead"):
//
//	active ──delete──▶ trashed ──purge──▶ purged (tombstone)
//	   ▲                  │
//	   └──undo / restore──┘
//
// Every allowed transition is checked for all of its effects, every refused one for
// its error code and for changing nothing at all (a snapshot of the whole database
// before and after), and a seeded random walk checks the store against a model of
// the machine, counters included, after every step.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, for reading the file behind the store's back

	"leadkeep/store"
)

// --- Helpers (this file only; all prefixed lc) -------------------------------

// lcEnv is a workspace with three pools and two users, a neighbouring workspace with
// its own user, a settable clock, and a raw connection to the database file.
type lcEnv struct {
	s     *store.Store
	clock *clock
	db    *sql.DB
	ws    store.Workspace
	other store.Workspace
	pools []store.Pool
	dana  store.Actor // admin of ws
	sam   store.Actor // manager of ws
	olga  store.Actor // admin of other
	n     int         // leads made so far, for unique names
}

func newLC(t testing.TB) *lcEnv {
	t.Helper()
	s := openStore(t)
	e := &lcEnv{s: s, clock: withClock(s)}
	e.ws = mustWorkspace(t, s, "Acme")
	e.other = mustWorkspace(t, s, "Globex")
	e.pools = []store.Pool{defaultPool(t, s, e.ws), mustPool(t, s, e.ws, "Inbound"), mustPool(t, s, e.ws, "Partners")}
	e.dana = store.UserActor(mustUser(t, s, e.ws, "dana@acme.example"))
	e.sam = store.UserActor(lcUser(t, s, e.ws, "sam@acme.example", "Sam Manager", "manager"))
	e.olga = store.UserActor(lcUser(t, s, e.other, "olga@globex.example", "Olga Other", "admin"))
	db, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatalf("raw open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	return e
}

func lcUser(t testing.TB, s *store.Store, ws store.Workspace, email, name, role string) store.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), store.NewUser{WorkspaceID: ws.ID, Email: email, Name: name, Role: role,
		Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// lead creates an active lead of ws owned by Dana, spreading leads over the pools
// and statuses so that the counters have several rows to keep.
func (e *lcEnv) lead(t testing.TB) store.Lead {
	t.Helper()
	e.n++
	return mustLead(t, e.s, e.ws, e.dana, store.LeadInput{
		Name:   ptr(fmt.Sprintf("Quentin%03d Lifecycle", e.n)),
		Email:  ptr(fmt.Sprintf("q%03d@acme.example", e.n)),
		PoolID: ptr(e.pools[e.n%len(e.pools)].ID),
		Status: ptr(string(store.Statuses[e.n%len(store.Statuses)])),
	})
}

// otherLead creates an active lead of the other workspace.
func (e *lcEnv) otherLead(t testing.TB) store.Lead {
	t.Helper()
	e.n++
	return mustLead(t, e.s, e.other, e.olga, store.LeadInput{Name: ptr(fmt.Sprintf("Quentin%03d Lifecycle", e.n))})
}

func (e *lcEnv) leads(t testing.TB, n int) []store.Lead {
	t.Helper()
	out := make([]store.Lead, n)
	for i := range out {
		out[i] = e.lead(t)
	}
	return out
}

func lcIDs(leads ...store.Lead) []string {
	out := make([]string, len(leads))
	for i, l := range leads {
		out[i] = l.ID
	}
	return out
}

// del deletes the leads of ws as one batch, failing the test if it is refused.
func (e *lcEnv) del(t testing.TB, actor store.Actor, reason string, ids ...string) store.Batch {
	t.Helper()
	b, err := e.s.DeleteLeads(context.Background(), e.ws, actor, store.DeleteRequest{IDs: ids, Reason: reason})
	if err != nil {
		t.Fatalf("delete %v: %v", ids, err)
	}
	return b
}

func (e *lcEnv) scalar(t testing.TB, dst any, query string, args ...any) {
	t.Helper()
	if err := e.db.QueryRow(query, args...).Scan(dst); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (e *lcEnv) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	e.scalar(t, &n, query, args...)
	return n
}

// rows returns each row of a query as its columns joined by "|", in query order.
func (e *lcEnv) rows(t testing.TB, query string, args ...any) []string {
	t.Helper()
	rs, err := e.db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = "∅"
			if v.Valid {
				parts[i] = v.String
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// lcSnap is everything a lifecycle action could change, read from the file itself.
type lcSnap struct {
	Leads, Active, Trashed, Batches, Audit, Activity, Tombstones, Notes, Tags, Tasks, FTS int
	CountedActive, CountedTrashed                                                         int
	LeadRows, BatchRows, CountRows                                                        string
}

func (e *lcEnv) snap(t testing.TB) lcSnap {
	t.Helper()
	var s lcSnap
	for dst, q := range map[*int]string{
		&s.Leads:          `SELECT count(*) FROM leads`,
		&s.Active:         `SELECT count(*) FROM leads WHERE deleted_at IS NULL`,
		&s.Trashed:        `SELECT count(*) FROM leads WHERE deleted_at IS NOT NULL`,
		&s.Batches:        `SELECT count(*) FROM batches`,
		&s.Audit:          `SELECT count(*) FROM audit`,
		&s.Activity:       `SELECT count(*) FROM activity`,
		&s.Tombstones:     `SELECT count(*) FROM tombstones`,
		&s.Notes:          `SELECT count(*) FROM notes`,
		&s.Tags:           `SELECT count(*) FROM tags`,
		&s.Tasks:          `SELECT count(*) FROM tasks`,
		&s.FTS:            `SELECT count(*) FROM leads_fts`,
		&s.CountedActive:  `SELECT COALESCE(sum(active), 0) FROM lead_counts`,
		&s.CountedTrashed: `SELECT COALESCE(sum(trashed), 0) FROM lead_counts`,
	} {
		e.scalar(t, dst, q)
	}
	s.LeadRows = strings.Join(e.rows(t, `SELECT id, pool_id, status, updated_at, deleted_at, deleted_by, delete_reason, batch_id
		FROM leads ORDER BY id`), "\n")
	s.BatchRows = strings.Join(e.rows(t, `SELECT id, count, undo_until, undone_at, restored_at, purged_at FROM batches ORDER BY id`), "\n")
	s.CountRows = strings.Join(e.rows(t, `SELECT workspace_id, pool_id, status, active, trashed FROM lead_counts
		ORDER BY workspace_id, pool_id, status`), "\n")
	return s
}

func lcSameSnap(t testing.TB, what string, before, after lcSnap) {
	t.Helper()
	if before != after {
		t.Errorf("%s changed the database:\nbefore %+v\n after %+v", what, before, after)
	}
}

// state is where the lead is, read from the file: "active", "trashed", "purged"
// (no row, a tombstone), "missing" (neither) or "inconsistent" (a row and a tombstone).
func (e *lcEnv) state(t testing.TB, id string) string {
	t.Helper()
	rows := e.count(t, `SELECT count(*) FROM leads WHERE id = ?`, id)
	trashed := e.count(t, `SELECT count(*) FROM leads WHERE id = ? AND deleted_at IS NOT NULL`, id)
	tomb := e.count(t, `SELECT count(*) FROM tombstones WHERE lead_id = ?`, id)
	switch {
	case rows == 1 && tomb == 0 && trashed == 1:
		return "trashed"
	case rows == 1 && tomb == 0:
		return "active"
	case rows == 0 && tomb == 1:
		return "purged"
	case rows == 0 && tomb == 0:
		return "missing"
	}
	return "inconsistent"
}

// states is state for every lead and tombstone of the workspace, in two queries.
func (e *lcEnv) states(t testing.TB, wsID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range e.rows(t, `SELECT id, deleted_at IS NOT NULL FROM leads WHERE workspace_id = ?`, wsID) {
		id, trashed, _ := strings.Cut(r, "|")
		out[id] = map[bool]string{true: "trashed", false: "active"}[trashed == "1"]
	}
	for _, id := range e.rows(t, `SELECT lead_id FROM tombstones WHERE workspace_id = ?`, wsID) {
		if _, ok := out[id]; ok {
			out[id] = "inconsistent"
		} else {
			out[id] = "purged"
		}
	}
	return out
}

// checkCounters compares every count the store keeps or answers with a brute-force
// count of the rows, in both workspaces.
func (e *lcEnv) checkCounters(t testing.TB, stage string) {
	t.Helper()
	ctx := context.Background()
	for _, ws := range []store.Workspace{e.ws, e.other} {
		brute := bruteCounts(t, e.db, ws.ID)
		kept := map[string]string{}
		for _, r := range e.rows(t, `SELECT pool_id, status, contact, active, trashed FROM lead_counts WHERE workspace_id = ?`, ws.ID) {
			p := strings.SplitN(r, "|", 4)
			if p[3] != "0|0" {
				kept[p[0]+"|"+p[1]+"|"+p[2]] = p[3]
			}
		}
		if !maps.Equal(brute, kept) {
			t.Errorf("%s: %s lead_counts (active|trashed by pool|status|contact) = %v, brute force %v", stage, ws.Name, kept, brute)
		}

		active := e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ? AND deleted_at IS NULL`, ws.ID)
		trashed := e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ? AND deleted_at IS NOT NULL`, ws.ID)
		total, byStatus, err := e.s.Counts(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if total != active {
			t.Errorf("%s: %s Counts total = %d, brute force %d", stage, ws.Name, total, active)
		}
		for _, st := range store.Statuses {
			want := e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ? AND deleted_at IS NULL AND status = ?`, ws.ID, string(st))
			if byStatus[st] != want {
				t.Errorf("%s: %s Counts[%s] = %d, brute force %d", stage, ws.Name, st, byStatus[st], want)
			}
		}
		page, err := e.s.ListLeads(ctx, ws.ID, store.LeadFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != active {
			t.Errorf("%s: %s ListLeads Total = %d, brute force %d", stage, ws.Name, page.Total, active)
		}
		if listed := len(lcWalkLeads(t, e.s, ws.ID, store.LeadFilter{Limit: 100})); listed != active {
			t.Errorf("%s: %s ListLeads lists %d leads, brute force %d active", stage, ws.Name, listed, active)
		}
		tp, err := e.s.ListTrash(ctx, ws.ID, store.TrashFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if tp.Total != trashed {
			t.Errorf("%s: %s ListTrash Total = %d, brute force %d", stage, ws.Name, tp.Total, trashed)
		}
		if listed := len(lcWalkTrash(t, e.s, ws.ID, store.TrashFilter{Limit: 100})); listed != trashed {
			t.Errorf("%s: %s ListTrash lists %d leads, brute force %d trashed", stage, ws.Name, listed, trashed)
		}
		if ws.ID == e.ws.ID {
			for _, p := range e.pools {
				pp, err := e.s.ListLeads(ctx, ws.ID, store.LeadFilter{PoolID: p.ID, Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				if want := e.count(t, `SELECT count(*) FROM leads WHERE pool_id = ? AND deleted_at IS NULL`, p.ID); pp.Total != want {
					t.Errorf("%s: pool %s ListLeads Total = %d, brute force %d", stage, p.Name, pp.Total, want)
				}
			}
			mine, err := e.s.ListTrash(ctx, ws.ID, store.TrashFilter{DeletedBy: e.dana.ID, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			want := e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ? AND deleted_by = ? AND deleted_at IS NOT NULL`, ws.ID, e.dana.ID)
			if mine.Total != want {
				t.Errorf("%s: ListTrash(DeletedBy Dana) Total = %d, brute force %d", stage, mine.Total, want)
			}
		}
	}
}

func lcWalkLeads(t testing.TB, s *store.Store, wsID string, f store.LeadFilter) []string {
	t.Helper()
	var out []string
	for range 1000 {
		p, err := s.ListLeads(context.Background(), wsID, f)
		if err != nil {
			t.Fatalf("list leads %+v: %v", f, err)
		}
		out = append(out, lcIDs(p.Leads...)...)
		if p.Next == "" {
			return out
		}
		f.Cursor = p.Next
	}
	t.Fatal("ListLeads never ends")
	return nil
}

func lcWalkTrash(t testing.TB, s *store.Store, wsID string, f store.TrashFilter) []store.Lead {
	t.Helper()
	var out []store.Lead
	for range 1000 {
		p, err := s.ListTrash(context.Background(), wsID, f)
		if err != nil {
			t.Fatalf("list trash %+v: %v", f, err)
		}
		out = append(out, p.Leads...)
		if p.Next == "" {
			return out
		}
		f.Cursor = p.Next
	}
	t.Fatal("ListTrash never ends")
	return nil
}

// lcAudit returns every entry of the workspace's audit log the filter selects,
// newest first, following the cursors.
func lcAudit(t testing.TB, s *store.Store, wsID string, f store.AuditFilter) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	for range 1000 {
		p, err := s.ListAudit(context.Background(), wsID, f)
		if err != nil {
			t.Fatalf("list audit %+v: %v", f, err)
		}
		out = append(out, p.Entries...)
		if p.Next == "" {
			return out
		}
		f.Cursor = p.Next
	}
	t.Fatal("ListAudit never ends")
	return nil
}

func lcKinds(t testing.TB, s *store.Store, wsID, id string) []string {
	t.Helper()
	d, err := s.LeadDetail(context.Background(), wsID, id)
	if err != nil {
		t.Fatalf("lead detail %s: %v", id, err)
	}
	var kinds []string
	for _, a := range d.Activity {
		kinds = append(kinds, a.Kind)
	}
	return kinds
}

// lcWant fails unless err carries the code and, when given, matches the sentinel
// and has msg in its message.
func lcWant(t testing.TB, err error, code string, sentinel error, msg string) {
	t.Helper()
	wantError(t, err, code)
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("error %v: not errors.Is %v", err, sentinel)
	}
	if msg != "" && !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not say %q", err.Error(), msg)
	}
}

// --- Delete: active → trashed ------------------------------------------------

func TestDeleteMovesLeadsToTheTrashInOneBatch(t *testing.T) {
	cases := []struct {
		name            string
		n               int
		actor           func(e *lcEnv) store.Actor
		reason, details string
		wantReason      string
		wantDetails     string
		wantText        string
	}{
		{"one lead without a reason", 1, func(e *lcEnv) store.Actor { return e.dana }, "", "", "", "", "Moved to the Trash"},
		{"one lead with a reason and details", 1, func(e *lcEnv) store.Actor { return e.sam }, "gdpr_request", "  ticket 4411  ",
			"gdpr_request", "ticket 4411", "Moved to the Trash (GDPR request)"},
		{"several leads with a reason", 3, func(e *lcEnv) store.Actor { return e.dana }, " duplicate ", "same person thrice",
			"duplicate", "same person thrice", "Moved to the Trash (Duplicate)"},
		{"leads over every pool and status", 7, func(e *lcEnv) store.Actor { return e.sam }, "outdated", "",
			"outdated", "", "Moved to the Trash (Outdated)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newLC(t)
			bystanders := e.leads(t, 3)
			targets := e.leads(t, tc.n)
			e.otherLead(t)
			actor := tc.actor(e)
			e.clock.advance(time.Minute)
			now := e.clock.t
			before := e.snap(t)
			totalBefore, byStatusBefore, _ := e.s.Counts(ctx, e.ws.ID)

			b, err := e.s.DeleteLeads(ctx, e.ws, actor, store.DeleteRequest{IDs: lcIDs(targets...), Reason: tc.reason, Details: tc.details})
			if err != nil {
				t.Fatalf("delete: %v", err)
			}

			// The batch, as returned and as stored.
			stored, err := e.s.Batch(ctx, e.ws.ID, b.ID)
			if err != nil {
				t.Fatalf("batch: %v", err)
			}
			for label, got := range map[string]store.Batch{"returned": b, "stored": stored} {
				if !strings.HasPrefix(got.ID, "bat_") || got.WorkspaceID != e.ws.ID || got.Kind != "delete" ||
					got.ActorID != actor.ID || got.ActorName != actor.Name || got.Reason != tc.wantReason ||
					got.Details != tc.wantDetails || got.Count != tc.n || !got.UndoUntil.Equal(now.Add(10*time.Second)) ||
					!got.CreatedAt.Equal(now) || got.UndoneAt != nil {
					t.Errorf("%s batch = %+v, want by %s (%s), reason %q, details %q, count %d, undo until %v",
						label, got, actor.Name, actor.ID, tc.wantReason, tc.wantDetails, tc.n, now.Add(10*time.Second))
				}
			}
			if store.UndoWindow != 10*time.Second {
				t.Errorf("UndoWindow = %v, want the 10 s of the toast", store.UndoWindow)
			}

			// Each lead: marked, one "deleted" activity row.
			for _, l := range targets {
				got, err := e.s.Lead(ctx, e.ws.ID, l.ID)
				if err != nil {
					t.Fatalf("lead %s: %v", l.ID, err)
				}
				if !got.InTrash() || !got.DeletedAt.Equal(now) || got.DeletedBy != actor.ID || got.DeletedByName != actor.Name ||
					got.DeleteReason != tc.wantReason || got.BatchID != b.ID {
					t.Errorf("lead %s after delete: deleted %v by %q (%q), reason %q, batch %q", l.ID, got.DeletedAt,
						got.DeletedBy, got.DeletedByName, got.DeleteReason, got.BatchID)
				}
				if n := e.count(t, `SELECT count(*) FROM activity WHERE lead_id = ? AND kind = 'deleted'`, l.ID); n != 1 {
					t.Errorf("lead %s has %d 'deleted' activity rows, want 1", l.ID, n)
				}
				d, err := e.s.LeadDetail(ctx, e.ws.ID, l.ID)
				if err != nil {
					t.Fatal(err)
				}
				if a := d.Activity[0]; a.Kind != "deleted" || a.Text != tc.wantText || a.ActorName != actor.Name || !a.At.Equal(now) {
					t.Errorf("lead %s newest activity = %+v, want deleted %q by %s at %v", l.ID, a, tc.wantText, actor.Name, now)
				}
			}
			for _, l := range bystanders {
				if st := e.state(t, l.ID); st != "active" {
					t.Errorf("bystander %s is %s", l.ID, st)
				}
			}

			// Exactly one audit row, and nothing else but the batch, the marks and activity.
			after := e.snap(t)
			want := before
			want.Active, want.Trashed = before.Active-tc.n, before.Trashed+tc.n
			want.CountedActive, want.CountedTrashed = before.CountedActive-tc.n, before.CountedTrashed+tc.n
			want.Batches, want.Audit, want.Activity = before.Batches+1, before.Audit+1, before.Activity+tc.n
			want.LeadRows, want.BatchRows, want.CountRows = after.LeadRows, after.BatchRows, after.CountRows
			if after != want {
				t.Errorf("after delete:\n got %+v\nwant %+v", after, want)
			}
			entries := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{})
			wantLead := ""
			if tc.n == 1 {
				wantLead = targets[0].ID
			}
			if len(entries) != 1 {
				t.Fatalf("audit = %+v, want one entry", entries)
			}
			if a := entries[0]; a.Action != "delete" || a.Count != tc.n || a.BatchID != b.ID || a.LeadID != wantLead ||
				a.ActorKind != "user" || a.ActorID != actor.ID || a.ActorName != actor.Name || a.Reason != tc.wantReason ||
				a.Details != tc.wantDetails || !a.At.Equal(now) {
				t.Errorf("audit entry = %+v, want delete of %d by %s, batch %s, lead %q", a, tc.n, actor.Name, b.ID, wantLead)
			}

			// Gone from the table, search and counts at once; in the Trash with who deleted it.
			listed := lcWalkLeads(t, e.s, e.ws.ID, store.LeadFilter{Limit: 100})
			for _, l := range targets {
				if slices.Contains(listed, l.ID) {
					t.Errorf("trashed lead %s is still listed", l.ID)
				}
				if found := lcWalkLeads(t, e.s, e.ws.ID, store.LeadFilter{Query: l.Name}); len(found) != 0 {
					t.Errorf("search %q finds %v after the delete", l.Name, found)
				}
				if found := lcWalkLeads(t, e.s, e.ws.ID, store.LeadFilter{Query: l.Email}); len(found) != 0 {
					t.Errorf("search %q finds %v after the delete", l.Email, found)
				}
			}
			if len(listed) != len(bystanders) {
				t.Errorf("table lists %d leads, want the %d bystanders", len(listed), len(bystanders))
			}
			total, byStatus, err := e.s.Counts(ctx, e.ws.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range targets {
				byStatusBefore[l.Status]--
			}
			maps.DeleteFunc(byStatus, func(_ store.Status, n int) bool { return n == 0 })
			maps.DeleteFunc(byStatusBefore, func(_ store.Status, n int) bool { return n == 0 })
			if total != totalBefore-tc.n || !maps.Equal(byStatus, byStatusBefore) {
				t.Errorf("Counts = %d %v, want %d %v", total, byStatus, totalBefore-tc.n, byStatusBefore)
			}
			trash, err := e.s.ListTrash(ctx, e.ws.ID, store.TrashFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if trash.Total != tc.n || len(trash.Leads) != tc.n {
				t.Errorf("Trash: Total %d, %d leads, want %d", trash.Total, len(trash.Leads), tc.n)
			}
			for _, l := range trash.Leads {
				if l.DeletedByName != actor.Name || l.BatchID != b.ID || !slices.Contains(lcIDs(targets...), l.ID) {
					t.Errorf("Trash row %s: deleted by %q, batch %q", l.ID, l.DeletedByName, l.BatchID)
				}
			}
			for _, l := range targets {
				found := lcWalkTrash(t, e.s, e.ws.ID, store.TrashFilter{Query: l.Name})
				if len(found) != 1 || found[0].ID != l.ID {
					t.Errorf("Trash search %q finds %v, want %s", l.Name, lcIDs(found...), l.ID)
				}
			}
			e.checkCounters(t, "after the delete")
		})
	}
}

func TestDeleteTakesUpToMaxIDsAndIgnoresRepeatedIDs(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	if _, err := e.s.Seed(ctx, e.ws.ID, store.MaxIDs, store.SeedOptions{Rand: testRand()}); err != nil {
		t.Fatal(err)
	}
	ids := lcWalkLeads(t, e.s, e.ws.ID, store.LeadFilter{Limit: 100})
	if len(ids) != store.MaxIDs {
		t.Fatalf("seeded %d leads, want %d", len(ids), store.MaxIDs)
	}
	// The same id again, and padded with spaces, is one lead.
	req := append(slices.Clone(ids), ids[0], " "+ids[1]+" ", "")
	b, err := e.s.DeleteLeads(ctx, e.ws, e.sam, store.DeleteRequest{IDs: req, Reason: "outdated"})
	if err != nil {
		t.Fatalf("delete %d leads: %v", store.MaxIDs, err)
	}
	if b.Count != store.MaxIDs {
		t.Errorf("batch count = %d, want %d", b.Count, store.MaxIDs)
	}
	if n := e.count(t, `SELECT count(*) FROM activity WHERE kind = 'deleted'`); n != store.MaxIDs {
		t.Errorf("%d 'deleted' activity rows, want %d", n, store.MaxIDs)
	}
	if a := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{}); len(a) != 1 || a[0].Count != store.MaxIDs {
		t.Errorf("audit = %+v, want one delete of %d", a, store.MaxIDs)
	}
	e.checkCounters(t, "after deleting MaxIDs leads")
	res, err := e.s.UndoBatch(ctx, e.ws.ID, e.sam, b.ID)
	if err != nil || res.Restored != store.MaxIDs || res.NotRestored != 0 {
		t.Fatalf("undo = %+v, %v; want %d restored", res, err, store.MaxIDs)
	}
	e.checkCounters(t, "after undoing it")
}

// --- Refused transitions: an error code, and nothing changed -----------------

func TestRefusedTransitionsChangeNothing(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	a, b, c := e.lead(t), e.lead(t), e.lead(t)
	tr := e.lead(t)
	trB := e.del(t, e.dana, "", tr.ID) // trashed by Dana
	p := e.lead(t)
	pB := e.del(t, e.dana, "invalid", p.ID)
	if _, err := e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{p.ID}); err != nil {
		t.Fatal(err)
	}
	u := e.lead(t)
	uB := e.del(t, e.sam, "", u.ID)
	if _, err := e.s.UndoBatch(ctx, e.ws.ID, e.sam, uB.ID); err != nil {
		t.Fatal(err)
	}
	o := e.otherLead(t)
	ot := e.otherLead(t)
	otB, err := e.s.DeleteLeads(ctx, e.other, e.olga, store.DeleteRequest{IDs: []string{ot.ID}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.advance(time.Minute) // every undo window is closed
	strict := e.ws
	strict.ReasonRequired = true
	var tooMany []string
	for i := range store.MaxIDs + 1 {
		tooMany = append(tooMany, fmt.Sprintf("lead_%016x", i+1))
	}
	tooMany[0] = a.ID

	del := func(ws store.Workspace, actor store.Actor, reason, details string, ids ...string) func() error {
		return func() error {
			_, err := e.s.DeleteLeads(ctx, ws, actor, store.DeleteRequest{IDs: ids, Reason: reason, Details: details})
			return err
		}
	}
	restore := func(wsID string, onlyBy string, ids ...string) func() error {
		return func() error { _, err := e.s.RestoreLeads(ctx, wsID, e.sam, ids, onlyBy); return err }
	}
	purge := func(wsID string, ids ...string) func() error {
		return func() error { _, err := e.s.PurgeLeads(ctx, wsID, e.dana, ids); return err }
	}
	undo := func(wsID, batchID string) func() error {
		return func() error { _, err := e.s.UndoBatch(ctx, wsID, e.dana, batchID); return err }
	}
	restoreBatch := func(wsID, batchID string) func() error {
		return func() error { _, err := e.s.RestoreBatch(ctx, wsID, e.dana, batchID); return err }
	}
	purgeBatch := func(wsID, batchID string) func() error {
		return func() error { _, err := e.s.PurgeBatch(ctx, wsID, e.dana, batchID); return err }
	}
	cases := []struct {
		name     string
		call     func() error
		code     string
		sentinel error
		msg      string // in the message, or the field with a validation message
	}{
		// delete
		{"delete a trashed lead", del(e.ws, e.dana, "", "", tr.ID), store.EConflict, store.ErrAlreadyInTrash, "already in the Trash"},
		{"delete active and trashed leads together", del(e.ws, e.dana, "duplicate", "", a.ID, tr.ID, b.ID), store.EConflict, nil, tr.ID},
		{"delete with another workspace's lead mixed in", del(e.ws, e.dana, "duplicate", "", a.ID, b.ID, o.ID), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"delete another workspace's lead", del(e.ws, e.dana, "", "", o.ID), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"delete a lead through another workspace", del(e.other, e.olga, "", "", a.ID), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"delete a purged lead", del(e.ws, e.dana, "", "", p.ID), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"delete an unknown id", del(e.ws, e.dana, "", "", "lead_0000000000000000"), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"delete a malformed id with active leads", del(e.ws, e.dana, "other", "", a.ID, "lead_' OR '1'='1"), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"delete no ids", del(e.ws, e.dana, "other", ""), store.EInvalid, nil, "ids"},
		{"delete only blank ids", del(e.ws, e.dana, "other", "", "", "  "), store.EInvalid, nil, "ids"},
		{"delete more than MaxIDs ids", del(e.ws, e.dana, "other", "", tooMany...), store.EInvalid, nil, "ids"},
		{"delete with a reason that is not one", del(e.ws, e.dana, "because", "", a.ID), store.EInvalid, nil, "reason"},
		{"delete several without a reason", del(e.ws, e.dana, "", "", a.ID, b.ID), store.EInvalid, nil, "reason"},
		{"delete several with a blank reason", del(e.ws, e.dana, "   ", "", a.ID, b.ID, c.ID), store.EInvalid, nil, "reason"},
		{"delete with overlong details", del(e.ws, e.dana, "other", strings.Repeat("é", 1001), a.ID), store.EInvalid, nil, "details"},
		{"delete one without a reason where the workspace requires one", del(strict, e.dana, "", "", a.ID), store.EInvalid, nil, "reason"},
		// restore
		{"restore an active lead", restore(e.ws.ID, "", a.ID), store.EConflict, store.ErrNotInTrash, "not in the Trash"},
		{"restore a trashed and an active lead", restore(e.ws.ID, "", tr.ID, a.ID), store.EConflict, nil, a.ID},
		{"restore another workspace's trashed lead", restore(e.ws.ID, "", ot.ID), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"restore a trashed lead through another workspace", restore(e.other.ID, "", tr.ID), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"restore someone else's deletion as an agent", restore(e.ws.ID, e.sam.ID, tr.ID), store.EForbidden, nil, ""},
		{"restore a purged lead", restore(e.ws.ID, "", p.ID), store.EGone, nil, "permanently deleted"},
		{"restore a trashed and a purged lead", restore(e.ws.ID, "", tr.ID, p.ID), store.EGone, nil, "permanently deleted"},
		{"restore no ids", restore(e.ws.ID, ""), store.EInvalid, nil, "ids"},
		// purge
		{"purge an active lead", purge(e.ws.ID, a.ID), store.EConflict, nil, ""},
		{"purge a trashed and an active lead", purge(e.ws.ID, tr.ID, a.ID), store.EConflict, nil, ""},
		{"purge a purged lead", purge(e.ws.ID, p.ID), store.EGone, nil, "permanently deleted"},
		{"purge another workspace's trashed lead", purge(e.ws.ID, ot.ID), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"purge a trashed lead through another workspace", purge(e.other.ID, tr.ID), store.ELeadNotFound, store.ErrLeadNotFound, ""},
		{"purge no ids", purge(e.ws.ID), store.EInvalid, nil, "ids"},
		// batches
		{"undo after the window", undo(e.ws.ID, trB.ID), store.EUndoExpired, store.ErrUndoExpired, ""},
		{"undo another workspace's batch", undo(e.ws.ID, otB.ID), store.ENotFound, store.ErrBatchNotFound, ""},
		{"undo a batch through another workspace", undo(e.other.ID, trB.ID), store.ENotFound, store.ErrBatchNotFound, ""},
		{"undo an unknown batch", undo(e.ws.ID, "bat_0000000000000000"), store.ENotFound, store.ErrBatchNotFound, ""},
		{"undo an empty batch id", undo(e.ws.ID, ""), store.ENotFound, store.ErrBatchNotFound, ""},
		{"restore another workspace's batch", restoreBatch(e.ws.ID, otB.ID), store.ENotFound, store.ErrBatchNotFound, ""},
		{"restore a batch through another workspace", restoreBatch(e.other.ID, trB.ID), store.ENotFound, store.ErrBatchNotFound, ""},
		{"restore a batch whose leads were purged", restoreBatch(e.ws.ID, pB.ID), store.EGone, nil, "permanently deleted"},
		{"restore a batch already undone", restoreBatch(e.ws.ID, uB.ID), store.EConflict, nil, ""},
		{"purge another workspace's batch", purgeBatch(e.ws.ID, otB.ID), store.ENotFound, store.ErrBatchNotFound, ""},
		{"purge a batch through another workspace", purgeBatch(e.other.ID, trB.ID), store.ENotFound, store.ErrBatchNotFound, ""},
		{"purge a batch whose leads were purged", purgeBatch(e.ws.ID, pB.ID), store.EConflict, nil, ""},
		{"purge a batch already undone", purgeBatch(e.ws.ID, uB.ID), store.EConflict, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snap(t)
			err := tc.call()
			if tc.code == store.EInvalid {
				wantInvalid(t, err, tc.msg)
			} else {
				lcWant(t, err, tc.code, tc.sentinel, tc.msg)
			}
			lcSameSnap(t, tc.name, before, e.snap(t))
		})
	}
	for id, want := range map[string]string{a.ID: "active", b.ID: "active", c.ID: "active", tr.ID: "trashed", p.ID: "purged",
		u.ID: "active", o.ID: "active", ot.ID: "trashed"} {
		if got := e.state(t, id); got != want {
			t.Errorf("lead %s is %s after the refusals, want %s", id, got, want)
		}
	}
	e.checkCounters(t, "after the refusals")
}

// --- From the Trash: undo, restore, purge ------------------------------------

func TestEveryTransitionOutOfTheTrash(t *testing.T) {
	type result struct {
		n   int
		err error
	}
	cases := []struct {
		name     string
		op       func(e *lcEnv, b store.Batch, ids []string) result
		end      string // active or purged
		action   string // of the audit row
		text     string // of the "restored" activity row
		viaBatch bool   // the audit row names the batch
		undone   bool   // the batch is marked undone
	}{
		{"UndoBatch", func(e *lcEnv, b store.Batch, _ []string) result {
			r, err := e.s.UndoBatch(context.Background(), e.ws.ID, e.sam, b.ID)
			if err == nil && (r.NotRestored != 0 || r.Already || r.Batch.ID != b.ID) {
				err = fmt.Errorf("result %+v", r)
			}
			return result{r.Restored, err}
		}, "active", "undo", "Deletion undone", true, true},
		{"RestoreLeads", func(e *lcEnv, _ store.Batch, ids []string) result {
			n, err := e.s.RestoreLeads(context.Background(), e.ws.ID, e.sam, ids, "")
			return result{n, err}
		}, "active", "restore", "Restored from the Trash", false, false},
		{"RestoreLeads of one's own deletions", func(e *lcEnv, _ store.Batch, ids []string) result {
			n, err := e.s.RestoreLeads(context.Background(), e.ws.ID, e.sam, ids, e.dana.ID)
			return result{n, err}
		}, "active", "restore", "Restored from the Trash", false, false},
		{"RestoreBatch", func(e *lcEnv, b store.Batch, _ []string) result {
			r, err := e.s.RestoreBatch(context.Background(), e.ws.ID, e.sam, b.ID)
			if err == nil && (r.NotRestored != 0 || r.Already) {
				err = fmt.Errorf("result %+v", r)
			}
			return result{r.Restored, err}
		}, "active", "restore", "Restored from the Trash", true, false},
		{"PurgeLeads", func(e *lcEnv, _ store.Batch, ids []string) result {
			n, err := e.s.PurgeLeads(context.Background(), e.ws.ID, e.sam, ids)
			return result{n, err}
		}, "purged", "purge", "", false, false},
		{"PurgeBatch", func(e *lcEnv, b store.Batch, _ []string) result {
			n, err := e.s.PurgeBatch(context.Background(), e.ws.ID, e.sam, b.ID)
			return result{n, err}
		}, "purged", "purge", "", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newLC(t)
			targets := e.leads(t, 2)
			ids := lcIDs(targets...)
			other := e.lead(t) // trashed by another batch: must not move
			otherB := e.del(t, e.dana, "", other.ID)
			e.clock.advance(time.Second)
			b := e.del(t, e.dana, "duplicate", ids...)
			e.clock.advance(3 * time.Second) // inside the undo window
			now := e.clock.t
			before := e.snap(t)
			activityOfTargets := e.count(t, `SELECT count(*) FROM activity WHERE lead_id IN (?, ?)`, ids[0], ids[1])
			kindsBefore := map[string][]string{}
			for _, id := range ids {
				kindsBefore[id] = lcKinds(t, e.s, e.ws.ID, id)
			}

			r := tc.op(e, b, ids)
			if r.err != nil || r.n != 2 {
				t.Fatalf("%s = %d, %v; want 2 leads", tc.name, r.n, r.err)
			}

			after := e.snap(t)
			want := before
			want.Audit++
			want.Trashed, want.CountedTrashed = before.Trashed-2, before.CountedTrashed-2
			switch tc.end {
			case "active":
				want.Active, want.CountedActive = before.Active+2, before.CountedActive+2
				want.Activity += 2
			case "purged":
				want.Leads -= 2
				want.Activity -= activityOfTargets
				want.Tombstones += 2
				want.FTS -= 2
			}
			want.LeadRows, want.BatchRows, want.CountRows = after.LeadRows, after.BatchRows, after.CountRows
			if after != want {
				t.Errorf("after %s:\n got %+v\nwant %+v", tc.name, after, want)
			}
			for _, id := range ids {
				if got := e.state(t, id); got != tc.end {
					t.Errorf("lead %s is %s, want %s", id, got, tc.end)
				}
				if tc.end == "active" {
					l, err := e.s.Lead(ctx, e.ws.ID, id)
					if err != nil {
						t.Fatal(err)
					}
					if l.InTrash() || l.DeletedBy != "" || l.DeletedByName != "" || l.DeleteReason != "" || l.BatchID != "" {
						t.Errorf("restored lead %s still carries its deletion: %+v", id, l)
					}
					d, _ := e.s.LeadDetail(ctx, e.ws.ID, id)
					if got := lcKinds(t, e.s, e.ws.ID, id); !slices.Equal(got, append([]string{"restored"}, kindsBefore[id]...)) {
						t.Errorf("lead %s activity = %v, want restored on top of %v", id, got, kindsBefore[id])
					}
					if a := d.Activity[0]; a.Text != tc.text || a.ActorName != e.sam.Name || !a.At.Equal(now) {
						t.Errorf("lead %s restored activity = %+v, want %q by %s at %v", id, a, tc.text, e.sam.Name, now)
					}
				}
			}
			if got := e.state(t, other.ID); got != "trashed" {
				t.Errorf("a lead of another batch is %s, want trashed", got)
			}
			if ob, _ := e.s.Batch(ctx, e.ws.ID, otherB.ID); ob.UndoneAt != nil {
				t.Errorf("another batch was marked undone")
			}
			entries := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{})
			wantBatch := ""
			if tc.viaBatch {
				wantBatch = b.ID
			}
			if a := entries[0]; a.Action != tc.action || a.Count != 2 || a.BatchID != wantBatch || a.LeadID != "" ||
				a.ActorID != e.sam.ID || a.ActorName != e.sam.Name || !a.At.Equal(now) {
				t.Errorf("audit entry = %+v, want %s of 2 by %s, batch %q", a, tc.action, e.sam.Name, wantBatch)
			}
			got, err := e.s.Batch(ctx, e.ws.ID, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if (got.UndoneAt != nil) != tc.undone || (tc.undone && !got.UndoneAt.Equal(now)) {
				t.Errorf("batch undone at %v, want undone: %v (at %v)", got.UndoneAt, tc.undone, now)
			}
			if got.FirstLeadID != "" {
				t.Errorf("batch FirstLeadID = %q once none of its leads is left in it", got.FirstLeadID)
			}
			e.checkCounters(t, "after "+tc.name)
		})
	}
}

// --- The undo window ---------------------------------------------------------

func TestUndoWindowWithItsGrace(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	cases := []struct {
		after time.Duration
		ok    bool
	}{
		{0, true},
		{9900 * time.Millisecond, true},
		{10 * time.Second, true},
		{11900 * time.Millisecond, true}, // inside the 2 s grace
		{12 * time.Second, true},         // the last instant of the grace
		{12001 * time.Millisecond, false},
		{12100 * time.Millisecond, false},
		{time.Hour, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("undo at +%v", tc.after), func(t *testing.T) {
			e.clock.advance(time.Hour)
			l := e.lead(t)
			b := e.del(t, e.dana, "", l.ID)
			e.clock.advance(tc.after)
			before := e.snap(t)
			res, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, b.ID)
			if !tc.ok {
				lcWant(t, err, store.EUndoExpired, store.ErrUndoExpired, "Trash")
				lcSameSnap(t, "an expired undo", before, e.snap(t))
				trash := lcWalkTrash(t, e.s, e.ws.ID, store.TrashFilter{})
				if !slices.Contains(lcIDs(trash...), l.ID) {
					t.Errorf("after an expired undo the lead is not in the Trash")
				}
				// Too late to undo is not too late to restore.
				if n, err := e.s.RestoreLeads(ctx, e.ws.ID, e.dana, []string{l.ID}, e.dana.ID); err != nil || n != 1 {
					t.Errorf("restore after the window = %d, %v", n, err)
				}
				return
			}
			if err != nil || res.Restored != 1 || res.NotRestored != 0 || res.Already {
				t.Fatalf("undo = %+v, %v; want 1 restored", res, err)
			}
			if st := e.state(t, l.ID); st != "active" {
				t.Errorf("lead is %s after undo", st)
			}
			// Again, at once and an hour later: success, Already, nothing written.
			for _, later := range []time.Duration{0, time.Hour} {
				e.clock.advance(later)
				before := e.snap(t)
				again, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, b.ID)
				if err != nil || !again.Already || again.Batch.ID != b.ID || again.Batch.UndoneAt == nil {
					t.Errorf("repeated undo (+%v) = %+v, %v; want success with Already", later, again, err)
				}
				lcSameSnap(t, "a repeated undo", before, e.snap(t))
			}
			if n := len(lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "undo", LeadID: l.ID})); n != 1 {
				t.Errorf("%d undo audit rows for the lead, want 1", n)
			}
		})
	}
	e.checkCounters(t, "after the undos")
}

// --- Restore is exact --------------------------------------------------------

func TestRestoreBringsTheLeadBackExactly(t *testing.T) {
	ways := map[string]func(e *lcEnv, b store.Batch, id string) error{
		"UndoBatch": func(e *lcEnv, b store.Batch, _ string) error {
			_, err := e.s.UndoBatch(context.Background(), e.ws.ID, e.sam, b.ID)
			return err
		},
		"RestoreLeads": func(e *lcEnv, _ store.Batch, id string) error {
			_, err := e.s.RestoreLeads(context.Background(), e.ws.ID, e.sam, []string{id}, "")
			return err
		},
		"RestoreBatch": func(e *lcEnv, b store.Batch, _ string) error {
			_, err := e.s.RestoreBatch(context.Background(), e.ws.ID, e.sam, b.ID)
			return err
		},
	}
	for _, name := range slices.Sorted(maps.Keys(ways)) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e := newLC(t)
			e.leads(t, 4) // neighbours
			l := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr("Dana Lee"), Email: ptr("dana.lee@initech.example"),
				Phone: ptr("+1 415 555 0123"), Company: ptr("Initech"), Status: ptr("qualified"), PoolID: ptr(e.pools[2].ID),
				Source: ptr("webinar"), Tags: &[]string{"vip", "enterprise"}})
			e.clock.advance(time.Minute)
			if _, err := e.s.UpdateLead(ctx, e.ws, e.sam, l.ID, store.LeadInput{Company: ptr("Initech Ltd")}); err != nil {
				t.Fatal(err)
			}
			for _, body := range []string{"Called, left a voicemail.", "Wants a quote for 25 seats."} {
				e.clock.advance(time.Minute)
				if _, err := e.s.AddNote(ctx, e.ws.ID, e.sam, l.ID, body); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.db.Exec(`INSERT INTO tasks (id, lead_id, title, due_at, created_at) VALUES (?, ?, ?, ?, ?)`,
				"task_00000000000000aa", l.ID, "Send the quote", e.clock.t.Add(48*time.Hour).UnixMilli(), e.clock.t.UnixMilli()); err != nil {
				t.Fatalf("insert a task: %v", err)
			}
			e.clock.advance(time.Minute)
			before, err := e.s.LeadDetail(ctx, e.ws.ID, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(before.Notes) != 2 || len(before.Tasks) != 1 || len(before.Activity) != 4 {
				t.Fatalf("setup: %d notes, %d tasks, %d activity rows", len(before.Notes), len(before.Tasks), len(before.Activity))
			}
			total, byStatus, _ := e.s.Counts(ctx, e.ws.ID)
			page, _ := e.s.ListLeads(ctx, e.ws.ID, store.LeadFilter{PoolID: e.pools[2].ID})
			searches := []string{"dana lee", "initech", "dana.lee@initech", "415 555 0123", l.ID}

			b := e.del(t, e.dana, "", l.ID)
			for _, q := range searches {
				if found := lcWalkLeads(t, e.s, e.ws.ID, store.LeadFilter{Query: q}); slices.Contains(found, l.ID) {
					t.Errorf("search %q finds the trashed lead", q)
				}
			}
			e.clock.advance(2 * time.Second)
			restoredAt := e.clock.t
			if err := ways[name](e, b, l.ID); err != nil {
				t.Fatalf("%s: %v", name, err)
			}

			after, err := e.s.LeadDetail(ctx, e.ws.ID, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(after.Lead, before.Lead) {
				t.Errorf("restored lead:\n got %+v\nwant %+v", after.Lead, before.Lead)
			}
			if after.Lead.PoolID != e.pools[2].ID || after.Lead.Status != store.StatusQualified || after.Lead.OwnerID != e.dana.ID ||
				!slices.Equal(after.Lead.Tags, []string{"enterprise", "vip"}) {
				t.Errorf("restored lead lost its pool, status, owner or tags: %+v", after.Lead)
			}
			if !reflect.DeepEqual(after.Notes, before.Notes) || !reflect.DeepEqual(after.Tasks, before.Tasks) {
				t.Errorf("notes or tasks changed:\n got %+v %+v\nwant %+v %+v", after.Notes, after.Tasks, before.Notes, before.Tasks)
			}
			if len(after.Activity) != len(before.Activity)+2 || !reflect.DeepEqual(after.Activity[2:], before.Activity) {
				t.Errorf("activity = %+v, want the earlier %+v under two new rows", after.Activity, before.Activity)
			} else if after.Activity[0].Kind != "restored" || after.Activity[1].Kind != "deleted" ||
				!after.Activity[0].At.Equal(restoredAt) || after.Activity[0].ActorName != e.sam.Name {
				t.Errorf("newest activity = %+v, want restored by %s at %v over deleted", after.Activity[:2], e.sam.Name, restoredAt)
			}
			total2, byStatus2, _ := e.s.Counts(ctx, e.ws.ID)
			page2, _ := e.s.ListLeads(ctx, e.ws.ID, store.LeadFilter{PoolID: e.pools[2].ID})
			if total2 != total || !maps.Equal(byStatus2, byStatus) || page2.Total != page.Total {
				t.Errorf("counts after restore = %d %v (pool %d), want %d %v (pool %d)", total2, byStatus2, page2.Total, total, byStatus, page.Total)
			}
			for _, q := range searches {
				if found := lcWalkLeads(t, e.s, e.ws.ID, store.LeadFilter{Query: q}); !slices.Contains(found, l.ID) {
					t.Errorf("search %q does not find the restored lead", q)
				}
			}
			if tp, _ := e.s.ListTrash(ctx, e.ws.ID, store.TrashFilter{}); tp.Total != 0 || len(tp.Leads) != 0 {
				t.Errorf("Trash after restore: Total %d, %d leads", tp.Total, len(tp.Leads))
			}
			e.checkCounters(t, "after the restore")
		})
	}
}

// --- Purge -------------------------------------------------------------------

func TestPurgeLeavesOnlyATombstone(t *testing.T) {
	for _, viaBatch := range []bool{false, true} {
		name := "PurgeLeads"
		if viaBatch {
			name = "PurgeBatch"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e := newLC(t)
			keep := e.lead(t)
			kb := e.del(t, e.dana, "", keep.ID) // another trashed lead: stays
			l := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr("Zelda Purgeable"), Email: ptr("zelda@hyrule.example"),
				Phone: ptr("+1 415 555 0123"), Tags: &[]string{"vip"}})
			if _, err := e.s.AddNote(ctx, e.ws.ID, e.dana, l.ID, "Prefers e-mail."); err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.Exec(`INSERT INTO tasks (id, lead_id, title, created_at) VALUES ('task_00000000000000bb', ?, 'Call back', 0)`, l.ID); err != nil {
				t.Fatal(err)
			}
			var seq int64
			e.scalar(t, &seq, `SELECT seq FROM leads WHERE id = ?`, l.ID)
			if n := e.count(t, `SELECT count(*) FROM leads_fts WHERE rowid = ?`, seq); n != 1 {
				t.Fatalf("setup: %d search entries for the lead", n)
			}
			b := e.del(t, e.sam, "gdpr_request", l.ID)
			e.clock.advance(time.Hour)
			now := e.clock.t
			trashBefore, _ := e.s.ListTrash(ctx, e.ws.ID, store.TrashFilter{})

			var n int
			var err error
			if viaBatch {
				n, err = e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b.ID)
			} else {
				n, err = e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{l.ID})
			}
			if err != nil || n != 1 {
				t.Fatalf("%s = %d, %v", name, n, err)
			}

			for table, q := range map[string]string{
				"leads":    `SELECT count(*) FROM leads WHERE id = ?`,
				"notes":    `SELECT count(*) FROM notes WHERE lead_id = ?`,
				"tags":     `SELECT count(*) FROM tags WHERE lead_id = ?`,
				"tasks":    `SELECT count(*) FROM tasks WHERE lead_id = ?`,
				"activity": `SELECT count(*) FROM activity WHERE lead_id = ?`,
			} {
				if n := e.count(t, q, l.ID); n != 0 {
					t.Errorf("%d rows of %s are left for the purged lead", n, table)
				}
			}
			if n := e.count(t, `SELECT count(*) FROM leads_fts WHERE rowid = ?`, seq); n != 0 {
				t.Errorf("the purged lead's search entry is left")
			}
			for _, q := range []string{"zelda", "hyrule", "4155550123", l.ID} {
				if found := lcWalkTrash(t, e.s, e.ws.ID, store.TrashFilter{Query: q}); len(found) != 0 {
					t.Errorf("Trash search %q finds %v after the purge", q, lcIDs(found...))
				}
				if found := lcWalkLeads(t, e.s, e.ws.ID, store.LeadFilter{Query: q}); len(found) != 0 {
					t.Errorf("search %q finds %v after the purge", q, found)
				}
			}
			ts, err := e.s.Tombstone(ctx, e.ws.ID, l.ID)
			if err != nil {
				t.Fatalf("tombstone: %v", err)
			}
			if ts.LeadID != l.ID || !ts.PurgedAt.Equal(now) || ts.How != "manual" || ts.ByName != e.dana.Name ||
				!strings.Contains(ts.Message(), "permanently deleted") || !strings.Contains(ts.Message(), e.dana.Name) {
				t.Errorf("tombstone = %+v, message %q", ts, ts.Message())
			}
			// The tombstone keeps no name or value, only keyed hashes.
			row := strings.Join(e.rows(t, `SELECT * FROM tombstones WHERE lead_id = ?`, l.ID), "")
			for _, pii := range []string{"Zelda", "zelda@hyrule.example", "+14155550123", "4155550123"} {
				if strings.Contains(row, pii) {
					t.Errorf("the tombstone holds %q: %s", pii, row)
				}
			}
			if _, err := e.s.Tombstone(ctx, e.other.ID, l.ID); !errors.Is(err, store.ErrLeadNotFound) {
				t.Errorf("another workspace reads the tombstone: %v", err)
			}
			entries := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "purge"})
			wantBatch := ""
			if viaBatch {
				wantBatch = b.ID
			}
			if len(entries) != 1 || entries[0].Count != 1 || entries[0].LeadID != l.ID || entries[0].BatchID != wantBatch ||
				entries[0].ActorName != e.dana.Name || entries[0].Reason != "manual" || !entries[0].At.Equal(now) {
				t.Errorf("purge audit = %+v, want one purge of %s by %s, batch %q", entries, l.ID, e.dana.Name, wantBatch)
			}
			trashAfter, _ := e.s.ListTrash(ctx, e.ws.ID, store.TrashFilter{})
			if trashAfter.Total != trashBefore.Total-1 {
				t.Errorf("Trash Total %d → %d, want one less", trashBefore.Total, trashAfter.Total)
			}
			_, err = e.s.LeadDetail(ctx, e.ws.ID, l.ID)
			lcWant(t, err, store.ELeadNotFound, store.ErrLeadNotFound, "")
			_, err = e.s.Lead(ctx, e.ws.ID, l.ID)
			lcWant(t, err, store.ELeadNotFound, store.ErrLeadNotFound, "")
			if st := e.state(t, keep.ID); st != "trashed" {
				t.Errorf("a lead of another batch is %s after the purge", st)
			}
			if kept, _ := e.s.Batch(ctx, e.ws.ID, kb.ID); kept.FirstLeadID != keep.ID {
				t.Errorf("the other batch lost its lead: %+v", kept)
			}
			e.checkCounters(t, "after the purge")
		})
	}
}

func TestPurgeBatchLeavesTheBatchsRestoredLeadsAlone(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	ls := e.leads(t, 3)
	b := e.del(t, e.dana, "duplicate", lcIDs(ls...)...)
	if _, err := e.s.RestoreLeads(ctx, e.ws.ID, e.dana, []string{ls[0].ID}, ""); err != nil {
		t.Fatal(err)
	}
	n, err := e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b.ID)
	if err != nil || n != 2 {
		t.Fatalf("purge batch = %d, %v; want the 2 leads still in the Trash", n, err)
	}
	for id, want := range map[string]string{ls[0].ID: "active", ls[1].ID: "purged", ls[2].ID: "purged"} {
		if got := e.state(t, id); got != want {
			t.Errorf("lead %s is %s, want %s", id, got, want)
		}
	}
	e.checkCounters(t, "after a partial batch purge")
}

// TestABigPurgeGoesInChunksWithAnAuditRowEach deletes forever a deletion of 2,300
// leads, then a Trash search of as many: each goes PurgeChunk leads per transaction
// (so that a purge of 100,000 never holds the writer for minutes), with an audit row
// per chunk saying which part it is, and ends with every lead gone and the counters
// right. A held lead in the search refuses that purge whole, first.
func TestABigPurgeGoesInChunksWithAnAuditRowEach(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	const n = 2*store.PurgeChunk + 300
	deleteAll := func() store.Batch {
		t.Helper()
		if _, err := e.s.Seed(ctx, e.ws.ID, n, store.SeedOptions{}); err != nil {
			t.Fatal(err)
		}
		e.clock.advance(time.Minute)
		b, err := e.s.DeleteLeads(ctx, e.ws, e.dana, store.DeleteRequest{All: true, ExpectedCount: n, Reason: "outdated"})
		if err != nil || b.Count != n {
			t.Fatalf("delete all: %+v, %v", b, err)
		}
		return b
	}
	wantParts := func(what string, batchID string) {
		t.Helper()
		var got []string
		for _, a := range lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "purge"}) {
			if a.BatchID == batchID {
				got = append(got, fmt.Sprintf("%d %s", a.Count, a.Details))
			}
		}
		slices.Sort(got)
		want := []string{
			"1000 Part 1 of 3: leads 1 to 1,000 of 2,300",
			"1000 Part 2 of 3: leads 1,001 to 2,000 of 2,300",
			"300 Part 3 of 3: leads 2,001 to 2,300 of 2,300",
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: audit rows %q, want %q", what, got, want)
		}
	}

	b := deleteAll()
	got, err := e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b.ID)
	if err != nil || got != n {
		t.Fatalf("purge of the deletion: %d, %v; want %d", got, err, n)
	}
	wantParts("purge of the deletion", b.ID)
	if left := e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ?`, e.ws.ID); left != 0 {
		t.Errorf("%d leads left after the purge", left)
	}
	e.checkCounters(t, "after a purge in chunks")

	deleteAll()
	held := e.rows(t, `SELECT id FROM leads WHERE workspace_id = ? LIMIT 1`, e.ws.ID)[0]
	if _, err := e.s.Hold(ctx, e.ws.ID, e.dana, store.HoldTarget{LeadID: held}, "case 7"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PurgeMatching(ctx, e.ws.ID, e.dana, store.TrashFilter{}, n); store.ErrorCode(err) != store.EConflict {
		t.Fatalf("purge of a search with a held lead: %v, want CONFLICT", err)
	}
	if left := e.count(t, `SELECT count(*) FROM leads WHERE workspace_id = ?`, e.ws.ID); left != n {
		t.Fatalf("the refused purge left %d leads, want all %d", left, n)
	}
	if _, err := e.s.Release(ctx, e.ws.ID, e.dana, store.HoldTarget{LeadID: held}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.s.PurgeMatching(ctx, e.ws.ID, e.dana, store.TrashFilter{}, n); err != nil || got != n {
		t.Fatalf("purge of the search: %d, %v; want %d", got, err, n)
	}
	wantParts("purge of the search", "")
	e.checkCounters(t, "after a search purged in chunks")
}

// --- Undo and restore of batches whose leads were purged ---------------------

func TestUndoOfAPartlyPurgedBatchRestoresTheRest(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	ls := e.leads(t, 3)
	b := e.del(t, e.dana, "duplicate", lcIDs(ls...)...)
	e.clock.advance(2 * time.Second)
	if _, err := e.s.PurgeLeads(ctx, e.ws.ID, e.sam, []string{ls[1].ID}); err != nil {
		t.Fatal(err)
	}
	e.clock.advance(2 * time.Second)
	res, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, b.ID)
	if err != nil || res.Restored != 2 || res.NotRestored != 1 || res.Already {
		t.Fatalf("undo = %+v, %v; want Restored 2, NotRestored 1", res, err)
	}
	for id, want := range map[string]string{ls[0].ID: "active", ls[1].ID: "purged", ls[2].ID: "active"} {
		if got := e.state(t, id); got != want {
			t.Errorf("lead %s is %s, want %s", id, got, want)
		}
	}
	if a := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "undo"}); len(a) != 1 || a[0].Count != 2 || a[0].BatchID != b.ID {
		t.Errorf("undo audit = %+v, want one of 2 leads", a)
	}
	e.checkCounters(t, "after the partial undo")
}

func TestUndoOrRestoreOfAFullyPurgedBatchIsGone(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d leads", n), func(t *testing.T) {
			e := newLC(t)
			ls := e.leads(t, n)
			b := e.del(t, e.dana, "duplicate", lcIDs(ls...)...)
			if got, err := e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b.ID); err != nil || got != n {
				t.Fatalf("purge batch = %d, %v", got, err)
			}
			e.clock.advance(time.Second)
			before := e.snap(t)
			_, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, b.ID)
			lcWant(t, err, store.EGone, nil, "permanently deleted")
			_, err = e.s.RestoreBatch(ctx, e.ws.ID, e.dana, b.ID)
			lcWant(t, err, store.EGone, nil, "permanently deleted")
			lcSameSnap(t, "undo and restore of a purged batch", before, e.snap(t))
			if got, _ := e.s.Batch(ctx, e.ws.ID, b.ID); got.UndoneAt != nil {
				t.Errorf("a refused undo marked the batch undone")
			}
			// And it stays so: a second undo inside the window is not "Already".
			_, err = e.s.UndoBatch(ctx, e.ws.ID, e.dana, b.ID)
			lcWant(t, err, store.EGone, nil, "")
		})
	}
}

func TestUndoOfABatchRestoredLeadByLead(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	ls := e.leads(t, 3)
	b := e.del(t, e.dana, "duplicate", lcIDs(ls...)...)
	if n, err := e.s.RestoreLeads(ctx, e.ws.ID, e.sam, []string{ls[0].ID}, ""); err != nil || n != 1 {
		t.Fatalf("restore one = %d, %v", n, err)
	}
	e.clock.advance(time.Second)
	res, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, b.ID)
	if err != nil || res.Restored != 2 || res.NotRestored != 0 {
		t.Fatalf("undo of the rest = %+v, %v; want 2 restored, 0 not", res, err)
	}

	// A batch all of whose leads were restored one by one has nothing left to undo.
	ls = e.leads(t, 2)
	b = e.del(t, e.dana, "duplicate", lcIDs(ls...)...)
	if _, err := e.s.RestoreLeads(ctx, e.ws.ID, e.dana, lcIDs(ls...), e.dana.ID); err != nil {
		t.Fatal(err)
	}
	before := e.snap(t)
	_, err = e.s.UndoBatch(ctx, e.ws.ID, e.dana, b.ID)
	lcWant(t, err, store.EConflict, nil, "restored already")
	_, err = e.s.RestoreBatch(ctx, e.ws.ID, e.dana, b.ID)
	lcWant(t, err, store.EConflict, nil, "restored already")
	lcSameSnap(t, "undo of a batch restored lead by lead", before, e.snap(t))
	e.checkCounters(t, "after the undos")
}

// --- Undo racing purge -------------------------------------------------------

func TestUndoAndPurgeRacingEndInOneConsistentState(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	const rounds = 40
	var undoWon, purgeWon int
	for i := range rounds {
		ls := e.leads(t, 3)
		b := e.del(t, e.dana, "duplicate", lcIDs(ls...)...)
		expired := i%4 == 3
		if expired {
			e.clock.advance(store.UndoWindow + store.UndoGrace + time.Millisecond)
		}
		var (
			wg              sync.WaitGroup
			start           = make(chan struct{})
			res             store.RestoreResult
			purged          int
			undoErr, purErr error
		)
		racers := []func(){
			func() { res, undoErr = e.s.UndoBatch(ctx, e.ws.ID, e.dana, b.ID) },
			func() { purged, purErr = e.s.PurgeBatch(ctx, e.ws.ID, e.sam, b.ID) },
		}
		if i%2 == 1 {
			slices.Reverse(racers) // give each the head start in turn
		}
		for j, run := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if j == 1 && i%3 == 0 {
					runtime.Gosched()
				}
				run()
			}()
		}
		close(start)
		wg.Wait()

		for op, err := range map[string]error{"undo": undoErr, "purge": purErr} {
			if c := store.ErrorCode(err); c != "" && c != store.EGone && c != store.EConflict && c != store.EUndoExpired {
				t.Fatalf("round %d: %s failed with %v (code %s), want only GONE, CONFLICT or UNDO_EXPIRED", i, op, err, c)
			}
		}
		want := ""
		switch {
		case undoErr == nil && purErr == nil:
			t.Fatalf("round %d: both the undo (%+v) and the purge (%d) succeeded", i, res, purged)
		case undoErr == nil:
			undoWon++
			want = "active"
			if expired || res.Restored != 3 || res.NotRestored != 0 || store.ErrorCode(purErr) != store.EConflict {
				t.Errorf("round %d: undo won with %+v, purge answered %v", i, res, purErr)
			}
		case purErr == nil:
			purgeWon++
			want = "purged"
			wantUndo := store.EGone
			if expired {
				wantUndo = store.EUndoExpired
			}
			if purged != 3 || store.ErrorCode(undoErr) != wantUndo {
				t.Errorf("round %d: purge won with %d, undo answered %v, want %s", i, purged, undoErr, wantUndo)
			}
		default:
			t.Fatalf("round %d: neither won: undo %v, purge %v", i, undoErr, purErr)
		}
		for _, l := range ls {
			if got := e.state(t, l.ID); got != want {
				t.Errorf("round %d: lead %s is %s, want %s", i, l.ID, got, want)
			}
		}
	}
	t.Logf("undo won %d rounds, purge won %d", undoWon, purgeWon)
	if n := e.count(t, `SELECT count(*) FROM audit WHERE workspace_id = ?`, e.ws.ID); n != 2*rounds {
		t.Errorf("%d audit rows, want %d (a delete and one winner a round)", n, 2*rounds)
	}
	e.checkCounters(t, "after the races")
}

// --- The audit log -----------------------------------------------------------

func TestAuditRecordsEachActionOnceNewestFirst(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	a, b, c := e.lead(t), e.lead(t), e.lead(t)
	t0 := e.clock.t
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	step := func(s int) { e.clock.t = at(s) }

	step(1)
	b1 := e.del(t, e.dana, "outdated", a.ID, b.ID)
	first := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{})
	step(2)
	if _, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, b1.ID); err != nil {
		t.Fatal(err)
	}
	step(3)
	b2, err := e.s.DeleteLeads(ctx, e.ws, e.sam, store.DeleteRequest{IDs: []string{a.ID}, Reason: "duplicate", Details: "same as Quentin003"})
	if err != nil {
		t.Fatal(err)
	}
	// Another workspace's action at the same time is in its own log only.
	ol := e.otherLead(t)
	if _, err := e.s.DeleteLeads(ctx, e.other, e.olga, store.DeleteRequest{IDs: []string{ol.ID}}); err != nil {
		t.Fatal(err)
	}
	step(4)
	if _, err := e.s.RestoreLeads(ctx, e.ws.ID, e.sam, []string{a.ID}, ""); err != nil {
		t.Fatal(err)
	}
	step(5)
	b3 := e.del(t, e.dana, "invalid", a.ID, b.ID, c.ID)
	step(6)
	if _, err := e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b3.ID); err != nil {
		t.Fatal(err)
	}

	type row struct {
		Action, Actor, Lead, Batch, Reason, Details string
		Count                                       int
		At                                          time.Time
	}
	all := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{})
	var got []row
	for _, x := range all {
		if x.ActorKind != "user" {
			t.Errorf("entry %d: actor kind %q", x.ID, x.ActorKind)
		}
		got = append(got, row{x.Action, x.ActorName, x.LeadID, x.BatchID, x.Reason, x.Details, x.Count, x.At})
	}
	want := []row{
		{"purge", e.dana.Name, "", b3.ID, "manual", "", 3, at(6)},
		{"delete", e.dana.Name, "", b3.ID, "invalid", "", 3, at(5)},
		{"restore", e.sam.Name, a.ID, "", "", "", 1, at(4)},
		{"delete", e.sam.Name, a.ID, b2.ID, "duplicate", "same as Quentin003", 1, at(3)},
		{"undo", e.dana.Name, "", b1.ID, "", "", 2, at(2)},
		{"delete", e.dana.Name, "", b1.ID, "outdated", "", 2, at(1)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("audit log:\n got %+v\nwant %+v", got, want)
	}
	// Append-only: the first entry is as it was written.
	if len(first) != 1 || !reflect.DeepEqual(all[len(all)-1], first[0]) {
		t.Errorf("the first entry changed: %+v → %+v", first, all[len(all)-1])
	}
	if ol := lcAudit(t, e.s, e.other.ID, store.AuditFilter{}); len(ol) != 1 || ol[0].ActorName != e.olga.Name {
		t.Errorf("other workspace's audit = %+v, want its one delete", ol)
	}

	actions := func(f store.AuditFilter) []string {
		var out []string
		for _, x := range lcAudit(t, e.s, e.ws.ID, f) {
			out = append(out, fmt.Sprintf("%s@%d", x.Action, x.At.Sub(t0)/time.Second))
		}
		return out
	}
	filters := []struct {
		name string
		f    store.AuditFilter
		want []string
	}{
		{"action delete", store.AuditFilter{Action: "delete"}, []string{"delete@5", "delete@3", "delete@1"}},
		{"action undo", store.AuditFilter{Action: "undo"}, []string{"undo@2"}},
		{"action purge", store.AuditFilter{Action: "purge"}, []string{"purge@6"}},
		{"actor Sam", store.AuditFilter{ActorID: e.sam.ID}, []string{"restore@4", "delete@3"}},
		{"actor Dana, action delete", store.AuditFilter{ActorID: e.dana.ID, Action: "delete"}, []string{"delete@5", "delete@1"}},
		{"actor of another workspace", store.AuditFilter{ActorID: e.olga.ID}, nil},
		{"lead a", store.AuditFilter{LeadID: a.ID}, []string{"restore@4", "delete@3"}},
		{"an unknown lead", store.AuditFilter{LeadID: "lead_0000000000000000"}, nil},
		{"from 2 s to 4 s", store.AuditFilter{From: at(2), To: at(4)}, []string{"delete@3", "undo@2"}},
		{"from 6 s", store.AuditFilter{From: at(6)}, []string{"purge@6"}},
		{"to 1 s", store.AuditFilter{To: at(1)}, nil},
		{"to 1 s and a millisecond", store.AuditFilter{To: at(1).Add(time.Millisecond)}, []string{"delete@1"}},
		{"from 1 s to 6 s, action delete", store.AuditFilter{From: at(1), To: at(6), Action: "delete"}, []string{"delete@5", "delete@3", "delete@1"}},
		{"page size 2", store.AuditFilter{Limit: 2}, []string{"purge@6", "delete@5", "restore@4", "delete@3", "undo@2", "delete@1"}},
	}
	for _, tc := range filters {
		if got := actions(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}

	for _, tc := range []struct {
		f     store.AuditFilter
		field string
	}{
		{store.AuditFilter{Action: "explode"}, "action"},
		{store.AuditFilter{Action: "DELETE"}, "action"},
		{store.AuditFilter{LeadID: "lead_123"}, "lead"},
		{store.AuditFilter{LeadID: "x' OR '1'='1"}, "lead"},
		{store.AuditFilter{From: at(3), To: at(3)}, "to"},
		{store.AuditFilter{From: at(4), To: at(3)}, "to"},
		{store.AuditFilter{Cursor: "not-a-cursor"}, "cursor"},
	} {
		_, err := e.s.ListAudit(ctx, e.ws.ID, tc.f)
		wantInvalid(t, err, tc.field)
	}
	e.checkCounters(t, "after the audited sequence")
}

func TestAuditPagingNeverSkipsOrRepeats(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	ls := e.leads(t, 60)
	for i, l := range ls {
		if i%3 == 0 {
			e.clock.advance(time.Second) // many entries share a millisecond
		}
		b := e.del(t, e.dana, "", l.ID)
		if _, err := e.s.UndoBatch(ctx, e.ws.ID, e.sam, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	wantIDs := e.rows(t, `SELECT id FROM audit WHERE workspace_id = ? ORDER BY at DESC, id DESC`, e.ws.ID)
	if len(wantIDs) != 120 {
		t.Fatalf("%d audit rows, want 120", len(wantIDs))
	}
	idsOf := func(es []store.AuditEntry) []string {
		var out []string
		for _, x := range es {
			out = append(out, fmt.Sprint(x.ID))
		}
		return out
	}

	// Forwards, 50 at a time.
	var pages []store.AuditPage
	f := store.AuditFilter{Limit: 50}
	for {
		p, err := e.s.ListAudit(ctx, e.ws.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		if p.Next == "" || len(pages) > 5 {
			break
		}
		f.Cursor = p.Next
	}
	var sizes []int
	var walked []string
	for _, p := range pages {
		sizes = append(sizes, len(p.Entries))
		walked = append(walked, idsOf(p.Entries)...)
	}
	if !slices.Equal(sizes, []int{50, 50, 20}) || !slices.Equal(walked, wantIDs) {
		t.Errorf("forward pages of %v; ids equal to the table's order: %v", sizes, slices.Equal(walked, wantIDs))
	}
	if pages[0].Prev != "" {
		t.Errorf("the first page has a previous page")
	}
	// Backwards from the last page, by Prev, to the first.
	last := pages[len(pages)-1]
	back := [][]string{idsOf(last.Entries)}
	for cur := last.Prev; cur != ""; {
		p, err := e.s.ListAudit(ctx, e.ws.ID, store.AuditFilter{Limit: 50, Cursor: cur})
		if err != nil {
			t.Fatal(err)
		}
		back = append([][]string{idsOf(p.Entries)}, back...)
		cur = p.Prev
		if len(back) > 5 {
			t.Fatal("paging back never ends")
		}
	}
	if got := slices.Concat(back...); !slices.Equal(got, wantIDs) {
		t.Errorf("walking back: %d ids, equal to the table's order: %v", len(got), slices.Equal(got, wantIDs))
	}
	// A filtered walk with a page size that does not divide it.
	undos := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "undo", Limit: 7})
	seen := map[int64]bool{}
	for _, x := range undos {
		if x.Action != "undo" || seen[x.ID] {
			t.Errorf("filtered walk: entry %+v (repeated: %v)", x, seen[x.ID])
		}
		seen[x.ID] = true
	}
	if len(undos) != 60 {
		t.Errorf("filtered walk found %d undo entries, want 60", len(undos))
	}
}

// --- Trash batches and pending undos -----------------------------------------

func TestTrashBatchesCountWhatIsStillInTheTrash(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	ls := e.leads(t, 8)
	b1 := e.del(t, e.dana, "duplicate", ls[0].ID, ls[1].ID, ls[2].ID)
	e.clock.advance(time.Second)
	b2 := e.del(t, e.sam, "outdated", ls[3].ID, ls[4].ID)
	e.clock.advance(time.Second)
	b3 := e.del(t, e.dana, "", ls[5].ID)
	e.clock.advance(time.Second)
	b4 := e.del(t, e.dana, "spam", ls[6].ID, ls[7].ID)
	if _, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, b4.ID); err != nil {
		t.Fatal(err)
	}
	ob := e.otherLead(t)
	if _, err := e.s.DeleteLeads(ctx, e.other, e.olga, store.DeleteRequest{IDs: []string{ob.ID}}); err != nil {
		t.Fatal(err)
	}

	type row struct {
		ID, Actor    string
		Count, Trash int
	}
	list := func(by string) []row {
		t.Helper()
		p, err := e.s.TrashBatches(ctx, e.ws.ID, by, "")
		if err != nil {
			t.Fatal(err)
		}
		if p.Next != "" || p.Prev != "" {
			t.Errorf("one page has neighbours: %q %q", p.Next, p.Prev)
		}
		var out []row
		for _, b := range p.Batches {
			out = append(out, row{b.ID, b.ActorName, b.Count, b.InTrash})
		}
		return out
	}
	steps := []struct {
		name string
		act  func() error
		by   string
		want []row
	}{
		{"after the deletes (the undone one dropped)", nil, "", []row{
			{b3.ID, e.dana.Name, 1, 1}, {b2.ID, e.sam.Name, 2, 2}, {b1.ID, e.dana.Name, 3, 3}}},
		{"Dana's only", nil, e.dana.ID, []row{{b3.ID, e.dana.Name, 1, 1}, {b1.ID, e.dana.Name, 3, 3}}},
		{"one lead of the first batch restored", func() error {
			_, err := e.s.RestoreLeads(ctx, e.ws.ID, e.dana, []string{ls[0].ID}, "")
			return err
		}, "", []row{{b3.ID, e.dana.Name, 1, 1}, {b2.ID, e.sam.Name, 2, 2}, {b1.ID, e.dana.Name, 3, 2}}},
		{"one lead of the first batch purged", func() error {
			_, err := e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{ls[1].ID})
			return err
		}, "", []row{{b3.ID, e.dana.Name, 1, 1}, {b2.ID, e.sam.Name, 2, 2}, {b1.ID, e.dana.Name, 3, 1}}},
		{"the second batch restored", func() error {
			_, err := e.s.RestoreBatch(ctx, e.ws.ID, e.dana, b2.ID)
			return err
		}, "", []row{{b3.ID, e.dana.Name, 1, 1}, {b1.ID, e.dana.Name, 3, 1}}},
		{"Sam has none left", nil, e.sam.ID, nil},
		{"the third batch purged", func() error {
			_, err := e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b3.ID)
			return err
		}, "", []row{{b1.ID, e.dana.Name, 3, 1}}},
	}
	for _, s := range steps {
		if s.act != nil {
			if err := s.act(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		if got := list(s.by); !reflect.DeepEqual(got, s.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", s.name, got, s.want)
		}
	}
	e.checkCounters(t, "after the batch steps")
}

func TestTrashBatchesPageWithoutSkipsOrRepeats(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	var want []string
	for i, l := range e.leads(t, 60) {
		if i%4 == 0 {
			e.clock.advance(time.Second) // batches sharing a creation time
		}
		e.del(t, e.dana, "", l.ID)
	}
	want = append(want, e.rows(t, `SELECT id FROM batches WHERE workspace_id = ? ORDER BY created_at DESC, id DESC`, e.ws.ID)...)
	var got []string
	var pages []store.BatchPage
	cur := ""
	for {
		p, err := e.s.TrashBatches(ctx, e.ws.ID, "", cur)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		for _, b := range p.Batches {
			got = append(got, b.ID)
		}
		if p.Next == "" || len(pages) > 5 {
			break
		}
		cur = p.Next
	}
	if !slices.Equal(got, want) || len(pages) != 3 {
		t.Errorf("walked %d batches in %d pages; in order: %v", len(got), len(pages), slices.Equal(got, want))
	}
	var back []string
	for cur := pages[len(pages)-1].Prev; cur != ""; {
		p, err := e.s.TrashBatches(ctx, e.ws.ID, "", cur)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, b := range p.Batches {
			ids = append(ids, b.ID)
		}
		back = append(ids, back...)
		cur = p.Prev
		if len(back) > len(want) {
			t.Fatal("paging back never ends")
		}
	}
	if last := pages[len(pages)-1]; !slices.Equal(append(back, got[len(got)-len(last.Batches):]...), want) {
		t.Errorf("walking back does not give the same batches")
	}
	if _, err := e.s.TrashBatches(ctx, e.ws.ID, "", "bogus"); store.ErrorCode(err) != store.EInvalid {
		t.Errorf("a bad cursor: %v", err)
	}
}

func TestPendingUndosAreTheActorsOpenBatchesUntilTheDeadline(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	ls := e.leads(t, 4)
	t0 := e.clock.t
	bA := e.del(t, e.dana, "", ls[0].ID)
	e.clock.advance(3 * time.Second)
	bB := e.del(t, e.dana, "duplicate", ls[1].ID, ls[2].ID)
	bC := e.del(t, e.sam, "", ls[3].ID)
	pending := func(wsID, actorID string) []string {
		t.Helper()
		bs, err := e.s.PendingUndos(ctx, wsID, actorID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, b := range bs {
			out = append(out, b.ID)
		}
		return out
	}
	steps := []struct {
		name  string
		at    time.Duration // from t0
		act   func()
		actor string
		ws    string
		want  []string
	}{
		{"Dana's two, oldest first", 3 * time.Second, nil, e.dana.ID, e.ws.ID, []string{bA.ID, bB.ID}},
		{"Sam's one", 3 * time.Second, nil, e.sam.ID, e.ws.ID, []string{bC.ID}},
		{"none through another workspace", 3 * time.Second, nil, e.dana.ID, e.other.ID, nil},
		{"the undone one is not pending", 4 * time.Second, func() {
			if _, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, bB.ID); err != nil {
				t.Fatal(err)
			}
		}, e.dana.ID, e.ws.ID, []string{bA.ID}},
		{"a millisecond before the deadline", 10*time.Second - time.Millisecond, nil, e.dana.ID, e.ws.ID, []string{bA.ID}},
		{"at the deadline", 10 * time.Second, nil, e.dana.ID, e.ws.ID, nil},
		{"Sam's before his deadline", 13*time.Second - time.Millisecond, nil, e.sam.ID, e.ws.ID, []string{bC.ID}},
		{"Sam's after his deadline", 13 * time.Second, nil, e.sam.ID, e.ws.ID, nil},
	}
	for _, s := range steps {
		e.clock.t = t0.Add(s.at)
		if s.act != nil {
			s.act()
		}
		if got := pending(s.ws, s.actor); !slices.Equal(got, s.want) {
			t.Errorf("%s: %v, want %v", s.name, got, s.want)
		}
	}
}

// --- A random walk against a model of the state machine ----------------------

// lcModel is what the store should hold: each lead's state and batch, each batch's
// deadline and how many of its leads were purged.
type lcModel struct {
	state     map[string]string // active, trashed, purged
	batch     map[string]string // the batch a trashed lead is in
	by        map[string]string
	activity  map[string]int
	order     []string // lead ids, creation order
	undoUntil map[string]time.Time
	undone    map[string]bool
	gone      map[string]int
	batches   []string
}

func (m *lcModel) inBatch(b string) []string {
	var out []string
	for _, id := range m.order {
		if m.state[id] == "trashed" && m.batch[id] == b {
			out = append(out, id)
		}
	}
	return out
}

// checkEach is the store's rule for a list of ids: the first id that is not as
// needed decides the error.
func (m *lcModel) checkEach(ids []string, need string, onlyBy string) string {
	for _, id := range ids {
		st, ok := m.state[id]
		switch {
		case need == "active" && (!ok || st == "purged"):
			return store.ELeadNotFound
		case need == "active" && st == "trashed":
			return store.EConflict
		case need == "trashed" && !ok:
			return store.ELeadNotFound
		case need == "trashed" && st == "purged":
			return store.EGone
		case need == "trashed" && st == "active":
			return store.EConflict
		case need == "trashed" && onlyBy != "" && m.by[id] != onlyBy:
			return store.EForbidden
		}
	}
	return ""
}

func TestRandomWalkFollowsTheStateMachine(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	r := testRand()
	m := &lcModel{state: map[string]string{}, batch: map[string]string{}, by: map[string]string{}, activity: map[string]int{},
		undoUntil: map[string]time.Time{}, undone: map[string]bool{}, gone: map[string]int{}}
	create := func() {
		l := e.lead(t)
		m.state[l.ID], m.activity[l.ID] = "active", 1
		m.order = append(m.order, l.ID)
	}
	for range 30 {
		create()
	}
	foreign := e.otherLead(t).ID
	foreignB, err := e.s.DeleteLeads(ctx, e.other, e.olga, store.DeleteRequest{IDs: []string{e.otherLead(t).ID}})
	if err != nil {
		t.Fatal(err)
	}
	actors := []store.Actor{e.dana, e.sam}
	pickIDs := func() []string {
		n := 1 + r.IntN(4)
		var live []string // mostly leads not yet purged, so that more actions succeed
		for _, id := range m.order {
			if m.state[id] != "purged" {
				live = append(live, id)
			}
		}
		var ids []string
		for range n {
			if len(live) > 0 && r.IntN(5) > 0 {
				ids = append(ids, live[r.IntN(len(live))])
			} else {
				ids = append(ids, m.order[r.IntN(len(m.order))])
			}
		}
		if r.IntN(20) == 0 {
			ids = append(ids, foreign)
		}
		return ids
	}
	uniq := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return out
	}
	pickBatch := func() string {
		if len(m.batches) == 0 || r.IntN(25) == 0 {
			return foreignB.ID
		}
		// Mostly recent batches, so that undo windows are often open.
		if r.IntN(3) > 0 {
			return m.batches[max(0, len(m.batches)-1-r.IntN(3))]
		}
		return m.batches[r.IntN(len(m.batches))]
	}
	restoreIn := func(ids []string) {
		for _, id := range ids {
			m.state[id], m.batch[id], m.by[id] = "active", "", ""
			m.activity[id]++
		}
	}
	purgeIn := func(ids []string) {
		for _, id := range ids {
			m.gone[m.batch[id]]++
			m.state[id], m.activity[id] = "purged", 0
		}
	}
	// deleted is what a deletion of the leads u as batch b does to the model, and checks.
	deleted := func(b store.Batch, u []string, actor store.Actor) (apply func(), check func() error) {
		apply = func() {
			m.batches = append(m.batches, b.ID)
			m.undoUntil[b.ID] = e.clock.t.Add(store.UndoWindow)
			for _, id := range u {
				m.state[id], m.batch[id], m.by[id] = "trashed", b.ID, actor.ID
				m.activity[id]++
			}
		}
		check = func() error {
			if b.Count != len(u) {
				return fmt.Errorf("batch count %d, want %d", b.Count, len(u))
			}
			return nil
		}
		return apply, check
	}
	wantAudit := e.count(t, `SELECT count(*) FROM audit WHERE workspace_id = ?`, e.ws.ID)
	tally := map[string]int{}

	for step := range 400 {
		e.clock.advance(time.Duration(r.IntN(4000)) * time.Millisecond)
		actor := actors[r.IntN(len(actors))]
		var op, wantCode, gotCode string
		var apply func()
		var check func() error
		switch k := r.IntN(100); {
		case k < 8:
			op = "create"
			create()
			continue
		case k < 30:
			// "Select all matching" a pool, a status or both: counted from the counters,
			// and undone by the counts its deletion kept; the counters are checked below.
			var f store.LeadFilter
			cond, args := "workspace_id = ? AND deleted_at IS NULL", []any{e.ws.ID}
			if r.IntN(3) > 0 {
				f.PoolID = e.pools[r.IntN(len(e.pools))].ID
				cond, args = cond+" AND pool_id = ?", append(args, f.PoolID)
			}
			if f.PoolID == "" || r.IntN(2) == 0 {
				f.Status = string(store.Statuses[r.IntN(len(store.Statuses))])
				cond, args = cond+" AND status = ?", append(args, f.Status)
			}
			u := e.rows(t, `SELECT id FROM leads WHERE `+cond, args...)
			expected := len(u)
			op = fmt.Sprintf("delete matching %d", len(u))
			switch {
			case len(u) == 0:
				wantCode = store.EInvalid
			case r.IntN(8) == 0:
				expected++
				wantCode = store.EConflict
			}
			b, err := e.s.DeleteLeads(ctx, e.ws, actor, store.DeleteRequest{All: true, Filter: f, ExpectedCount: expected, Reason: "outdated"})
			gotCode = store.ErrorCode(err)
			apply, check = deleted(b, u, actor)
		case k < 40:
			ids := pickIDs()
			u := uniq(ids)
			reason := ""
			if len(u) > 1 || r.IntN(2) == 0 {
				reason = store.Reasons[r.IntN(len(store.Reasons))]
			}
			op = fmt.Sprintf("delete %d", len(u))
			wantCode = m.checkEach(u, "active", "")
			b, err := e.s.DeleteLeads(ctx, e.ws, actor, store.DeleteRequest{IDs: ids, Reason: reason})
			gotCode = store.ErrorCode(err)
			apply, check = deleted(b, u, actor)
		case k < 55:
			ids := uniq(pickIDs())
			onlyBy := ""
			if r.IntN(3) == 0 {
				onlyBy = actor.ID
			}
			op = fmt.Sprintf("restore %d", len(ids))
			wantCode = m.checkEach(ids, "trashed", onlyBy)
			n, err := e.s.RestoreLeads(ctx, e.ws.ID, actor, ids, onlyBy)
			gotCode = store.ErrorCode(err)
			apply = func() { restoreIn(ids) }
			check = func() error {
				if n != len(ids) {
					return fmt.Errorf("restored %d, want %d", n, len(ids))
				}
				return nil
			}
		case k < 63:
			ids := uniq(pickIDs())
			op = fmt.Sprintf("purge %d", len(ids))
			wantCode = m.checkEach(ids, "trashed", "")
			n, err := e.s.PurgeLeads(ctx, e.ws.ID, actor, ids)
			gotCode = store.ErrorCode(err)
			apply = func() { purgeIn(ids) }
			check = func() error {
				if n != len(ids) {
					return fmt.Errorf("purged %d, want %d", n, len(ids))
				}
				return nil
			}
		case k < 85:
			b := pickBatch()
			op = "undo"
			in := m.inBatch(b)
			already := false
			switch {
			case b == foreignB.ID:
				wantCode = store.ENotFound
			case m.undone[b]:
				already = true
			case e.clock.t.After(m.undoUntil[b].Add(store.UndoGrace)):
				wantCode = store.EUndoExpired
			case len(in) == 0 && m.gone[b] > 0:
				wantCode = store.EGone
			case len(in) == 0:
				wantCode = store.EConflict
			}
			res, err := e.s.UndoBatch(ctx, e.ws.ID, actor, b)
			gotCode = store.ErrorCode(err)
			apply = func() {
				if !already {
					restoreIn(in)
					m.undone[b] = true
				}
			}
			check = func() error {
				wantRes := [3]any{len(in), m.gone[b], false}
				if already {
					wantRes = [3]any{0, 0, true}
				}
				if got := [3]any{res.Restored, res.NotRestored, res.Already}; got != wantRes {
					return fmt.Errorf("restored, not restored, already = %v, want %v", got, wantRes)
				}
				return nil
			}
			if already && gotCode == "" {
				op = "undo again"
				wantAudit-- // nothing written
			}
		case k < 93:
			b := pickBatch()
			op = "restore batch"
			in := m.inBatch(b)
			switch {
			case b == foreignB.ID:
				wantCode = store.ENotFound
			case len(in) == 0 && m.gone[b] > 0:
				wantCode = store.EGone
			case len(in) == 0:
				wantCode = store.EConflict
			}
			res, err := e.s.RestoreBatch(ctx, e.ws.ID, actor, b)
			gotCode = store.ErrorCode(err)
			apply = func() { restoreIn(in) }
			check = func() error {
				if res.Restored != len(in) || res.NotRestored != m.gone[b] {
					return fmt.Errorf("result %+v, want %d restored, %d not", res, len(in), m.gone[b])
				}
				return nil
			}
		default:
			b := pickBatch()
			op = "purge batch"
			in := m.inBatch(b)
			switch {
			case b == foreignB.ID:
				wantCode = store.ENotFound
			case len(in) == 0:
				wantCode = store.EConflict
			}
			n, err := e.s.PurgeBatch(ctx, e.ws.ID, actor, b)
			gotCode = store.ErrorCode(err)
			apply = func() { purgeIn(in) }
			check = func() error {
				if n != len(in) {
					return fmt.Errorf("purged %d, want %d", n, len(in))
				}
				return nil
			}
		}
		if gotCode != wantCode {
			t.Fatalf("step %d, %s: error code %q, want %q", step, op, gotCode, wantCode)
		}
		tally[op+" → "+map[bool]string{true: "ok", false: wantCode}[wantCode == ""]]++
		if wantCode == "" {
			if err := check(); err != nil {
				t.Fatalf("step %d, %s: %v", step, op, err)
			}
			apply()
			wantAudit++
		}

		// The store agrees with the model, lead by lead and in its counters.
		states := e.states(t, e.ws.ID)
		for _, id := range m.order {
			if got := states[id]; got != m.state[id] {
				t.Fatalf("step %d, %s: lead %s is %s, want %s", step, op, id, got, m.state[id])
			}
		}
		if len(states) != len(m.order) {
			t.Fatalf("step %d, %s: the workspace has %d leads and tombstones, the model %d", step, op, len(states), len(m.order))
		}
		got := map[string]string{}
		for _, row := range e.rows(t, `SELECT id, COALESCE(batch_id, ''), COALESCE(deleted_by, '') FROM leads WHERE workspace_id = ? AND deleted_at IS NOT NULL`, e.ws.ID) {
			p := strings.SplitN(row, "|", 2)
			got[p[0]] = p[1]
		}
		want := map[string]string{}
		for _, id := range m.order {
			if m.state[id] == "trashed" {
				want[id] = m.batch[id] + "|" + m.by[id]
			}
		}
		if !maps.Equal(got, want) {
			t.Fatalf("step %d, %s: trashed leads (batch|by) = %v, want %v", step, op, got, want)
		}
		wantActivity := 0
		for _, n := range m.activity {
			wantActivity += n
		}
		if n := e.count(t, `SELECT count(*) FROM activity a JOIN leads l ON l.id = a.lead_id WHERE l.workspace_id = ?`, e.ws.ID); n != wantActivity {
			t.Fatalf("step %d, %s: %d activity rows, want %d", step, op, n, wantActivity)
		}
		if n := e.count(t, `SELECT count(*) FROM audit WHERE workspace_id = ?`, e.ws.ID); n != wantAudit {
			t.Fatalf("step %d, %s: %d audit rows, want %d", step, op, n, wantAudit)
		}
		undone := e.rows(t, `SELECT id FROM batches WHERE workspace_id = ? AND undone_at IS NOT NULL ORDER BY id`, e.ws.ID)
		wantUndone := slices.Sorted(maps.Keys(m.undone))
		if !slices.Equal(undone, wantUndone) {
			t.Fatalf("step %d, %s: undone batches %v, want %v", step, op, undone, wantUndone)
		}
		if step%10 == 0 {
			e.checkCounters(t, fmt.Sprintf("step %d, %s", step, op))
		}
	}
	e.checkCounters(t, "after the walk")
	keys := slices.Sorted(maps.Keys(tally))
	var summary []string
	for _, k := range keys {
		summary = append(summary, fmt.Sprintf("%s: %d", k, tally[k]))
	}
	t.Logf("walk: %s", strings.Join(summary, ", "))
	// The walk is deterministic (testRand); it must have taken every kind of step.
	for _, must := range [][2]string{{"delete", "ok"}, {"delete", "CONFLICT"}, {"delete", "LEAD_NOT_FOUND"},
		{"restore ", "ok"}, {"restore ", "GONE"}, {"restore ", "FORBIDDEN"}, {"purge ", "ok"}, {"purge ", "CONFLICT"},
		{"undo →", "ok"}, {"undo →", "UNDO_EXPIRED"}, {"undo again", "ok"}, {"restore batch", "ok"},
		{"restore batch", "GONE"}, {"purge batch", "ok"}, {"purge batch", "CONFLICT"}} {
		n := 0
		for k, c := range tally {
			if strings.HasPrefix(k, must[0]) && strings.HasSuffix(k, "→ "+must[1]) {
				n += c
			}
		}
		if n == 0 {
			t.Errorf("the walk never took a %q step answered %s; change the seed or the weights", must[0], must[1])
		}
	}
}
