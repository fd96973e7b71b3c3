package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Status is where a lead stands in the sales process.
type Status string

// The statuses, in the order of the process.
const (
	StatusNew       Status = "new"
	StatusContacted Status = "contacted"
	StatusQualified Status = "qualified"
	StatusWon       Status = "won"
	StatusLost      Status = "lost"
)

// Statuses lists every status in the order of the process.
var Statuses = []Status{StatusNew, StatusContacted, StatusQualified, StatusWon, StatusLost}

// ParseStatus returns the status named s.
func ParseStatus(s string) (Status, bool) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// Actor is who does something: a user, an API key, or the system.
type Actor struct {
	Kind string // "user", "key" or "system"
	ID   string
	Name string
}

// UserActor is the actor for a signed-in user.
func UserActor(u User) Actor { return Actor{Kind: "user", ID: u.ID, Name: u.Name} }

// Lead is a person or company a sales team works on.
type Lead struct {
	seq         int64
	ID          string
	WorkspaceID string
	PoolID      string
	PoolName    string
	Name        string
	Email       string
	Phone       string
	Company     string
	Status      Status
	Source      string
	OwnerID     string
	OwnerName   string
	Metadata    map[string]any
	Tags        []string
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Set while the lead is in the Trash.
	DeletedAt     *time.Time
	DeletedBy     string
	DeletedByName string
	DeleteReason  string
	BatchID       string

	// Set while the lead is on legal hold: it is never purged or erased.
	HeldAt     *time.Time
	HeldByName string
	HoldReason string
}

