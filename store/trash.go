package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TrashFilter narrows the Trash; DeletedBy limits it to one actor's deletions (an
// agent sees only their own).
type TrashFilter struct {
	Query     string
	DeletedBy string
	Cursor    string
	Limit     int
}

// TrashPage is one page of the Trash, most recently deleted first (search results:
// newest lead first).
type TrashPage struct {
	Leads      []Lead
	Next, Prev string
	Total      int
	Capped     bool
	Searched   bool
}

// ListTrash returns a page of the workspace's trashed leads.
func (s *Store) ListTrash(ctx context.Context, workspaceID string, f TrashFilter) (TrashPage, error) {
	var page TrashPage
	if f.Limit <= 0 || f.Limit > MaxPageSize {
		f.Limit = DefaultPageSize
	}
	match := matchQuery(f.Query)
	kind := "trash"
	if match != "" {
		kind, page.Searched = "search", true
	}
	cur, err := decodeCursor(f.Cursor, kind)
	if err != nil {
		return page, err
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return page, err
	}
	defer tx.Rollback()
	pq := pageQuery{kind: kind, from: "trash l", where: []string{"l.workspace_id = ?"},
		args: []any{workspaceID}, cur: cur, limit: f.Limit}
	if match != "" {
		pq.from = "leads_fts f JOIN trash l ON l.seq = f.rowid"
		pq.where, pq.args = append(pq.where, "leads_fts MATCH ?"), append(pq.args, match)
	}
	if f.DeletedBy != "" {
		pq.where, pq.args = append(pq.where, "l.deleted_by = ?"), append(pq.args, f.DeletedBy)
	}
	if page.Leads, page.Next, page.Prev, err = pq.run(ctx, tx); err != nil {
		return page, fmt.Errorf("store: list trash: %w", err)
	}
	if match == "" && f.DeletedBy == "" {
		err = tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(trashed), 0) FROM lead_counts WHERE workspace_id = ?`, workspaceID).Scan(&page.Total)
	} else {
		page.Total, page.Capped, err = boundedCount(ctx, tx, pq.from, pq.where, pq.args)
	}
	if err != nil {
		return page, fmt.Errorf("store: count trash: %w", err)
	}
	return page, nil
}

// BatchPage is one page of the Trash grouped by the deletion that put leads there.
type BatchPage struct {
	Batches    []Batch
	Next, Prev string
}

// TrashBatches returns the deletions that still have leads in the Trash, newest first.
func (s *Store) TrashBatches(ctx context.Context, workspaceID, deletedBy, cursorText string) (BatchPage, error) {
	var page BatchPage
	const limit = 25
	cur, err := decodeCursor(cursorText, "batches")
	if err != nil {
		return page, err
	}
	where := []string{"b.workspace_id = ?", "b.kind IN ('delete', 'spam')",
		"EXISTS (SELECT 1 FROM trashed l WHERE " + inBatch + ")"}
	args := []any{workspaceID}
	if deletedBy != "" {
		where, args = append(where, "b.actor_id = ?"), append(args, deletedBy)
	}
	before := cur != nil && cur.Before
	order := "b.created_at DESC, b.id DESC"
	if cur != nil {
		cmp := "<"
		if before {
			cmp, order = ">", "b.created_at ASC, b.id ASC"
		}
		where, args = append(where, "(b.created_at, b.id) "+cmp+" (?, ?)"), append(args, cur.Created, cur.Name)
	}
	err = eachRow(ctx, s.read, `SELECT `+batchColumns+`,
		(SELECT count(*) FROM trashed l WHERE `+inBatch+`), (`+heldInBatch+`)
		FROM batches b WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+fmt.Sprintf(" LIMIT %d", limit+1), args,
		func(rows *sql.Rows) error {
			var n, held int
			b, err := scanBatch(rows, &n, &held)
			b.InTrash, b.Held = n, held
			page.Batches = append(page.Batches, b)
			return err
		})
	if err != nil {
		return page, fmt.Errorf("store: trash batches: %w", err)
	}
	more := len(page.Batches) > limit
	if more {
		page.Batches = page.Batches[:limit]
	}
	if before {
		reverse(page.Batches)
	}
	at := func(b Batch, before bool) string {
		return cursor{Kind: "batches", Before: before, Created: b.CreatedAt.UnixMilli(), Name: b.ID, Seq: 1}.encode()
	}
	if n := len(page.Batches); n > 0 {
		if more || before {
			page.Next = at(page.Batches[n-1], false)
		}
		if (before && more) || (!before && cur != nil) {
			page.Prev = at(page.Batches[0], true)
		}
	}
	return page, nil
}

