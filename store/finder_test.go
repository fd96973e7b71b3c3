package store_test

// The operator's finder, "Where is my lead?" (issue #7; DESIGN.md, GET /operator):
// given a name, an e-mail, a phone or an id it says, for every lead it finds, where
// it is — active, in the Trash (by whom, why, until when), purged or erased — in
// every workspace or in one. And the Trash's "Next purge": when the workspace's
// retention run comes next and what it will remove then.

import (
	"context"
	"slices"
	"testing"
	"time"

	"leadkeep/store"
)

// fdHit is a finder hit as "state lead-id workspace-id", for comparing sets of hits.
func fdHit(state, leadID, wsID string) string { return state + " " + leadID + " " + wsID }

func fdHits(r store.FinderResult) []string {
	var out []string
	for _, h := range r.Hits {
		id := h.Lead.ID
		if h.State == store.StatePurged || h.State == store.StateErased {
			id = h.Tombstone.LeadID
		}
		out = append(out, fdHit(h.State, id, h.Workspace.ID))
	}
	slices.Sort(out)
	return out
}

func TestFinderSaysWhereEachLeadIs(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	ws, other := e.ws.ID, e.other.ID

	// Purged by retention: deleted, then 31 days pass and the retention run comes.
	ret := pvLead(t, e, e.ws, "Rhea Retention", "rhea@finder.example", "+1 650 253 0201")
	e.del(t, e.sam, "outdated", ret.ID)
	e.clock.advance(31 * 24 * time.Hour)
	if runs, err := e.s.PurgeDue(ctx, "test", false); err != nil || rtRuns(runs)[ws] != 1 {
		t.Fatalf("retention run = %v, %v; want 1 purged", runs, err)
	}
	retAt := e.clock.t
	e.clock.advance(time.Hour)

	active := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr("Ada Active"), Email: ptr("ada@finder.example"),
		Phone: ptr("+1 650 253 0202"), PoolID: ptr(e.pools[1].ID), Status: ptr("qualified")})
	trash := pvLead(t, e, e.ws, "Tom Trash", "tom@finder.example", "+1 650 253 0203")
	e.del(t, e.sam, "duplicate", trash.ID)
	held := pvLead(t, e, e.ws, "Hal Held", "hal@finder.example", "+1 650 253 0204")
	e.del(t, e.dana, "invalid", held.ID)
	pvHold(t, e, store.HoldTarget{LeadID: held.ID}, "litigation")
	man := pvLead(t, e, e.ws, "Mona Manual", "mona@finder.example", "+1 650 253 0205")
	e.del(t, e.dana, "outdated", man.ID)
	e.clock.advance(time.Minute)
	manAt := e.clock.t
	if _, err := e.s.PurgeLeads(ctx, ws, e.dana, []string{man.ID}); err != nil {
		t.Fatal(err)
	}
	er := pvLead(t, e, e.ws, "Erin Erased", "erin@finder.example", "+1 650 253 0206")
	e.clock.advance(time.Minute)
	erAt := e.clock.t
	if _, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{LeadID: er.ID, Reference: "REQ-FIND-1"}); err != nil {
		t.Fatal(err)
	}
	// The other workspace has leads with the same e-mails: one active, one purged.
	oa := pvLead(t, e, e.other, "Ada Elsewhere", "ada@finder.example", "")
	op := pvLead(t, e, e.other, "Mona Elsewhere", "mona@finder.example", "")
	if _, err := e.s.DeleteLeads(ctx, e.other, e.olga, store.DeleteRequest{IDs: []string{op.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PurgeLeads(ctx, other, e.olga, []string{op.ID}); err != nil {
		t.Fatal(err)
	}

	A := fdHit(store.StateActive, active.ID, ws)
	T := fdHit(store.StateTrash, trash.ID, ws)
	H := fdHit(store.StateTrash, held.ID, ws)
	R := fdHit(store.StatePurged, ret.ID, ws)
	M := fdHit(store.StatePurged, man.ID, ws)
	E := fdHit(store.StateErased, er.ID, ws)
	OA := fdHit(store.StateActive, oa.ID, other)
	OP := fdHit(store.StatePurged, op.ID, other)
	cases := []struct {
		name, q, ws, kind string
		want              []string
	}{
		{"active by id", active.ID, "", "id", []string{A}},
		{"active by id in its workspace", " " + active.ID + " ", ws, "id", []string{A}},
		{"active by id in another workspace", active.ID, other, "id", nil},
		{"active by e-mail, everywhere", "ADA@Finder.example", "", "email", []string{A, OA}},
		{"active by e-mail, in its workspace", "ada@finder.example", ws, "email", []string{A}},
		{"active by e-mail, in the other workspace", "ada@finder.example", other, "email", []string{OA}},
		{"active by phone in national form", "(650) 253-0202", "", "phone", []string{A}},
		{"active by phone in E.164", "+16502530202", ws, "phone", []string{A}},
		{"active by name", "ada act", "", "name", []string{A}},
		{"a name everywhere", "Ada", "", "name", []string{A, OA}},
		{"a name in one workspace", "ada", other, "name", []string{OA}},
		{"in the Trash by id", trash.ID, ws, "id", []string{T}},
		{"in the Trash by e-mail", "tom@finder.example", "", "email", []string{T}},
		{"in the Trash by phone", "650-253-0203", "", "phone", []string{T}},
		{"in the Trash by name", "Tom Trash", "", "name", []string{T}},
		{"on hold by e-mail", "hal@finder.example", ws, "email", []string{H}},
		{"on hold by name", "hal", "", "name", []string{H}},
		{"purged by retention, by id", ret.ID, "", "id", []string{R}},
		{"purged by retention, by e-mail", "Rhea@finder.example", "", "email", []string{R}},
		{"purged by retention, by phone", "(650) 253-0201", ws, "phone", []string{R}},
		{"purged by hand, by id", man.ID, ws, "id", []string{M}},
		{"purged by hand, by phone", "+1 650 253 0205", "", "phone", []string{M}},
		{"purged by e-mail, everywhere", "mona@finder.example", "", "email", []string{M, OP}},
		{"purged by e-mail, in one workspace", "mona@finder.example", ws, "email", []string{M}},
		{"purged by e-mail, in the other", "MONA@finder.example", other, "email", []string{OP}},
		{"erased by id", er.ID, "", "id", []string{E}},
		{"erased by e-mail", "erin@finder.example", "", "email", []string{E}},
		{"erased by phone", "650.253.0206", "", "phone", []string{E}},
		{"erased, not in the other workspace", "erin@finder.example", other, "email", nil},
		{"a purged lead's name finds nothing", "Rhea", "", "name", nil},
		{"a hand-purged lead's name finds nothing", "Mona", "", "name", nil},
		{"an erased lead's name finds nothing", "Erin Erased", "", "name", nil},
		{"an unknown id", "lead_0000000000000000", "", "id", nil},
		{"an unknown e-mail", "nobody@finder.example", "", "email", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.s.FindLeads(ctx, tc.q, tc.ws)
			if err != nil {
				t.Fatalf("FindLeads(%q, %q): %v", tc.q, tc.ws, err)
			}
			want := slices.Sorted(slices.Values(tc.want))
			if got := fdHits(r); !slices.Equal(got, want) {
				t.Errorf("FindLeads(%q, %q) = %v, want %v", tc.q, tc.ws, got, want)
			}
			if r.Kind != tc.kind || r.Capped {
				t.Errorf("FindLeads(%q) searched by %q (capped %t), want %q", tc.q, r.Kind, r.Capped, tc.kind)
			}
		})
	}

	// What each hit says.
	find := func(q string) store.FinderHit {
		t.Helper()
		r, err := e.s.FindLeads(ctx, q, ws)
		if err != nil || len(r.Hits) != 1 {
			t.Fatalf("FindLeads(%q) = %+v, %v; want one hit", q, r, err)
		}
		return r.Hits[0]
	}
	if h := find(active.ID); h.Workspace.ID != ws || h.Workspace.Name != "Acme" || h.Lead.PoolName != "Inbound" ||
		h.Lead.Status != store.StatusQualified || h.Lead.Name != "Ada Active" || !h.PurgeAt.IsZero() || h.Tombstone != (store.Tombstone{}) {
		t.Errorf("active hit = %+v", h)
	}
	if h := find(trash.ID); h.Lead.DeletedByName != e.sam.Name || h.Lead.DeleteReason != "duplicate" || h.Lead.DeletedAt == nil ||
		!h.PurgeAt.Equal(h.Lead.DeletedAt.Add(30*24*time.Hour)) || h.Lead.HeldAt != nil {
		t.Errorf("Trash hit = %+v, purge at %v", h.Lead, h.PurgeAt)
	}
	if h := find(held.ID); h.State != store.StateTrash || h.Lead.HeldAt == nil || h.Lead.HoldReason != "litigation" || !h.PurgeAt.IsZero() {
		t.Errorf("held hit: state %s, held %v (%q), purge at %v; want no purge date", h.State, h.Lead.HeldAt, h.Lead.HoldReason, h.PurgeAt)
	}
	if h := find(ret.ID); h.Tombstone.How != "retention" || h.Tombstone.ByName != "Leadkeep" || !h.Tombstone.PurgedAt.Equal(retAt) ||
		h.Reference != "" || h.Lead.ID != "" {
		t.Errorf("retention hit = %+v", h)
	}
	if h := find(man.ID); h.Tombstone.How != "manual" || h.Tombstone.ByName != e.dana.Name || !h.Tombstone.PurgedAt.Equal(manAt) || h.Reference != "" {
		t.Errorf("manual purge hit = %+v", h)
	}
	if h := find(er.ID); h.State != store.StateErased || h.Tombstone.How != "erasure" || h.Reference != "REQ-FIND-1" ||
		h.Tombstone.ByName != e.dana.Name || !h.Tombstone.PurgedAt.Equal(erAt) || h.Lead.Name != "" {
		t.Errorf("erased hit = %+v", h)
	}
	if r, _ := e.s.FindLeads(ctx, "mona@finder.example", ""); len(r.Hits) == 2 {
		for _, h := range r.Hits {
			if (h.Tombstone.LeadID == op.ID) != (h.Workspace.Name == "Globex") || h.Tombstone.ByName == "" {
				t.Errorf("hit across workspaces = %+v", h)
			}
		}
	}
}

func TestFinderRefusesAnEmptyQueryOrAnUnknownWorkspace(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	e.lead(t)
	cases := []struct{ name, q, ws, field string }{
		{"an empty query", "", "", "q"},
		{"a blank query", " \t ", e.ws.ID, "q"},
		{"a query of punctuation", "!!! ---", "", "q"},
		{"an unknown workspace", "ada", "ws_0000000000000000", "workspace"},
		{"a workspace name instead of its id", "ada", e.ws.Name, "workspace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.s.FindLeads(ctx, tc.q, tc.ws)
			wantInvalid(t, err, tc.field)
		})
	}
}

