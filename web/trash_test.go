package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"leadkeep/store"
)

// Tests of safe delete as a person sees it in the console: the delete dialog, the
// undo toast, the Trash, restore, purge, the audit log.

// --- helpers of this file

// stoppedClock is the store's clock in a test: it stands still until advanced, so
// that undo windows, countdowns and relative times are exact.
type stoppedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stoppedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stoppedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// clockStart is when the stopped clocks start: a Monday noon, UTC.
var clockStart = time.Date(2026, time.November, 23, 12, 0, 0, 0, time.UTC)

// stopClock replaces the store's clock with a stopped one; call it before any
// request (sessions are stamped with it too).
func (a *testApp) stopClock() *stoppedClock {
	c := &stoppedClock{t: clockStart}
	a.st.Now = c.now
	return c
}

// actorOf is the store actor of a user.
func actorOf(u store.User) store.Actor { return store.UserActor(u) }

// trashLeads moves leads of the app's workspace to the Trash through the store, as
// one batch deleted by u.
func (a *testApp) trashLeads(u store.User, reason string, ids ...string) store.Batch {
	a.t.Helper()
	b, err := a.st.DeleteLeads(context.Background(), a.ws, actorOf(u), store.DeleteRequest{IDs: ids, Reason: reason})
	if err != nil {
		a.t.Fatalf("delete %v: %v", ids, err)
	}
	return b
}

// storedLead is the lead as the store has it, trashed or not.
func (a *testApp) storedLead(id string) store.Lead {
	a.t.Helper()
	l, err := a.st.Lead(context.Background(), a.ws.ID, id)
	if err != nil {
		a.t.Fatalf("lead %s: %v", id, err)
	}
	return l
}

// trashedCount is the number of leads in the app's workspace's Trash.
func (a *testApp) trashedCount() int {
	a.t.Helper()
	p, err := a.st.ListTrash(context.Background(), a.ws.ID, store.TrashFilter{})
	if err != nil {
		a.t.Fatalf("list trash: %v", err)
	}
	return p.Total
}

// auditCount is the number of audit rows of the app's workspace (at most 100).
func (a *testApp) auditCount() int {
	a.t.Helper()
	p, err := a.st.ListAudit(context.Background(), a.ws.ID, store.AuditFilter{Limit: 100})
	if err != nil {
		a.t.Fatalf("list audit: %v", err)
	}
	return len(p.Entries)
}

// setReasonRequired sets the workspace's reason_required directly in the database,
// as the settings page (not yet built) would.
func (a *testApp) setReasonRequired(on bool) {
	a.t.Helper()
	db, err := sql.Open("sqlite", "file:"+a.st.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		a.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE workspaces SET reason_required = ? WHERE id = ?`, on, a.ws.ID); err != nil {
		a.t.Fatalf("set reason_required: %v", err)
	}
	a.ws.ReasonRequired = on
}

// deleteLead posts the delete form of the lead, as a plain browser does.
func (c *client) deleteLead(id string, form url.Values, header ...string) *response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return c.postForm("/leads/"+id+"/delete", form, header...)
}

// tableCount is the number the table's #lead-count starts with.
func tableCount(t *testing.T, doc *goquery.Document) int {
	t.Helper()
	text := strings.TrimSpace(doc.Find("#lead-count").Text())
	f := strings.Fields(text)
	if len(f) == 0 {
		t.Fatalf("no #lead-count on the page")
	}
	n, err := strconv.Atoi(strings.ReplaceAll(f[0], ",", ""))
	if err != nil {
		t.Fatalf("#lead-count %q does not start with a number", text)
	}
	return n
}

// undoToast is the undo toast of the batch in #toasts (an empty selection if none).
func undoToast(doc *goquery.Document, batchID string) *goquery.Selection {
	return doc.Find(`#toasts .toast-undo`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find(`form[action="/undo/`+batchID+`"]`).Length() == 1
	})
}

// toastTexts are the texts of the toasts in #toasts.
func toastTexts(doc *goquery.Document) string {
	return strings.Join(strings.Fields(doc.Find("#toasts").Text()), " ")
}

// pageText is the visible text of the page's main region, spaces collapsed.
func pageText(doc *goquery.Document) string {
	return strings.Join(strings.Fields(doc.Find("main").Text()), " ")
}

// columns maps each header of the table around sel to its column index, so that
// rows are read by what their columns are called, not by where they are.
func columns(sel *goquery.Selection) map[string]int {
	cols := map[string]int{}
	sel.Closest("table").Find("thead th").Each(func(i int, th *goquery.Selection) {
		cols[strings.Join(strings.Fields(th.Text()), " ")] = i
	})
	return cols
}

// cells reads a row's cells by column header: text and the cell itself.
func cells(tr *goquery.Selection) (func(header string) string, func(header string) *goquery.Selection) {
	cols := columns(tr)
	td := tr.Children()
	at := func(h string) *goquery.Selection {
		i, ok := cols[h]
		if !ok {
			return tr.Find("no-such-column")
		}
		return td.Eq(i)
	}
	text := func(h string) string { return strings.Join(strings.Fields(at(h).Text()), " ") }
	return text, at
}

// auditRow is one row of the audit table, as shown.
type auditRow struct {
	who, action, target, count, reason string
	leadLink                           string // the href of the lead link, if any
}

func auditRowsOf(doc *goquery.Document) []auditRow {
	var rows []auditRow
	doc.Find("tr[data-audit-id]").Each(func(_ int, tr *goquery.Selection) {
		text, cell := cells(tr)
		link, _ := cell("Lead or batch").Find("a").Attr("href")
		rows = append(rows, auditRow{who: text("Who"), action: text("Action"), target: text("Lead or batch"),
			count: text("Count"), reason: text("Reason"), leadLink: link})
	})
	return rows
}

// trashRow is one row of the Trash table, as shown.
type trashRow struct {
	id, name, email, phone, deletedBy, when, whenTitle, reason, purges string
	restoreForm, purgeForm                                             bool
}

func trashRowsOf(doc *goquery.Document) []trashRow {
	var rows []trashRow
	doc.Find("tr[data-lead-id]").Each(func(_ int, tr *goquery.Selection) {
		text, cell := cells(tr)
		id, _ := tr.Attr("data-lead-id")
		title, _ := cell("Deleted").Find("time").Attr("title")
		rows = append(rows, trashRow{id: id, name: text("Name"), email: text("E-mail"), phone: text("Phone"),
			deletedBy: text("Deleted by"), when: text("Deleted"), whenTitle: title, reason: text("Reason"), purges: text("Purges"),
			restoreForm: tr.Find(`form[method="post"][action="/trash/`+id+`/restore"]`).Length() == 1,
			purgeForm:   tr.Find(`form[method="post"][action="/trash/`+id+`/purge"]`).Length() == 1,
		})
	})
	return rows
}

// exactTime is how pages write a time in full (title attributes).
func exactTime(t time.Time) string { return t.UTC().Format("Mon, Jan 2, 2006 at 15:04 UTC") }

// --- the delete dialog

func TestDeleteDialogAsksNamesTheLeadAndOffersTheReasons(t *testing.T) {
	app := newTestApp(t)
	l := app.lead(app.ws, store.LeadInput{Name: ptr("Ada Lovelace"), Email: ptr("ada@engines.example")})
	c := app.signedIn("admin@acme.test")

	res := c.getPage("/leads/" + l.ID + "/delete")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.body, "<html") {
		t.Error("without htmx the dialog is not a whole page")
	}
	if got := res.text("h2#dialog-title"); got != "Delete this lead?" {
		t.Errorf("the dialog's title is %q, want %q", got, "Delete this lead?")
	}
	desc := strings.Join(strings.Fields(res.text("#dialog-desc")), " ")
	for _, want := range []string{"Ada Lovelace", "ada@engines.example"} {
		if !strings.Contains(desc, want) {
			t.Errorf("the dialog does not name the lead (%q): %q", want, desc)
		}
	}
	form := res.doc.Find(`form[method="post"][action="/leads/` + l.ID + `/delete"]`)
	if form.Length() != 1 {
		t.Fatalf("no form posting to /leads/%s/delete", l.ID)
	}
	var reasons []string
	form.Find(`select[name="reason"] option`).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		reasons = append(reasons, v)
	})
	if want := []string{"", "duplicate", "outdated", "invalid", "spam", "gdpr_request", "other"}; !slices.Equal(reasons, want) {
		t.Errorf("the reasons are %q, want %q", reasons, want)
	}
	if id, _ := form.Find(`select[name="reason"]`).Attr("id"); id == "" || form.Find(`label[for="`+id+`"]`).Length() != 1 {
		t.Error("the reason select has no label")
	}
	if form.Find(`textarea[name="details"]`).Length() != 1 {
		t.Error("no details textarea")
	}
	tok, _ := form.Find(`input[type="hidden"][name="_csrf"]`).Attr("value")
	if tok == "" || tok != csrfToken(res.doc) {
		t.Errorf("the form's _csrf is %q, the page's token %q", tok, csrfToken(res.doc))
	}
	cancel := form.Find("a").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.TrimSpace(s.Text()) == "Cancel" })
	if h, _ := cancel.Attr("href"); cancel.Length() != 1 || h != "/leads" {
		t.Errorf("Cancel: %d links, href %q; want one, back to /leads", cancel.Length(), h)
	}
	if form.Find(`button[type="submit"]`).Text() != "Delete" {
		t.Errorf("the submit button says %q, want Delete", form.Find(`button[type="submit"]`).Text())
	}

	// htmx gets just the dialog, to open over the page.
	res = c.getPage("/leads/"+l.ID+"/delete", "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "<html") || !strings.HasPrefix(strings.TrimSpace(res.body), "<dialog") {
		t.Fatalf("htmx gets more than a <dialog>:\n%s", excerpt(res.body))
	}
	dlg := res.doc.Find("dialog")
	if dlg.Find("h2#dialog-title").Text() != "Delete this lead?" || dlg.Find(`select[name="reason"]`).Length() != 1 ||
		dlg.Find(`input[name="_csrf"]`).Length() != 1 {
		t.Errorf("the dialog lacks its title, reason or token:\n%s", excerpt(res.body))
	}
	if b := dlg.Find("button[data-close]"); strings.TrimSpace(b.Text()) != "Cancel" {
		t.Errorf("the dialog has no Cancel button (%q)", b.Text())
	}
}

