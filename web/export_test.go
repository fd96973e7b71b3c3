package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"leadkeep/store"
)

// The table offers its filter's export in three forms; "CSV for Excel" is the same
// file after a UTF-8 byte-order mark; a viewer gets no export menu.
func TestTheTableOffersItsFilterAsCSVExcelCSVAndJSON(t *testing.T) {
	app := newTestApp(t)
	app.seed(30)
	app.lead(app.ws, store.LeadInput{Name: ptr("Émile Zola"), Status: ptr("won")})
	c := app.signedIn("admin@acme.test")

	page := c.getPage("/leads?status=won&q=%C3%A9mile")
	wantStatus(t, page, http.StatusOK)
	var hrefs []string
	page.doc.Find(".export-menu a[href]").Each(func(_ int, a *goquery.Selection) { hrefs = append(hrefs, a.AttrOr("href", "")) })
	if len(hrefs) != 3 {
		t.Fatalf("export menu links %v, want CSV, CSV for Excel and JSON", hrefs)
	}
	for i, want := range []url.Values{
		{"format": {"csv"}, "status": {"won"}, "q": {"émile"}},
		{"format": {"csv"}, "status": {"won"}, "q": {"émile"}, "bom": {"1"}},
		{"format": {"json"}, "status": {"won"}, "q": {"émile"}},
	} {
		u, err := url.Parse(hrefs[i])
		if err != nil || u.Path != "/leads/export" || u.Query().Encode() != want.Encode() {
			t.Errorf("export link %d is %q, want /leads/export?%s", i, hrefs[i], want.Encode())
		}
	}

	plain := c.getPage(hrefs[0])
	excel := c.getPage(hrefs[1])
	wantStatus(t, plain, http.StatusOK)
	wantStatus(t, excel, http.StatusOK)
	if strings.HasPrefix(plain.body, "\uFEFF") || !strings.HasPrefix(excel.body, "\uFEFF") {
		t.Errorf("only the Excel file starts with a byte-order mark: plain %q…, excel %q…", plain.body[:3], excel.body[:3])
	}
	if strings.TrimPrefix(excel.body, "\uFEFF") != plain.body {
		t.Errorf("the Excel file differs from the plain one beyond its byte-order mark")
	}
	_, rows := csvRows(t, plain.body)
	if len(rows) != 1 || rows[0][1] != "Émile Zola" {
		t.Errorf("the export holds %v, want Émile alone", rows)
	}
	if js := c.getPage(hrefs[2]); strings.HasPrefix(js.body, "\uFEFF") || !strings.HasPrefix(js.body, "[") {
		t.Errorf("the JSON export starts %q, want a plain array", js.body[:1])
	}

	app.user(app.ws, "vera@acme.test", "Vera Viewer", store.RoleViewer)
	viewer := app.signedIn("vera@acme.test")
	if n := viewer.getPage("/leads").doc.Find(".export-menu").Length(); n != 0 {
		t.Errorf("a viewer sees the export menu")
	}
}

// "Export selected" without JavaScript submits the bulk form as a GET: the ticked
// ids, whatever else the form carries, export exactly those leads.
func TestExportSelectedSubmitsTheTickedIDs(t *testing.T) {
	app := newTestApp(t)
	app.seed(20)
	c := app.signedIn("admin@acme.test")
	page := c.getPage("/leads")
	btn := page.doc.Find(`#bulk button[formaction="/leads/export"][formmethod="get"]`)
	if btn.Length() != 1 {
		t.Fatalf("no Export selected button in the bulk form")
	}
	ids := page.doc.Find("tr[data-lead-id]").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-lead-id", "") })[:3]
	form := url.Values{"_csrf": {"x"}, "all_matching": {""}, "expected_count": {"20"}, "pool": {""}, "status": {""}, "q": {""},
		"return": {"/leads"}, "ids": ids}
	res := c.getPage("/leads/export?" + form.Encode())
	wantStatus(t, res, http.StatusOK)
	_, rows := csvRows(t, res.body)
	got := firstColumn(rows)
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		t.Errorf("exported %v, want the ticked %v", got, ids)
	}
}
