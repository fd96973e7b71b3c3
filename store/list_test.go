package store_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"leadkeep/store"
)

// walkForward lists the first page of f and follows Next to the end.
func walkForward(t *testing.T, s *store.Store, workspaceID string, f store.LeadFilter) []store.LeadPage {
	t.Helper()
	f.Cursor = ""
	var pages []store.LeadPage
	for {
		p, err := s.ListLeads(context.Background(), workspaceID, f)
		if err != nil {
			t.Fatalf("page %d: %v", len(pages)+1, err)
		}
		pages = append(pages, p)
		if p.Next == "" {
			return pages
		}
		if len(pages) > 1000 {
			t.Fatal("paging forward does not end")
		}
		f.Cursor = p.Next
	}
}

// walkBackward follows Prev from the page from to the first page and returns the
// pages it met in list order (the first page first), from itself excluded.
func walkBackward(t *testing.T, s *store.Store, workspaceID string, f store.LeadFilter, from store.LeadPage) []store.LeadPage {
	t.Helper()
	var pages []store.LeadPage
	for cur := from.Prev; cur != ""; {
		f.Cursor = cur
		p, err := s.ListLeads(context.Background(), workspaceID, f)
		if err != nil {
			t.Fatalf("page %d from the end: %v", len(pages)+2, err)
		}
		pages = append(pages, p)
		if len(pages) > 1000 {
			t.Fatal("paging backward does not end")
		}
		cur = p.Prev
	}
	slices.Reverse(pages)
	return pages
}

func ids(leads []store.Lead) []string {
	out := make([]string, len(leads))
	for i, l := range leads {
		out[i] = l.ID
	}
	return out
}

func allIDs(pages []store.LeadPage) []string {
	var out []string
	for _, p := range pages {
		out = append(out, ids(p.Leads)...)
	}
	return out
}

// assertSameList reports missing, repeated and misplaced leads of got against want.
func assertSameList(t *testing.T, got, want []string, label func(string) string) {
	t.Helper()
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, id := range want {
		switch seen[id] {
		case 0:
			t.Errorf("skipped: %s", label(id))
		case 1:
		default:
			t.Errorf("repeated %d times: %s", seen[id], label(id))
		}
		delete(seen, id)
	}
	for id := range seen {
		t.Errorf("listed but should not be: %s", label(id))
	}
	if t.Failed() {
		return
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("out of order from position %d: got %s, want %s", i, label(got[i]), label(want[i]))
			return
		}
	}
}

// model is what the test knows of a lead it created, in creation order.
type model struct {
	idx     int
	id      string
	name    string
	company string
	pool    string
	status  store.Status
	created time.Time
}

// asciiFold is what COLLATE NOCASE compares: ASCII letters folded, bytes otherwise.
func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func orderCreated(ms []model) []string {
	ms = slices.Clone(ms)
	sort.SliceStable(ms, func(i, j int) bool {
		if !ms[i].created.Equal(ms[j].created) {
			return ms[i].created.After(ms[j].created)
		}
		return ms[i].idx > ms[j].idx
	})
	return modelIDs(ms)
}

func orderName(ms []model) []string {
	ms = slices.Clone(ms)
	sort.SliceStable(ms, func(i, j int) bool {
		if a, b := asciiFold(ms[i].name), asciiFold(ms[j].name); a != b {
			return a < b
		}
		return ms[i].idx < ms[j].idx
	})
	return modelIDs(ms)
}

func orderSearch(ms []model) []string {
	ms = slices.Clone(ms)
	slices.Reverse(ms) // newest inserted first
	return modelIDs(ms)
}

func modelIDs(ms []model) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.id
	}
	return out
}

