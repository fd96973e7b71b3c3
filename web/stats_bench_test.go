package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"leadkeep/store"
)

// BenchmarkStatsPage is /stats as the console serves it over the million-lead
// benchmark workspace: session, the store's counters, the chart and rendering,
// through the whole handler. The period gets deletions and restores first unless
// most of its days have some: each of 30 days, 16 leads deleted one at a time by 8 actors and restored,
// so that the event counters hold as many rows as a busy month does (every lead
// ends as it was). Target: under 10 ms, whatever the number of leads.
func BenchmarkStatsPage(b *testing.B) {
	if testing.Short() {
		b.Skip("reads a database of a million leads: not in -short")
	}
	c := openBenchConsole(b)
	benchStatsHistory(b, c.st, c.ws, store.UserActor(c.admin))
	c.benchPage(b, "/stats", `class="bar bar-deleted"`)
}

// benchStatsHistory gives the workspace a month of deletions and restores, unless
// an earlier run did.
func benchStatsHistory(b *testing.B, st *store.Store, ws store.Workspace, admin store.Actor) {
	b.Helper()
	ctx := context.Background()
	now := time.Now()
	stats, err := st.Stats(ctx, ws, now)
	if err != nil {
		b.Fatal(err)
	}
	busy := 0
	for _, d := range stats.Days {
		if d.Deleted > 0 {
			busy++
		}
	}
	if busy >= store.StatsDays/2 { // made by an earlier run
		return
	}
	page, err := st.ListLeads(ctx, ws.ID, store.LeadFilter{Limit: 16})
	if err != nil || len(page.Leads) < 16 {
		b.Fatalf("leads to delete: %v", err)
	}
	start := time.Now()
	defer func() { st.Now = time.Now }()
	for day := range store.StatsDays {
		for i, l := range page.Leads {
			at := now.Add(-time.Duration(day)*24*time.Hour - time.Duration(i)*37*time.Minute)
			st.Now = func() time.Time { return at }
			actor := store.Actor{Kind: "user", ID: fmt.Sprintf("usr_bench%011d", i%8), Name: "Bench"}
			if _, err := st.DeleteLeads(ctx, ws, actor, store.DeleteRequest{IDs: []string{l.ID}, Reason: "duplicate"}); err != nil {
				b.Fatal(err)
			}
			if _, err := st.RestoreLeads(ctx, ws.ID, admin, []string{l.ID}, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("deleted and restored %d leads over %d days in %s", 16*store.StatsDays, store.StatsDays, time.Since(start).Round(time.Millisecond))
}
