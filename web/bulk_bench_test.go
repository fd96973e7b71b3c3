package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"leadkeep/store"
)

// BenchmarkBulkDeleteWhileBrowsing deletes every "won" lead of the million-lead
// benchmark workspace (about 100,000) in one batch, as "Select all matching" does,
// while another person keeps loading a table page; then undoes it. It reports how
// long the delete and the undo take on the server, and the page's latency meanwhile.
func BenchmarkBulkDeleteWhileBrowsing(b *testing.B) {
	if testing.Short() {
		b.Skip("deletes 100,000 leads of a million-lead database: not in -short")
	}
	st := benchOpenDB(b)
	ctx := context.Background()
	secret, err := store.LoadSecret(st.Path())
	if err != nil {
		b.Fatal(err)
	}
	srv := New(st, Config{Secret: secret})
	cookies := benchSignIn(b, srv)
	u, err := st.Authenticate(ctx, benchEmail, benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	ws, err := st.Workspace(ctx, u.WorkspaceID)
	if err != nil {
		b.Fatal(err)
	}
	actor := store.UserActor(u)
	filter := store.LeadFilter{Status: "won"}
	page := func() time.Duration {
		req := httptest.NewRequest(http.MethodGet, "/leads?status=new", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		start := time.Now()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Errorf("table page: %d", rec.Code)
		}
		return time.Since(start)
	}

	var deletes, undos, pages []time.Duration
	for b.Loop() {
		n, err := st.CountMatching(ctx, ws.ID, filter)
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{})
		var batch store.Batch
		var delErr error
		start := time.Now()
		go func() {
			defer close(done)
			batch, delErr = st.DeleteLeads(ctx, ws, actor, store.DeleteRequest{All: true, Filter: filter, ExpectedCount: n, Reason: "invalid"})
			deletes = append(deletes, time.Since(start))
		}()
		for waiting := true; waiting; {
			select {
			case <-done:
				waiting = false
			default:
				pages = append(pages, page())
			}
		}
		if delErr != nil {
			b.Fatal(delErr)
		}
		start = time.Now()
		res, err := st.UndoBatch(ctx, ws.ID, actor, batch.ID)
		if errors.Is(err, store.ErrUndoExpired) { // too slow to undo in time: put the leads back all the same
			_, err = st.RestoreBatch(ctx, ws.ID, actor, batch.ID)
		}
		if err != nil {
			b.Fatal(err)
		}
		undos = append(undos, time.Since(start))
		if res.Restored != n && err == nil && res.Restored != 0 {
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
		b.ReportMetric(float64(len(pages))/float64(len(deletes)), "pages/delete")
	}
}
