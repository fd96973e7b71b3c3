package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"leadkeep/store"
)

// leadForm is a complete lead form, as the browser sends it, with fields overridden.
func leadForm(fields ...string) url.Values {
	f := url.Values{"name": {"Grace Hopper"}, "email": {"grace@navy.example"}, "phone": {"+1 415 555 0199"},
		"company": {"US Navy"}, "status": {"new"}, "pool": {""}, "tags": {""}}
	for i := 0; i+1 < len(fields); i += 2 {
		f.Set(fields[i], fields[i+1])
	}
	return f
}

func TestLeadTableShowsFiftyRowsAPageWithNextAndPrevious(t *testing.T) {
	app := newTestApp(t)
	app.seed(120)
	c := app.signedIn("admin@acme.test")

	first := c.getPage("/leads")
	wantStatus(t, first, http.StatusOK)
	firstIDs := leadIDs(first.doc)
	if len(firstIDs) != 50 {
		t.Fatalf("the first page has %d rows, want 50", len(firstIDs))
	}
	if got := first.text("#lead-count"); got != "120 leads" {
		t.Errorf("#lead-count = %q, want \"120 leads\"", got)
	}
	if first.doc.Find(`a[rel="prev"]`).Length() != 0 {
		t.Error("the first page links to a previous page")
	}
	next := href(first.doc, `a[rel="next"]`)
	if !strings.Contains(next, "cursor=") {
		t.Fatalf("a[rel=next] href = %q, want a cursor link", next)
	}

	second := c.getPage(next)
	wantStatus(t, second, http.StatusOK)
	secondIDs := leadIDs(second.doc)
	if len(secondIDs) != 50 {
		t.Fatalf("the second page has %d rows, want 50", len(secondIDs))
	}
	for _, id := range secondIDs {
		if slices.Contains(firstIDs, id) {
			t.Fatalf("lead %s is on the first and the second page", id)
		}
	}
	if got := second.text("#lead-count"); got != "120 leads" {
		t.Errorf("#lead-count on page 2 = %q, want \"120 leads\"", got)
	}

	prev := href(second.doc, `a[rel="prev"]`)
	if prev == "" {
		t.Fatal("the second page has no a[rel=prev]")
	}
	back := c.getPage(prev)
	wantStatus(t, back, http.StatusOK)
	if got := leadIDs(back.doc); !slices.Equal(got, firstIDs) {
		t.Fatalf("Previous from page 2 shows %v\nwant the first page %v", got, firstIDs)
	}
	if back.doc.Find(`a[rel="prev"]`).Length() != 0 {
		t.Error("back on the first page, there is still a Previous link")
	}
	if href(back.doc, `a[rel="next"]`) == "" {
		t.Error("back on the first page, there is no Next link")
	}
}

// walk follows a[rel=next] (or prev) from path to the end, returning each page's ids.
func walk(t *testing.T, c *client, path, rel string) [][]string {
	t.Helper()
	var pages [][]string
	for path != "" {
		res := c.getPage(path)
		wantStatus(t, res, http.StatusOK)
		pages = append(pages, leadIDs(res.doc))
		if len(pages) > 10 {
			t.Fatalf("following rel=%s never ends: %d pages", rel, len(pages))
		}
		path = href(res.doc, `a[rel="`+rel+`"]`)
	}
	return pages
}

func TestWalkingAllPagesVisitsEveryLeadExactlyOnce(t *testing.T) {
	app := newTestApp(t)
	app.seed(120)
	c := app.signedIn("admin@acme.test")
	for _, start := range []string{"/leads", "/leads?sort=name"} {
		t.Run(start, func(t *testing.T) {
			pages := walk(t, c, start, "next")
			if len(pages) != 3 {
				t.Fatalf("%d pages, want 3 (50, 50, 20)", len(pages))
			}
			seen := map[string]bool{}
			for _, p := range pages {
				for _, id := range p {
					if seen[id] {
						t.Fatalf("lead %s shown twice", id)
					}
					seen[id] = true
				}
			}
			if len(seen) != 120 {
				t.Fatalf("walking the pages showed %d leads, want 120", len(seen))
			}
			if n := len(pages[2]); n != 20 {
				t.Errorf("the last page has %d rows, want 20", n)
			}

			// From the last page, Previous walks back through the same pages.
			last := c.getPage(start)
			for range 2 {
				last = c.getPage(href(last.doc, `a[rel="next"]`))
			}
			backwards := walk(t, c, href(last.doc, `a[rel="prev"]`), "prev")
			if len(backwards) != 2 || !slices.Equal(backwards[0], pages[1]) || !slices.Equal(backwards[1], pages[0]) {
				t.Fatalf("walking back gives %d pages that differ from the pages walking forwards", len(backwards))
			}
		})
	}
}

