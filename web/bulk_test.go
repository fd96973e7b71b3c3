package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"leadkeep/store"
)

// Tests of bulk select-and-delete as a person sees it in the console: the table's
// check boxes and bulk bar, the bulk delete dialog and its frozen count, deleting
// every lead of a filter (and nothing else), the export, and the Trash's bulk
// restore and Delete forever.

// --- helpers of this file

// bulkValues builds a form from name, value pairs; a name may repeat (ids).
func bulkValues(pairs ...string) url.Values {
	f := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		f.Add(pairs[i], pairs[i+1])
	}
	return f
}

// withIDs adds ids to the form, one "ids" value each.
func withIDs(f url.Values, ids ...string) url.Values {
	for _, id := range ids {
		f.Add("ids", id)
	}
	return f
}

// activeSnapshot is every active lead of the app's workspace, by id, read by
// walking all pages of the store's list.
func (a *testApp) activeSnapshot() map[string]store.Lead {
	a.t.Helper()
	out := map[string]store.Lead{}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			a.t.Fatal("walking the lead list never ends")
		}
		p, err := a.st.ListLeads(context.Background(), a.ws.ID, store.LeadFilter{Limit: 100, Cursor: cursor})
		if err != nil {
			a.t.Fatalf("list leads: %v", err)
		}
		for _, l := range p.Leads {
			if _, dup := out[l.ID]; dup {
				a.t.Fatalf("lead %s listed twice", l.ID)
			}
			out[l.ID] = l
		}
		if p.Next == "" {
			return out
		}
		cursor = p.Next
	}
}

// idsWhere are the ids of the snapshot's leads for which keep is true.
func idsWhere(snap map[string]store.Lead, keep func(store.Lead) bool) map[string]bool {
	out := map[string]bool{}
	for id, l := range snap {
		if keep(l) {
			out[id] = true
		}
	}
	return out
}

// countMatching is the store's exact count of active leads matching f.
func (a *testApp) countMatching(f store.LeadFilter) int {
	a.t.Helper()
	n, err := a.st.CountMatching(context.Background(), a.ws.ID, f)
	if err != nil {
		a.t.Fatalf("count matching %+v: %v", f, err)
	}
	return n
}

// onlyTheseDeleted checks, id by id against the snapshot taken before, that exactly
// the leads of deleted went to the Trash, together in one batch, and that every other
// lead is active and unchanged. It returns the batch.
func (a *testApp) onlyTheseDeleted(t *testing.T, before map[string]store.Lead, deleted map[string]bool) string {
	t.Helper()
	after := a.activeSnapshot()
	batches := map[string]int{}
	for id, was := range before {
		now, active := after[id]
		if deleted[id] {
			if active {
				t.Errorf("lead %s (%s, %s) should have been deleted but is active", id, was.Name, was.Status)
				continue
			}
			l := a.storedLead(id)
			if !l.InTrash() {
				t.Errorf("lead %s is neither active nor in the Trash", id)
			}
			batches[l.BatchID]++
			continue
		}
		if !active {
			t.Errorf("lead %s (%s, %s, pool %s) outside the selection was deleted", id, was.Name, was.Status, was.PoolName)
			continue
		}
		if now.Status != was.Status || now.PoolID != was.PoolID || now.Name != was.Name || !now.UpdatedAt.Equal(was.UpdatedAt) {
			t.Errorf("lead %s outside the selection changed: %+v, was %+v", id, now, was)
		}
	}
	for id := range after {
		if _, ok := before[id]; !ok {
			t.Errorf("lead %s appeared from nowhere", id)
		}
	}
	if want := len(before) - len(deleted); len(after) != want {
		t.Errorf("%d active leads after the delete, want %d", len(after), want)
	}
	if len(batches) != 1 {
		t.Fatalf("the deleted leads are in %d batches (%v), want one", len(batches), batches)
	}
	for b, n := range batches {
		if n != len(deleted) {
			t.Errorf("batch %s holds %d of the deleted leads, want %d", b, n, len(deleted))
		}
		return b
	}
	return ""
}

// hidden is the value of the hidden input name inside sel ("" and false if none).
func hidden(sel *goquery.Selection, name string) (string, bool) {
	in := sel.Find(`input[type="hidden"][name="` + name + `"]`)
	if in.Length() == 0 {
		return "", false
	}
	return in.First().Attr("value")
}

// hiddenAll are the values of every hidden input name inside sel, in order.
func hiddenAll(sel *goquery.Selection, name string) []string {
	var out []string
	sel.Find(`input[type="hidden"][name="` + name + `"]`).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		out = append(out, v)
	})
	return out
}

// squash is the text of sel with its spaces collapsed.
func squash(sel *goquery.Selection) string { return strings.Join(strings.Fields(sel.Text()), " ") }

// bulkDialogForm is the bulk delete form of a dialog or page.
func bulkDialogForm(t *testing.T, res *response) *goquery.Selection {
	t.Helper()
	f := res.doc.Find(`form[method="post"][action="/leads/bulk-delete"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find("h2#dialog-title").Length() == 1
	})
	if f.Length() != 1 {
		t.Fatalf("no bulk delete form with a title in the answer:\n%s", excerpt(res.body))
	}
	return f
}

// formOf is what submitting the form would send: its hidden fields, plus extra
// name, value pairs (which replace fields of the same name).
func formOf(sel *goquery.Selection, extra ...string) url.Values {
	f := url.Values{}
	sel.Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		v, _ := s.Attr("value")
		if name != "" && name != "_csrf" {
			f.Add(name, v)
		}
	})
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// lostLeads adds n lost leads named prefix 1…n.
func (a *testApp) lostLeads(prefix string, n int) []string {
	a.t.Helper()
	var ids []string
	for i := 1; i <= n; i++ {
		ids = append(ids, a.lead(a.ws, store.LeadInput{Name: ptr(fmt.Sprintf("%s %d", prefix, i)), Status: ptr("lost")}).ID)
	}
	return ids
}

// csvRows parses a CSV export: its header and rows.
func csvRows(t *testing.T, body string) ([]string, [][]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v\n%s", err, excerpt(body))
	}
	if len(recs) == 0 {
		t.Fatal("the export is empty, not even a header")
	}
	return recs[0], recs[1:]
}

// firstColumn is the first cell of each row (the lead id, in an export), sorted.
func firstColumn(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r[0])
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// exportHeader is the CSV export's header line (DESIGN.md, Contract details).
var exportHeader = []string{"id", "name", "email", "phone", "company", "status", "pool", "source", "owner", "tags", "created_at", "updated_at"}

// --- the table's check boxes and bulk bar

func TestManagerSeesCheckboxesAndTheBulkBarOnTheTable(t *testing.T) {
	app := newTestApp(t)
	app.seed(60)
	app.user(app.ws, "meg@acme.test", "Meg Manager", store.RoleManager)
	for _, who := range []string{"meg@acme.test", "admin@acme.test"} {
		t.Run(who, func(t *testing.T) {
			c := app.signedIn(who)
			for _, path := range []string{"/leads", "/leads?status=lost"} {
				res := c.getPage(path)
				wantStatus(t, res, http.StatusOK)
				total := tableCount(t, res.doc)
				form := res.doc.Find(`form#bulk`)
				if form.Length() != 1 {
					t.Fatalf("GET %s: no form#bulk", path)
				}
				if a, _ := form.Attr("action"); a != "/leads/bulk-delete" {
					t.Errorf("form#bulk posts to %q, want /leads/bulk-delete", a)
				}
				if m, _ := form.Attr("method"); m != "post" {
					t.Errorf("form#bulk method %q, want post", m)
				}
				rows := res.doc.Find("tr[data-lead-id]")
				if rows.Length() == 0 {
					t.Fatalf("GET %s: no rows", path)
				}
				rows.Each(func(_ int, tr *goquery.Selection) {
					id, _ := tr.Attr("data-lead-id")
					box := tr.Find(`input[type="checkbox"][name="ids"][data-select]`)
					if v, _ := box.Attr("value"); box.Length() != 1 || v != id {
						t.Errorf("row %s: %d check boxes, value %q", id, box.Length(), v)
					}
					if box.Closest("form#bulk").Length() != 1 {
						t.Errorf("row %s: its check box is not inside form#bulk", id)
					}
				})
				if n := form.Find(`thead input[type="checkbox"][data-select-page]`).Length(); n != 1 {
					t.Errorf("GET %s: %d header check boxes [data-select-page], want 1", path, n)
				}
				bar := form.Find("[data-bulk-bar]")
				if bar.Length() != 1 {
					t.Fatalf("GET %s: no [data-bulk-bar] in form#bulk", path)
				}
				if v, ok := hidden(bar, "all_matching"); !ok || v != "" {
					t.Errorf("all_matching = %q (present %v), want an empty hidden field", v, ok)
				}
				if v, _ := hidden(bar, "expected_count"); v != strconv.Itoa(total) {
					t.Errorf("GET %s: expected_count = %q, want the table's count %d", path, v, total)
				}
				all := bar.Find("button[data-select-all]")
				if dt, _ := all.Attr("data-total"); dt != strconv.Itoa(total) {
					t.Errorf("GET %s: data-total = %q, want %d", path, dt, total)
				}
				if got, want := squash(all), fmt.Sprintf("Select all %d matching this filter", total); got != want {
					t.Errorf("GET %s: the select-all button says %q, want %q", path, got, want)
				}
				del := bar.Find(`button[type="submit"][name="preview"][value="1"]`)
				if squash(del) != "Delete selected…" {
					t.Errorf("GET %s: the preview submit button says %q, want %q", path, squash(del), "Delete selected…")
				}
				if tok, _ := hidden(form, "_csrf"); tok == "" || tok != csrfToken(res.doc) {
					t.Errorf("form#bulk carries _csrf %q, the page %q", tok, csrfToken(res.doc))
				}
			}
			// The form carries the table's filter, so that "select all" means it.
			res := c.getPage("/leads?status=lost")
			if v, _ := hidden(res.doc.Find("form#bulk"), "status"); v != "lost" {
				t.Errorf("form#bulk's status = %q on /leads?status=lost", v)
			}
		})
	}
}

