package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"leadkeep/store"
)

// Tests of the privacy tools as people see them in the console: mark as spam, legal
// hold, the Trash's "Next purge" panel, suppressions, the operator's "Where is my
// lead?" and GDPR erasure with its receipt.

// --- helpers of this file (prefixed priv…, to stay apart from the other files')

// privActiveLead is a lead of ws, fetched from the store, that must not be in the Trash.
func privActiveLead(t *testing.T, app *testApp, ws store.Workspace, id string) store.Lead {
	t.Helper()
	l, err := app.st.Lead(context.Background(), ws.ID, id)
	if err != nil {
		t.Fatalf("lead %s: %v", id, err)
	}
	if l.InTrash() {
		t.Fatalf("lead %s (%s) is in the Trash, want it active", id, l.Name)
	}
	return l
}

// privGone fails the test unless the lead of ws is purged or erased (a tombstone,
// no row).
func privGone(t *testing.T, app *testApp, ws store.Workspace, id string) store.Tombstone {
	t.Helper()
	if _, err := app.st.Lead(context.Background(), ws.ID, id); store.ErrorCode(err) != store.ELeadNotFound {
		t.Fatalf("lead %s is still there (%v), want it gone", id, err)
	}
	tomb, err := app.st.Tombstone(context.Background(), ws.ID, id)
	if err != nil {
		t.Fatalf("lead %s has no tombstone: %v", id, err)
	}
	return tomb
}

