package store

// The one piece of the store that knows SQLite's FTS5. A PostgreSQL store would put
// a tsvector or trigram index behind the same three functions.

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// indexLead adds the lead's searchable text to the full-text index.
func indexLead(ctx context.Context, tx *Tx, l Lead) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO leads_fts (rowid, name, email, phone, company, lead_id)
		VALUES (?, ?, ?, ?, ?, ?)`, l.seq, l.Name, l.Email, phoneTerms(l.Phone), l.Company, l.ID)
	return err
}

// unindexLead removes the lead, as it was indexed, from the full-text index. FTS5's
// 'delete' command with the indexed values removes each of its tokens, and with
// secure-delete overwrites them: a plain DELETE of a contentless row would only mark
// the rowid deleted and leave its words in the file until a merge.
func unindexLead(ctx context.Context, tx *Tx, l Lead) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO leads_fts (leads_fts, rowid, name, email, phone, company, lead_id)
		VALUES ('delete', ?, ?, ?, ?, ?, ?)`, l.seq, l.Name, l.Email, phoneTerms(l.Phone), l.Company, l.ID)
	return err
}

// activeLeadHasEmail reports whether an active lead of the workspace has the e-mail
// (in any case). The index finds the leads whose e-mail has the same words; the
// e-mail itself is then compared, so no lead is read that could not match.
func activeLeadHasEmail(ctx context.Context, q querier, workspaceID, email string) (bool, error) {
	words := strings.FieldsFunc(email, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		return false, nil
	}
	found := false
	err := eachRow(ctx, q, `SELECT l.email FROM leads_fts f JOIN leads l ON l.seq = f.rowid
		WHERE leads_fts MATCH ? AND l.workspace_id = ? AND l.deleted_at IS NULL`,
		[]any{`email : "` + strings.Join(words, " ") + `"`, workspaceID}, func(rows *sql.Rows) error {
			var e string
			err := rows.Scan(&e)
			found = found || normalizeEmail(e) == normalizeEmail(email)
			return err
		})
	return found, err
}

// phoneTerms is what the index holds for a phone: E.164 digits, the national
// significant number and the national dialling form, so that "+44 7911 123456",
// "447911123456", "7911123456" and "07911 123456" all find the same lead.
func phoneTerms(phone string) string {
	if phone == "" {
		return ""
	}
	terms := []string{digitsOf(phone)}
	if num, err := phonenumbers.Parse(phone, "US"); err == nil {
		terms = append(terms, phonenumbers.GetNationalSignificantNumber(num),
			digitsOf(phonenumbers.Format(num, phonenumbers.NATIONAL)))
	}
	return strings.Join(uniq(terms), " ")
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// looksLikePhone reports whether a query is a phone number as people type one:
// digits with spaces, dashes, dots, parentheses and perhaps a leading +.
func looksLikePhone(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-.()/", r):
		default:
			return false
		}
	}
	return digits >= 3
}

// matchQuery turns what a person typed into an FTS5 query: every word must match
// the start of a word of the lead (so "jo sm" finds John Smith), and a phone number
// typed with spaces or dashes is matched as its digits. It returns "" when the query
// has nothing to search for. The index holds every workspace: callers join leads and
// keep the workspace's own rows.
func matchQuery(q string) string {
	var words []string
	if looksLikePhone(q) {
		words = []string{digitsOf(q)}
	} else {
		words = strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	if len(words) == 0 {
		return ""
	}
	if len(words) > 8 {
		words = words[:8]
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		// Quoting makes each word a plain string: FTS5 operators in it lose their meaning.
		quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"*`
	}
	return strings.Join(quoted, " AND ")
}

// reindexAll indexes every lead (after the index was rebuilt), a thousand per statement.
func reindexAll(ctx context.Context, tx *Tx) error {
	const chunk = 1000
	var last int64 = -1
	for {
		var args []any
		err := eachRow(ctx, tx, `SELECT seq, name, email, phone, company, id FROM leads WHERE seq > ? ORDER BY seq LIMIT ?`,
			[]any{last, chunk}, func(rows *sql.Rows) error {
				var seq int64
				var name, email, phone, company, id string
				if err := rows.Scan(&seq, &name, &email, &phone, &company, &id); err != nil {
					return err
				}
				args = append(args, seq, name, email, phoneTerms(phone), company, id)
				last = seq
				return nil
			})
		if err != nil || len(args) == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO leads_fts (rowid, name, email, phone, company, lead_id) VALUES `+
			placeholders(len(args)/6, 6), args...); err != nil {
			return fmt.Errorf("store: reindex: %w", err)
		}
	}
}