// PendingUndos are the actor's deletions whose undo window is still open and that
// still have leads in the Trash, oldest first: the toasts the layout shows on every page.
func (s *Store) PendingUndos(ctx context.Context, workspaceID, actorID string) ([]Batch, error) {
	var out []Batch
	err := eachRow(ctx, s.read, `SELECT `+batchColumns+` FROM batches b
		WHERE b.workspace_id = ? AND b.actor_id = ? AND b.undone_at IS NULL AND b.undo_until > ?
		AND EXISTS (SELECT 1 FROM trashed l WHERE `+inBatch+`)
		ORDER BY b.undo_until`, []any{workspaceID, actorID, s.Now().UnixMilli()}, func(rows *sql.Rows) error {
		b, err := scanBatch(rows)
		out = append(out, b)
		return err
	})
	return out, err
}

// RestoreLeads puts trashed leads back exactly as they were. If any id is not a
// trashed lead of the workspace (or, with onlyDeletedBy, was deleted by someone
// else), nothing is restored.
func (s *Store) RestoreLeads(ctx context.Context, workspaceID string, actor Actor, ids []string, onlyDeletedBy string) (int, error) {
	ids, err := checkIDs(ids)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.inTx(ctx, func(tx *Tx) error {
		if err := checkTrashed(ctx, tx, workspaceID, ids, onlyDeletedBy); err != nil {
			return err
		}
		n, err = restoreTx(ctx, tx, workspaceID, actor, idLeads(workspaceID, ids).and("deleted_at IS NOT NULL"), nil, "",
			"restore", "Restored from the Trash")
		return err
	})
	return n, err
}