// privFieldError checks that a form answered with an error beside the named field:
// the message (containing want, any case), the input marked invalid and tied to it.
func privFieldError(t *testing.T, res *response, field, want string) {
	t.Helper()
	msg := squash(res.doc.Find("#err-" + field))
	if !strings.Contains(strings.ToLower(msg), strings.ToLower(want)) {
		t.Errorf("%s %s: the error beside %q says %q, want it to say %q", res.Request.Method, res.Request.URL.Path, field, msg, want)
	}
	in := res.doc.Find(`[name="` + field + `"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		typ, _ := s.Attr("type")
		return typ != "hidden"
	}).First()
	if in.AttrOr("aria-invalid", "") != "true" || in.AttrOr("aria-describedby", "") != "err-"+field {
		t.Errorf("%s %s: the %q field is not marked invalid and tied to its error", res.Request.Method, res.Request.URL.Path, field)
	}
}

// privContainsFold reports whether s contains sub, ignoring case.
func privContainsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// privNewLead posts the new-lead form with a name and an e-mail (and no phone
// unless given).
func privNewLead(c *client, name, email string, fields ...string) *response {
	c.t.Helper()
	f := leadForm(append([]string{"name", name, "email", email, "phone", "", "company", ""}, fields...)...)
	return c.postForm("/leads", f)
}

// privFinderHit is the finder's entry for the lead id (empty selection when none).
func privFinderHit(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`.finder-hit[data-lead-id="` + id + `"]`)
}

// privFinderIDs are the lead ids the finder lists, in order.
func privFinderIDs(doc *goquery.Document) []string {
	var ids []string
	doc.Find(".finder-hit").Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.AttrOr("data-lead-id", ""))
	})
	return ids
}

// privPanelNames are the names the Trash's "Next purge" panel lists.
func privPanelNames(doc *goquery.Document) []string {
	var names []string
	doc.Find("#next-purge .purge-list li a").Each(func(_ int, s *goquery.Selection) {
		names = append(names, squash(s))
	})
	return names
}

// --- mark as spam

func TestSpamMarkingTrashesTheLeadRefusesItsEmailAndUndoLiftsIt(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	db := polDB(t, app)
	app.user(app.ws, "agent@acme.test", "Andy Agent", store.RoleAgent)
	sam := app.lead(app.ws, store.LeadInput{Name: ptr("Spammy Sam"), Email: ptr("sam@spam.example"), Phone: ptr("+1 415 555 0142")})
	api := &apiApp{testApp: app}
	_, secret := api.apiKey(app.ws, "Web form", store.RoleAgent)
	c := app.signedIn("agent@acme.test")

	// The lead's page offers it; the dialog names the lead and asks for details.
	page := c.getPage("/leads/" + sam.ID)
	wantStatus(t, page, http.StatusOK)
	if link := page.doc.Find(`a[href="/leads/` + sam.ID + `/spam"]`); squash(link) != "Mark as spam" {
		t.Errorf("the lead's page has no \"Mark as spam\" link (found %q)", squash(link))
	}
	dialog := c.getPage("/leads/" + sam.ID + "/spam")
	wantStatus(t, dialog, http.StatusOK)
	if got := dialog.text("h2#dialog-title"); !strings.Contains(got, "Spammy Sam") || !strings.Contains(got, "spam") {
		t.Errorf("the spam dialog's title is %q, want it to name Spammy Sam", got)
	}
	if desc := squash(dialog.doc.Find("#dialog-desc")); !strings.Contains(desc, "refused") || !strings.Contains(desc, "undo") {
		t.Errorf("the spam dialog does not say what happens: %q", desc)
	}
	form := dialog.doc.Find(`form[method="post"][action="/leads/` + sam.ID + `/spam"]`)
	if form.Length() != 1 {
		t.Fatalf("no form posting to /leads/%s/spam:\n%s", sam.ID, excerpt(dialog.body))
	}
	if form.Find(`textarea[name="details"]`).Length() != 1 {
		t.Error("the spam form has no details field")
	}
	if tok, _ := hidden(form, "_csrf"); tok == "" {
		t.Error("the spam form carries no _csrf")
	}

	// Marking it moves it to the Trash and goes away from its page, with the toast.
	res := c.postForm("/leads/"+sam.ID+"/spam", formOf(form, "details", "bot sign-ups"))
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.location(); strings.HasPrefix(loc, "/leads/"+sam.ID) || loc == "" {
		t.Errorf("marking as spam redirects to %q, want away from the lead's page", loc)
	}
	stored := app.storedLead(sam.ID)
	if !stored.InTrash() || stored.DeleteReason != "spam" || stored.BatchID == "" {
		t.Fatalf("after marking as spam the lead is %+v, want it in the Trash for spam", stored)
	}
	trash := c.getPage("/trash")
	wantStatus(t, trash, http.StatusOK)
	if trash.doc.Find(`tr[data-lead-id="`+sam.ID+`"]`).Length() != 1 {
		t.Error("the lead marked as spam is not in the agent's Trash")
	}
	after := c.getPage(res.location())
	wantStatus(t, after, http.StatusOK)
	toast := undoToast(after.doc, stored.BatchID)
	if toast.Length() != 1 {
		t.Fatalf("no undo toast for the spam marking:\n%s", excerpt(after.body))
	}
	if msg := squash(toast.Find(".toast-text")); !strings.Contains(msg, "spam") {
		t.Errorf("the toast says %q, want it to mention spam", msg)
	}

	// A new lead with the e-mail, or the phone, is refused beside the field; nothing is created.
	before := polSnap(t, db)
	res = privNewLead(c, "Sam Again", "SAM@Spam.example")
	wantStatus(t, res, http.StatusConflict)
	privFieldError(t, res, "email", "E-mail is suppressed")
	if res.doc.Find(`input[name="email"]`).Parent().Find(".field-error").Length() != 1 {
		t.Error("the suppression message is not beside the e-mail field")
	}
	res = privNewLead(c, "Sam Phone", "someone@else.example", "phone", "(415) 555-0142")
	wantStatus(t, res, http.StatusConflict)
	privFieldError(t, res, "phone", "Phone is suppressed")
	r := api.apiDo(secret, http.MethodPost, "/leads", map[string]any{"name": "Sam API", "email": "sam@spam.example"})
	if details := apiFail(t, r, http.StatusConflict, "SUPPRESSED"); details["email"] == nil {
		t.Errorf("the API's SUPPRESSED names no field: %v", details)
	}
	polUnchanged(t, db, before, "refused leads with a suppressed e-mail or phone")

	// Undo within the window puts the lead back and lifts the suppression.
	res = c.postForm("/undo/"+stored.BatchID, nil)
	wantStatus(t, res, http.StatusSeeOther)
	privActiveLead(t, app, app.ws, sam.ID)
	res = privNewLead(c, "Sam Again", "sam@spam.example")
	wantRedirect(t, res, "/leads/lead_")
	apiOK(t, api.apiDo(secret, http.MethodPost, "/leads", map[string]any{"name": "Sam API", "phone": "+14155550142"}), http.StatusCreated)
}

// --- legal hold

func TestHoldKeepsATrashedLeadFromPurgeAndRetentionUntilReleased(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	db := polDB(t, app)
	ctx := context.Background()
	app.user(app.ws, "manager@acme.test", "Mia Manager", store.RoleManager)
	kept := app.lead(app.ws, store.LeadInput{Name: ptr("Harriet Held"), Email: ptr("harriet@case.example")})
	free := app.namedLead("Fred Free")
	app.trashLeads(app.admin, "outdated", kept.ID)
	app.trashLeads(app.admin, "outdated", free.ID)
	admin := app.signedIn("admin@acme.test")

	// The Trash offers "Hold…"; the form asks why.
	trash := admin.getPage("/trash")
	wantStatus(t, trash, http.StatusOK)
	if trash.doc.Find(`tr[data-lead-id="`+kept.ID+`"] form[action="/trash/`+kept.ID+`/hold"]`).Length() != 1 {
		t.Error("the admin's Trash row has no hold form")
	}
	dialog := admin.getPage("/trash/" + kept.ID + "/hold")
	wantStatus(t, dialog, http.StatusOK)
	if got := dialog.text("h2#dialog-title"); !strings.Contains(got, "Harriet Held") {
		t.Errorf("the hold form's title is %q, want it to name the lead", got)
	}
	if dialog.doc.Find(`form[action="/trash/`+kept.ID+`/hold"] textarea[name="reason"][required]`).Length() != 1 {
		t.Error("the hold form has no required reason field")
	}

	// Without a reason: the form again, the error beside the field, nothing held.
	before := polSnap(t, db)
	res := admin.postForm("/trash/"+kept.ID+"/hold", url.Values{"reason": {"   "}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	privFieldError(t, res, "reason", "Reason is required")
	polUnchanged(t, db, before, "a hold without a reason")

	reason := "Litigation hold, case 2026-114"
	res = admin.postForm("/trash/"+kept.ID+"/hold", url.Values{"reason": {reason}})
	wantRedirect(t, res, "/trash")
	if l := app.storedLead(kept.ID); l.HeldAt == nil || l.HoldReason != reason {
		t.Fatalf("after the hold the lead is %+v, want it held for %q", l, reason)
	}

	// The row shows the hold and its reason, and no Delete forever.
	trash = admin.getPage("/trash")
	wantStatus(t, trash, http.StatusOK)
	row := trash.doc.Find(`tr[data-lead-id="` + kept.ID + `"]`)
	if row.Find(".badge-hold").Length() != 1 || !strings.Contains(squash(row), reason) {
		t.Errorf("the held lead's row shows no hold badge with its reason: %q", squash(row))
	}
	if row.Find(`form[action="/trash/`+kept.ID+`/release"]`).Length() != 1 {
		t.Error("the held lead's row offers no release")
	}
	for _, r := range trashRowsOf(trash.doc) {
		if want := r.id != kept.ID; r.purgeForm != want {
			t.Errorf("row %s (%s): Delete forever shown = %t, want %t", r.id, r.name, r.purgeForm, want)
		}
	}

	// Delete forever is refused, saying why; the lead stays.
	before = polSnap(t, db)
	res = admin.postForm("/trash/"+kept.ID+"/purge", nil)
	wantStatus(t, res, http.StatusConflict)
	if got := pageText(res.doc); !strings.Contains(got, "legal hold") {
		t.Errorf("the refused purge says %q, want it to mention the legal hold", got)
	}
	polUnchanged(t, db, before, "a purge of a held lead")

	// A manager may neither hold nor release.
	mgr := app.signedIn("manager@acme.test")
	mgrTrash := mgr.getPage("/trash")
	wantStatus(t, mgrTrash, http.StatusOK)
	if n := mgrTrash.doc.Find(`form[action$="/hold"], form[action$="/release"]`).Length(); n != 0 {
		t.Errorf("the manager's Trash offers %d hold or release forms", n)
	}
	before = polSnap(t, db)
	wantStatus(t, mgr.getPage("/trash/"+free.ID+"/hold"), http.StatusForbidden)
	wantStatus(t, mgr.postForm("/trash/"+free.ID+"/hold", url.Values{"reason": {"mine"}}), http.StatusForbidden)
	wantStatus(t, mgr.postForm("/trash/"+kept.ID+"/release", nil), http.StatusForbidden)
	polUnchanged(t, db, before, "a manager's hold and release")

	// Retention passes the held lead by.
	clock.advance(31 * 24 * time.Hour)
	runs, err := app.st.PurgeDue(ctx, "privacy-test", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Purged != 1 {
		t.Errorf("the retention run purged %+v, want 1 lead (Fred, not the held one)", runs)
	}
	privGone(t, app, app.ws, free.ID)
	if l := app.storedLead(kept.ID); !l.InTrash() || l.HeldAt == nil {
		t.Fatalf("after retention the held lead is %+v, want it still held in the Trash", l)
	}

	// Released, it can be deleted forever.
	admin = app.signedIn("admin@acme.test")
	res = admin.postForm("/trash/"+kept.ID+"/release", nil)
	wantRedirect(t, res, "/trash")
	if l := app.storedLead(kept.ID); l.HeldAt != nil {
		t.Fatalf("after the release the lead is still held: %+v", l)
	}
	trash = admin.getPage("/trash")
	if rows := trashRowsOf(trash.doc); len(rows) != 1 || !rows[0].purgeForm {
		t.Errorf("after the release the Trash shows %+v, want the lead with Delete forever", rows)
	}
	wantRedirect(t, admin.postForm("/trash/"+kept.ID+"/purge", nil), "/trash")
	if tomb := privGone(t, app, app.ws, kept.ID); tomb.How != "manual" {
		t.Errorf("the released lead's tombstone says %q, want manual", tomb.How)
	}
}

func TestHoldOfABatchKeepsEveryLeadOfTheDeletionUntilReleased(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	db := polDB(t, app)
	var ids []string
	for _, n := range []string{"Case Lead 1", "Case Lead 2", "Case Lead 3"} {
		ids = append(ids, app.namedLead(n).ID)
	}
	b := app.trashLeads(app.admin, "duplicate", ids...)
	other := app.namedLead("Other Lead")
	app.trashLeads(app.admin, "duplicate", other.ID)
	admin := app.signedIn("admin@acme.test")

	batches := admin.getPage("/trash?view=batches")
	wantStatus(t, batches, http.StatusOK)
	if batches.doc.Find(`li[data-batch-id="`+b.ID+`"] form[action="/trash/batches/`+b.ID+`/hold"]`).Length() != 1 {
		t.Error("the deletion offers no hold form")
	}
	dialog := admin.getPage("/trash/batches/" + b.ID + "/hold")
	wantStatus(t, dialog, http.StatusOK)
	if got := dialog.text("h2#dialog-title"); !strings.Contains(got, "3 leads") {
		t.Errorf("the batch hold form's title is %q, want it to count the 3 leads", got)
	}

	before := polSnap(t, db)
	res := admin.postForm("/trash/batches/"+b.ID+"/hold", url.Values{"reason": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	privFieldError(t, res, "reason", "Reason is required")
	polUnchanged(t, db, before, "a batch hold without a reason")

	wantRedirect(t, admin.postForm("/trash/batches/"+b.ID+"/hold", url.Values{"reason": {"Case 7"}}), "/trash")
	for _, id := range ids {
		if l := app.storedLead(id); l.HeldAt == nil || l.HoldReason != "Case 7" {
			t.Errorf("lead %s of the batch is not held: %+v", id, l)
		}
	}
	if l := app.storedLead(other.ID); l.HeldAt != nil {
		t.Error("a lead of another deletion was held too")
	}
	batches = admin.getPage("/trash?view=batches")
	item := batches.doc.Find(`li[data-batch-id="` + b.ID + `"]`)
	if !strings.Contains(squash(item), "3 on legal hold") {
		t.Errorf("the deletion does not say its leads are held: %q", squash(item))
	}
	if item.Find(`form[action="/trash/batches/`+b.ID+`/purge"]`).Length() != 0 {
		t.Error("a held deletion offers Delete forever")
	}

	before = polSnap(t, db)
	res = admin.postForm("/trash/batches/"+b.ID+"/purge", nil)
	wantStatus(t, res, http.StatusConflict)
	if got := pageText(res.doc); !strings.Contains(got, "legal hold") {
		t.Errorf("the refused batch purge says %q, want it to mention the legal hold", got)
	}
	polUnchanged(t, db, before, "a purge of a held deletion")

	// Restored, a lead keeps its hold: its page says so and offers the release.
	wantRedirect(t, admin.postForm("/trash/"+ids[0]+"/restore", nil), "/leads/"+ids[0])
	page := admin.getPage("/leads/" + ids[0])
	wantStatus(t, page, http.StatusOK)
	banner := page.doc.Find(".hold-banner")
	if banner.Find(".badge-hold").Length() != 1 || !strings.Contains(squash(banner), "Case 7") {
		t.Errorf("the restored held lead's page shows no hold banner with its reason: %q", squash(banner))
	}
	if banner.Find(`form[method="post"][action="/trash/`+ids[0]+`/release"]`).Length() != 1 {
		t.Error("the restored held lead's page offers the admin no release")
	}

	// Released there, and the rest by the batch's release (which acts on what is still
	// in the Trash); then the rest can go.
	wantRedirect(t, admin.postForm("/trash/"+ids[0]+"/release", nil), "/")
	wantRedirect(t, admin.postForm("/trash/batches/"+b.ID+"/release", nil), "/trash")
	for _, id := range ids {
		if l := app.storedLead(id); l.HeldAt != nil {
			t.Errorf("lead %s is still held after the batch release", id)
		}
	}
	wantRedirect(t, admin.postForm("/trash/batches/"+b.ID+"/purge", nil), "/trash")
	for _, id := range ids[1:] {
		privGone(t, app, app.ws, id)
	}
	privActiveLead(t, app, app.ws, ids[0])
}

// --- the Trash's "Next purge" panel

func TestNextPurgePanelNamesWhatTheNextRunDeletesAndKeepsHeldLeads(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock() // Monday, Nov 23 2026, 12:00 UTC
	ctx := context.Background()
	agent := app.user(app.ws, "agent@acme.test", "Andy Agent", store.RoleAgent)
	app.user(app.ws, "manager@acme.test", "Mia Manager", store.RoleManager)
	ws, err := app.st.UpdateSettings(ctx, app.ws.ID, actorOf(app.admin), store.Settings{RetentionDays: 10, PurgeHour: 2, Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	app.ws = ws
	lead := map[string]store.Lead{}
	for _, n := range []string{"Olive Oldest", "Otto Old", "Mona Middle", "Nora New", "Hank Held"} {
		lead[n] = app.namedLead(n)
	}
	app.trashLeads(app.admin, "outdated", lead["Olive Oldest"].ID)
	app.trashLeads(app.admin, "outdated", lead["Otto Old"].ID)
	app.trashLeads(app.admin, "outdated", lead["Hank Held"].ID)
	if _, err := app.st.Hold(ctx, app.ws.ID, actorOf(app.admin), store.HoldTarget{LeadID: lead["Hank Held"].ID}, "Case 9"); err != nil {
		t.Fatal(err)
	}
	clock.advance(24 * time.Hour)
	app.trashLeads(app.admin, "outdated", lead["Mona Middle"].ID)
	clock.advance(5 * 24 * time.Hour)
	app.trashLeads(agent, "outdated", lead["Nora New"].ID)
	// Thursday Dec 3, 08:00: today's run is done; the next is Friday Dec 4 at 02:00,
	// when Olive and Otto (deleted Nov 23, 12:00) are past ten days and Mona is not.
	clock.advance(3*24*time.Hour + 20*time.Hour)
	runs, err := app.st.PurgeScheduled(ctx, "privacy-test")
	if err != nil || len(runs) != 1 || runs[0].Purged != 0 {
		t.Fatalf("today's run: %+v, %v; want it to have run and purged nothing", runs, err)
	}

	admin := app.signedIn("admin@acme.test")
	trash := admin.getPage("/trash")
	wantStatus(t, trash, http.StatusOK)
	panel := trash.doc.Find("#next-purge")
	if panel.Length() != 1 {
		t.Fatalf("the admin's Trash has no #next-purge panel:\n%s", excerpt(trash.body))
	}
	summary := squash(panel.Find("summary"))
	for _, want := range []string{"Next purge", "2 leads will be deleted for good", "1 lead on legal hold kept"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the panel says %q, want %q", summary, want)
		}
	}
	if at := panel.Find("summary time").AttrOr("datetime", ""); at != "2026-12-04T02:00:00Z" {
		t.Errorf("the panel's next run is %q, want 2026-12-04T02:00:00Z", at)
	}
	if got := privPanelNames(trash.doc); !slices.Equal(got, []string{"Olive Oldest", "Otto Old"}) {
		t.Errorf("the panel lists %v, want the two leads due then, oldest first", got)
	}

	// Managers see it too; an agent, whose Trash is their own, does not.
	mgr := app.signedIn("manager@acme.test")
	if res := mgr.getPage("/trash"); res.doc.Find("#next-purge").Length() != 1 {
		t.Error("the manager's Trash has no #next-purge panel")
	}
	ag := app.signedIn("agent@acme.test")
	agTrash := ag.getPage("/trash")
	wantStatus(t, agTrash, http.StatusOK)
	if agTrash.doc.Find("#next-purge").Length() != 0 {
		t.Error("the agent's own-only Trash shows the #next-purge panel")
	}
	if ids := leadIDs(agTrash.doc); !slices.Equal(ids, []string{lead["Nora New"].ID}) {
		t.Errorf("the agent's Trash lists %v, want only Nora", ids)
	}

	// At the purge hour the run is due now; after it, the panel moves on to Mona.
	clock.advance(19 * time.Hour) // Friday Dec 4, 03:00
	admin = app.signedIn("admin@acme.test")
	trash = admin.getPage("/trash")
	if summary := squash(trash.doc.Find("#next-purge summary")); !strings.Contains(summary, "due now") || !strings.Contains(summary, "2 leads") {
		t.Errorf("at the purge hour the panel says %q, want due now with 2 leads", summary)
	}
	if runs, err := app.st.PurgeScheduled(ctx, "privacy-test"); err != nil || len(runs) != 1 || runs[0].Purged != 2 {
		t.Fatalf("the scheduled run: %+v, %v; want 2 purged", runs, err)
	}
	trash = admin.getPage("/trash")
	if got := privPanelNames(trash.doc); !slices.Equal(got, []string{"Mona Middle"}) {
		t.Errorf("after the run the panel lists %v, want Mona, due at the next one", got)
	}
	if summary := squash(trash.doc.Find("#next-purge summary")); !strings.Contains(summary, "1 lead will be deleted for good") ||
		!strings.Contains(summary, "1 lead on legal hold kept") {
		t.Errorf("after the run the panel says %q", summary)
	}
}

// --- suppressions

func TestSuppressionsPageAddsChecksAndLiftsWithoutShowingTheValue(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	db := polDB(t, app)
	app.user(app.ws, "manager@acme.test", "Mia Manager", store.RoleManager)
	admin := app.signedIn("admin@acme.test")

	page := admin.getPage("/settings/suppressions")
	wantStatus(t, page, http.StatusOK)
	form := page.doc.Find(`form[method="post"][action="/settings/suppressions"]`)
	if form.Find(`input[name="value"]`).Length() != 1 || form.Find(`button[name="check"][value="1"]`).Length() != 1 {
		t.Fatalf("the suppressions page has no form with a value field and a Check button:\n%s", excerpt(page.body))
	}

	// A malformed address is refused beside the field; nothing is added.
	before := polSnap(t, db)
	res := admin.postForm("/settings/suppressions", url.Values{"value": {"not-an-email@"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	privFieldError(t, res, "value", "not a valid e-mail address")
	polUnchanged(t, db, before, "a malformed suppression")

	// Added, it is listed by kind, reason and who, never by value.
	wantRedirect(t, admin.postForm("/settings/suppressions", url.Values{"value": {"Spam@Example.com"}}), "/settings/suppressions")
	page = admin.getPage("/settings/suppressions")
	wantStatus(t, page, http.StatusOK)
	rows := page.doc.Find(`section[aria-labelledby="sup-list-h"] tr[data-suppression-id]`)
	if rows.Length() != 1 {
		t.Fatalf("the list has %d suppressions after adding one", rows.Length())
	}
	text, _ := cells(rows)
	if text("Kind") != "E-mail" || text("Why") != "added by an admin" || text("By") != "Dana Admin" {
		t.Errorf("the suppression is listed as kind %q, why %q, by %q", text("Kind"), text("Why"), text("By"))
	}
	if privContainsFold(page.body, "spam@example.com") {
		t.Error("the suppressions page shows the suppressed address")
	}
	supID := rows.AttrOr("data-suppression-id", "")

	// Checking the address says it is suppressed; only the answer echoes it.
	res = admin.postForm("/settings/suppressions", url.Values{"value": {"spam@example.com"}, "check": {"1"}})
	wantStatus(t, res, http.StatusOK)
	answer := squash(res.doc.Find(`section[aria-labelledby="sup-check-h"] [role="status"]`))
	if !strings.Contains(answer, "spam@example.com is suppressed") || !strings.Contains(answer, "added by an admin") {
		t.Errorf("the check answers %q, want it to say the address is suppressed, by an admin", answer)
	}
	res.doc.Find(`section[aria-labelledby="sup-check-h"]`).Remove()
	if rest, _ := res.doc.Html(); privContainsFold(rest, "spam@example.com") {
		t.Error("the checked address shows outside the check's answer")
	}
	res = admin.postForm("/settings/suppressions", url.Values{"value": {"fine@example.com"}, "check": {"1"}})
	wantStatus(t, res, http.StatusOK)
	if answer := squash(res.doc.Find(`section[aria-labelledby="sup-check-h"] [role="status"]`)); !strings.Contains(answer, "is not suppressed") {
		t.Errorf("checking an address never suppressed answers %q", answer)
	}

	// A new lead with it is refused.
	before = polSnap(t, db)
	res = privNewLead(admin, "Sue Spam", "SPAM@example.com")
	wantStatus(t, res, http.StatusConflict)
	privFieldError(t, res, "email", "E-mail is suppressed")
	polUnchanged(t, db, before, "a lead with a suppressed e-mail")

	// Editing another lead to it is refused too; a phone is suppressed whatever its format.
	other := app.lead(app.ws, store.LeadInput{Name: ptr("Ed Edit"), Email: ptr("ed@edit.example")})
	res = admin.postForm("/leads/"+other.ID, leadForm("name", "Ed Edit", "email", "spam@example.com", "phone", "", "company", ""))
	wantStatus(t, res, http.StatusConflict)
	privFieldError(t, res, "email", "E-mail is suppressed")
	wantRedirect(t, admin.postForm("/settings/suppressions", url.Values{"value": {"+1 (415) 555-0177"}}), "/settings/suppressions")
	res = admin.postForm("/settings/suppressions", url.Values{"value": {"415.555.0177"}, "check": {"1"}})
	if answer := squash(res.doc.Find(`section[aria-labelledby="sup-check-h"] [role="status"]`)); !strings.Contains(answer, "is suppressed") {
		t.Errorf("checking the suppressed phone in another format answers %q", answer)
	}
	res = privNewLead(admin, "Pat Phone", "pat@phone.example", "phone", "415-555-0177")
	wantStatus(t, res, http.StatusConflict)
	privFieldError(t, res, "phone", "Phone is suppressed")
	page = admin.getPage("/settings/suppressions")
	if strings.Contains(page.body, "0177") {
		t.Error("the suppressions page shows the suppressed phone")
	}

	// The audit names the kind, not the value.
	audit := admin.getPage("/audit")
	wantStatus(t, audit, http.StatusOK)
	if privContainsFold(audit.body, "spam@example.com") {
		t.Error("the audit log shows the suppressed address")
	}

	// Managers do not manage suppressions.
	mgr := app.signedIn("manager@acme.test")
	wantStatus(t, mgr.getPage("/settings/suppressions"), http.StatusForbidden)
	wantStatus(t, mgr.postForm("/settings/suppressions/"+supID+"/lift", nil), http.StatusForbidden)

	// Lifted, new leads with it are accepted again.
	page = admin.getPage("/settings/suppressions")
	lift := page.doc.Find(`tr[data-suppression-id="` + supID + `"] form[method="post"][action="/settings/suppressions/` + supID + `/lift"]`)
	if lift.Length() != 1 {
		t.Fatal("the suppression has no Lift form")
	}
	wantRedirect(t, admin.postForm("/settings/suppressions/"+supID+"/lift", nil), "/settings/suppressions")
	page = admin.getPage("/settings/suppressions")
	if page.doc.Find(`tr[data-suppression-id="`+supID+`"]`).Length() != 0 {
		t.Error("the lifted suppression is still listed")
	}
	wantRedirect(t, privNewLead(admin, "Sue Spam", "spam@example.com"), "/leads/lead_")
}

// --- the operator's finder

func TestFinderSaysWhereALeadIsInEveryWorkspace(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	ctx := context.Background()
	globex := app.workspace("Globex")
	ops := app.workspace("Ops")
	gina := app.user(globex, "admin@globex.test", "Gina Globex", store.RoleAdmin)
	operator := polOperator(t, app, ops, "op@ops.test", "Olga Operator", store.RoleViewer)
	inbound := app.pool("Inbound")

	active := app.lead(app.ws, store.LeadInput{Name: ptr("Alice Active"), Email: ptr("alice@find.example"),
		PoolID: ptr(inbound.ID), Status: ptr("contacted")})
	trashed, err := app.st.CreateLead(ctx, globex, actorOf(gina), store.LeadInput{Name: ptr("Alice Trashed"), Email: ptr("Alice@Find.example")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.st.DeleteLeads(ctx, globex, actorOf(gina), store.DeleteRequest{IDs: []string{trashed.ID}, Reason: "outdated"}); err != nil {
		t.Fatal(err)
	}
	purged := app.lead(app.ws, store.LeadInput{Name: ptr("Paul Purged"), Email: ptr("paul@find.example")})
	app.trashLeads(app.admin, "duplicate", purged.ID)
	if _, err := app.st.PurgeLeads(ctx, app.ws.ID, actorOf(app.admin), []string{purged.ID}); err != nil {
		t.Fatal(err)
	}
	erased := app.lead(app.ws, store.LeadInput{Name: ptr("Erin Erased"), Email: ptr("erin@find.example")})
	if _, err := app.st.Erase(ctx, app.ws, actorOf(operator), store.ErasureRequest{Email: "erin@find.example", Reference: "DSR-77"}); err != nil {
		t.Fatal(err)
	}
	op := app.signedIn("op@ops.test")

	// By e-mail, across workspaces: active here, in the Trash there.
	res := op.getPage("/operator?q=" + url.QueryEscape("alice@find.example"))
	wantStatus(t, res, http.StatusOK)
	if got := privFinderIDs(res.doc); !polSameSet(got, []string{active.ID, trashed.ID}) {
		t.Fatalf("the finder lists %v, want Alice active in Acme and in Globex's Trash", got)
	}
	hit := privFinderHit(res.doc, active.ID)
	if hit.AttrOr("data-state", "") != "active" || squash(hit.Find(".badge")) != "Active" {
		t.Errorf("the active lead's hit is %q (badge %q)", hit.AttrOr("data-state", ""), squash(hit.Find(".badge")))
	}
	for _, want := range []string{"Alice Active", "in Acme", "pool Inbound", "status Contacted", "hides it"} {
		if !strings.Contains(squash(hit), want) {
			t.Errorf("the active lead's hit does not say %q: %q", want, squash(hit))
		}
	}
	hit = privFinderHit(res.doc, trashed.ID)
	if hit.AttrOr("data-state", "") != "trash" || squash(hit.Find(".badge")) != "In the Trash" {
		t.Errorf("the trashed lead's hit is %q (badge %q)", hit.AttrOr("data-state", ""), squash(hit.Find(".badge")))
	}
	for _, want := range []string{"in Globex", "deleted by Gina Globex", "Outdated", "Purged by retention"} {
		if !strings.Contains(squash(hit), want) {
			t.Errorf("the trashed lead's hit does not say %q: %q", want, squash(hit))
		}
	}
	restore := hit.Find(`form[method="post"][action="/operator/restore"]`)
	if ws, _ := hidden(restore, "workspace"); ws != globex.ID {
		t.Errorf("the restore form names workspace %q, want Globex %s", ws, globex.ID)
	}
	if id, _ := hidden(restore, "lead"); id != trashed.ID {
		t.Errorf("the restore form names lead %q, want %s", id, trashed.ID)
	}

	// Restricted to one workspace.
	res = op.getPage("/operator?q=" + url.QueryEscape("alice@find.example") + "&workspace=" + globex.ID)
	wantStatus(t, res, http.StatusOK)
	if got := privFinderIDs(res.doc); !slices.Equal(got, []string{trashed.ID}) {
		t.Errorf("in Globex the finder lists %v, want only %s", got, trashed.ID)
	}
	wantStatus(t, op.getPage("/operator?q=alice&workspace=ws_nosuchworkspace0"), http.StatusUnprocessableEntity)

	// Purged and erased leads are found by e-mail, through their tombstones.
	res = op.getPage("/operator?q=" + url.QueryEscape("Paul@Find.example"))
	wantStatus(t, res, http.StatusOK)
	hit = privFinderHit(res.doc, purged.ID)
	if hit.AttrOr("data-state", "") != "purged" || !strings.Contains(squash(hit), "Deleted for good") ||
		!strings.Contains(squash(hit), "Dana Admin") {
		t.Errorf("the purged lead's hit: state %q, %q", hit.AttrOr("data-state", ""), squash(hit))
	}
	if strings.Contains(squash(hit), "Paul Purged") {
		t.Error("the purged lead's hit shows its name")
	}
	res = op.getPage("/operator?q=" + url.QueryEscape("erin@find.example"))
	wantStatus(t, res, http.StatusOK)
	hit = privFinderHit(res.doc, erased.ID)
	if hit.AttrOr("data-state", "") != "erased" || !strings.Contains(squash(hit), "DSR-77") || squash(hit.Find(".badge")) != "Erased" {
		t.Errorf("the erased lead's hit: state %q, %q", hit.AttrOr("data-state", ""), squash(hit))
	}

	// A name finds live leads only, and says so.
	res = op.getPage("/operator?q=Alice")
	wantStatus(t, res, http.StatusOK)
	if got := privFinderIDs(res.doc); !polSameSet(got, []string{active.ID, trashed.ID}) {
		t.Errorf("by name the finder lists %v", got)
	}
	if !strings.Contains(pageText(res.doc), "Purged and erased leads keep no name") {
		t.Error("a search by name does not say that purged and erased leads keep no name")
	}
	res = op.getPage("/operator?q=Paul")
	wantStatus(t, res, http.StatusOK)
	if n := res.doc.Find(".finder-hit").Length(); n != 0 || !strings.Contains(pageText(res.doc), "keep no name") {
		t.Errorf("searching a purged lead's name: %d hits, %q", n, pageText(res.doc))
	}

	// An empty search is refused beside the field.
	res = op.getPage("/operator?q=")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	privFieldError(t, res, "q", "enter a name, e-mail, phone or lead id")

	// Restore from the finder: back in Globex, audited there in the operator's name.
	db := polDB(t, app)
	res = op.postForm("/operator/restore", url.Values{"workspace": {globex.ID}, "lead": {trashed.ID}})
	wantRedirect(t, res, "/operator?q=")
	privActiveLead(t, app, globex, trashed.ID)
	page, err := app.st.ListAudit(ctx, globex.ID, store.AuditFilter{Action: "restore", LeadID: trashed.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 || page.Entries[0].ActorID != operator.ID || page.Entries[0].ActorName != "Olga Operator" {
		t.Errorf("Globex's audit of the restore: %+v, want one entry by Olga Operator", page.Entries)
	}
	if n := polInt(t, db, `SELECT count(*) FROM audit WHERE action = 'restore' AND workspace_id <> ?`, globex.ID); n != 0 {
		t.Errorf("%d restore audit rows outside Globex", n)
	}
	res = op.getPage(res.location())
	wantStatus(t, res, http.StatusOK)
	if hit := privFinderHit(res.doc, trashed.ID); hit.AttrOr("data-state", "") != "active" {
		t.Errorf("after the restore the finder says %q", hit.AttrOr("data-state", ""))
	}
}

func TestFinderAndErasureAreForOperatorsOnly(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	l := polLead(t, app, app.ws, "Ada Lovelace", "ada@engines.example")
	polTrash(t, app, app.ws, app.admin, l.ID)
	for _, r := range []store.Role{store.RoleViewer, store.RoleAgent, store.RoleManager} {
		app.user(app.ws, string(r)+"@acme.test", "A "+string(r), r)
	}
	clients := map[string]*client{}
	emails := []string{"viewer@acme.test", "agent@acme.test", "manager@acme.test", "admin@acme.test"}
	for _, email := range emails {
		clients[email] = app.signedIn(email)
	}
	before := polSnap(t, db)
	for _, email := range emails {
		c := clients[email]
		for _, path := range []string{"/operator", "/operator?q=ada@engines.example", "/operator/erase", "/operator/erasures/era_0000000000000000"} {
			if res := c.getPage(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: GET %s answers %d, want 403", email, path, res.StatusCode)
			}
		}
		for path, form := range map[string]url.Values{
			"/operator/erase":   {"workspace": {app.ws.ID}, "email": {"ada@engines.example"}, "reference": {"R-1"}, "confirm": {"1"}},
			"/operator/restore": {"workspace": {app.ws.ID}, "lead": {l.ID}},
		} {
			if res := c.postForm(path, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: POST %s answers %d, want 403", email, path, res.StatusCode)
			}
		}
		if email == "admin@acme.test" {
			page := c.getPage("/leads/" + l.ID)
			if page.doc.Find(`a[href^="/operator/erase"]`).Length() != 0 {
				t.Error("an admin who is no operator sees \"Erase person…\"")
			}
		}
	}
	polUnchanged(t, db, before, "non-operators at the operator's pages")
}

// --- erasure

func TestErasePreviewsRefusesThenErasesThePersonWithAReceipt(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	db := polDB(t, app)
	ctx := context.Background()
	polOperator(t, app, app.ws, "op@acme.test", "Olga Operator", store.RoleAdmin)
	const email, phone = "erika@person.example", "+14155550142"
	first := app.lead(app.ws, store.LeadInput{Name: ptr("Erika Mustermann"), Email: ptr(email), Phone: ptr("(415) 555-0142")})
	if _, err := app.st.AddNote(ctx, app.ws.ID, actorOf(app.admin), first.ID, "Met at the fair"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO tasks (id, lead_id, title, created_at) VALUES ('task_privacy0001', ?, 'Call back', ?)`,
		first.ID, clockStart.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	trashed := app.lead(app.ws, store.LeadInput{Name: ptr("Erika M."), Email: ptr("ERIKA@person.example")})
	if _, err := app.st.DeleteLeads(ctx, app.ws, actorOf(app.admin), store.DeleteRequest{IDs: []string{trashed.ID},
		Reason: "duplicate", Details: "same person as " + email}); err != nil {
		t.Fatal(err)
	}
	byPhone := app.lead(app.ws, store.LeadInput{Name: ptr("E. Mustermann"), Phone: ptr(phone)})
	bob := app.lead(app.ws, store.LeadInput{Name: ptr("Bystander Bob"), Email: ptr("bob@other.example")})
	if _, err := app.st.AddNote(ctx, app.ws.ID, actorOf(app.admin), bob.ID, "Referred by "+email); err != nil {
		t.Fatal(err)
	}
	op := app.signedIn("op@acme.test")

	// From the lead's page to the erasure form, filled in for its person.
	page := op.getPage("/leads/" + first.ID)
	wantStatus(t, page, http.StatusOK)
	link := page.doc.Find(`a[href^="/operator/erase"]`)
	if squash(link) != "Erase person…" {
		t.Fatalf("the operator's lead page has no \"Erase person…\" link (found %q)", squash(link))
	}
	if h := link.AttrOr("href", ""); h != "/operator/erase?workspace="+app.ws.ID+"&lead="+first.ID {
		t.Errorf("\"Erase person…\" goes to %q", h)
	}
	form := op.getPage(link.AttrOr("href", ""))
	wantStatus(t, form, http.StatusOK)
	request := form.doc.Find(`form[method="post"][action="/operator/erase"]`)
	if id, _ := hidden(request, "lead"); id != first.ID {
		t.Errorf("the erasure form names lead %q, want %s", id, first.ID)
	}
	if ws := request.Find(`select[name="workspace"] option[selected]`).AttrOr("value", ""); ws != app.ws.ID {
		t.Errorf("the erasure form's workspace is %q, want %s", ws, app.ws.ID)
	}
	if request.Find(`input[name="reference"]`).Length() != 1 {
		t.Error("the erasure form has no reference field")
	}

	// The preview lists every lead with the e-mail or the phone, with what they hold.
	res := op.postForm("/operator/erase", url.Values{"workspace": {app.ws.ID}, "lead": {first.ID}})
	wantStatus(t, res, http.StatusOK)
	preview := res.doc.Find("#erase-preview")
	if got := squash(preview.Find("h2")); got != "3 leads will be erased" {
		t.Errorf("the preview's heading is %q, want 3 leads", got)
	}
	var listed []string
	preview.Find("tr[data-lead-id]").Each(func(_ int, tr *goquery.Selection) {
		id := tr.AttrOr("data-lead-id", "")
		listed = append(listed, id)
		if !strings.Contains(squash(tr), id) {
			t.Errorf("the preview's row of %s does not show its id", id)
		}
	})
	if !polSameSet(listed, []string{first.ID, trashed.ID, byPhone.ID}) {
		t.Fatalf("the preview lists %v, want the 3 leads with the e-mail or the phone", listed)
	}
	text, _ := cells(preview.Find(`tr[data-lead-id="` + first.ID + `"]`))
	activity := polInt(t, db, `SELECT count(*) FROM activity WHERE lead_id = ?`, first.ID)
	if text("Notes") != "1" || text("Tasks") != "1" || text("Activity") != strconv.Itoa(activity) {
		t.Errorf("the preview counts notes %q, tasks %q, activity %q; want 1, 1, %d", text("Notes"), text("Tasks"), text("Activity"), activity)
	}
	confirm := preview.Find(`form[method="post"][action="/operator/erase"]`)
	if v, _ := hidden(confirm, "confirm"); v != "1" {
		t.Fatal("the preview has no confirm form")
	}
	if v, _ := hidden(confirm, "expected_count"); v != "3" {
		t.Errorf("the confirm form expects %q leads, want 3", v)
	}

	// Confirmed without a reference: refused beside the field, nothing erased.
	before := polSnap(t, db)
	res = op.postForm("/operator/erase", formOf(confirm))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	privFieldError(t, res, "reference", "Request reference is required")
	polUnchanged(t, db, before, "an erasure without a reference")

	// A lead on legal hold stops the whole erasure.
	if _, err := app.st.Hold(ctx, app.ws.ID, actorOf(app.admin), store.HoldTarget{LeadID: trashed.ID}, "Case 12"); err != nil {
		t.Fatal(err)
	}
	before = polSnap(t, db)
	res = op.postForm("/operator/erase", formOf(confirm, "reference", "DSR-2026-0042"))
	wantStatus(t, res, http.StatusConflict)
	if msg := squash(res.doc.Find(`[role="alert"]`)); !strings.Contains(msg, "legal hold") || !strings.Contains(msg, "Nothing was erased") {
		t.Errorf("the refused erasure says %q, want the legal hold named and nothing erased", msg)
	}
	polUnchanged(t, db, before, "an erasure with a held lead")
	res = op.postForm("/operator/erase", url.Values{"workspace": {app.ws.ID}, "lead": {first.ID}})
	wantStatus(t, res, http.StatusOK)
	if row := res.doc.Find(`#erase-preview tr[data-lead-id="` + trashed.ID + `"]`); row.Find(".badge-hold").Length() != 1 {
		t.Errorf("the preview does not mark the held lead: %q", squash(row))
	}
	if n := res.doc.Find(`#erase-preview input[name="confirm"]`).Length(); n != 0 {
		t.Error("the preview offers to erase while a lead is on legal hold")
	}
	if _, err := app.st.Release(ctx, app.ws.ID, actorOf(app.admin), store.HoldTarget{LeadID: trashed.ID}); err != nil {
		t.Fatal(err)
	}

	// A lead added since the preview: the count no longer matches, nothing erased.
	late := app.lead(app.ws, store.LeadInput{Name: ptr("Erika Late"), Email: ptr(email)})
	before = polSnap(t, db)
	res = op.postForm("/operator/erase", formOf(confirm, "reference", "DSR-2026-0042"))
	wantStatus(t, res, http.StatusConflict)
	if msg := squash(res.doc.Find(`[role="alert"]`)); !strings.Contains(msg, "changed") || !strings.Contains(msg, "Nothing was erased") {
		t.Errorf("the refused erasure says %q, want it to say the leads changed", msg)
	}
	polUnchanged(t, db, before, "an erasure whose leads changed")
	confirm = res.doc.Find(`#erase-preview form[method="post"][action="/operator/erase"]`)
	if v, _ := hidden(confirm, "expected_count"); v != "4" {
		t.Fatalf("the refused erasure's new preview expects %q leads, want 4", v)
	}

	// Confirmed: the receipt.
	erasedIDs := []string{first.ID, trashed.ID, byPhone.ID, late.ID}
	res = op.postForm("/operator/erase", formOf(confirm, "reference", "DSR-2026-0042"))
	wantRedirect(t, res, "/operator/erasures/era_")
	receiptURL := res.location()
	personal := []string{email, phone, "(415) 555-0142", "415-555-0142", "Erika", "Mustermann"}
	receipt := op.getPage(receiptURL)
	wantStatus(t, receipt, http.StatusOK)
	body := squash(receipt.doc.Find("main"))
	for _, want := range append([]string{"DSR-2026-0042", "with 1 note, 1 task"}, erasedIDs...) {
		if !strings.Contains(body, want) {
			t.Errorf("the receipt does not say %q: %q", want, body)
		}
	}
	for _, p := range personal {
		if privContainsFold(receipt.body, p) {
			t.Errorf("the receipt page contains the person's %q", p)
		}
	}
	js := op.getPage(receiptURL + "?format=json")
	wantStatus(t, js, http.StatusOK)
	if cd := js.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("the JSON receipt's Content-Disposition is %q, want an attachment", cd)
	}
	var rec struct {
		Reference string `json:"reference"`
		Leads     []struct {
			ID    string `json:"id"`
			Notes int    `json:"notes"`
			Tasks int    `json:"tasks"`
		} `json:"leads"`
	}
	if err := json.Unmarshal([]byte(js.body), &rec); err != nil {
		t.Fatalf("the JSON receipt does not parse: %v\n%s", err, excerpt(js.body))
	}
	var recIDs []string
	notes, tasks := 0, 0
	for _, l := range rec.Leads {
		recIDs, notes, tasks = append(recIDs, l.ID), notes+l.Notes, tasks+l.Tasks
	}
	if rec.Reference != "DSR-2026-0042" || !polSameSet(recIDs, erasedIDs) || notes != 1 || tasks != 1 {
		t.Errorf("the JSON receipt: reference %q, leads %v, notes %d, tasks %d", rec.Reference, recIDs, notes, tasks)
	}
	for _, p := range append(personal, "4155550142") {
		if privContainsFold(js.body, p) {
			t.Errorf("the JSON receipt contains the person's %q", p)
		}
	}

	// Afterwards: each lead's page is gone, saying it was erased.
	for _, id := range erasedIDs {
		res := op.getPage("/leads/" + id)
		wantStatus(t, res, http.StatusGone)
		if !strings.Contains(pageText(res.doc), "erased") {
			t.Errorf("the erased lead %s's page says %q, want it to mention the erasure", id, pageText(res.doc))
		}
	}
	privActiveLead(t, app, app.ws, bob.ID)

	// The person cannot come back unasked.
	before = polSnap(t, db)
	res = privNewLead(op, "Erika Again", email)
	wantStatus(t, res, http.StatusConflict)
	privFieldError(t, res, "email", "E-mail is suppressed")
	polUnchanged(t, db, before, "a new lead of the erased person")

	// The audit names the request, never the person; other records are redacted.
	audit := op.getPage("/audit?action=erase")
	wantStatus(t, audit, http.StatusOK)
	rows := audit.doc.Find("tr[data-audit-id]")
	if rows.Length() != 1 {
		t.Fatalf("the audit lists %d erasures, want 1", rows.Length())
	}
	rowText := squash(rows)
	if !strings.Contains(rowText, "Erased a person") || !strings.Contains(rowText, "DSR-2026-0042") {
		t.Errorf("the erasure's audit entry says %q", rowText)
	}
	whole := op.getPage("/audit")
	wantStatus(t, whole, http.StatusOK)
	for _, p := range personal {
		if privContainsFold(whole.body, p) {
			t.Errorf("the audit log still contains the person's %q", p)
		}
	}
	bobPage := op.getPage("/leads/" + bob.ID)
	wantStatus(t, bobPage, http.StatusOK)
	if privContainsFold(bobPage.body, email) {
		t.Error("another lead's note still names the erased person's e-mail")
	}
}

