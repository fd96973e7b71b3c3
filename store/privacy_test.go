package store_test

// Legal hold, mark as spam, suppressions and GDPR erasure (issue #7; DESIGN.md,
// "Lifecycle of a lead" and the tables suppressions and tombstones):
//
//   - a legal hold keeps a trashed lead from every purge (by a person, by retention)
//     and from erasure until it is released, and survives a restore;
//   - "mark as spam" is an undoable delete that suppresses the lead's e-mail and
//     phone; its undo (or the lead's restore) lifts exactly that suppression;
//   - suppressions keep keyed hashes only, per workspace;
//   - an erasure removes every lead of the person at once, redacts them wherever
//     other records mention them, suppresses them, and leaves no trace of them in
//     the database file.
//
// Helpers come from lifecycle_test.go (lcEnv) and store_test.go; the ones here are
// prefixed pv.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"leadkeep/store"
)

// --- Helpers (this file only; all prefixed pv) -------------------------------

// pvSnap is lcSnap plus what holds, suppressions, erasures and redactions write.
type pvSnap struct {
	lcSnap
	Suppressions, Erasures, Holds, Texts string
}

func pvSnapOf(t testing.TB, e *lcEnv) pvSnap {
	t.Helper()
	join := func(q string) string { return strings.Join(e.rows(t, q), "\n") }
	return pvSnap{
		lcSnap:       e.snap(t),
		Suppressions: join(`SELECT id, workspace_id, kind, hash, why, by_actor, batch_id, lead_id, created_at FROM suppressions ORDER BY id`),
		Erasures:     join(`SELECT id, workspace_id, reference, by_actor, at, leads, suppressed, redacted FROM erasures ORDER BY id`),
		Holds:        join(`SELECT id, held_at, held_by, hold_reason FROM leads ORDER BY id`),
		Texts:        strings.Join(slices.Sorted(maps.Values(pvTexts(t, e))), "\n"),
	}
}

// pvTexts is every free text a redaction may change, by table and row.
func pvTexts(t testing.TB, e *lcEnv) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range e.rows(t, `SELECT 'audit/' || id, details FROM audit
		UNION ALL SELECT 'batch/' || id, details FROM batches
		UNION ALL SELECT 'note/' || id, body FROM notes
		UNION ALL SELECT 'task/' || id, title FROM tasks
		UNION ALL SELECT 'activity/' || id, text FROM lead_activity
		UNION ALL SELECT 'bulk_activity/' || id, text FROM bulk_activity
		UNION ALL SELECT 'metadata/' || id, metadata FROM leads
		UNION ALL SELECT 'tombstone/' || lead_id, how || ' ' || request_ref FROM tombstones`) {
		k, v, _ := strings.Cut(r, "|")
		out[k] = k + "|" + v
	}
	return out
}

func pvSame(t testing.TB, what string, before, after pvSnap) {
	t.Helper()
	lcSameSnap(t, what, before.lcSnap, after.lcSnap)
	for name, pair := range map[string][2]string{
		"suppressions": {before.Suppressions, after.Suppressions},
		"erasures":     {before.Erasures, after.Erasures},
		"holds":        {before.Holds, after.Holds},
		"texts":        {before.Texts, after.Texts},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s changed the %s:\nbefore %s\n after %s", what, name, pair[0], pair[1])
		}
	}
}

// pvLead creates an active lead of the workspace with the name, e-mail and phone.
func pvLead(t testing.TB, e *lcEnv, ws store.Workspace, name, email, phone string) store.Lead {
	t.Helper()
	actor := e.dana
	if ws.ID == e.other.ID {
		actor = e.olga
	}
	return mustLead(t, e.s, ws, actor, store.LeadInput{Name: ptr(name), Email: ptr(email), Phone: ptr(phone)})
}

// pvCreate tries to create a lead with the e-mail and phone, as the API would.
func pvCreate(e *lcEnv, ws store.Workspace, email, phone string) (store.Lead, error) {
	actor := e.dana
	if ws.ID == e.other.ID {
		actor = e.olga
	}
	return e.s.CreateLead(context.Background(), ws, actor, store.LeadInput{Name: ptr("Newcomer"), Email: ptr(email), Phone: ptr(phone)})
}

// pvWantSuppressed fails unless err refuses a lead as suppressed, naming exactly the fields.
func pvWantSuppressed(t testing.TB, err error, fields ...string) {
	t.Helper()
	se := wantError(t, err, store.ESuppressed)
	got := slices.Sorted(maps.Keys(se.Fields))
	if !slices.Equal(got, slices.Sorted(slices.Values(fields))) {
		t.Errorf("SUPPRESSED for fields %v (%v), want %v", got, se.Fields, fields)
	}
}

func pvNote(t testing.TB, e *lcEnv, leadID, body string) {
	t.Helper()
	if _, err := e.s.AddNote(context.Background(), e.ws.ID, e.dana, leadID, body); err != nil {
		t.Fatalf("note on %s: %v", leadID, err)
	}
}

var pvTasks int

// pvTask gives the lead a task (the store has no call for tasks yet).
func pvTask(t testing.TB, e *lcEnv, leadID, title string) {
	t.Helper()
	pvTasks++
	if _, err := e.db.Exec(`INSERT INTO tasks (id, lead_id, title, created_at) VALUES (?, ?, ?, ?)`,
		fmt.Sprintf("task_%016x", pvTasks), leadID, title, e.clock.t.UnixMilli()); err != nil {
		t.Fatalf("task: %v", err)
	}
}

func pvHold(t testing.TB, e *lcEnv, target store.HoldTarget, reason string) int {
	t.Helper()
	n, err := e.s.Hold(context.Background(), e.ws.ID, e.dana, target, reason)
	if err != nil {
		t.Fatalf("hold %+v: %v", target, err)
	}
	return n
}

func pvSpam(t testing.TB, e *lcEnv, id string) store.Batch {
	t.Helper()
	b, err := e.s.MarkSpam(context.Background(), e.ws, e.sam, id, "")
	if err != nil {
		t.Fatalf("mark %s as spam: %v", id, err)
	}
	return b
}

func pvSuppressions(t testing.TB, e *lcEnv, wsID string) store.SuppressionList {
	t.Helper()
	l, err := e.s.Suppressions(context.Background(), wsID, 100)
	if err != nil {
		t.Fatalf("suppressions: %v", err)
	}
	return l
}

// pvWhys is the workspace's suppressions as "kind why", sorted.
func pvWhys(t testing.TB, e *lcEnv, wsID string) []string {
	t.Helper()
	var out []string
	for _, s := range pvSuppressions(t, e, wsID).Items {
		out = append(out, s.Kind+" "+s.Why)
	}
	slices.Sort(out)
	return out
}

// --- Legal hold --------------------------------------------------------------

func TestHoldIsRefusedWithoutAReasonOrATrashedLeadAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	active := e.lead(t)
	trashed := e.lead(t)
	e.del(t, e.dana, "", trashed.ID)
	held := e.lead(t)
	e.del(t, e.dana, "", held.ID)
	pvHold(t, e, store.HoldTarget{LeadID: held.ID}, "litigation")
	purged := e.lead(t)
	e.del(t, e.dana, "", purged.ID)
	if _, err := e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{purged.ID}); err != nil {
		t.Fatal(err)
	}
	undone := e.lead(t)
	ub := e.del(t, e.dana, "", undone.ID)
	if _, err := e.s.UndoBatch(ctx, e.ws.ID, e.dana, ub.ID); err != nil {
		t.Fatal(err)
	}
	ot := e.otherLead(t)
	ob, err := e.s.DeleteLeads(ctx, e.other, e.olga, store.DeleteRequest{IDs: []string{ot.ID}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.advance(time.Minute)

	lead := func(id string) store.HoldTarget { return store.HoldTarget{LeadID: id} }
	batch := func(id string) store.HoldTarget { return store.HoldTarget{BatchID: id} }
	hold := func(tg store.HoldTarget, reason string) func() error {
		return func() error { _, err := e.s.Hold(ctx, e.ws.ID, e.dana, tg, reason); return err }
	}
	release := func(tg store.HoldTarget) func() error {
		return func() error { _, err := e.s.Release(ctx, e.ws.ID, e.dana, tg); return err }
	}
	cases := []struct {
		name  string
		call  func() error
		code  string
		field string
	}{
		{"hold without a reason", hold(lead(trashed.ID), ""), store.EInvalid, "reason"},
		{"hold with a blank reason", hold(lead(trashed.ID), " \t "), store.EInvalid, "reason"},
		{"hold with a reason of 501 characters", hold(lead(trashed.ID), strings.Repeat("é", 501)), store.EInvalid, "reason"},
		{"hold a batch without a reason", hold(batch(ob.ID), ""), store.EInvalid, "reason"},
		{"hold an active lead", hold(lead(active.ID), "litigation"), store.EConflict, ""},
		{"hold a lead already on hold", hold(lead(held.ID), "another case"), store.EConflict, ""},
		{"hold a purged lead", hold(lead(purged.ID), "too late"), store.EGone, ""},
		{"hold another workspace's trashed lead", hold(lead(ot.ID), "litigation"), store.ELeadNotFound, ""},
		{"hold a malformed id", hold(lead("lead_' OR '1'='1"), "litigation"), store.ELeadNotFound, ""},
		{"hold an unknown batch", hold(batch("bat_0000000000000000"), "litigation"), store.ENotFound, ""},
		{"hold another workspace's batch", hold(batch(ob.ID), "litigation"), store.ENotFound, ""},
		{"hold an undone batch", hold(batch(ub.ID), "litigation"), store.EConflict, ""},
		{"release a trashed lead not on hold", release(lead(trashed.ID)), store.EConflict, ""},
		{"release an active lead never held", release(lead(active.ID)), store.EConflict, ""},
		{"release another workspace's lead", release(lead(ot.ID)), store.ELeadNotFound, ""},
		{"release a purged lead", release(lead(purged.ID)), store.EGone, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := pvSnapOf(t, e)
			err := tc.call()
			wantError(t, err, tc.code)
			if tc.field != "" {
				wantInvalid(t, err, tc.field)
			}
			pvSame(t, tc.name, before, pvSnapOf(t, e))
		})
	}
}