// PhoneDisplay is the phone as people read it, "+1 415-555-0142"; the stored form
// is E.164, "+14155550142", which search also matches.
func (l Lead) PhoneDisplay() string {
	if l.Phone == "" {
		return ""
	}
	num, err := phonenumbers.Parse(l.Phone, "US")
	if err != nil {
		return l.Phone
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// InTrash reports whether the lead has been deleted (and not yet purged).
func (l Lead) InTrash() bool { return l.DeletedAt != nil }

// LeadInput is what a person or a client gives to create or edit a lead. In an edit,
// a nil field is left as it is.
type LeadInput struct {
	Name    *string
	Email   *string
	Phone   *string
	Company *string
	Status  *string
	PoolID  *string
	Source  *string
	Tags    *[]string
	// Metadata, when set, merges one level deep into the lead's metadata: a key with
	// a nil value is removed.
	Metadata map[string]any
}

// Field limits.
const (
	maxLeadNameLen = 200
	maxEmailLen    = 254
	maxCompanyLen  = 200
	maxSourceLen   = 100
	maxTagLen      = 40
	maxTags        = 20
	maxNoteLen     = 5000
	maxMetadataLen = 16 << 10
)

// normalizeLead validates in against l (the lead as it is, or zero for a new one)
// and applies it to l.
func normalizeLead(in LeadInput, l *Lead, region string) error {
	v := Invalid{}
	if in.Name != nil {
		l.Name = strings.TrimSpace(*in.Name)
	}
	switch n := len([]rune(l.Name)); {
	case n == 0:
		v.Add("name", "is required")
	case n > maxLeadNameLen:
		v.Add("name", fmt.Sprintf("must be at most %d characters", maxLeadNameLen))
	}
	if in.Email != nil {
		l.Email = strings.TrimSpace(*in.Email)
		if l.Email != "" {
			switch {
			case len(l.Email) > maxEmailLen:
				v.Add("email", fmt.Sprintf("must be at most %d characters", maxEmailLen))
			case !validEmail(l.Email):
				v.Add("email", "is not a valid e-mail address, like name@example.com")
			}
		}
	}
	if in.Phone != nil {
		raw := strings.TrimSpace(*in.Phone)
		l.Phone = raw
		if raw != "" {
			e164, err := NormalizePhone(raw, region)
			if err != nil {
				v.Add("phone", err.Error())
			} else {
				l.Phone = e164
			}
		}
	}
	if in.Company != nil {
		l.Company = strings.TrimSpace(*in.Company)
		if len([]rune(l.Company)) > maxCompanyLen {
			v.Add("company", fmt.Sprintf("must be at most %d characters", maxCompanyLen))
		}
	}
	if in.Source != nil {
		l.Source = strings.TrimSpace(*in.Source)
		if len([]rune(l.Source)) > maxSourceLen {
			v.Add("source", fmt.Sprintf("must be at most %d characters", maxSourceLen))
		}
	}
	if in.Status != nil {
		st := strings.TrimSpace(*in.Status)
		if st == "" && l.Status == "" {
			st = string(StatusNew)
		}
		if parsed, ok := ParseStatus(st); ok {
			l.Status = parsed
		} else {
			v.Add("status", "must be one of new, contacted, qualified, won, lost")
		}
	}
	if l.Status == "" {
		l.Status = StatusNew
	}
	if in.Tags != nil {
		tags, msg := normalizeTags(*in.Tags)
		if msg != "" {
			v.Add("tags", msg)
		}
		l.Tags = tags
	}
	if in.Metadata != nil {
		merged := map[string]any{}
		for k, val := range l.Metadata {
			merged[k] = val
		}
		for k, val := range in.Metadata {
			if val == nil {
				delete(merged, k)
			} else {
				merged[k] = val
			}
		}
		if b, err := json.Marshal(merged); err != nil || len(b) > maxMetadataLen {
			v.Add("metadata", fmt.Sprintf("must be a JSON object of at most %d bytes", maxMetadataLen))
		}
		l.Metadata = merged
	}
	return v.Err()
}

// validEmail reports whether s is a bare e-mail address whose domain has a dot,
// as a lead's e-mail (and a suppressed one) must be.
func validEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

func normalizeTags(in []string) ([]string, string) {
	seen := map[string]bool{}
	var tags []string
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if len([]rune(t)) > maxTagLen {
			return nil, fmt.Sprintf("each tag must be at most %d characters", maxTagLen)
		}
		seen[t] = true
		tags = append(tags, t)
	}
	if len(tags) > maxTags {
		return nil, fmt.Sprintf("at most %d tags", maxTags)
	}
	sort.Strings(tags)
	return tags, ""
}

// NormalizePhone parses a phone number, national numbers in region's format, and
// returns it in E.164.
func NormalizePhone(raw, region string) (string, error) {
	num, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", errors.New("is not a valid phone number (try the international form, like +1 415 555 0123)")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// CreateLead validates in and adds the lead to the workspace, in its default pool
// unless in names one.
func (s *Store) CreateLead(ctx context.Context, ws Workspace, actor Actor, in LeadInput) (Lead, error) {
	l := Lead{WorkspaceID: ws.ID}
	if err := normalizeLead(in, &l, ws.DefaultRegion); err != nil {
		return Lead{}, err
	}
	err := s.inTx(ctx, func(tx *Tx) error {
		if err := s.checkSuppressed(ctx, tx, ws.ID, l.Email, l.Phone); err != nil {
			return err
		}
		pool, err := resolvePool(ctx, tx, ws.ID, in.PoolID)
		if err != nil {
			return err
		}
		l.ID, l.PoolID, l.PoolName = newID(prefixLead), pool.ID, pool.Name
		l.CreatedAt, l.UpdatedAt = tx.now, tx.now
		if actor.Kind == "user" {
			l.OwnerID, l.OwnerName = actor.ID, actor.Name
		}
		if err := insertLead(ctx, tx, &l); err != nil {
			return err
		}
		return addActivity(ctx, tx, l.ID, actor, "created", "")
	})
	return l, err
}

// resolvePool returns the workspace's pool with the id, or its default pool when id
// is nil or empty. Another workspace's pool is "not found", like a missing one.
func resolvePool(ctx context.Context, q querier, workspaceID string, id *string) (Pool, error) {
	var p Pool
	var err error
	if id == nil || strings.TrimSpace(*id) == "" {
		err = q.QueryRowContext(ctx, `SELECT id, workspace_id, name, is_default FROM pools WHERE workspace_id = ? AND is_default = 1`,
			workspaceID).Scan(&p.ID, &p.WorkspaceID, &p.Name, &p.IsDefault)
	} else {
		err = q.QueryRowContext(ctx, `SELECT id, workspace_id, name, is_default FROM pools WHERE workspace_id = ? AND id = ?`,
			workspaceID, strings.TrimSpace(*id)).Scan(&p.ID, &p.WorkspaceID, &p.Name, &p.IsDefault)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return p, &Error{Code: EInvalid, Message: "Please correct the highlighted fields", Fields: map[string]string{"pool": "is not a pool of this workspace"}}
	}
	return p, err
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func insertLead(ctx context.Context, tx *Tx, l *Lead) error {
	meta, err := json.Marshal(nonNilMap(l.Metadata))
	if err != nil {
		return err
	}
	var owner any
	if l.OwnerID != "" {
		owner = l.OwnerID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO lead_rows (id, workspace_id, pool_id, name, email, phone, company, status, source,
		owner_id, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.WorkspaceID, l.PoolID, l.Name, l.Email, l.Phone, l.Company, string(l.Status), l.Source,
		owner, string(meta), l.CreatedAt.UnixMilli(), l.UpdatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: insert lead: %w", err)
	}
	if l.seq, err = res.LastInsertId(); err != nil {
		return err
	}
	if err := setTags(ctx, tx, l.ID, l.Tags); err != nil {
		return err
	}
	if err := indexLead(ctx, tx, *l); err != nil {
		return err
	}
	return countLeads(ctx, tx, l.WorkspaceID, oneLead(l.seq), 1, 0)
}

// oneLead is the set of the lead with the seq.
func oneLead(seq int64) leadSet { return anyLeads("seq = ?", seq) }

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func setTags(ctx context.Context, tx *Tx, leadID string, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE lead_id = ?`, leadID); err != nil {
		return err
	}
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tags (lead_id, tag) VALUES (?, ?)`, leadID, t); err != nil {
			return err
		}
	}
	return nil
}

// contactOf is the SQL, over a row of leads, of how the lead can be reached, the
// key that lead_counts keeps beside pool and status for /stats: 'ok' with a valid
// phone, 'none' with no e-mail and no phone, 'nophone' otherwise (an e-mail alone, or
// a phone that did not parse). A phone is valid when it is in E.164, "+" and 7 to 15
// digits, the form the store writes exactly for numbers that parsed (normalizeLead);
// anything else is kept as given. Migration 0007 fills lead_counts with the same CASE.
const contactOf = `CASE WHEN substr(phone, 1, 1) = '+' AND length(phone) BETWEEN 8 AND 16 AND substr(phone, 2, 1) <> '0'
		AND trim(substr(phone, 2), '0123456789') = '' THEN 'ok'
	WHEN email = '' AND phone = '' THEN 'none'
	ELSE 'nophone' END`

// countLeads keeps lead_counts in step with a change to the set's leads, in the same
// transaction as the change: each lead adds active and trashed (+1, -1 or 0) to the
// counters of its pool, status and contact, as the set's rows are when it is called.
func countLeads(ctx context.Context, tx *Tx, workspaceID string, ls leadSet, active, trashed int) error {
	groups, err := groupLeads(ctx, tx, ls)
	if err != nil {
		return err
	}
	return groups.count(ctx, tx, workspaceID, active, trashed)
}

// leadGroups are a set's leads counted by pool, status and contact: what lead_counts
// keeps. One scan gives both the size of a set and its counters' changes.
type leadGroups []struct {
	pool, status, contact string
	n                     int
}

func groupLeads(ctx context.Context, tx *Tx, ls leadSet) (leadGroups, error) {
	return scanGroups(ctx, tx, `SELECT pool_id, status, `+contactOf+`, count(*) FROM `+ls.from+` WHERE `+ls.where+` GROUP BY 1, 2, 3`,
		ls.args...)
}

// scanGroups reads leadGroups from a query of pool, status, contact and a count.
func scanGroups(ctx context.Context, q querier, query string, args ...any) (leadGroups, error) {
	var groups leadGroups
	err := eachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		groups = append(groups, leadGroups{{}}...)
		g := &groups[len(groups)-1]
		return rows.Scan(&g.pool, &g.status, &g.contact, &g.n)
	})
	return groups, err
}

