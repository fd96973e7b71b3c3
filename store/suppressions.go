package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A suppression refuses new leads with an e-mail or phone: one marked as spam, one
// of a person erased on request, or one an admin entered. Only a keyed hash of the
// normalised value is kept (e-mail trimmed and lower-cased, phone in E.164), so the
// table never holds the value itself.

// Suppression is one suppressed e-mail or phone.
type Suppression struct {
	ID        string
	Kind      string // email, phone
	Why       string // spam, erasure, manual
	ByName    string
	BatchID   string // the spam marking it came from
	LeadID    string // the lead marked as spam, while it exists
	CreatedAt time.Time
}

// WhyText says why the value is suppressed, for people.
func (s Suppression) WhyText() string {
	switch s.Why {
	case "spam":
		return "marked as spam"
	case "erasure":
		return "erased on request"
	}
	return "added by an admin"
}

// contactHashes are the keyed hashes of a lead's e-mail and phone ("" for none): what
// suppressions, tombstones and the erasure log keep instead of the values.
func (s *Store) contactHashes(email, phone string) (emailHash, phoneHash string) {
	return s.keyedHash(normalizeEmail(email)), s.keyedHash(strings.TrimSpace(phone))
}

// checkSuppressed refuses an e-mail or phone (the phone as stored: E.164) that the
// workspace suppresses.
func (s *Store) checkSuppressed(ctx context.Context, q querier, workspaceID, email, phone string) error {
	eh, ph := s.contactHashes(email, phone)
	fields := map[string]string{}
	for _, c := range []struct{ kind, hash, field string }{{"email", eh, "email"}, {"phone", ph, "phone"}} {
		if c.hash == "" {
			continue
		}
		var why string
		err := q.QueryRowContext(ctx, `SELECT why FROM suppressions WHERE workspace_id = ? AND kind = ? AND hash = ? LIMIT 1`,
			workspaceID, c.kind, c.hash).Scan(&why)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		fields[c.field] = "is suppressed (" + Suppression{Why: why}.WhyText() + ")"
	}
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: ESuppressed, Message: "This lead cannot be added: its e-mail or phone is suppressed", Fields: fields}
}

// suppress records the lead's e-mail and phone as suppressed, for the reason why,
// in the transaction; values already suppressed for the same batch are left alone.
func (s *Store) suppress(ctx context.Context, tx *Tx, workspaceID string, actor Actor, why, batchID, leadID, email, phone string) error {
	eh, ph := s.contactHashes(email, phone)
	return suppressHashes(ctx, tx, workspaceID, actor, why, batchID, leadID, eh, ph)
}