func TestStatusFilterShowsOnlyLeadsOfThatStatus(t *testing.T) {
	app := newTestApp(t)
	app.seed(120)
	_, byStatus, err := app.st.Counts(context.Background(), app.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := app.signedIn("admin@acme.test")
	shown := 0
	for _, st := range store.Statuses {
		t.Run(string(st), func(t *testing.T) {
			pages := 0
			rows := 0
			for path := "/leads?status=" + string(st); path != ""; pages++ {
				res := c.getPage(path)
				wantStatus(t, res, http.StatusOK)
				if v, _ := res.doc.Find(`select[name="status"] option[selected]`).Attr("value"); v != string(st) {
					t.Errorf("the status select shows %q selected, want %q", v, st)
				}
				res.doc.Find("tr[data-lead-id]").Each(func(_ int, row *goquery.Selection) {
					rows++
					if got := strings.TrimSpace(row.Find(".pill").Text()); got != statusText(st) {
						t.Errorf("row %s has status %q under the filter %q", row.AttrOr("data-lead-id", ""), got, st)
					}
				})
				path = href(res.doc, `a[rel="next"]`)
				if path != "" && !strings.Contains(path, "status="+string(st)) {
					t.Fatalf("the Next link %q drops the filter", path)
				}
			}
			if rows != byStatus[st] {
				t.Errorf("the filter showed %d rows, the store has %d %s leads", rows, byStatus[st], st)
			}
			shown += rows
		})
	}
	if shown != 120 {
		t.Fatalf("the five status filters showed %d leads in all, want 120", shown)
	}
}

func statusText(s store.Status) string { return strings.ToUpper(string(s[:1])) + string(s[1:]) }

func TestPoolFilterShowsOnlyLeadsOfThatPool(t *testing.T) {
	app := newTestApp(t)
	app.seed(120)
	pools, err := app.st.Pools(context.Background(), app.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := app.signedIn("admin@acme.test")
	total := 0
	for _, p := range pools {
		rows, count := 0, ""
		for path := "/leads?pool=" + p.ID; path != ""; {
			res := c.getPage(path)
			wantStatus(t, res, http.StatusOK)
			if count == "" {
				count = res.text("#lead-count")
			}
			if v, _ := res.doc.Find(`select[name="pool"] option[selected]`).Attr("value"); v != p.ID {
				t.Errorf("pool %s: the pool select shows %q selected", p.Name, v)
			}
			res.doc.Find("tr[data-lead-id]").Each(func(_ int, row *goquery.Selection) {
				rows++
				if got := strings.TrimSpace(row.Find("td.pool").Text()); got != p.Name {
					t.Errorf("pool %s: row %s is in pool %q", p.Name, row.AttrOr("data-lead-id", ""), got)
				}
			})
			path = href(res.doc, `a[rel="next"]`)
		}
		if want := fmt.Sprintf("%d leads", rows); rows != 1 && count != want {
			t.Errorf("pool %s: #lead-count = %q, want %q", p.Name, count, want)
		}
		total += rows
	}
	if total != 120 {
		t.Fatalf("the pool filters showed %d leads in all, want 120", total)
	}
}

func TestSearchFindsLeadsByNameEmailPhoneAndID(t *testing.T) {
	app := newTestApp(t)
	app.seed(60)
	zeb := app.lead(app.ws, store.LeadInput{Name: ptr("Zebulon Quixote"), Email: ptr("zq@windmills.example"),
		Phone: ptr("+1 415 555 0123"), Company: ptr("Windmill Works")})
	zel := app.lead(app.ws, store.LeadInput{Name: ptr("Zelda Quixby"), Email: ptr("zelda@hyrule.example")})
	c := app.signedIn("admin@acme.test")

	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"zebulon", []string{zeb.ID}},
		{"ZEBULON quix", []string{zeb.ID}},
		{"z quix", []string{zel.ID, zeb.ID}}, // every word a prefix; newest first
		{"windmill", []string{zeb.ID}},
		{"zelda@hyrule.example", []string{zel.ID}},
		{"(415) 555-0123", []string{zeb.ID}},
		{"+14155550123", []string{zeb.ID}},
		{zel.ID, []string{zel.ID}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			res := c.getPage("/leads?q=" + url.QueryEscape(tc.q))
			wantStatus(t, res, http.StatusOK)
			if got := leadIDs(res.doc); !slices.Equal(got, tc.want) {
				t.Fatalf("q=%q shows %v, want %v", tc.q, got, tc.want)
			}
			if v, _ := res.doc.Find(`input[name="q"]`).Attr("value"); v != tc.q {
				t.Errorf("the search box shows %q, want %q", v, tc.q)
			}
			if !strings.HasPrefix(res.text("#lead-count"), map[bool]string{true: "1 lead", false: "2 leads"}[len(tc.want) == 1]) {
				t.Errorf("#lead-count = %q for %d matches", res.text("#lead-count"), len(tc.want))
			}
		})
	}
}

