package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// planRecorder is a querier that records every query it is given before running it,
// so that the test sees the exact SQL that pageQuery.run, boundedCount and
// countActive generate.
type planRecorder struct {
	q       querier
	queries []planQuery
}

type planQuery struct {
	sql  string
	args []any
}

func (r *planRecorder) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	r.queries = append(r.queries, planQuery{query, args})
	return r.q.QueryRowContext(ctx, query, args...)
}

func (r *planRecorder) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r.queries = append(r.queries, planQuery{query, args})
	return r.q.QueryContext(ctx, query, args...)
}

// planListLeads does what ListLeads does after checking the filter, through a
// recorder: the page query (built as ListLeads builds it) and the count. It returns
// the page's lead ids and the recorded queries, page query first.
func planListLeads(t *testing.T, s *Store, wsID string, f LeadFilter, cur *cursor) ([]string, []planQuery) {
	t.Helper()
	ctx := context.Background()
	if f.Sort == "" {
		f.Sort = SortCreated
	}
	if f.Limit == 0 {
		f.Limit = DefaultPageSize
	}
	match := matchQuery(f.Query)
	kind := f.Sort
	if match != "" {
		kind = "search"
	}
	pq := pageQuery{kind: kind, from: "leads l", where: []string{"l.workspace_id = ?", "l.deleted_at IS NULL"},
		args: []any{wsID}, cur: cur, limit: f.Limit}
	if match != "" {
		pq.from = "leads_fts f JOIN leads l ON l.seq = f.rowid"
		pq.where, pq.args = append(pq.where, "leads_fts MATCH ?"), append(pq.args, match)
	}
	if f.PoolID != "" {
		pq.where, pq.args = append(pq.where, "l.pool_id = ?"), append(pq.args, f.PoolID)
	}
	if f.Status != "" {
		pq.where, pq.args = append(pq.where, "l.status = ?"), append(pq.args, f.Status)
	}
	rec := &planRecorder{q: s.read}
	leads, _, _, err := pq.run(ctx, rec)
	if err != nil {
		t.Fatalf("page query: %v", err)
	}
	if match == "" {
		_, err = countActive(ctx, rec, wsID, f.PoolID, f.Status)
	} else {
		_, _, err = boundedCount(ctx, rec, pq.from, pq.where, pq.args)
	}
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	ids := make([]string, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	return ids, rec.queries
}

// planExplain returns the EXPLAIN QUERY PLAN lines of a query.
func planExplain(t *testing.T, s *Store, q planQuery) []string {
	t.Helper()
	rows, err := s.read.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q.sql, q.args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q.sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// planRange finds a range constraint on a list index in a plan line such as
// "SEARCH r USING INDEX lead_rows_created (workspace_id=? AND created_at<?)" (r is
// the leads view's rows; the Trash is skipped by a primary-key probe of trashed).
var planRange = regexp.MustCompile(`SEARCH r USING (COVERING )?INDEX lead_rows_\w+ \([^)]*[<>]\?`)

// planKnownProblems are plans found wanting and reported, not yet fixed in list.go.
// Their subtests skip, saying why, for as long as the plan stays bad. (None now: the
// name sort's cursor used to defeat its index.)
var planKnownProblems = map[string]string{}

// planStore is a new store with a workspace of 300 seeded leads.
func planStore(t *testing.T) (*Store, Workspace) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ws, err := s.CreateWorkspace(ctx, "Plan")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Seed(ctx, ws.ID, 300, SeedOptions{Rand: rand.New(rand.NewPCG(3, 4))}); err != nil {
		t.Fatal(err)
	}
	return s, ws
}

// TestListQueriesUseIndexesNotScans checks that every query behind the lead table
// reads one index range (or the search index), never the whole leads table; that
// the created and name orders come from an index rather than a sort of every match;
// and that a cursor bounds the range it reads.
func TestListQueriesUseIndexesNotScans(t *testing.T) {
	ctx := context.Background()
	s, ws := planStore(t)
	pools, err := s.Pools(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	pool := pools[len(pools)-1].ID

	// Cursors at real leads part-way down each list.
	byCreated, err := s.ListLeads(ctx, ws.ID, LeadFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	byName, err := s.ListLeads(ctx, ws.ID, LeadFilter{Sort: SortName, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	mid, midName := byCreated.Leads[60], byName.Leads[60]
	created := &cursor{Kind: SortCreated, Created: mid.CreatedAt.UnixMilli(), Seq: mid.seq}
	createdBack := &cursor{Kind: SortCreated, Before: true, Created: mid.CreatedAt.UnixMilli(), Seq: mid.seq}
	name := &cursor{Kind: SortName, Name: midName.Name, Seq: midName.seq}
	nameBack := &cursor{Kind: SortName, Before: true, Name: midName.Name, Seq: midName.seq}
	search := &cursor{Kind: "search", Seq: mid.seq}
	searchBack := &cursor{Kind: "search", Before: true, Seq: mid.seq}

	cases := []struct {
		name string
		f    LeadFilter
		cur  *cursor
	}{
		{"first page, created", LeadFilter{}, nil},
		{"first page, status", LeadFilter{Status: "won"}, nil},
		{"first page, pool", LeadFilter{PoolID: pool}, nil},
		{"first page, pool+status", LeadFilter{PoolID: pool, Status: "won"}, nil},
		{"first page, name", LeadFilter{Sort: SortName}, nil},
		{"first page, name+status", LeadFilter{Sort: SortName, Status: "won"}, nil},
		{"next page, created", LeadFilter{}, created},
		{"prev page, created", LeadFilter{}, createdBack},
		{"next page, status", LeadFilter{Status: "won"}, created},
		{"prev page, status", LeadFilter{Status: "won"}, createdBack},
		{"next page, pool", LeadFilter{PoolID: pool}, created},
		{"next page, pool+status", LeadFilter{PoolID: pool, Status: "won"}, created},
		{"next page, name", LeadFilter{Sort: SortName}, name},
		{"prev page, name", LeadFilter{Sort: SortName}, nameBack},
		{"search, one word", LeadFilter{Query: "john"}, nil},
		{"search, two prefixes", LeadFilter{Query: "jo sm"}, nil},
		{"search, phone", LeadFilter{Query: "415 555"}, nil},
		{"search+status", LeadFilter{Query: "john", Status: "won"}, nil},
		{"search+pool+status", LeadFilter{Query: "john", PoolID: pool, Status: "won"}, nil},
		{"search, next page", LeadFilter{Query: "john"}, search},
		{"search, prev page", LeadFilter{Query: "john"}, searchBack},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, queries := planListLeads(t, s, ws.ID, tc.f, tc.cur)
			// The queries examined are ListLeads' own: the same page comes back.
			f := tc.f
			if tc.cur != nil {
				f.Cursor = tc.cur.encode()
			}
			page, err := s.ListLeads(ctx, ws.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, l := range page.Leads {
				want = append(want, l.ID)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("the page built here differs from ListLeads' (list.go changed? update planListLeads): %d vs %d leads", len(got), len(want))
			}

			var problems, plans []string
			for i, q := range queries {
				plan := planExplain(t, s, q)
				text := strings.Join(plan, "\n    ")
				plans = append(plans, q.sql+"\n    "+text)
				for _, line := range plan {
					switch {
					case strings.HasPrefix(line, "SCAN f VIRTUAL TABLE"), strings.HasPrefix(line, "SCAN (subquery-"):
						// The search index answers MATCH itself; a bounded count reads its subquery.
					case strings.HasPrefix(line, "SCAN "):
						problems = append(problems, "full scan: "+line)
					case strings.Contains(line, "TEMP B-TREE"):
						problems = append(problems, "sorts every match: "+line)
					}
				}
				if i > 0 || tc.f.Query != "" {
					continue // the count, or a search (which reads the search index newest first)
				}
				if !strings.Contains(text, "INDEX lead_rows_") {
					problems = append(problems, "the page does not read a list index")
				}
				if !strings.Contains(text, "SEARCH t USING INTEGER PRIMARY KEY") {
					problems = append(problems, "the page does not skip the Trash by its primary key")
				}
				if tc.cur != nil && !planRange.MatchString(text) {
					problems = append(problems, "the cursor does not bound the index range (every page reads from the top of the list)")
				}
			}
			report := strings.Join(plans, "\n")
			switch known := planKnownProblems[tc.name]; {
			case len(problems) > 0 && known != "":
				t.Skipf("KNOWN PROBLEM, %s: %s\n%s", known, strings.Join(problems, "; "), report)
			case len(problems) > 0:
				t.Errorf("%s\n%s", strings.Join(problems, "; "), report)
			default:
				t.Logf("%s", report)
				if known != "" {
					t.Logf("this plan is good now: remove %q from planKnownProblems", tc.name)
				}
			}
		})
	}
}

// TestTrashQueriesReadTheTrashIndex checks the Trash's page queries as
// TestListQueriesUseIndexesNotScans checks the table's: the Trash's own index in its
// order (deleted_at, seq), never a sort of the whole Trash nor a walk of every lead;
// and a deletion's leads counted in that index alone.
func TestTrashQueriesReadTheTrashIndex(t *testing.T) {
	ctx := context.Background()
	s, ws := planStore(t)
	u, err := s.CreateUser(ctx, NewUser{WorkspaceID: ws.ID, Email: "plan@example.com", Name: "Plan", Role: "admin", Password: "plan password 1"})
	if err != nil {
		t.Fatal(err)
	}
	won, err := s.CountMatching(ctx, ws.ID, LeadFilter{Status: "won"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.DeleteLeads(ctx, ws, UserActor(u), DeleteRequest{All: true, Filter: LeadFilter{Status: "won"}, ExpectedCount: won, Reason: "invalid"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.ListTrash(ctx, ws.ID, TrashFilter{Limit: 10})
	if err != nil || len(first.Leads) < 10 {
		t.Fatalf("Trash: %v, %d leads", err, len(first.Leads))
	}
	mid := first.Leads[5]
	next := &cursor{Kind: "trash", Created: mid.DeletedAt.UnixMilli(), Seq: mid.seq}
	back := &cursor{Kind: "trash", Before: true, Created: mid.DeletedAt.UnixMilli(), Seq: mid.seq}

	cases := []struct {
		name string
		f    TrashFilter
		cur  *cursor
	}{
		{"first page", TrashFilter{}, nil},
		{"next page", TrashFilter{}, next},
		{"prev page", TrashFilter{}, back},
		{"deleted by", TrashFilter{DeletedBy: u.ID}, nil},
		{"deleted by, next page", TrashFilter{DeletedBy: u.ID}, next},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Built as ListTrash builds it; the same page must come back.
			pq := pageQuery{kind: "trash", from: "trash l", where: []string{"l.workspace_id = ?"}, args: []any{ws.ID}, cur: tc.cur, limit: DefaultPageSize}
			if tc.f.DeletedBy != "" {
				pq.where, pq.args = append(pq.where, "l.deleted_by = ?"), append(pq.args, tc.f.DeletedBy)
			}
			rec := &planRecorder{q: s.read}
			got, _, _, err := pq.run(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			f := tc.f
			if tc.cur != nil {
				f.Cursor = tc.cur.encode()
			}
			page, err := s.ListTrash(ctx, ws.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || len(got) != len(page.Leads) || got[0].ID != page.Leads[0].ID {
				t.Fatalf("the page built here differs from ListTrash's (trash.go changed? update this test): %d vs %d leads", len(got), len(page.Leads))
			}
			plan := planExplain(t, s, rec.queries[0])
			text := strings.Join(plan, "\n    ")
			if strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "SCAN ") || !strings.Contains(text, "INDEX trashed_workspace") {
				t.Errorf("the Trash page does not read the Trash index in its order:\n    %s\n%s", text, rec.queries[0].sql)
			}
		})
	}
	t.Run("a deletion's leads counted", func(t *testing.T) {
		q := planQuery{`SELECT count(*) FROM trashed l JOIN batches b ON b.id = ? WHERE ` + inBatch, []any{b.ID}}
		if text := strings.Join(planExplain(t, s, q), "\n    "); !strings.Contains(text, "COVERING INDEX trashed_workspace (workspace_id=? AND deleted_at=?)") {
			t.Errorf("a deletion's leads are not counted in the Trash index alone:\n    %s", text)
		}
	})
}

// TestSelectiveQueriesDoNotWalkTheWorkspace checks the queries that name a few leads
// of a workspace (by ids, by an import, by the search index) alongside the workspace:
// they must start from what names the leads, never from a list index's range of the
// whole workspace. (SQLite keeps no statistics here, so it cannot tell that a
// workspace holds a million leads; a long list of ids made it prefer the workspace.)
func TestSelectiveQueriesDoNotWalkTheWorkspace(t *testing.T) {
	ctx := context.Background()
	s, ws := planStore(t)
	var ids []string
	if err := eachRow(ctx, s.read, `SELECT id FROM leads LIMIT 200`, nil, func(rows *sql.Rows) error {
		var id string
		ids = append(ids, id)
		return rows.Scan(&ids[len(ids)-1])
	}); err != nil {
		t.Fatal(err)
	}
	walks := regexp.MustCompile(`INDEX lead_rows_(created|status|pool|name)\b`)
	check := func(name string, queries []planQuery) {
		t.Helper()
		if len(queries) == 0 {
			t.Fatalf("%s: no query recorded", name)
		}
		for _, q := range queries {
			text := strings.Join(planExplain(t, s, q), "\n    ")
			if walks.MatchString(text) {
				t.Errorf("%s walks the workspace's leads:\n    %s\n%s", name, text, q.sql)
			}
		}
	}
	set := func(ls leadSet) []planQuery {
		return []planQuery{{`SELECT count(*) FROM ` + ls.from + ` WHERE ` + ls.where, ls.args}}
	}

	rec := &planRecorder{q: s.read}
	if err := checkActive(ctx, rec, ws.ID, ids); err != nil {
		t.Fatal(err)
	}
	check("checking 200 ids", rec.queries)
	rec = &planRecorder{q: s.read}
	if _, err := getLead(ctx, rec, ws.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
	check("a lead's page", rec.queries)
	check("200 leads by id", set(idLeads(ws.ID, ids).and("deleted_at IS NULL")))
	check("an import's leads", set(importLeads(ws.ID, "bat_0123456789abcdef").and("deleted_at IS NULL")))

	rec = &planRecorder{q: s.read}
	if _, err := personLeads(ctx, rec, ws.ID, "john@example.com", "+14155550123"); err != nil {
		t.Fatal(err)
	}
	check("an erasure's person", rec.queries)

	rec = &planRecorder{q: s.read}
	if _, err := activeLeadHasEmail(ctx, rec, ws.ID, "john@example.com"); err != nil {
		t.Fatal(err)
	}
	check("a duplicate e-mail check", rec.queries)

	for _, f := range []LeadFilter{{Query: "john"}, {Query: "john", Status: "won"}, {Query: "jo sm", Sort: SortName}} {
		_, queries := planListLeads(t, s, ws.ID, f, nil)
		check(fmt.Sprintf("the search %+v", f), queries)
	}
}