// --- found while writing the tests above (skipped until fixed; see the reasons)

func TestEraseKeepsThePersonSuppressedWhenAnEarlierManualSuppressionIsLifted(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	polOperator(t, app, app.ws, "op@acme.test", "Olga Operator", store.RoleAdmin)
	const email = "erika@person.example"
	app.lead(app.ws, store.LeadInput{Name: ptr("Erika Mustermann"), Email: ptr(email)})
	admin := app.signedIn("admin@acme.test")
	wantRedirect(t, admin.postForm("/settings/suppressions", url.Values{"value": {email}}), "/settings/suppressions")

	op := app.signedIn("op@acme.test")
	res := op.postForm("/operator/erase", url.Values{"workspace": {app.ws.ID}, "email": {email}, "reference": {"DSR-9"},
		"confirm": {"1"}, "expected_count": {"1"}})
	wantRedirect(t, res, "/operator/erasures/era_")
	receipt := op.getPage(res.location())
	if !strings.Contains(pageText(receipt.doc), "the e-mail (new leads with them are refused)") {
		t.Errorf("the receipt does not say the e-mail is suppressed: %q", pageText(receipt.doc))
	}

	// The admin lifts their own, older suppression; the erasure's must still hold.
	page := admin.getPage("/settings/suppressions")
	manual := page.doc.Find(`section[aria-labelledby="sup-list-h"] tr[data-suppression-id]`).FilterFunction(func(_ int, tr *goquery.Selection) bool {
		text, _ := cells(tr)
		return text("Why") == "added by an admin"
	})
	if manual.Length() != 1 {
		t.Fatalf("%d suppressions added by an admin listed, want 1", manual.Length())
	}
	id := manual.AttrOr("data-suppression-id", "")
	wantRedirect(t, admin.postForm("/settings/suppressions/"+id+"/lift", nil), "/settings/suppressions")
	res = privNewLead(admin, "Erika Again", email)
	if res.StatusCode != http.StatusConflict {
		t.Error("an erasure records no suppression of its own when the e-mail (or phone) is already suppressed " +
			"by hand: store.suppressHashes inserts with ON CONFLICT DO NOTHING and the unique index suppressions_value " +
			"(workspace_id, kind, hash, ifnull(batch_id, '')) treats the manual row (no batch) and the erasure row (no batch) " +
			"as the same. Lifting the manual suppression then lets the erased person back in (POST /leads answers 303), " +
			"although the receipt says the e-mail is suppressed")
	}
	privFieldError(t, res, "email", "E-mail is suppressed")
}