func TestSortByNameOrdersRowsByName(t *testing.T) {
	app := newTestApp(t)
	app.seed(40)
	for _, n := range []string{"aaron Early", "Zoe Late", "Mia Middle"} {
		app.namedLead(n)
	}
	c := app.signedIn("admin@acme.test")
	res := c.getPage("/leads?sort=name")
	wantStatus(t, res, http.StatusOK)
	var names []string
	res.doc.Find("tr[data-lead-id] td.name").Each(func(_ int, s *goquery.Selection) {
		names = append(names, strings.TrimSpace(s.Text()))
	})
	if len(names) != 43 {
		t.Fatalf("%d rows, want 43", len(names))
	}
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Fatalf("rows are not in name order: %v", names)
	}
	if names[0] != "aaron Early" || names[len(names)-1] != "Zoe Late" {
		t.Errorf("first %q, last %q: want aaron Early first and Zoe Late last (case-insensitive)", names[0], names[len(names)-1])
	}
	if got := strings.TrimSpace(res.doc.Find(`th[aria-sort="ascending"]`).Text()); got != "Name" {
		t.Errorf("the header sorted ascending is %q, want Name", got)
	}

	// The default order is newest first.
	res = c.getPage("/leads")
	ids := leadIDs(res.doc)
	if ids[0] != app.mustLeadByName("Mia Middle") {
		t.Errorf("the default order does not start with the newest lead")
	}
}

func (a *testApp) mustLeadByName(name string) string {
	a.t.Helper()
	p, err := a.st.ListLeads(context.Background(), a.ws.ID, store.LeadFilter{Query: name})
	if err != nil || len(p.Leads) == 0 {
		a.t.Fatalf("find %q: %v", name, err)
	}
	return p.Leads[0].ID
}

func TestEmptyStatesSayWhy(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin@acme.test")

	res := c.getPage("/leads")
	wantStatus(t, res, http.StatusOK)
	if got := res.text(".empty h2"); got != "No leads yet" {
		t.Errorf("empty workspace says %q, want \"No leads yet\"", got)
	}
	if res.doc.Find(`.empty a[href="/leads/new"]`).Length() != 1 {
		t.Error("an empty table offers no way to create the first lead")
	}

	app.namedLead("Ada Lovelace")
	res = c.getPage("/leads?q=nothingmatchesthis")
	wantStatus(t, res, http.StatusOK)
	if got := res.text(".empty h2"); got != "No leads match" {
		t.Errorf("a search without matches says %q, want \"No leads match\"", got)
	}
	if len(leadIDs(res.doc)) != 0 {
		t.Error("rows shown for a search without matches")
	}
	if res.doc.Find(`.empty a[href="/leads"]`).Length() != 1 {
		t.Error("no Clear filters link in the empty state")
	}
	if got := res.text("#lead-count"); !strings.HasPrefix(got, "0 leads") {
		t.Errorf("#lead-count = %q, want \"0 leads\"", got)
	}
	res = c.getPage("/leads?status=won")
	if got := res.text(".empty h2"); got != "No leads match" {
		t.Errorf("an empty status filter says %q, want \"No leads match\"", got)
	}
}

func TestHTMXTableRequestGetsOnlyTheLeadsRegion(t *testing.T) {
	app := newTestApp(t)
	app.seed(60)
	c := app.signedIn("admin@acme.test")
	res := c.getPage("/leads?status=new", "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	lower := strings.ToLower(res.body)
	if strings.Contains(lower, "<html") || strings.Contains(lower, "<!doctype") || strings.Contains(lower, "<head") {
		t.Fatalf("an htmx request got a whole page:\n%s", excerpt(res.body))
	}
	if res.doc.Find(`nav[aria-label="Main"], header.topbar, form#filters`).Length() != 0 {
		t.Error("the partial carries the navigation or the filter form")
	}
	if !strings.HasPrefix(strings.TrimSpace(res.body), `<section id="leads"`) {
		t.Errorf("the partial is not the #leads section: %s", excerpt(res.body))
	}
	if res.doc.Find("section#leads tr[data-lead-id]").Length() == 0 {
		t.Error("the partial has no rows")
	}
	if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "HX-Request") {
		t.Errorf("Vary = %q, want it to name HX-Request", res.Header.Values("Vary"))
	}

	// A boosted navigation or a history restore needs the whole page.
	for _, h := range []string{"HX-Boosted", "HX-History-Restore-Request"} {
		res := c.getPage("/leads", "HX-Request", "true", h, "true")
		if !strings.Contains(strings.ToLower(res.body), "<html") {
			t.Errorf("a request with %s got a partial", h)
		}
	}
	// A plain request gets the page, with Vary too.
	full := c.getPage("/leads")
	if full.doc.Find("html head title").Length() != 1 || full.doc.Find("form#filters").Length() != 1 {
		t.Error("a plain request did not get the whole page")
	}
	if !strings.Contains(strings.Join(full.Header.Values("Vary"), ","), "HX-Request") {
		t.Errorf("Vary on the full page = %q, want it to name HX-Request", full.Header.Values("Vary"))
	}
}

