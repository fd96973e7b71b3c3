package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// LoadSecret returns the server secret: LEADKEEP_SECRET (hex or text, at least 32
// bytes) if set, else the 32 random bytes of the key file beside the database
// (PATH.key, mode 0600), created on first use. It keys session cookies and the
// hashes of suppressions and tombstones.
func LoadSecret(dbPath string) ([]byte, error) {
	if env := os.Getenv("LEADKEEP_SECRET"); env != "" {
		if b, err := hex.DecodeString(env); err == nil && len(b) >= 32 {
			return b, nil
		}
		if len(env) < 32 {
			return nil, errors.New("store: LEADKEEP_SECRET must be at least 32 bytes (or 64 hex digits)")
		}
		return []byte(env), nil
	}
	keyPath := dbPath + ".key"
	b, err := os.ReadFile(keyPath)
	if err == nil {
		secret, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(secret) != 32 {
			return nil, fmt.Errorf("store: %s does not hold 32 hex-encoded bytes", keyPath)
		}
		return secret, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: read secret: %w", err)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	f, err := os.OpenFile(keyPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: create secret: %w", err)
	}
	_, werr := f.WriteString(hex.EncodeToString(secret) + "\n")
	if err := errors.Join(werr, f.Close()); err != nil {
		return nil, fmt.Errorf("store: write secret: %w", err)
	}
	return secret, nil
}