func TestDeleteDialogOfATrashedForeignOrMalformedLeadIsRefused(t *testing.T) {
	app := newTestApp(t)
	gone := app.namedLead("Already Gone")
	app.trashLeads(app.admin, "", gone.ID)
	other := app.workspace("Globex")
	foreign := app.lead(other, store.LeadInput{Name: ptr("Hank Scorpio")})
	c := app.signedIn("admin@acme.test")

	for _, tc := range []struct {
		path string
		want int
	}{
		{"/leads/" + gone.ID + "/delete", http.StatusConflict},
		{"/leads/" + foreign.ID + "/delete", http.StatusNotFound},
		{"/leads/lead_0123456789abcdef/delete", http.StatusNotFound},
		{"/leads/not-a-lead/delete", http.StatusNotFound},
	} {
		res := c.getPage(tc.path)
		wantStatus(t, res, tc.want)
		if strings.Contains(res.body, "Hank Scorpio") {
			t.Errorf("GET %s shows another workspace's lead", tc.path)
		}
	}
	if _, err := app.st.Lead(context.Background(), other.ID, foreign.ID); err != nil {
		t.Fatal(err)
	}
}

// --- deleting, and the undo toast

func TestDeletingALeadRedirectsBackAndShowsTheUndoToastOnEveryPageForTenSeconds(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	keep := app.namedLead("Keep Me")
	doomed := app.lead(app.ws, store.LeadInput{Name: ptr("Doomed Lead"), Email: ptr("doomed@example.test")})
	app.namedLead("Another One")
	c := app.signedIn("admin@acme.test")

	res := c.getPage("/leads")
	before := tableCount(t, res.doc)
	if before != 3 || !slices.Contains(leadIDs(res.doc), doomed.ID) {
		t.Fatalf("the table shows %d leads (%v) before the delete", before, leadIDs(res.doc))
	}

	res = c.deleteLead(doomed.ID, url.Values{"reason": {"duplicate"}, "details": {"same as Keep Me"}})
	wantRedirect(t, res, "/leads")
	if res.location() != "/leads" {
		t.Errorf("a delete without a return URL goes to %q, want /leads", res.location())
	}
	batch := app.storedLead(doomed.ID).BatchID
	if batch == "" {
		t.Fatal("the lead was not deleted")
	}

	res = c.getPage("/leads")
	wantStatus(t, res, http.StatusOK)
	if res.doc.Find(`tr[data-lead-id="`+doomed.ID+`"]`).Length() != 0 {
		t.Error("the deleted lead is still in the table")
	}
	if n := tableCount(t, res.doc); n != before-1 {
		t.Errorf("#lead-count = %d after the delete, want %d", n, before-1)
	}
	toasts := res.doc.Find("#toasts")
	if r, _ := toasts.Attr("role"); r != "status" {
		t.Errorf("#toasts role = %q, want status", r)
	}
	if l, _ := toasts.Attr("aria-live"); l != "polite" {
		t.Errorf("#toasts aria-live = %q, want polite", l)
	}
	toast := undoToast(res.doc, batch)
	if toast.Length() != 1 {
		t.Fatalf("no undo toast for %s in #toasts:\n%s", batch, excerpt(res.body))
	}
	if got := strings.TrimSpace(toast.Find(".toast-text").Text()); got != "Lead deleted." {
		t.Errorf("the toast says %q, want %q", got, "Lead deleted.")
	}
	undoForm := toast.Find(`form[method="post"][action="/undo/` + batch + `"]`)
	if b := undoForm.Find(`button[type="submit"]`); strings.TrimSpace(b.Text()) != "Undo" {
		t.Errorf("the undo form's button says %q, want Undo", b.Text())
	}
	if tok, _ := undoForm.Find(`input[name="_csrf"]`).Attr("value"); tok == "" {
		t.Error("the undo form carries no _csrf")
	}
	secs, err := strconv.Atoi(strings.TrimSpace(toast.Find("[data-countdown]").Text()))
	if err != nil || secs < 1 || secs > 10 {
		t.Errorf("the countdown shows %q, want a number of seconds from 1 to 10", toast.Find("[data-countdown]").Text())
	}
	deadline, ok := toast.Attr("data-deadline")
	if !ok {
		deadline, ok = toast.Find("[data-deadline]").Attr("data-deadline")
	}
	if want := strconv.FormatInt(clock.now().Add(store.UndoWindow).UnixMilli(), 10); !ok || deadline != want {
		t.Errorf("data-deadline = %q, want %s (ten seconds from the delete, in ms)", deadline, want)
	}
	if x := toast.Find("button[data-dismiss]"); strings.TrimSpace(x.Text()) != "×" {
		t.Errorf("no × dismiss button in the toast (%q)", x.Text())
	} else if l, _ := x.Attr("aria-label"); l == "" {
		t.Error("the × button has no accessible name")
	}

	// The toast follows the person to every page while the window is open, counting down.
	clock.advance(4 * time.Second)
	for _, p := range []string{"/leads/" + keep.ID, "/trash", "/audit"} {
		res := c.getPage(p)
		wantStatus(t, res, http.StatusOK)
		toast := undoToast(res.doc, batch)
		if toast.Length() != 1 {
			t.Errorf("GET %s has no undo toast 4 s after the delete", p)
			continue
		}
		if got := strings.TrimSpace(toast.Find("[data-countdown]").Text()); got != "6" {
			t.Errorf("GET %s: the countdown shows %q 4 s after the delete, want 6", p, got)
		}
	}

	// After the window it is gone.
	clock.advance(7 * time.Second)
	for _, p := range []string{"/leads", "/leads/" + keep.ID, "/trash"} {
		res := c.getPage(p)
		if undoToast(res.doc, batch).Length() != 0 || res.doc.Find("#toasts .toast-undo").Length() != 0 {
			t.Errorf("GET %s still shows the undo toast 11 s after the delete", p)
		}
	}
}

func TestDeleteGoesBackToTheReturnURL(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Return Me")
	c := app.signedIn("admin@acme.test")
	res := c.deleteLead(l.ID, url.Values{"return": {"/leads?status=new"}})
	wantRedirect(t, res, "/leads?status=new")
	if !app.storedLead(l.ID).InTrash() {
		t.Error("the lead is not in the Trash")
	}
	// Never to another site.
	l2 := app.namedLead("Return Me Too")
	res = c.deleteLead(l2.ID, url.Values{"return": {"//evil.example/x"}})
	wantRedirect(t, res, "/leads")
	if res.location() != "/leads" {
		t.Errorf("a delete with return=//evil.example goes to %q", res.location())
	}
}

func TestHTMXDeleteFromAFilteredTableSwapsTheTableAddsTheToastAndClosesTheDialog(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	var news []store.Lead
	for _, n := range []string{"New One", "New Two", "New Three"} {
		news = append(news, app.lead(app.ws, store.LeadInput{Name: ptr(n), Status: ptr("new")}))
		clock.advance(time.Millisecond)
	}
	won := app.lead(app.ws, store.LeadInput{Name: ptr("Won Deal"), Status: ptr("won")})
	c := app.signedIn("admin@acme.test")
	c.getPage("/leads?status=new")

	doomed := news[1]
	res := c.deleteLead(doomed.ID, url.Values{"reason": {"outdated"}},
		"HX-Request", "true", "HX-Current-URL", app.srv.URL+"/leads?status=new")
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "<html") {
		t.Fatalf("htmx got a whole page:\n%s", excerpt(res.body))
	}
	batch := app.storedLead(doomed.ID).BatchID
	if batch == "" {
		t.Fatal("the lead was not deleted")
	}

	region := res.doc.Find("section#leads")
	if region.Length() != 1 {
		t.Fatalf("no section#leads in the answer:\n%s", excerpt(res.body))
	}
	got := leadIDs(goquery.NewDocumentFromNode(region.Nodes[0]))
	want := []string{news[2].ID, news[0].ID}
	if !slices.Equal(got, want) {
		t.Errorf("the new table shows %v, want %v (the filter kept, the deleted row gone)", got, want)
	}
	if slices.Contains(got, won.ID) {
		t.Error("the new table lost the status filter")
	}
	if n := tableCount(t, res.doc); n != 2 {
		t.Errorf("#lead-count = %d, want 2", n)
	}

	oob := res.doc.Find("[hx-swap-oob]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find(`.toast-undo form[action="/undo/`+batch+`"]`).Length() == 1
	})
	if oob.Length() != 1 {
		t.Fatalf("no out-of-band element with the undo toast:\n%s", excerpt(res.body))
	}
	if v, _ := oob.Attr("hx-swap-oob"); !strings.Contains(v, "#toasts") {
		t.Errorf("the toast goes to %q, want #toasts", v)
	}
	if got := strings.TrimSpace(oob.Find(".toast-text").Text()); got != "Lead deleted." {
		t.Errorf("the toast says %q", got)
	}
	if oob.Find("[data-countdown]").Length() != 1 || oob.Find("button[data-dismiss]").Length() != 1 {
		t.Error("the toast has no countdown or no dismiss button")
	}
	dialog := res.doc.Find(`#dialog[hx-swap-oob]`)
	if dialog.Length() != 1 || strings.TrimSpace(dialog.Text()) != "" || dialog.Children().Length() != 0 {
		t.Errorf("the dialog is not emptied out of band:\n%s", excerpt(res.body))
	}
}

