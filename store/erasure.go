package store

// GDPR erasure: an operator removes every trace of a person from a workspace at
// once. A lead is the person's when its e-mail or its phone is theirs. In one
// transaction their leads go for good (with notes, tags, tasks, activity and search
// entries), their name, e-mail and phone are redacted wherever other records
// mention them, tombstones and suppressions keep only keyed hashes, and a receipt
// names the request, never the person.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

const (
	prefixErasure      = "era_"
	maxReferenceLen    = 200
	redacted           = "[erased]"
	minRedactedNameLen = 3 // a shorter name is too likely to be part of other words
)

// ErasureRequest names the person to erase: an e-mail and/or a phone, or a lead
// whose e-mail and phone are used.
type ErasureRequest struct {
	Email     string
	Phone     string
	LeadID    string
	Reference string // the erasure request's reference (a ticket number), required to erase
	// ExpectedCount, when above zero, is how many leads the preview showed: if the
	// person's leads changed since, the erasure is refused.
	ExpectedCount int
}

// ErasureLead is one lead an erasure removes, as its preview shows it (with the
// person's details, for the operator to check) and its receipt keeps it (id and counts).
type ErasureLead struct {
	ID       string `json:"id"`
	Name     string `json:"-"`
	Email    string `json:"-"`
	Phone    string `json:"-"`
	InTrash  bool   `json:"wasInTrash"`
	Held     bool   `json:"-"`
	Notes    int    `json:"notes"`
	Tasks    int    `json:"tasks"`
	Activity int    `json:"activity"`
	Tags     int    `json:"tags"`
}

// ErasurePreview is what an erasure would remove.
type ErasurePreview struct {
	Email string // normalised: lower-cased e-mail, E.164 phone
	Phone string
	Leads []ErasureLead
}

// Held is how many of the leads are on legal hold (an erasure is refused while any is).
func (p ErasurePreview) Held() int {
	n := 0
	for _, l := range p.Leads {
		if l.Held {
			n++
		}
	}
	return n
}

// Erasure is the receipt of a done erasure: what went, when, by whom, for which
// request. It holds no personal data.
type Erasure struct {
	ID          string        `json:"id"`
	WorkspaceID string        `json:"workspaceId"`
	Reference   string        `json:"reference"`
	ByID        string        `json:"byId"`
	ByName      string        `json:"by"`
	At          time.Time     `json:"at"`
	Leads       []ErasureLead `json:"leads"`
	Suppressed  []string      `json:"suppressed"` // "email", "phone"
	Redacted    int           `json:"redactedRecords"`

	hashes personHashes // for the erasure log, never shown
}

// Total sums the receipt's counts.
func (e Erasure) Total() (notes, tasks, activity int) {
	for _, l := range e.Leads {
		notes, tasks, activity = notes+l.Notes, tasks+l.Tasks, activity+l.Activity
	}
	return
}

// person normalises the request into the e-mail and phone to match, reading the
// lead's own when the request names a lead.
func (req ErasureRequest) person(ctx context.Context, q querier, ws Workspace) (email, phone string, err error) {
	v := Invalid{}
	req.Email, req.Phone, req.LeadID = strings.TrimSpace(req.Email), strings.TrimSpace(req.Phone), strings.TrimSpace(req.LeadID)
	if req.LeadID != "" {
		l, err := getLead(ctx, q, ws.ID, req.LeadID)
		if err != nil {
			if _, terr := tombstone(ctx, q, ws.ID, req.LeadID); terr == nil {
				return "", "", &Error{Code: EGone, Message: "This lead is already permanently deleted"}
			}
			return "", "", err
		}
		req.Email, req.Phone = l.Email, l.Phone
		if req.Email == "" && req.Phone == "" {
			return "", "", &Error{Code: EInvalid, Message: "This lead has neither an e-mail nor a phone to find the person by; delete it from the Trash instead",
				Fields: map[string]string{"lead": "has no e-mail or phone"}}
		}
	}
	if req.Email == "" && req.Phone == "" {
		v.Add("email", "enter the person's e-mail, phone or both")
	}
	if req.Email != "" {
		if kind, val, perr := parseSuppressValue(req.Email, ws.DefaultRegion); perr != nil || kind != "email" {
			v.Add("email", "is not a valid e-mail address, like name@example.com")
		} else {
			email = val
		}
	}
	if req.Phone != "" {
		if e164, perr := NormalizePhone(req.Phone, ws.DefaultRegion); perr != nil {
			v.Add("phone", perr.Error())
		} else {
			phone = e164
		}
	}
	return email, phone, v.Err()
}