func TestSuppressionOfASpamLeadStopsLinkingToTheLeadOncePurged(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	sam := app.lead(app.ws, store.LeadInput{Name: ptr("Spammy Sam"), Email: ptr("sam@spam.example")})
	admin := app.signedIn("admin@acme.test")
	wantStatus(t, admin.postForm("/leads/"+sam.ID+"/spam", nil), http.StatusSeeOther)
	page := admin.getPage("/settings/suppressions")
	if page.doc.Find(`tr[data-suppression-id] a[href="/leads/`+sam.ID+`"]`).Length() != 1 {
		t.Fatal("the spam suppression does not link to the lead in the Trash")
	}

	clock.advance(time.Minute)
	admin = app.signedIn("admin@acme.test")
	wantRedirect(t, admin.postForm("/trash/"+sam.ID+"/purge", nil), "/trash")
	page = admin.getPage("/settings/suppressions")
	if page.doc.Find(`tr[data-suppression-id] a[href="/leads/`+sam.ID+`"]`).Length() != 0 {
		t.Error("after the spam lead is purged, the suppressions list still links to it (\"· the lead\"), a page " +
			"that answers 410: store.Suppressions reads suppressions.lead_id as stored and nothing clears it on purge, " +
			"although Suppression.LeadID is documented as \"the lead marked as spam, while it exists\"")
	}
}