func TestHTMXDeleteDialogFromTheTablePostsBackToTheTable(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("From The Table")
	c := app.signedIn("admin@acme.test")
	res := c.getPage("/leads/"+l.ID+"/delete", "HX-Request", "true", "HX-Current-URL", app.srv.URL+"/leads?status=new")
	wantStatus(t, res, http.StatusOK)
	form := res.doc.Find("dialog form")
	if v, _ := form.Attr("hx-post"); v != "/leads/"+l.ID+"/delete" {
		t.Errorf("the dialog's form hx-post = %q", v)
	}
	if v, _ := form.Attr("hx-target"); v != "#leads" {
		t.Errorf("the dialog's form hx-target = %q, want #leads", v)
	}
	if v, _ := form.Find(`input[name="return"]`).Attr("value"); v != "/leads?status=new" {
		t.Errorf("the dialog returns to %q, want the table as it was (/leads?status=new)", v)
	}
}

func TestHTMXDeleteFromTheLeadPageGoesBackToTheTable(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("From Its Page")
	c := app.signedIn("admin@acme.test")
	res := c.deleteLead(l.ID, nil, "HX-Request", "true", "HX-Current-URL", app.srv.URL+"/leads/"+l.ID)
	if res.StatusCode >= 300 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := res.Header.Get("HX-Redirect"); got != "/leads" {
		t.Errorf("HX-Redirect = %q, want /leads", got)
	}
	if !app.storedLead(l.ID).InTrash() {
		t.Fatal("the lead was not deleted")
	}
	// The table it lands on shows the toast.
	if res := c.getPage("/leads"); undoToast(res.doc, app.storedLead(l.ID).BatchID).Length() != 1 {
		t.Error("the table shows no undo toast after a delete from the lead's page")
	}
}