func TestAgentsAndViewersGetNoCheckboxesAndCannotBulkDelete(t *testing.T) {
	app := newTestApp(t)
	app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	app.user(app.ws, "vic@acme.test", "Vic Viewer", store.RoleViewer)
	ids := app.lostLeads("Lost", 3)
	for _, who := range []string{"ann@acme.test", "vic@acme.test"} {
		t.Run(who, func(t *testing.T) {
			c := app.signedIn(who)
			res := c.getPage("/leads")
			wantStatus(t, res, http.StatusOK)
			if len(leadIDs(res.doc)) != 3 {
				t.Fatalf("the table shows %v", leadIDs(res.doc))
			}
			for _, sel := range []string{`input[name="ids"]`, `[data-select]`, `[data-select-page]`, `[data-bulk-bar]`, `[data-select-all]`} {
				if n := res.doc.Find(sel).Length(); n != 0 {
					t.Errorf("%s sees %d %s", who, n, sel)
				}
			}
			for _, form := range []url.Values{
				withIDs(bulkValues("reason", "invalid"), ids...),
				withIDs(bulkValues("reason", "invalid", "preview", "1"), ids...),
				bulkValues("all_matching", "1", "status", "lost", "expected_count", "3", "reason", "invalid"),
			} {
				res := c.postForm("/leads/bulk-delete", form)
				wantStatus(t, res, http.StatusForbidden)
			}
			if app.leadCount() != 3 || app.trashedCount() != 0 {
				t.Fatalf("a %s's bulk delete deleted something: %d active, %d trashed", who, app.leadCount(), app.trashedCount())
			}
		})
	}
}

// --- the bulk delete dialog

func TestBulkPreviewOfSelectedIDsAsksWithNamesReasonAndAnExportLink(t *testing.T) {
	app := newTestApp(t)
	ada := app.namedLead("Ada Lovelace")
	bob := app.namedLead("Bob Babbage")
	cy := app.namedLead("Cy Clone")
	keep := app.namedLead("Keep Me")
	c := app.signedIn("admin@acme.test")
	ids := []string{ada.ID, bob.ID, cy.ID}

	res := c.postForm("/leads/bulk-delete", withIDs(bulkValues("preview", "1"), ids...))
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.body, "<html") {
		t.Error("without htmx the preview is not a whole page")
	}
	form := bulkDialogForm(t, res)
	if got := squash(form.Find("h2#dialog-title")); got != "Delete 3 leads?" {
		t.Errorf("the title is %q, want %q", got, "Delete 3 leads?")
	}
	desc := squash(form.Find("#dialog-desc"))
	for _, name := range []string{"Ada Lovelace", "Bob Babbage", "Cy Clone"} {
		if !strings.Contains(desc, name) {
			t.Errorf("the dialog does not name %s: %q", name, desc)
		}
	}
	if strings.Contains(desc, "Keep Me") {
		t.Error("the dialog names a lead that is not selected")
	}
	if got := hiddenAll(form, "ids"); !slices.Equal(got, ids) {
		t.Errorf("the form carries ids %v, want %v", got, ids)
	}
	if _, ok := hidden(form, "all_matching"); ok {
		t.Error("a selection of ids carries all_matching")
	}
	reason := form.Find(`select[name="reason"]`)
	if _, req := reason.Attr("required"); reason.Length() != 1 || !req {
		t.Error("the reason select is missing or not required")
	}
	if id, _ := reason.Attr("id"); id == "" || form.Find(`label[for="`+id+`"]`).Length() != 1 {
		t.Error("the reason select has no label")
	}
	if n := reason.Find("option").Length(); n != len(store.Reasons)+1 {
		t.Errorf("%d reason options, want %d and a blank one", n, len(store.Reasons))
	}
	if form.Find(`input[name="confirm_count"]`).Length() != 0 {
		t.Error("three leads ask to type their count")
	}
	if squash(form.Find(`button[type="submit"]`)) != "Delete 3 leads" {
		t.Errorf("the submit button says %q", squash(form.Find(`button[type="submit"]`)))
	}
	if tok, _ := hidden(form, "_csrf"); tok == "" {
		t.Error("the form carries no _csrf")
	}
	link := res.doc.Find("a").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "Export these leads first")
	})
	h, _ := link.Attr("href")
	u, err := url.Parse(h)
	if link.Length() != 1 || err != nil || u.Path != "/leads/export" || u.Query().Get("format") != "csv" ||
		!slices.Equal(u.Query()["ids"], ids) {
		t.Fatalf("the export link is %q (%d links), want /leads/export?format=csv&ids=… of the three", h, link.Length())
	}
	// The link exports exactly the selection.
	exp := c.getPage(h)
	wantStatus(t, exp, http.StatusOK)
	if _, rows := csvRows(t, exp.body); !slices.Equal(firstColumn(rows), slices.Sorted(slices.Values(ids))) {
		t.Errorf("the preview's export link exports %v, want %v", firstColumn(rows), ids)
	}
	if app.trashedCount() != 0 || app.leadCount() != 4 {
		t.Fatal("a preview deleted something")
	}

	// htmx gets just the dialog, retargeted to #dialog.
	res = c.postForm("/leads/bulk-delete", withIDs(bulkValues("preview", "1"), ids...), "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "<html") || !strings.HasPrefix(strings.TrimSpace(res.body), "<dialog") {
		t.Fatalf("htmx gets more than a <dialog>:\n%s", excerpt(res.body))
	}
	if got := res.Header.Get("HX-Retarget"); got != "#dialog" {
		t.Errorf("HX-Retarget = %q, want #dialog", got)
	}
	dlg := res.doc.Find("dialog")
	if squash(dlg.Find("h2#dialog-title")) != "Delete 3 leads?" || !slices.Equal(hiddenAll(dlg, "ids"), ids) {
		t.Errorf("the htmx dialog lacks its title or ids:\n%s", excerpt(res.body))
	}
	if squash(dlg.Find("button[data-close]")) != "Cancel" {
		t.Error("the dialog has no Cancel button")
	}

	// The form it shows, sent with a reason, deletes exactly those three.
	wantRedirect(t, c.postForm("/leads/bulk-delete", formOf(form, "reason", "duplicate")), "/leads")
	for _, id := range ids {
		if !app.storedLead(id).InTrash() {
			t.Errorf("%s was not deleted", id)
		}
	}
	if app.storedLead(keep.ID).InTrash() {
		t.Error("a lead outside the selection was deleted")
	}
}

