package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Role is what a member of a workspace may do; the web layer's policy table maps
// roles to actions.
type Role string

// The roles, from least to most power.
const (
	RoleViewer  Role = "viewer"
	RoleAgent   Role = "agent"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// Roles lists every role, least power first.
var Roles = []Role{RoleViewer, RoleAgent, RoleManager, RoleAdmin}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// User is a person who signs in to one workspace.
type User struct {
	ID          string
	WorkspaceID string
	Email       string
	Name        string
	Role        Role
	Operator    bool
	CreatedAt   time.Time
	Deactivated bool
}

// NewUser is what CreateUser needs.
type NewUser struct {
	WorkspaceID string
	Email       string
	Name        string
	Role        string
	Operator    bool
	Password    string
}

// CreateUser validates and adds a user, hashing the password.
func (s *Store) CreateUser(ctx context.Context, in NewUser) (User, error) {
	return s.createUser(ctx, in, nil)
}

// createUser adds a user in one transaction, with then(tx, user) inside it when set.
func (s *Store) createUser(ctx context.Context, in NewUser, then func(tx *Tx, u User) error) (User, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	name := strings.TrimSpace(in.Name)
	v := Invalid{}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		v.Add("email", "is not a valid e-mail address")
	}
	if err := checkName("name", name); err != nil {
		v.Add("name", err.(*Error).Fields["name"])
	}
	role, ok := ParseRole(in.Role)
	if !ok {
		v.Add("role", "must be one of viewer, agent, manager, admin")
	}
	if len([]rune(in.Password)) < MinPasswordLen {
		v.Add("password", fmt.Sprintf("must be at least %d characters", MinPasswordLen))
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	u := User{ID: newID(prefixUser), WorkspaceID: in.WorkspaceID, Email: email, Name: name, Role: role, Operator: in.Operator}
	hash := hashPassword(in.Password)
	err := s.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM workspaces WHERE id = ?`, in.WorkspaceID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return &Error{Code: ENotFound, Message: "No such workspace", Fields: map[string]string{"workspace": "does not exist"}}
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE email = ?`, email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &Error{Code: EConflict, Message: "A user with this e-mail already exists", Fields: map[string]string{"email": "is taken"}}
		}
		u.CreatedAt = tx.now
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, workspace_id, email, name, password_hash, role, operator, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.WorkspaceID, u.Email, u.Name, hash, string(u.Role), u.Operator, tx.nowMs()); err != nil {
			return err
		}
		if then != nil {
			return then(tx, u)
		}
		return nil
	})
	return u, err
}

const userColumns = `u.id, u.workspace_id, u.email, u.name, u.role, u.operator, u.created_at, u.deactivated_at IS NOT NULL`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var role string
	var created int64
	err := row.Scan(append([]any{&u.ID, &u.WorkspaceID, &u.Email, &u.Name, &role, &u.Operator, &created, &u.Deactivated}, extra...)...)
	u.Role = Role(role)
	u.CreatedAt = time.UnixMilli(created).UTC()
	return u, err
}

// Authenticate returns the active user with the e-mail and password, or
// ErrUnauthorized without saying which of the two was wrong. It takes as long for
// an unknown e-mail as for a wrong password.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var hash string
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.email = ?`, email), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(dummyHash, password)
		return User{}, ErrUnauthorized
	}
	if err != nil {
		return User{}, fmt.Errorf("store: authenticate: %w", err)
	}
	if !checkPassword(hash, password) || u.Deactivated {
		return User{}, ErrUnauthorized
	}
	return u, nil
}

// Users lists the workspace's users by name.
func (s *Store) Users(ctx context.Context, workspaceID string) ([]User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.workspace_id = ? ORDER BY u.name, u.id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, rows.Err()
}