// personLeads finds the workspace's leads (active or in the Trash) with the e-mail
// or the phone, through the search index, with what each holds.
func personLeads(ctx context.Context, q querier, workspaceID, email, phone string) ([]ErasureLead, error) {
	// The search index finds the candidates (it folds case and accents); the exact
	// comparison is Go's, since SQLite's lower() folds ASCII only.
	var matches []string
	if email != "" {
		matches = append(matches, "email : ("+matchQuery(email)+")")
	}
	if phone != "" {
		matches = append(matches, "phone : "+matchQuery(digitsOf(phone)))
	}
	candidates, err := erasureLeads(ctx, q, `+l.workspace_id = ? AND l.seq IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)`,
		[]any{workspaceID, strings.Join(matches, " OR ")})
	if err != nil {
		return nil, err
	}
	var out []ErasureLead
	for _, l := range candidates {
		if (email != "" && normalizeEmail(l.Email) == email) || (phone != "" && l.Phone == phone) {
			out = append(out, l)
		}
	}
	return out, nil
}

// erasureLeads reads the leads the condition (on leads aliased l) matches, with
// what each holds, in insertion order.
func erasureLeads(ctx context.Context, q querier, cond string, args []any) ([]ErasureLead, error) {
	var out []ErasureLead
	err := eachRow(ctx, q, `SELECT l.id, l.name, l.email, l.phone, l.deleted_at IS NOT NULL, l.held_at IS NOT NULL,
		(SELECT count(*) FROM notes WHERE lead_id = l.id), (SELECT count(*) FROM tasks WHERE lead_id = l.id),
		(SELECT count(*) FROM activity WHERE lead_id = l.id), (SELECT count(*) FROM tags WHERE lead_id = l.id)
		FROM leads l WHERE `+cond+` ORDER BY l.seq`, args, func(rows *sql.Rows) error {
		var e ErasureLead
		err := rows.Scan(&e.ID, &e.Name, &e.Email, &e.Phone, &e.InTrash, &e.Held, &e.Notes, &e.Tasks, &e.Activity, &e.Tags)
		out = append(out, e)
		return err
	})
	return out, err
}

// PreviewErasure lists every lead of the person in the workspace, active or in the
// Trash, with what an erasure would remove.
func (s *Store) PreviewErasure(ctx context.Context, ws Workspace, req ErasureRequest) (ErasurePreview, error) {
	var p ErasurePreview
	var err error
	if p.Email, p.Phone, err = req.person(ctx, s.read, ws); err != nil {
		return p, err
	}
	p.Leads, err = personLeads(ctx, s.read, ws.ID, p.Email, p.Phone)
	return p, err
}