// suppressHashes records suppressions by the keyed hashes of an e-mail and a phone.
func suppressHashes(ctx context.Context, tx *Tx, workspaceID string, actor Actor, why, batchID, leadID, eh, ph string) error {
	for _, c := range []struct{ kind, hash string }{{"email", eh}, {"phone", ph}} {
		if c.hash == "" {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO suppressions (id, workspace_id, kind, hash, why, by_actor, batch_id, lead_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?) ON CONFLICT DO NOTHING`,
			newID(prefixSuppression), workspaceID, c.kind, c.hash, why, actor.ID, batchID, leadID, tx.nowMs())
		if err != nil {
			return fmt.Errorf("store: suppress: %w", err)
		}
	}
	return nil
}

// parseSuppressValue reads what an admin typed: an e-mail (it has an @) or a phone,
// normalised as a lead's would be.
func parseSuppressValue(raw, region string) (kind, value string, err error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return "", "", &Error{Code: EInvalid, Message: "Please correct the highlighted fields", Fields: map[string]string{"value": "is required: an e-mail address or a phone number"}}
	case strings.Contains(raw, "@"):
		if !validEmail(raw) || len(raw) > maxEmailLen {
			return "", "", &Error{Code: EInvalid, Message: "Please correct the highlighted fields", Fields: map[string]string{"value": "is not a valid e-mail address, like name@example.com"}}
		}
		return "email", normalizeEmail(raw), nil
	}
	e164, perr := NormalizePhone(raw, region)
	if perr != nil {
		return "", "", &Error{Code: EInvalid, Message: "Please correct the highlighted fields", Fields: map[string]string{"value": "is neither an e-mail address nor a valid phone number"}}
	}
	return "phone", e164, nil
}

// suppressionColumns read a suppression; its lead only while the lead exists.
const suppressionColumns = `s.id, s.kind, s.why, COALESCE(s.batch_id, ''),
	CASE WHEN EXISTS (SELECT 1 FROM leads WHERE id = s.lead_id) THEN s.lead_id ELSE '' END, s.created_at, `

func scanSuppressions(ctx context.Context, q querier, query string, args ...any) ([]Suppression, error) {
	var out []Suppression
	err := eachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		var x Suppression
		var at int64
		if err := rows.Scan(&x.ID, &x.Kind, &x.Why, &x.BatchID, &x.LeadID, &at, &x.ByName); err != nil {
			return err
		}
		x.CreatedAt = time.UnixMilli(at).UTC()
		out = append(out, x)
		return nil
	})
	return out, err
}

// SuppressionList is the newest suppressions of a workspace and how many it has.
type SuppressionList struct {
	Items []Suppression
	Total int
}

// Suppressions lists the workspace's newest suppressions (at most limit) and counts them all.
func (s *Store) Suppressions(ctx context.Context, workspaceID string, limit int) (SuppressionList, error) {
	var l SuppressionList
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM suppressions WHERE workspace_id = ?`, workspaceID).Scan(&l.Total); err != nil {
		return l, err
	}
	var err error
	l.Items, err = scanSuppressions(ctx, s.read, `SELECT `+suppressionColumns+fmt.Sprintf(actorName, "s.by_actor")+`
		FROM suppressions s WHERE s.workspace_id = ? ORDER BY s.created_at DESC, s.id LIMIT ?`, workspaceID, limit)
	return l, err
}

// FindSuppressions says whether (and why) an e-mail or phone is suppressed in the workspace.
func (s *Store) FindSuppressions(ctx context.Context, ws Workspace, value string) ([]Suppression, error) {
	kind, v, err := parseSuppressValue(value, ws.DefaultRegion)
	if err != nil {
		return nil, err
	}
	return scanSuppressions(ctx, s.read, `SELECT `+suppressionColumns+fmt.Sprintf(actorName, "s.by_actor")+`
		FROM suppressions s WHERE s.workspace_id = ? AND s.kind = ? AND s.hash = ? ORDER BY s.created_at DESC`,
		ws.ID, kind, s.keyedHash(v))
}

// Suppress suppresses an e-mail or a phone that an admin typed. Suppressing a value
// already suppressed by hand changes nothing.
func (s *Store) Suppress(ctx context.Context, ws Workspace, actor Actor, value string) error {
	kind, v, err := parseSuppressValue(value, ws.DefaultRegion)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO suppressions (id, workspace_id, kind, hash, why, by_actor, created_at)
			VALUES (?, ?, ?, ?, 'manual', ?, ?) ON CONFLICT DO NOTHING`,
			newID(prefixSuppression), ws.ID, kind, s.keyedHash(v), actor.ID, tx.nowMs())
		if err != nil {
			return fmt.Errorf("store: suppress: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		// The audit names the kind, never the value.
		return audit(ctx, tx, auditEntry{workspaceID: ws.ID, actor: actor, action: "suppression.add", count: 1, details: "Suppressed by hand: one " + kindText(kind)})
	})
}

func kindText(kind string) string {
	if kind == "email" {
		return "e-mail address"
	}
	return "phone number"
}

// LiftSuppression removes one of the workspace's suppressions: new leads with that
// e-mail or phone are accepted again.
func (s *Store) LiftSuppression(ctx context.Context, workspaceID string, actor Actor, id string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		var kind, why string
		err := tx.QueryRowContext(ctx, `SELECT kind, why FROM suppressions WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&kind, &why)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(ENotFound, "That suppression was not found; it may have been lifted already")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM suppressions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: lift suppression: %w", err)
		}
		return audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "suppression.lift", count: 1,
			details: "Lifted the suppression of one " + kindText(kind) + " (" + Suppression{Why: why}.WhyText() + ")"})
	})
}
