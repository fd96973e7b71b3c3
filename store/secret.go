package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	secret, err := readSecret(keyPath)
	if !errors.Is(err, fs.ErrNotExist) {
		return secret, err
	}
	return createSecret(keyPath)
}

// createSecret writes 32 random bytes to keyPath, or reads the key another process
// wrote first: the key is written whole to a temporary file, then linked into place,
// so a reader never sees a partial key and two processes starting together agree.
func createSecret(keyPath string) ([]byte, error) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	tmp, err := os.CreateTemp(filepath.Dir(keyPath), filepath.Base(keyPath)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("store: create secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(secret) + "\n")
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Sync(), tmp.Close()); err != nil {
		return nil, fmt.Errorf("store: write secret: %w", err)
	}
	if err := os.Link(tmp.Name(), keyPath); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readSecret(keyPath)
		}
		return nil, fmt.Errorf("store: create secret: %w", err)
	}
	return secret, nil
}

func readSecret(keyPath string) ([]byte, error) {
	b, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(secret) != 32 {
		return nil, fmt.Errorf("store: %s does not hold 32 hex-encoded bytes", keyPath)
	}
	return secret, nil
}
