package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zone names work on machines without a zoneinfo database
)

// Settings are a workspace's rules for deletion and the Trash.
type Settings struct {
	RetentionDays  int
	PurgeHour      int
	Timezone       string
	ReasonRequired bool
}

// UpdateSettings validates and saves the workspace's settings, with an audit row.
func (s *Store) UpdateSettings(ctx context.Context, workspaceID string, actor Actor, in Settings) (Workspace, error) {
	in.Timezone = strings.TrimSpace(in.Timezone)
	v := Invalid{}
	if in.RetentionDays < 0 || in.RetentionDays > 365 {
		v.Add("retention_days", "must be between 0 and 365 days")
	}
	if in.PurgeHour < 0 || in.PurgeHour > 23 {
		v.Add("purge_hour", "must be an hour from 0 to 23")
	}
	if in.Timezone == "" {
		in.Timezone = "UTC"
	}
	if _, err := time.LoadLocation(in.Timezone); err != nil || strings.EqualFold(in.Timezone, "local") {
		v.Add("timezone", "is not a time zone name like Europe/Berlin or America/New_York")
	}
	if err := v.Err(); err != nil {
		return Workspace{}, err
	}
	var ws Workspace
	err := s.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE workspaces SET retention_days = ?, purge_hour = ?, timezone = ?, reason_required = ? WHERE id = ?`,
			in.RetentionDays, in.PurgeHour, in.Timezone, in.ReasonRequired, workspaceID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: settings: workspace %s: %w", workspaceID, ErrNotFound)
		}
		if ws, err = scanWorkspace(tx.QueryRowContext(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, workspaceID)); err != nil {
			return err
		}
		details := fmt.Sprintf("retention %d days, purge hour %d (%s), reason required for single deletes: %t",
			in.RetentionDays, in.PurgeHour, in.Timezone, in.ReasonRequired)
		return audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "settings", details: details})
	})
	return ws, err
}

// Workspaces lists every workspace with its number of active leads, by name: the
// operator's view across the walls.
func (s *Store) Workspaces(ctx context.Context) ([]WorkspaceCount, error) {
	var out []WorkspaceCount
	err := eachRow(ctx, s.read, `SELECT `+workspaceColumns+`,
		COALESCE((SELECT SUM(active) FROM lead_counts c WHERE c.workspace_id = workspaces.id), 0),
		COALESCE((SELECT SUM(trashed) FROM lead_counts c WHERE c.workspace_id = workspaces.id), 0)
		FROM workspaces ORDER BY name`, nil, func(rows *sql.Rows) error {
		var w WorkspaceCount
		var err error
		w.Workspace, err = scanWorkspace(scanExtra{rows, []any{&w.Active, &w.Trashed}})
		out = append(out, w)
		return err
	})
	return out, err
}

// WorkspaceCount is a workspace with its lead counts.
type WorkspaceCount struct {
	Workspace
	Active, Trashed int
}

// scanExtra lets a scan function that knows its own columns read more after them.
type scanExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (se scanExtra) Scan(dest ...any) error { return se.row.Scan(append(dest, se.extra...)...) }

// ChangeRole gives a member of the workspace another role. Nobody changes their own
// role, and the last active admin stays an admin.
func (s *Store) ChangeRole(ctx context.Context, workspaceID string, actor Actor, userID, role string) (User, error) {
	r, ok := ParseRole(role)
	if !ok {
		return User{}, &Error{Code: EInvalid, Message: "No such role", Fields: map[string]string{"role": "must be one of viewer, agent, manager, admin"}}
	}
	var u User
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		if u, err = memberForChange(ctx, tx, workspaceID, actor, userID); err != nil {
			return err
		}
		if u.Role == r {
			return nil
		}
		if u.Role == RoleAdmin && !u.Deactivated {
			if err := keepAnAdmin(ctx, tx, workspaceID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, string(r), u.ID); err != nil {
			return err
		}
		details := fmt.Sprintf("%s: %s → %s", u.Name, u.Role, r)
		u.Role = r
		return audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "user.role", details: details})
	})
	return u, err
}

// Deactivate ends a member's access: their sessions end at once and they can no
// longer sign in. The last active admin cannot be deactivated.
func (s *Store) Deactivate(ctx context.Context, workspaceID string, actor Actor, userID string) (User, error) {
	var u User
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		if u, err = memberForChange(ctx, tx, workspaceID, actor, userID); err != nil {
			return err
		}
		if u.Deactivated {
			return nil
		}
		if u.Role == RoleAdmin {
			if err := keepAnAdmin(ctx, tx, workspaceID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET deactivated_at = ? WHERE id = ?`, tx.nowMs(), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.nowMs(), u.ID); err != nil {
			return err
		}
		u.Deactivated = true
		return audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "user.deactivate", details: u.Name})
	})
	return u, err
}