func TestDeleteWithoutARequiredReasonShowsTheDialogAgainAndDeletesNothing(t *testing.T) {
	app := newTestApp(t)
	app.setReasonRequired(true)
	l := app.lead(app.ws, store.LeadInput{Name: ptr("Reasonless"), Email: ptr("why@example.test")})
	c := app.signedIn("admin@acme.test")

	res := c.getPage("/leads/" + l.ID + "/delete")
	if strings.Contains(res.text(`label[for="delete-reason"]`), "optional") {
		t.Error("the reason is labelled optional although the workspace requires it")
	}

	res = c.deleteLead(l.ID, url.Values{"details": {"kept as typed"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := res.text("h2#dialog-title"); got != "Delete this lead?" {
		t.Errorf("the answer is not the dialog again (title %q)", got)
	}
	errText := res.doc.Find(".field-error").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(strings.ToLower(s.Text()), "reason")
	})
	if errText.Length() != 1 {
		t.Errorf("no .field-error for the reason:\n%s", excerpt(res.body))
	}
	if v, _ := res.doc.Find(`select[name="reason"]`).Attr("aria-invalid"); v != "true" {
		t.Error("the reason select is not marked aria-invalid")
	}
	if got := res.text(`textarea[name="details"]`); got != "kept as typed" {
		t.Errorf("the details were not kept: %q", got)
	}
	if app.storedLead(l.ID).InTrash() || app.trashedCount() != 0 || app.auditCount() != 0 {
		t.Fatal("a refused delete deleted something")
	}

	res = c.deleteLead(l.ID, url.Values{}, "HX-Request", "true", "HX-Current-URL", app.srv.URL+"/leads")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := res.Header.Get("HX-Retarget"); got != "#dialog" {
		t.Errorf("HX-Retarget = %q, want #dialog", got)
	}
	if strings.Contains(res.body, "<html") || res.doc.Find("dialog .field-error").Length() == 0 {
		t.Errorf("htmx does not get the dialog with the error:\n%s", excerpt(res.body))
	}
	if app.storedLead(l.ID).InTrash() {
		t.Fatal("a refused htmx delete deleted the lead")
	}

	// An unknown reason is refused too; a good one goes through.
	res = c.deleteLead(l.ID, url.Values{"reason": {"boredom"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if app.storedLead(l.ID).InTrash() {
		t.Fatal("a delete with an unknown reason deleted the lead")
	}
	wantRedirect(t, c.deleteLead(l.ID, url.Values{"reason": {"gdpr_request"}}), "/leads")
	if got := app.storedLead(l.ID).DeleteReason; got != "gdpr_request" {
		t.Errorf("the delete reason is %q, want gdpr_request", got)
	}
}

func TestDeletingAnAlreadyDeletedLeadIsAConflictAndChangesNothing(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	l := app.namedLead("Twice Deleted")
	c := app.signedIn("admin@acme.test")
	wantRedirect(t, c.deleteLead(l.ID, url.Values{"reason": {"spam"}}), "/leads")
	first := app.storedLead(l.ID)
	audits := app.auditCount()

	clock.advance(time.Second)
	res := c.deleteLead(l.ID, url.Values{"reason": {"duplicate"}})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(pageText(res.doc), "already in the Trash") {
		t.Errorf("the 409 page does not say the lead is already in the Trash: %q", pageText(res.doc))
	}
	again := app.storedLead(l.ID)
	if again.BatchID != first.BatchID || !again.DeletedAt.Equal(*first.DeletedAt) || again.DeleteReason != "spam" {
		t.Errorf("the second delete changed the lead: batch %s → %s, reason %q", first.BatchID, again.BatchID, again.DeleteReason)
	}
	if app.auditCount() != audits || app.trashedCount() != 1 {
		t.Error("the second delete wrote to the audit log or the Trash")
	}

	// With htmx: an error toast, still 409.
	res = c.deleteLead(l.ID, url.Values{}, "HX-Request", "true")
	wantStatus(t, res, http.StatusConflict)
	if app.auditCount() != audits {
		t.Error("the htmx repeat wrote to the audit log")
	}
}

func TestDeleteWithoutItsCSRFTokenIsRefusedAndDeletesNothing(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Protected")
	c := app.signedIn("admin@acme.test")
	res := c.postRaw("/leads/"+l.ID+"/delete", url.Values{"reason": {"spam"}})
	if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusForbidden {
		t.Errorf("a delete without _csrf answered %d, want 400 or 403", res.StatusCode)
	}
	res = c.postRaw("/leads/"+l.ID+"/delete", url.Values{"reason": {"spam"}, "_csrf": {"forged"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a delete with a wrong _csrf answered %d, want 403", res.StatusCode)
	}
	if app.storedLead(l.ID).InTrash() || app.trashedCount() != 0 {
		t.Fatal("a delete without its token deleted the lead")
	}
}

func TestAgentMayDeleteButViewerMayNot(t *testing.T) {
	app := newTestApp(t)
	app.user(app.ws, "viewer@acme.test", "Vic Viewer", store.RoleViewer)
	app.user(app.ws, "agent@acme.test", "Alex Agent", store.RoleAgent)
	l := app.namedLead("Contested")
	v := app.signedIn("viewer@acme.test")
	wantStatus(t, v.getPage("/leads/"+l.ID+"/delete"), http.StatusForbidden)
	wantStatus(t, v.deleteLead(l.ID, nil), http.StatusForbidden)
	if app.storedLead(l.ID).InTrash() {
		t.Fatal("a viewer deleted a lead")
	}
	a := app.signedIn("agent@acme.test")
	wantRedirect(t, a.deleteLead(l.ID, nil), "/leads")
	if !app.storedLead(l.ID).InTrash() {
		t.Fatal("an agent could not delete a lead")
	}
}

// --- undo

func TestUndoWithinTheWindowPutsTheLeadBackInItsPlaceOnce(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	for i := range 5 {
		app.namedLead("Row " + strconv.Itoa(i))
		clock.advance(time.Millisecond)
	}
	c := app.signedIn("admin@acme.test")
	before := leadIDs(c.getPage("/leads").doc)
	doomed := before[2]

	wantRedirect(t, c.deleteLead(doomed, nil), "/leads")
	batch := app.storedLead(doomed).BatchID
	clock.advance(3 * time.Second)

	res := c.postForm("/undo/"+batch, nil)
	wantRedirect(t, res, "/leads")
	res = c.getPage(res.location())
	if got := leadIDs(res.doc); !slices.Equal(got, before) {
		t.Errorf("after the undo the table is %v, want %v (the lead back in its place)", got, before)
	}
	if n := tableCount(t, res.doc); n != 5 {
		t.Errorf("#lead-count = %d after the undo, want 5", n)
	}
	if !strings.Contains(toastTexts(res.doc), "Lead restored.") {
		t.Errorf("no \"Lead restored.\" message after the undo: %q", toastTexts(res.doc))
	}
	if undoToast(res.doc, batch).Length() != 0 {
		t.Error("the undo toast is still shown after the undo")
	}
	if l := app.storedLead(doomed); l.InTrash() {
		t.Fatal("the lead is still in the Trash")
	}

	// Undoing again succeeds and writes nothing.
	res = c.postForm("/undo/"+batch, nil)
	wantRedirect(t, res, "/leads")
	res = c.getPage(res.location())
	if !strings.Contains(toastTexts(res.doc), "Already undone") {
		t.Errorf("a second undo does not say \"Already undone\": %q", toastTexts(res.doc))
	}
	res = c.getPage("/audit?action=undo")
	wantStatus(t, res, http.StatusOK)
	if rows := auditRowsOf(res.doc); len(rows) != 1 {
		t.Errorf("the audit log has %d undo rows, want 1: %+v", len(rows), rows)
	}
	if l := app.storedLead(doomed); l.InTrash() {
		t.Fatal("the second undo changed the lead")
	}
}

func TestHTMXUndoOnTheTableConfirmsInTheToastAndPutsTheRowBack(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	var ids []string
	for i := range 3 {
		ids = append(ids, app.namedLead("Row "+strconv.Itoa(i)).ID)
		clock.advance(time.Millisecond)
	}
	c := app.signedIn("admin@acme.test")
	before := leadIDs(c.getPage("/leads").doc)
	wantRedirect(t, c.deleteLead(ids[1], nil), "/leads")
	batch := app.storedLead(ids[1]).BatchID

	res := c.postForm("/undo/"+batch, nil, "HX-Request", "true", "HX-Current-URL", app.srv.URL+"/leads")
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "<html") {
		t.Fatal("htmx got a whole page")
	}
	if got := strings.TrimSpace(res.doc.Find("[data-toast] .toast-text").First().Text()); got != "Lead restored." {
		t.Errorf("the toast becomes %q, want %q", got, "Lead restored.")
	}
	region := res.doc.Find(`section#leads[hx-swap-oob]`)
	if region.Length() != 1 {
		t.Fatalf("no out-of-band table in the answer:\n%s", excerpt(res.body))
	}
	if got := leadIDs(goquery.NewDocumentFromNode(region.Nodes[0])); !slices.Equal(got, before) {
		t.Errorf("the table after the undo is %v, want %v", got, before)
	}
	if app.storedLead(ids[1]).InTrash() {
		t.Fatal("the undo did not restore the lead")
	}
}

func TestUndoAfterTheWindowIsTooLateAndPointsToTheLead(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	l := app.namedLead("Slow Clicker")
	c := app.signedIn("admin@acme.test")
	wantRedirect(t, c.deleteLead(l.ID, nil), "/leads")
	batch := app.storedLead(l.ID).BatchID

	clock.advance(13 * time.Second)
	res := c.postForm("/undo/"+batch, nil)
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(pageText(res.doc), "Too late to undo — the lead is in the Trash") {
		t.Errorf("the 409 page does not say it is too late: %q", pageText(res.doc))
	}
	if res.doc.Find(`main a[href="/leads/`+l.ID+`"]`).Length() == 0 {
		t.Errorf("the 409 page has no link to /leads/%s", l.ID)
	}
	if !app.storedLead(l.ID).InTrash() {
		t.Fatal("a late undo restored the lead")
	}

	// With htmx, a toast that says the same.
	res = c.postForm("/undo/"+batch, nil, "HX-Request", "true")
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.body, "Too late to undo") || res.doc.Find(`a[href="/leads/`+l.ID+`"]`).Length() == 0 {
		t.Errorf("the htmx answer does not say it is too late with a link:\n%s", excerpt(res.body))
	}
}

func TestUndoJustAfterTheCountdownIsStillAccepted(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	l := app.namedLead("Quick Enough")
	c := app.signedIn("admin@acme.test")
	wantRedirect(t, c.deleteLead(l.ID, nil), "/leads")
	clock.advance(store.UndoWindow + store.UndoGrace/2) // a click at 0 s that arrives late
	wantRedirect(t, c.postForm("/undo/"+app.storedLead(l.ID).BatchID, nil), "/leads")
	if app.storedLead(l.ID).InTrash() {
		t.Fatal("an undo inside the grace was refused")
	}
}

func TestUndoOfAnUnknownOrForeignBatchIsNotFound(t *testing.T) {
	app := newTestApp(t)
	other := app.workspace("Globex")
	foreign := app.lead(other, store.LeadInput{Name: ptr("Hank Scorpio")})
	hank := app.user(other, "hank@globex.test", "Hank", store.RoleAdmin)
	b, err := app.st.DeleteLeads(context.Background(), other, actorOf(hank), store.DeleteRequest{IDs: []string{foreign.ID}})
	if err != nil {
		t.Fatal(err)
	}
	c := app.signedIn("admin@acme.test")
	for _, id := range []string{b.ID, "bat_0123456789abcdef", "nonsense"} {
		res := c.postForm("/undo/"+id, nil)
		wantStatus(t, res, http.StatusNotFound)
	}
	if l, _ := app.st.Lead(context.Background(), other.ID, foreign.ID); !l.InTrash() {
		t.Fatal("another workspace's deletion was undone")
	}
}

func TestOnlyTheDeleterOrAManagerMayUndo(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	app.user(app.ws, "bob@acme.test", "Bob Agent", store.RoleAgent)
	app.user(app.ws, "meg@acme.test", "Meg Manager", store.RoleManager)
	l1, l2 := app.namedLead("First"), app.namedLead("Second")
	ann := app.signedIn("ann@acme.test")
	wantRedirect(t, ann.deleteLead(l1.ID, nil), "/leads")
	wantRedirect(t, ann.deleteLead(l2.ID, nil), "/leads")
	b1, b2 := app.storedLead(l1.ID).BatchID, app.storedLead(l2.ID).BatchID

	// Ann sees both her toasts, oldest first.
	var shown []string
	ann.getPage("/leads").doc.Find("#toasts .toast-undo form").Each(func(_ int, s *goquery.Selection) {
		a, _ := s.Attr("action")
		shown = append(shown, a)
	})
	if want := []string{"/undo/" + b1, "/undo/" + b2}; !slices.Equal(shown, want) {
		t.Errorf("Ann's toasts undo %v, want %v", shown, want)
	}

	// Bob sees no toast of Ann's and may not undo her deletion.
	bob := app.signedIn("bob@acme.test")
	if res := bob.getPage("/leads"); res.doc.Find("#toasts .toast-undo").Length() != 0 {
		t.Error("another agent sees Ann's undo toast")
	}
	wantStatus(t, bob.postForm("/undo/"+b1, nil), http.StatusForbidden)
	if !app.storedLead(l1.ID).InTrash() {
		t.Fatal("another agent undid Ann's deletion")
	}

	// A manager may; and so may Ann herself.
	meg := app.signedIn("meg@acme.test")
	wantRedirect(t, meg.postForm("/undo/"+b1, nil), "/leads")
	wantRedirect(t, ann.postForm("/undo/"+b2, nil), "/leads")
	if app.storedLead(l1.ID).InTrash() || app.storedLead(l2.ID).InTrash() {
		t.Fatal("an allowed undo did not restore the lead")
	}
}

// --- the Trash

func TestTrashListsDeletedLeadsNewestFirstWithWhoWhenWhyAndPurgeDate(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	meg := app.user(app.ws, "meg@acme.test", "Meg Manager", store.RoleManager)
	a := app.lead(app.ws, store.LeadInput{Name: ptr("Ada Lovelace"), Email: ptr("ada@engines.example"), Phone: ptr("(415) 555-0123")})
	b := app.lead(app.ws, store.LeadInput{Name: ptr("Bo Diddley"), Email: ptr("bo@beat.example")})
	cl := app.lead(app.ws, store.LeadInput{Name: ptr("Cy Young"), Phone: ptr("+44 7911 123456")})
	app.namedLead("Still Active")

	// Deleted hours apart (through the store: a session would end idle meanwhile).
	app.trashLeads(app.admin, "gdpr_request", a.ID)
	aAt := clock.now()
	clock.advance(time.Hour)
	app.trashLeads(meg, "duplicate", b.ID)
	clock.advance(time.Hour)
	app.trashLeads(app.admin, "", cl.ID)
	clock.advance(time.Minute)
	admin := app.signedIn("admin@acme.test")
	megC := app.signedIn("meg@acme.test")

	res := admin.getPage("/trash")
	wantStatus(t, res, http.StatusOK)
	rows := trashRowsOf(res.doc)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.id)
	}
	if want := []string{cl.ID, b.ID, a.ID}; !slices.Equal(ids, want) {
		t.Fatalf("the Trash lists %v, want %v (newest deletion first, no active lead)", ids, want)
	}
	ada := rows[2]
	if ada.name != "Ada Lovelace" || ada.email != "ada@engines.example" || ada.phone != "+1 415-555-0123" {
		t.Errorf("Ada's row shows name %q, email %q, phone %q", ada.name, ada.email, ada.phone)
	}
	if ada.deletedBy != "Dana Admin" || rows[1].deletedBy != "Meg Manager" {
		t.Errorf("deleted by: %q and %q, want Dana Admin and Meg Manager", ada.deletedBy, rows[1].deletedBy)
	}
	if ada.when != "2 hours ago" || ada.whenTitle != exactTime(aAt) {
		t.Errorf("Ada's deletion time shows %q (title %q), want \"2 hours ago\" (title %q)", ada.when, ada.whenTitle, exactTime(aAt))
	}
	if ada.reason != "GDPR request" || rows[1].reason != "Duplicate" {
		t.Errorf("reasons: %q and %q, want GDPR request and Duplicate", ada.reason, rows[1].reason)
	}
	for _, r := range rows {
		if r.purges != "purges in 29 days" && r.purges != "purges in 30 days" {
			t.Errorf("%s: %q, want \"purges in 29 days\" (or 30)", r.name, r.purges)
		}
		if !r.restoreForm || !r.purgeForm {
			t.Errorf("%s: an admin sees Restore %v, Delete forever %v; want both", r.name, r.restoreForm, r.purgeForm)
		}
	}
	if got := rows[0].phone; got != "+44 7911 123456" {
		t.Errorf("a UK phone shows as %q", got)
	}
	if n := res.doc.Find("#trash form").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find(`input[name="_csrf"]`).Length() == 0
	}).Length(); n != 0 {
		t.Errorf("%d forms of the Trash carry no _csrf", n)
	}

	// A manager restores but does not purge.
	res = megC.getPage("/trash")
	wantStatus(t, res, http.StatusOK)
	for _, r := range trashRowsOf(res.doc) {
		if !r.restoreForm || r.purgeForm {
			t.Errorf("a manager sees Restore %v, Delete forever %v on %s; want only Restore", r.restoreForm, r.purgeForm, r.name)
		}
	}
	if len(trashRowsOf(res.doc)) != 3 {
		t.Errorf("a manager sees %d leads in the Trash, want everyone's 3", len(trashRowsOf(res.doc)))
	}
}

