package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"leadkeep/store"
)

// Tests of /stats as people see it, and of the Trash's deletions of one actor that
// its top deleters link to. Helpers of this file are prefixed "stats".

// statsClock fixes the app's clock at when ("2006-01-02 15:04", UTC).
func statsClock(t *testing.T, app *testApp, when string) {
	t.Helper()
	at, err := time.Parse("2006-01-02 15:04", when)
	if err != nil {
		t.Fatal(err)
	}
	app.st.Now = func() time.Time { return at }
}

// statsNumber is the number an element shows, "1,234" read as 1234.
func statsNumber(t *testing.T, s *goquery.Selection) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s.Text()), ",", ""))
	if err != nil {
		t.Fatalf("%q is not a number", s.Text())
	}
	return n
}

func statsAttr(t *testing.T, s *goquery.Selection, name string) float64 {
	t.Helper()
	v, ok := s.Attr(name)
	if !ok {
		t.Fatalf("no %s attribute", name)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return f
}

// statsDataset fills the app's workspace with leads, deletions, restores and a purge
// on known days of November 2026, and leaves the clock at Nov 20, 15:00 UTC.
func statsDataset(t *testing.T, app *testApp) (key store.APIKey) {
	t.Helper()
	ctx := context.Background()
	dana := store.UserActor(app.admin)
	inbound := app.pool("Inbound")
	key, _, err := app.st.CreateAPIKey(ctx, app.ws.ID, dana, "Zapier sync", "manager")
	if err != nil {
		t.Fatal(err)
	}
	statsClock(t, app, "2026-11-01 09:00")
	mk := func(name, email, phone, status string, pool *store.Pool) string {
		in := store.LeadInput{Name: &name, Email: &email, Phone: &phone, Status: &status}
		if pool != nil {
			in.PoolID = &pool.ID
		}
		return app.lead(app.ws, in).ID
	}
	a := mk("Ada Active", "ada@acme.example", "+1 415 555 0101", "new", nil)
	b := mk("Ben Trashed", "ben@acme.example", "", "lost", nil)
	c := mk("Cyd Purged", "", "", "lost", nil)
	var keyDeletes []string
	for i := range 6 {
		keyDeletes = append(keyDeletes, mk(fmt.Sprintf("Old Lead %d", i), fmt.Sprintf("old%d@acme.example", i), "", "lost", nil))
	}
	j := mk("Jo Nobody", "", "", "won", nil)
	mk("Kim Phone", "", "+44 20 7946 0101", "won", nil)
	mk("Lee Mail", "lee@acme.example", "", "lost", &inbound)

	statsClock(t, app, "2026-11-10 10:00")
	app.trashLeads(app.admin, "duplicate", a, b, c)
	statsClock(t, app, "2026-11-12 10:00")
	if _, err := app.st.RestoreLeads(ctx, app.ws.ID, dana, []string{a}, ""); err != nil {
		t.Fatal(err)
	}
	statsClock(t, app, "2026-11-18 10:00")
	if _, err := app.st.DeleteLeads(ctx, app.ws, key.Actor(), store.DeleteRequest{IDs: keyDeletes, Reason: "outdated"}); err != nil {
		t.Fatal(err)
	}
	statsClock(t, app, "2026-11-19 10:00")
	if _, err := app.st.PurgeLeads(ctx, app.ws.ID, dana, []string{c}); err != nil {
		t.Fatal(err)
	}
	statsClock(t, app, "2026-11-20 09:00")
	bj := app.trashLeads(app.admin, "", j)
	app.st.Now = func() time.Time { return time.Date(2026, 11, 20, 9, 0, 2, 0, time.UTC) }
	if _, err := app.st.UndoBatch(ctx, app.ws.ID, dana, bj.ID); err != nil {
		t.Fatal(err)
	}
	statsClock(t, app, "2026-11-20 15:00")
	return key
}

func TestStatsPageShowsTheCountsOfAKnownDataset(t *testing.T) {
	app := newTestApp(t)
	key := statsDataset(t, app)
	res := app.signedIn("admin@acme.test").getPage("/stats")
	wantStatus(t, res, http.StatusOK)
	doc := res.doc

	if got := doc.Find(`nav a[href="/stats"][aria-current="page"]`).Length(); got != 1 {
		t.Errorf("the navigation marks Stats as the current page %d times, want 1", got)
	}
	for stat, want := range map[string]int{"active": 4, "trashed": 7, "purged": 1, "erased": 0, "no-contact": 1, "no-valid-phone": 2} {
		if got := statsNumber(t, doc.Find(`[data-stat="`+stat+`"] .stat-value`)); got != want {
			t.Errorf("%s shows %d, want %d", stat, got, want)
		}
	}
	for status, want := range map[string]string{"new": "1|0", "contacted": "0|0", "qualified": "0|0", "won": "2|0", "lost": "1|7"} {
		row := doc.Find(`#by-status tr[data-status="` + status + `"]`)
		if got := row.Find("td.active").Text() + "|" + row.Find("td.trashed").Text(); got != want {
			t.Errorf("status %s: active|trashed %s, want %s", status, got, want)
		}
	}
	var pools []string
	doc.Find("#by-pool tbody tr").Each(func(_ int, s *goquery.Selection) {
		pools = append(pools, strings.TrimSpace(s.Find("th").Text())+" "+s.Find("td.active").Text()+"|"+s.Find("td.trashed").Text())
	})
	if got, want := strings.Join(pools, ", "), "Default 3|7, Inbound 1|0"; got != want {
		t.Errorf("by pool: %s, want %s", got, want)
	}

	var deleters []string
	doc.Find("#top-deleters tbody tr").Each(func(_ int, s *goquery.Selection) {
		link, _ := s.Find("th a").Attr("href")
		deleters = append(deleters, fmt.Sprintf("%s: %s in %s → %s", s.Find("th a").Text(), s.Find("td.leads").Text(), s.Find("td.deletions").Text(), link))
	})
	want := []string{
		"key 'Zapier sync': 6 in 1 → /trash?by=" + key.ID + "&view=batches",
		"Dana Admin: 4 in 2 → /trash?by=" + app.admin.ID + "&view=batches",
	}
	if strings.Join(deleters, "; ") != strings.Join(want, "; ") {
		t.Errorf("top deleters:\n%s\nwant\n%s", strings.Join(deleters, "\n"), strings.Join(want, "\n"))
	}
}

func TestStatsChartDrawsABarPerDayInProportion(t *testing.T) {
	app := newTestApp(t)
	statsDataset(t, app)
	doc := app.signedIn("admin@acme.test").getPage("/stats").doc

	svg := doc.Find("svg.chart-svg")
	if role, _ := svg.Attr("role"); role != "img" {
		t.Errorf("the chart's role is %q, want img", role)
	}
	title := strings.TrimSpace(svg.Find("title#chart-svg-title").Text())
	desc := strings.TrimSpace(svg.Find("desc#chart-desc").Text())
	if title == "" || !strings.Contains(desc, "10 leads deleted and 2 restored") || !strings.Contains(desc, "Most deletions: 6 on Nov 18") {
		t.Errorf("the chart's accessible text: title %q, description %q", title, desc)
	}
	days := svg.Find("g.day")
	if days.Length() != store.StatsDays || svg.Find("rect.bar").Length() != 2*store.StatsDays {
		t.Fatalf("%d days and %d bars, want %d days of 2 bars", days.Length(), svg.Find("rect.bar").Length(), store.StatsDays)
	}
	if first, _ := days.First().Attr("data-day"); first != "2026-10-22" {
		t.Errorf("the first day is %s, want 2026-10-22 (30 days ending today)", first)
	}
	if last, _ := days.Last().Attr("data-day"); last != "2026-11-20" {
		t.Errorf("the last day is %s, want today, 2026-11-20", last)
	}
	if got := strings.TrimSpace(days.Last().Find("text").Text()); got != "Nov 20" {
		t.Errorf("today's label is %q, want Nov 20", got)
	}

	wantBars := map[string][2]int{"2026-11-10": {3, 0}, "2026-11-12": {0, 1}, "2026-11-18": {6, 0}, "2026-11-20": {1, 1}}
	axisMax := statsAttr(t, svg, "data-max")
	baseline := statsAttr(t, svg.Find("line.baseline"), "y1")
	plotHeight := baseline - statsAttr(t, svg.Find("line.grid").Last(), "y1") // from 0 to the axis' top value
	// The height of one lead, the same for every bar.
	var perUnit float64
	days.Each(func(_ int, g *goquery.Selection) {
		day, _ := g.Attr("data-day")
		want := wantBars[day]
		for i, class := range []string{"rect.bar-deleted", "rect.bar-restored"} {
			bar := g.Find(class)
			value, height := int(statsAttr(t, bar, "data-value")), statsAttr(t, bar, "height")
			if value != want[i] {
				t.Errorf("%s %s: value %d, want %d", day, class, value, want[i])
			}
			if value == 0 {
				if height != 0 {
					t.Errorf("%s %s: a zero drawn %.1f high", day, class, height)
				}
				continue
			}
			if perUnit == 0 {
				perUnit = height / float64(value)
			}
			if math.Abs(height-perUnit*float64(value)) > 0.15 {
				t.Errorf("%s %s: %d drawn %.1f high, want %.1f (in proportion)", day, class, value, height, perUnit*float64(value))
			}
			// Every bar stands on the same baseline.
			if base := statsAttr(t, bar, "y") + height; math.Abs(base-baseline) > 0.15 {
				t.Errorf("%s %s: the bar ends at %.1f, not on the baseline %.1f", day, class, base, baseline)
			}
		}
	})
	if axisMax != 6 || math.Abs(perUnit*axisMax-plotHeight) > 0.5 {
		t.Errorf("the axis goes to %.0f and one lead is %.2f high; want 6 and the largest bar the plot's full height %.1f", axisMax, perUnit, plotHeight)
	}

	// The numbers, as a table, for those who do not see the chart.
	rows := doc.Find("#chart-table tbody tr")
	if rows.Length() != store.StatsDays {
		t.Errorf("the table has %d days, want %d", rows.Length(), store.StatsDays)
	}
	rows.Each(func(_ int, tr *goquery.Selection) {
		day, _ := tr.Attr("data-day")
		got := [2]int{statsNumber(t, tr.Find("td.deleted")), statsNumber(t, tr.Find("td.restored"))}
		if got != wantBars[day] {
			t.Errorf("the table's %s: %v, want %v", day, got, wantBars[day])
		}
	})
}

func TestStatsAreForEveryMemberAndLinkDeletersToWhatTheyMaySee(t *testing.T) {
	ctx := context.Background()
	app := newTestApp(t)
	agent := app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	manager := app.user(app.ws, "sam@acme.test", "Sam Manager", store.RoleManager)
	app.user(app.ws, "vic@acme.test", "Vic Viewer", store.RoleViewer)
	app.trashLeads(agent, "duplicate", app.namedLead("Agent's Lead").ID)
	app.trashLeads(manager, "duplicate", app.namedLead("Manager's Lead").ID)
	app.trashLeads(manager, "duplicate", app.namedLead("Manager's Other Lead").ID)
	other := app.workspace("Globex")
	otherAdmin := app.user(other, "olga@globex.test", "Olga Other", store.RoleAdmin)
	l, err := app.st.CreateLead(ctx, other, store.UserActor(otherAdmin), store.LeadInput{Name: ptr("Globex Lead")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.st.DeleteLeads(ctx, other, store.UserActor(otherAdmin), store.DeleteRequest{IDs: []string{l.ID}}); err != nil {
		t.Fatal(err)
	}

	links := func(c *client) map[string]string {
		res := c.getPage("/stats")
		wantStatus(t, res, http.StatusOK)
		if res.doc.Find(`nav a[href="/stats"]`).Length() != 1 {
			t.Error("the navigation has no link to /stats")
		}
		if strings.Contains(res.body, "Olga") {
			t.Error("the stats show a deleter of another workspace")
		}
		out := map[string]string{}
		res.doc.Find("#top-deleters tbody tr").Each(func(_ int, s *goquery.Selection) {
			href, _ := s.Find("th a").Attr("href")
			out[strings.TrimSpace(s.Find("th a, th > span:first-child").First().Text())] = href
		})
		return out
	}
	batchesOf := func(u store.User) string { return "/trash?by=" + u.ID + "&view=batches" }
	for _, tc := range []struct {
		email string
		want  map[string]string
	}{
		{"vic@acme.test", map[string]string{"Sam Manager": "", "Ann Agent": ""}},
		{"ann@acme.test", map[string]string{"Sam Manager": "", "Ann Agent": batchesOf(agent)}},
		{"sam@acme.test", map[string]string{"Sam Manager": batchesOf(manager), "Ann Agent": batchesOf(agent)}},
	} {
		c := app.signedIn(tc.email)
		got := links(c)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("as %s, top deleters and their links = %v, want %v", tc.email, got, tc.want)
		}
		// Every link leads to that actor's deletions, and only theirs.
		for name, href := range got {
			if href == "" {
				continue
			}
			res := c.getPage(href)
			wantStatus(t, res, http.StatusOK)
			batches := res.doc.Find("li.batch")
			wantN := map[string]int{"Sam Manager": 2, "Ann Agent": 1}[name]
			if batches.Length() != wantN || !strings.Contains(batches.Text(), "by "+name) || strings.Count(batches.Text(), "by "+name) != wantN {
				t.Errorf("as %s, %s lists %d deletions: %q; want %d, all by %s", tc.email, href, batches.Length(), batches.Text(), wantN, name)
			}
			if note := res.text(".filter-note"); !strings.Contains(note, name) {
				t.Errorf("as %s, %s does not say whose deletions it shows: %q", tc.email, href, note)
			}
		}
	}

	// An agent may not look at someone else's deletions through the filter; a viewer
	// has no Trash at all.
	wantStatus(t, app.signedIn("ann@acme.test").getPage(batchesOf(manager)), http.StatusForbidden)
	wantStatus(t, app.signedIn("vic@acme.test").getPage(batchesOf(agent)), http.StatusForbidden)
	// Another workspace's actor shows nothing, as an unknown one.
	res := app.signedIn("sam@acme.test").getPage(batchesOf(otherAdmin))
	wantStatus(t, res, http.StatusOK)
	if res.doc.Find("li.batch").Length() != 0 || strings.Contains(res.body, "Olga") {
		t.Errorf("the filter by another workspace's admin shows %d deletions", res.doc.Find("li.batch").Length())
	}

	// Signed out, /stats sends to the sign-in page.
	wantRedirect(t, app.newClient().getPage("/stats"), "/login")
}

func TestTrashDeletionsOfOneActorPageWithTheFilter(t *testing.T) {
	app := newTestApp(t)
	manager := app.user(app.ws, "sam@acme.test", "Sam Manager", store.RoleManager)
	var mine []string
	for i := range 27 {
		mine = append(mine, app.trashLeads(app.admin, "", app.namedLead(fmt.Sprintf("Lead %02d", i)).ID).ID)
	}
	app.trashLeads(manager, "", app.namedLead("Sam's Lead").ID)
	c := app.signedIn("sam@acme.test")
	seen := map[string]bool{}
	next := "/trash?view=batches&by=" + url.QueryEscape(app.admin.ID)
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("too many pages")
		}
		res := c.getPage(next)
		wantStatus(t, res, http.StatusOK)
		res.doc.Find("li.batch").Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("data-batch-id")
			seen[id] = true
		})
		next = href(res.doc, `a[rel="next"]`)
		if next != "" && !strings.Contains(next, "by="+app.admin.ID) {
			t.Fatalf("the next page %s drops the filter", next)
		}
	}
	if len(seen) != len(mine) {
		t.Errorf("the pages list %d deletions, want Dana's %d", len(seen), len(mine))
	}
	for _, id := range mine {
		if !seen[id] {
			t.Errorf("deletion %s is missing", id)
		}
	}
}