func TestBadTableInputIsA400WithAMessage(t *testing.T) {
	app := newTestApp(t)
	app.seed(10)
	c := app.signedIn("admin@acme.test")
	for _, tc := range []struct{ name, query, mention string }{
		{"unknown status", "status=bogus", "status"},
		{"unknown pool", "pool=pool_0000000000000000", "pool"},
		{"garbage cursor", "cursor=garbage", "page link"},
		{"cursor of another order", "", "page link"},
		{"unknown sort", "sort=bogus", "sort"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.query
			if q == "" {
				// A cursor from the name order used in the default order.
				p := c.getPage("/leads?sort=name")
				next, _ := url.Parse(href(p.doc, `a[rel="next"]`))
				if next == nil || next.Query().Get("cursor") == "" {
					t.Skip("fewer than two pages of leads")
				}
				q = "cursor=" + url.QueryEscape(next.Query().Get("cursor"))
			}
			res := c.getPage("/leads?" + q)
			wantStatus(t, res, http.StatusBadRequest)
			alert := res.text(`#leads [role="alert"]`)
			if !strings.Contains(alert, tc.mention) {
				t.Errorf("alert = %q, want it to mention %q", alert, tc.mention)
			}
			if res.doc.Find("form#filters").Length() != 1 {
				t.Error("the page around the message is missing (no filter form)")
			}
			if len(leadIDs(res.doc)) != 0 {
				t.Error("rows shown with a bad filter")
			}
		})
	}
}

func TestMissingLeadIsA404Page(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin@acme.test")
	for _, path := range []string{"/leads/lead_0000000000000000", "/leads/not-an-id", "/leads/lead_0000000000000000/edit",
		"/leads/LEAD_0000000000000000"} {
		t.Run(path, func(t *testing.T) {
			res := c.getPage(path)
			wantStatus(t, res, http.StatusNotFound)
			if got := res.text("main h1"); got != "Lead not found" {
				t.Errorf("h1 = %q, want \"Lead not found\"", got)
			}
			if res.doc.Find(`main a[href="/leads"]`).Length() == 0 {
				t.Error("the 404 page has no way back to the leads")
			}
		})
	}
	res := c.postForm("/leads/lead_0000000000000000/notes", url.Values{"body": {"hello"}})
	wantStatus(t, res, http.StatusNotFound)
	res = c.postForm("/leads/lead_0000000000000000", leadForm())
	wantStatus(t, res, http.StatusNotFound)
}

func TestUnknownRouteIsA404Page(t *testing.T) {
	app := newTestApp(t)
	for _, tc := range []struct {
		name string
		c    *client
		link string
	}{
		{"signed out", app.newClient(), "/login"},
		{"signed in", app.signedIn("admin@acme.test"), "/leads"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.c.getPage("/nope")
			wantStatus(t, res, http.StatusNotFound)
			if got := res.text("main h1"); got != "Page not found" {
				t.Errorf("h1 = %q, want \"Page not found\"", got)
			}
			if res.doc.Find(`main a[href="`+tc.link+`"]`).Length() != 1 {
				t.Errorf("the 404 page does not link to %s", tc.link)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Errorf("Content-Type = %q", res.Header.Get("Content-Type"))
			}
		})
	}
}

func TestUnknownAPIRouteIsAJSON404(t *testing.T) {
	app := newTestApp(t)
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		res := app.newClient().do(method, "/api/anything", nil)
		wantStatus(t, res, http.StatusNotFound)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s: Content-Type = %q, want JSON", method, ct)
		}
		var env struct {
			Success *bool          `json:"success"`
			Code    string         `json:"code"`
			Error   string         `json:"error"`
			Details map[string]any `json:"details"`
		}
		if err := json.Unmarshal([]byte(res.body), &env); err != nil {
			t.Fatalf("%s: body is not JSON: %v\n%s", method, err, res.body)
		}
		if env.Success == nil || *env.Success || env.Code != "NOT_FOUND" || env.Error == "" || env.Details == nil {
			t.Errorf("%s: envelope %s, want success=false, code NOT_FOUND, an error text and details", method, res.body)
		}
	}
}