func TestBulkPreviewOfAllMatchingFreezesTheExactCount(t *testing.T) {
	app := newTestApp(t)
	app.seed(150)
	lost := app.countMatching(store.LeadFilter{Status: "lost"})
	if lost < 6 {
		t.Fatalf("the seed has only %d lost leads", lost)
	}
	c := app.signedIn("admin@acme.test")
	res := c.postForm("/leads/bulk-delete", bulkValues("preview", "1", "all_matching", "1", "status", "lost", "pool", "", "q", ""))
	wantStatus(t, res, http.StatusOK)
	form := bulkDialogForm(t, res)
	if got, want := squash(form.Find("h2#dialog-title")), fmt.Sprintf("Delete %d leads?", lost); got != want {
		t.Errorf("the title is %q, want %q", got, want)
	}
	for name, want := range map[string]string{"all_matching": "1", "status": "lost", "pool": "", "q": "", "expected_count": strconv.Itoa(lost)} {
		if v, ok := hidden(form, name); !ok || v != want {
			t.Errorf("hidden %s = %q (present %v), want %q", name, v, ok, want)
		}
	}
	if n := len(hiddenAll(form, "ids")); n != 0 {
		t.Errorf("an all-matching selection carries %d ids", n)
	}
	if desc := squash(form.Find("#dialog-desc")); !strings.Contains(desc, "Every lead matching this filter, "+strconv.Itoa(lost)+" in all") ||
		!strings.Contains(desc, fmt.Sprintf("and %d more", lost-5)) {
		t.Errorf("the description does not give the count and a sample: %q", desc)
	}
	h := href(res.doc, `a[href^="/leads/export"]`)
	if u, err := url.Parse(h); err != nil || u.Query().Get("status") != "lost" || u.Query().Get("format") != "csv" || u.Query().Has("ids") {
		t.Errorf("the export link %q does not export the filter", h)
	}

	// With htmx, just the dialog, with the same frozen count.
	res = c.postForm("/leads/bulk-delete", bulkValues("preview", "1", "all_matching", "1", "status", "lost"), "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	if !strings.HasPrefix(strings.TrimSpace(res.body), "<dialog") {
		t.Fatalf("htmx gets more than a <dialog>:\n%s", excerpt(res.body))
	}
	if v, _ := hidden(res.doc.Find("dialog"), "expected_count"); v != strconv.Itoa(lost) {
		t.Errorf("the htmx dialog freezes %q, want %d", v, lost)
	}
	if app.trashedCount() != 0 {
		t.Fatal("a preview deleted something")
	}
}

// --- the filter regression: all matching deletes exactly the filter

func TestBulkDeleteOfAllMatchingAStatusDeletesExactlyThoseAndOneUndoBringsThemBack(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	app.seed(300)
	before := app.activeSnapshot()
	if len(before) != 300 {
		t.Fatalf("%d leads seeded", len(before))
	}
	lost := idsWhere(before, func(l store.Lead) bool { return l.Status == store.StatusLost })
	if len(lost) < 20 || len(lost) > 100 {
		t.Fatalf("the seed has %d lost leads of 300", len(lost))
	}
	c := app.signedIn("admin@acme.test")
	lostPage := c.getPage("/leads?status=lost")
	if n := tableCount(t, lostPage.doc); n != len(lost) {
		t.Fatalf("the table counts %d lost leads, the store has %d", n, len(lost))
	}

	// The table's bar and the preview both count them exactly.
	prev := c.postForm("/leads/bulk-delete", bulkValues("preview", "1", "all_matching", "1", "status", "lost", "return", "/leads?status=lost"))
	wantStatus(t, prev, http.StatusOK)
	form := bulkDialogForm(t, prev)
	if v, _ := hidden(form, "expected_count"); v != strconv.Itoa(len(lost)) {
		t.Fatalf("the preview freezes %q, want %d", v, len(lost))
	}
	res := c.postForm("/leads/bulk-delete", formOf(form, "reason", "invalid"))
	wantRedirect(t, res, "/leads?status=lost")

	batch := app.onlyTheseDeleted(t, before, lost)
	if b, err := app.st.Batch(context.Background(), app.ws.ID, batch); err != nil || b.Count != len(lost) || b.Reason != "invalid" {
		t.Errorf("the batch is %+v (%v), want %d leads for invalid", b, err, len(lost))
	}
	if n := tableCount(t, c.getPage("/leads?status=lost").doc); n != 0 {
		t.Errorf("the table still counts %d lost leads", n)
	}
	if n := tableCount(t, c.getPage("/leads").doc); n != 300-len(lost) {
		t.Errorf("the table counts %d leads, want %d", n, 300-len(lost))
	}

	// The page after the redirect shows one toast for all of them.
	page := c.getPage(res.location())
	toast := undoToast(page.doc, batch)
	if toast.Length() != 1 {
		t.Fatalf("no undo toast for %s:\n%s", batch, excerpt(toastTexts(page.doc)))
	}
	if got, want := squash(toast.Find(".toast-text")), fmt.Sprintf("%d leads deleted.", len(lost)); got != want {
		t.Errorf("the toast says %q, want %q", got, want)
	}
	if n := page.doc.Find("#toasts .toast-undo").Length(); n != 1 {
		t.Errorf("%d undo toasts, want one for the whole deletion", n)
	}

	// One Undo brings every one of them back.
	action, _ := toast.Find("form").Attr("action")
	wantRedirect(t, c.postForm(action, nil), "/leads")
	after := app.activeSnapshot()
	if len(after) != len(before) {
		t.Errorf("%d active leads after the undo, want %d", len(after), len(before))
	}
	for id, was := range before {
		now, ok := after[id]
		if !ok {
			t.Errorf("lead %s did not come back", id)
			continue
		}
		if now.Status != was.Status || now.PoolID != was.PoolID {
			t.Errorf("lead %s came back changed: %s in %s, was %s in %s", id, now.Status, now.PoolName, was.Status, was.PoolName)
		}
	}
	if app.trashedCount() != 0 {
		t.Errorf("%d leads left in the Trash after the undo", app.trashedCount())
	}
	if n := tableCount(t, c.getPage("/leads?status=lost").doc); n != len(lost) {
		t.Errorf("the table counts %d lost leads after the undo, want %d", n, len(lost))
	}
	if app.leadCount() != 300 {
		t.Errorf("the store counts %d active leads after the undo, want 300", app.leadCount())
	}
	rows := auditRowsOf(c.getPage("/audit").doc)
	want := []auditRow{
		{who: "Dana Admin", action: "Undone", target: batch, count: strconv.Itoa(len(lost))},
		{who: "Dana Admin", action: "Deleted", target: batch, count: strconv.Itoa(len(lost)), reason: "Invalid"},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("the audit log shows %+v, want %+v", rows, want)
	}
}

func TestBulkDeleteOfAPoolAndASearchDeletesOnlyLeadsMatchingBoth(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	app.seed(300)
	pools, err := app.st.Pools(context.Background(), app.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]store.Pool{}
	for _, p := range pools {
		byName[p.Name] = p
	}
	inbound, outbound := byName["Inbound"], byName["Outbound"]
	if inbound.ID == "" || outbound.ID == "" {
		t.Fatalf("the seed made pools %v", pools)
	}
	mk := func(name, company string, pool store.Pool) string {
		return app.lead(app.ws, store.LeadInput{Name: ptr(name), Company: ptr(company), PoolID: ptr(pool.ID)}).ID
	}
	want := map[string]bool{}
	for _, n := range []string{"Zephyrine Adams", "Zephyrine Brown", "Carla Zephyrine", "Zephyrine Diaz"} {
		want[mk(n, "", inbound)] = true
	}
	want[mk("Erin Fox", "Zephyrine Labs", inbound)] = true // by its company
	mk("Zephyrine Outside", "", outbound)                  // the other pool
	mk("Zephyrine Otto", "Zephyrine Labs", outbound)
	mk("Zephyr Nearmiss", "", inbound) // a prefix of the word, not the word
	earlier := mk("Zephyrine Trashed", "", inbound)
	earlierBatch := app.trashLeads(app.admin, "duplicate", earlier)

	before := app.activeSnapshot()
	f := store.LeadFilter{PoolID: inbound.ID, Query: "zephyrine"}
	if n := app.countMatching(f); n != len(want) {
		t.Fatalf("the store counts %d leads in Inbound matching zephyrine, want %d", n, len(want))
	}
	c := app.signedIn("admin@acme.test")
	res := c.postForm("/leads/bulk-delete", bulkValues("all_matching", "1", "pool", inbound.ID, "status", "", "q", "zephyrine",
		"expected_count", strconv.Itoa(len(want)), "reason", "duplicate"))
	wantRedirect(t, res, "/leads")
	batch := app.onlyTheseDeleted(t, before, want)
	if l := app.storedLead(earlier); !l.InTrash() || l.BatchID != earlierBatch.ID {
		t.Errorf("a lead already in the Trash was moved to the new deletion: batch %q, want %q", l.BatchID, earlierBatch.ID)
	}
	if b, _ := app.st.Batch(context.Background(), app.ws.ID, batch); b.Count != len(want) {
		t.Errorf("the batch counts %d, want %d", b.Count, len(want))
	}
	if got := squash(undoToast(c.getPage("/leads").doc, batch).Find(".toast-text")); got != fmt.Sprintf("%d leads deleted.", len(want)) {
		t.Errorf("the toast says %q", got)
	}
}