// checkTrashed makes sure every id is a trashed lead of the workspace: a missing one
// is gone (if purged) or not found, an active one is a conflict.
func checkTrashed(ctx context.Context, tx *Tx, workspaceID string, ids []string, onlyDeletedBy string) error {
	type state struct {
		trashed bool
		by      string
		held    bool
	}
	found := map[string]state{}
	ls := idLeads(workspaceID, ids)
	err := eachRow(ctx, tx, `SELECT id, deleted_at IS NOT NULL, COALESCE(deleted_by, ''), held_at IS NOT NULL FROM `+ls.from+`
		WHERE `+ls.where, ls.args, func(rows *sql.Rows) error {
		var id string
		var st state
		err := rows.Scan(&id, &st.trashed, &st.by, &st.held)
		found[id] = st
		return err
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		st, ok := found[id]
		switch {
		case !ok:
			if t, err := tombstone(ctx, tx, workspaceID, id); err == nil {
				return &Error{Code: EGone, Message: t.Message()}
			}
			return fmt.Errorf("store: lead %s: %w", id, ErrLeadNotFound)
		case !st.trashed:
			if len(ids) == 1 {
				return ErrNotInTrash
			}
			return &Error{Code: EConflict, Message: fmt.Sprintf("Lead %s is not in the Trash; nothing was changed", id)}
		case onlyDeletedBy != "" && st.by != onlyDeletedBy:
			return &Error{Code: EForbidden, Message: "You can only act on leads you deleted yourself; ask a manager"}
		}
	}
	return nil
}

// PurgeLeads deletes trashed leads for good, with their notes, tags, tasks, activity
// and search entries, leaving a tombstone each. Active leads cannot be purged.
func (s *Store) PurgeLeads(ctx context.Context, workspaceID string, actor Actor, ids []string) (int, error) {
	ids, err := checkIDs(ids)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.inTx(ctx, func(tx *Tx) error {
		if err := checkTrashed(ctx, tx, workspaceID, ids, ""); err != nil {
			if errors.Is(err, ErrNotInTrash) {
				return &Error{Code: EConflict, Message: "Only leads in the Trash can be deleted forever; delete it first"}
			}
			return err
		}
		n, err = s.purgeTx(ctx, tx, workspaceID, actor, idLeads(workspaceID, ids).and("deleted_at IS NOT NULL"), "", "manual", "")
		return err
	})
	return n, err
}

// BatchHeld is how many of the batch's leads in the Trash are on legal hold.
func (s *Store) BatchHeld(ctx context.Context, workspaceID, batchID string) (int, error) {
	b, err := getBatch(ctx, s.read, workspaceID, batchID)
	if err != nil {
		return 0, err
	}
	return batchHeld(ctx, s.read, b)
}

func batchHeld(ctx context.Context, q querier, b Batch) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT (`+heldInBatch+`) FROM batches b WHERE b.id = ?`, b.ID).Scan(&n)
	return n, err
}

// PurgeBatch deletes for good the batch's leads that are still in the Trash, but
// those on legal hold.
func (s *Store) PurgeBatch(ctx context.Context, workspaceID string, actor Actor, batchID string) (int, error) {
	var p purgeInChunks
	err := s.inTx(ctx, func(tx *Tx) error {
		b, err := getBatch(ctx, tx, workspaceID, batchID)
		if err != nil {
			return err
		}
		// Leads on legal hold stay: the rest of the deletion goes.
		p = purgeInChunks{workspaceID: workspaceID, actor: actor, batchID: b.ID}
		if err := p.freeze(ctx, tx, batchLeads(b).and("held_at IS NULL")); err != nil {
			return err
		}
		if len(p.seqs) == 0 {
			held, err := batchHeld(ctx, tx, b)
			if err != nil {
				return err
			}
			if held > 0 {
				return &Error{Code: EConflict, Message: "Every lead of this deletion still in the Trash is on legal hold; release the hold first"}
			}
			return &Error{Code: EConflict, Message: "Nothing of this deletion is in the Trash any more"}
		}
		return p.next(ctx, s, tx)
	})
	if err != nil {
		return 0, err
	}
	return p.rest(ctx, s)
}

// purgeInChunks deletes for good a set of leads in the Trash, frozen as their seqs in
// the transaction that checked it, PurgeChunk at a time: the first chunk in that
// transaction, every further chunk in one of its own, with an audit row each (which
// says which part it is). A purge takes about 1.5 ms a lead at a million leads (FTS5's
// secure-delete overwrites every word of each), so one transaction for 100,000 would
// hold the writer, and everyone else's changes, for minutes. Leads restored or put on
// hold between chunks stay.
type purgeInChunks struct {
	workspaceID string
	actor       Actor
	batchID     string
	seqs        []int64 // the set, frozen
	done        int     // how many of seqs the chunks so far took
	purged      int     // how many leads they purged
}

func (p *purgeInChunks) freeze(ctx context.Context, tx *Tx, ls leadSet) error {
	return eachRow(ctx, tx, `SELECT seq FROM `+ls.from+` WHERE `+ls.where+` ORDER BY seq`, ls.args, func(rows *sql.Rows) error {
		p.seqs = append(p.seqs, 0)
		return rows.Scan(&p.seqs[len(p.seqs)-1])
	})
}

// next purges the next chunk in tx.
func (p *purgeInChunks) next(ctx context.Context, s *Store, tx *Tx) error {
	chunk := p.seqs[p.done:min(p.done+PurgeChunk, len(p.seqs))]
	details := ""
	if total := len(p.seqs); total > PurgeChunk {
		details = fmt.Sprintf("Part %d of %d: leads %s to %s of %s", p.done/PurgeChunk+1, (total+PurgeChunk-1)/PurgeChunk,
			thousandsOf(p.done+1), thousandsOf(p.done+len(chunk)), thousandsOf(total))
	}
	ls := trashLeads("seq IN (SELECT value FROM json_each(?)) AND held_at IS NULL", seqList(chunk))
	n, err := s.purgeTx(ctx, tx, p.workspaceID, p.actor, ls, p.batchID, "manual", details)
	p.done += len(chunk)
	p.purged += n
	return err
}

// rest purges the chunks left, each in a transaction of its own, to the end even if
// the request that asked is gone: the person confirmed it. It returns how many leads
// were purged in all.
func (p *purgeInChunks) rest(ctx context.Context, s *Store) (int, error) {
	ctx = context.WithoutCancel(ctx)
	for p.done < len(p.seqs) {
		if err := s.inTx(ctx, func(tx *Tx) error { return p.next(ctx, s, tx) }); err != nil {
			return p.purged, err
		}
	}
	return p.purged, nil
}

// purgeTx removes the set's leads (purgeRows) and writes the audit row.
func (s *Store) purgeTx(ctx context.Context, tx *Tx, workspaceID string, actor Actor, ls leadSet, batchID, how, details string) (int, error) {
	var first string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(min(id), '') FROM `+ls.from+` WHERE `+ls.where, ls.args...).Scan(&first); err != nil {
		return 0, err
	}
	n, err := s.purgeRows(ctx, tx, workspaceID, actor, ls, how)
	if err != nil || n == 0 {
		return n, err
	}
	leadID := ""
	if n == 1 {
		leadID = first
	}
	return n, audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "purge", leadID: leadID,
		batchID: batchID, count: n, reason: how, details: details})
}

