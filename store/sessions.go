package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in browser. The cookie holds only its id; revoking the row
// ends the session at once, whatever the cookie says.
type Session struct {
	// Role is what the session may do here: the user's role, or admin for an
	// operator acting in another workspace.
	Role       Role
	ID         string
	User       User
	Workspace  Workspace
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// SessionLimits are how long a session may sit idle and live in all.
type SessionLimits struct {
	Idle     time.Duration
	Absolute time.Duration
}

// ErrSessionEnded is returned for a session that was revoked, timed out, or whose
// user was deactivated.
var ErrSessionEnded = &Error{Code: EUnauthorized, Message: "Your session has ended; please sign in again"}

// CreateSession starts a new session for the user, in the user's own workspace.
func (s *Store) CreateSession(ctx context.Context, u User) (string, error) {
	id := newID(prefixSession) + randomToken(16)
	err := s.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, workspace_id, created_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?)`, id, u.ID, u.WorkspaceID, tx.nowMs(), tx.nowMs())
		return err
	})
	return id, err
}

// touchEvery bounds how often a request writes last_seen_at.
const touchEvery = time.Minute

// ResolveSession returns the live session with the id, refreshing its last-seen time,
// or ErrSessionEnded.
func (s *Store) ResolveSession(ctx context.Context, id string, limits SessionLimits) (Session, error) {
	var sess Session
	var created, seen int64
	var revoked sql.NullInt64
	var wsID string
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+`, s.created_at, s.last_seen_at, s.revoked_at, s.workspace_id
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, id), &created, &seen, &revoked, &wsID)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, ErrSessionEnded
	}
	if err != nil {
		return sess, fmt.Errorf("store: resolve session: %w", err)
	}
	now := s.Now()
	sess = Session{ID: id, User: u, CreatedAt: time.UnixMilli(created), LastSeenAt: time.UnixMilli(seen)}
	if revoked.Valid || u.Deactivated ||
		now.Sub(sess.LastSeenAt) > limits.Idle || now.Sub(sess.CreatedAt) > limits.Absolute {
		return sess, ErrSessionEnded
	}
	if sess.Workspace, err = s.Workspace(ctx, wsID); err != nil {
		return sess, err
	}
	sess.Role = u.Role
	if wsID != u.WorkspaceID {
		if !u.Operator { // cannot happen: only SwitchWorkspace moves a session
			return sess, ErrSessionEnded
		}
		sess.Role = RoleAdmin
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		err = s.inTx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, tx.nowMs(), id)
			return err
		})
	}
	return sess, err
}

// RevokeSession ends the session; ending an ended one is harmless.
func (s *Store) RevokeSession(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, tx.nowMs(), id)
		return err
	})
}