// --- a selection that changed, or a count that lies

func TestBulkDeleteRefusesASelectionThatChangedSinceItWasCounted(t *testing.T) {
	app := newTestApp(t)
	app.lostLeads("Lost", 4)
	app.namedLead("Fresh")
	c := app.signedIn("admin@acme.test")
	prev := c.postForm("/leads/bulk-delete", bulkValues("preview", "1", "all_matching", "1", "status", "lost"))
	wantStatus(t, prev, http.StatusOK)
	form := bulkDialogForm(t, prev)
	n, _ := hidden(form, "expected_count")
	if n != "4" {
		t.Fatalf("the preview freezes %q, want 4", n)
	}
	// Meanwhile, someone adds a lost lead.
	app.lead(app.ws, store.LeadInput{Name: ptr("Late Loser"), Status: ptr("lost")})

	res := c.postForm("/leads/bulk-delete", formOf(form, "reason", "invalid"))
	wantStatus(t, res, http.StatusConflict)
	if alert := squash(res.doc.Find(`[role="alert"]`)); !strings.Contains(alert, "The selection changed: 5 now match, not 4") {
		t.Errorf("the dialog does not say the selection changed: %q", alert)
	}
	form = bulkDialogForm(t, res)
	if got := squash(form.Find("h2#dialog-title")); got != "Delete 5 leads?" {
		t.Errorf("the dialog asks %q, want the new count", got)
	}
	if v, _ := hidden(form, "expected_count"); v != "5" {
		t.Errorf("the dialog now freezes %q, want 5", v)
	}
	if app.trashedCount() != 0 || app.leadCount() != 6 {
		t.Fatalf("a refused bulk delete deleted something: %d trashed", app.trashedCount())
	}
	// Confirming the new count deletes all five.
	wantRedirect(t, c.postForm("/leads/bulk-delete", formOf(form, "reason", "invalid")), "/leads")
	if app.trashedCount() != 5 || app.countMatching(store.LeadFilter{Status: "lost"}) != 0 || app.leadCount() != 1 {
		t.Errorf("after confirming: %d trashed, %d active", app.trashedCount(), app.leadCount())
	}
}

func TestBulkDeleteRefusesAForgedMissingOrMalformedExpectedCount(t *testing.T) {
	app := newTestApp(t)
	app.lostLeads("Lost", 4)
	app.namedLead("Fresh")
	c := app.signedIn("admin@acme.test")
	base := func(extra ...string) url.Values {
		f := bulkValues("all_matching", "1", "status", "lost", "reason", "invalid")
		for i := 0; i+1 < len(extra); i += 2 {
			f.Set(extra[i], extra[i+1])
		}
		return f
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want int
		says string
	}{
		{"too few", base("expected_count", "1"), http.StatusConflict, "The selection changed: 4 now match, not 1"},
		{"one too many", base("expected_count", "5"), http.StatusConflict, "The selection changed: 4 now match, not 5"},
		{"far too many, typed", base("expected_count", "999999", "confirm_count", "999,999"), http.StatusConflict, "4 now match, not 999,999"},
		{"zero", base("expected_count", "0"), http.StatusBadRequest, ""},
		{"not a number", base("expected_count", "four"), http.StatusBadRequest, "expected_count must be a whole number"},
		{"negative", base("expected_count", "-4"), http.StatusBadRequest, "expected_count must be a whole number"},
		{"missing", base(), http.StatusBadRequest, "The count you confirmed is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.postForm("/leads/bulk-delete", tc.form)
			wantStatus(t, res, tc.want)
			if text := pageText(res.doc); !strings.Contains(text, tc.says) {
				t.Errorf("the answer does not say %q: %q", tc.says, text)
			}
			if app.trashedCount() != 0 || app.leadCount() != 5 {
				t.Fatalf("nothing should be deleted: %d trashed", app.trashedCount())
			}
		})
	}
}

func TestBulkDeleteWithAForgedLargeCountIsAConflictNotAPromptToTypeIt(t *testing.T) {
	app := newTestApp(t)
	app.lostLeads("Lost", 4)
	c := app.signedIn("admin@acme.test")
	res := c.postForm("/leads/bulk-delete", bulkValues("all_matching", "1", "status", "lost", "reason", "invalid", "expected_count", "999999"))
	wantStatus(t, res, http.StatusConflict)
	if text := pageText(res.doc); !strings.Contains(text, "The selection changed: 4 now match, not 999,999") || strings.Contains(text, "Type 999,999") {
		t.Errorf("the answer asks to type an unverified count: %q", text)
	}
	if app.trashedCount() != 0 {
		t.Fatal("something was deleted")
	}
}

func TestBulkDeleteOfAFilterThatMatchesNothingIsA400(t *testing.T) {
	app := newTestApp(t)
	app.lostLeads("Lost", 2)
	app.namedLead("Fresh")
	c := app.signedIn("admin@acme.test")
	res := c.postForm("/leads/bulk-delete", bulkValues("preview", "1", "all_matching", "1", "status", "won"))
	wantStatus(t, res, http.StatusBadRequest)
	if text := pageText(res.doc); !strings.Contains(text, "No lead matches this filter; there is nothing to delete.") {
		t.Errorf("the preview does not say nothing matches: %q", text)
	}
	res = c.postForm("/leads/bulk-delete", bulkValues("all_matching", "1", "status", "lost", "q", "nosuchwordanywhere",
		"expected_count", "2", "reason", "invalid"))
	wantStatus(t, res, http.StatusBadRequest)
	if text := pageText(res.doc); !strings.Contains(text, "No lead matches") {
		t.Errorf("the delete does not say nothing matches: %q", text)
	}
	// htmx: the message comes as an error toast.
	res = c.postForm("/leads/bulk-delete", bulkValues("preview", "1", "all_matching", "1", "status", "won"), "HX-Request", "true")
	wantStatus(t, res, http.StatusBadRequest)
	if !strings.Contains(squash(res.doc.Find(".toast-error")), "No lead matches this filter") {
		t.Errorf("htmx gets no error toast:\n%s", excerpt(res.body))
	}
	if app.trashedCount() != 0 || app.leadCount() != 3 {
		t.Fatal("something was deleted")
	}
}

// --- bad selections

func TestBulkDeleteRefusesAnEmptyOrOversizedSelection(t *testing.T) {
	app := newTestApp(t)
	app.namedLead("Only One")
	c := app.signedIn("admin@acme.test")
	for _, f := range []url.Values{
		bulkValues("reason", "invalid"),
		bulkValues("reason", "invalid", "preview", "1"),
		withIDs(bulkValues("reason", "invalid"), "", "  "),
	} {
		res := c.postForm("/leads/bulk-delete", f)
		wantStatus(t, res, http.StatusBadRequest)
		if !strings.Contains(pageText(res.doc), "Select at least one lead") {
			t.Errorf("an empty selection does not say so: %q", pageText(res.doc))
		}
	}
	var many []string
	for i := range store.MaxIDs + 1 {
		many = append(many, fmt.Sprintf("lead_%016x", i+1))
	}
	for _, preview := range []string{"", "1"} {
		res := c.postForm("/leads/bulk-delete", withIDs(bulkValues("reason", "invalid", "preview", preview), many...))
		wantStatus(t, res, http.StatusBadRequest)
		if !strings.Contains(pageText(res.doc), "at most 1,000 leads") {
			t.Errorf("1,001 ids: the answer does not say the limit: %q", pageText(res.doc))
		}
	}
	if app.trashedCount() != 0 {
		t.Fatal("something was deleted")
	}
}

