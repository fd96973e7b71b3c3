package web

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"leadkeep/store"
)

// The benchmark database: LEADKEEP_BENCH_DB, else a file cached in the temp dir,
// seeded once with LEADKEEP_BENCH_LEADS leads (default a million, ~75 s).
const (
	benchEmail    = "bench-admin@example.com"
	benchPassword = "bench password, not secret"
)

func benchLeads(tb testing.TB) int {
	n := 1_000_000
	if v := os.Getenv("LEADKEEP_BENCH_LEADS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			tb.Fatalf("LEADKEEP_BENCH_LEADS=%q: want a positive number", v)
		}
	}
	return n
}

func benchDBPath(n int) string {
	if p := os.Getenv("LEADKEEP_BENCH_DB"); p != "" {
		return p
	}
	name := fmt.Sprintf("leadkeep-bench-%d.db", n)
	if n == 1_000_000 {
		name = "leadkeep-bench-1m.db"
	}
	return filepath.Join(os.TempDir(), name)
}

// benchOpenDB opens the benchmark database, seeding it first if it does not exist.
// Seeding writes a temporary file and then links it into place, so an interrupted
// seed leaves no half database behind.
func benchOpenDB(b *testing.B) *store.Store {
	b.Helper()
	ctx := context.Background()
	n := benchLeads(b)
	path := benchDBPath(n)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		tmp := fmt.Sprintf("%s.seeding-%d", path, os.Getpid())
		removeTmp := func() {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal", ".key"} {
				os.Remove(tmp + suffix)
			}
		}
		removeTmp()
		start := time.Now()
		if err := benchSeed(ctx, tmp, n); err != nil {
			removeTmp()
			b.Fatalf("seed %s: %v", tmp, err)
		}
		// Link, not rename: if another benchmark (go test runs packages in parallel)
		// seeded the file meanwhile, keep the one that may already be open.
		if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
			removeTmp()
			b.Fatal(err)
		}
		removeTmp()
		b.Logf("seeded %d leads into %s in %s", n, path, time.Since(start).Round(time.Second))
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

func benchSeed(ctx context.Context, path string, n int) error {
	st, err := store.Open(ctx, path)
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
	return st.Close() // checkpoints the WAL into the file before it is linked into place
}

