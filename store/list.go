package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Sort orders of the lead table.
const (
	SortCreated = "created" // newest first, the default
	SortName    = "name"    // A to Z
)

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
	// CountBound is where a search's count stops being exact ("1,000+"): counting
	// every match of a common word over a million leads would read them all. At a
	// million leads, counting up to 10,000 matches cost 20 ms a search, which put a
	// search past its 25 ms target; up to 1,000 it costs a tenth of that. Filters
	// without a search are always exact (maintained counters), and a bulk selection
	// counts exactly whatever the size.
	CountBound = 1000
)

// LeadFilter selects active leads of one workspace. The table, bulk selection and the
// API all use it, so "select all matching" is exactly what the table showed.
type LeadFilter struct {
	PoolID string
	Status string
	Query  string
	Sort   string
	Cursor string
	Limit  int
}

// LeadPage is one page of a filtered list, with the cursors of its neighbours ("" when
// there is none) and the number of leads the filter matches.
type LeadPage struct {
	Leads []Lead
	Next  string
	Prev  string
	// Total is exact unless Capped, in which case more than CountBound match.
	Total  int
	Capped bool
	// Searched is true when Query had words to search for. Results then come most
	// recently added first (the search index's order), which is creation order for
	// leads made in the console, the API or an import, but not for seeded history.
	Searched bool
}

// cursor is a position in one ordering of a list; its fields depend on the ordering.
type cursor struct {
	Kind    string `json:"k"`           // created, name or search
	Before  bool   `json:"b,omitempty"` // page backwards from here
	Created int64  `json:"c,omitempty"`
	Name    string `json:"n,omitempty"`
	Seq     int64  `json:"s"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errBadCursor = &Error{Code: EInvalid, Message: "That page link is not valid (it may be from another list); start again from the first page",
	Fields: map[string]string{"cursor": "is not valid for this list"}}

func decodeCursor(s, kind string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 1024 {
		return nil, errBadCursor
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Kind != kind || c.Seq <= 0 {
		return nil, errBadCursor
	}
	return &c, nil
}

// orderings are the keyset orders of lead lists: the ORDER BY, the comparison that
// moves forwards from a cursor, and the cursor's key values for it.
var orderings = map[string]struct {
	order, after string
	key          func(c *cursor) []any
}{
	SortCreated: {"l.created_at DESC, l.seq DESC", "(l.created_at, l.seq) < (?, ?)", func(c *cursor) []any { return []any{c.Created, c.Seq} }},
	// The collation sits on the cursor's side, so that SQLite can seek the NOCASE
	// name index to the cursor instead of reading it from the top.
	SortName: {"l.name COLLATE NOCASE ASC, l.seq ASC", "(l.name, l.seq) > (? COLLATE NOCASE, ?)", func(c *cursor) []any { return []any{c.Name, c.Seq} }},
	"search": {"f.rowid DESC", "f.rowid < ?", func(c *cursor) []any { return []any{c.Seq} }},
	"trash":  {"l.deleted_at DESC, l.seq DESC", "(l.deleted_at, l.seq) < (?, ?)", func(c *cursor) []any { return []any{c.Created, c.Seq} }},
}

func cursorAt(kind string, l Lead, before bool) string {
	c := cursor{Kind: kind, Before: before, Seq: l.seq}
	switch kind {
	case SortCreated:
		c.Created = l.CreatedAt.UnixMilli()
	case SortName:
		c.Name = l.Name
	case "trash":
		c.Created = l.DeletedAt.UnixMilli()
	}
	return c.encode()
}

// pageQuery is one keyset-paged query over leads: a range scan from the cursor in
// one index, in either direction, never an OFFSET.
type pageQuery struct {
	kind  string
	from  string
	where []string
	args  []any
	cur   *cursor
	limit int
}

// run returns the page's leads in display order and the cursors of the pages
// before and after it ("" where there is none).
func (pq pageQuery) run(ctx context.Context, q querier) (leads []Lead, next, prev string, err error) {
	o := orderings[pq.kind]
	where, args, order := pq.where, pq.args, o.order
	before := pq.cur != nil && pq.cur.Before
	if pq.cur != nil {
		after := o.after
		if before {
			order = reverseOrder(order)
			after = strings.NewReplacer("<", ">", ">", "<").Replace(after)
		}
		where, args = append(where[:len(where):len(where)], after), append(args[:len(args):len(args)], o.key(pq.cur)...)
	}
	query := `SELECT ` + leadColumns + ` FROM ` + pq.from + leadJoins + `WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order + fmt.Sprintf(` LIMIT %d`, pq.limit+1)
	err = eachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		l, err := scanLead(rows)
		leads = append(leads, l)
		return err
	})
	if err != nil {
		return nil, "", "", err
	}
	more := len(leads) > pq.limit
	if more {
		leads = leads[:pq.limit]
	}
	if before {
		reverse(leads)
	}
	if n := len(leads); n > 0 {
		if more || before {
			next = cursorAt(pq.kind, leads[n-1], false)
		}
		if (before && more) || (!before && pq.cur != nil) {
			prev = cursorAt(pq.kind, leads[0], true)
		}
	}
	return leads, next, prev, nil
}

