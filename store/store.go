// Package store holds Leadkeep's data and the lifecycle of a lead: its types, the
// embedded SQL migrations, every query and every transaction. It imports nothing of
// the web layer; the web layer never builds SQL.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the database: one writer connection that takes the write lock at BEGIN
// (BEGIN IMMEDIATE, so concurrent writers queue instead of failing with "database is
// locked"), and a pool of readers that WAL lets run beside it.
type Store struct {
	write  *sql.DB
	read   *sql.DB
	path   string
	secret []byte

	// The checkpointer: a connection of its own that copies committed pages from the
	// WAL into the database file in the background, so that no request pays for it.
	ckpt     *sql.DB
	written  atomic.Bool // a transaction committed since the last checkpoint
	stopCkpt chan struct{}
	ckptDone chan struct{}

	// Now is the clock of every transaction; tests replace it.
	Now func() time.Time
}

// pragmas are set on every connection and read back at open.
var pragmas = []struct{ name, value, want string }{
	// busy_timeout first: the pragmas after it may wait for another connection. 30 s:
	// a command beside the server (an import of 100,000 rows, a seed) holds the write
	// lock for seconds, and the server's writes should wait for it, not fail.
	{"busy_timeout", "30000", "30000"},
	{"journal_mode", "WAL", "wal"},
	{"foreign_keys", "1", "1"},
	{"synchronous", "NORMAL", "1"},
	{"secure_delete", "ON", "1"},
	// 64 MiB of page cache a reader (negative means KiB): the indexes of a million
	// leads stay in memory instead of being re-read from the file.
	{"cache_size", "-65536", "-65536"},
	{"temp_store", "MEMORY", "2"},
	// Read the file through a memory map (up to 2 GiB, the most SQLite allows) rather
	// than a system call per page: a bulk change touches pages all over a large table.
	{"mmap_size", "2147418112", "2147418112"},
	// SQLite's default, for the readers (which never commit); the writer checkpoints
	// nothing itself (writerPragmas): the background checkpointer does.
	{"wal_autocheckpoint", "1000", "1000"},
}

// writerPragmas override pragmas on the one writer connection: a bulk delete of
// 100,000 leads dirties many pages, which a smaller cache spills to the WAL in the
// middle of the transaction. (Memory is taken as used; a larger cache measured no
// faster, its page allocations costing what the spills saved.)
//
// The writer does not checkpoint after its commits either: after a bulk delete that
// doubled the delete's time (2.2 s instead of 0.9 s to commit 100,000 leads), and
// the checkpointer does it in the background instead (checkpointEvery).
var writerPragmas = map[string]string{"cache_size": "-262144", "wal_autocheckpoint": "0"}

// checkpointEvery is how often the checkpointer looks for committed work.
const checkpointEvery = 250 * time.Millisecond

func pragmaValue(name, value string, writer bool) string {
	if v, ok := writerPragmas[name]; ok && writer {
		return v
	}
	return value
}

func dsn(path string, immediate bool) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p.name+"("+pragmaValue(p.name, p.value, immediate)+")")
	}
	if immediate {
		q.Set("_txlock", "immediate")
	}
	// The path is the URI's path part: "%", "?" and "#" in it must not be read as URI syntax.
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path) + "?" + q.Encode()
}

// Open opens (creating it if needed) the database at path, checks its pragmas and
// applies any migration not yet applied.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.Contains(path, "mode=memory") {
		return nil, errors.New("store: a database file is required (an in-memory database is private to each pooled connection)")
	}
	write, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	read, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)

	s := &Store{write: write, read: read, path: path, Now: time.Now}
	if s.secret, err = LoadSecret(path); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.firstContact(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.ckpt, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	s.ckpt.SetMaxOpenConns(1)
	s.stopCkpt, s.ckptDone = make(chan struct{}), make(chan struct{})
	go s.checkpointer()
	return s, nil
}

// Secret is the server secret (LoadSecret): it keys session cookies and the hashes
// of suppressions and tombstones.
func (s *Store) Secret() []byte { return s.secret }

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes both pools. Closing the last connection checkpoints the WAL into the
// database file and removes the -wal file.
func (s *Store) Close() error {
	if s.stopCkpt != nil {
		close(s.stopCkpt)
		<-s.ckptDone
		s.stopCkpt = nil
	}
	var ckptErr error
	if s.ckpt != nil {
		ckptErr = s.ckpt.Close()
	}
	// The last connection to close checkpoints what is left and removes the WAL.
	return errors.Join(ckptErr, s.read.Close(), s.write.Close())
}

// checkpointer copies the WAL into the database file after commits, in the
// background (PASSIVE: it never waits for readers or the writer).
func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopCkpt:
			return
		case <-t.C:
			if s.written.Swap(false) {
				_, _ = s.ckpt.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}
}

// firstContact checks the pragmas, retrying while the file is busy: a process that
// opens a new file turns it to WAL mode, and SQLite answers "database is locked" at
// once, without waiting, to another connection that tries the same meanwhile.
func (s *Store) firstContact(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 250*time.Millisecond) {
		err := s.checkPragmas(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func isBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

func (s *Store) checkPragmas(ctx context.Context) error {
	for _, db := range []*sql.DB{s.write, s.read} {
		for _, p := range pragmas {
			var got string
			if err := db.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil {
				return fmt.Errorf("store: read pragma %s: %w", p.name, err)
			}
			if want := pragmaValue(p.name, p.want, db == s.write); strings.ToLower(got) != want {
				return fmt.Errorf("store: pragma %s is %q, want %q", p.name, got, want)
			}
		}
	}
	return nil
}

// migrate applies the embedded migrations in order, each in its own transaction,
// recording each in schema_migrations. Running it twice applies nothing the second time.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := path.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: name must start with its number", base)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = s.inTx(ctx, func(tx *Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if step := migrationSteps[version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				version, base, tx.nowMs())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", base, err)
		}
	}
	return nil
}

// migrationSteps are Go steps of migrations, run after the migration's SQL in its
// transaction: work SQL alone cannot do.
var migrationSteps = map[int]func(ctx context.Context, tx *Tx) error{
	6: reindexAll, // 0006_search_secure.sql rebuilt the search index empty
}

// Tx is a write transaction with its clock read once at begin, so that every
// timestamp one action writes is the same instant.
type Tx struct {
	*sql.Tx
	now time.Time
}

func (tx *Tx) nowMs() int64 { return tx.now.UnixMilli() }

// inTx runs fn in one write transaction (BEGIN IMMEDIATE on the writer connection),
// committing if it returns nil and rolling back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, now: s.Now().UTC()}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	s.written.Store(true)
	return nil
}

// Ping checks that the database answers a read.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}