var benchMetaCSRF = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// benchSignIn signs in as the bench admin through the handler and returns the
// cookies a browser would send afterwards.
func benchSignIn(b *testing.B, srv *Server) []*http.Cookie {
	b.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("GET /login: %d", rec.Code)
	}
	m := benchMetaCSRF.FindStringSubmatch(rec.Body.String())
	if m == nil {
		b.Fatal("GET /login: no csrf-token meta")
	}
	jar := map[string]*http.Cookie{}
	for _, c := range rec.Result().Cookies() {
		jar[c.Name] = c
	}
	form := url.Values{"email": {benchEmail}, "password": {benchPassword}, "_csrf": {m[1]}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range jar {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("POST /login: %d (is %s seeded with the bench admin?)", rec.Code, benchDBPath(benchLeads(b)))
	}
	for _, c := range rec.Result().Cookies() {
		jar[c.Name] = c
	}
	if jar[cookieName] == nil {
		b.Fatal("POST /login: no session cookie")
	}
	cookies := make([]*http.Cookie, 0, len(jar))
	for _, c := range jar {
		cookies = append(cookies, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return cookies
}

// benchConsole is the benchmark database behind a console, with its admin signed in.
type benchConsole struct {
	st      *store.Store
	srv     *Server
	cookies []*http.Cookie
	admin   store.User
	ws      store.Workspace
}

func openBenchConsole(b *testing.B) benchConsole {
	b.Helper()
	st := benchOpenDB(b)
	ctx := context.Background()
	secret, err := store.LoadSecret(st.Path())
	if err != nil {
		b.Fatal(err)
	}
	srv := New(st, Config{Secret: secret})
	u, err := st.Authenticate(ctx, benchEmail, benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	ws, err := st.Workspace(ctx, u.WorkspaceID)
	if err != nil {
		b.Fatal(err)
	}
	return benchConsole{st: st, srv: srv, cookies: benchSignIn(b, srv), admin: u, ws: ws}
}

// get serves a GET of target as the admin's browser would send it.
func (c benchConsole) get(target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	return rec
}

// benchPage times GET target through the whole handler, once checked to answer 200
// with want in the page, and reports the median and 95th percentile.
func (c benchConsole) benchPage(b *testing.B, target, want string) {
	b.Helper()
	if rec := c.get(target); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
		b.Fatalf("GET %s: %d, without %q", target, rec.Code, want)
	}
	times := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		rec := c.get(target)
		times = append(times, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", target, rec.Code)
		}
	}
	benchReportLatency(b, times)
}

// benchCursor makes a page link into the middle of a list: a cursor in store/list.go's
// format positioned at (created, name), from which the store's own Next cursor is taken.
func benchCursor(b *testing.B, st *store.Store, wsID string, f store.LeadFilter, raw string) string {
	b.Helper()
	f.Cursor = base64.RawURLEncoding.EncodeToString([]byte(raw))
	page, err := st.ListLeads(context.Background(), wsID, f)
	if err != nil || page.Next == "" {
		b.Fatalf("deep cursor %s: %v (next %q)", raw, err, page.Next)
	}
	return page.Next
}

// BenchmarkLeadsPage is the lead table as the console serves it: session, CSRF,
// store queries and rendering, through the whole handler. Targets (median, over a
// million leads): first and filtered pages under 10 ms, search under 25 ms.
func BenchmarkLeadsPage(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds and reads a database of a million leads: not in -short")
	}
	c := openBenchConsole(b)
	st, ctx, wsID := c.st, context.Background(), c.ws.ID
	total, _, err := st.Counts(ctx, wsID)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d active leads", st.Path(), total)
	pools, err := st.Pools(ctx, wsID)
	if err != nil {
		b.Fatal(err)
	}
	pool := pools[len(pools)-1].ID
	newest, err := st.ListLeads(ctx, wsID, store.LeadFilter{Limit: 1})
	if err != nil || len(newest.Leads) == 0 {
		b.Fatalf("first lead: %v", err)
	}
	middle := newest.Leads[0].CreatedAt.Add(-45 * 24 * time.Hour).UnixMilli()
	deepCreated := benchCursor(b, st, wsID, store.LeadFilter{}, fmt.Sprintf(`{"k":"created","c":%d,"s":%d}`, middle, 1<<53))
	deepName := benchCursor(b, st, wsID, store.LeadFilter{Sort: store.SortName}, `{"k":"name","n":"M","s":1}`)

	cases := []struct{ name, target string }{
		{"first_page", "/leads"},
		{"status_filter", "/leads?status=won"},
		{"pool_filter", "/leads?pool=" + url.QueryEscape(pool)},
		{"pool_status_filter", "/leads?status=won&pool=" + url.QueryEscape(pool)},
		{"sort_name", "/leads?sort=name"},
		{"deep_cursor_page", "/leads?cursor=" + url.QueryEscape(deepCreated)},
		{"deep_name_cursor_page", "/leads?sort=name&cursor=" + url.QueryEscape(deepName)},
		{"search_common_word", "/leads?q=john"},
		{"search_two_prefixes", "/leads?q=" + url.QueryEscape("jo sm")},
		{"search_phone", "/leads?q=" + url.QueryEscape("415 555")},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) { c.benchPage(b, tc.target, "/leads/lead_") })
	}
}

// benchReportLatency adds the median and 95th percentile of the iterations.
func benchReportLatency(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(times[len(times)/2]), "p50-ms")
	b.ReportMetric(ms(times[(len(times)*95)/100]), "p95-ms")
}