// boundedCount counts the rows of a query up to CountBound, reporting whether there
// were more.
func boundedCount(ctx context.Context, q querier, from string, where []string, args []any) (int, bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+from+` WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` LIMIT %d)`, CountBound+1), args...).Scan(&n)
	if n > CountBound {
		return CountBound, true, err
	}
	return n, false, err
}

// checkFilter validates a filter's values against the workspace.
func (s *Store) checkFilter(ctx context.Context, q querier, workspaceID string, f *LeadFilter) error {
	v := Invalid{}
	if f.Status != "" {
		if _, ok := ParseStatus(f.Status); !ok {
			v.Add("status", "must be one of new, contacted, qualified, won, lost")
		}
	}
	switch f.Sort {
	case "":
		f.Sort = SortCreated
	case SortCreated, SortName:
	default:
		v.Add("sort", "must be created or name")
	}
	if f.PoolID != "" {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM pools WHERE workspace_id = ? AND id = ?`, workspaceID, f.PoolID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			v.Add("pool", "is not a pool of this workspace")
		}
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 0:
		v.Add("limit", "must be positive")
	case f.Limit > MaxPageSize:
		f.Limit = MaxPageSize
	}
	return v.Err()
}

// ListLeads returns a page of the workspace's active leads that match the filter.
// Every page is a keyset range scan over one index (or over the search index, newest
// first): its cost does not grow with how deep the page is.
func (s *Store) ListLeads(ctx context.Context, workspaceID string, f LeadFilter) (LeadPage, error) {
	var page LeadPage
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return page, err
	}
	defer tx.Rollback()
	if err := s.checkFilter(ctx, tx, workspaceID, &f); err != nil {
		return page, err
	}
	match := matchQuery(f.Query)
	kind := f.Sort
	if match != "" {
		kind = "search"
		page.Searched = true
	}
	cur, err := decodeCursor(f.Cursor, kind)
	if err != nil {
		return page, err
	}

	pq := pageQuery{kind: kind, from: "leads l", where: []string{"l.workspace_id = ?", "l.deleted_at IS NULL"},
		args: []any{workspaceID}, cur: cur, limit: f.Limit}
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
	if match == "" {
		page.Total, err = countActive(ctx, tx, workspaceID, f.PoolID, f.Status)
		if err != nil || page.Total == 0 {
			// Nothing to list: the index may still hold many leads of the filter, all in
			// the Trash (every "won" lead just deleted), which the page would read past.
			return page, err
		}
	}
	if page.Leads, page.Next, page.Prev, err = pq.run(ctx, tx); err != nil {
		return page, fmt.Errorf("store: list leads: %w", err)
	}
	if match != "" {
		if page.Total, page.Capped, err = boundedCount(ctx, tx, pq.from, pq.where, pq.args); err != nil {
			return page, fmt.Errorf("store: count leads: %w", err)
		}
	}
	return page, nil
}