// seqList is seqs as a JSON array, for a statement's "seq IN (SELECT value FROM
// json_each(?))": one parameter however many leads.
func seqList(seqs []int64) string {
	b, _ := json.Marshal(seqs) // an []int64 always marshals
	return string(b)
}

// refuseHeld refuses a purge of a set with leads on legal hold.
func refuseHeld(ctx context.Context, tx *Tx, ls leadSet) error {
	var held int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+ls.from+` WHERE `+ls.where+` AND held_at IS NOT NULL`, ls.args...).Scan(&held); err != nil {
		return err
	}
	if held > 0 {
		return &Error{Code: EConflict, Message: plural(held, "lead") + " on legal hold cannot be deleted forever; release the hold first"}
	}
	return nil
}

// purgeRows removes the set's leads, leaving tombstones that hold only keyed hashes
// of their e-mail and phone. Leads on legal hold are never purged.
func (s *Store) purgeRows(ctx context.Context, tx *Tx, workspaceID string, actor Actor, ls leadSet, how string) (int, error) {
	if err := refuseHeld(ctx, tx, ls); err != nil {
		return 0, err
	}
	type doomed struct {
		Lead
		bat string
	}
	var leads []doomed
	err := eachRow(ctx, tx, `SELECT seq, id, name, email, phone, company, COALESCE(batch_id, '') FROM `+ls.from+` WHERE `+ls.where, ls.args,
		func(rows *sql.Rows) error {
			var d doomed
			err := rows.Scan(&d.seq, &d.ID, &d.Name, &d.Email, &d.Phone, &d.Company, &d.bat)
			leads = append(leads, d)
			return err
		})
	if err != nil || len(leads) == 0 {
		return 0, err
	}
	if err := moveCounts(ctx, tx, workspaceID, ls, 0); err != nil {
		return 0, err
	}
	// The leads read above, by seq: the set may be a search, which stops matching once
	// the search entries go. Notes, tags, tasks and activity go with the lead (by the
	// leads view's trigger and ON DELETE CASCADE).
	seqs := make([]int64, len(leads))
	for i, d := range leads {
		seqs[i] = d.seq
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM leads WHERE seq IN (SELECT value FROM json_each(?))`, seqList(seqs)); err != nil {
		return 0, fmt.Errorf("store: purge: %w", err)
	}
	for _, d := range leads {
		emailHash, phoneHash := s.contactHashes(d.Email, d.Phone)
		if err := unindexLead(ctx, tx, d.Lead); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tombstones (lead_id, workspace_id, purged_at, how, by_actor, email_hash, phone_hash, batch_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''))`, d.ID, workspaceID, tx.nowMs(), how, actor.ID,
			emailHash, phoneHash, d.bat); err != nil {
			return 0, fmt.Errorf("store: tombstone: %w", err)
		}
	}
	return len(leads), countEvent(ctx, tx, workspaceID, "purge."+how, actor.ID, len(leads), 0)
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// keyedHash is HMAC-SHA-256 of a normalised value with the server secret; "" stays "".
func (s *Store) keyedHash(v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// Tombstone is what is left of a purged lead.
type Tombstone struct {
	LeadID   string
	PurgedAt time.Time
	How      string // retention, manual, erasure
	ByName   string
}

// Message says plainly what happened to the lead.
func (t Tombstone) Message() string {
	when := t.PurgedAt.Format("Jan 2, 2006 at 15:04 UTC")
	switch t.How {
	case "retention":
		return "This lead was permanently deleted on " + when + ", when its time in the Trash ran out"
	case "erasure":
		return "This lead was erased on " + when + " at the person's request"
	}
	return "This lead was permanently deleted on " + when + " by " + t.ByName
}

func tombstone(ctx context.Context, q querier, workspaceID, leadID string) (Tombstone, error) {
	var t Tombstone
	var at int64
	err := q.QueryRowContext(ctx, `SELECT lead_id, purged_at, how, `+fmt.Sprintf(actorName, "by_actor")+`
		FROM tombstones WHERE workspace_id = ? AND lead_id = ?`, workspaceID, leadID).Scan(&t.LeadID, &at, &t.How, &t.ByName)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("store: tombstone %s: %w", leadID, ErrLeadNotFound)
	}
	t.PurgedAt = time.UnixMilli(at).UTC()
	return t, err
}