func TestTrashSearchFindsTrashedLeadsOnlyByNameEmailPhoneAndID(t *testing.T) {
	app := newTestApp(t)
	gone := app.lead(app.ws, store.LeadInput{Name: ptr("Zebulon Quixote"), Email: ptr("zq@windmills.example"),
		Phone: ptr("+1 415 555 0123")})
	// An active duplicate of the same person: search in the Trash must never show it.
	twin := app.lead(app.ws, store.LeadInput{Name: ptr("Zebulon Quixote"), Email: ptr("zq@windmills.example"),
		Phone: ptr("+1 415 555 0123")})
	other := app.lead(app.ws, store.LeadInput{Name: ptr("Ursula Other"), Email: ptr("ursula@example.test")})
	app.trashLeads(app.admin, "duplicate", gone.ID)
	app.trashLeads(app.admin, "", other.ID)
	c := app.signedIn("admin@acme.test")

	for _, q := range []string{"zebulon", "ZEB quix", "zq@windmills.example", "4155550123", "14155550123",
		"+14155550123", "(415) 555-0123", "+1 415-555-0123", gone.ID} {
		t.Run(q, func(t *testing.T) {
			res := c.getPage("/trash?q=" + url.QueryEscape(q))
			wantStatus(t, res, http.StatusOK)
			if got := leadIDs(res.doc); !slices.Equal(got, []string{gone.ID}) {
				t.Fatalf("q=%q finds %v in the Trash, want only %s (never the active twin %s)", q, got, gone.ID, twin.ID)
			}
			if v, _ := res.doc.Find(`input[name="q"]`).Attr("value"); v != q {
				t.Errorf("the search box shows %q, want %q", v, q)
			}
		})
	}
	// An active lead's id finds nothing in the Trash.
	res := c.getPage("/trash?q=" + twin.ID)
	wantStatus(t, res, http.StatusOK)
	if got := leadIDs(res.doc); len(got) != 0 {
		t.Errorf("searching the Trash for an active lead's id finds %v", got)
	}
	if !strings.Contains(pageText(res.doc), "Nothing in the Trash matches") {
		t.Errorf("an empty search does not say so: %q", pageText(res.doc))
	}
}

func TestTrashPagesByCursorWithoutRepeats(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	app.seed(60)
	p, err := app.st.ListLeads(context.Background(), app.ws.ID, store.LeadFilter{Limit: 100})
	if err != nil || len(p.Leads) != 60 {
		t.Fatalf("seeded %d leads: %v", len(p.Leads), err)
	}
	var all []string
	for _, l := range p.Leads {
		all = append(all, l.ID)
	}
	// Three deletions (25, 20 and 15 leads), a second apart: leads of one deletion
	// share their time, so the pages must split one of them without repeats.
	for _, part := range [][]string{all[:25], all[25:45], all[45:]} {
		app.trashLeads(app.admin, "outdated", part...)
		clock.advance(time.Second)
	}
	c := app.signedIn("admin@acme.test")

	pages := walk(t, c, "/trash", "next")
	if len(pages) != 2 || len(pages[0]) != 50 || len(pages[1]) != 10 {
		t.Fatalf("the Trash pages hold %d leads in %d pages, want 50 and 10", len(slices.Concat(pages...)), len(pages))
	}
	seen := map[string]bool{}
	for _, id := range slices.Concat(pages...) {
		if seen[id] {
			t.Fatalf("lead %s shown twice", id)
		}
		seen[id] = true
	}
	if len(seen) != 60 {
		t.Fatalf("walking the Trash shows %d leads, want 60", len(seen))
	}
	// Newest deletion first: the last batch's 15 leads open the first page.
	for _, id := range pages[0][:15] {
		if !slices.Contains(all[45:], id) {
			t.Fatalf("the first page does not start with the newest deletion: %s", id)
		}
	}

	// Previous from the second page gives the first page again.
	first := c.getPage("/trash")
	second := c.getPage(href(first.doc, `a[rel="next"]`))
	back := c.getPage(href(second.doc, `a[rel="prev"]`))
	wantStatus(t, back, http.StatusOK)
	if got := leadIDs(back.doc); !slices.Equal(got, pages[0]) {
		t.Errorf("Previous from page 2 shows %d leads that differ from page 1", len(got))
	}
	if href(back.doc, `a[rel="next"]`) == "" {
		t.Error("page 1 reached by Previous has no Next link")
	}

	// A bad cursor is a 400 that says so, not a 500.
	res := c.getPage("/trash?cursor=garbage")
	wantStatus(t, res, http.StatusBadRequest)
	if res.doc.Find(`[role="alert"]`).Length() == 0 {
		t.Error("a bad cursor gives no alert")
	}
}

func TestTrashBatchesViewRestoresAWholeDeletion(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	var ids []string
	for i := range 5 {
		ids = append(ids, app.namedLead("Batch Lead "+strconv.Itoa(i)).ID)
	}
	single := app.namedLead("Single")
	big := app.trashLeads(app.admin, "duplicate", ids...)
	clock.advance(time.Minute)
	small := app.trashLeads(app.admin, "", single.ID)
	c := app.signedIn("admin@acme.test")

	res := c.getPage("/trash?view=batches")
	wantStatus(t, res, http.StatusOK)
	items := res.doc.Find("[data-batch-id]")
	if items.Length() != 2 {
		t.Fatalf("%d deletions listed, want 2", items.Length())
	}
	if id, _ := items.First().Attr("data-batch-id"); id != small.ID {
		t.Errorf("the newest deletion is not first")
	}
	bigItem := res.doc.Find(`[data-batch-id="` + big.ID + `"]`)
	title := strings.Join(strings.Fields(bigItem.Find(".batch-title").Text()), " ")
	if title != "Deleted together: 5 leads by Dana Admin" {
		t.Errorf("the batch says %q, want %q", title, "Deleted together: 5 leads by Dana Admin")
	}
	restoreAll := bigItem.Find(`form[method="post"][action="/trash/batches/` + big.ID + `/restore"]`)
	if restoreAll.Length() != 1 || !strings.Contains(restoreAll.Text(), "Restore all") {
		t.Fatalf("no Restore all form for the batch:\n%s", excerpt(res.body))
	}
	if !strings.Contains(bigItem.Text(), "Duplicate") {
		t.Errorf("the batch does not show its reason: %q", bigItem.Text())
	}

	res = c.postForm("/trash/batches/"+big.ID+"/restore", nil)
	wantRedirect(t, res, "/trash?view=batches")
	for _, id := range ids {
		if app.storedLead(id).InTrash() {
			t.Fatalf("lead %s is still in the Trash after Restore all", id)
		}
	}
	res = c.getPage(res.location())
	if !strings.Contains(toastTexts(res.doc), "5 leads restored.") {
		t.Errorf("no \"5 leads restored.\" message: %q", toastTexts(res.doc))
	}
	if res.doc.Find(`[data-batch-id="`+big.ID+`"]`).Length() != 0 {
		t.Error("the restored deletion is still listed")
	}
	if !app.storedLead(single.ID).InTrash() {
		t.Error("restoring one deletion restored another")
	}
	leads := c.getPage("/leads")
	for _, id := range ids {
		if leads.doc.Find(`tr[data-lead-id="`+id+`"]`).Length() != 1 {
			t.Errorf("restored lead %s is not in the table", id)
		}
	}
	// Restoring it again: nothing left to restore.
	wantStatus(t, c.postForm("/trash/batches/"+big.ID+"/restore", nil), http.StatusConflict)
}