func TestAHeldLeadIsNeverPurgedUntilReleased(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	h, a, b := e.lead(t), e.lead(t), e.lead(t)
	e.del(t, e.dana, "outdated", h.ID, a.ID)
	e.del(t, e.sam, "", b.ID)
	e.clock.advance(time.Minute)
	heldAt := e.clock.t

	if n := pvHold(t, e, store.HoldTarget{LeadID: h.ID}, "  Case 2026-114: litigation  "); n != 1 {
		t.Fatalf("hold = %d, want 1", n)
	}
	got, err := e.s.Lead(ctx, e.ws.ID, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.HeldAt == nil || !got.HeldAt.Equal(heldAt) || got.HeldByName != e.dana.Name || got.HoldReason != "Case 2026-114: litigation" {
		t.Errorf("held lead reads back held at %v by %q for %q", got.HeldAt, got.HeldByName, got.HoldReason)
	}
	if kinds := lcKinds(t, e.s, e.ws.ID, h.ID); kinds[0] != "held" {
		t.Errorf("newest activity of the held lead = %v, want held", kinds)
	}
	if a := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "hold"}); len(a) != 1 || a[0].Count != 1 || a[0].LeadID != h.ID ||
		a[0].ActorID != e.dana.ID || a[0].Details != "Case 2026-114: litigation" || !a[0].At.Equal(heldAt) {
		t.Errorf("hold audit = %+v, want one hold of %s by Dana with the reason", a, h.ID)
	}
	if other, _ := e.s.Lead(ctx, e.ws.ID, a.ID); other.HeldAt != nil {
		t.Errorf("the other lead of the batch is held too")
	}

	// Every way to delete it forever is refused whole.
	purges := []struct {
		name string
		call func() (int, error)
	}{
		{"PurgeLeads of the held lead", func() (int, error) { return e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{h.ID}) }},
		{"PurgeLeads of it and another", func() (int, error) { return e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{a.ID, h.ID, b.ID}) }},
		{"PurgeMatching the whole Trash", func() (int, error) {
			return e.s.PurgeMatching(ctx, e.ws.ID, e.dana, store.TrashFilter{}, 3)
		}},
		{"PurgeMatching its name", func() (int, error) {
			return e.s.PurgeMatching(ctx, e.ws.ID, e.dana, store.TrashFilter{Query: h.Name}, 1)
		}},
	}
	for _, p := range purges {
		t.Run(p.name, func(t *testing.T) {
			before := pvSnapOf(t, e)
			n, err := p.call()
			wantError(t, err, store.EConflict)
			if n != 0 || !strings.Contains(err.Error(), "legal hold") {
				t.Errorf("%s = %d, %v; want 0 and a message about the legal hold", p.name, n, err)
			}
			pvSame(t, p.name, before, pvSnapOf(t, e))
		})
	}

	// Retention purges the others, never the held lead.
	e.clock.advance(31 * 24 * time.Hour)
	runs, err := e.s.PurgeDue(ctx, "test", false)
	if err != nil {
		t.Fatalf("PurgeDue: %v", err)
	}
	if got := rtRuns(runs)[e.ws.ID]; got != 2 {
		t.Errorf("retention purged %d, want the 2 leads not held", got)
	}
	for id, want := range map[string]string{h.ID: "trashed", a.ID: "purged", b.ID: "purged"} {
		if st := e.state(t, id); st != want {
			t.Errorf("after retention, lead %s is %s, want %s", id, st, want)
		}
	}
	e.clock.advance(400 * 24 * time.Hour)
	if _, err := e.s.PurgeDue(ctx, "test", false); err != nil {
		t.Fatal(err)
	}
	if st := e.state(t, h.ID); st != "trashed" {
		t.Errorf("a year later the held lead is %s", st)
	}

	// Released, it can go.
	n, err := e.s.Release(ctx, e.ws.ID, e.sam, store.HoldTarget{LeadID: h.ID})
	if err != nil || n != 1 {
		t.Fatalf("release = %d, %v", n, err)
	}
	got, _ = e.s.Lead(ctx, e.ws.ID, h.ID)
	if got.HeldAt != nil || got.HeldByName != "" || got.HoldReason != "" {
		t.Errorf("released lead still reads held at %v by %q for %q", got.HeldAt, got.HeldByName, got.HoldReason)
	}
	if kinds := lcKinds(t, e.s, e.ws.ID, h.ID); kinds[0] != "released" {
		t.Errorf("newest activity of the released lead = %v, want released", kinds)
	}
	if a := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "release"}); len(a) != 1 || a[0].Count != 1 || a[0].LeadID != h.ID ||
		a[0].ActorID != e.sam.ID {
		t.Errorf("release audit = %+v, want one release of %s by Sam", a, h.ID)
	}
	if n, err := e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{h.ID}); err != nil || n != 1 {
		t.Fatalf("purge after the release = %d, %v", n, err)
	}
	if st := e.state(t, h.ID); st != "purged" {
		t.Errorf("after the release and purge the lead is %s", st)
	}
	e.checkCounters(t, "after the release and purge")
}

func TestRetentionPurgesTheOthersAndLeavesTheReleasedLeadForTheNextRun(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	leads := e.leads(t, 4)
	e.del(t, e.dana, "outdated", lcIDs(leads...)...)
	pvHold(t, e, store.HoldTarget{LeadID: leads[2].ID}, "audit by the regulator")
	e.clock.advance(30 * 24 * time.Hour) // exactly the retention: due
	runs, err := e.s.PurgeDue(ctx, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := rtRuns(runs)[e.ws.ID]; got != 3 {
		t.Errorf("retention purged %d, want 3", got)
	}
	if a := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "purge"}); len(a) != 1 || a[0].Count != 3 || a[0].Reason != "retention" {
		t.Errorf("purge audit = %+v, want one retention purge of 3", a)
	}
	if _, err := e.s.Release(ctx, e.ws.ID, e.dana, store.HoldTarget{LeadID: leads[2].ID}); err != nil {
		t.Fatal(err)
	}
	e.clock.advance(time.Minute)
	runs, err = e.s.PurgeDue(ctx, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := rtRuns(runs)[e.ws.ID]; got != 1 {
		t.Errorf("the run after the release purged %d, want the released lead", got)
	}
	if st := e.state(t, leads[2].ID); st != "purged" {
		t.Errorf("released lead is %s after the next run", st)
	}
	e.checkCounters(t, "after both runs")
}

func TestHoldingABatchHoldsItsLeadsStillInTheTrash(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	leads := e.leads(t, 4)
	b := e.del(t, e.sam, "duplicate", lcIDs(leads...)...)
	e.clock.advance(time.Minute)
	if _, err := e.s.RestoreLeads(ctx, e.ws.ID, e.dana, []string{leads[3].ID}, ""); err != nil {
		t.Fatal(err)
	}
	pvHold(t, e, store.HoldTarget{LeadID: leads[0].ID}, "first case")
	e.clock.advance(time.Minute)

	n, err := e.s.Hold(ctx, e.ws.ID, e.dana, store.HoldTarget{BatchID: b.ID}, "second case")
	if err != nil || n != 2 {
		t.Fatalf("hold the batch = %d, %v; want the 2 trashed leads not yet held", n, err)
	}
	for i, want := range []string{"first case", "second case", "second case", ""} {
		l, err := e.s.Lead(ctx, e.ws.ID, leads[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if l.HoldReason != want || (want == "") != (l.HeldAt == nil) {
			t.Errorf("lead %d: held at %v for %q, want %q", i, l.HeldAt, l.HoldReason, want)
		}
	}
	holds := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "hold"})
	if len(holds) != 2 || holds[0].BatchID != b.ID || holds[0].LeadID != "" || holds[0].Count != 2 || holds[0].Details != "second case" {
		t.Errorf("hold audit = %+v, want the batch's hold of 2 newest", holds)
	}
	before := pvSnapOf(t, e)
	_, err = e.s.Hold(ctx, e.ws.ID, e.dana, store.HoldTarget{BatchID: b.ID}, "third case")
	wantError(t, err, store.EConflict)
	_, err = e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b.ID)
	wantError(t, err, store.EConflict)
	pvSame(t, "holding a held batch again and purging it", before, pvSnapOf(t, e))

	n, err = e.s.Release(ctx, e.ws.ID, e.dana, store.HoldTarget{BatchID: b.ID})
	if err != nil || n != 3 {
		t.Fatalf("release the batch = %d, %v; want 3", n, err)
	}
	if r := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "release"}); len(r) != 1 || r[0].BatchID != b.ID || r[0].Count != 3 {
		t.Errorf("release audit = %+v, want the batch's release of 3", r)
	}
	if n, err := e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b.ID); err != nil || n != 3 {
		t.Fatalf("purge the released batch = %d, %v; want 3", n, err)
	}
	if st := e.state(t, leads[3].ID); st != "active" {
		t.Errorf("the restored lead is %s", st)
	}
	e.checkCounters(t, "after purging the released batch")
}