// total is how many leads the groups hold.
func (groups leadGroups) total() int {
	n := 0
	for _, g := range groups {
		n += g.n
	}
	return n
}

// count adds active and trashed (+1, -1 or 0) per lead of the groups to lead_counts.
func (groups leadGroups) count(ctx context.Context, tx *Tx, workspaceID string, active, trashed int) error {
	for _, g := range groups {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lead_counts (workspace_id, pool_id, status, contact, active, trashed)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, pool_id, status, contact) DO UPDATE
			SET active = active + excluded.active, trashed = trashed + excluded.trashed`,
			workspaceID, g.pool, g.status, g.contact, active*g.n, trashed*g.n); err != nil {
			return err
		}
	}
	return nil
}

func addActivity(ctx context.Context, tx *Tx, leadID string, actor Actor, kind, text string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO lead_activity (lead_id, at, actor_id, kind, text) VALUES (?, ?, ?, ?, ?)`,
		leadID, tx.nowMs(), actor.ID, kind, text)
	return err
}

// UpdateLead validates in and applies it to the workspace's active lead.
func (s *Store) UpdateLead(ctx context.Context, ws Workspace, actor Actor, id string, in LeadInput) (Lead, error) {
	var l Lead
	err := s.inTx(ctx, func(tx *Tx) error {
		old, err := getLead(ctx, tx, ws.ID, id)
		if err != nil {
			return err
		}
		if old.InTrash() {
			return Errorf(EConflict, "This lead is in the Trash; restore it before editing")
		}
		old.Tags, err = leadTags(ctx, tx, old.ID)
		if err != nil {
			return err
		}
		l = old
		if err := normalizeLead(in, &l, ws.DefaultRegion); err != nil {
			return err
		}
		if in.PoolID != nil {
			pool, err := resolvePool(ctx, tx, ws.ID, in.PoolID)
			if err != nil {
				return err
			}
			l.PoolID, l.PoolName = pool.ID, pool.Name
		}
		changed := changedFields(old, l)
		if len(changed) == 0 {
			return nil
		}
		// An edit must not bring back what a suppression refuses to a new lead.
		email, phone := l.Email, l.Phone
		if normalizeEmail(email) == normalizeEmail(old.Email) {
			email = ""
		}
		if phone == old.Phone {
			phone = ""
		}
		if err := s.checkSuppressed(ctx, tx, ws.ID, email, phone); err != nil {
			return err
		}
		l.UpdatedAt = tx.now
		meta, err := json.Marshal(nonNilMap(l.Metadata))
		if err != nil {
			return err
		}
		// The counters key a lead by pool, status and contact: out of the old ones
		// before the change, into the new ones after it.
		recount := old.PoolID != l.PoolID || old.Status != l.Status || old.Email != l.Email || old.Phone != l.Phone
		if recount {
			if err := countLeads(ctx, tx, ws.ID, oneLead(l.seq), -1, 0); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lead_rows SET pool_id = ?, name = ?, email = ?, phone = ?, company = ?,
			status = ?, source = ?, metadata = ?, updated_at = ? WHERE seq = ?`,
			l.PoolID, l.Name, l.Email, l.Phone, l.Company, string(l.Status), l.Source, string(meta), tx.nowMs(), l.seq); err != nil {
			return fmt.Errorf("store: update lead: %w", err)
		}
		if in.Tags != nil {
			if err := setTags(ctx, tx, l.ID, l.Tags); err != nil {
				return err
			}
		}
		if recount {
			if err := countLeads(ctx, tx, ws.ID, oneLead(l.seq), 1, 0); err != nil {
				return err
			}
		}
		if err := unindexLead(ctx, tx, old); err != nil {
			return err
		}
		if err := indexLead(ctx, tx, l); err != nil {
			return err
		}
		return addActivity(ctx, tx, l.ID, actor, "updated", "Changed "+strings.Join(changed, ", "))
	})
	return l, err
}

func changedFields(a, b Lead) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("name", a.Name != b.Name)
	add("e-mail", a.Email != b.Email)
	add("phone", a.Phone != b.Phone)
	add("company", a.Company != b.Company)
	add("status", a.Status != b.Status)
	add("pool", a.PoolID != b.PoolID)
	add("source", a.Source != b.Source)
	add("tags", strings.Join(a.Tags, ",") != strings.Join(b.Tags, ","))
	am, _ := json.Marshal(nonNilMap(a.Metadata))
	bm, _ := json.Marshal(nonNilMap(b.Metadata))
	add("metadata", string(am) != string(bm))
	return out
}

var leadColumns = `l.seq, l.id, l.workspace_id, l.pool_id, p.name, l.name, l.email, l.phone, l.company, l.status,
	l.source, COALESCE(l.owner_id, ''), COALESCE(u.name, ''), l.metadata, l.created_at, l.updated_at,
	l.deleted_at, COALESCE(l.deleted_by, ''), CASE WHEN l.deleted_by IS NULL THEN '' ELSE ` + deletedByName + ` END,
	COALESCE(l.delete_reason, ''), COALESCE(l.batch_id, ''),
	l.held_at, CASE WHEN l.held_by IS NULL THEN '' ELSE ` + heldByName + ` END, COALESCE(l.hold_reason, '')`

var (
	deletedByName = fmt.Sprintf(actorName, "l.deleted_by")
	heldByName    = fmt.Sprintf(actorName, "l.held_by")
)

var leadJoins = ` JOIN pools p ON p.id = l.pool_id LEFT JOIN users u ON u.id = l.owner_id `

func scanLead(row interface{ Scan(...any) error }, extra ...any) (Lead, error) {
	var l Lead
	var status, meta string
	var created, updated int64
	var deleted, held sql.NullInt64
	err := row.Scan(append([]any{&l.seq, &l.ID, &l.WorkspaceID, &l.PoolID, &l.PoolName, &l.Name, &l.Email, &l.Phone, &l.Company,
		&status, &l.Source, &l.OwnerID, &l.OwnerName, &meta, &created, &updated,
		&deleted, &l.DeletedBy, &l.DeletedByName, &l.DeleteReason, &l.BatchID,
		&held, &l.HeldByName, &l.HoldReason}, extra...)...)
	if err != nil {
		return l, err
	}
	l.Status = Status(status)
	l.CreatedAt = time.UnixMilli(created).UTC()
	l.UpdatedAt = time.UnixMilli(updated).UTC()
	if deleted.Valid {
		t := time.UnixMilli(deleted.Int64).UTC()
		l.DeletedAt = &t
	}
	if held.Valid {
		t := time.UnixMilli(held.Int64).UTC()
		l.HeldAt = &t
	}
	if err := json.Unmarshal([]byte(meta), &l.Metadata); err != nil || l.Metadata == nil {
		l.Metadata = map[string]any{}
	}
	return l, nil
}

// getLead returns the workspace's lead with the id, active or in the Trash. An id of
// another workspace is "not found", exactly as a missing one.
func getLead(ctx context.Context, q querier, workspaceID, id string) (Lead, error) {
	if !ValidLeadID(id) {
		return Lead{}, fmt.Errorf("store: lead %q: %w", id, ErrLeadNotFound)
	}
	l, err := scanLead(q.QueryRowContext(ctx, `SELECT `+leadColumns+` FROM leads l`+leadJoins+
		`WHERE l.workspace_id = ? AND l.id = ?`, workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("store: lead %s: %w", id, ErrLeadNotFound)
	}
	return l, err
}

func leadTags(ctx context.Context, q querier, leadID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT tag FROM tags WHERE lead_id = ? ORDER BY tag`, leadID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tags := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	return tags, rows.Err()
}

// Lead returns the workspace's lead with the id and its tags, whether active or in
// the Trash (see Lead.InTrash).
func (s *Store) Lead(ctx context.Context, workspaceID, id string) (Lead, error) {
	l, err := getLead(ctx, s.read, workspaceID, id)
	if err != nil {
		return l, err
	}
	l.Tags, err = leadTags(ctx, s.read, l.ID)
	return l, err
}