func TestAgentSeesOnlyTheirOwnDeletionsAndViewerNoTrash(t *testing.T) {
	app := newTestApp(t)
	app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	app.user(app.ws, "vic@acme.test", "Vic Viewer", store.RoleViewer)
	mine, theirs := app.namedLead("Ann's Deletion"), app.namedLead("Admin's Deletion")
	ann := app.signedIn("ann@acme.test")
	wantRedirect(t, ann.deleteLead(mine.ID, nil), "/leads")
	theirBatch := app.trashLeads(app.admin, "spam", theirs.ID)

	res := ann.getPage("/trash")
	wantStatus(t, res, http.StatusOK)
	rows := trashRowsOf(res.doc)
	if len(rows) != 1 || rows[0].id != mine.ID {
		t.Fatalf("an agent's Trash shows %+v, want only their own deletion", rows)
	}
	if !rows[0].restoreForm || rows[0].purgeForm {
		t.Errorf("an agent sees Restore %v and Delete forever %v; want only Restore", rows[0].restoreForm, rows[0].purgeForm)
	}
	if res := ann.getPage("/trash?q=" + url.QueryEscape("Admin's")); res.StatusCode != http.StatusOK || len(leadIDs(res.doc)) != 0 {
		t.Errorf("an agent searching the Trash for another person's deletion: %d, %v", res.StatusCode, leadIDs(res.doc))
	}
	if res := ann.getPage("/trash?q=" + theirs.ID); res.StatusCode != http.StatusOK || len(leadIDs(res.doc)) != 0 {
		t.Errorf("an agent finds another person's deletion by its id: %d, %v", res.StatusCode, leadIDs(res.doc))
	}
	res = ann.getPage("/trash?view=batches")
	if n := res.doc.Find("[data-batch-id]").Length(); n != 1 || res.doc.Find(`[data-batch-id="`+theirBatch.ID+`"]`).Length() != 0 {
		t.Errorf("an agent's deletions view lists %d deletions, including another person's", n)
	}
	// An agent cannot restore another person's deletion.
	if res := ann.postForm("/trash/"+theirs.ID+"/restore", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("an agent restoring another person's deletion: %d, want 403", res.StatusCode)
	}
	if res := ann.postForm("/trash/batches/"+theirBatch.ID+"/restore", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("an agent restoring another person's batch: %d, want 403", res.StatusCode)
	}
	if !app.storedLead(theirs.ID).InTrash() {
		t.Fatal("an agent restored another person's deletion")
	}
	// ...but can restore their own.
	wantRedirect(t, ann.postForm("/trash/"+mine.ID+"/restore", nil), "/leads/"+mine.ID)

	vic := app.signedIn("vic@acme.test")
	for _, p := range []string{"/trash", "/trash?view=batches"} {
		wantStatus(t, vic.getPage(p), http.StatusForbidden)
	}
	wantStatus(t, vic.postForm("/trash/"+theirs.ID+"/restore", nil), http.StatusForbidden)
	if res := vic.getPage("/leads"); res.doc.Find(`nav a[href="/trash"]`).Length() != 0 {
		t.Error("a viewer's navigation links to the Trash")
	}
}

// --- restore

func TestRestoreBringsTheLeadBackAsItWas(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	pool := app.pool("Inbound")
	l := app.lead(app.ws, store.LeadInput{Name: ptr("Ada Lovelace"), Email: ptr("ada@engines.example"),
		Status: ptr("qualified"), PoolID: ptr(pool.ID), Tags: &[]string{"vip", "math"}})
	if _, err := app.st.AddNote(context.Background(), app.ws.ID, actorOf(app.admin), l.ID, "Loves Bernoulli numbers"); err != nil {
		t.Fatal(err)
	}
	before := app.detail(l.ID)
	c := app.signedIn("admin@acme.test")
	wantRedirect(t, c.deleteLead(l.ID, url.Values{"reason": {"outdated"}}), "/leads")
	clock.advance(20 * time.Minute)

	res := c.postForm("/trash/"+l.ID+"/restore", nil)
	wantRedirect(t, res, "/leads/"+l.ID)
	if res.location() != "/leads/"+l.ID {
		t.Errorf("restore redirects to %q, want /leads/%s", res.location(), l.ID)
	}
	after := app.detail(l.ID)
	a, b := after.Lead, before.Lead
	if a.InTrash() || a.ID != b.ID || a.PoolID != pool.ID || a.Status != "qualified" || a.OwnerID != b.OwnerID ||
		!slices.Equal(a.Tags, b.Tags) || a.Email != b.Email || !a.CreatedAt.Equal(b.CreatedAt) {
		t.Errorf("the restored lead differs: %+v, was %+v", a, b)
	}
	if len(after.Notes) != 1 || after.Notes[0].Body != "Loves Bernoulli numbers" {
		t.Errorf("the notes are %+v after the restore", after.Notes)
	}
	if len(after.Activity) != len(before.Activity)+2 {
		t.Errorf("activity: %d entries after delete and restore, %d before; want 2 more", len(after.Activity), len(before.Activity))
	}

	res = c.getPage(res.location())
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(pageText(res.doc), "This lead is in the Trash") {
		t.Error("the restored lead's page still says it is in the Trash")
	}
	if !strings.Contains(toastTexts(res.doc), "Lead restored.") {
		t.Errorf("no \"Lead restored.\" message: %q", toastTexts(res.doc))
	}
	timeline := strings.Join(strings.Fields(res.text("#history .timeline")), " ")
	for _, want := range []string{"Restored from the Trash", "Moved to the Trash", "created this lead", "added a note"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline does not say %q: %q", want, timeline)
		}
	}
	if res.text("#history .note .note-body") != "Loves Bernoulli numbers" {
		t.Error("the note is not on the restored lead's page")
	}
	if res.doc.Find(`a[href="/leads/`+l.ID+`/delete"]`).Length() != 1 {
		t.Error("the restored lead cannot be deleted again")
	}
	table := c.getPage("/leads?pool=" + pool.ID + "&status=qualified")
	if !slices.Equal(leadIDs(table.doc), []string{l.ID}) {
		t.Errorf("the restored lead is not in its pool and status: %v", leadIDs(table.doc))
	}
}

func TestRestoringAnActiveUnknownOrForeignLeadIsRefused(t *testing.T) {
	app := newTestApp(t)
	active := app.namedLead("Active")
	other := app.workspace("Globex")
	foreign := app.lead(other, store.LeadInput{Name: ptr("Hank Scorpio")})
	hank := app.user(other, "hank@globex.test", "Hank", store.RoleAdmin)
	if _, err := app.st.DeleteLeads(context.Background(), other, actorOf(hank), store.DeleteRequest{IDs: []string{foreign.ID}}); err != nil {
		t.Fatal(err)
	}
	c := app.signedIn("admin@acme.test")
	res := c.postForm("/trash/"+active.ID+"/restore", nil)
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(pageText(res.doc), "not in the Trash") {
		t.Errorf("the 409 does not say the lead is not in the Trash: %q", pageText(res.doc))
	}
	wantStatus(t, c.postForm("/trash/"+foreign.ID+"/restore", nil), http.StatusNotFound)
	wantStatus(t, c.postForm("/trash/lead_0123456789abcdef/restore", nil), http.StatusNotFound)
	wantStatus(t, c.postForm("/trash/garbage/restore", nil), http.StatusNotFound)
	if l, _ := app.st.Lead(context.Background(), other.ID, foreign.ID); !l.InTrash() {
		t.Fatal("another workspace's lead was restored")
	}
}

// --- purge

func TestPurgeAsksFirstThenDeletesForeverAndTheLeadIsGone(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	l := app.lead(app.ws, store.LeadInput{Name: ptr("Gone Forever"), Email: ptr("gone@example.test")})
	c := app.signedIn("admin@acme.test")
	wantRedirect(t, c.deleteLead(l.ID, url.Values{"reason": {"spam"}}), "/leads")
	clock.advance(time.Minute)

	res := c.getPage("/trash/" + l.ID + "/purge")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(pageText(res.doc), "cannot be undone") || !strings.Contains(pageText(res.doc), "Gone Forever") {
		t.Errorf("the confirmation does not warn or name the lead: %q", pageText(res.doc))
	}
	form := res.doc.Find(`main form[method="post"][action="/trash/` + l.ID + `/purge"]`)
	if form.Length() != 1 || form.Find(`input[name="_csrf"]`).Length() != 1 {
		t.Fatalf("no form (with _csrf) posting to /trash/%s/purge", l.ID)
	}
	if res := c.getPage("/trash/"+l.ID+"/purge", "HX-Request", "true"); strings.Contains(res.body, "<html") ||
		!strings.Contains(res.body, "cannot be undone") {
		t.Errorf("htmx does not get just the confirmation dialog:\n%s", excerpt(res.body))
	}
	if !app.storedLead(l.ID).InTrash() {
		t.Fatal("asking purged the lead")
	}

	purgedAt := clock.now()
	res = c.postForm("/trash/"+l.ID+"/purge", nil)
	wantRedirect(t, res, "/trash")
	res = c.getPage(res.location())
	if res.doc.Find(`tr[data-lead-id="`+l.ID+`"]`).Length() != 0 {
		t.Error("the purged lead is still in the Trash")
	}
	if !strings.Contains(toastTexts(res.doc), "deleted forever") {
		t.Errorf("no \"deleted forever\" message: %q", toastTexts(res.doc))
	}
	if _, err := app.st.Lead(context.Background(), app.ws.ID, l.ID); err == nil {
		t.Fatal("the store still has the purged lead")
	}

	clock.advance(time.Minute)
	res = c.getPage("/leads/" + l.ID)
	wantStatus(t, res, http.StatusGone)
	text := pageText(res.doc)
	for _, want := range []string{"permanently deleted", purgedAt.Format("Jan 2, 2006"), "Dana Admin"} {
		if !strings.Contains(text, want) {
			t.Errorf("the 410 page does not say %q: %q", want, text)
		}
	}
	if strings.Contains(text, "gone@example.test") {
		t.Error("the 410 page shows the purged lead's e-mail")
	}
	wantStatus(t, c.postForm("/trash/"+l.ID+"/restore", nil), http.StatusGone)
	wantStatus(t, c.postForm("/trash/"+l.ID+"/purge", nil), http.StatusGone)
	wantStatus(t, c.getPage("/trash/"+l.ID+"/purge"), http.StatusGone)
}