// Erase removes the person from the workspace for good (see the top of this file).
// It is refused whole if the request has no reference, if any of their leads is on
// legal hold, if they have no lead here, or if their leads are not the ExpectedCount
// the preview showed.
func (s *Store) Erase(ctx context.Context, ws Workspace, actor Actor, req ErasureRequest) (Erasure, error) {
	req.Reference = strings.TrimSpace(req.Reference)
	e := Erasure{ID: newID(prefixErasure), WorkspaceID: ws.ID, Reference: req.Reference, ByID: actor.ID, ByName: actor.Name,
		Suppressed: []string{}}
	err := s.inTx(ctx, func(tx *Tx) error {
		email, phone, err := req.person(ctx, tx, ws)
		v := Invalid{}
		var inv *Error
		if errors.As(err, &inv) && inv.Code == EInvalid {
			v, err = inv.Fields, nil
		}
		if err != nil {
			return err
		}
		ref := strings.ToLower(req.Reference)
		switch {
		case ref == "":
			v.Add("reference", "is required: the erasure request's reference, such as a ticket number")
		case len([]rune(ref)) > maxReferenceLen:
			v.Add("reference", fmt.Sprintf("must be at most %d characters", maxReferenceLen))
		case mentionsPerson(ref, []ErasureLead{{Email: email, Phone: phone}}):
			v.Add("reference", referenceNamesPerson)
		}
		if err := v.Err(); err != nil {
			return err
		}
		leads, err := personLeads(ctx, tx, ws.ID, email, phone)
		if err != nil {
			return err
		}
		p := ErasurePreview{Leads: leads}
		switch {
		case len(leads) == 0:
			return &Error{Code: EInvalid, Message: "No lead of this workspace has this e-mail or phone; nothing was erased",
				Fields: map[string]string{"email": "matches no lead"}}
		case mentionsPerson(ref, leads): // their other e-mails, phones and names, found with the leads
			return &Error{Code: EInvalid, Message: "Please correct the highlighted fields", Fields: map[string]string{"reference": referenceNamesPerson}}
		case p.Held() > 0:
			return &Error{Code: EConflict, Message: plural(p.Held(), "lead") + " of this person " + map[bool]string{true: "is", false: "are"}[p.Held() == 1] +
				" on legal hold; an admin must release the hold before the erasure. Nothing was erased."}
		case req.ExpectedCount > 0 && req.ExpectedCount != len(leads):
			return &Error{Code: EConflict, Message: fmt.Sprintf("The person's leads changed: %s now, not %s. Nothing was erased; look at the preview again.",
				thousandsOf(len(leads)), thousandsOf(req.ExpectedCount))}
		}
		var hashes personHashes
		hashes.add(s.contactHashes(email, phone))
		return s.eraseTx(ctx, tx, ws, actor, &e, leads, hashes, fmt.Sprintf("Erasure request %s (receipt %s)", e.Reference, e.ID))
	})
	if err != nil {
		return Erasure{}, err
	}
	s.logErasure(ctx, e)
	// Move the erased pages out of the write-ahead log into the (securely deleted)
	// database file now, not at the next automatic checkpoint. Best effort: a reader
	// in the way only delays it.
	_, _ = s.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(TRUNCATE)`)
	return e, nil
}

// personHashes are the keyed hashes of a person's e-mails and phones.
type personHashes struct {
	Email []string `json:"email,omitempty"`
	Phone []string `json:"phone,omitempty"`
}

// add adds an e-mail's and a phone's hash ("" for none), once each.
func (h *personHashes) add(email, phone string) {
	if email != "" && !slices.Contains(h.Email, email) {
		h.Email = append(h.Email, email)
	}
	if phone != "" && !slices.Contains(h.Phone, phone) {
		h.Phone = append(h.Phone, phone)
	}
}

func (h personHashes) has(email, phone string) bool {
	return (email != "" && slices.Contains(h.Email, email)) || (phone != "" && slices.Contains(h.Phone, phone))
}

const referenceNamesPerson = "must not contain the person's name, e-mail or phone: the audit log names the request, never the person"

// mentionsPerson reports whether a reference names one of the leads' names, e-mails
// or phones, in any of the forms redaction finds.
func mentionsPerson(ref string, leads []ErasureLead) bool {
	for _, m := range personMatchers(leads) {
		if m.re.MatchString(ref) {
			return true
		}
	}
	return false
}

// eraseTx removes the leads for good, redacts the person from other records,
// suppresses the hashes, and writes the receipt and one audit row.
func (s *Store) eraseTx(ctx context.Context, tx *Tx, ws Workspace, actor Actor, e *Erasure, leads []ErasureLead, hashes personHashes, details string) error {
	ids := make([]string, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	var err error
	if e.Redacted, err = redactPerson(ctx, tx, ws.ID, ids, leads); err != nil {
		return err
	}
	// The active ones go through the Trash's counters, then all go for good.
	active := idLeads(ws.ID, ids).and("deleted_at IS NULL")
	if err := moveCounts(ctx, tx, ws.ID, active, -1); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO trashed (seq, workspace_id, deleted_at, deleted_by, delete_reason)
		SELECT seq, workspace_id, ?, ?, 'gdpr_request' FROM `+active.from+` WHERE `+active.where,
		append([]any{tx.nowMs(), actor.ID}, active.args...)...); err != nil {
		return fmt.Errorf("store: erase: %w", err)
	}
	if _, err := s.purgeRows(ctx, tx, ws.ID, actor, idLeads(ws.ID, ids), "erasure"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tombstones SET request_ref = ? WHERE workspace_id = ? AND lead_id IN `+inList(len(ids)),
		append([]any{e.Reference, ws.ID}, anys(ids)...)...); err != nil {
		return fmt.Errorf("store: erase: %w", err)
	}
	// Every e-mail and phone of the person's leads is suppressed, not only the one
	// the request named: a lead found by its e-mail is the person's, phone included.
	for _, l := range leads {
		hashes.add(s.contactHashes(l.Email, l.Phone))
	}
	e.Suppressed = []string{}
	for _, eh := range hashes.Email {
		if err := suppressHashes(ctx, tx, ws.ID, actor, "erasure", "", "", eh, ""); err != nil {
			return err
		}
	}
	for _, ph := range hashes.Phone {
		if err := suppressHashes(ctx, tx, ws.ID, actor, "erasure", "", "", "", ph); err != nil {
			return err
		}
	}
	if len(hashes.Email) > 0 {
		e.Suppressed = append(e.Suppressed, "email")
	}
	if len(hashes.Phone) > 0 {
		e.Suppressed = append(e.Suppressed, "phone")
	}
	e.Leads, e.At = leads, tx.now
	for i := range e.Leads { // the receipt keeps no personal data
		e.Leads[i].Name, e.Leads[i].Email, e.Leads[i].Phone = "", "", ""
	}
	e.hashes = hashes
	leadsJSON, _ := json.Marshal(e.Leads)
	suppressedJSON, _ := json.Marshal(e.Suppressed)
	hashesJSON, _ := json.Marshal(hashes)
	if _, err := tx.ExecContext(ctx, `INSERT INTO erasures (id, workspace_id, reference, by_actor, at, leads, suppressed, redacted, hashes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, ws.ID, e.Reference, actor.ID, tx.nowMs(), string(leadsJSON), string(suppressedJSON),
		e.Redacted, string(hashesJSON)); err != nil {
		return fmt.Errorf("store: erasure receipt: %w", err)
	}
	return audit(ctx, tx, auditEntry{workspaceID: ws.ID, actor: actor, action: "erase", count: len(leads), reason: "gdpr_request", details: details})
}

