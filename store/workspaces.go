package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Workspace is a tenant: its leads, users and settings are walled off from every other.
type Workspace struct {
	ID             string
	Name           string
	RetentionDays  int
	PurgeHour      int
	Timezone       string
	DefaultRegion  string
	ReasonRequired bool
	CreatedAt      time.Time
}

// Pool is a named group of leads inside a workspace.
type Pool struct {
	ID          string
	WorkspaceID string
	Name        string
	IsDefault   bool
}

// DefaultPoolName is the pool every workspace starts with, where leads created
// without a pool go.
const DefaultPoolName = "Default"

const maxNameLen = 100

// CreateWorkspace creates a workspace and its Default pool.
func (s *Store) CreateWorkspace(ctx context.Context, name string) (Workspace, error) {
	name = strings.TrimSpace(name)
	if err := checkName("name", name); err != nil {
		return Workspace{}, err
	}
	var ws Workspace
	err := s.inTx(ctx, func(tx *Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM workspaces WHERE name = ?`, name).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return &Error{Code: EConflict, Message: fmt.Sprintf("A workspace named %q already exists", name),
				Fields: map[string]string{"name": "is taken"}}
		}
		ws = Workspace{ID: newID(prefixWorkspace), Name: name, RetentionDays: 30, PurgeHour: 2,
			Timezone: "UTC", DefaultRegion: "US", CreatedAt: tx.now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`,
			ws.ID, ws.Name, tx.nowMs()); err != nil {
			return err
		}
		_, err := createPool(ctx, tx, ws.ID, DefaultPoolName, true)
		return err
	})
	return ws, err
}

func checkName(field, name string) error {
	v := Invalid{}
	switch {
	case name == "":
		v.Add(field, "is required")
	case len([]rune(name)) > maxNameLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxNameLen))
	}
	return v.Err()
}

const workspaceColumns = `id, name, retention_days, purge_hour, timezone, default_region, reason_required, created_at`

func scanWorkspace(row interface{ Scan(...any) error }) (Workspace, error) {
	var ws Workspace
	var created int64
	err := row.Scan(&ws.ID, &ws.Name, &ws.RetentionDays, &ws.PurgeHour, &ws.Timezone, &ws.DefaultRegion,
		&ws.ReasonRequired, &created)
	ws.CreatedAt = time.UnixMilli(created).UTC()
	return ws, err
}

// Workspace returns the workspace with the id.
func (s *Store) Workspace(ctx context.Context, id string) (Workspace, error) {
	ws, err := scanWorkspace(s.read.QueryRowContext(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ws, fmt.Errorf("store: workspace %s: %w", id, ErrNotFound)
	}
	return ws, err
}

// FindWorkspace returns the workspace whose id or name is ref.
func (s *Store) FindWorkspace(ctx context.Context, ref string) (Workspace, error) {
	ws, err := scanWorkspace(s.read.QueryRowContext(ctx,
		`SELECT `+workspaceColumns+` FROM workspaces WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1`, ref, ref, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return ws, &Error{Code: ENotFound, Message: fmt.Sprintf("No workspace with the id or name %q", ref)}
	}
	return ws, err
}

// CreatePool adds a pool to the workspace.
func (s *Store) CreatePool(ctx context.Context, workspaceID, name string) (Pool, error) {
	name = strings.TrimSpace(name)
	if err := checkName("name", name); err != nil {
		return Pool{}, err
	}
	var p Pool
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		p, err = createPool(ctx, tx, workspaceID, name, false)
		return err
	})
	return p, err
}

func createPool(ctx context.Context, tx *Tx, workspaceID, name string, isDefault bool) (Pool, error) {
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pools WHERE workspace_id = ? AND name = ?`,
		workspaceID, name).Scan(&taken); err != nil {
		return Pool{}, err
	}
	if taken > 0 {
		return Pool{}, &Error{Code: EConflict, Message: fmt.Sprintf("A pool named %q already exists", name),
			Fields: map[string]string{"name": "is taken"}}
	}
	p := Pool{ID: newID(prefixPool), WorkspaceID: workspaceID, Name: name, IsDefault: isDefault}
	_, err := tx.ExecContext(ctx, `INSERT INTO pools (id, workspace_id, name, is_default, created_at) VALUES (?, ?, ?, ?, ?)`,
		p.ID, p.WorkspaceID, p.Name, p.IsDefault, tx.nowMs())
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
		return Pool{}, fmt.Errorf("store: create pool: workspace %s: %w", workspaceID, ErrNotFound)
	}
	return p, err
}

// Pools lists the workspace's pools, the default first, then by name.
func (s *Store) Pools(ctx context.Context, workspaceID string) ([]Pool, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, workspace_id, name, is_default FROM pools
		WHERE workspace_id = ? ORDER BY is_default DESC, name`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var pools []Pool
	for rows.Next() {
		var p Pool
		if err := rows.Scan(&p.ID, &p.WorkspaceID, &p.Name, &p.IsDefault); err != nil {
			return nil, err
		}
		pools = append(pools, p)
	}
	return pools, rows.Err()
}