func TestUndoOfAPurgedLeadAnswersGone(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	l := app.namedLead("Purged In A Hurry")
	c := app.signedIn("admin@acme.test")
	wantRedirect(t, c.deleteLead(l.ID, nil), "/leads")
	batch := app.storedLead(l.ID).BatchID
	clock.advance(time.Second)
	wantRedirect(t, c.postForm("/trash/"+l.ID+"/purge", nil), "/trash")
	clock.advance(time.Second)
	res := c.postForm("/undo/"+batch, nil) // still inside the window
	wantStatus(t, res, http.StatusGone)
	if !strings.Contains(pageText(res.doc), "permanently deleted") {
		t.Errorf("the 410 does not say the lead was permanently deleted: %q", pageText(res.doc))
	}
	wantStatus(t, c.getPage("/leads/"+l.ID), http.StatusGone)
}

func TestPurgeIsForAdminsAndOnlyForTrashedLeads(t *testing.T) {
	app := newTestApp(t)
	app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	app.user(app.ws, "meg@acme.test", "Meg Manager", store.RoleManager)
	active := app.namedLead("Active")
	trashed := app.namedLead("Trashed")
	ann := app.signedIn("ann@acme.test")
	wantRedirect(t, ann.deleteLead(trashed.ID, nil), "/leads")
	meg := app.signedIn("meg@acme.test")
	for who, c := range map[string]*client{"an agent": ann, "a manager": meg} {
		if res := c.getPage("/trash/" + trashed.ID + "/purge"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s asking to purge: %d, want 403", who, res.StatusCode)
		}
		if res := c.postForm("/trash/"+trashed.ID+"/purge", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s purging: %d, want 403", who, res.StatusCode)
		}
	}
	if !app.storedLead(trashed.ID).InTrash() {
		t.Fatal("a non-admin purged a lead")
	}

	admin := app.signedIn("admin@acme.test")
	res := admin.postForm("/trash/"+active.ID+"/purge", nil)
	wantStatus(t, res, http.StatusConflict)
	if app.storedLead(active.ID).InTrash() {
		t.Fatal("purging an active lead changed it")
	}
	wantStatus(t, admin.getPage("/trash/"+active.ID+"/purge"), http.StatusConflict)
	wantStatus(t, admin.postForm("/trash/lead_0123456789abcdef/purge", nil), http.StatusNotFound)
	wantRedirect(t, admin.postForm("/trash/"+trashed.ID+"/purge", nil), "/trash")
	if _, err := app.st.Lead(context.Background(), app.ws.ID, trashed.ID); err == nil {
		t.Fatal("an admin's purge left the lead")
	}
}

func TestPurgingABatchAsksFirstAndErasesItsLeads(t *testing.T) {
	app := newTestApp(t)
	var ids []string
	for i := range 3 {
		ids = append(ids, app.namedLead("Batch "+strconv.Itoa(i)).ID)
	}
	b := app.trashLeads(app.admin, "spam", ids...)
	c := app.signedIn("admin@acme.test")
	res := c.getPage("/trash/batches/" + b.ID + "/purge")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(pageText(res.doc), "cannot be undone") ||
		res.doc.Find(`main form[method="post"][action="/trash/batches/`+b.ID+`/purge"]`).Length() != 1 {
		t.Fatalf("the batch purge confirmation lacks its warning or form:\n%s", excerpt(res.body))
	}
	wantRedirect(t, c.postForm("/trash/batches/"+b.ID+"/purge", nil), "/trash?view=batches")
	for _, id := range ids {
		wantStatus(t, c.getPage("/leads/"+id), http.StatusGone)
	}
	rows := auditRowsOf(c.getPage("/audit?action=purge").doc)
	if len(rows) != 1 || rows[0].target != b.ID || rows[0].count != "3" {
		t.Errorf("the audit log records the batch purge as %+v, want one row for %s with count 3", rows, b.ID)
	}
	wantStatus(t, c.postForm("/trash/batches/"+b.ID+"/restore", nil), http.StatusGone)
	wantStatus(t, c.getPage("/trash/batches/bat_0123456789abcdef/purge"), http.StatusNotFound)
}

// --- a trashed lead's own page

func TestTrashedLeadPageSaysItIsInTheTrashWithRestoreForThoseAllowed(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	app.user(app.ws, "vic@acme.test", "Vic Viewer", store.RoleViewer)
	app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	app.user(app.ws, "bob@acme.test", "Bob Agent", store.RoleAgent)
	l := app.lead(app.ws, store.LeadInput{Name: ptr("Trashed Person"), Email: ptr("tp@example.test")})
	ann := app.signedIn("ann@acme.test")
	wantRedirect(t, ann.deleteLead(l.ID, url.Values{"reason": {"invalid"}}), "/leads")

	restoreSel := `form[method="post"][action="/trash/` + l.ID + `/restore"]`
	for _, tc := range []struct {
		email   string
		restore bool
	}{
		{"admin@acme.test", true},
		{"ann@acme.test", true},  // who deleted it
		{"bob@acme.test", false}, // another agent
		{"vic@acme.test", false}, // a viewer
	} {
		t.Run(tc.email, func(t *testing.T) {
			c := ann
			if tc.email != "ann@acme.test" {
				c = app.signedIn(tc.email)
			}
			res := c.getPage("/leads/" + l.ID)
			wantStatus(t, res, http.StatusOK)
			banner := strings.Join(strings.Fields(res.text(".trash-banner")), " ")
			for _, want := range []string{"This lead is in the Trash", "Ann Agent", "Invalid"} {
				if !strings.Contains(banner, want) {
					t.Errorf("the banner does not say %q: %q", want, banner)
				}
			}
			if got := res.doc.Find(restoreSel).Length() == 1; got != tc.restore {
				t.Errorf("Restore form shown: %v, want %v", got, tc.restore)
			}
			if res.doc.Find(`a[href="/leads/`+l.ID+`/delete"]`).Length() != 0 || res.doc.Find(`a[href="/leads/`+l.ID+`/edit"]`).Length() != 0 {
				t.Error("a trashed lead offers Delete or Edit")
			}
			if res.doc.Find(`form[action="/leads/`+l.ID+`/notes"]`).Length() != 0 {
				t.Error("a trashed lead offers to add a note")
			}
		})
	}
}

// --- the audit log

func TestAuditLogRecordsEveryLifecycleActionOnce(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	a, b, cl := app.namedLead("Alpha"), app.namedLead("Bravo"), app.namedLead("Charlie")
	x, y, z := app.namedLead("X-ray"), app.namedLead("Yankee"), app.namedLead("Zulu")
	c := app.signedIn("admin@acme.test")

	wantRedirect(t, c.deleteLead(a.ID, url.Values{"reason": {"spam"}}), "/leads")
	batchA := app.storedLead(a.ID).BatchID
	clock.advance(time.Second)
	wantRedirect(t, c.postForm("/undo/"+batchA, nil), "/leads")
	clock.advance(time.Second)
	wantRedirect(t, c.deleteLead(b.ID, url.Values{"reason": {"outdated"}}), "/leads")
	clock.advance(time.Second)
	wantRedirect(t, c.postForm("/trash/"+b.ID+"/restore", nil), "/leads/"+b.ID)
	clock.advance(time.Second)
	wantRedirect(t, c.deleteLead(cl.ID, url.Values{"reason": {"duplicate"}}), "/leads")
	clock.advance(time.Second)
	wantRedirect(t, c.postForm("/trash/"+cl.ID+"/purge", nil), "/trash")
	clock.advance(time.Second)
	bulk := app.trashLeads(app.admin, "invalid", x.ID, y.ID, z.ID)

	res := c.getPage("/audit")
	wantStatus(t, res, http.StatusOK)
	got := auditRowsOf(res.doc)
	want := []auditRow{
		{who: "Dana Admin", action: "Deleted", target: bulk.ID, count: "3", reason: "Invalid"},
		{who: "Dana Admin", action: "Deleted forever", target: cl.ID, count: "1", reason: "By hand", leadLink: "/leads/" + cl.ID},
		{who: "Dana Admin", action: "Deleted", target: cl.ID, count: "1", reason: "Duplicate", leadLink: "/leads/" + cl.ID},
		{who: "Dana Admin", action: "Restored", target: b.ID, count: "1", leadLink: "/leads/" + b.ID},
		{who: "Dana Admin", action: "Deleted", target: b.ID, count: "1", reason: "Outdated", leadLink: "/leads/" + b.ID},
		{who: "Dana Admin", action: "Undone", target: a.ID, count: "1", leadLink: "/leads/" + a.ID},
		{who: "Dana Admin", action: "Deleted", target: a.ID, count: "1", reason: "Spam", leadLink: "/leads/" + a.ID},
	}
	if !slices.Equal(got, want) {
		t.Errorf("the audit log shows\n%+v\nwant\n%+v", got, want)
	}
	if res.doc.Find("tr[data-audit-id] time[title]").Length() != len(want) {
		t.Error("not every audit row has its exact time")
	}
}