func TestHoldOfPartOfADeletionNeverOffersADeleteForeverThatFails(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	held, free := app.namedLead("Held Half"), app.namedLead("Free Half")
	b := app.trashLeads(app.admin, "duplicate", held.ID, free.ID)
	if _, err := app.st.Hold(ctx, app.ws.ID, actorOf(app.admin), store.HoldTarget{LeadID: held.ID}, "Case 3"); err != nil {
		t.Fatal(err)
	}
	admin := app.signedIn("admin@acme.test")
	page := admin.getPage("/trash?view=batches")
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`li[data-batch-id="`+b.ID+`"] form[action="/trash/batches/`+b.ID+`/purge"]`).Length() == 0 {
		return // not offered: consistent
	}
	res := admin.postForm("/trash/batches/"+b.ID+"/purge", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Error("a deletion with some (not all) of its leads on legal hold shows \"Delete forever\" (trash.templ " +
			"shows it while b.Held < b.InTrash, and its confirmation promises every lead still in the Trash), but " +
			"POST /trash/batches/{id}/purge always answers 409 \"1 lead on legal hold cannot be deleted forever\": " +
			"store.PurgeBatch passes the whole batch to purgeRows, which refuses any set with a held lead")
	}
	privGone(t, app, app.ws, free.ID)
	if l := app.storedLead(held.ID); !l.InTrash() || l.HeldAt == nil {
		t.Errorf("the held lead of the deletion is %+v, want it kept", l)
	}
}