func TestARestoredHeldLeadStaysHeldAndCannotBeErased(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	l := pvLead(t, e, e.ws, "Harriet Holdfast", "harriet@holdfast.example", "+1 650 253 0111")
	e.del(t, e.dana, "", l.ID)
	pvHold(t, e, store.HoldTarget{LeadID: l.ID}, "pending lawsuit")
	if n, err := e.s.RestoreLeads(ctx, e.ws.ID, e.sam, []string{l.ID}, ""); err != nil || n != 1 {
		t.Fatalf("restore = %d, %v", n, err)
	}
	got, err := e.s.Lead(ctx, e.ws.ID, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.InTrash() || got.HeldAt == nil || got.HoldReason != "pending lawsuit" || got.HeldByName != e.dana.Name {
		t.Fatalf("restored lead: in Trash %t, held at %v for %q", got.InTrash(), got.HeldAt, got.HoldReason)
	}
	p, err := e.s.PreviewErasure(ctx, e.ws, store.ErasureRequest{Email: l.Email})
	if err != nil || len(p.Leads) != 1 || p.Held() != 1 {
		t.Fatalf("preview = %+v (held %d), %v; want the one lead, held", p, p.Held(), err)
	}
	before := pvSnapOf(t, e)
	for _, req := range []store.ErasureRequest{
		{Email: l.Email, Reference: "REQ-1"},
		{Phone: l.Phone, Reference: "REQ-1"},
		{LeadID: l.ID, Reference: "REQ-1", ExpectedCount: 1},
	} {
		_, err = e.s.Erase(ctx, e.ws, e.dana, req)
		wantError(t, err, store.EConflict)
		if !strings.Contains(err.Error(), "legal hold") {
			t.Errorf("erase %+v: %v; want a message about the legal hold", req, err)
		}
	}
	pvSame(t, "erasing a held lead", before, pvSnapOf(t, e))
	// Deleted again, it is still held: no purge either.
	e.del(t, e.dana, "", l.ID)
	_, err = e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{l.ID})
	wantError(t, err, store.EConflict)

	if n, err := e.s.Release(ctx, e.ws.ID, e.dana, store.HoldTarget{LeadID: l.ID}); err != nil || n != 1 {
		t.Fatalf("release = %d, %v", n, err)
	}
	if _, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{Email: l.Email, Reference: "REQ-1"}); err != nil {
		t.Fatalf("erase after the release: %v", err)
	}
	if st := e.state(t, l.ID); st != "purged" {
		t.Errorf("after the erasure the lead is %s", st)
	}
}

// --- Mark as spam ------------------------------------------------------------

func TestMarkSpamMovesTheLeadToTheTrashAndSuppressesItsEmailAndPhone(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	s := pvLead(t, e, e.ws, "Spammy Sender", "Spammy.Sender@Example.com", "+14155550142")
	bystander := e.lead(t)
	e.clock.advance(time.Minute)
	now := e.clock.t

	b, err := e.s.MarkSpam(ctx, e.ws, e.sam, s.ID, "  bulk offers  ")
	if err != nil {
		t.Fatalf("mark as spam: %v", err)
	}
	if b.Kind != "spam" || b.Reason != "spam" || b.Details != "bulk offers" || b.Count != 1 || b.ActorID != e.sam.ID ||
		!b.UndoUntil.Equal(now.Add(store.UndoWindow)) || b.FirstLeadID != s.ID {
		t.Errorf("spam batch = %+v", b)
	}
	got, err := e.s.Lead(ctx, e.ws.ID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.InTrash() || got.DeleteReason != "spam" || got.BatchID != b.ID || got.DeletedBy != e.sam.ID {
		t.Errorf("spam lead: in Trash %t, reason %q, batch %q, by %q", got.InTrash(), got.DeleteReason, got.BatchID, got.DeletedBy)
	}
	entries := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{})
	if a := entries[0]; a.Action != "spam" || a.LeadID != s.ID || a.BatchID != b.ID || a.Count != 1 || a.Reason != "spam" || a.ActorID != e.sam.ID {
		t.Errorf("newest audit row = %+v, want the spam marking", a)
	}
	if page, err := e.s.TrashBatches(ctx, e.ws.ID, "", ""); err != nil || len(page.Batches) != 1 || page.Batches[0].ID != b.ID {
		t.Errorf("Trash batches = %+v, %v; want the spam batch", page.Batches, err)
	}
	if p, _ := e.s.PendingUndos(ctx, e.ws.ID, e.sam.ID); len(p) != 1 || p[0].ID != b.ID {
		t.Errorf("pending undos of Sam = %+v, want the spam batch", p)
	}
	list := pvSuppressions(t, e, e.ws.ID)
	if list.Total != 2 || len(list.Items) != 2 {
		t.Fatalf("suppressions = %+v, want the e-mail and the phone", list)
	}
	for _, x := range list.Items {
		if x.Why != "spam" || x.BatchID != b.ID || x.LeadID != s.ID || x.ByName != e.sam.Name || !x.CreatedAt.Equal(now) ||
			x.WhyText() != "marked as spam" {
			t.Errorf("suppression %+v", x)
		}
	}
	if kinds := pvWhys(t, e, e.ws.ID); !slices.Equal(kinds, []string{"email spam", "phone spam"}) {
		t.Errorf("suppressions = %v", kinds)
	}
	e.checkCounters(t, "after the spam marking")

	creates := []struct {
		name, email, phone string
		fields             []string
	}{
		{"the e-mail in other case and spaces", "  SPAMMY.sender@example.COM ", "", []string{"email"}},
		{"the phone in national form", "", "(415) 555-0142", []string{"phone"}},
		{"the phone with dashes", "", "415-555-0142", []string{"phone"}},
		{"the phone in E.164", "", "+14155550142", []string{"phone"}},
		{"both", "spammy.sender@example.com", "+1 415 555 0142", []string{"email", "phone"}},
		{"the e-mail with a new phone", "spammy.sender@example.com", "+1 650 253 0000", []string{"email"}},
	}
	for _, c := range creates {
		t.Run("create with "+c.name, func(t *testing.T) {
			before := pvSnapOf(t, e)
			_, err := pvCreate(e, e.ws, c.email, c.phone)
			pvWantSuppressed(t, err, c.fields...)
			pvSame(t, "a refused create", before, pvSnapOf(t, e))
		})
	}
	updates := []struct {
		name string
		in   store.LeadInput
		fld  string
	}{
		{"edit another lead to the e-mail", store.LeadInput{Email: ptr("Spammy.Sender@example.com")}, "email"},
		{"edit another lead to the phone", store.LeadInput{Phone: ptr("(415) 555-0142")}, "phone"},
	}
	for _, u := range updates {
		t.Run(u.name, func(t *testing.T) {
			before := pvSnapOf(t, e)
			_, err := e.s.UpdateLead(ctx, e.ws, e.dana, bystander.ID, u.in)
			pvWantSuppressed(t, err, u.fld)
			pvSame(t, u.name, before, pvSnapOf(t, e))
		})
	}

	// Suppressions are the workspace's own: the other workspace may add the person.
	if _, err := pvCreate(e, e.other, "spammy.sender@example.com", "(415) 555-0142"); err != nil {
		t.Errorf("another workspace cannot create the lead: %v", err)
	}
	if l := pvSuppressions(t, e, e.other.ID); l.Total != 0 {
		t.Errorf("the other workspace lists %d suppressions", l.Total)
	}

	// Refused markings.
	before := pvSnapOf(t, e)
	_, err = e.s.MarkSpam(ctx, e.ws, e.sam, s.ID, "")
	lcWant(t, err, store.EConflict, store.ErrAlreadyInTrash, "")
	_, err = e.s.MarkSpam(ctx, e.other, e.olga, bystander.ID, "")
	lcWant(t, err, store.ELeadNotFound, store.ErrLeadNotFound, "")
	_, err = e.s.MarkSpam(ctx, e.ws, e.sam, bystander.ID, strings.Repeat("x", 1001))
	wantInvalid(t, err, "details")
	pvSame(t, "refused spam markings", before, pvSnapOf(t, e))
}

func TestAnUnchangedEditOfALeadWithASuppressedValueIsAllowed(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	spam := pvLead(t, e, e.ws, "Spammy Sender", "spammy@example.com", "+14155550142")
	dup := pvLead(t, e, e.ws, "Spammy Twin", "Spammy@Example.com", "(415) 555-0142")
	pvSpam(t, e, spam.ID)

	edits := []struct {
		name string
		in   store.LeadInput
	}{
		{"rename it", store.LeadInput{Name: ptr("Spammy Twin Renamed")}},
		{"send the e-mail and phone as they are", store.LeadInput{Email: ptr(dup.Email), Phone: ptr(dup.Phone), Company: ptr("Twin Co")}},
		{"send the e-mail in other case and the phone in another form",
			store.LeadInput{Email: ptr(" SPAMMY@example.com "), Phone: ptr("415-555-0142"), Status: ptr("contacted")}},
	}
	for _, ed := range edits {
		if _, err := e.s.UpdateLead(ctx, e.ws, e.dana, dup.ID, ed.in); err != nil {
			t.Errorf("%s: %v", ed.name, err)
		}
	}
	// Once changed to something else, it cannot change back.
	if _, err := e.s.UpdateLead(ctx, e.ws, e.dana, dup.ID, store.LeadInput{Email: ptr("twin@example.com"), Phone: ptr("")}); err != nil {
		t.Fatalf("change the e-mail away: %v", err)
	}
	_, err := e.s.UpdateLead(ctx, e.ws, e.dana, dup.ID, store.LeadInput{Email: ptr("spammy@example.com")})
	pvWantSuppressed(t, err, "email")
	_, err = e.s.UpdateLead(ctx, e.ws, e.dana, dup.ID, store.LeadInput{Phone: ptr("+1 415 555 0142")})
	pvWantSuppressed(t, err, "phone")
}

