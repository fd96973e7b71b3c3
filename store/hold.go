package store

import (
	"context"
	"fmt"
	"strings"
)

// A legal hold keeps trashed leads from being purged or erased (by retention, by a
// person, by an erasure) until an admin releases it. Restoring a held lead keeps the
// hold: it still cannot be erased.

const maxHoldReasonLen = 500

// HoldTarget names what a hold or release acts on: one lead, or the leads of a
// deletion batch that are still in the Trash.
type HoldTarget struct {
	LeadID  string
	BatchID string
}

func (t HoldTarget) set(ctx context.Context, tx *Tx, workspaceID string) (leadSet, error) {
	if t.BatchID != "" {
		b, err := getBatch(ctx, tx, workspaceID, t.BatchID)
		if err != nil {
			return leadSet{}, err
		}
		return batchLeads(b), nil
	}
	if _, err := getLead(ctx, tx, workspaceID, t.LeadID); err != nil {
		if _, terr := tombstone(ctx, tx, workspaceID, t.LeadID); terr == nil {
			return leadSet{}, &Error{Code: EGone, Message: "This lead was permanently deleted; there is nothing left to hold"}
		}
		return leadSet{}, err
	}
	return idLeads(workspaceID, []string{t.LeadID}), nil
}

// Hold puts the target's trashed leads on legal hold, with a reason; it returns how
// many it held. Leads already on hold keep their first hold.
func (s *Store) Hold(ctx context.Context, workspaceID string, actor Actor, t HoldTarget, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	v := Invalid{}
	switch {
	case reason == "":
		v.Add("reason", "is required: say why these leads must be kept (a case or request number helps)")
	case len([]rune(reason)) > maxHoldReasonLen:
		v.Add("reason", fmt.Sprintf("must be at most %d characters", maxHoldReasonLen))
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	var n int
	err := s.inTx(ctx, func(tx *Tx) error {
		ls, err := t.set(ctx, tx, workspaceID)
		if err != nil {
			return err
		}
		var trashed, held int
		if err := tx.QueryRowContext(ctx, `SELECT count(*), count(held_at) FROM `+ls.from+` WHERE `+ls.where+` AND deleted_at IS NOT NULL`,
			ls.args...).Scan(&trashed, &held); err != nil {
			return err
		}
		switch {
		case trashed == 0 && t.LeadID != "":
			return &Error{Code: EConflict, Message: "Only a lead in the Trash can be put on legal hold"}
		case trashed == 0:
			return &Error{Code: EConflict, Message: "Nothing of this deletion is in the Trash any more"}
		case trashed == held:
			return &Error{Code: EConflict, Message: "Already on legal hold"}
		}
		todo := ls.and("deleted_at IS NOT NULL AND held_at IS NULL")
		if err := setActivity(ctx, tx, workspaceID, todo, actor, "held", "Put on legal hold: "+reason); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE lead_rows SET held_at = ?, held_by = ?, hold_reason = ? WHERE seq IN (SELECT seq FROM `+todo.from+` WHERE `+todo.where+`)`,
			append([]any{tx.nowMs(), actor.ID, reason}, todo.args...)...)
		if err != nil {
			return fmt.Errorf("store: hold: %w", err)
		}
		affected, _ := res.RowsAffected()
		n = int(affected)
		return audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "hold", leadID: t.LeadID,
			batchID: t.BatchID, count: n, details: reason})
	})
	return n, err
}

// Release lifts the legal hold of the target's held leads (in the Trash or, once
// restored, active); it returns how many it released.
func (s *Store) Release(ctx context.Context, workspaceID string, actor Actor, t HoldTarget) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *Tx) error {
		ls, err := t.set(ctx, tx, workspaceID)
		if err != nil {
			return err
		}
		held := ls.and("held_at IS NOT NULL")
		if err := setActivity(ctx, tx, workspaceID, held, actor, "released", "Released from legal hold"); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE lead_rows SET held_at = NULL, held_by = NULL, hold_reason = NULL WHERE seq IN (SELECT seq FROM `+held.from+` WHERE `+held.where+`)`, held.args...)
		if err != nil {
			return fmt.Errorf("store: release: %w", err)
		}
		affected, _ := res.RowsAffected()
		if n = int(affected); n == 0 {
			return &Error{Code: EConflict, Message: "Not on legal hold"}
		}
		return audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "release", leadID: t.LeadID,
			batchID: t.BatchID, count: n})
	})
	return n, err
}