func where(ms []model, keep func(model) bool) []model {
	var out []model
	for _, m := range ms {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// pagingFixture creates 130 leads of which the first 45 share one instant (more
// than two pages of 20) and the rest share an instant ten at a time. Names repeat
// in different cases, so that name ties cross page boundaries too.
func pagingFixture(t *testing.T) (*store.Store, store.Workspace, []store.Pool, []model) {
	t.Helper()
	s := openStore(t)
	c := withClock(s)
	ws := mustWorkspace(t, s, "Acme")
	pools := []store.Pool{defaultPool(t, s, ws), mustPool(t, s, ws, "Outbound")}
	bases := []string{"Alice Adams", "bob brown", "Carol Chen", "dave diaz", "Erin Evans", "frank fox"}
	var ms []model
	for i := range 130 {
		if i >= 45 && i%10 == 0 {
			c.advance(time.Second)
		}
		name := bases[i%len(bases)]
		switch i % 3 {
		case 1:
			name = strings.ToUpper(name)
		case 2:
			name = strings.ToLower(name)
		}
		company := "Paging Test"
		if i%4 == 0 {
			company = "Elsewhere Inc"
		}
		m := model{idx: i, name: name, company: company, pool: pools[i%2].ID, status: store.Statuses[i%5], created: c.t}
		l := mustLead(t, s, ws, systemActor, store.LeadInput{Name: ptr(name), Company: ptr(company),
			PoolID: ptr(m.pool), Status: ptr(string(m.status))})
		m.id = l.ID
		ms = append(ms, m)
	}
	return s, ws, pools, ms
}

func TestPagingNeverSkipsOrRepeatsLeadsSharingATimestamp(t *testing.T) {
	s, ws, pools, ms := pagingFixture(t)
	byID := map[string]model{}
	for _, m := range ms {
		byID[m.id] = m
	}
	label := func(id string) string {
		m := byID[id]
		return fmt.Sprintf("#%d %q %s", m.idx, m.name, m.created.Format("15:04:05"))
	}
	paging := func(m model) bool { return m.company == "Paging Test" }

	for _, tc := range []struct {
		name   string
		filter store.LeadFilter
		want   []string
	}{
		{"created", store.LeadFilter{Sort: store.SortCreated, Limit: 20}, orderCreated(ms)},
		{"default sort", store.LeadFilter{Limit: 20}, orderCreated(ms)},
		{"name", store.LeadFilter{Sort: store.SortName, Limit: 20}, orderName(ms)},
		{"search", store.LeadFilter{Query: "paging te", Limit: 20}, orderSearch(where(ms, paging))},
		{"search sorted by name", store.LeadFilter{Query: "PAGING", Sort: store.SortName, Limit: 20}, orderSearch(where(ms, paging))},
		{"created in a pool", store.LeadFilter{PoolID: pools[1].ID, Limit: 7},
			orderCreated(where(ms, func(m model) bool { return m.pool == pools[1].ID }))},
		{"created with a status", store.LeadFilter{Status: "contacted", Limit: 7},
			orderCreated(where(ms, func(m model) bool { return m.status == store.StatusContacted }))},
		{"name in a pool with a status", store.LeadFilter{Sort: store.SortName, PoolID: pools[0].ID, Status: "new", Limit: 3},
			orderName(where(ms, func(m model) bool { return m.pool == pools[0].ID && m.status == store.StatusNew }))},
		{"search in a pool", store.LeadFilter{Query: "paging", PoolID: pools[0].ID, Limit: 7},
			orderSearch(where(ms, func(m model) bool { return paging(m) && m.pool == pools[0].ID }))},
		{"search with a status", store.LeadFilter{Query: "alice", Status: "won", Limit: 2},
			orderSearch(where(ms, func(m model) bool { return asciiFold(m.name) == "alice adams" && m.status == store.StatusWon }))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pages := walkForward(t, s, ws.ID, tc.filter)
			assertSameList(t, allIDs(pages), tc.want, label)
			for i, p := range pages {
				if p.Total != len(tc.want) || p.Capped {
					t.Errorf("page %d: total %d (capped %v), want %d", i+1, p.Total, p.Capped, len(tc.want))
				}
				if p.Searched != (tc.filter.Query != "") {
					t.Errorf("page %d: searched = %v", i+1, p.Searched)
				}
				if i < len(pages)-1 && len(p.Leads) != tc.filter.Limit {
					t.Errorf("page %d of %d has %d leads, want a full page of %d", i+1, len(pages), len(p.Leads), tc.filter.Limit)
				}
				if (p.Prev == "") != (i == 0) {
					t.Errorf("page %d: prev cursor %q; want one on every page but the first", i+1, p.Prev)
				}
			}
			if t.Failed() {
				return
			}

			// Back from the last page: the same pages, in the same order.
			last := pages[len(pages)-1]
			back := walkBackward(t, s, ws.ID, tc.filter, last)
			if len(back) != len(pages)-1 {
				t.Fatalf("walking back met %d pages, want %d", len(back), len(pages)-1)
			}
			for i, p := range back {
				if !slices.Equal(ids(p.Leads), ids(pages[i].Leads)) {
					t.Errorf("page %d walking back:\n got %v\nwant %v", i+1, ids(p.Leads), ids(pages[i].Leads))
					continue
				}
				if p.Total != len(tc.want) {
					t.Errorf("page %d walking back: total %d, want %d", i+1, p.Total, len(tc.want))
				}
				if (p.Prev == "") != (i == 0) {
					t.Errorf("page %d walking back: prev cursor %q; want one on every page but the first", i+1, p.Prev)
				}
				// And forwards again from a page reached backwards.
				f := tc.filter
				f.Cursor = p.Next
				next, err := s.ListLeads(context.Background(), ws.ID, f)
				if err != nil || !slices.Equal(ids(next.Leads), ids(pages[i+1].Leads)) {
					t.Errorf("next after page %d reached backwards: %v, %v; want %v", i+1, ids(next.Leads), err, ids(pages[i+1].Leads))
				}
			}
		})
	}
}

func TestPageSizeDefaultsTo50AndIsCappedAt100(t *testing.T) {
	s, ws, _, _ := pagingFixture(t)
	ctx := context.Background()
	for limit, want := range map[int]int{0: store.DefaultPageSize, 1: 1, 1000: store.MaxPageSize} {
		p, err := s.ListLeads(ctx, ws.ID, store.LeadFilter{Limit: limit})
		if err != nil || len(p.Leads) != want || p.Next == "" || p.Total != 130 {
			t.Errorf("limit %d: %d leads, total %d, next %q, %v; want %d leads of 130", limit, len(p.Leads), p.Total, p.Next, err, want)
		}
	}
}

func TestBadCursorsAndFiltersAreRefused(t *testing.T) {
	s, ws, _, _ := pagingFixture(t)
	other := mustWorkspace(t, s, "Globex")
	ctx := context.Background()
	first := func(f store.LeadFilter) store.LeadPage {
		t.Helper()
		p, err := s.ListLeads(ctx, ws.ID, f)
		if err != nil || p.Next == "" {
			t.Fatalf("first page of %+v: next %q, %v", f, p.Next, err)
		}
		return p
	}
	created := first(store.LeadFilter{Limit: 5}).Next
	byName := first(store.LeadFilter{Sort: store.SortName, Limit: 5}).Next
	search := first(store.LeadFilter{Query: "paging", Limit: 5}).Next
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

	for _, tc := range []struct {
		name string
		f    store.LeadFilter
	}{
		{"garbage", store.LeadFilter{Cursor: "not a cursor!"}},
		{"base64 of text", store.LeadFilter{Cursor: b64("hello")}},
		{"no position", store.LeadFilter{Cursor: b64(`{"k":"created"}`)}},
		{"negative position", store.LeadFilter{Cursor: b64(`{"k":"created","c":1,"s":-4}`)}},
		{"unknown kind", store.LeadFilter{Cursor: b64(`{"k":"price","s":4}`)}},
		{"huge", store.LeadFilter{Cursor: strings.Repeat("A", 4000)}},
		{"name cursor with created sort", store.LeadFilter{Sort: store.SortCreated, Cursor: byName}},
		{"name cursor with default sort", store.LeadFilter{Cursor: byName}},
		{"created cursor with name sort", store.LeadFilter{Sort: store.SortName, Cursor: created}},
		{"created cursor with a search", store.LeadFilter{Query: "paging", Cursor: created}},
		{"search cursor without the search", store.LeadFilter{Cursor: search}},
		{"truncated cursor", store.LeadFilter{Cursor: created[:len(created)/2]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.ListLeads(ctx, ws.ID, tc.f)
			wantInvalid(t, err, "cursor")
		})
	}

	for _, tc := range []struct {
		f     store.LeadFilter
		field string
	}{
		{store.LeadFilter{Status: "open"}, "status"},
		{store.LeadFilter{Sort: "price"}, "sort"},
		{store.LeadFilter{Limit: -1}, "limit"},
		{store.LeadFilter{PoolID: defaultPool(t, s, other).ID}, "pool"},
		{store.LeadFilter{PoolID: "pool_0000000000000000"}, "pool"},
	} {
		_, err := s.ListLeads(ctx, ws.ID, tc.f)
		wantInvalid(t, err, tc.field)
	}
}

func TestTotalsMatchABruteForceCountAfterEdits(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := withClock(s)
	ws := mustWorkspace(t, s, "Acme")
	pools := []store.Pool{defaultPool(t, s, ws), mustPool(t, s, ws, "Inbound"), mustPool(t, s, ws, "Partners")}
	// Noise in another workspace, in the same statuses and with the same company.
	noise := mustWorkspace(t, s, "Globex")
	for i := range 15 {
		mustLead(t, s, noise, systemActor, store.LeadInput{Name: ptr(fmt.Sprintf("Noise %d", i)), Company: ptr("Acme"),
			Status: ptr(string(store.Statuses[i%5]))})
	}

	ms := map[string]*model{}
	var order []*model // creation order, so that the edits below are the same on every run
	for i := range 90 {
		if i%7 == 0 {
			c.advance(time.Second)
		}
		m := &model{idx: i, name: fmt.Sprintf("Lead %02d", i), pool: pools[i%3].ID, status: store.Statuses[i%5], company: "Globex"}
		if i%2 == 0 {
			m.company = "Acme"
		}
		m.id = mustLead(t, s, ws, systemActor, store.LeadInput{Name: ptr(m.name), Company: ptr(m.company),
			PoolID: ptr(m.pool), Status: ptr(string(m.status))}).ID
		ms[m.id] = m
		order = append(order, m)
	}
	matchesAcme := func(m *model) bool { return strings.HasPrefix(m.company, "Acme") }

	check := func(stage string) {
		t.Helper()
		poolIDs := []string{""}
		for _, p := range pools {
			poolIDs = append(poolIDs, p.ID)
		}
		statuses := []string{""}
		for _, st := range store.Statuses {
			statuses = append(statuses, string(st))
		}
		for _, pool := range poolIDs {
			for _, status := range statuses {
				for _, q := range []string{"", "acme"} {
					want := 0
					for _, m := range ms {
						if (pool == "" || m.pool == pool) && (status == "" || string(m.status) == status) && (q == "" || matchesAcme(m)) {
							want++
						}
					}
					f := store.LeadFilter{PoolID: pool, Status: status, Query: q, Limit: 8}
					pages := walkForward(t, s, ws.ID, f)
					walked := 0
					for _, p := range pages {
						for _, l := range p.Leads {
							m := ms[l.ID]
							if m == nil || (pool != "" && l.PoolID != pool) || (status != "" && string(l.Status) != status) {
								t.Errorf("%s: filter %+v lists %s (%s, %s)", stage, f, l.Name, l.PoolName, l.Status)
							}
						}
						walked += len(p.Leads)
					}
					if pages[0].Total != want || walked != want {
						t.Errorf("%s: pool %q status %q query %q: total %d, %d leads on its pages; want %d",
							stage, pool, status, q, pages[0].Total, walked, want)
					}
				}
			}
		}
		total, byStatus, err := s.Counts(ctx, ws.ID)
		if err != nil || total != len(ms) {
			t.Errorf("%s: Counts total %d, %v; want %d", stage, total, err, len(ms))
		}
		for _, st := range store.Statuses {
			want := 0
			for _, m := range ms {
				if m.status == st {
					want++
				}
			}
			if byStatus[st] != want {
				t.Errorf("%s: Counts %s = %d, want %d", stage, st, byStatus[st], want)
			}
		}
	}
	check("after creating")

	for i, m := range order[:40] {
		in := store.LeadInput{}
		switch i % 4 {
		case 0:
			m.status = store.Statuses[(slices.Index(store.Statuses, m.status)+2)%5]
			in.Status = ptr(string(m.status))
		case 1:
			m.pool = pools[(i/4)%3].ID
			in.PoolID = ptr(m.pool)
		case 2:
			m.status, m.pool = store.StatusWon, pools[2].ID
			in.Status, in.PoolID = ptr("won"), ptr(m.pool)
		case 3:
			m.company = map[bool]string{true: "Acme Robotics", false: "Initech"}[i%8 == 3]
			in.Company = ptr(m.company)
		}
		if _, err := s.UpdateLead(ctx, ws, systemActor, m.id, in); err != nil {
			t.Fatal(err)
		}
		// A refused edit in between moves nothing.
		if _, err := s.UpdateLead(ctx, ws, systemActor, m.id, store.LeadInput{Status: ptr("lost"), Name: ptr("")}); err == nil {
			t.Fatal("an edit with an empty name was accepted")
		}
	}
	check("after editing")

	total, _, _ := s.Counts(ctx, noise.ID)
	if total != 15 {
		t.Errorf("the other workspace counts %d leads, want 15", total)
	}
}

// --- Search -----------------------------------------------------------------

type searchSetup struct {
	s      *store.Store
	ws     store.Workspace
	names  map[string]string // id → name
	byName map[string]store.Lead
}

func newSearchSetup(t *testing.T) searchSetup {
	t.Helper()
	s := openStore(t)
	withClock(s)
	ws := mustWorkspace(t, s, "Acme")
	x := searchSetup{s: s, ws: ws, names: map[string]string{}, byName: map[string]store.Lead{}}
	for _, in := range []store.LeadInput{
		{Name: ptr("John Smith"), Email: ptr("john.smith@acme-robotics.example"), Phone: ptr("(415) 555-0123"), Company: ptr("Acme Robotics")},
		{Name: ptr("John Doe"), Email: ptr("jd@globex.example"), Phone: ptr("+1 212 555 0199"), Company: ptr("Globex")},
		{Name: ptr("Joanna Smithers"), Email: ptr("joanna@initech.example"), Company: ptr("Initech")},
		{Name: ptr("Mary Jones"), Email: ptr("mary@umbrella.example"), Phone: ptr("+44 20 7946 0123"), Company: ptr("Umbrella Health")},
		{Name: ptr("José Álvarez"), Email: ptr("jose@hooli.example"), Company: ptr("Hooli")},
	} {
		l := mustLead(t, s, ws, systemActor, in)
		x.names[l.ID], x.byName[l.Name] = l.Name, l
	}
	return x
}

// find returns the names of the leads a search finds, in the order listed.
func (x searchSetup) find(t *testing.T, q string) []string {
	t.Helper()
	page, err := x.s.ListLeads(context.Background(), x.ws.ID, store.LeadFilter{Query: q})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var names []string
	for _, l := range page.Leads {
		names = append(names, x.names[l.ID])
	}
	if page.Total != len(page.Leads) {
		t.Errorf("search %q: total %d but %d leads listed", q, page.Total, len(page.Leads))
	}
	sort.Strings(names)
	return names
}

func TestSearchMatchesEveryWordAsAPrefixIgnoringCase(t *testing.T) {
	x := newSearchSetup(t)
	for q, want := range map[string][]string{
		"jo sm":           {"Joanna Smithers", "John Smith"},
		"JO SM":           {"Joanna Smithers", "John Smith"},
		"sm jo":           {"Joanna Smithers", "John Smith"},
		"john":            {"John Doe", "John Smith"},
		"john smith":      {"John Smith"},
		"  John   Smith ": {"John Smith"},
		"smith":           {"Joanna Smithers", "John Smith"},
		"smithers":        {"Joanna Smithers"},
		"jo doe":          {"John Doe"},
		"ohn":             nil,
		"mith":            nil,
		"john nobody":     nil,
		"jose":            {"José Álvarez"},
		"ÁLV":             {"José Álvarez"},
	} {
		if got := x.find(t, q); !slices.Equal(got, want) {
			t.Errorf("search %q found %v, want %v", q, got, want)
		}
	}
}

func TestSearchFindsAPhoneAsShownInE164OrAsItsDigits(t *testing.T) {
	x := newSearchSetup(t)
	for q, want := range map[string]string{
		"+1 415 555 0123":  "John Smith",
		"+1 415-555-0123":  "John Smith",
		"+14155550123":     "John Smith",
		"4155550123":       "John Smith",
		"(415) 555-0123":   "John Smith",
		"415-555-0123":     "John Smith",
		"415.555.0123":     "John Smith",
		"14155550123":      "John Smith",
		"1 (415) 555-0123": "John Smith",
		"415 555":          "John Smith",
		"+1 212 555 0199":  "John Doe",
		"2125550199":       "John Doe",
		"+44 20 7946 0123": "Mary Jones",
		"+442079460123":    "Mary Jones",
		"442079460123":     "Mary Jones",
		"020 7946 0123":    "Mary Jones",
		"2079460123":       "Mary Jones",
	} {
		if got := x.find(t, q); !slices.Equal(got, []string{want}) {
			t.Errorf("search %q found %v, want [%s]", q, got, want)
		}
	}
	if got := x.find(t, "555 0123"); len(got) != 0 {
		t.Errorf("the middle of a number found %v; a phone matches from its start", got)
	}
}

func TestSearchFindsAnEmailFragmentACompanyOrAnID(t *testing.T) {
	x := newSearchSetup(t)
	smith := x.byName["John Smith"]
	for q, want := range map[string][]string{
		"john.smith":                          {"John Smith"},
		"john.smith@acme":                     {"John Smith"},
		"john.smith@acme-robotics.example":    {"John Smith"},
		"acme-rob":                            {"John Smith"},
		"jd@globex":                           {"John Doe"},
		"umbrella":                            {"Mary Jones"},
		"acme rob":                            {"John Smith"},
		"Umbrella Health":                     {"Mary Jones"},
		"hooli":                               {"José Álvarez"},
		"initech":                             {"Joanna Smithers"},
		smith.ID:                              {"John Smith"},
		strings.ToUpper(smith.ID):             {"John Smith"},
		strings.TrimPrefix(smith.ID, "lead_"): {"John Smith"},
	} {
		if got := x.find(t, q); !slices.Equal(got, want) {
			t.Errorf("search %q found %v, want %v", q, got, want)
		}
	}
}

func TestSearchTreatsOperatorsTypedByAUserAsText(t *testing.T) {
	x := newSearchSetup(t)
	for _, q := range []string{
		"AND", "OR", "NOT", "and", "john AND smith", "john OR doe", "john NOT doe", `"john`, `"john smith"`, `""`,
		"*", "jo*", "*jo", "NEAR(", "NEAR(john smith)", "NEAR(john smith, 2)", "name:john", "name : john", "{name}: john",
		"ws : x", "lead_id:*", "^john", "john^", "-", "+", "john -doe", "'", `\`, "(((", ")", "a:b", "john)", "(john",
		"+-.()/", "1", "12", "+1", "()", "john + smith", "; DROP TABLE leads; --", "%", "_", "john_smith",
		"\x00", "ünïcödé", "日本語", "😀", "𞤀𞤁", "ᏸ", "a b c d e f g h i j k l", strings.Repeat("x", 5000),
	} {
		page, err := x.s.ListLeads(context.Background(), x.ws.ID, store.LeadFilter{Query: q})
		if err != nil {
			t.Errorf("search %q: %v", q, err)
			continue
		}
		if page.Total < len(page.Leads) {
			t.Errorf("search %q: total %d below %d listed", q, page.Total, len(page.Leads))
		}
	}
	for q, want := range map[string][]string{
		`"john smith"`: {"John Smith"},
		"jo*":          {"Joanna Smithers", "John Doe", "John Smith", "José Álvarez", "Mary Jones"},
		"(john)":       {"John Doe", "John Smith"},
		"john_smith":   {"John Smith"},
		"NEAR(":        nil,
	} {
		if got := x.find(t, q); !slices.Equal(got, want) {
			t.Errorf("search %q found %v, want %v", q, got, want)
		}
	}
	// A query with nothing to search for lists everything, unsearched.
	page, err := x.s.ListLeads(context.Background(), x.ws.ID, store.LeadFilter{Query: " * () "})
	if err != nil || page.Searched || page.Total != 5 {
		t.Errorf("query of operators only: searched %v, total %d, %v; want the whole table", page.Searched, page.Total, err)
	}
}

func TestSearchFollowsEditsToALead(t *testing.T) {
	x := newSearchSetup(t)
	smith := x.byName["John Smith"]
	if _, err := x.s.UpdateLead(context.Background(), x.ws, systemActor, smith.ID, store.LeadInput{
		Name: ptr("Jonathan Black"), Phone: ptr("+1 212 555 0142"), Email: ptr("jb@vandelay.example")}); err != nil {
		t.Fatal(err)
	}
	x.names[smith.ID] = "Jonathan Black"
	for q, want := range map[string][]string{
		"smith":          {"Joanna Smithers"},
		"black":          {"Jonathan Black"},
		"jon bl":         {"Jonathan Black"},
		"4155550123":     nil,
		"(212) 555-0142": {"Jonathan Black"},
		"vandelay":       {"Jonathan Black"},
		"john.smith":     nil,
		"acme":           {"Jonathan Black"}, // the company did not change
	} {
		if got := x.find(t, q); !slices.Equal(got, want) {
			t.Errorf("after the edit, search %q found %v, want %v", q, got, want)
		}
	}
}

func TestASearchCountStopsAtTheBoundButTheTableCountIsExact(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	withClock(s)
	ws := mustWorkspace(t, s, "Big")
	if _, err := s.Seed(ctx, ws.ID, store.CountBound+1, store.SeedOptions{Rand: testRand()}); err != nil {
		t.Fatal(err)
	}
	// Every lead id starts with "lead", so this search matches every lead.
	page, err := s.ListLeads(ctx, ws.ID, store.LeadFilter{Query: "lead"})
	if err != nil || page.Total != store.CountBound || !page.Capped || len(page.Leads) != store.DefaultPageSize {
		t.Errorf("search matching %d leads: total %d capped %v, %d listed, %v; want %d capped", store.CountBound+1,
			page.Total, page.Capped, len(page.Leads), err, store.CountBound)
	}
	page, err = s.ListLeads(ctx, ws.ID, store.LeadFilter{})
	if err != nil || page.Total != store.CountBound+1 || page.Capped {
		t.Errorf("table: total %d capped %v, %v; want exactly %d", page.Total, page.Capped, err, store.CountBound+1)
	}
}

func TestListsAndSearchesNeverShowAnotherWorkspacesLeads(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	withClock(s)
	a, b := mustWorkspace(t, s, "Acme"), mustWorkspace(t, s, "Globex")
	same := store.LeadInput{Name: ptr("John Smith"), Email: ptr("john@shared.example"), Phone: ptr("(415) 555-0123"), Company: ptr("Shared Co")}
	var inA []store.Lead
	for range 30 {
		inA = append(inA, mustLead(t, s, a, systemActor, same))
	}
	inB := mustLead(t, s, b, systemActor, same)

	for _, f := range []store.LeadFilter{
		{}, {Sort: store.SortName}, {Status: "new"}, {PoolID: defaultPool(t, s, b).ID},
		{Query: "John Smith"}, {Query: "john@shared.example"}, {Query: "(415) 555-0123"}, {Query: "shared co"},
	} {
		pages := walkForward(t, s, b.ID, f)
		if got := allIDs(pages); !slices.Equal(got, []string{inB.ID}) || pages[0].Total != 1 {
			t.Errorf("workspace B, filter %+v: lists %d leads, total %d; want only its own lead", f, len(got), pages[0].Total)
		}
	}
	for _, l := range inA[:3] {
		page, err := s.ListLeads(ctx, b.ID, store.LeadFilter{Query: l.ID})
		if err != nil || len(page.Leads) != 0 || page.Total != 0 {
			t.Errorf("workspace B searching A's lead id: %d leads, total %d, %v; want none", len(page.Leads), page.Total, err)
		}
	}
	_, err := s.ListLeads(ctx, b.ID, store.LeadFilter{PoolID: defaultPool(t, s, a).ID})
	wantInvalid(t, err, "pool")

	page, err := s.ListLeads(ctx, a.ID, store.LeadFilter{Query: "john smith", Limit: 100})
	if err != nil || page.Total != 30 || len(page.Leads) != 30 {
		t.Errorf("workspace A search: %d leads, total %d, %v; want its 30", len(page.Leads), page.Total, err)
	}
}

// --- Seed -------------------------------------------------------------------

func TestSeedFillsAWorkspaceWithActiveLeadsInThreeNewPools(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := withClock(s)
	ws := mustWorkspace(t, s, "Demo")
	mustUser(t, s, ws, "dana@demo.example")

	n, err := s.Seed(ctx, ws.ID, 500, store.SeedOptions{Rand: testRand(), Extras: true})
	if err != nil || n != 500 {
		t.Fatalf("seed: %d, %v; want 500", n, err)
	}
	pools, err := s.Pools(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	var poolNames []string
	for _, p := range pools {
		poolNames = append(poolNames, p.Name)
	}
	if want := []string{"Default", "Inbound", "Outbound", "Partners"}; !slices.Equal(poolNames, want) {
		t.Fatalf("pools after seeding = %v, want %v", poolNames, want)
	}

	pages := walkForward(t, s, ws.ID, store.LeadFilter{Limit: store.MaxPageSize})
	if pages[0].Total != 500 {
		t.Errorf("total = %d, want 500", pages[0].Total)
	}
	perStatus, perPool := map[store.Status]int{}, map[string]int{}
	seen := map[string]bool{}
	var prev store.Lead
	withNotes, withTags := 0, 0
	for _, p := range pages {
		for _, l := range p.Leads {
			if seen[l.ID] {
				t.Fatalf("lead %s listed twice", l.ID)
			}
			seen[l.ID] = true
			perStatus[l.Status]++
			perPool[l.PoolID]++
			if _, ok := store.ParseStatus(string(l.Status)); !ok || l.InTrash() || !store.ValidLeadID(l.ID) || l.Name == "" {
				t.Errorf("seeded lead %+v is not a valid active lead", l)
			}
			if l.Phone != "" {
				if e164, err := store.NormalizePhone(l.Phone, "US"); err != nil || e164 != l.Phone {
					t.Errorf("seeded phone %q is not E.164 (%q, %v)", l.Phone, e164, err)
				}
			}
			if l.CreatedAt.After(c.t) || l.CreatedAt.Before(c.t.Add(-90*24*time.Hour)) {
				t.Errorf("seeded lead created at %v, outside the last 90 days", l.CreatedAt)
			}
			if prev.ID != "" && l.CreatedAt.After(prev.CreatedAt) {
				t.Errorf("table not newest first: %v after %v", l.CreatedAt, prev.CreatedAt)
			}
			prev = l
		}
	}
	if len(seen) != 500 {
		t.Errorf("the pages list %d leads, want 500", len(seen))
	}
	total, byStatus, err := s.Counts(ctx, ws.ID)
	if err != nil || total != 500 {
		t.Errorf("Counts total = %d, %v; want 500", total, err)
	}
	for _, st := range store.Statuses {
		if byStatus[st] != perStatus[st] {
			t.Errorf("Counts %s = %d, brute force %d", st, byStatus[st], perStatus[st])
		}
		page, err := s.ListLeads(ctx, ws.ID, store.LeadFilter{Status: string(st), Limit: 1})
		if err != nil || page.Total != perStatus[st] {
			t.Errorf("status %s: total %d, %v; brute force %d", st, page.Total, err, perStatus[st])
		}
		if perStatus[st] == 0 {
			t.Errorf("no seeded lead is %s", st)
		}
	}
	for _, p := range pools {
		page, err := s.ListLeads(ctx, ws.ID, store.LeadFilter{PoolID: p.ID, Limit: 1})
		if err != nil || page.Total != perPool[p.ID] {
			t.Errorf("pool %s: total %d, %v; brute force %d", p.Name, page.Total, err, perPool[p.ID])
		}
		if p.IsDefault != (perPool[p.ID] == 0) {
			t.Errorf("pool %s holds %d seeded leads; want them all in the named pools", p.Name, perPool[p.ID])
		}
	}

	// Extras: some leads have notes and tags; every lead is searchable by its name.
	for i, id := range allIDs(pages) {
		d, err := s.LeadDetail(ctx, ws.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Notes) > 0 {
			withNotes++
		}
		if len(d.Lead.Tags) > 0 {
			withTags++
		}
		if i%50 == 0 {
			page, err := s.ListLeads(ctx, ws.ID, store.LeadFilter{Query: d.Lead.Name, Limit: store.MaxPageSize})
			if err != nil || !slices.Contains(ids(page.Leads), id) {
				t.Errorf("search %q does not find the seeded lead: %v", d.Lead.Name, err)
			}
		}
	}
	if withNotes == 0 || withTags == 0 {
		t.Errorf("with extras, %d leads have notes and %d tags; want some of each", withNotes, withTags)
	}

	// Seeding again keeps the pools and adds to the counts.
	if _, err := s.Seed(ctx, ws.ID, 20, store.SeedOptions{Rand: testRand()}); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Pools(ctx, ws.ID); len(again) != 4 {
		t.Errorf("seeding again made %d pools, want the same 4", len(again))
	}
	if total, _, _ := s.Counts(ctx, ws.ID); total != 520 {
		t.Errorf("after seeding 20 more: %d leads, want 520", total)
	}
}