func TestAnotherWorkspacesLeadIsNotFoundLikeAMissingOne(t *testing.T) {
	app := newTestApp(t)
	other := app.workspace("Globex")
	theirs := app.lead(other, store.LeadInput{Name: ptr("Hank Scorpio"), Email: ptr("hank@globex.example")})
	otherPool, err := app.st.Pools(context.Background(), other.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := app.signedIn("admin@acme.test")

	for _, suffix := range []string{"", "/edit"} {
		missing := c.getPage("/leads/lead_0000000000000000" + suffix)
		res := c.getPage("/leads/" + theirs.ID + suffix)
		wantStatus(t, res, http.StatusNotFound)
		// The same answer, to the byte, in what the page says (the layout around it
		// may carry the time of the request).
		gotMain, _ := res.doc.Find("main").Html()
		wantMain, _ := missing.doc.Find("main").Html()
		if gotMain != wantMain || res.text("title") != missing.text("title") {
			t.Errorf("GET /leads/{other}%s differs from a missing lead's page:\n%s\nwant\n%s", suffix, gotMain, wantMain)
		}
		if strings.Contains(res.body, "Hank") || strings.Contains(res.body, "Globex") {
			t.Errorf("GET /leads/{other}%s reveals the lead", suffix)
		}
	}
	wantStatus(t, c.postForm("/leads/"+theirs.ID+"/notes", url.Values{"body": {"hello"}}), http.StatusNotFound)
	wantStatus(t, c.postForm("/leads/"+theirs.ID, leadForm("name", "Renamed")), http.StatusNotFound)

	// Nor does a search, or a filter by their pool, find it.
	res := c.getPage("/leads?q=hank")
	if len(leadIDs(res.doc)) != 0 {
		t.Error("a search finds another workspace's lead")
	}
	wantStatus(t, c.getPage("/leads?pool="+otherPool[0].ID), http.StatusBadRequest)
	// Nor may a new lead go to their pool.
	before := app.leadCount()
	res = c.postForm("/leads", leadForm("pool", otherPool[0].ID))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if app.leadCount() != before {
		t.Error("a lead was created in another workspace's pool")
	}

	d, err := app.st.LeadDetail(context.Background(), other.ID, theirs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Lead.Name != "Hank Scorpio" || len(d.Notes) != 0 || len(d.Activity) != 1 {
		t.Fatalf("another workspace's lead changed: name %q, %d notes, %d activity", d.Lead.Name, len(d.Notes), len(d.Activity))
	}
}

func TestOversizedBodyIsA413NotA500(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin@acme.test")
	before := app.leadCount()
	big := strings.Repeat("x", 3<<20)
	res := c.postForm("/leads", leadForm("name", big))
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if got := res.text("main h1"); got == "" {
		t.Error("the 413 is not a page a person can read")
	}
	if app.leadCount() != before {
		t.Error("an oversized form wrote a lead")
	}
	res = c.postForm("/leads/lead_0000000000000000/notes", url.Values{"body": {big}})
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
}

func TestOversizedChunkedBodyIsA413NotA500(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin@acme.test")
	before := app.leadCount()
	form := leadForm("name", strings.Repeat("x", 3<<20))
	form.Set("_csrf", c.token())
	// Without a Content-Length the limit is only found while reading the body.
	res := c.do(http.MethodPost, "/leads", struct{ *strings.Reader }{strings.NewReader(form.Encode())},
		"Content-Type", "application/x-www-form-urlencoded")
	if res.StatusCode >= 500 {
		t.Fatalf("a chunked oversized body answered %d", res.StatusCode)
	}
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a chunked 3 MB form answered %d, want 413", res.StatusCode)
	}
	if app.leadCount() != before {
		t.Error("an oversized form wrote a lead")
	}
}

func TestLeadPageShowsFieldsNotesTagsAndActivity(t *testing.T) {
	app := newTestApp(t)
	pool := app.pool("Inbound")
	l := app.lead(app.ws, store.LeadInput{Name: ptr("Ada Lovelace"), Email: ptr("ada@engines.example"),
		Phone: ptr("(415) 555-0123"), Company: ptr("Analytical Engines"), Status: ptr("qualified"),
		PoolID: ptr(pool.ID), Tags: &[]string{"VIP", "math"}})
	if _, err := app.st.AddNote(context.Background(), app.ws.ID, store.UserActor(app.admin), l.ID, "Loves Bernoulli numbers"); err != nil {
		t.Fatal(err)
	}
	c := app.signedIn("admin@acme.test")
	res := c.getPage("/leads/" + l.ID)
	wantStatus(t, res, http.StatusOK)

	if got := res.text("main h1"); got != "Ada Lovelace" {
		t.Errorf("h1 = %q", got)
	}
	if got := res.text(`a[href="mailto:ada@engines.example"]`); got != "ada@engines.example" {
		t.Errorf("e-mail link text = %q", got)
	}
	// The phone is stored and dialled in E.164, and shown as people read it.
	if got := res.text(`a[href="tel:+14155550123"]`); got != "+1 415-555-0123" {
		t.Errorf("phone link text = %q, want +1 415-555-0123 (dialling tel:+14155550123)", got)
	}
	fields := res.text("dl.fields")
	for _, want := range []string{"Analytical Engines", "Inbound", "Dana Admin", l.ID} {
		if !strings.Contains(fields, want) {
			t.Errorf("the details do not show %q: %q", want, fields)
		}
	}
	if got := res.text(".lead-head .pill"); got != "Qualified" {
		t.Errorf("status pill = %q, want Qualified", got)
	}
	var tags []string
	res.doc.Find("ul.tags .tag").Each(func(_ int, s *goquery.Selection) { tags = append(tags, strings.TrimSpace(s.Text())) })
	if !slices.Equal(tags, []string{"math", "vip"}) {
		t.Errorf("tags = %v, want [math vip]", tags)
	}
	if got := res.text("#history .note .note-body"); got != "Loves Bernoulli numbers" {
		t.Errorf("note = %q", got)
	}
	timeline := res.text("#history .timeline")
	for _, want := range []string{"created this lead", "added a note"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the activity does not say %q: %q", want, timeline)
		}
	}
	if res.doc.Find(`a[href="/leads/`+l.ID+`/edit"]`).Length() != 1 {
		t.Error("no Edit link for an admin")
	}
	if got := res.doc.Find(`nav[aria-label="Main"] a[aria-current="page"]`).Text(); got != "Leads" {
		t.Errorf("the current navigation item is %q, want Leads", got)
	}
}

