package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Backup writes a consistent copy of the live database to path (VACUUM INTO: a
// snapshot taken in one read transaction, while writes go on), and copies the
// server secret beside it as path.key, without which the copy's cookies and keyed
// hashes mean nothing. It refuses to overwrite an existing file.
func (s *Store) Backup(ctx context.Context, path string) error {
	if path == "" {
		return &Error{Code: EInvalid, Message: "A backup needs a file to write", Fields: map[string]string{"to": "is required"}}
	}
	if _, err := os.Stat(path); err == nil {
		return &Error{Code: EConflict, Message: fmt.Sprintf("%s already exists; a backup never overwrites a file", path)}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := s.read.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	key, err := os.OpenFile(path+".key", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("store: backup of the secret: %w", err)
	}
	_, werr := fmt.Fprintf(key, "%x\n", s.secret)
	return errors.Join(werr, key.Close())
}
