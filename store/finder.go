package store

// "Where is my lead?": given a name, an e-mail, a phone or an id, the operator's
// finder says for each lead it finds where it is — active (and what would hide it
// from the table), in the Trash (who, when, why, until when), purged or erased
// (when, how). Purged and erased leads keep no name, so only an e-mail, a phone or
// an id finds them (through their tombstones' keyed hashes).

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// FinderLimit bounds the hits of one search.
const FinderLimit = 50

// Lead states the finder reports.
const (
	StateActive = "active"
	StateTrash  = "trash"
	StatePurged = "purged"
	StateErased = "erased"
)

// FinderHit is one lead the finder found and where it is.
type FinderHit struct {
	Workspace Workspace
	State     string
	Lead      Lead      // active or in the Trash
	PurgeAt   time.Time // in the Trash: when retention purges it (zero while on hold)
	Tombstone Tombstone // purged or erased
	Reference string    // erased: the erasure request
}

// FinderResult is what a search found, and how it searched.
type FinderResult struct {
	Kind   string // id, email, phone, name
	Hits   []FinderHit
	Capped bool
}

// FindLeads looks for leads in one workspace (workspaceID) or in all ("").
func (s *Store) FindLeads(ctx context.Context, text, workspaceID string) (FinderResult, error) {
	var r FinderResult
	text = strings.TrimSpace(text)
	if text == "" {
		return r, &Error{Code: EInvalid, Message: "Please correct the highlighted fields", Fields: map[string]string{"q": "enter a name, e-mail, phone or lead id"}}
	}
	workspaces, err := s.Workspaces(ctx)
	if err != nil {
		return r, err
	}
	byID := map[string]Workspace{}
	region := "US"
	for _, w := range workspaces {
		byID[w.ID] = w.Workspace
		if w.ID == workspaceID {
			region = w.DefaultRegion
		}
	}
	if workspaceID != "" {
		if _, ok := byID[workspaceID]; !ok {
			return r, &Error{Code: EInvalid, Message: "Please correct the highlighted fields", Fields: map[string]string{"workspace": "is not a workspace"}}
		}
	}
	// Live leads by the search index (or the id), then tombstones by the id or the
	// keyed hash of the e-mail or phone.
	var where, tombWhere string
	var args, tombArgs []any
	exact := func(Lead) bool { return true }
	switch {
	case ValidLeadID(text):
		r.Kind = "id"
		where, args = "l.id = ?", []any{text}
		tombWhere, tombArgs = "t.lead_id = ?", []any{text}
	case strings.Contains(text, "@"):
		r.Kind = "email"
		email := normalizeEmail(text)
		// Candidates from the index; the exact e-mail is compared below, in Go.
		where, args = "l.seq IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)", []any{"email : (" + matchQuery(email) + ")"}
		exact = func(l Lead) bool { return normalizeEmail(l.Email) == email }
		emailHash, _ := s.contactHashes(email, "")
		tombWhere, tombArgs = "t.email_hash = ?", []any{emailHash}
	case looksLikePhone(text):
		r.Kind = "phone"
		where, args = "l.seq IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)", []any{"phone : " + matchQuery(text)}
		if e164, err := NormalizePhone(text, region); err == nil {
			_, phoneHash := s.contactHashes("", e164)
			tombWhere, tombArgs = "t.phone_hash = ?", []any{phoneHash}
		}
	default:
		r.Kind = "name"
		match := matchQuery(text)
		if match == "" {
			return r, &Error{Code: EInvalid, Message: "Please correct the highlighted fields", Fields: map[string]string{"q": "enter a name, e-mail, phone or lead id"}}
		}
		where, args = "l.seq IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)", []any{"name : (" + match + ")"}
	}
	if workspaceID != "" {
		where, args = where+" AND +l.workspace_id = ?", append(args, workspaceID) // from the matches, not the workspace's leads
		if tombWhere != "" {
			tombWhere, tombArgs = tombWhere+" AND t.workspace_id = ?", append(tombArgs, workspaceID)
		}
	}
	err = eachRow(ctx, s.read, `SELECT `+leadColumns+` FROM leads l`+leadJoins+`WHERE `+where+
		fmt.Sprintf(` ORDER BY l.seq DESC LIMIT %d`, 4*FinderLimit), args, func(rows *sql.Rows) error {
		l, err := scanLead(rows)
		if err != nil || !exact(l) {
			return err
		}
		h := FinderHit{Workspace: byID[l.WorkspaceID], State: StateActive, Lead: l}
		if l.InTrash() {
			h.State = StateTrash
			if l.HeldAt == nil {
				h.PurgeAt = l.DeletedAt.Add(time.Duration(h.Workspace.RetentionDays) * 24 * time.Hour)
			}
		}
		r.Hits = append(r.Hits, h)
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("store: finder: %w", err)
	}
	if tombWhere != "" {
		err = eachRow(ctx, s.read, `SELECT t.workspace_id, t.lead_id, t.purged_at, t.how, `+fmt.Sprintf(actorName, "t.by_actor")+`, t.request_ref
			FROM tombstones t WHERE `+tombWhere+fmt.Sprintf(` ORDER BY t.purged_at DESC LIMIT %d`, FinderLimit+1), tombArgs,
			func(rows *sql.Rows) error {
				var h FinderHit
				var ws string
				var at int64
				if err := rows.Scan(&ws, &h.Tombstone.LeadID, &at, &h.Tombstone.How, &h.Tombstone.ByName, &h.Reference); err != nil {
					return err
				}
				h.Workspace, h.Tombstone.PurgedAt, h.State = byID[ws], time.UnixMilli(at).UTC(), StatePurged
				if h.Tombstone.How == "erasure" {
					h.State = StateErased
				}
				r.Hits = append(r.Hits, h)
				return nil
			})
		if err != nil {
			return r, fmt.Errorf("store: finder tombstones: %w", err)
		}
	}
	if len(r.Hits) > FinderLimit {
		r.Hits, r.Capped = r.Hits[:FinderLimit], true
	}
	return r, nil
}

// NextPurge is what the workspace's next scheduled retention run will remove.
type NextPurge struct {
	At     time.Time // the run's instant
	Due    bool      // the run is due now: the scheduler starts it within minutes
	Count  int
	Capped bool   // more than Count (CountBound) are due: counting them all on every Trash page costs too much
	Held   int    // trashed leads on legal hold, which no run purges
	Leads  []Lead // the first of them, oldest deletion first
}

// NextPurge works out when the workspace's retention purge runs next and what it
// will remove then, listing at most limit leads.
func (s *Store) NextPurge(ctx context.Context, ws Workspace, limit int) (NextPurge, error) {
	var np NextPurge
	now := s.Now().UTC()
	due, err := s.PurgeIsDue(ctx, ws, now)
	if err != nil {
		return np, err
	}
	np.At, np.Due = now, due
	if !due {
		np.At = nextPurgeHour(ws, now)
	}
	ls := dueSet(ws, np.At)
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return np, err
	}
	defer tx.Rollback()
	if np.Count, np.Capped, err = boundedCount(ctx, tx, ls.from, []string{ls.where}, ls.args); err != nil {
		return np, err
	}
	// By the index of held leads (few), not the Trash's (all of them).
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM lead_rows r INDEXED BY leads_held
		WHERE r.workspace_id = ? AND r.held_at IS NOT NULL AND EXISTS (SELECT 1 FROM trashed t WHERE t.seq = r.seq)`,
		ws.ID).Scan(&np.Held); err != nil {
		return np, err
	}
	// The first due leads in the Trash index's order, read there (not all of them sorted).
	err = eachRow(ctx, tx, `SELECT `+leadColumns+` FROM leads l`+leadJoins+`WHERE l.seq IN (SELECT seq FROM `+ls.from+` WHERE `+ls.where+`
		ORDER BY deleted_at, seq LIMIT ?) ORDER BY l.deleted_at, l.seq`, append(append([]any{}, ls.args...), limit), func(rows *sql.Rows) error {
		l, err := scanLead(rows)
		np.Leads = append(np.Leads, l)
		return err
	})
	return np, err
}

// nextPurgeHour is the first instant after now at the workspace's purge hour, local
// time, on a day after today's run (or today, if the hour has not come yet).
func nextPurgeHour(ws Workspace, now time.Time) time.Time {
	loc, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	at := time.Date(local.Year(), local.Month(), local.Day(), ws.PurgeHour, 0, 0, 0, loc)
	if !at.After(now) {
		at = time.Date(local.Year(), local.Month(), local.Day()+1, ws.PurgeHour, 0, 0, 0, loc)
	}
	return at.UTC()
}