func TestUndoingOrRestoringASpamMarkingLiftsItsSuppression(t *testing.T) {
	ways := []struct {
		name    string
		wait    time.Duration
		restore func(e *lcEnv, l store.Lead, b store.Batch) error
	}{
		{"UndoBatch", 0, func(e *lcEnv, _ store.Lead, b store.Batch) error {
			_, err := e.s.UndoBatch(context.Background(), e.ws.ID, e.sam, b.ID)
			return err
		}},
		{"RestoreLeads", time.Hour, func(e *lcEnv, l store.Lead, _ store.Batch) error {
			_, err := e.s.RestoreLeads(context.Background(), e.ws.ID, e.dana, []string{l.ID}, "")
			return err
		}},
		{"RestoreBatch", time.Hour, func(e *lcEnv, _ store.Lead, b store.Batch) error {
			_, err := e.s.RestoreBatch(context.Background(), e.ws.ID, e.dana, b.ID)
			return err
		}},
		{"RestoreMatching", time.Hour, func(e *lcEnv, l store.Lead, _ store.Batch) error {
			_, err := e.s.RestoreMatching(context.Background(), e.ws.ID, e.dana, store.TrashFilter{Query: l.Name}, 1)
			return err
		}},
	}
	for _, w := range ways {
		t.Run(w.name, func(t *testing.T) {
			ctx := context.Background()
			e := newLC(t)
			l := pvLead(t, e, e.ws, "Wrongly Flagged", "flagged@example.com", "+14155550142")
			// An admin suppressed its phone by hand before: that suppression stays.
			if err := e.s.Suppress(ctx, e.ws, e.dana, "+1 415 555 0142"); err != nil {
				t.Fatal(err)
			}
			b := pvSpam(t, e, l.ID)
			_, err := pvCreate(e, e.ws, "FLAGGED@example.com", "(415) 555-0142")
			pvWantSuppressed(t, err, "email", "phone")
			e.clock.advance(w.wait)

			if err := w.restore(e, l, b); err != nil {
				t.Fatalf("%s: %v", w.name, err)
			}
			if st := e.state(t, l.ID); st != "active" {
				t.Fatalf("after %s the lead is %s", w.name, st)
			}
			if got := pvWhys(t, e, e.ws.ID); !slices.Equal(got, []string{"phone manual"}) {
				t.Errorf("suppressions after %s = %v, want only the manual one", w.name, got)
			}
			if _, err := pvCreate(e, e.ws, "FLAGGED@example.com", ""); err != nil {
				t.Errorf("create after %s: %v", w.name, err)
			}
			_, err = pvCreate(e, e.ws, "", "(415) 555-0142")
			pvWantSuppressed(t, err, "phone")
			e.checkCounters(t, "after "+w.name)
		})
	}
}

func TestUndoingOneOfTwoSpamMarkingsKeepsTheOthersSuppression(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	a := pvLead(t, e, e.ws, "Spam One", "same@spam.example", "+14155550142")
	b := pvLead(t, e, e.ws, "Spam Two", "Same@Spam.example", "+1 650 253 0000")
	ba := pvSpam(t, e, a.ID)
	bb := pvSpam(t, e, b.ID)
	if l := pvSuppressions(t, e, e.ws.ID); l.Total != 4 {
		t.Errorf("%d suppressions, want one per value and marking (4)", l.Total)
	}
	if _, err := e.s.UndoBatch(ctx, e.ws.ID, e.sam, ba.ID); err != nil {
		t.Fatal(err)
	}
	if got := pvWhys(t, e, e.ws.ID); !slices.Equal(got, []string{"email spam", "phone spam"}) {
		t.Errorf("after undoing the first marking: %v", got)
	}
	_, err := pvCreate(e, e.ws, "same@spam.example", "")
	pvWantSuppressed(t, err, "email")
	if _, err := pvCreate(e, e.ws, "", "(415) 555-0142"); err != nil {
		t.Errorf("the first marking's phone is still refused: %v", err)
	}
	_, err = pvCreate(e, e.ws, "", "(650) 253-0000")
	pvWantSuppressed(t, err, "phone")

	if _, err := e.s.UndoBatch(ctx, e.ws.ID, e.sam, bb.ID); err != nil {
		t.Fatal(err)
	}
	if l := pvSuppressions(t, e, e.ws.ID); l.Total != 0 {
		t.Errorf("%d suppressions left after undoing both", l.Total)
	}
	if _, err := pvCreate(e, e.ws, "same@spam.example", "(650) 253-0000"); err != nil {
		t.Errorf("create after undoing both: %v", err)
	}
}

func TestASpamLeadPurgedFromTheTrashStaysSuppressed(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	l := pvLead(t, e, e.ws, "Real Spammer", "real@spam.example", "")
	b := pvSpam(t, e, l.ID)
	e.clock.advance(time.Hour)
	if _, err := e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b.ID); err != nil {
		t.Fatal(err)
	}
	_, err := pvCreate(e, e.ws, "real@spam.example", "")
	pvWantSuppressed(t, err, "email")
	_, err = e.s.UndoBatch(ctx, e.ws.ID, e.sam, b.ID)
	wantError(t, err, store.EUndoExpired)
}

// --- Suppressions by hand ----------------------------------------------------

func TestSuppressRefusesAMalformedValueAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	for _, v := range []string{"", "   ", "not-an-email@", "a@b", "@example.com", "two@@example.com",
		"Zed <zed@example.com>", "zed@example.com, ann@example.com", "12", "555-01", "+1 000 000 0000", "call me"} {
		t.Run(v, func(t *testing.T) {
			before := pvSnapOf(t, e)
			err := e.s.Suppress(ctx, e.ws, e.dana, v)
			wantInvalid(t, err, "value")
			pvSame(t, fmt.Sprintf("Suppress(%q)", v), before, pvSnapOf(t, e))
			_, err = e.s.FindSuppressions(ctx, e.ws, v)
			wantInvalid(t, err, "value")
		})
	}
}

func TestSuppressByHandListsLiftsAndAuditsWithoutKeepingTheValue(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	const email, phone = "Manual.Block@Example.org", "(415) 555-0199"
	e.clock.advance(time.Minute)
	now := e.clock.t
	for _, v := range []string{"  " + email + " ", "manual.block@example.org", "MANUAL.BLOCK@EXAMPLE.ORG", phone, "+14155550199", "415.555.0199"} {
		if err := e.s.Suppress(ctx, e.ws, e.dana, v); err != nil {
			t.Fatalf("Suppress(%q): %v", v, err)
		}
	}
	list := pvSuppressions(t, e, e.ws.ID)
	if list.Total != 2 || len(list.Items) != 2 {
		t.Fatalf("suppressions = %+v, want one e-mail and one phone", list)
	}
	byKind := map[string]store.Suppression{}
	for _, x := range list.Items {
		byKind[x.Kind] = x
		if x.Why != "manual" || x.ByName != e.dana.Name || x.BatchID != "" || x.LeadID != "" || !x.CreatedAt.Equal(now) ||
			x.WhyText() != "added by an admin" || !strings.HasPrefix(x.ID, "sup_") {
			t.Errorf("suppression %+v", x)
		}
	}
	if len(byKind) != 2 {
		t.Errorf("suppression kinds %v, want email and phone", slices.Collect(maps.Keys(byKind)))
	}
	adds := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "suppression.add"})
	if len(adds) != 2 {
		t.Errorf("%d suppression.add audit rows, want 2 (repeats change nothing)", len(adds))
	}
	for _, v := range []string{"MANUAL.block@example.org ", "+1 415 555 0199"} {
		if found, err := e.s.FindSuppressions(ctx, e.ws, v); err != nil || len(found) != 1 {
			t.Errorf("FindSuppressions(%q) = %+v, %v", v, found, err)
		}
		if found, err := e.s.FindSuppressions(ctx, e.other, v); err != nil || len(found) != 0 {
			t.Errorf("the other workspace finds %q suppressed: %+v, %v", v, found, err)
		}
	}
	_, err := pvCreate(e, e.ws, "manual.block@example.org", "415 555 0199")
	pvWantSuppressed(t, err, "email", "phone")
	if se := wantError(t, err, store.ESuppressed); !strings.Contains(se.Fields["email"], "added by an admin") {
		t.Errorf("the refusal says %q, want why", se.Fields["email"])
	}

	// The table holds neither value in any column, nor does the audit.
	for _, r := range append(e.rows(t, `SELECT * FROM suppressions`), e.rows(t, `SELECT details FROM audit`)...) {
		low := strings.ToLower(r)
		for _, pii := range []string{"manual.block", "example.org", "4155550199", "555-0199", "555 0199"} {
			if strings.Contains(low, pii) {
				t.Errorf("a row holds %q: %s", pii, r)
			}
		}
	}

	// Another workspace cannot lift it, nor learn of it.
	before := pvSnapOf(t, e)
	err = e.s.LiftSuppression(ctx, e.other.ID, e.olga, byKind["email"].ID)
	wantError(t, err, store.ENotFound)
	err = e.s.LiftSuppression(ctx, e.ws.ID, e.dana, "sup_0000000000000000")
	wantError(t, err, store.ENotFound)
	pvSame(t, "refused lifts", before, pvSnapOf(t, e))

	e.clock.advance(time.Minute)
	if err := e.s.LiftSuppression(ctx, e.ws.ID, e.dana, byKind["email"].ID); err != nil {
		t.Fatalf("lift: %v", err)
	}
	lifts := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "suppression.lift"})
	if len(lifts) != 1 || lifts[0].ActorID != e.dana.ID || lifts[0].Count != 1 || !lifts[0].At.Equal(e.clock.t) ||
		strings.Contains(strings.ToLower(lifts[0].Details), "manual.block") {
		t.Errorf("lift audit = %+v", lifts)
	}
	if _, err := pvCreate(e, e.ws, "manual.block@example.org", ""); err != nil {
		t.Errorf("create after the lift: %v", err)
	}
	_, err = pvCreate(e, e.ws, "", "415 555 0199")
	pvWantSuppressed(t, err, "phone")
	err = e.s.LiftSuppression(ctx, e.ws.ID, e.dana, byKind["email"].ID)
	wantError(t, err, store.ENotFound)
	if l := pvSuppressions(t, e, e.ws.ID); l.Total != 1 {
		t.Errorf("%d suppressions left, want the phone", l.Total)
	}
}