func TestBulkDeleteOfSeveralLeadsWithoutAReasonShowsTheDialogAgain(t *testing.T) {
	app := newTestApp(t)
	a, b := app.namedLead("Alpha"), app.namedLead("Bravo")
	c := app.signedIn("admin@acme.test")
	res := c.postForm("/leads/bulk-delete", withIDs(bulkValues("details", "from the March form"), a.ID, b.ID))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	form := bulkDialogForm(t, res)
	errP := form.Find("p.field-error#err-reason")
	if got := squash(errP); got != "Reason is required" {
		t.Errorf("the field error says %q, want %q", got, "Reason is required")
	}
	sel := form.Find(`select[name="reason"]`)
	if d, _ := sel.Attr("aria-describedby"); d != "err-reason" {
		t.Errorf("the reason select is described by %q, want err-reason", d)
	}
	if inv, _ := sel.Attr("aria-invalid"); inv != "true" {
		t.Error("the reason select is not marked invalid")
	}
	if !errP.Prev().Is(`select[name="reason"]`) {
		t.Error("the error is not next to the reason select")
	}
	if got := hiddenAll(form, "ids"); !slices.Equal(got, []string{a.ID, b.ID}) {
		t.Errorf("the dialog keeps ids %v", got)
	}
	if got := squash(form.Find(`textarea[name="details"]`)); got != "from the March form" {
		t.Errorf("the details were not kept: %q", got)
	}
	// htmx: the dialog again, in #dialog.
	res = c.postForm("/leads/bulk-delete", withIDs(bulkValues(), a.ID, b.ID), "HX-Request", "true", "HX-Current-URL", app.srv.URL+"/leads")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Header.Get("HX-Retarget") != "#dialog" || res.doc.Find("dialog p.field-error#err-reason").Length() != 1 {
		t.Errorf("htmx does not get the dialog with the error in #dialog:\n%s", excerpt(res.body))
	}
	// A reason that is not one of the list.
	res = c.postForm("/leads/bulk-delete", withIDs(bulkValues("reason", "boredom"), a.ID, b.ID))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(squash(res.doc.Find("p.field-error#err-reason")), "must be one of") {
		t.Error("an unknown reason is not refused next to the field")
	}
	if app.trashedCount() != 0 || app.leadCount() != 2 {
		t.Fatal("a bulk delete without a reason deleted something")
	}
}

func TestBulkDeleteWithAForeignTrashedOrMalformedIDIsRefusedWhole(t *testing.T) {
	app := newTestApp(t)
	var valid []string
	for i := range 6 {
		valid = append(valid, app.namedLead(fmt.Sprintf("Valid %d", i)).ID)
	}
	trashed := app.namedLead("Already Trashed")
	app.trashLeads(app.admin, "spam", trashed.ID)
	other := app.workspace("Globex")
	foreign := app.lead(other, store.LeadInput{Name: ptr("Hank Scorpio")})
	c := app.signedIn("admin@acme.test")

	for _, tc := range []struct {
		name string
		bad  string
		want int
	}{
		{"another workspace's lead", foreign.ID, http.StatusNotFound},
		{"a lead in the Trash", trashed.ID, http.StatusConflict},
		{"a malformed id", "not-a-lead", http.StatusNotFound},
		{"an unknown id", "lead_0123456789abcdef", http.StatusNotFound},
	} {
		for _, at := range []string{"first", "last"} {
			t.Run(tc.name+" "+at, func(t *testing.T) {
				ids := append([]string{tc.bad}, valid...)
				if at == "last" { // beyond the few names the dialog shows
					ids = append(slices.Clone(valid), tc.bad)
				}
				res := c.postForm("/leads/bulk-delete", withIDs(bulkValues("reason", "duplicate"), ids...))
				wantStatus(t, res, tc.want)
				if strings.Contains(res.body, "Hank Scorpio") {
					t.Error("the answer shows another workspace's lead")
				}
				if app.leadCount() != len(valid) || app.trashedCount() != 1 {
					t.Fatalf("a refused selection deleted something: %d active, %d trashed", app.leadCount(), app.trashedCount())
				}
				if at == "first" {
					wantStatus(t, c.postForm("/leads/bulk-delete", withIDs(bulkValues("preview", "1"), ids...)), tc.want)
				}
			})
		}
	}
	if l, err := app.st.Lead(context.Background(), other.ID, foreign.ID); err != nil || l.InTrash() {
		t.Errorf("another workspace's lead was touched: %+v, %v", l, err)
	}
}

func TestBulkPreviewRefusesABadIDBeyondTheFirstFive(t *testing.T) {
	app := newTestApp(t)
	var ids []string
	for i := range 6 {
		ids = append(ids, app.namedLead(fmt.Sprintf("Valid %d", i)).ID)
	}
	trashed := app.namedLead("Already Trashed")
	app.trashLeads(app.admin, "spam", trashed.ID)
	c := app.signedIn("admin@acme.test")
	wantStatus(t, c.postForm("/leads/bulk-delete", withIDs(bulkValues("preview", "1"), append(ids, trashed.ID)...)), http.StatusConflict)
	wantStatus(t, c.postForm("/leads/bulk-delete", withIDs(bulkValues("preview", "1"), append(ids, "lead_0123456789abcdef")...)), http.StatusNotFound)
}

// --- more than a thousand: type the count

func TestBulkDeleteOfMoreThanAThousandLeadsAsksToTypeTheCount(t *testing.T) {
	for _, typed := range []string{"1,100", "1100"} {
		t.Run(typed, func(t *testing.T) {
			app := newTestApp(t)
			app.stopClock()
			app.seed(1100)
			c := app.signedIn("admin@acme.test")

			prev := c.postForm("/leads/bulk-delete", bulkValues("preview", "1", "all_matching", "1"))
			wantStatus(t, prev, http.StatusOK)
			form := bulkDialogForm(t, prev)
			if got := squash(form.Find("h2#dialog-title")); got != "Delete 1,100 leads?" {
				t.Errorf("the title is %q", got)
			}
			if v, _ := hidden(form, "expected_count"); v != "1100" {
				t.Fatalf("the preview freezes %q, want 1100", v)
			}
			if id, _ := form.Find(`input[name="confirm_count"]`).Attr("id"); id == "" ||
				squash(form.Find(`label[for="`+id+`"]`)) != "Type 1,100 to confirm" {
				t.Errorf("no \"Type 1,100 to confirm\" field in the preview:\n%s", excerpt(prev.body))
			}

			for _, wrong := range []string{"", "1,099", "110", "all of them"} {
				res := c.postForm("/leads/bulk-delete", formOf(form, "reason", "invalid", "confirm_count", wrong))
				wantStatus(t, res, http.StatusUnprocessableEntity)
				f := bulkDialogForm(t, res)
				if got := squash(f.Find("p.field-error#err-confirm_count")); got != "Type the number of leads, 1,100, to confirm." {
					t.Errorf("confirm_count %q: the field error says %q", wrong, got)
				}
				if d, _ := f.Find(`input[name="confirm_count"]`).Attr("aria-describedby"); d != "err-confirm_count" {
					t.Errorf("confirm_count %q: the field is described by %q", wrong, d)
				}
				if v, _ := f.Find(`select[name="reason"] option[selected]`).Attr("value"); v != "invalid" {
					t.Errorf("confirm_count %q: the reason was not kept (%q)", wrong, v)
				}
				if app.leadCount() != 1100 || app.trashedCount() != 0 {
					t.Fatalf("confirm_count %q deleted something", wrong)
				}
			}

			res := c.postForm("/leads/bulk-delete", formOf(form, "reason", "invalid", "confirm_count", typed))
			wantRedirect(t, res, "/leads")
			if app.leadCount() != 0 || app.trashedCount() != 1100 {
				t.Fatalf("after confirming: %d active, %d trashed; want 0 and 1,100", app.leadCount(), app.trashedCount())
			}
			// One batch holds them all.
			batches := map[string]int{}
			var some []string
			cursor := ""
			for {
				p, err := app.st.ListTrash(context.Background(), app.ws.ID, store.TrashFilter{Limit: 100, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range p.Leads {
					batches[l.BatchID]++
					if len(some) < 2 {
						some = append(some, l.ID)
					}
				}
				if p.Next == "" {
					break
				}
				cursor = p.Next
			}
			if len(batches) != 1 {
				t.Fatalf("the 1,100 leads are in %d batches", len(batches))
			}
			var batch string
			for b := range batches {
				batch = b
			}
			if batches[batch] != 1100 {
				t.Errorf("the batch holds %d leads", batches[batch])
			}
			rows := auditRowsOf(c.getPage("/audit?action=delete").doc)
			if len(rows) != 1 || rows[0].target != batch || rows[0].count != "1,100" || rows[0].reason != "Invalid" {
				t.Errorf("the audit log shows %+v, want one deletion of 1,100 for %s", rows, batch)
			}
			if got := squash(undoToast(c.getPage("/leads").doc, batch).Find(".toast-text")); got != "1,100 leads deleted." {
				t.Errorf("the toast says %q, want %q", got, "1,100 leads deleted.")
			}
			for _, id := range some {
				page := c.getPage("/leads/" + id)
				wantStatus(t, page, http.StatusOK)
				if !strings.Contains(pageText(page.doc), "Moved to the Trash (Invalid)") {
					t.Errorf("lead %s's history does not say it was moved to the Trash", id)
				}
			}
			if d := app.detail(some[0]); len(d.Activity) == 0 {
				t.Error("no activity rows for a bulk-deleted lead")
			}
		})
	}
}

// --- htmx, from the table

func TestHTMXBulkDeleteFromTheTableSwapsTheTableAddsOneToastAndClosesTheDialog(t *testing.T) {
	app := newTestApp(t)
	lost := app.lostLeads("Lost", 3)
	fresh := app.namedLead("Fresh")
	c := app.signedIn("admin@acme.test")
	c.getPage("/leads?status=lost")
	hx := []string{"HX-Request", "true", "HX-Current-URL", app.srv.URL + "/leads?status=lost"}

	// The preview opened from the table posts back to the table.
	prev := c.postForm("/leads/bulk-delete", bulkValues("preview", "1", "all_matching", "1", "status", "lost"), hx...)
	wantStatus(t, prev, http.StatusOK)
	form := prev.doc.Find("dialog form")
	if v, _ := form.Attr("hx-post"); v != "/leads/bulk-delete" {
		t.Errorf("the dialog's form hx-post = %q", v)
	}
	if v, _ := form.Attr("hx-target"); v != "#leads" {
		t.Errorf("the dialog's form hx-target = %q, want #leads", v)
	}

	res := c.postForm("/leads/bulk-delete", formOf(form, "reason", "invalid"), hx...)
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "<html") {
		t.Fatalf("htmx got a whole page:\n%s", excerpt(res.body))
	}
	batch := app.storedLead(lost[0]).BatchID
	for _, id := range lost {
		if l := app.storedLead(id); !l.InTrash() || l.BatchID != batch {
			t.Errorf("lost lead %s is not in the deletion's batch", id)
		}
	}
	if app.storedLead(fresh.ID).InTrash() {
		t.Error("a lead outside the filter was deleted")
	}
	region := res.doc.Find("section#leads")
	if region.Length() != 1 {
		t.Fatalf("no section#leads in the answer:\n%s", excerpt(res.body))
	}
	if ids := leadIDs(goquery.NewDocumentFromNode(region.Nodes[0])); len(ids) != 0 {
		t.Errorf("the re-rendered lost table still shows %v", ids)
	}
	if n := tableCount(t, res.doc); n != 0 {
		t.Errorf("#lead-count = %d, want 0", n)
	}
	oob := res.doc.Find("[hx-swap-oob]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find(`.toast-undo form[action="/undo/`+batch+`"]`).Length() == 1
	})
	if oob.Length() != 1 {
		t.Fatalf("no out-of-band undo toast:\n%s", excerpt(res.body))
	}
	if v, _ := oob.Attr("hx-swap-oob"); !strings.Contains(v, "#toasts") {
		t.Errorf("the toast goes to %q, want #toasts", v)
	}
	if got := squash(oob.Find(".toast-text")); got != "3 leads deleted." {
		t.Errorf("the toast says %q, want %q", got, "3 leads deleted.")
	}
	dialog := res.doc.Find(`#dialog[hx-swap-oob]`)
	if dialog.Length() != 1 || strings.TrimSpace(dialog.Text()) != "" || dialog.Children().Length() != 0 {
		t.Errorf("the dialog is not emptied out of band:\n%s", excerpt(res.body))
	}

	// A selection of ids from the unfiltered table: the table keeps the rest.
	a, b := app.namedLead("Ids One"), app.namedLead("Ids Two")
	res = c.postForm("/leads/bulk-delete", withIDs(bulkValues("reason", "outdated"), a.ID, fresh.ID),
		"HX-Request", "true", "HX-Current-URL", app.srv.URL+"/leads")
	wantStatus(t, res, http.StatusOK)
	if got := leadIDs(res.doc); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("the table shows %v after deleting two of three, want only %s", got, b.ID)
	}
	if got := squash(res.doc.Find("[hx-swap-oob] .toast-undo .toast-text")); got != "2 leads deleted." {
		t.Errorf("the toast says %q", got)
	}
}

