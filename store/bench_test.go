package store_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"leadkeep/store"
)

// The same database as web's BenchmarkLeadsPage (web/bench_test.go seeds it the same
// way): LEADKEEP_BENCH_DB, else a file cached in the temp dir, seeded once with
// LEADKEEP_BENCH_LEADS leads (default a million).
const (
	benchEmail    = "bench-admin@example.com"
	benchPassword = "bench password, not secret"
)

func benchDB(b *testing.B) *store.Store {
	b.Helper()
	ctx := context.Background()
	n := 1_000_000
	if v := os.Getenv("LEADKEEP_BENCH_LEADS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("LEADKEEP_BENCH_LEADS=%q: want a positive number", v)
		}
	}
	path := os.Getenv("LEADKEEP_BENCH_DB")
	if path == "" {
		name := fmt.Sprintf("leadkeep-bench-%d.db", n)
		if n == 1_000_000 {
			name = "leadkeep-bench-1m.db"
		}
		path = filepath.Join(os.TempDir(), name)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		tmp := fmt.Sprintf("%s.seeding-%d", path, os.Getpid())
		clean := func() {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal", ".key"} {
				os.Remove(tmp + suffix)
			}
		}
		clean()
		err := func() error { // written to tmp, closed (checkpointed), then linked into place
			st, err := store.Open(ctx, tmp)
			if err != nil {
				return err
			}
			defer st.Close()
			ws, err := st.CreateWorkspace(ctx, "Bench")
			if err != nil {
				return err
			}
			if _, err := st.CreateUser(ctx, store.NewUser{WorkspaceID: ws.ID, Email: benchEmail, Name: "Bench Admin",
				Role: "admin", Password: benchPassword}); err != nil {
				return err
			}
			if _, err := st.Seed(ctx, ws.ID, n, store.SeedOptions{Rand: rand.New(rand.NewPCG(7, 7))}); err != nil {
				return err
			}
			if err := st.Close(); err != nil {
				return err
			}
			// Link, not rename: if web's benchmark seeded the file meanwhile (go test
			// runs packages in parallel), keep the one it may already have open.
			if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			return nil
		}()
		clean()
		if err != nil {
			b.Fatalf("seed %s: %v", path, err)
		}
	} else if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkListLeads is the store's share of the lead table: one ListLeads call
// (filter check, page query, count) per iteration.
func BenchmarkListLeads(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds and reads a database of a million leads: not in -short")
	}
	st := benchDB(b)
	ctx := context.Background()
	u, err := st.Authenticate(ctx, benchEmail, benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	wsID := u.WorkspaceID
	pools, err := st.Pools(ctx, wsID)
	if err != nil {
		b.Fatal(err)
	}
	pool := pools[len(pools)-1].ID
	newest, err := st.ListLeads(ctx, wsID, store.LeadFilter{Limit: 1})
	if err != nil || len(newest.Leads) == 0 {
		b.Fatalf("first lead: %v", err)
	}
	// Cursors half-way down a list: one positioned by hand in list.go's format,
	// then the store's own Next cursor from there.
	deep := func(f store.LeadFilter, raw string) string {
		f.Cursor = base64.RawURLEncoding.EncodeToString([]byte(raw))
		page, err := st.ListLeads(ctx, wsID, f)
		if err != nil || page.Next == "" {
			b.Fatalf("deep cursor %s: %v", raw, err)
		}
		return page.Next
	}
	middle := newest.Leads[0].CreatedAt.Add(-45 * 24 * time.Hour).UnixMilli()

	cases := []struct {
		name string
		f    store.LeadFilter
	}{
		{"first_page", store.LeadFilter{}},
		{"status_filter", store.LeadFilter{Status: "won"}},
		{"pool_filter", store.LeadFilter{PoolID: pool}},
		{"pool_status_filter", store.LeadFilter{PoolID: pool, Status: "won"}},
		{"sort_name", store.LeadFilter{Sort: store.SortName}},
		{"deep_cursor_page", store.LeadFilter{Cursor: deep(store.LeadFilter{}, fmt.Sprintf(`{"k":"created","c":%d,"s":%d}`, middle, 1<<53))}},
		{"deep_name_cursor_page", store.LeadFilter{Sort: store.SortName,
			Cursor: deep(store.LeadFilter{Sort: store.SortName}, `{"k":"name","n":"M","s":1}`)}},
		{"search_common_word", store.LeadFilter{Query: "john"}},
		{"search_two_prefixes", store.LeadFilter{Query: "jo sm"}},
		{"search_phone", store.LeadFilter{Query: "415 555"}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			page, err := st.ListLeads(ctx, wsID, tc.f)
			if err != nil || len(page.Leads) == 0 {
				b.Fatalf("%+v: %v (%d leads)", tc.f, err, len(page.Leads))
			}
			times := make([]time.Duration, 0, 64)
			for b.Loop() {
				start := time.Now()
				if _, err := st.ListLeads(ctx, wsID, tc.f); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(times[len(times)/2]), "p50-ms")
			b.ReportMetric(ms(times[len(times)*95/100]), "p95-ms")
			b.ReportMetric(float64(page.Total), "matches")
		})
	}
}
