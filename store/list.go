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
	// CountBound is where a search's count stops being exact ("10,000+"): counting
	// every match of a common word over a million leads would read them all.
	CountBound = 10000
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
	// Searched is true when Query had words to search for; results are then newest first.
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

func cursorAt(kind string, l Lead, before bool) string {
	c := cursor{Kind: kind, Before: before, Seq: l.seq}
	switch kind {
	case SortCreated:
		c.Created = l.CreatedAt.UnixMilli()
	case SortName:
		c.Name = l.Name
	}
	return c.encode()
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
	match := matchQuery(workspaceID, f.Query)
	kind := f.Sort
	if match != "" {
		kind = "search"
		page.Searched = true
	}
	cur, err := decodeCursor(f.Cursor, kind)
	if err != nil {
		return page, err
	}

	from := `leads l`
	where := []string{"l.workspace_id = ?", "l.deleted_at IS NULL"}
	args := []any{workspaceID}
	if match != "" {
		from = `leads_fts f JOIN leads l ON l.seq = f.rowid`
		where = append(where, "leads_fts MATCH ?")
		args = append(args, match)
	}
	if f.PoolID != "" {
		where = append(where, "l.pool_id = ?")
		args = append(args, f.PoolID)
	}
	if f.Status != "" {
		where = append(where, "l.status = ?")
		args = append(args, f.Status)
	}
	filterWhere, filterArgs := strings.Join(where, " AND "), append([]any(nil), args...)

	// The natural order of each kind, and the comparison that moves forwards in it.
	before := cur != nil && cur.Before
	var order, after string
	switch kind {
	case SortCreated:
		order, after = "l.created_at DESC, l.seq DESC", "(l.created_at, l.seq) < (?, ?)"
		if cur != nil {
			args = append(args, cur.Created, cur.Seq)
		}
	case SortName:
		order, after = "l.name COLLATE NOCASE ASC, l.seq ASC", "(l.name COLLATE NOCASE, l.seq) > (?, ?)"
		if cur != nil {
			args = append(args, cur.Name, cur.Seq)
		}
	case "search":
		order, after = "f.rowid DESC", "f.rowid < ?"
		if cur != nil {
			args = append(args, cur.Seq)
		}
	}
	if before {
		order = reverseOrder(order)
		after = strings.NewReplacer("<", ">", ">", "<").Replace(after)
	}
	if cur != nil {
		where = append(where, after)
	}
	query := `SELECT ` + leadColumns + ` FROM ` + from + leadJoins + `WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order + fmt.Sprintf(` LIMIT %d`, f.Limit+1)
	err = eachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		l, err := scanLead(rows)
		page.Leads = append(page.Leads, l)
		return err
	})
	if err != nil {
		return page, fmt.Errorf("store: list leads: %w", err)
	}
	more := len(page.Leads) > f.Limit
	if more {
		page.Leads = page.Leads[:f.Limit]
	}
	if before {
		for i, j := 0, len(page.Leads)-1; i < j; i, j = i+1, j-1 {
			page.Leads[i], page.Leads[j] = page.Leads[j], page.Leads[i]
		}
	}
	if n := len(page.Leads); n > 0 {
		first, last := page.Leads[0], page.Leads[n-1]
		switch {
		case before:
			page.Next = cursorAt(kind, last, false)
			if more {
				page.Prev = cursorAt(kind, first, true)
			}
		default:
			if more {
				page.Next = cursorAt(kind, last, false)
			}
			if cur != nil {
				page.Prev = cursorAt(kind, first, true)
			}
		}
	}

	if match == "" {
		page.Total, err = countActive(ctx, tx, workspaceID, f.PoolID, f.Status)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+from+` WHERE `+filterWhere+
			fmt.Sprintf(` LIMIT %d)`, CountBound+1), filterArgs...).Scan(&page.Total)
		if page.Total > CountBound {
			page.Total, page.Capped = CountBound, true
		}
	}
	if err != nil {
		return page, fmt.Errorf("store: count leads: %w", err)
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

// countActive reads the maintained counters: exact, and a handful of rows whatever
// the number of leads.
func countActive(ctx context.Context, q querier, workspaceID, poolID, status string) (int, error) {
	query := `SELECT COALESCE(SUM(active), 0) FROM lead_counts WHERE workspace_id = ?`
	args := []any{workspaceID}
	if poolID != "" {
		query += ` AND pool_id = ?`
		args = append(args, poolID)
	}
	if status != "" {
		query += ` AND status = ?`
		args = append(args, status)
	}
	var n int
	err := q.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
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