// --- export

func TestExportOfTheFilterIsACSVOfExactlyThoseLeadsWithFormulasDefused(t *testing.T) {
	app := newTestApp(t)
	app.seed(80)
	evil := app.lead(app.ws, store.LeadInput{Name: ptr("=cmd|' /C calc'!A0"), Company: ptr("+SUM(1)"), Source: ptr("@x"),
		Phone: ptr("+14155550123"), Email: ptr("evil@example.test"), Status: ptr("lost"), Tags: &[]string{"vip", "east"}})
	minus := app.lead(app.ws, store.LeadInput{Name: ptr("Minus Two"), Company: ptr("-2"), Status: ptr("lost")})
	gone := app.lead(app.ws, store.LeadInput{Name: ptr("Gone Lost"), Status: ptr("lost")})
	app.trashLeads(app.admin, "spam", gone.ID)
	snap := app.activeSnapshot()
	lost := idsWhere(snap, func(l store.Lead) bool { return l.Status == store.StatusLost })
	c := app.signedIn("admin@acme.test")

	res := c.getPage("/leads/export?format=csv&status=lost")
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q, want text/csv", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition %q, want an attachment named .csv", cd)
	}
	if first, _, _ := strings.Cut(res.body, "\n"); strings.TrimRight(first, "\r") != strings.Join(exportHeader, ",") {
		t.Errorf("the header line is %q", first)
	}
	header, rows := csvRows(t, res.body)
	if !slices.Equal(header, exportHeader) {
		t.Fatalf("the header is %v", header)
	}
	if got, want := firstColumn(rows), sortedKeys(lost); !slices.Equal(got, want) {
		t.Errorf("the export has %d leads, want the %d lost ones", len(got), len(want))
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	byID := map[string][]string{}
	for _, r := range rows {
		if len(r) != len(exportHeader) {
			t.Fatalf("a row has %d cells: %v", len(r), r)
		}
		if r[col["status"]] != "lost" {
			t.Errorf("lead %s has status %q in a lost export", r[0], r[col["status"]])
		}
		byID[r[0]] = r
	}
	if _, ok := byID[gone.ID]; ok {
		t.Error("a trashed lead was exported")
	}
	r := byID[evil.ID]
	if r == nil {
		t.Fatal("the lead with formulas was not exported")
	}
	for name, want := range map[string]string{"name": "'=cmd|' /C calc'!A0", "company": "'+SUM(1)", "source": "'@x",
		"phone": "+14155550123", "email": "evil@example.test", "pool": "Default", "tags": "east;vip", "status": "lost"} {
		if r[col[name]] != want {
			t.Errorf("%s is written %q, want %q", name, r[col[name]], want)
		}
	}
	if r[col["created_at"]] != evil.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00") {
		t.Errorf("created_at is %q", r[col["created_at"]])
	}
	if got := byID[minus.ID][col["company"]]; got != "'-2" {
		t.Errorf("company -2 is written %q, want '-2", got)
	}

	// By ids: just those, never a trashed one.
	a, b := sortedKeys(lost)[0], sortedKeys(lost)[1]
	res = c.getPage("/leads/export?format=csv&ids=" + a + "&ids=" + b)
	wantStatus(t, res, http.StatusOK)
	if _, rows := csvRows(t, res.body); !slices.Equal(firstColumn(rows), []string{a, b}) {
		t.Errorf("ids=%s&ids=%s exports %v", a, b, firstColumn(rows))
	}
	res = c.getPage("/leads/export?format=csv&ids=" + a + "&ids=" + gone.ID)
	wantStatus(t, res, http.StatusOK)
	if _, rows := csvRows(t, res.body); !slices.Equal(firstColumn(rows), []string{a}) {
		t.Errorf("a trashed id in the list: the export has %v, want only %s", firstColumn(rows), a)
	}

	// JSON: one array, the same leads.
	res = c.getPage("/leads/export?format=json&status=lost")
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var arr []map[string]any
	if err := json.Unmarshal([]byte(res.body), &arr); err != nil {
		t.Fatalf("the JSON export is not one array: %v\n%s", err, excerpt(res.body))
	}
	var jids []string
	for _, l := range arr {
		id, _ := l["id"].(string)
		jids = append(jids, id)
		if id == evil.ID && (l["name"] != evil.Name || l["phone"] != "+14155550123") {
			t.Errorf("the JSON export changes values: %v", l)
		}
	}
	sort.Strings(jids)
	if !slices.Equal(jids, sortedKeys(lost)) {
		t.Errorf("the JSON export has %d leads, want the %d lost ones", len(jids), len(lost))
	}
	res = c.getPage("/leads/export?format=json&q=nosuchwordanywhere")
	wantStatus(t, res, http.StatusOK)
	if err := json.Unmarshal([]byte(res.body), &arr); err != nil || len(arr) != 0 {
		t.Errorf("an empty JSON export is %q (%v), want []", res.body, err)
	}
}