func TestEraseWithAMissingOrUnknownWorkspaceSaysWhatIsWrong(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	polOperator(t, app, app.ws, "op@acme.test", "Olga Operator", store.RoleAdmin)
	app.lead(app.ws, store.LeadInput{Name: ptr("Gil Person"), Email: ptr("gil@person.example")})
	op := app.signedIn("op@acme.test")
	before := polSnap(t, db)
	for _, ws := range []string{"", "ws_0000000000000000"} {
		res := op.postForm("/operator/erase", url.Values{"workspace": {ws}, "email": {"gil@person.example"}, "reference": {"R-1"}, "confirm": {"1"}})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if msg := squash(res.doc.Find(`.field-error, [role="alert"]`)); !strings.Contains(strings.ToLower(msg), "workspace") {
			t.Error("POST /operator/erase with an empty or unknown workspace answers 422 with no message at all: " +
				"erase puts the error in d.Errors[\"workspace\"], but ErasePage shows field errors only for e-mail, phone " +
				"and reference (the workspace select has none) and d.Message stays empty")
		}
	}
	polUnchanged(t, db, before, "erasures naming no workspace")
}

func TestEraseNeverLetsTheReferenceNameThePerson(t *testing.T) {
	for _, tc := range []struct {
		name, by, value, reference, leaked string
	}{
		{"by e-mail, the reference has the lead's phone", "email", "gil@person.example", "call 415-555-0100", "415-555-0100"},
		{"by phone, the reference has the lead's e-mail", "phone", "+14155550100", "mail gil@person.example", "gil@person.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newTestApp(t)
			polOperator(t, app, app.ws, "op@acme.test", "Olga Operator", store.RoleAdmin)
			app.lead(app.ws, store.LeadInput{Name: ptr("Gil Person"), Email: ptr("gil@person.example"), Phone: ptr("+14155550100")})
			op := app.signedIn("op@acme.test")
			res := op.postForm("/operator/erase", url.Values{"workspace": {app.ws.ID}, tc.by: {tc.value},
				"reference": {tc.reference}, "confirm": {"1"}})
			if res.StatusCode == http.StatusUnprocessableEntity {
				privFieldError(t, res, "reference", "must not contain")
				return
			}
			wantRedirect(t, res, "/operator/erasures/era_")
			for _, path := range []string{"/audit?action=erase", res.location(), "/operator"} {
				if page := op.getPage(path); strings.Contains(page.body, tc.leaked) {
					t.Error("the erasure reference may contain the person's e-mail or phone when the request did not " +
						"name that value: store.Erase checks the reference only against the request's own e-mail and " +
						"phone, not against those of the leads it matched, so \"" + tc.reference + "\" is accepted and " +
						"the audit row, the receipt and the operator page name the person (" + path + ")")
				}
			}
		})
	}
}

// Settings leads admins to the suppressions page.
func TestSettingsLinksToSuppressions(t *testing.T) {
	app := newTestApp(t)
	page := app.signedIn("admin@acme.test").getPage("/settings")
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`a[href="/settings/suppressions"]`).Length() != 1 {
		t.Errorf("Settings has no link to the suppressions")
	}
}