// Tombstone returns what is left of the workspace's purged lead, or ErrLeadNotFound.
func (s *Store) Tombstone(ctx context.Context, workspaceID, leadID string) (Tombstone, error) {
	return tombstone(ctx, s.read, workspaceID, leadID)
}

// trashSet is the set of the workspace's trashed leads that the Trash filter matches.
func trashSet(workspaceID string, f TrashFilter) leadSet {
	ls := trashLeads("workspace_id = ?", workspaceID)
	if f.DeletedBy != "" {
		ls = ls.and("deleted_by = ?")
		ls.args = append(ls.args, f.DeletedBy)
	}
	return withSearch(ls, workspaceID, f.Query)
}

// CountTrash is the exact number of trashed leads the filter matches.
func (s *Store) CountTrash(ctx context.Context, workspaceID string, f TrashFilter) (int, error) {
	ls := trashSet(workspaceID, f)
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM `+ls.from+` WHERE `+ls.where, ls.args...).Scan(&n)
	return n, err
}

// frozenTrashSet is the Trash filter's set, if it still holds exactly expected leads.
func frozenTrashSet(ctx context.Context, tx *Tx, workspaceID string, f TrashFilter, expected int) (leadSet, error) {
	ls := trashSet(workspaceID, f)
	count, _, err := countAndFirst(ctx, tx, ls)
	if err != nil {
		return ls, err
	}
	return ls, checkFrozenCount(count, expected)
}

// RestoreMatching restores every trashed lead the filter matches, which must still
// be exactly expected leads.
func (s *Store) RestoreMatching(ctx context.Context, workspaceID string, actor Actor, f TrashFilter, expected int) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *Tx) error {
		ls, err := frozenTrashSet(ctx, tx, workspaceID, f, expected)
		if err != nil {
			return err
		}
		n, err = restoreTx(ctx, tx, workspaceID, actor, ls, nil, "", "restore", "Restored from the Trash")
		return err
	})
	return n, err
}

// PurgeMatching deletes for good every trashed lead the filter matches, which must
// still be exactly expected leads.
func (s *Store) PurgeMatching(ctx context.Context, workspaceID string, actor Actor, f TrashFilter, expected int) (int, error) {
	p := purgeInChunks{workspaceID: workspaceID, actor: actor}
	err := s.inTx(ctx, func(tx *Tx) error {
		ls, err := frozenTrashSet(ctx, tx, workspaceID, f, expected)
		if err != nil {
			return err
		}
		if err := refuseHeld(ctx, tx, ls); err != nil {
			return err
		}
		if err := p.freeze(ctx, tx, ls); err != nil {
			return err
		}
		return p.next(ctx, s, tx)
	})
	if err != nil {
		return 0, err
	}
	return p.rest(ctx, s)
}