// redactPerson replaces the person's name, e-mail and phone wherever records that
// are not their leads mention them: audit details, other leads' activity, notes,
// tasks and metadata, and deletion details. It returns how many records it changed.
// Erasures are rare and deliberate; these scans read whole tables once.
func redactPerson(ctx context.Context, tx *Tx, workspaceID string, ids []string, leads []ErasureLead) (int, error) {
	matchers := personMatchers(leads)
	if len(matchers) == 0 {
		return 0, nil
	}
	// SQL picks the candidate rows (a superset: SQLite's lower() folds ASCII only, and
	// LIKE with a wildcard between digits finds a phone however it is written); Go's
	// regular expressions then replace exactly.
	conds := make([]string, len(matchers))
	args := make([]any, len(matchers))
	for i, m := range matchers {
		conds[i], args[i] = m.cond, m.arg
	}
	mentions := "(" + strings.Join(conds, " OR ") + ")"
	notTheirs := " AND lead_id NOT IN " + inList(len(ids))
	targets := []struct{ table, col, scope string }{
		{"audit", "details", "workspace_id = ?"},
		{"batches", "details", "workspace_id = ?"},
		{"lead_activity", "text", "lead_id IN (SELECT id FROM leads WHERE workspace_id = ?)" + notTheirs},
		{"bulk_activity", "text", "workspace_id = ?"},
		{"notes", "body", "lead_id IN (SELECT id FROM leads WHERE workspace_id = ?)" + notTheirs},
		{"tasks", "title", "lead_id IN (SELECT id FROM leads WHERE workspace_id = ?)" + notTheirs},
		{"lead_rows", "metadata", "workspace_id = ? AND id NOT IN " + inList(len(ids))},
		{"lead_rows", "hold_reason", "workspace_id = ? AND hold_reason IS NOT NULL AND id NOT IN " + inList(len(ids))},
	}
	changed := 0
	for _, t := range targets {
		scopeArgs := []any{workspaceID}
		if strings.Contains(t.scope, "NOT IN") {
			scopeArgs = append(scopeArgs, anys(ids)...)
		}
		type hit struct {
			rowid int64
			text  string
		}
		var hits []hit
		err := eachRow(ctx, tx, fmt.Sprintf(`SELECT rowid, %[1]s FROM %[2]s WHERE %[3]s AND `+mentions, t.col, t.table, t.scope),
			append(scopeArgs, args...), func(rows *sql.Rows) error {
				var h hit
				err := rows.Scan(&h.rowid, &h.text)
				hits = append(hits, h)
				return err
			})
		if err != nil {
			return 0, fmt.Errorf("store: redact %s: %w", t.table, err)
		}
		for _, h := range hits {
			text := h.text
			for _, m := range matchers {
				text = m.re.ReplaceAllLiteralString(text, redacted)
			}
			if text == h.text {
				continue // a candidate that did not mention the person after all
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET %s = ? WHERE rowid = ?`, t.table, t.col), text, h.rowid); err != nil {
				return 0, fmt.Errorf("store: redact %s: %w", t.table, err)
			}
			changed++
		}
	}
	return changed, nil
}

// matcher finds one of the person's values in text: cond (on the column %[1]s, with
// one argument arg) selects candidate rows, re replaces exactly.
type matcher struct {
	cond string
	arg  any
	re   *regexp.Regexp
}

// personMatchers match what identifies the person: their names (long enough not to
// be part of other words) and e-mails whatever their case, and their phones however
// they are written ("+1 650-253-8842", "(650) 253 8842", "6502538842"…).
func personMatchers(leads []ErasureLead) []matcher {
	seen := map[string]bool{}
	var out []matcher
	text := func(v string) {
		v = strings.TrimSpace(v)
		key := strings.ToLower(v)
		if v == "" || seen[key] {
			return
		}
		seen[key] = true
		// Without three ASCII characters to look for, every row is a candidate.
		m := matcher{cond: "%[1]s IS NOT NULL AND ? = 1", arg: 1, re: regexp.MustCompile(`(?i)` + regexp.QuoteMeta(v))}
		if probe := longestASCIIRun(key); len(probe) >= 3 {
			m.cond, m.arg = "instr(lower(%[1]s), ?) > 0", probe
		}
		out = append(out, m)
	}
	for _, l := range leads {
		if len([]rune(l.Name)) >= minRedactedNameLen {
			text(l.Name)
		}
		text(l.Email)
		if l.Phone == "" {
			continue
		}
		num, err := phonenumbers.Parse(l.Phone, "US")
		if err != nil {
			text(l.Phone)
			continue
		}
		national := phonenumbers.GetNationalSignificantNumber(num)
		if seen["tel:"+national] || len(national) < 4 {
			continue
		}
		seen["tel:"+national] = true
		const sep = `[\s\-.()/]*`
		digits := strings.Split(national, "")
		cc := fmt.Sprint(num.GetCountryCode())
		out = append(out, matcher{
			cond: "%[1]s LIKE ?",
			arg:  "%" + strings.Join(digits, "%") + "%",
			// An optional country code (+1, 001, 1) and a trunk 0, then the national
			// digits with any separators between them.
			re: regexp.MustCompile(`(?:(?:\+|00)?` + cc + sep + `)?(?:\(?0\)?` + sep + `)?\(?` + strings.Join(digits, sep) + `\b`),
		})
	}
	return out
}

// longestASCIIRun is the longest run of ASCII characters of s, which SQLite's
// lower() and instr() handle like Go does.
func longestASCIIRun(s string) string {
	best, cur := "", strings.Builder{}
	for _, r := range s {
		if r < 0x80 {
			cur.WriteRune(r)
			continue
		}
		if cur.Len() > len(best) {
			best = cur.String()
		}
		cur.Reset()
	}
	if cur.Len() > len(best) {
		best = cur.String()
	}
	return best
}

// erasureColumns read a receipt (scanErasure), its author by name.
var erasureColumns = `id, workspace_id, reference, by_actor, ` + fmt.Sprintf(actorName, "by_actor") + `, at, leads, suppressed, redacted`

func scanErasure(row interface{ Scan(...any) error }) (Erasure, error) {
	var e Erasure
	var at int64
	var leadsJSON, suppressedJSON string
	if err := row.Scan(&e.ID, &e.WorkspaceID, &e.Reference, &e.ByID, &e.ByName, &at, &leadsJSON, &suppressedJSON, &e.Redacted); err != nil {
		return e, err
	}
	e.At = time.UnixMilli(at).UTC()
	if err := json.Unmarshal([]byte(leadsJSON), &e.Leads); err != nil {
		return e, err
	}
	return e, json.Unmarshal([]byte(suppressedJSON), &e.Suppressed)
}

// Erasure returns an erasure receipt of the workspace ("": of any workspace, for operators).
func (s *Store) Erasure(ctx context.Context, workspaceID, id string) (Erasure, error) {
	e, err := scanErasure(s.read.QueryRowContext(ctx, `SELECT `+erasureColumns+` FROM erasures
		WHERE (workspace_id = ?1 OR ?1 = '') AND id = ?2`, workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("store: erasure %q: %w", id, ErrNotFound)
	}
	return e, err
}

// Erasures lists the newest erasure receipts of the workspace ("": of all).
func (s *Store) Erasures(ctx context.Context, workspaceID string, limit int) ([]Erasure, error) {
	var out []Erasure
	err := eachRow(ctx, s.read, `SELECT `+erasureColumns+` FROM erasures WHERE workspace_id = ?1 OR ?1 = ''
		ORDER BY at DESC, id LIMIT ?2`, []any{workspaceID, limit}, func(rows *sql.Rows) error {
		e, err := scanErasure(rows)
		out = append(out, e)
		return err
	})
	return out, err
}