func TestAddingANoteShowsItOnTheLead(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Ada Lovelace")
	c := app.signedIn("admin@acme.test")
	page := c.getPage("/leads/" + l.ID)
	form := page.doc.Find(`form[action="/leads/` + l.ID + `/notes"]`)
	if form.Length() != 1 || form.Find(`textarea[name="body"]`).Length() != 1 || form.Find(`input[name="_csrf"]`).Length() != 1 {
		t.Fatal("the lead page has no note form with body and _csrf")
	}

	res := c.postForm("/leads/"+l.ID+"/notes", url.Values{"body": {"  Called, will call back Tuesday.  "}})
	wantRedirect(t, res, "/leads/"+l.ID)
	page = c.getPage("/leads/" + l.ID)
	if got := page.text("#history .note-body"); got != "Called, will call back Tuesday." {
		t.Errorf("the note shows %q", got)
	}
	if !strings.Contains(page.text("#history .note-meta"), "Dana Admin") {
		t.Errorf("the note does not name its author: %q", page.text("#history .note-meta"))
	}
	if !strings.Contains(page.text("#history .timeline"), "Dana Admin added a note") {
		t.Errorf("the activity does not record the note: %q", page.text("#history .timeline"))
	}
}

func TestEmptyNoteIsRefusedNextToTheField(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Ada Lovelace")
	c := app.signedIn("admin@acme.test")
	for _, body := range []string{"", "   \n  "} {
		res := c.postForm("/leads/"+l.ID+"/notes", url.Values{"body": {body}})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		errText := res.text("#history .field-error")
		if !strings.Contains(errText, "required") {
			t.Errorf("field error = %q, want it to say the note is required", errText)
		}
		ta := res.doc.Find(`textarea[name="body"]`)
		if ta.AttrOr("aria-invalid", "") != "true" || ta.AttrOr("aria-describedby", "") != res.doc.Find("#history .field-error").AttrOr("id", "-") {
			t.Error("the textarea is not marked invalid and tied to its error")
		}
		if res.doc.Find("html head title").Length() != 1 {
			t.Error("a plain form post with an error did not get the whole page")
		}
	}
	if d := app.detail(l.ID); len(d.Notes) != 0 || len(d.Activity) != 1 {
		t.Fatalf("an empty note wrote %d notes and %d activity rows", len(d.Notes), len(d.Activity))
	}
	// A note too long is refused the same way, and what was typed is kept.
	long := strings.Repeat("a", 5001)
	res := c.postForm("/leads/"+l.ID+"/notes", url.Values{"body": {long}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := res.doc.Find(`textarea[name="body"]`).Text(); got != long {
		t.Errorf("the long note typed is not kept (%d characters back)", len(got))
	}
}

func TestHTMXNoteReturnsTheHistorySection(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Ada Lovelace")
	c := app.signedIn("admin@acme.test")
	c.getPage("/leads/" + l.ID)

	res := c.postForm("/leads/"+l.ID+"/notes", url.Values{"body": {"Sent the brochure."}}, "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	if !strings.HasPrefix(strings.TrimSpace(res.body), `<section id="history"`) {
		t.Fatalf("the answer is not the #history section:\n%s", excerpt(res.body))
	}
	if strings.Contains(strings.ToLower(res.body), "<html") {
		t.Error("the htmx answer is a whole page")
	}
	if got := res.text("#history .note-body"); got != "Sent the brochure." {
		t.Errorf("the new note shows %q", got)
	}
	if v := res.doc.Find(`textarea[name="body"]`).Text(); v != "" {
		t.Errorf("the note form is not emptied: %q", v)
	}
	if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "HX-Request") {
		t.Error("no Vary: HX-Request")
	}

	res = c.postForm("/leads/"+l.ID+"/notes", url.Values{"body": {""}}, "HX-Request", "true")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.HasPrefix(strings.TrimSpace(res.body), `<section id="history"`) || res.text(".field-error") == "" {
		t.Fatalf("an empty htmx note does not answer #history with the field's error:\n%s", excerpt(res.body))
	}
	if d := app.detail(l.ID); len(d.Notes) != 1 {
		t.Fatalf("%d notes, want 1", len(d.Notes))
	}
}

func TestCreatingALeadRedirectsToItsPage(t *testing.T) {
	app := newTestApp(t)
	pool := app.pool("Inbound")
	c := app.signedIn("admin@acme.test")

	page := c.getPage("/leads/new")
	wantStatus(t, page, http.StatusOK)
	form := page.doc.Find(`form[action="/leads"][method="post"]`)
	for _, name := range []string{"name", "email", "phone", "company", "status", "pool", "tags", "_csrf"} {
		if form.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("the new-lead form has no %s field", name)
		}
	}
	if v := form.Find(`select[name="pool"] option`).First().AttrOr("value", ""); v == "" {
		t.Error("the pool select does not offer pools by id")
	}

	res := c.postForm("/leads", leadForm("name", "  Grace Hopper ", "phone", "(415) 555-0123", "status", "contacted",
		"pool", pool.ID, "tags", "Navy, cobol, navy"))
	wantRedirect(t, res, "/leads/lead_")
	id := strings.TrimPrefix(res.location(), "/leads/")
	if !store.ValidLeadID(id) {
		t.Fatalf("redirects to %q, not a lead's page", res.location())
	}

	l := app.detail(id).Lead
	if l.Name != "Grace Hopper" || l.Phone != "+14155550123" || l.Status != store.StatusContacted || l.PoolID != pool.ID ||
		!slices.Equal(l.Tags, []string{"cobol", "navy"}) || l.OwnerName != "Dana Admin" {
		t.Errorf("stored lead: %+v", l)
	}
	show := c.getPage(res.location())
	wantStatus(t, show, http.StatusOK)
	tel := show.doc.Find(`a[href^="tel:"]`)
	if h := tel.AttrOr("href", ""); h != "tel:+14155550123" || strings.TrimSpace(tel.Text()) != "+1 415-555-0123" {
		t.Errorf("the phone typed \"(415) 555-0123\" shows as %q dialling %q, want +1 415-555-0123 dialling tel:+14155550123", tel.Text(), h)
	}
	if got := show.text(".lead-head .pill"); got != "Contacted" {
		t.Errorf("status = %q", got)
	}

	// The table lists it.
	table := c.getPage("/leads")
	if ids := leadIDs(table.doc); !slices.Contains(ids, id) {
		t.Error("the new lead is not in the table")
	}
	if got := table.text(`tr[data-lead-id="` + id + `"] td.phone`); got != "+1 415-555-0123" {
		t.Errorf("the table shows the phone as %q", got)
	}
}