func TestFinderCapsItsHits(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	e.leads(t, store.FinderLimit+3)
	r, err := e.s.FindLeads(ctx, "Lifecycle", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Hits) != store.FinderLimit || !r.Capped {
		t.Errorf("%d hits, capped %t; want %d, capped", len(r.Hits), r.Capped, store.FinderLimit)
	}
	r, _ = e.s.FindLeads(ctx, "Quentin001", "")
	if len(r.Hits) != 1 || r.Capped {
		t.Errorf("%d hits, capped %t; want 1", len(r.Hits), r.Capped)
	}
}

func TestFinderFindsAnEmailWithNonASCIILettersWhateverItsCase(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	l := pvLead(t, e, e.ws, "Élodie Finder", "ÉLODIE.Finder@example.fr", "")
	r, err := e.s.FindLeads(ctx, "élodie.finder@example.fr", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := fdHits(r); !slices.Equal(got, []string{fdHit(store.StateActive, l.ID, e.ws.ID)}) {
		t.Errorf("FindLeads(élodie.finder@example.fr) = %v, want the lead stored as ÉLODIE.Finder@example.fr", got)
	}
}

// --- Next purge ----------------------------------------------------------------

func TestNextPurgeIsTheNextLocalPurgeHour(t *testing.T) {
	ctx := context.Background()
	e := newRT(t)
	ws := e.workspace("Pacific", 30, 3, "America/Los_Angeles") // UTC−8 in November
	cases := []struct {
		name    string
		now     time.Time
		lastDay string
		want    time.Time
	}{
		{"today's hour not reached (UTC already tomorrow)", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), "2026-11-01",
			time.Date(2026, 11, 2, 11, 0, 0, 0, time.UTC)},
		{"today's run done", time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC), "2026-11-02",
			time.Date(2026, 11, 3, 11, 0, 0, 0, time.UTC)},
		{"late in the local day, UTC the next day", time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC), "2026-11-02",
			time.Date(2026, 11, 3, 11, 0, 0, 0, time.UTC)},
		{"due now: the hour came and no run yet", time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC), "2026-11-01",
			time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)},
		{"due at the first instant of the hour", time.Date(2026, 11, 2, 11, 0, 0, 0, time.UTC), "",
			time.Date(2026, 11, 2, 11, 0, 0, 0, time.UTC)},
		{"a millisecond before the hour", time.Date(2026, 11, 2, 10, 59, 59, 999e6, time.UTC), "",
			time.Date(2026, 11, 2, 11, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.clock.t = tc.now
			e.exec(`UPDATE workspaces SET last_purge_day = ? WHERE id = ?`, tc.lastDay, ws.ID)
			np, err := e.s.NextPurge(ctx, ws, 10)
			if err != nil {
				t.Fatal(err)
			}
			if !np.At.Equal(tc.want) {
				t.Errorf("at %s (last run %q) the next purge is at %s, want %s (%s local)", tc.now.Format(time.RFC3339Nano), tc.lastDay,
					np.At.Format(time.RFC3339), tc.want.Format(time.RFC3339), tc.want.In(rtLoc(t, "America/Los_Angeles")).Format(time.Kitchen))
			}
			if np.Count != 0 || np.Held != 0 || len(np.Leads) != 0 {
				t.Errorf("an empty Trash: next purge %+v", np)
			}
		})
	}
}