func TestSuppressionsOfEveryKindKeepOnlyKeyedHashes(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	spam := pvLead(t, e, e.ws, "Hash Spam", "hash.spam@example.net", "+1 650 253 0123")
	pvSpam(t, e, spam.ID)
	gone := pvLead(t, e, e.ws, "Hash Erased", "hash.erased@example.net", "+1 650 253 0124")
	if _, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{LeadID: gone.ID, Reference: "REQ-77"}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Suppress(ctx, e.ws, e.dana, "hash.manual@example.net"); err != nil {
		t.Fatal(err)
	}
	if got := pvWhys(t, e, e.ws.ID); len(got) != 5 {
		t.Fatalf("suppressions %v, want 5", got)
	}
	for _, r := range e.rows(t, `SELECT * FROM suppressions`) {
		low := strings.ToLower(r)
		for _, pii := range []string{"hash.", "example.net", "6502530123", "6502530124", "650-253"} {
			if strings.Contains(low, pii) {
				t.Errorf("a suppression row holds %q: %s", pii, r)
			}
		}
	}
}

// --- Erasure -----------------------------------------------------------------

const (
	pvName     = "Zelda Quuxington"
	pvEmail    = "zelda.quux.8842@example.org"
	pvPhone    = "+16502538842"
	pvNational = "(650) 253-8842"
	pvEmail2   = "z.quuxington@work.example"
)

// pvPerson is a person with leads in both workspaces: p1 (active: e-mail and phone,
// with notes, a task and a tag), p2 (in the Trash: the e-mail in other case, no
// phone), p3 (active: another e-mail, the phone), o4 (the other workspace's), and
// leads that are not theirs.
type pvPerson struct {
	p1, p2, p3, o4 store.Lead
	bystanders     []store.Lead
}

func pvPersonFixture(t testing.TB, e *lcEnv) pvPerson {
	t.Helper()
	var p pvPerson
	p.p1 = mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr(pvName), Email: ptr(pvEmail), Phone: ptr("+1 650-253-8842"),
		Company: ptr("Hyrule Ltd"), Tags: &[]string{"vip"}})
	pvNote(t, e, p.p1.ID, "Zelda prefers calls in the morning.")
	pvNote(t, e, p.p1.ID, "Sent the price list to "+pvEmail)
	pvTask(t, e, p.p1.ID, "Call Zelda back")
	p.p2 = pvLead(t, e, e.ws, "Zelda Q.", "Zelda.Quux.8842@EXAMPLE.org", "")
	pvNote(t, e, p.p2.ID, "Signed up twice.")
	e.del(t, e.sam, "duplicate", p.p2.ID)
	p.p3 = pvLead(t, e, e.ws, "Z. Quuxington", pvEmail2, pvNational)
	p.o4 = pvLead(t, e, e.other, pvName, pvEmail, pvPhone)
	p.bystanders = e.leads(t, 3)
	return p
}

func pvPreviewIDs(p store.ErasurePreview) []string {
	var out []string
	for _, l := range p.Leads {
		out = append(out, l.ID)
	}
	return out
}

func TestPreviewErasureListsEveryLeadOfThePersonInTheWorkspace(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	p := pvPersonFixture(t, e)
	before := pvSnapOf(t, e)
	cases := []struct {
		name        string
		req         store.ErasureRequest
		email, phon string
		want        []store.Lead
	}{
		{"by e-mail", store.ErasureRequest{Email: pvEmail}, pvEmail, "", []store.Lead{p.p1, p.p2}},
		{"by e-mail in other case with spaces", store.ErasureRequest{Email: "  ZELDA.Quux.8842@example.ORG "}, pvEmail, "", []store.Lead{p.p1, p.p2}},
		{"by phone in national form", store.ErasureRequest{Phone: pvNational}, "", pvPhone, []store.Lead{p.p1, p.p3}},
		{"by phone in E.164", store.ErasureRequest{Phone: pvPhone}, "", pvPhone, []store.Lead{p.p1, p.p3}},
		{"by e-mail or phone", store.ErasureRequest{Email: pvEmail, Phone: "650.253.8842"}, pvEmail, pvPhone, []store.Lead{p.p1, p.p2, p.p3}},
		{"by the lead with both", store.ErasureRequest{LeadID: p.p1.ID}, pvEmail, pvPhone, []store.Lead{p.p1, p.p2, p.p3}},
		{"by the trashed lead (e-mail only)", store.ErasureRequest{LeadID: p.p2.ID}, pvEmail, "", []store.Lead{p.p1, p.p2}},
		{"by the lead with the other e-mail", store.ErasureRequest{LeadID: p.p3.ID}, pvEmail2, pvPhone, []store.Lead{p.p1, p.p3}},
		{"by an e-mail nobody has", store.ErasureRequest{Email: "nobody@example.org"}, "nobody@example.org", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.s.PreviewErasure(ctx, e.ws, tc.req)
			if err != nil {
				t.Fatalf("preview: %v", err)
			}
			if !slices.Equal(pvPreviewIDs(got), lcIDs(tc.want...)) {
				t.Errorf("preview lists %v, want %v", pvPreviewIDs(got), lcIDs(tc.want...))
			}
			if got.Email != tc.email || got.Phone != tc.phon {
				t.Errorf("preview normalised to %q %q, want %q %q", got.Email, got.Phone, tc.email, tc.phon)
			}
			if got.Held() != 0 {
				t.Errorf("preview counts %d held", got.Held())
			}
			for _, l := range got.Leads {
				want := map[string]store.Lead{p.p1.ID: p.p1, p.p2.ID: p.p2, p.p3.ID: p.p3}[l.ID]
				if l.Name != want.Name || l.Email != want.Email || l.Phone != want.Phone || l.InTrash != (l.ID == p.p2.ID) {
					t.Errorf("preview lead %+v, want %s <%s> %s", l, want.Name, want.Email, want.Phone)
				}
				wantNotes := e.count(t, `SELECT count(*) FROM notes WHERE lead_id = ?`, l.ID)
				wantTasks := e.count(t, `SELECT count(*) FROM tasks WHERE lead_id = ?`, l.ID)
				wantAct := e.count(t, `SELECT count(*) FROM activity WHERE lead_id = ?`, l.ID)
				wantTags := e.count(t, `SELECT count(*) FROM tags WHERE lead_id = ?`, l.ID)
				if l.Notes != wantNotes || l.Tasks != wantTasks || l.Activity != wantAct || l.Tags != wantTags {
					t.Errorf("preview of %s counts notes %d tasks %d activity %d tags %d, want %d %d %d %d",
						l.ID, l.Notes, l.Tasks, l.Activity, l.Tags, wantNotes, wantTasks, wantAct, wantTags)
				}
			}
		})
	}
	if got, _ := e.s.PreviewErasure(ctx, e.ws, store.ErasureRequest{LeadID: p.p1.ID}); got.Leads[0].Notes != 2 || got.Leads[0].Tasks != 1 ||
		got.Leads[0].Tags != 1 || got.Leads[0].Activity < 1 {
		t.Errorf("p1 preview counts %+v, want 2 notes, 1 task, 1 tag and its activity", got.Leads[0])
	}
	// The other workspace sees only its own lead of the person.
	if got, err := e.s.PreviewErasure(ctx, e.other, store.ErasureRequest{Email: pvEmail, Phone: pvPhone}); err != nil ||
		!slices.Equal(pvPreviewIDs(got), []string{p.o4.ID}) {
		t.Errorf("the other workspace's preview = %v, %v; want only %s", pvPreviewIDs(got), err, p.o4.ID)
	}

	refused := []struct {
		name  string
		req   store.ErasureRequest
		code  string
		field string
	}{
		{"nothing to find the person by", store.ErasureRequest{}, store.EInvalid, "email"},
		{"blank e-mail and phone", store.ErasureRequest{Email: "  ", Phone: " "}, store.EInvalid, "email"},
		{"a malformed e-mail", store.ErasureRequest{Email: "a@b"}, store.EInvalid, "email"},
		{"a phone that is not one", store.ErasureRequest{Phone: "12"}, store.EInvalid, "phone"},
		{"another workspace's lead", store.ErasureRequest{LeadID: p.o4.ID}, store.ELeadNotFound, ""},
		{"a malformed lead id", store.ErasureRequest{LeadID: "lead_nope"}, store.ELeadNotFound, ""},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.s.PreviewErasure(ctx, e.ws, tc.req)
			wantError(t, err, tc.code)
			if tc.field != "" {
				wantInvalid(t, err, tc.field)
			}
		})
	}
	pvSame(t, "previews", before, pvSnapOf(t, e))
}

func TestEraseIsRefusedWholeAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	p := pvPersonFixture(t, e)
	held := pvLead(t, e, e.ws, "Held Person", "held.person@example.org", "")
	heldTwin := pvLead(t, e, e.ws, "Held Twin", "held.person@example.org", "")
	e.del(t, e.dana, "", held.ID)
	pvHold(t, e, store.HoldTarget{LeadID: held.ID}, "litigation")
	purged := e.lead(t)
	e.del(t, e.dana, "", purged.ID)
	if _, err := e.s.PurgeLeads(ctx, e.ws.ID, e.dana, []string{purged.ID}); err != nil {
		t.Fatal(err)
	}
	noContact := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr("Nameless Contact")})
	e.clock.advance(time.Minute)
	both := func(ref string, expected int) store.ErasureRequest {
		return store.ErasureRequest{Email: pvEmail, Phone: pvPhone, Reference: ref, ExpectedCount: expected}
	}
	cases := []struct {
		name  string
		req   store.ErasureRequest
		code  string
		field string
	}{
		{"no reference", both("", 3), store.EInvalid, "reference"},
		{"a blank reference", both("  \t ", 3), store.EInvalid, "reference"},
		{"a reference of 201 characters", both(strings.Repeat("R", 201), 3), store.EInvalid, "reference"},
		{"a reference with the e-mail", both("DSAR from "+pvEmail, 3), store.EInvalid, "reference"},
		{"a reference with the e-mail upper-cased", both("DSAR "+strings.ToUpper(pvEmail), 3), store.EInvalid, "reference"},
		{"a reference with the phone", both("call "+pvPhone, 3), store.EInvalid, "reference"},
		{"a reference with the phone spaced", both("call +1 650 253 8842", 3), store.EInvalid, "reference"},
		{"a reference with the lead's e-mail", store.ErasureRequest{LeadID: p.p1.ID, Reference: "re " + pvEmail}, store.EInvalid, "reference"},
		{"an expected count that is not the count", both("REQ-1", 2), store.EConflict, ""},
		{"an expected count above the count", both("REQ-1", 4), store.EConflict, ""},
		{"an e-mail nobody has", store.ErasureRequest{Email: "nobody@example.org", Reference: "REQ-1"}, store.EInvalid, ""},
		{"a phone nobody has", store.ErasureRequest{Phone: "+1 650 253 0000", Reference: "REQ-1"}, store.EInvalid, ""},
		{"a malformed e-mail", store.ErasureRequest{Email: "not-an-email@", Reference: "REQ-1"}, store.EInvalid, "email"},
		{"neither e-mail nor phone", store.ErasureRequest{Reference: "REQ-1"}, store.EInvalid, "email"},
		{"a lead of another workspace", store.ErasureRequest{LeadID: p.o4.ID, Reference: "REQ-1"}, store.ELeadNotFound, ""},
		{"a purged lead", store.ErasureRequest{LeadID: purged.ID, Reference: "REQ-1"}, store.EGone, ""},
		{"a lead without e-mail or phone", store.ErasureRequest{LeadID: noContact.ID, Reference: "REQ-1"}, store.EInvalid, "lead"},
		{"a person with a lead on legal hold", store.ErasureRequest{Email: "held.person@example.org", Reference: "REQ-1"}, store.EConflict, ""},
		{"a person's active lead whose twin is held", store.ErasureRequest{LeadID: heldTwin.ID, Reference: "REQ-1"}, store.EConflict, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := pvSnapOf(t, e)
			r, err := e.s.Erase(ctx, e.ws, e.dana, tc.req)
			wantError(t, err, tc.code)
			if tc.field != "" {
				wantInvalid(t, err, tc.field)
			}
			if r.ID != "" {
				t.Errorf("a refused erasure returned the receipt %+v", r)
			}
			pvSame(t, tc.name, before, pvSnapOf(t, e))
			if _, err := pvCreate(e, e.ws, "", ""); err != nil { // not suppressed: only a name
				t.Fatal(err)
			}
		})
	}
	if l := pvSuppressions(t, e, e.ws.ID); l.Total != 0 {
		t.Errorf("refused erasures left %d suppressions", l.Total)
	}
	if list, err := e.s.Erasures(ctx, e.ws.ID, 10); err != nil || len(list) != 0 {
		t.Errorf("refused erasures left receipts %+v, %v", list, err)
	}
}

func TestEraseRefusesAReferenceWithThePhoneInNationalForm(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	pvPersonFixture(t, e)
	for _, ref := range []string{"Call " + pvNational, "ticket 650-253-8842", "phone 6502538842"} {
		before := pvSnapOf(t, e)
		_, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{Email: pvEmail, Phone: pvPhone, Reference: ref})
		if store.ErrorCode(err) != store.EInvalid {
			t.Fatalf("Erase with reference %q = %v; want VALIDATION_FAILED on reference: the audit row and the receipt "+
				"would name the person's phone", ref, err)
		}
		wantInvalid(t, err, "reference")
		pvSame(t, "erase with the phone in the reference", before, pvSnapOf(t, e))
	}
}

// pvMentions are the ways the fixture's person is written, lower-cased.
var pvMentions = []string{strings.ToLower(pvName), "zelda q.", "z. quuxington", pvEmail, pvEmail2, "6502538842", "253-8842"}