func reverseOrder(order string) string {
	parts := strings.Split(order, ", ")
	for i, p := range parts {
		switch {
		case strings.HasSuffix(p, " DESC"):
			parts[i] = strings.TrimSuffix(p, " DESC") + " ASC"
		case strings.HasSuffix(p, " ASC"):
			parts[i] = strings.TrimSuffix(p, " ASC") + " DESC"
		default:
			parts[i] = p + " ASC"
		}
	}
	return strings.Join(parts, ", ")
}

// activeGroups are the workspace's active leads of the pool and status ("" for any)
// as the counters count them: a filter's size and its counters' changes, without
// reading its leads.
func activeGroups(ctx context.Context, q querier, workspaceID, poolID, status string) (leadGroups, error) {
	return scanGroups(ctx, q, `SELECT pool_id, status, contact, active FROM lead_counts
		WHERE workspace_id = ? AND ? IN ('', pool_id) AND ? IN ('', status) AND active > 0`, workspaceID, poolID, status)
}

// countActive reads the maintained counters: exact, and a handful of rows whatever
// the number of leads.
func countActive(ctx context.Context, q querier, workspaceID, poolID, status string) (int, error) {
	groups, err := activeGroups(ctx, q, workspaceID, poolID, status)
	return groups.total(), err
}

// Counts returns the workspace's active leads per pool and per status.
func (s *Store) Counts(ctx context.Context, workspaceID string) (total int, byStatus map[Status]int, err error) {
	byStatus = map[Status]int{}
	err = eachRow(ctx, s.read, `SELECT status, SUM(active) FROM lead_counts WHERE workspace_id = ? GROUP BY status`,
		[]any{workspaceID}, func(rows *sql.Rows) error {
			var st string
			var n int
			err := rows.Scan(&st, &n)
			byStatus[Status(st)] = n
			total += n
			return err
		})
	return total, byStatus, err
}

// activeSet is the set of the workspace's active leads that the filter matches: the
// same set the table lists for it, as one condition a bulk action can use.
func (s *Store) activeSet(ctx context.Context, q querier, workspaceID string, f LeadFilter) (leadSet, error) {
	f.Cursor, f.Sort, f.Limit = "", "", 0
	if err := s.checkFilter(ctx, q, workspaceID, &f); err != nil {
		return leadSet{}, err
	}
	ls := anyLeads("workspace_id = ? AND deleted_at IS NULL", workspaceID)
	if f.PoolID != "" {
		ls = anyLeads(ls.where+" AND pool_id = ?", append(ls.args, f.PoolID)...)
	}
	if f.Status != "" {
		ls = anyLeads(ls.where+" AND status = ?", append(ls.args, f.Status)...)
	}
	return withSearch(ls, workspaceID, f.Query), nil
}

// withSearch narrows a set to the leads whose text matches the query (if it has words).
// The set's own workspace term is then disabled as an index key ("+"), so SQLite
// starts from the search's matches, each a rowid lookup, and never walks every lead
// of the workspace to test it against the matches.
func withSearch(ls leadSet, workspaceID, query string) leadSet {
	if match := matchQuery(query); match != "" {
		return leadSet{ls.from, strings.Replace(ls.where, "workspace_id = ?", "+workspace_id = ?", 1) +
			" AND seq IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)", append(ls.args, match)}
	}
	return ls
}

// CountMatching is the exact number of active leads the filter matches (the table's
// count may stop at CountBound; a bulk selection never does).
func (s *Store) CountMatching(ctx context.Context, workspaceID string, f LeadFilter) (int, error) {
	ls, err := s.activeSet(ctx, s.read, workspaceID, f)
	if err != nil {
		return 0, err
	}
	if matchQuery(f.Query) == "" { // from the counters, as DeleteLeads will count it
		return countActive(ctx, s.read, workspaceID, f.PoolID, f.Status)
	}
	var n int
	err = s.read.QueryRowContext(ctx, `SELECT count(*) FROM `+ls.from+` WHERE `+ls.where, ls.args...).Scan(&n)
	return n, err
}
