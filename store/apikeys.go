package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// APIKey is a workspace's key for the REST API. Its secret ("sk-…") is shown once,
// when it is made; the store keeps only its SHA-256.
type APIKey struct {
	ID          string
	WorkspaceID string
	Name        string
	Role        Role
	Prefix      string // the secret's first characters, to tell keys apart
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	Revoked     bool
}

// Actor is who a key acts as.
func (k APIKey) Actor() Actor { return Actor{Kind: "key", ID: k.ID, Name: k.Name} }

// ErrBadKey is returned for a missing, malformed, unknown or revoked key.
var ErrBadKey = &Error{Code: EUnauthorized, Message: "A valid API key is required: Authorization: Bearer sk-…"}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey makes a key for the workspace and returns it with its secret, which
// is never stored.
func (s *Store) CreateAPIKey(ctx context.Context, workspaceID string, actor Actor, name, role string) (APIKey, string, error) {
	name = strings.TrimSpace(name)
	v := Invalid{}
	if err := checkName("name", name); err != nil {
		v.Add("name", err.(*Error).Fields["name"])
	}
	r, ok := ParseRole(role)
	if !ok {
		v.Add("role", "must be one of viewer, agent, manager, admin")
	}
	if err := v.Err(); err != nil {
		return APIKey{}, "", err
	}
	secret := "sk-" + randomToken(24)
	k := APIKey{ID: newID(prefixKey), WorkspaceID: workspaceID, Name: name, Role: r, Prefix: secret[:10]}
	err := s.inTx(ctx, func(tx *Tx) error {
		k.CreatedAt = tx.now
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, workspace_id, name, role, prefix, secret_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, k.ID, workspaceID, k.Name, string(k.Role), k.Prefix, hashSecret(secret), tx.nowMs())
		if err != nil {
			if strings.Contains(err.Error(), "FOREIGN KEY") {
				return fmt.Errorf("store: api key: workspace %s: %w", workspaceID, ErrNotFound)
			}
			return err
		}
		return audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "key.add",
			details: fmt.Sprintf("%s (%s, %s…)", k.Name, k.Role, k.Prefix)})
	})
	return k, secret, err
}

const keyColumns = `id, workspace_id, name, role, prefix, created_at, last_used_at, revoked_at IS NOT NULL`

func scanKey(row interface{ Scan(...any) error }, extra ...any) (APIKey, error) {
	var k APIKey
	var role string
	var created int64
	var used sql.NullInt64
	err := row.Scan(append([]any{&k.ID, &k.WorkspaceID, &k.Name, &role, &k.Prefix, &created, &used, &k.Revoked}, extra...)...)
	k.Role, k.CreatedAt = Role(role), time.UnixMilli(created).UTC()
	if used.Valid {
		t := time.UnixMilli(used.Int64).UTC()
		k.LastUsedAt = &t
	}
	return k, err
}

// AuthenticateKey returns the live key whose secret this is, and its workspace.
func (s *Store) AuthenticateKey(ctx context.Context, secret string) (APIKey, Workspace, error) {
	if !strings.HasPrefix(secret, "sk-") || len(secret) > 200 {
		return APIKey{}, Workspace{}, ErrBadKey
	}
	want := hashSecret(secret)
	var stored string
	k, err := scanKey(s.read.QueryRowContext(ctx, `SELECT `+keyColumns+`, secret_hash FROM api_keys WHERE secret_hash = ?`, want), &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return APIKey{}, Workspace{}, ErrBadKey
	}
	if err != nil {
		return APIKey{}, Workspace{}, fmt.Errorf("store: authenticate key: %w", err)
	}
	// The lookup is by hash; compare once more in constant time all the same.
	if subtle.ConstantTimeCompare([]byte(stored), []byte(want)) != 1 || k.Revoked {
		return APIKey{}, Workspace{}, ErrBadKey
	}
	ws, err := s.Workspace(ctx, k.WorkspaceID)
	if err != nil {
		return APIKey{}, Workspace{}, err
	}
	if k.LastUsedAt == nil || s.Now().Sub(*k.LastUsedAt) >= touchEvery {
		err = s.inTx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, tx.nowMs(), k.ID)
			return err
		})
	}
	return k, ws, err
}

// APIKeys lists the workspace's keys, newest first.
func (s *Store) APIKeys(ctx context.Context, workspaceID string) ([]APIKey, error) {
	var out []APIKey
	err := eachRow(ctx, s.read, `SELECT `+keyColumns+` FROM api_keys WHERE workspace_id = ? ORDER BY created_at DESC, id`,
		[]any{workspaceID}, func(rows *sql.Rows) error {
			k, err := scanKey(rows)
			out = append(out, k)
			return err
		})
	return out, err
}

// RevokeAPIKey ends the workspace's key at once; revoking it again is harmless.
func (s *Store) RevokeAPIKey(ctx context.Context, workspaceID string, actor Actor, keyID string) (APIKey, error) {
	var k APIKey
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		k, err = scanKey(tx.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE workspace_id = ? AND id = ?`, workspaceID, keyID))
		if errors.Is(err, sql.ErrNoRows) {
			return &Error{Code: ENotFound, Message: "No such API key in this workspace"}
		}
		if err != nil || k.Revoked {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, tx.nowMs(), k.ID); err != nil {
			return err
		}
		k.Revoked = true
		return audit(ctx, tx, auditEntry{workspaceID: workspaceID, actor: actor, action: "key.revoke", details: k.Name})
	})
	return k, err
}