// pvMentioning returns the mentions of the person that text holds.
func pvMentioning(text string) []string {
	var out []string
	low := strings.ToLower(text)
	for _, m := range pvMentions {
		if strings.Contains(low, m) || (m == "6502538842" && strings.Contains(digitsOnly(text), m)) {
			out = append(out, m)
		}
	}
	return out
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func TestEraseRemovesThePersonAndRedactsEveryMention(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	p := pvPersonFixture(t, e)
	o4Note := "Zelda Quuxington called from " + pvPhone
	if _, err := e.s.AddNote(ctx, e.other.ID, e.olga, p.o4.ID, o4Note); err != nil {
		t.Fatal(err)
	}
	// Records that are not the person's mention them.
	q := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr("Olive Referrer"), Email: ptr("olive@referrer.example"),
		Metadata: map[string]any{"referrer": "ZELDA.QUUX.8842@EXAMPLE.ORG", "campaign": "spring"}})
	pvNote(t, e, q.ID, "Met zelda quuxington at the fair; write to "+pvEmail+" or call +1 650-253-8842. Budget 10k.")
	pvNote(t, e, q.ID, "Olive wants the spring pricing.")
	pvTask(t, e, q.ID, "Introduce Zelda Quuxington to sales")
	pvTask(t, e, q.ID, "Send Olive the contract")
	r := e.lead(t)
	rb, err := e.s.DeleteLeads(ctx, e.ws, e.dana, store.DeleteRequest{IDs: []string{r.ID}, Reason: "duplicate",
		Details: "duplicate of " + pvName + " <" + pvEmail + ">, " + pvNational})
	if err != nil {
		t.Fatal(err)
	}
	pvHold(t, e, store.HoldTarget{LeadID: r.ID}, "dispute raised by "+pvName)
	if _, err := e.s.Release(ctx, e.ws.ID, e.dana, store.HoldTarget{LeadID: r.ID}); err != nil {
		t.Fatal(err)
	}
	plain := e.lead(t)
	e.del(t, e.dana, "outdated", plain.ID) // a deletion that mentions nobody
	e.clock.advance(time.Minute)
	now := e.clock.t

	preview, err := e.s.PreviewErasure(ctx, e.ws, store.ErasureRequest{Email: pvEmail, Phone: pvPhone})
	if err != nil || len(preview.Leads) != 3 {
		t.Fatalf("preview = %+v, %v", preview, err)
	}
	textsBefore := pvTexts(t, e)
	otherBefore := e.rows(t, `SELECT l.id, l.name, l.email, l.phone, n.body FROM leads l LEFT JOIN notes n ON n.lead_id = l.id
		WHERE l.workspace_id = ? ORDER BY l.id, n.id`, e.other.ID)
	bystandersBefore := e.rows(t, `SELECT * FROM leads WHERE id IN (?, ?, ?, ?, ?) ORDER BY id`,
		p.bystanders[0].ID, p.bystanders[1].ID, p.bystanders[2].ID, r.ID, plain.ID)

	got, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{Email: " " + strings.ToUpper(pvEmail), Phone: pvNational,
		Reference: "  GDPR-2026-0042 ", ExpectedCount: 3})
	if err != nil {
		t.Fatalf("erase: %v", err)
	}

	// The person's leads are gone, each leaving a tombstone of an erasure.
	ids := lcIDs(p.p1, p.p2, p.p3)
	for _, id := range ids {
		_, err := e.s.Lead(ctx, e.ws.ID, id)
		lcWant(t, err, store.ELeadNotFound, store.ErrLeadNotFound, "")
		_, err = e.s.LeadDetail(ctx, e.ws.ID, id)
		lcWant(t, err, store.ELeadNotFound, store.ErrLeadNotFound, "")
		ts, err := e.s.Tombstone(ctx, e.ws.ID, id)
		if err != nil || ts.How != "erasure" || ts.ByName != e.dana.Name || !ts.PurgedAt.Equal(now) ||
			!strings.Contains(ts.Message(), "erased") {
			t.Errorf("tombstone of %s = %+v, %v; want an erasure by Dana at %v", id, ts, err, now)
		}
		if st := e.state(t, id); st != "purged" {
			t.Errorf("erased lead %s is %s", id, st)
		}
		for _, table := range []string{"notes", "tags", "tasks", "activity", "audit"} {
			if table == "audit" {
				continue // audit rows keep the lead id: it names no one
			}
			if n := e.count(t, `SELECT count(*) FROM `+table+` WHERE lead_id = ?`, id); n != 0 {
				t.Errorf("%d %s rows left for erased lead %s", n, table, id)
			}
		}
	}
	if refs := e.rows(t, `SELECT DISTINCT request_ref FROM tombstones WHERE lead_id IN (?, ?, ?)`, ids[0], ids[1], ids[2]); !slices.Equal(refs, []string{"GDPR-2026-0042"}) {
		t.Errorf("tombstones name the requests %v", refs)
	}
	for _, q := range []string{"zelda", "quuxington", "6502538842", pvEmail2} {
		if found := lcWalkLeads(t, e.s, e.ws.ID, store.LeadFilter{Query: q}); len(found) != 0 {
			t.Errorf("search %q finds %v after the erasure", q, found)
		}
		if found := lcWalkTrash(t, e.s, e.ws.ID, store.TrashFilter{Query: q}); len(found) != 0 {
			t.Errorf("Trash search %q finds %v after the erasure", q, lcIDs(found...))
		}
	}
	e.checkCounters(t, "after the erasure")

	// Everything else is as it was, but for the redactions.
	if after := e.rows(t, `SELECT * FROM leads WHERE id IN (?, ?, ?, ?, ?) ORDER BY id`,
		p.bystanders[0].ID, p.bystanders[1].ID, p.bystanders[2].ID, r.ID, plain.ID); !slices.Equal(after, bystandersBefore) {
		t.Errorf("the erasure changed other leads:\nbefore %v\n after %v", bystandersBefore, after)
	}
	if after := e.rows(t, `SELECT l.id, l.name, l.email, l.phone, n.body FROM leads l LEFT JOIN notes n ON n.lead_id = l.id
		WHERE l.workspace_id = ? ORDER BY l.id, n.id`, e.other.ID); !slices.Equal(after, otherBefore) {
		t.Errorf("the erasure changed the other workspace:\nbefore %v\n after %v", otherBefore, after)
	}
	d, err := e.s.LeadDetail(ctx, e.ws.ID, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]bool{}
	for _, n := range d.Notes {
		notes[n.Body] = true
	}
	for _, want := range []string{"Met [erased] at the fair; write to [erased] or call [erased]. Budget 10k.", "Olive wants the spring pricing."} {
		if !notes[want] {
			t.Errorf("notes of the referrer = %v, want %q", slices.Collect(maps.Keys(notes)), want)
		}
	}
	tasks := map[string]bool{}
	for _, tk := range d.Tasks {
		tasks[tk.Title] = true
	}
	if !tasks["Introduce [erased] to sales"] || !tasks["Send Olive the contract"] {
		t.Errorf("tasks of the referrer = %v", slices.Collect(maps.Keys(tasks)))
	}
	if m := d.Lead.Metadata; m["referrer"] != "[erased]" || m["campaign"] != "spring" {
		t.Errorf("metadata of the referrer = %v", m)
	}
	if b, _ := e.s.Batch(ctx, e.ws.ID, rb.ID); b.Details != "duplicate of [erased] <[erased]>, [erased]" {
		t.Errorf("deletion details = %q", b.Details)
	}
	rd, err := e.s.LeadDetail(ctx, e.ws.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var heldText string
	for _, a := range rd.Activity {
		if a.Kind == "held" {
			heldText = a.Text
		}
	}
	if heldText != "Put on legal hold: dispute raised by [erased]" {
		t.Errorf("hold activity of another lead = %q", heldText)
	}
	audits := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{})
	for _, a := range audits {
		if m := pvMentioning(a.Details); len(m) > 0 {
			t.Errorf("audit row %d (%s) still mentions %v: %q", a.ID, a.Action, m, a.Details)
		}
		switch {
		case a.Action == "delete" && a.BatchID == rb.ID:
			if a.Details != "duplicate of [erased] <[erased]>, [erased]" {
				t.Errorf("audit of the deletion = %q", a.Details)
			}
		case a.Action == "hold":
			if a.Details != "dispute raised by [erased]" {
				t.Errorf("audit of the hold = %q", a.Details)
			}
		}
	}
	for _, r := range e.rows(t, `SELECT n.body FROM notes n JOIN leads l ON l.id = n.lead_id WHERE l.workspace_id = ?
		UNION ALL SELECT k.title FROM tasks k JOIN leads l ON l.id = k.lead_id WHERE l.workspace_id = ?
		UNION ALL SELECT a.text FROM activity a JOIN leads l ON l.id = a.lead_id WHERE l.workspace_id = ?
		UNION ALL SELECT metadata FROM leads WHERE workspace_id = ?
		UNION ALL SELECT details FROM batches WHERE workspace_id = ?`, e.ws.ID, e.ws.ID, e.ws.ID, e.ws.ID, e.ws.ID) {
		if m := pvMentioning(r); len(m) > 0 {
			t.Errorf("a record of the workspace still mentions %v: %q", m, r)
		}
	}
	textsAfter := pvTexts(t, e)
	changed := 0
	for k, v := range textsBefore {
		if w, ok := textsAfter[k]; ok && w != v {
			changed++
		}
	}

	// One audit row names the request, never the person.
	erasures := lcAudit(t, e.s, e.ws.ID, store.AuditFilter{Action: "erase"})
	if len(erasures) != 1 {
		t.Fatalf("erase audit = %+v, want one row", erasures)
	}
	if a := erasures[0]; a.Count != 3 || a.Reason != "gdpr_request" || a.ActorID != e.dana.ID || !a.At.Equal(now) ||
		!strings.Contains(a.Details, "GDPR-2026-0042") || !strings.Contains(a.Details, got.ID) || len(pvMentioning(a.Details)) > 0 {
		t.Errorf("erase audit row = %+v", a)
	}
	if n := len(audits) - len(lcAudit(t, e.s, e.ws.ID, store.AuditFilter{To: now})); n != 1 {
		t.Errorf("the erasure wrote %d audit rows, want 1", n)
	}

	// Suppressed: the person cannot come back unasked, but in another workspace. Every
	// e-mail and phone of their leads is suppressed: p3 was found by its phone, and its
	// second e-mail is the person's too.
	if whys := pvWhys(t, e, e.ws.ID); !slices.Equal(whys, []string{"email erasure", "email erasure", "phone erasure"}) {
		t.Errorf("suppressions = %v, want both e-mails and the phone for the erasure", whys)
	}
	if _, err := e.s.CreateLead(ctx, e.ws, e.dana, store.LeadInput{Name: ptr("Back Again"), Email: ptr(pvEmail2)}); store.ErrorCode(err) != store.ESuppressed {
		t.Errorf("a new lead with the person's second e-mail: %v, want SUPPRESSED", err)
	}
	for _, x := range pvSuppressions(t, e, e.ws.ID).Items {
		if x.WhyText() != "erased on request" || x.ByName != e.dana.Name || x.BatchID != "" || x.LeadID != "" {
			t.Errorf("suppression %+v", x)
		}
	}
	_, err = pvCreate(e, e.ws, pvEmail, "")
	pvWantSuppressed(t, err, "email")
	_, err = pvCreate(e, e.ws, "", "650-253-8842")
	pvWantSuppressed(t, err, "phone")
	if _, err := pvCreate(e, e.other, pvEmail, pvPhone); err != nil {
		t.Errorf("the other workspace cannot add the person: %v", err)
	}

	// The receipt: ids and counts, nothing personal.
	if !strings.HasPrefix(got.ID, "era_") || got.WorkspaceID != e.ws.ID || got.Reference != "GDPR-2026-0042" || got.ByID != e.dana.ID ||
		got.ByName != e.dana.Name || !got.At.Equal(now) || !slices.Equal(got.Suppressed, []string{"email", "phone"}) {
		t.Errorf("receipt = %+v", got)
	}
	if got.Redacted != changed || changed != 7 {
		t.Errorf("receipt counts %d redacted records; %d records changed, want 7 (note, task, metadata, batch, 2 audit rows, activity)",
			got.Redacted, changed)
	}
	if len(got.Leads) != 3 {
		t.Fatalf("receipt lists %d leads, want 3", len(got.Leads))
	}
	for i, l := range got.Leads {
		w := preview.Leads[i]
		if l.ID != w.ID || l.InTrash != w.InTrash || l.Notes != w.Notes || l.Tasks != w.Tasks || l.Activity != w.Activity || l.Tags != w.Tags ||
			l.Name != "" || l.Email != "" || l.Phone != "" {
			t.Errorf("receipt lead %+v, want the counts of %+v and no name, e-mail or phone", l, w)
		}
	}
	if n, tk, _ := got.Total(); n != 3 || tk != 1 {
		t.Errorf("receipt totals %d notes, %d tasks; want 3 and 1", n, tk)
	}
	stored, err := e.s.Erasure(ctx, e.ws.ID, got.ID)
	if err != nil {
		t.Fatalf("receipt: %v", err)
	}
	gotJSON, _ := json.Marshal(got)
	storedJSON, _ := json.Marshal(stored)
	if string(gotJSON) != string(storedJSON) {
		t.Errorf("stored receipt\n%s\ndiffers from the returned one\n%s", storedJSON, gotJSON)
	}
	for _, j := range []string{string(gotJSON), string(storedJSON), strings.Join(e.rows(t, `SELECT * FROM erasures`), "\n")} {
		if m := pvMentioning(j); len(m) > 0 || strings.Contains(strings.ToLower(j), "zelda") || strings.Contains(strings.ToLower(j), "quux") {
			t.Errorf("the receipt holds personal data %v: %s", m, j)
		}
	}
	_, err = e.s.Erasure(ctx, e.other.ID, got.ID)
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the other workspace reads the receipt: %v", err)
	}
	if list, err := e.s.Erasures(ctx, e.ws.ID, 10); err != nil || len(list) != 1 || list[0].ID != got.ID {
		t.Errorf("Erasures = %+v, %v", list, err)
	}
	if list, err := e.s.Erasures(ctx, e.other.ID, 10); err != nil || len(list) != 0 {
		t.Errorf("the other workspace's Erasures = %+v, %v", list, err)
	}

	// Nothing is left to erase.
	before := pvSnapOf(t, e)
	_, err = e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{Email: pvEmail, Phone: pvPhone, Reference: "GDPR-2026-0042"})
	wantError(t, err, store.EInvalid)
	pvSame(t, "erasing again", before, pvSnapOf(t, e))
}

func TestEraseByLeadUsesItsEmailAndPhone(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	p := pvPersonFixture(t, e)
	got, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{LeadID: p.p3.ID, Reference: "REQ-9", ExpectedCount: 2})
	if err != nil {
		t.Fatalf("erase by lead: %v", err)
	}
	var erased []string
	for _, l := range got.Leads {
		erased = append(erased, l.ID)
	}
	if !slices.Equal(erased, lcIDs(p.p1, p.p3)) {
		t.Errorf("erased %v, want p1 (same phone) and p3", erased)
	}
	for id, want := range map[string]string{p.p1.ID: "purged", p.p3.ID: "purged", p.p2.ID: "trashed", p.o4.ID: "active"} {
		if st := e.state(t, id); st != want {
			t.Errorf("lead %s is %s, want %s", id, st, want)
		}
	}
	// p2 shares only the e-mail of p1, which is not p3's: it stays, and its e-mail is not suppressed.
	_, err = pvCreate(e, e.ws, pvEmail2, "")
	pvWantSuppressed(t, err, "email")
	_, err = pvCreate(e, e.ws, "", pvPhone)
	pvWantSuppressed(t, err, "phone")
	e.checkCounters(t, "after erasing by lead")
}

