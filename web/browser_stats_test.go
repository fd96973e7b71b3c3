package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadkeep/store"
)

// TestBrowserStatsChartIsLaidOutInProportion opens /stats in Chromium: the chart
// (the server's SVG; no script draws it) has its bars in proportion on screen, and
// the table of numbers opens with a click.
func TestBrowserStatsChartIsLaidOutInProportion(t *testing.T) {
	ctx := browser(t)
	c := startConsole(t, 600)
	bg := context.Background()
	key, _, err := c.store.CreateAPIKey(bg, c.ws.ID, store.UserActor(c.admin), "Zapier sync", "manager")
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.store.ListLeads(bg, c.ws.ID, store.LeadFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(page.Leads))
	for _, l := range page.Leads {
		ids = append(ids, l.ID)
	}
	// Deletions (and a few restores) on some of the last 30 days, by Dana and a key.
	next := 0
	for _, d := range []struct{ daysAgo, n, restore int }{{27, 4, 1}, {22, 9, 0}, {18, 2, 2}, {13, 14, 3}, {9, 6, 0}, {6, 20, 5}, {3, 3, 0}, {1, 11, 2}, {0, 5, 1}} {
		c.offset.Store(int64(-time.Duration(d.daysAgo) * 24 * time.Hour))
		who := store.UserActor(c.admin)
		if d.daysAgo%2 == 0 {
			who = key.Actor()
		}
		batch := ids[next : next+d.n]
		next += d.n
		if _, err := c.store.DeleteLeads(bg, c.ws, who, store.DeleteRequest{IDs: batch, Reason: "outdated"}); err != nil {
			t.Fatal(err)
		}
		if d.restore > 0 {
			if _, err := c.store.RestoreLeads(bg, c.ws.ID, store.UserActor(c.admin), batch[:d.restore], ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.offset.Store(0)
	c.signIn(t, ctx)

	if err := chromedp.Do(ctx, chromedp.Navigate(c.url+"/stats"), chromedp.WaitVisible(chromedp.CSS("svg.chart-svg"))); err != nil {
		t.Fatalf("open /stats: %v", err)
	}
	// The tallest deletion bar (20 leads, six days ago) is drawn the full plot's
	// height, and one of 2 leads a tenth of it, as laid out by the browser.
	ratio, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
		const bars = [...document.querySelectorAll('svg.chart-svg rect.bar-deleted')];
		const h = v => bars.find(b => b.dataset.value === String(v)).getBoundingClientRect().height;
		return h(2) / h(20);
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if ratio < 0.095 || ratio > 0.105 {
		t.Errorf("a bar of 2 is %.3f of a bar of 20 on screen, want 0.1", ratio)
	}
	if got := text(t, ctx, `[data-stat="trashed"] .stat-value`); got != "60" {
		t.Errorf("In the Trash shows %s, want 60 (74 deleted, 14 restored)", got)
	}
	screenshot(t, ctx, "40-stats")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".chart-data summary")), chromedp.WaitVisible(chromedp.CSS("#chart-table"))); err != nil {
		t.Fatalf("open the numbers: %v", err)
	}
	screenshot(t, ctx, "41-stats-numbers")
}