func TestLeadCreatedWithoutAPoolGoesToTheDefaultPool(t *testing.T) {
	app := newTestApp(t)
	app.pool("Inbound")
	c := app.signedIn("admin@acme.test")
	res := c.postForm("/leads", leadForm("pool", "", "status", ""))
	wantRedirect(t, res, "/leads/lead_")
	l := app.detail(strings.TrimPrefix(res.location(), "/leads/")).Lead
	if l.PoolName != store.DefaultPoolName || l.Status != store.StatusNew {
		t.Errorf("pool %q, status %q: want Default and new", l.PoolName, l.Status)
	}
}

func TestInvalidLeadFormIsShownAgainAsTypedWithFieldErrors(t *testing.T) {
	app := newTestApp(t)
	app.namedLead("Ada Lovelace")
	c := app.signedIn("admin@acme.test")
	before := app.leadCount()

	typed := leadForm("name", "   ", "email", "grace at navy", "phone", "12", "company", "US Navy", "status", "contacted", "tags", "navy, cobol")
	res := c.postForm("/leads", typed)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.text(`[role="alert"]`) == "" {
		t.Error("no summary alert above the form")
	}
	for _, tc := range []struct{ field, says string }{
		{"name", "Name is required"},
		{"email", "E-mail is not a valid e-mail address"},
		{"phone", "Phone is not a valid phone number"},
	} {
		errEl := res.doc.Find("#err-" + tc.field)
		if !strings.HasPrefix(strings.TrimSpace(errEl.Text()), tc.says) || !errEl.HasClass("field-error") {
			t.Errorf("%s: field error %q, want %q…", tc.field, errEl.Text(), tc.says)
		}
		input := res.doc.Find(`input[name="` + tc.field + `"]`)
		if input.AttrOr("aria-invalid", "") != "true" || input.AttrOr("aria-describedby", "") != "err-"+tc.field {
			t.Errorf("%s: the input is not marked invalid and tied to its error", tc.field)
		}
		// The error sits next to its field, in the same form row.
		if input.Parent().Find(".field-error").Length() != 1 {
			t.Errorf("%s: the error is not beside the field", tc.field)
		}
	}
	if n := res.doc.Find(".field-error").Length(); n != 3 {
		t.Errorf("%d field errors, want 3", n)
	}
	for _, field := range []string{"name", "email", "phone", "company", "tags"} {
		if v, _ := res.doc.Find(`input[name="` + field + `"]`).Attr("value"); v != typed.Get(field) {
			t.Errorf("%s: the input shows %q, want what was typed, %q", field, v, typed.Get(field))
		}
	}
	if v, _ := res.doc.Find(`select[name="status"] option[selected]`).Attr("value"); v != "contacted" {
		t.Errorf("the status select shows %q, want contacted as chosen", v)
	}
	if app.leadCount() != before {
		t.Fatal("an invalid form created a lead")
	}

	res = c.postForm("/leads", leadForm("status", "bogus"))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.text("#err-status"), "must be one of") {
		t.Errorf("status error = %q", res.text("#err-status"))
	}
	if app.leadCount() != before {
		t.Fatal("an invalid status created a lead")
	}
}