func TestNextPurgeListsWhatTheRunWillRemoveOldestFirst(t *testing.T) {
	ctx := context.Background()
	e := newRT(t)
	ws := e.workspace("Tokyo", 3, 2, "Asia/Tokyo") // UTC+9; retention 3 days, purge at 02:00
	at := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, time.UTC)
	}
	deleteAt := func(when time.Time) (store.Lead, store.Batch) {
		t.Helper()
		e.clock.t = when
		l := e.lead(ws)
		return l, e.trash(ws, l)
	}
	// Deleted out of order, so that oldest-first is not creation order.
	l3, _ := deleteAt(at(10, 30, 8, 0))
	l1, _ := deleteAt(at(10, 28, 10, 0))
	held, _ := deleteAt(at(10, 28, 11, 0))
	slow, slowBatch := deleteAt(at(10, 28, 12, 0)) // a batch whose undo is still open (a slow delete)
	l2, _ := deleteAt(at(10, 29, 12, 0))
	l4, _ := deleteAt(at(10, 30, 17, 0)) // exactly retention before the run of Nov 3 02:00 JST
	l5, _ := deleteAt(at(10, 30, 17, 1)) // a minute too late for it
	active := e.lead(ws)                 // never deleted
	other := e.workspace("Elsewhere", 0, 0, "UTC")
	o := e.lead(other)
	e.clock.t = at(10, 30, 18, 0)
	e.trash(other, o)
	if _, err := e.s.Hold(ctx, ws.ID, systemActor, store.HoldTarget{LeadID: held.ID}, "litigation"); err != nil {
		t.Fatal(err)
	}
	e.exec(`UPDATE batches SET undo_until = ? WHERE id = ?`, at(12, 31, 0, 0).UnixMilli(), slowBatch.ID)
	_, _ = slow, active

	cases := []struct {
		name    string
		now     time.Time
		lastDay string
		limit   int
		wantAt  time.Time
		want    []store.Lead
		listed  int
	}{
		{"before today's purge hour", at(11, 1, 16, 0), "2026-11-01", 10, at(11, 1, 17, 0), []store.Lead{l1, l2}, 2},
		{"due now", at(11, 2, 9, 0), "2026-11-01", 10, at(11, 2, 9, 0), []store.Lead{l1, l2, l3}, 3},
		{"today's run done", at(11, 2, 9, 0), "2026-11-02", 10, at(11, 2, 17, 0), []store.Lead{l1, l2, l3, l4}, 4},
		{"today's run done, a short list", at(11, 2, 9, 0), "2026-11-02", 2, at(11, 2, 17, 0), []store.Lead{l1, l2, l3, l4}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.clock.t = tc.now
			e.exec(`UPDATE workspaces SET last_purge_day = ? WHERE id = ?`, tc.lastDay, ws.ID)
			np, err := e.s.NextPurge(ctx, ws, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !np.At.Equal(tc.wantAt) {
				t.Errorf("next purge at %s, want %s", np.At.Format(time.RFC3339), tc.wantAt.Format(time.RFC3339))
			}
			if np.Count != len(tc.want) || np.Held != 1 {
				t.Errorf("next purge counts %d (held %d), want %d (held 1)", np.Count, np.Held, len(tc.want))
			}
			if got, want := lcIDs(np.Leads...), lcIDs(tc.want[:tc.listed]...); !slices.Equal(got, want) {
				t.Errorf("next purge lists %v, want %v oldest deletion first", got, want)
			}
		})
	}

	// The run removes exactly what NextPurge announced.
	e.clock.t = at(11, 2, 9, 0)
	e.exec(`UPDATE workspaces SET last_purge_day = '2026-11-01' WHERE id = ?`, ws.ID)
	np, err := e.s.NextPurge(ctx, ws, 10)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := e.s.PurgeScheduled(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := rtRuns(runs)[ws.ID]; got != np.Count {
		t.Errorf("the due run purged %d, NextPurge announced %d", got, np.Count)
	}
	for _, l := range np.Leads {
		e.wantState(l.ID, "purged")
	}
	np, err = e.s.NextPurge(ctx, ws, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !np.At.Equal(at(11, 2, 17, 0)) || np.Count != 1 || len(np.Leads) != 1 || np.Leads[0].ID != l4.ID {
		t.Errorf("after today's run, next purge = at %s, %d leads %v; want tomorrow 02:00 JST with %s", np.At, np.Count, lcIDs(np.Leads...), l4.ID)
	}
	e.clock.t = np.At
	runs, err = e.s.PurgeScheduled(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := rtRuns(runs)[ws.ID]; got != 1 {
		t.Errorf("tomorrow's run purged %d, NextPurge announced 1", got)
	}
	e.wantState(l4.ID, "purged")
	for _, l := range []store.Lead{held, slow, l5} {
		e.wantState(l.ID, "trashed")
	}
	e.wantState(active.ID, "active")
}

func TestNextPurgeWithRetentionZeroLeavesLeadsWhoseUndoIsOpen(t *testing.T) {
	ctx := context.Background()
	e := newRT(t)
	ws := e.workspace("Instant", 0, 2, "Europe/Berlin")
	e.clock.t = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // 10:00 in Berlin: due, never run
	old := e.lead(ws)
	e.trash(ws, old)
	e.clock.advance(time.Minute)
	fresh := e.lead(ws)
	e.trash(ws, fresh)
	e.clock.advance(5 * time.Second) // fresh's undo is still open
	np, err := e.s.NextPurge(ctx, ws, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !np.At.Equal(e.clock.t) || np.Count != 1 || len(np.Leads) != 1 || np.Leads[0].ID != old.ID {
		t.Errorf("next purge = at %s, %d leads %v; want now with %s only", np.At, np.Count, lcIDs(np.Leads...), old.ID)
	}
	if got := e.purge("test", true)[ws.ID]; got != np.Count {
		t.Errorf("a dry run would purge %d, NextPurge says %d", got, np.Count)
	}
}