func TestEraseFindsAnEmailWithNonASCIILettersWhateverItsCase(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	l := pvLead(t, e, e.ws, "Élodie Accent", "ÉLODIE.Accent@example.fr", "")
	twin := pvLead(t, e, e.ws, "Élodie Twin", "élodie.accent@example.fr", "")
	p, err := e.s.PreviewErasure(ctx, e.ws, store.ErasureRequest{Email: "élodie.accent@example.fr"})
	if err != nil {
		t.Fatal(err)
	}
	if got := pvPreviewIDs(p); !slices.Equal(got, lcIDs(l, twin)) {
		t.Errorf("preview of élodie.accent@example.fr lists %v, want both leads %v (e-mails match whatever their case)",
			got, lcIDs(l, twin))
	}
	// The suppression, which lower-cases in Go, already treats them as one.
	if _, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{Email: "élodie.accent@example.fr", Reference: "REQ-É"}); err != nil {
		t.Fatal(err)
	}
	_, err = pvCreate(e, e.ws, "ÉLODIE.Accent@example.fr", "")
	pvWantSuppressed(t, err, "email")
	if st := e.state(t, l.ID); st != "purged" {
		t.Errorf("the lead with the upper-case e-mail is %s after the erasure: the person is not erased", st)
	}
}

func TestEraseRedactsAHoldReasonOfAnotherLead(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	pvPersonFixture(t, e)
	r := e.lead(t)
	e.del(t, e.dana, "", r.ID)
	pvHold(t, e, store.HoldTarget{LeadID: r.ID}, "subpoena naming "+pvName+" ("+pvEmail+")")
	if _, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{Email: pvEmail, Phone: pvPhone, Reference: "REQ-5"}); err != nil {
		t.Fatal(err)
	}
	got, err := e.s.Lead(ctx, e.ws.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.HeldAt == nil {
		t.Fatal("the other lead lost its hold")
	}
	if m := pvMentioning(got.HoldReason); len(m) > 0 {
		t.Errorf("the hold reason of another lead still names the person %v: %q (want %q)", m, got.HoldReason,
			"subpoena naming [erased] ([erased])")
	}
}

func TestEraseRedactsThePhoneInTheFormsPeopleWriteIt(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	pvPersonFixture(t, e)
	q := e.lead(t)
	forms := []string{"+16502538842", "+1 650-253-8842", "(650) 253-8842", "650-253-8842", "650.253.8842", "650 253 8842",
		"6502538842", "+1 (650) 253-8842", "1-650-253-8842", "+1 650 253 8842"}
	for _, f := range forms {
		pvNote(t, e, q.ID, "Call back on "+f+" after lunch")
	}
	if _, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{Email: pvEmail, Phone: pvPhone, Reference: "REQ-6"}); err != nil {
		t.Fatal(err)
	}
	d, err := e.s.LeadDetail(ctx, e.ws.ID, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, n := range d.Notes {
		if strings.Contains(digitsOnly(n.Body), "6502538842") {
			left = append(left, n.Body)
		}
	}
	slices.Sort(left)
	if len(left) > 0 {
		t.Errorf("%d of %d notes still hold the erased phone: %q", len(left), len(forms), left)
	}
}

// --- The database file -------------------------------------------------------

// pvFileBytes checkpoints the write-ahead log into the database file (through a
// connection of its own) and returns the bytes of the file and of its -wal and
// -shm files.
func pvFileBytes(t testing.TB, e *lcEnv) []byte {
	t.Helper()
	var busy, logFrames, done int
	if err := e.db.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	if busy != 0 {
		t.Fatalf("checkpoint blocked (busy %d, log %d, checkpointed %d)", busy, logFrames, done)
	}
	var all []byte
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		b, err := os.ReadFile(e.s.Path() + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("read %s: %v", e.s.Path()+suffix, err)
		}
		all = append(all, b...)
	}
	return all
}

// pvTraces are the ways the key test's person could linger in the file.
var pvTraces = map[string]string{
	"the e-mail":                  "zelda.quux.8842@example.org",
	"the e-mail as typed":         "Zelda.Quux.8842@Example.org",
	"the phone's E.164 digits":    "16502538842",
	"the phone's national digits": "6502538842",
	"the name":                    "Zelda Quuxington",
	"the surname (a search word)": "quuxington",
}

// pvEraseFromTheFile fills a store on a temporary file with many leads, a person
// with three leads (active, in the Trash, one by phone only) and other records
// mentioning them, checks that the file holds every trace, then erases the person.
func pvEraseFromTheFile(t *testing.T) *lcEnv {
	t.Helper()
	ctx := context.Background()
	e := newLC(t)
	const (
		name  = "Zelda Quuxington"
		email = "zelda.quux.8842@example.org"
		e164  = "16502538842"
	)
	if _, err := e.s.Seed(ctx, e.ws.ID, 400, store.SeedOptions{Rand: testRand(), Extras: true}); err != nil {
		t.Fatal(err)
	}
	p1 := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr(name), Email: ptr(email), Phone: ptr("+1 650-253-8842"),
		Company: ptr("Quuxington Holdings"), Tags: &[]string{"vip", "gdpr"}, Metadata: map[string]any{"personal": name + " " + email}})
	pvNote(t, e, p1.ID, name+" asked for a callback on +"+e164)
	pvNote(t, e, p1.ID, email+" confirmed the demo; "+strings.Repeat("long note to overflow a page ", 150))
	pvTask(t, e, p1.ID, "Send "+name+" the contract")
	p2 := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr(name), Email: ptr(pvTraces["the e-mail as typed"])})
	pvNote(t, e, p2.ID, "Second sign-up by "+email)
	if _, err := e.s.DeleteLeads(ctx, e.ws, e.sam, store.DeleteRequest{IDs: []string{p2.ID}, Reason: "duplicate",
		Details: "duplicate of " + email}); err != nil {
		t.Fatal(err)
	}
	p3 := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr(name), Phone: ptr("(650) 253-8842")})
	e.del(t, e.dana, "outdated", p3.ID)
	for i := range 5 {
		q := e.lead(t)
		pvNote(t, e, q.ID, fmt.Sprintf("Referral %d from %s (%s, +%s)", i, name, email, e164))
		if _, err := e.s.UpdateLead(ctx, e.ws, e.dana, q.ID, store.LeadInput{Metadata: map[string]any{"contact": email}}); err != nil {
			t.Fatal(err)
		}
	}
	r := e.lead(t)
	if _, err := e.s.DeleteLeads(ctx, e.ws, e.dana, store.DeleteRequest{IDs: []string{r.ID}, Reason: "other",
		Details: "merged into " + name + "'s record, +" + e164}); err != nil {
		t.Fatal(err)
	}
	pvHold(t, e, store.HoldTarget{LeadID: r.ID}, "dispute with "+email)
	if _, err := e.s.Release(ctx, e.ws.ID, e.dana, store.HoldTarget{LeadID: r.ID}); err != nil {
		t.Fatal(err)
	}
	e.clock.advance(time.Minute)

	data := bytes.ToLower(pvFileBytes(t, e))
	for what, n := range pvTraces {
		if !bytes.Contains(data, bytes.ToLower([]byte(n))) {
			t.Fatalf("before the erasure the database file does not hold %s %q: the test could not fail", what, n)
		}
	}
	got, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{Email: email, Phone: "+1 650-253-8842", Reference: "DSAR-2026-17", ExpectedCount: 3})
	if err != nil {
		t.Fatalf("erase: %v", err)
	}
	if len(got.Leads) != 3 {
		t.Fatalf("erased %d leads, want 3", len(got.Leads))
	}
	e.checkCounters(t, "after the erasure")
	return e
}

// pvWantNoTrace fails for each trace of the person the database files still hold.
func pvWantNoTrace(t *testing.T, e *lcEnv) {
	t.Helper()
	data := pvFileBytes(t, e)
	lower := bytes.ToLower(data)
	for what, n := range pvTraces {
		if i := bytes.Index(lower, bytes.ToLower([]byte(n))); i >= 0 {
			t.Errorf("after the erasure the database files still hold %s %q (at byte %d, page %d)", what, n, i, i/4096+1)
		}
	}
	if !bytes.Contains(data, []byte("DSAR-2026-17")) {
		t.Errorf("the database file does not hold the request's reference")
	}
}

func TestEraseLeavesNoTraceInTheDatabaseFile(t *testing.T) {
	e := pvEraseFromTheFile(t)
	pvWantNoTrace(t, e)
}

// Deleting a batch forever purges its leads but those on legal hold, which stay in
// the Trash; a batch whose every lead left in the Trash is held is refused.
func TestPurgeBatchKeepsItsHeldLeads(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	leads := e.leads(t, 3)
	b := e.del(t, e.dana, "outdated", lcIDs(leads...)...)
	pvHold(t, e, store.HoldTarget{LeadID: leads[1].ID}, "Case 7")
	if held, err := e.s.BatchHeld(ctx, e.ws.ID, b.ID); err != nil || held != 1 {
		t.Fatalf("BatchHeld = %d, %v; want 1", held, err)
	}
	n, err := e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b.ID)
	if err != nil || n != 2 {
		t.Fatalf("PurgeBatch = %d, %v; want the 2 leads not held", n, err)
	}
	for id, want := range map[string]string{leads[0].ID: "purged", leads[1].ID: "trashed", leads[2].ID: "purged"} {
		if st := e.state(t, id); st != want {
			t.Errorf("lead %s is %s, want %s", id, st, want)
		}
	}
	before := pvSnapOf(t, e)
	_, err = e.s.PurgeBatch(ctx, e.ws.ID, e.dana, b.ID)
	wantError(t, err, store.EConflict)
	if !strings.Contains(err.Error(), "legal hold") {
		t.Errorf("a batch left with only held leads: %v, want a message about the hold", err)
	}
	pvSame(t, "PurgeBatch of only held leads", before, pvSnapOf(t, e))
	e.checkCounters(t, "after purging around a hold")
}