func TestExportRefusesABadFormatAForeignPoolAndViewers(t *testing.T) {
	app := newTestApp(t)
	app.namedLead("Someone")
	other := app.workspace("Globex")
	otherPool, err := app.st.CreatePool(context.Background(), other.ID, "Secret")
	if err != nil {
		t.Fatal(err)
	}
	app.user(app.ws, "vic@acme.test", "Vic Viewer", store.RoleViewer)
	app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	c := app.signedIn("admin@acme.test")
	for _, q := range []string{"format=xml", "format=xlsx&status=lost", "format=csv&pool=" + otherPool.ID, "format=json&status=dead"} {
		res := c.getPage("/leads/export?" + q)
		wantStatus(t, res, http.StatusBadRequest)
		if strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("/leads/export?%s: a 400 sent as a download", q)
		}
	}
	wantStatus(t, app.signedIn("vic@acme.test").getPage("/leads/export?format=csv"), http.StatusForbidden)
	res := app.signedIn("ann@acme.test").getPage("/leads/export?format=csv")
	wantStatus(t, res, http.StatusOK)
	if _, rows := csvRows(t, res.body); len(rows) != 1 {
		t.Errorf("an agent's export has %d leads, want 1", len(rows))
	}
}

func TestExportOfABadIDListIsRefusedNotAnEmptyFile(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Someone")
	c := app.signedIn("admin@acme.test")
	res := c.getPage("/leads/export?format=csv&ids=" + l.ID + "&ids=not-a-lead")
	wantStatus(t, res, http.StatusNotFound)
	q := url.Values{"format": {"csv"}}
	for i := range store.MaxIDs + 1 {
		q.Add("ids", fmt.Sprintf("lead_%016x", i+1))
	}
	wantStatus(t, c.getPage("/leads/export?"+q.Encode()), http.StatusBadRequest)
}

// --- the Trash, in bulk

func TestTrashRowsHaveCheckboxesAndBulkRestoreBringsTheSelectionBack(t *testing.T) {
	app := newTestApp(t)
	var ids []string
	for _, n := range []string{"Tess One", "Tess Two", "Tess Three", "Tess Four"} {
		ids = append(ids, app.namedLead(n).ID)
	}
	c := app.signedIn("admin@acme.test")
	wantRedirect(t, c.postForm("/leads/bulk-delete", withIDs(bulkValues("reason", "outdated"), ids...)), "/leads")

	res := c.getPage("/trash")
	wantStatus(t, res, http.StatusOK)
	form := res.doc.Find("form#trash-bulk")
	if a, _ := form.Attr("action"); form.Length() != 1 || a != "/trash/bulk-restore" {
		t.Fatalf("no form#trash-bulk posting to /trash/bulk-restore:\n%s", excerpt(res.body))
	}
	if v, _ := hidden(form, "expected_count"); v != "4" {
		t.Errorf("the Trash's bulk bar freezes %q, want 4", v)
	}
	if res.doc.Find(`input[type="checkbox"][form="trash-bulk"][data-select-page]`).Length() != 1 {
		t.Error("no select-page check box for the Trash")
	}
	rows := trashRowsOf(res.doc)
	if len(rows) != 4 {
		t.Fatalf("the Trash shows %d rows", len(rows))
	}
	for _, r := range rows {
		box := res.doc.Find(`tr[data-lead-id="` + r.id + `"] input[type="checkbox"][form="trash-bulk"][name="ids"][data-select]`)
		if v, _ := box.Attr("value"); box.Length() != 1 || v != r.id {
			t.Errorf("Trash row %s has no check box for the bulk form", r.id)
		}
	}
	purge := form.Find(`button[formaction="/trash/bulk-purge"][name="preview"][value="1"]`)
	if purge.Length() != 1 {
		t.Error("an admin's Trash bar has no Delete forever… button")
	}

	res = c.postForm("/trash/bulk-restore", withIDs(url.Values{}, ids[0], ids[2]))
	wantRedirect(t, res, "/trash")
	for i, id := range ids {
		if got, want := app.storedLead(id).InTrash(), i == 1 || i == 3; got != want {
			t.Errorf("lead %d in the Trash: %v, want %v", i, got, want)
		}
	}
	if !strings.Contains(toastTexts(c.getPage("/trash").doc), "2 leads restored.") {
		t.Error("no \"2 leads restored.\" message after the restore")
	}
	// Again: they are no longer in the Trash, so nothing changes.
	wantStatus(t, c.postForm("/trash/bulk-restore", withIDs(url.Values{}, ids[0], ids[1])), http.StatusConflict)
	if !app.storedLead(ids[1]).InTrash() {
		t.Error("a refused bulk restore restored a lead")
	}
	wantStatus(t, c.postForm("/trash/bulk-restore", url.Values{}), http.StatusBadRequest)
}

func TestTrashBulkRestoreOfAllMatchingASearchRestoresExactlyThose(t *testing.T) {
	app := newTestApp(t)
	q1, q2 := app.namedLead("Quokka Alpha"), app.namedLead("Quokka Beta")
	o := app.namedLead("Wombat Gamma")
	active := app.namedLead("Quokka Active")
	app.trashLeads(app.admin, "spam", q1.ID, q2.ID, o.ID)
	c := app.signedIn("admin@acme.test")
	// The Trash search carries the filter into the bulk form.
	res := c.getPage("/trash?q=quokka")
	if v, _ := hidden(res.doc.Find("form#trash-bulk"), "q"); v != "quokka" {
		t.Errorf("the Trash bulk form carries q=%q", v)
	}
	if v, _ := hidden(res.doc.Find("form#trash-bulk"), "expected_count"); v != "2" {
		t.Errorf("the Trash bulk form freezes %q, want 2", v)
	}
	for _, bad := range []string{"3", "1", "999999"} {
		res := c.postForm("/trash/bulk-restore", bulkValues("all_matching", "1", "q", "quokka", "expected_count", bad))
		wantStatus(t, res, http.StatusConflict)
		if !strings.Contains(pageText(res.doc), "The selection changed: 2 now match, not") {
			t.Errorf("expected_count=%s: the answer does not say the selection changed: %q", bad, pageText(res.doc))
		}
	}
	wantStatus(t, c.postForm("/trash/bulk-restore", bulkValues("all_matching", "1", "q", "quokka")), http.StatusBadRequest)
	wantStatus(t, c.postForm("/trash/bulk-restore", bulkValues("all_matching", "1", "q", "quokka", "expected_count", "two")), http.StatusBadRequest)
	if app.trashedCount() != 3 {
		t.Fatalf("a refused bulk restore restored something: %d left", app.trashedCount())
	}
	wantRedirect(t, c.postForm("/trash/bulk-restore", bulkValues("all_matching", "1", "q", "quokka", "expected_count", "2")), "/trash")
	if app.storedLead(q1.ID).InTrash() || app.storedLead(q2.ID).InTrash() {
		t.Error("the matching leads were not restored")
	}
	if !app.storedLead(o.ID).InTrash() {
		t.Error("a lead outside the search was restored")
	}
	if app.storedLead(active.ID).InTrash() || app.leadCount() != 3 {
		t.Errorf("%d active leads, want 3", app.leadCount())
	}
}

func TestTrashBulkPurgeAsksFirstThenDeletesForever(t *testing.T) {
	app := newTestApp(t)
	var ids []string
	for _, n := range []string{"Purge One", "Purge Two", "Keep Three"} {
		ids = append(ids, app.namedLead(n).ID)
	}
	app.trashLeads(app.admin, "spam", ids...)
	c := app.signedIn("admin@acme.test")

	res := c.postForm("/trash/bulk-purge", withIDs(bulkValues("preview", "1"), ids[0], ids[1]))
	wantStatus(t, res, http.StatusOK)
	form := res.doc.Find(`main form[method="post"][action="/trash/bulk-purge"]`)
	if form.Length() != 1 {
		t.Fatalf("no confirmation form posting to /trash/bulk-purge:\n%s", excerpt(res.body))
	}
	if !strings.Contains(pageText(res.doc), "cannot be undone") {
		t.Error("the confirmation does not warn that it cannot be undone")
	}
	if got := squash(form.Find("h2#dialog-title")); got != "Delete 2 leads forever?" {
		t.Errorf("the confirmation asks %q", got)
	}
	if got := hiddenAll(form, "ids"); !slices.Equal(got, ids[:2]) {
		t.Errorf("the confirmation carries ids %v", got)
	}
	if _, ok := hidden(form, "preview"); ok {
		t.Error("the confirmation would preview again")
	}
	if app.trashedCount() != 3 {
		t.Fatal("a preview purged something")
	}
	// htmx: the same question as a dialog.
	hx := c.postForm("/trash/bulk-purge", withIDs(bulkValues("preview", "1"), ids[0], ids[1]), "HX-Request", "true")
	wantStatus(t, hx, http.StatusOK)
	if !strings.HasPrefix(strings.TrimSpace(hx.body), "<dialog") || !strings.Contains(hx.body, "cannot be undone") {
		t.Errorf("htmx gets more than the dialog:\n%s", excerpt(hx.body))
	}

	wantRedirect(t, c.postForm("/trash/bulk-purge", formOf(form)), "/trash")
	if !strings.Contains(toastTexts(c.getPage("/trash").doc), "2 leads deleted forever.") {
		t.Error("no \"2 leads deleted forever.\" message")
	}
	for _, id := range ids[:2] {
		wantStatus(t, c.getPage("/leads/"+id), http.StatusGone)
	}
	if !app.storedLead(ids[2]).InTrash() {
		t.Error("a lead outside the selection was purged")
	}
	rows := auditRowsOf(c.getPage("/audit?action=purge").doc)
	if len(rows) != 1 || rows[0].count != "2" {
		t.Errorf("the audit log records the purge as %+v, want one row of 2", rows)
	}
	// Purging them again: they are gone.
	wantStatus(t, c.postForm("/trash/bulk-purge", withIDs(url.Values{}, ids[0])), http.StatusGone)
}