// Reactivate lets a deactivated member sign in again.
func (s *Store) Reactivate(ctx context.Context, workspaceID string, actor Actor, userID string) (User, error) {
	var u User
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		if u, err = memberForChange(ctx, tx, workspaceID, actor, userID); err != nil || !u.Deactivated {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET deactivated_at = NULL WHERE id = ?`, u.ID); err != nil {
			return err
		}
		u.Deactivated = false
		return audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "user.reactivate", details: u.Name})
	})
	return u, err
}

// memberForChange is the workspace's user about to be changed by actor: another
// workspace's user is not found, and nobody changes themselves.
func memberForChange(ctx context.Context, tx *Tx, workspaceID string, actor Actor, userID string) (User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.workspace_id = ? AND u.id = ?`, workspaceID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("store: user %q: %w", userID, &Error{Code: ENotFound, Message: "No such user in this workspace"})
	}
	if err != nil {
		return u, err
	}
	if u.ID == actor.ID {
		return u, &Error{Code: EForbidden, Message: "You cannot change your own role or access; ask another admin"}
	}
	return u, nil
}

// keepAnAdmin refuses a change that would leave the workspace without an active admin.
func keepAnAdmin(ctx context.Context, tx *Tx, workspaceID string) error {
	var admins int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE workspace_id = ? AND role = 'admin' AND deactivated_at IS NULL`,
		workspaceID).Scan(&admins); err != nil {
		return err
	}
	if admins <= 1 {
		return &Error{Code: EConflict, Message: "This is the last admin of the workspace; make someone else an admin first"}
	}
	return nil
}

// AddMember creates a user in the workspace on behalf of an admin, with its audit
// row in the same transaction.
func (s *Store) AddMember(ctx context.Context, actor Actor, in NewUser) (User, error) {
	in.Operator = false // operators are made on the command line, never through a form
	return s.createUser(ctx, in, func(tx *Tx, u User) error {
		return audit(ctx, tx, auditEntry{workspaceID: in.WorkspaceID, actor: actor, action: "user.add",
			details: fmt.Sprintf("%s (%s)", u.Name, u.Role)})
	})
}

// SwitchWorkspace moves an operator's session into another workspace (or back to
// their own), and audits the crossing.
func (s *Store) SwitchWorkspace(ctx context.Context, sessionID string, u User, workspaceID string) (Workspace, error) {
	if !u.Operator {
		return Workspace{}, &Error{Code: EForbidden, Message: "Only operators act in other workspaces"}
	}
	var ws Workspace
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		ws, err = scanWorkspace(tx.QueryRowContext(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, workspaceID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: workspace %q: %w", workspaceID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET workspace_id = ? WHERE id = ? AND user_id = ?`, ws.ID, sessionID, u.ID); err != nil {
			return err
		}
		if ws.ID == u.WorkspaceID {
			return nil
		}
		return audit(ctx, tx, auditEntry{workspaceID: ws.ID, actor: UserActor(u), action: "operator.enter",
			details: "Operator " + u.Name + " entered the workspace"})
	})
	return ws, err
}
