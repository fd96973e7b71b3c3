package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"leadkeep/store"
)

// BenchmarkBulkDeleteWhileBrowsing deletes every "won" lead of the million-lead
// benchmark workspace (about 100,000) in one batch, as "Select all matching" does,
// then undoes it, while another person keeps loading a table page. It reports how
// long the delete and the undo take on the server, and the page's latency meanwhile.
func BenchmarkBulkDeleteWhileBrowsing(b *testing.B) {
	if testing.Short() {
		b.Skip("deletes 100,000 leads of a million-lead database: not in -short")
	}
	c := openBenchConsole(b)
	st, ctx, ws, actor := c.st, context.Background(), c.ws, store.UserActor(c.admin)
	filter := store.LeadFilter{Status: "won"}
	page := func() time.Duration {
		start := time.Now()
		if rec := c.get("/leads?status=new"); rec.Code != http.StatusOK {
			b.Errorf("table page: %d", rec.Code)
		}
		return time.Since(start)
	}

	var deletes, undos, pages []time.Duration
	// whileBrowsing times fn while loading the table page over and over.
	whileBrowsing := func(fn func()) time.Duration {
		done := make(chan struct{})
		start := time.Now()
		var took time.Duration
		go func() {
			defer close(done)
			fn()
			took = time.Since(start)
		}()
		for waiting := true; waiting; {
			select {
			case <-done:
				waiting = false
			default:
				pages = append(pages, page())
			}
		}
		return took
	}
	for b.Loop() {
		n, err := st.CountMatching(ctx, ws.ID, filter)
		if err != nil {
			b.Fatal(err)
		}
		var batch store.Batch
		deletes = append(deletes, whileBrowsing(func() {
			batch, err = st.DeleteLeads(ctx, ws, actor, store.DeleteRequest{All: true, Filter: filter, ExpectedCount: n, Reason: "invalid"})
		}))
		if err != nil {
			b.Fatal(err)
		}
		var res store.RestoreResult
		undos = append(undos, whileBrowsing(func() { res, err = st.UndoBatch(ctx, ws.ID, actor, batch.ID) }))
		if errors.Is(err, store.ErrUndoExpired) { // too slow to undo in time: put the leads back all the same
			res, err = st.RestoreBatch(ctx, ws.ID, actor, batch.ID)
		}
		if err != nil {
			b.Fatal(err)
		}
		if res.Restored != n {
			b.Fatalf("undo restored %d of %d", res.Restored, n)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	median := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	b.ReportMetric(ms(median(deletes)), "delete-ms")
	b.ReportMetric(ms(median(undos)), "undo-ms")
	if len(pages) > 0 {
		b.ReportMetric(ms(median(pages)), "page-p50-ms")
		b.ReportMetric(ms(slices.Max(pages)), "page-max-ms")
		b.ReportMetric(float64(len(pages))/float64(len(deletes)), "pages/round")
	}
}

// BenchmarkPagesWithBigDeletion reads the pages that a deletion of every "won" lead
// (about 100,000 of the million) touches while it sits in the Trash: the Trash, its
// batches view, the table filtered to what was deleted, a deleted lead's page (its
// timeline reads the deletion's bulk activity). The deletion is restored at the end.
func BenchmarkPagesWithBigDeletion(b *testing.B) {
	if testing.Short() {
		b.Skip("deletes 100,000 leads of a million-lead database: not in -short")
	}
	c := openBenchConsole(b)
	st, ctx, ws, actor := c.st, context.Background(), c.ws, store.UserActor(c.admin)
	filter := store.LeadFilter{Status: "won"}
	n, err := st.CountMatching(ctx, ws.ID, filter)
	if err != nil {
		b.Fatal(err)
	}
	batch, err := st.DeleteLeads(ctx, ws, actor, store.DeleteRequest{All: true, Filter: filter, ExpectedCount: n, Reason: "invalid"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if _, err := st.RestoreBatch(ctx, ws.ID, actor, batch.ID); err != nil {
			b.Errorf("restore the deletion: %v", err)
		}
	})
	cases := []struct{ name, target, want string }{
		{"trash_first_page", "/trash", "/leads/lead_"},
		{"trash_batches", "/trash?view=batches", batch.ID},
		{"trash_by_person", "/trash?view=batches&by=" + url.QueryEscape(c.admin.ID), batch.ID},
		{"trash_search", "/trash?q=john", "/leads/lead_"},
		{"table_status_all_deleted", "/leads?status=won", "No leads"},
		{"deleted_lead_page", "/leads/" + batch.FirstLeadID, "Moved to the Trash"},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) { c.benchPage(b, tc.target, tc.want) })
	}
}