func TestTrashBulkPurgeOfAllMatchingAsksWithTheCountAndRefusesAWrongOne(t *testing.T) {
	app := newTestApp(t)
	q1, q2 := app.namedLead("Quokka Alpha"), app.namedLead("Quokka Beta")
	o := app.namedLead("Wombat Gamma")
	app.namedLead("Quokka Active")
	app.trashLeads(app.admin, "spam", q1.ID, q2.ID, o.ID)
	c := app.signedIn("admin@acme.test")

	res := c.postForm("/trash/bulk-purge", bulkValues("preview", "1", "all_matching", "1", "q", "quokka"))
	wantStatus(t, res, http.StatusOK)
	form := res.doc.Find(`main form[action="/trash/bulk-purge"]`)
	for name, want := range map[string]string{"all_matching": "1", "q": "quokka", "expected_count": "2"} {
		if v, _ := hidden(form, name); v != want {
			t.Errorf("the confirmation's %s = %q, want %q", name, v, want)
		}
	}
	if !strings.Contains(pageText(res.doc), "cannot be undone") || squash(form.Find("h2")) != "Delete 2 leads forever?" {
		t.Errorf("the confirmation lacks its warning or count:\n%s", excerpt(res.body))
	}
	wantStatus(t, c.postForm("/trash/bulk-purge", bulkValues("preview", "1", "all_matching", "1", "q", "nothinghere")), http.StatusBadRequest)
	for _, bad := range []string{"3", "1"} {
		res := c.postForm("/trash/bulk-purge", formOf(form, "expected_count", bad))
		wantStatus(t, res, http.StatusConflict)
		if !strings.Contains(pageText(res.doc), "The selection changed: 2 now match, not "+bad) {
			t.Errorf("expected_count=%s: the answer does not say the selection changed: %q", bad, pageText(res.doc))
		}
	}
	wantStatus(t, c.postForm("/trash/bulk-purge", bulkValues("all_matching", "1", "q", "quokka")), http.StatusBadRequest)
	if app.trashedCount() != 3 {
		t.Fatal("a purge at the wrong count purged something")
	}
	for _, id := range []string{q1.ID, q2.ID, o.ID} {
		if !app.storedLead(id).InTrash() {
			t.Errorf("%s left the Trash", id)
		}
	}

	// The whole Trash (no search) at the right count: every trashed lead, no active one.
	res = c.postForm("/trash/bulk-purge", bulkValues("preview", "1", "all_matching", "1", "q", ""))
	wantStatus(t, res, http.StatusOK)
	form = res.doc.Find(`main form[action="/trash/bulk-purge"]`)
	if v, _ := hidden(form, "expected_count"); v != "3" {
		t.Fatalf("the whole Trash is counted %q, want 3", v)
	}
	wantRedirect(t, c.postForm("/trash/bulk-purge", formOf(form)), "/trash")
	for _, id := range []string{q1.ID, q2.ID, o.ID} {
		wantStatus(t, c.getPage("/leads/"+id), http.StatusGone)
	}
	if app.trashedCount() != 0 || app.leadCount() != 1 {
		t.Errorf("%d trashed and %d active leads, want 0 and 1", app.trashedCount(), app.leadCount())
	}
}

func TestTrashBulkPurgeOfAllMatchingASearchPurgesExactlyThose(t *testing.T) {
	app := newTestApp(t)
	q1, q2 := app.namedLead("Quokka Alpha"), app.namedLead("Quokka Beta")
	o := app.namedLead("Wombat Gamma")
	app.namedLead("Quokka Active")
	app.trashLeads(app.admin, "spam", q1.ID, q2.ID, o.ID)
	c := app.signedIn("admin@acme.test")
	wantRedirect(t, c.postForm("/trash/bulk-purge", bulkValues("all_matching", "1", "q", "quokka", "expected_count", "2")), "/trash")
	for _, id := range []string{q1.ID, q2.ID} {
		wantStatus(t, c.getPage("/leads/"+id), http.StatusGone)
		if _, err := app.st.Lead(context.Background(), app.ws.ID, id); err == nil {
			t.Errorf("purged lead %s is still stored", id)
		}
	}
	if !app.storedLead(o.ID).InTrash() || app.trashedCount() != 1 || app.leadCount() != 1 {
		t.Errorf("outside the search: %d trashed, %d active; want 1 and 1", app.trashedCount(), app.leadCount())
	}
	if res := c.getPage("/trash"); !slices.Equal(leadIDs(res.doc), []string{o.ID}) {
		t.Errorf("the Trash lists %v, want only %s", leadIDs(res.doc), o.ID)
	}
}

func TestTrashBulkPurgeIsForAdminsAndAgentsRestoreOnlyTheirOwn(t *testing.T) {
	app := newTestApp(t)
	meg := app.user(app.ws, "meg@acme.test", "Meg Manager", store.RoleManager)
	ann := app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	megs := []string{app.namedLead("Meg's One").ID, app.namedLead("Meg's Two").ID}
	anns := []string{app.namedLead("Ann's One").ID, app.namedLead("Ann's Two").ID}
	app.trashLeads(meg, "spam", megs...)
	app.trashLeads(ann, "duplicate", anns...)

	mc := app.signedIn("meg@acme.test")
	for _, f := range []url.Values{
		withIDs(bulkValues("preview", "1"), megs...),
		withIDs(url.Values{}, megs...),
		bulkValues("all_matching", "1", "expected_count", "4"),
	} {
		wantStatus(t, mc.postForm("/trash/bulk-purge", f), http.StatusForbidden)
	}
	if app.trashedCount() != 4 {
		t.Fatal("a manager purged something")
	}
	if mc.getPage("/trash").doc.Find(`button[formaction="/trash/bulk-purge"]`).Length() != 0 {
		t.Error("a manager is offered Delete forever in bulk")
	}

	ac := app.signedIn("ann@acme.test")
	for _, ids := range [][]string{megs, {anns[0], megs[0]}} {
		res := ac.postForm("/trash/bulk-restore", withIDs(url.Values{}, ids...))
		wantStatus(t, res, http.StatusForbidden)
	}
	wantStatus(t, ac.postForm("/trash/bulk-purge", withIDs(url.Values{}, anns...)), http.StatusForbidden)
	if app.trashedCount() != 4 {
		t.Fatal("an agent restored or purged someone else's deletion")
	}
	// All matching, for an agent, is their own deletions only.
	wantStatus(t, ac.postForm("/trash/bulk-restore", bulkValues("all_matching", "1", "expected_count", "4")), http.StatusConflict)
	wantRedirect(t, ac.postForm("/trash/bulk-restore", bulkValues("all_matching", "1", "expected_count", "2")), "/trash")
	for _, id := range anns {
		if app.storedLead(id).InTrash() {
			t.Errorf("the agent's own %s was not restored", id)
		}
	}
	for _, id := range megs {
		if !app.storedLead(id).InTrash() {
			t.Errorf("the agent restored the manager's %s", id)
		}
	}
	// The manager restores anyone's.
	wantRedirect(t, mc.postForm("/trash/bulk-restore", withIDs(url.Values{}, megs...)), "/trash")
	if app.trashedCount() != 0 {
		t.Errorf("%d leads left in the Trash", app.trashedCount())
	}
}