func TestEditingALeadChangesItAndRecordsTheChange(t *testing.T) {
	app := newTestApp(t)
	l := app.lead(app.ws, store.LeadInput{Name: ptr("Ada Lovelace"), Email: ptr("ada@engines.example"),
		Company: ptr("Analytical Engines"), Tags: &[]string{"math"}})
	c := app.signedIn("admin@acme.test")

	edit := c.getPage("/leads/" + l.ID + "/edit")
	wantStatus(t, edit, http.StatusOK)
	form := edit.doc.Find(`form[action="/leads/` + l.ID + `"][method="post"]`)
	if form.Length() != 1 {
		t.Fatal("the edit page has no form posting to the lead")
	}
	// Submit the form as the browser would: every field as shown, one changed.
	values := url.Values{}
	form.Find("input[name], select[name]").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		if goquery.NodeName(s) == "select" {
			values.Set(name, s.Find("option[selected]").AttrOr("value", s.Find("option").First().AttrOr("value", "")))
			return
		}
		values.Set(name, s.AttrOr("value", ""))
	})
	if values.Get("name") != "Ada Lovelace" || values.Get("email") != "ada@engines.example" || values.Get("tags") != "math" {
		t.Fatalf("the edit form is not filled in: %v", values)
	}
	values.Set("company", "Difference Engines")
	res := c.postForm("/leads/"+l.ID, values)
	wantRedirect(t, res, "/leads/"+l.ID)

	page := c.getPage("/leads/" + l.ID)
	if !strings.Contains(page.text("dl.fields"), "Difference Engines") {
		t.Errorf("the page does not show the new company: %q", page.text("dl.fields"))
	}
	if !strings.Contains(page.text("#history .timeline"), "Dana Admin changed company") {
		t.Errorf("the activity does not record the change: %q", page.text("#history .timeline"))
	}
	d := app.detail(l.ID)
	if d.Lead.Company != "Difference Engines" || d.Lead.Email != "ada@engines.example" || !slices.Equal(d.Lead.Tags, []string{"math"}) {
		t.Errorf("stored after the edit: %+v", d.Lead)
	}
	if len(d.Activity) != 2 {
		t.Errorf("%d activity rows, want 2 (created, changed)", len(d.Activity))
	}

	// Saving without a change writes no activity.
	values.Set("company", "Difference Engines")
	wantRedirect(t, c.postForm("/leads/"+l.ID, values), "/leads/"+l.ID)
	if n := len(app.detail(l.ID).Activity); n != 2 {
		t.Errorf("an unchanged save added activity: %d rows", n)
	}

	// An invalid edit changes nothing.
	values.Set("email", "not an e-mail")
	values.Set("name", "Countess of Lovelace")
	res = c.postForm("/leads/"+l.ID, values)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.text("#err-email"), "not a valid e-mail") {
		t.Errorf("email error = %q", res.text("#err-email"))
	}
	if v, _ := res.doc.Find(`input[name="name"]`).Attr("value"); v != "Countess of Lovelace" {
		t.Errorf("the name typed is not kept: %q", v)
	}
	if res.doc.Find(`form[action="/leads/`+l.ID+`"]`).Length() != 1 {
		t.Error("the invalid edit is not shown in the edit form")
	}
	if d := app.detail(l.ID); d.Lead.Name != "Ada Lovelace" || len(d.Activity) != 2 {
		t.Errorf("an invalid edit wrote: name %q, %d activity rows", d.Lead.Name, len(d.Activity))
	}
}

func TestHealthzAnswersOK(t *testing.T) {
	app := newTestApp(t)
	res := app.newClient().getPage("/healthz")
	wantStatus(t, res, http.StatusOK)
	var body map[string]string
	if err := json.Unmarshal([]byte(res.body), &body); err != nil || body["status"] != "ok" {
		t.Fatalf("body %q, want {\"status\":\"ok\"}", res.body)
	}
}

func TestStaticAssetsAreHashedAndCachedForever(t *testing.T) {
	app := newTestApp(t)
	c := app.newClient()
	page := c.getPage("/login")
	var assets []string
	page.doc.Find(`link[rel="stylesheet"], link[rel="icon"], script[src]`).Each(func(_ int, s *goquery.Selection) {
		if h := s.AttrOr("href", s.AttrOr("src", "")); h != "" {
			assets = append(assets, h)
		}
	})
	if len(assets) < 3 || href(page.doc, `link[rel="stylesheet"]`) == "" {
		t.Fatalf("the layout references %v, want a stylesheet and scripts", assets)
	}
	for _, a := range assets {
		if !strings.HasPrefix(a, "/static/") {
			t.Errorf("%s is not served from /static/", a)
			continue
		}
		res := c.getPage(a)
		wantStatus(t, res, http.StatusOK)
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control = %q, want immutable", a, cc)
		}
		if len(res.body) == 0 {
			t.Errorf("%s is empty", a)
		}
	}
	css := c.getPage(href(page.doc, `link[rel="stylesheet"]`))
	if ct := css.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("the stylesheet's Content-Type = %q", ct)
	}
	for _, unhashed := range []string{"/static/app.css", "/static/app.js", "/static/static.go", "/static/htmx.LICENSE"} {
		if res := c.getPage(unhashed); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", unhashed, res.StatusCode)
		}
	}
}