func TestAuditLogFiltersByActorActionLeadAndDates(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	meg := app.user(app.ws, "meg@acme.test", "Meg Manager", store.RoleManager)
	l1, l2, l3 := app.namedLead("One"), app.namedLead("Two"), app.namedLead("Three")
	// Day one (Nov 23): the admin deletes l1 and restores it. Day three: Meg deletes l2, l3.
	app.trashLeads(app.admin, "spam", l1.ID)
	if _, err := app.st.RestoreLeads(context.Background(), app.ws.ID, actorOf(app.admin), []string{l1.ID}, ""); err != nil {
		t.Fatal(err)
	}
	clock.advance(48 * time.Hour)
	app.trashLeads(meg, "duplicate", l2.ID)
	app.trashLeads(meg, "duplicate", l3.ID)
	c := app.signedIn("meg@acme.test")

	targets := func(path string) []string {
		t.Helper()
		res := c.getPage(path)
		wantStatus(t, res, http.StatusOK)
		var out []string
		for _, r := range auditRowsOf(res.doc) {
			out = append(out, r.action+" "+r.target)
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Deleted " + l3.ID, "Deleted " + l2.ID, "Restored " + l1.ID, "Deleted " + l1.ID}},
		{"actor=" + app.admin.ID, []string{"Restored " + l1.ID, "Deleted " + l1.ID}},
		{"actor=" + meg.ID, []string{"Deleted " + l3.ID, "Deleted " + l2.ID}},
		{"action=restore", []string{"Restored " + l1.ID}},
		{"action=delete&actor=" + app.admin.ID, []string{"Deleted " + l1.ID}},
		{"lead=" + l2.ID, []string{"Deleted " + l2.ID}},
		{"from=2026-11-25", []string{"Deleted " + l3.ID, "Deleted " + l2.ID}},
		{"to=2026-11-23", []string{"Restored " + l1.ID, "Deleted " + l1.ID}},
		{"from=2026-11-24&to=2026-11-24", nil},
		{"from=2026-11-23&to=2026-11-25&lead=" + l1.ID, []string{"Restored " + l1.ID, "Deleted " + l1.ID}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			if got := targets("/audit?" + tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("/audit?%s shows %v, want %v", tc.query, got, tc.want)
			}
		})
	}
	// The filter form shows the filter in force.
	res := c.getPage("/audit?action=restore&actor=" + app.admin.ID)
	if v, _ := res.doc.Find(`select[name="action"] option[selected]`).Attr("value"); v != "restore" {
		t.Errorf("the action filter shows %q, want restore", v)
	}
	if v, _ := res.doc.Find(`select[name="actor"] option[selected]`).Attr("value"); v != app.admin.ID {
		t.Errorf("the actor filter shows %q", v)
	}
}

func TestAuditLogRefusesBadFiltersWithA400AndIsForManagersAndAdmins(t *testing.T) {
	app := newTestApp(t)
	app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	app.user(app.ws, "vic@acme.test", "Vic Viewer", store.RoleViewer)
	app.user(app.ws, "meg@acme.test", "Meg Manager", store.RoleManager)
	c := app.signedIn("admin@acme.test")
	for _, q := range []string{"action=explode", "from=yesterday", "to=2026-13-45", "lead=not-a-lead",
		"from=2026-11-25&to=2026-11-20", "cursor=garbage"} {
		res := c.getPage("/audit?" + q)
		wantStatus(t, res, http.StatusBadRequest)
		if alert := res.doc.Find(`main [role="alert"]`); alert.Length() == 0 || strings.TrimSpace(alert.Text()) == "" {
			t.Errorf("/audit?%s: no alert saying what is wrong", q)
		}
	}
	for _, who := range []string{"ann@acme.test", "vic@acme.test"} {
		wantStatus(t, app.signedIn(who).getPage("/audit"), http.StatusForbidden)
	}
	wantStatus(t, app.signedIn("meg@acme.test").getPage("/audit"), http.StatusOK)
}

func TestAuditLogPagesByCursor(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	app.seed(60)
	p, err := app.st.ListLeads(context.Background(), app.ws.ID, store.LeadFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range p.Leads {
		app.trashLeads(app.admin, "", l.ID)
		clock.advance(time.Millisecond)
	}
	c := app.signedIn("admin@acme.test")

	var pages [][]auditRow
	for path := "/audit?action=delete"; path != ""; {
		res := c.getPage(path)
		wantStatus(t, res, http.StatusOK)
		pages = append(pages, auditRowsOf(res.doc))
		if len(pages) > 5 {
			t.Fatal("following rel=next never ends")
		}
		path = href(res.doc, `a[rel="next"]`)
		if path != "" && !strings.Contains(path, "action=delete") {
			t.Errorf("the next link %q drops the filter", path)
		}
	}
	if len(pages) != 2 || len(pages[0]) != 50 || len(pages[1]) != 10 {
		t.Fatalf("%d pages of audit rows, want 50 and 10", len(pages))
	}
	seen := map[string]bool{}
	for _, r := range slices.Concat(pages...) {
		if seen[r.target] {
			t.Fatalf("%s shown twice", r.target)
		}
		seen[r.target] = true
	}
	if len(seen) != 60 {
		t.Errorf("%d distinct deletions, want 60", len(seen))
	}
	second := c.getPage(href(c.getPage("/audit?action=delete").doc, `a[rel="next"]`))
	back := c.getPage(href(second.doc, `a[rel="prev"]`))
	if got := auditRowsOf(back.doc); !slices.Equal(got, pages[0]) {
		t.Error("Previous from page 2 of the audit log does not give page 1")
	}
}

// --- nowhere but the Trash

func TestTrashedLeadsAppearNowhereButTheTrash(t *testing.T) {
	app := newTestApp(t)
	pool := app.pool("Inbound")
	gone := app.lead(app.ws, store.LeadInput{Name: ptr("Vanishing Vera"), Email: ptr("vera@example.test"),
		Phone: ptr("(415) 555-0199"), Status: ptr("contacted"), PoolID: ptr(pool.ID)})
	stay := app.lead(app.ws, store.LeadInput{Name: ptr("Staying Stan"), Status: ptr("contacted"), PoolID: ptr(pool.ID)})
	c := app.signedIn("admin@acme.test")
	before := tableCount(t, c.getPage("/leads").doc)
	wantRedirect(t, c.deleteLead(gone.ID, nil), "/leads")

	for _, p := range []string{"/leads", "/leads?q=" + url.QueryEscape("Vanishing Vera"), "/leads?q=vera",
		"/leads?q=vera%40example.test", "/leads?q=4155550199", "/leads?q=" + gone.ID, "/leads?status=contacted",
		"/leads?pool=" + pool.ID, "/leads?sort=name", "/leads?status=contacted&pool=" + pool.ID + "&q=v"} {
		res := c.getPage(p)
		wantStatus(t, res, http.StatusOK)
		if res.doc.Find(`tr[data-lead-id="`+gone.ID+`"]`).Length() != 0 || strings.Contains(res.doc.Find("section#leads").Text(), "Vanishing Vera") {
			t.Errorf("GET %s shows the trashed lead", p)
		}
	}
	if n := tableCount(t, c.getPage("/leads").doc); n != before-1 {
		t.Errorf("#lead-count = %d, want %d", n, before-1)
	}
	if n := tableCount(t, c.getPage("/leads?status=contacted").doc); n != 1 {
		t.Errorf("the contacted count = %d, want 1 (only %s)", n, stay.Name)
	}
	if n := tableCount(t, c.getPage("/leads?pool="+pool.ID).doc); n != 1 {
		t.Errorf("the pool's count = %d, want 1", n)
	}
	if app.leadCount() != before-1 {
		t.Errorf("the store counts %d active leads, want %d", app.leadCount(), before-1)
	}
	// Editing it or adding a note is not possible while it is in the Trash.
	if res := c.getPage("/leads/" + gone.ID + "/edit"); res.StatusCode != http.StatusSeeOther || res.location() != "/leads/"+gone.ID {
		t.Errorf("editing a trashed lead: %d to %q, want 303 to its page", res.StatusCode, res.location())
	}
	// Nor can it be edited or noted while in the Trash.
	res := c.postForm("/leads/"+gone.ID, leadForm("name", "Changed", "status", "won", "pool", pool.ID))
	wantStatus(t, res, http.StatusConflict)
	res = c.postForm("/leads/"+gone.ID+"/notes", url.Values{"body": {"sneaky"}})
	wantStatus(t, res, http.StatusConflict)
	if d := app.detail(gone.ID); d.Lead.Name != "Vanishing Vera" || d.Lead.Status != "contacted" || len(d.Notes) != 0 {
		t.Errorf("a trashed lead was changed: %+v, %d notes", d.Lead, len(d.Notes))
	}
	if n := tableCount(t, c.getPage("/leads?status=won").doc); n != 0 {
		t.Errorf("editing a trashed lead moved the counts: %d won", n)
	}
	// ...but the Trash has it.
	if res := c.getPage("/trash?q=vera"); !slices.Equal(leadIDs(res.doc), []string{gone.ID}) {
		t.Errorf("the Trash search shows %v, want the trashed lead", leadIDs(res.doc))
	}
}

func TestDeletingAnAlreadyDeletedLeadIsAConflictEvenWithoutARequiredReason(t *testing.T) {
	app := newTestApp(t)
	app.setReasonRequired(true)
	l := app.namedLead("Deleted In Another Tab")
	app.trashLeads(app.admin, "spam", l.ID)
	c := app.signedIn("admin@acme.test")
	// The second tab still shows the dialog and is sent without a reason.
	res := c.deleteLead(l.ID, url.Values{})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("a delete without a required reason of a lead already in the Trash answers %d, want 409", res.StatusCode)
	}
	if !strings.Contains(pageText(res.doc), "already in the Trash") {
		t.Errorf("the 409 does not say the lead is already in the Trash: %q", pageText(res.doc))
	}
}
