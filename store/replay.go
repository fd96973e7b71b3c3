package store

// The erasure log: a backup taken before an erasure still holds the person, so a
// database restored from it must have the erasure applied again. Every erasure is
// appended, as one JSON line of ids and keyed hashes (no personal data), to a file
// beside the database, <db>.erasures.jsonl, which outlives the database file; after
// a restore, `leadkeep erasures replay` applies each erasure the database lacks.

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"
)

// ErasureRecord is one line of the erasure log.
type ErasureRecord struct {
	ID          string    `json:"id"`
	WorkspaceID string    `json:"workspaceId"`
	Reference   string    `json:"reference"`
	At          time.Time `json:"at"`
	ByID        string    `json:"byId"`
	LeadIDs     []string  `json:"leadIds"`
	EmailHashes []string  `json:"emailHashes,omitempty"`
	PhoneHashes []string  `json:"phoneHashes,omitempty"`
}

func (r ErasureRecord) hashes() personHashes {
	return personHashes{Email: r.EmailHashes, Phone: r.PhoneHashes}
}

// ErasureLogPath is where the store appends its erasures: beside the database.
func (s *Store) ErasureLogPath() string { return s.path + ".erasures.jsonl" }

// logErasure appends the erasure to the log. The erasure is done either way; a log
// that cannot be written is reported loudly, for it is what a restore replays.
func (s *Store) logErasure(ctx context.Context, e Erasure) {
	rec := ErasureRecord{ID: e.ID, WorkspaceID: e.WorkspaceID, Reference: e.Reference, At: e.At, ByID: e.ByID,
		EmailHashes: e.hashes.Email, PhoneHashes: e.hashes.Phone}
	for _, l := range e.Leads {
		rec.LeadIDs = append(rec.LeadIDs, l.ID)
	}
	if err := appendJSONLine(s.ErasureLogPath(), rec); err != nil {
		slog.ErrorContext(ctx, "the erasure is done but could not be written to the erasure log; a restored backup will not replay it",
			"erasure", e.ID, "log", s.ErasureLogPath(), "err", err)
	}
}

func appendJSONLine(path string, v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// ReadErasureLog reads an erasure log, line by line.
func ReadErasureLog(r io.Reader) ([]ErasureRecord, error) {
	var out []ErasureRecord
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec ErasureRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || rec.ID == "" || rec.WorkspaceID == "" {
			return nil, &Error{Code: EInvalid, Message: fmt.Sprintf("line %d of the erasure log is not an erasure record", n)}
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

// ReplayResult says what a replay did.
type ReplayResult struct {
	Replayed int // erasures applied again
	Present  int // erasures the database already had
	Leads    int // leads they removed
}

// ReplayErasures applies every erasure of the log that the database does not hold:
// the leads it names, and every lead whose e-mail or phone has its keyed hash, go
// for good as in Erase, with suppressions and a receipt under the erasure's own id.
// It is idempotent.
func (s *Store) ReplayErasures(ctx context.Context, recs []ErasureRecord) (ReplayResult, error) {
	var res ReplayResult
	for _, rec := range recs {
		var one int
		err := s.read.QueryRowContext(ctx, `SELECT 1 FROM erasures WHERE id = ?`, rec.ID).Scan(&one)
		if err == nil {
			res.Present++
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return res, err
		}
		ws, err := s.Workspace(ctx, rec.WorkspaceID)
		if err != nil {
			return res, fmt.Errorf("store: replay of erasure %s: workspace %s: %w", rec.ID, rec.WorkspaceID, err)
		}
		e := Erasure{ID: rec.ID, WorkspaceID: ws.ID, Reference: rec.Reference, ByID: rec.ByID}
		err = s.inTx(ctx, func(tx *Tx) error {
			leads, err := s.replayLeads(ctx, tx, ws.ID, rec)
			if err != nil {
				return err
			}
			if len(leads) > 0 {
				ids := make([]string, len(leads))
				for i, l := range leads {
					ids[i] = l.ID
				}
				// The erasure happened: a hold in the older copy does not undo it.
				if _, err := tx.ExecContext(ctx, `UPDATE lead_rows SET held_at = NULL, held_by = NULL, hold_reason = NULL
					WHERE +workspace_id = ? AND id IN `+inList(len(ids)), append([]any{ws.ID}, anys(ids)...)...); err != nil {
					return err
				}
			}
			res.Leads += len(leads)
			return s.eraseTx(ctx, tx, ws, Actor{Kind: "system"}, &e, leads, rec.hashes(),
				fmt.Sprintf("Erasure request %s (receipt %s) applied again after a restore", rec.Reference, rec.ID))
		})
		if err != nil {
			return res, fmt.Errorf("store: replay of erasure %s: %w", rec.ID, err)
		}
		res.Replayed++
	}
	if res.Replayed > 0 {
		_, _ = s.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	return res, nil
}

// replayLeads are the workspace's leads an erasure record names: by id, or by the
// keyed hash of their e-mail or phone (computed here for each lead: a replay is rare
// and reads the workspace once).
func (s *Store) replayLeads(ctx context.Context, tx *Tx, workspaceID string, rec ErasureRecord) ([]ErasureLead, error) {
	named := map[string]bool{}
	for _, id := range rec.LeadIDs {
		named[id] = true
	}
	var ids []string
	err := eachRow(ctx, tx, `SELECT id, email, phone FROM leads WHERE workspace_id = ?`, []any{workspaceID}, func(rows *sql.Rows) error {
		var id, email, phone string
		if err := rows.Scan(&id, &email, &phone); err != nil {
			return err
		}
		eh, ph := s.contactHashes(email, phone)
		if named[id] || rec.hashes().has(eh, ph) {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return erasureLeads(ctx, tx, `+l.workspace_id = ? AND l.id IN `+inList(len(ids)), append([]any{workspaceID}, anys(ids)...))
}
