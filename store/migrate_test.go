package store

// These tests look at the store's own connections and its schema_migrations table,
// which only the package itself can reach; everything else is tested from store_test.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func openFile(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	return s
}

type appliedMigration struct {
	Version   int
	Name      string
	AppliedAt int64
}

func appliedMigrations(tb testing.TB, s *Store) []appliedMigration {
	tb.Helper()
	var out []appliedMigration
	err := eachRow(context.Background(), s.read, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`, nil,
		func(rows *sql.Rows) error {
			var m appliedMigration
			err := rows.Scan(&m.Version, &m.Name, &m.AppliedAt)
			out = append(out, m)
			return err
		})
	if err != nil {
		tb.Fatalf("read schema_migrations: %v", err)
	}
	return out
}

func TestReopeningAFileAppliesNoMigrationTwiceAndKeepsItsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leadkeep.db")

	s := openFile(t, path)
	first := appliedMigrations(t, s)
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(files) || len(first) == 0 {
		t.Fatalf("fresh file: %d migrations recorded, want one per file (%d)", len(first), len(files))
	}
	// Each file is recorded as the number its name starts with, in increasing order.
	for i, m := range first {
		name := filepath.Base(files[i])
		want, _ := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if m.Version != want || m.Name != name || (i > 0 && m.Version <= first[i-1].Version) {
			t.Errorf("migration %d recorded as version %d %q, want version %d %q", i, m.Version, m.Name, want, name)
		}
	}
	ws, err := s.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLead(ctx, ws, Actor{Kind: "system"}, LeadInput{Name: ptrTo("Dana Lee")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	for round := range 2 {
		s = openFile(t, path)
		if again := appliedMigrations(t, s); !reflect.DeepEqual(again, first) {
			t.Fatalf("reopen %d: schema_migrations = %+v, want it unchanged %+v", round+1, again, first)
		}
		got, err := s.FindWorkspace(ctx, "Acme")
		if err != nil || got.ID != ws.ID {
			t.Fatalf("reopen %d: workspace = %+v, %v; want %s", round+1, got, err, ws.ID)
		}
		page, err := s.ListLeads(ctx, ws.ID, LeadFilter{Query: "dana"})
		if err != nil || page.Total != 1 || len(page.Leads) != 1 {
			t.Fatalf("reopen %d: search finds %d leads (total %d), %v; want the one lead", round+1, len(page.Leads), page.Total, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTwoStoresOpeningOneFileTogetherMigrateItOnce(t *testing.T) {
	// The key file has its own race (TestProcessesStartingTogetherShareOneSecret);
	// this test is about migrations.
	t.Setenv("LEADKEEP_SECRET", strings.Repeat("ab", 32))
	path := filepath.Join(t.TempDir(), "leadkeep.db")
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, 4)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	if got := appliedMigrations(t, stores[0]); len(got) != len(files) {
		t.Fatalf("%d migrations recorded, want %d", len(got), len(files))
	}
}

func TestEveryConnectionKeepsThePragmas(t *testing.T) {
	ctx := context.Background()
	s := openFile(t, filepath.Join(t.TempDir(), "leadkeep.db"))
	defer s.Close()
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "30000", "synchronous": "1"}

	check := func(pool string, db *sql.DB, n int) {
		// Hold n connections at once so that the pool has to open every one of them.
		conns := make([]*sql.Conn, n)
		for i := range conns {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatalf("%s connection %d: %v", pool, i, err)
			}
			defer c.Close()
			conns[i] = c
		}
		for i, c := range conns {
			for name, value := range want {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
					t.Fatalf("%s connection %d: pragma %s: %v", pool, i, name, err)
				}
				if strings.ToLower(got) != value {
					t.Errorf("%s connection %d: pragma %s = %q, want %q", pool, i, name, got, value)
				}
			}
		}
	}
	check("writer", s.write, 1)
	check("reader", s.read, 8)
}

func TestForeignKeysAreEnforced(t *testing.T) {
	ctx := context.Background()
	s := openFile(t, filepath.Join(t.TempDir(), "leadkeep.db"))
	defer s.Close()

	if _, err := s.CreatePool(ctx, "ws_0000000000000000", "Inbound"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("pool of a missing workspace: err = %v, want not found", err)
	}
	err := s.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO leads (id, workspace_id, pool_id, created_at, updated_at)
			VALUES ('lead_0000000000000000', 'ws_nope', 'pool_nope', 0, 0)`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("lead of a missing workspace and pool: err = %v, want a foreign key failure", err)
	}
}

func TestOpenRefusesAnInMemoryDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, path := range []string{"", ":memory:", ":memory:?cache=shared", "file:leads?mode=memory&cache=shared"} {
		s, err := Open(context.Background(), path)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error saying a file is required", path)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("refused opens left files behind: %v", entries)
	}
}

func TestClosingCheckpointsAndRemovesTheWALFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leadkeep.db")
	s := openFile(t, path)
	if _, err := s.CreateWorkspace(ctx, "Acme"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("while open: %v; want a -wal file (journal_mode WAL)", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after Close the -wal file is still there (stat: %v)", err)
	}
	s = openFile(t, path)
	defer s.Close()
	if _, err := s.FindWorkspace(ctx, "Acme"); err != nil {
		t.Fatalf("after reopen: %v", err)
	}
}

// Command-line work beside a running server (seed, import) goes through a second
// store on the same file; both must write without "database is locked" and see
// each other's counts at once.
func TestTwoStoresOnOneFileWriteTogetherAndSeeEachOthersCounts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leadkeep.db")
	server, cli := openFile(t, path), openFile(t, path)
	defer server.Close()
	defer cli.Close()
	ws, err := server.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 80)
	for g := range 8 {
		s := []*Store{server, cli}[g%2]
		wg.Go(func() {
			for i := range 10 {
				_, err := s.CreateLead(ctx, ws, Actor{Kind: "system"}, LeadInput{Name: ptrTo(fmt.Sprintf("Lead %d-%d", g, i))})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent create: %v", err)
		}
	}
	if _, err := cli.Seed(ctx, ws.ID, 20, SeedOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*Store{"server": server, "cli": cli} {
		total, _, err := s.Counts(ctx, ws.ID)
		if err != nil || total != 100 {
			t.Errorf("%s store counts %d leads (%v), want 100", name, total, err)
		}
	}
}

// A directory name may hold characters that mean something in a URI ("#", "?", "%"):
// the database must still be the file at the path given, which is also what Path,
// the key file beside it and backups use.
func TestOpenUsesTheFileAtExactlyThePathGiven(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir() // not a subtest's: its name would hold the characters under test
	for i, dir := range []string{"a#b", "a?b", "50%20off", "100%", "my leads", "a&b=c"} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			path := filepath.Join(parent, dir, "leadkeep.db")
			if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("%q: open: %v", dir, err)
			}
			_, err = s.CreateWorkspace(ctx, "Acme")
			if cerr := s.Close(); err != nil || cerr != nil {
				t.Fatalf("write: %v, close: %v", err, cerr)
			}
			if _, err := os.Stat(path); err != nil {
				entries, _ := os.ReadDir(parent)
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Fatalf("%q: no database at the path given (%v); %s holds %v", dir, err, parent, names)
			}
			s = openFile(t, path)
			defer s.Close()
			if _, err := s.FindWorkspace(ctx, "Acme"); err != nil {
				t.Fatalf("reopened: %v", err)
			}
		})
	}
}

func TestTheSecretIsMadeOnceBesideTheDatabase(t *testing.T) {
	t.Setenv("LEADKEEP_SECRET", "")
	path := filepath.Join(t.TempDir(), "leadkeep.db")
	first, err := LoadSecret(path)
	if err != nil || len(first) != 32 {
		t.Fatalf("first load: %d bytes, %v; want 32", len(first), err)
	}
	info, err := os.Stat(path + ".key")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", info, err)
	}
	again, err := LoadSecret(path)
	if err != nil || !reflect.DeepEqual(again, first) {
		t.Fatalf("second load differs (%v)", err)
	}

	t.Setenv("LEADKEEP_SECRET", strings.Repeat("0f", 32))
	if got, err := LoadSecret(path); err != nil || len(got) != 32 || got[0] != 0x0f {
		t.Errorf("hex LEADKEEP_SECRET: %x, %v", got, err)
	}
	t.Setenv("LEADKEEP_SECRET", "too short")
	if _, err := LoadSecret(path); err == nil {
		t.Errorf("a short LEADKEEP_SECRET was accepted")
	}
}

// "leadkeep serve" and "leadkeep seed" started together on a fresh database must
// agree on one secret; neither may fail or read a half-written key file.
func TestProcessesStartingTogetherShareOneSecret(t *testing.T) {
	t.Setenv("LEADKEEP_SECRET", "")
	for range 20 {
		path := filepath.Join(t.TempDir(), "leadkeep.db")
		const n = 8
		secrets, errs := make([][]byte, n), make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				secrets[i], errs[i] = LoadSecret(path)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("start %d: %v", i, errs[i])
			}
			if len(secrets[i]) != 32 || !reflect.DeepEqual(secrets[i], secrets[0]) {
				t.Fatalf("start %d got secret %x, start 0 got %x; want one shared secret", i, secrets[i], secrets[0])
			}
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// Migration 6 rebuilds the search index and its Go step indexes every lead again:
// a database that had leads before it still finds them, by name and by phone.
func TestSearchIndexRebuildIndexesExistingLeads(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leadkeep.db")
	s := openFile(t, path)
	ws, err := s.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Seed(ctx, ws.ID, 2500, SeedOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := s.CreateLead(ctx, ws, Actor{Kind: "system"}, LeadInput{Name: ptrTo("Quentin Reindexed"), Phone: ptrTo("+81 3 1234 5678")})
	if err != nil {
		t.Fatal(err)
	}
	// Forget migration 6, as a database made before it, and open again.
	if _, err := s.write.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 6`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openFile(t, path)
	for _, q := range []string{"quen reind", "+81 3 1234 5678", "03 1234 5678"} {
		page, err := s.ListLeads(ctx, ws.ID, LeadFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Leads) != 1 || page.Leads[0].ID != l.ID {
			t.Errorf("search %q after the rebuild found %d leads, want Quentin", q, len(page.Leads))
		}
	}
	var indexed int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'lead_id : lead'`).Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	if indexed != 2501 {
		t.Errorf("%d leads in the rebuilt index, want 2501", indexed)
	}
}

// TestTrashMovesToItsOwnTableWithEverythingItHad opens a database written before
// migration 9 (leads in the Trash marked in their own rows) and checks that the
// migration keeps every lead where it was: active leads in the table, trashed ones in
// the Trash with who, when, why and which deletion, holds, counters and timelines; and
// that the deletion can still be restored as a whole.
func TestTrashMovesToItsOwnTableWithEverythingItHad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leadkeep.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, name := range names[:8] { // 0001 to 0008, as a database of last month has them
		body, err := migrations.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
	}
	for v := 1; v <= 8; v++ {
		exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)`, v, filepath.Base(names[v-1]))
	}
	const at, deletedAt = int64(1_790_000_000_000), int64(1_790_000_500_000)
	exec(`INSERT INTO workspaces (id, name, created_at) VALUES ('ws_1', 'Acme', ?)`, at)
	exec(`INSERT INTO users (id, workspace_id, email, name, password_hash, role, created_at) VALUES ('usr_1', 'ws_1', 'ana@example.com', 'Ana', 'x', 'admin', ?)`, at)
	exec(`INSERT INTO pools (id, workspace_id, name, is_default, created_at) VALUES ('pool_1', 'ws_1', 'Default', 1, ?)`, at)
	exec(`INSERT INTO batches (id, workspace_id, kind, actor_id, reason, count, undo_until, created_at) VALUES ('bat_1', 'ws_1', 'delete', 'usr_1', 'duplicate', 2, ?, ?)`,
		deletedAt+10_000, deletedAt)
	for i, l := range []struct {
		id, status string
		trashed    bool
		batch      any
		held       any
	}{
		{"lead_000000000000000a", "new", false, nil, nil},
		{"lead_000000000000000b", "won", true, "bat_1", nil},
		{"lead_000000000000000c", "won", true, nil, deletedAt},
		{"lead_000000000000000d", "lost", true, "bat_1", nil},
	} {
		var del, by, reason any
		if l.trashed {
			del, by, reason = deletedAt, "usr_1", "duplicate"
		}
		exec(`INSERT INTO leads (seq, id, workspace_id, pool_id, name, email, status, created_at, updated_at,
			deleted_at, deleted_by, delete_reason, batch_id, held_at, held_by, hold_reason)
			VALUES (?, ?, 'ws_1', 'pool_1', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? IS NULL THEN NULL ELSE 'usr_1' END, CASE WHEN ? IS NULL THEN NULL ELSE 'audit' END)`,
			i+1, l.id, "Lead "+l.id, l.id+"@example.com", l.status, at+int64(i), at+int64(i), del, by, reason, l.batch, l.held, l.held, l.held)
		exec(`INSERT INTO activity (lead_id, at, actor_id, kind, text) VALUES (?, ?, '', 'created', 'Created')`, l.id, at+int64(i))
		if l.trashed {
			exec(`INSERT INTO activity (lead_id, at, actor_id, kind, text) VALUES (?, ?, 'usr_1', 'deleted', 'Moved to the Trash (Duplicate)')`, l.id, deletedAt)
		}
	}
	exec(`INSERT INTO lead_counts (workspace_id, pool_id, status, contact, active, trashed)
		SELECT workspace_id, pool_id, status, 'nophone', SUM(deleted_at IS NULL), SUM(deleted_at IS NOT NULL) FROM leads GROUP BY 1, 2, 3`)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := openFile(t, path)
	defer s.Close()
	ids := func(leads []Lead) []string {
		var out []string
		for _, l := range leads {
			out = append(out, l.ID)
		}
		slices.Sort(out)
		return out
	}
	active, err := s.ListLeads(ctx, "ws_1", LeadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	trash, err := s.ListTrash(ctx, "ws_1", TrashFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(active.Leads); !slices.Equal(got, []string{"lead_000000000000000a"}) || active.Total != 1 {
		t.Errorf("active after the migration: %v (total %d), want lead_…a", got, active.Total)
	}
	if got := ids(trash.Leads); !slices.Equal(got, []string{"lead_000000000000000b", "lead_000000000000000c", "lead_000000000000000d"}) || trash.Total != 3 {
		t.Errorf("in the Trash after the migration: %v (total %d), want b, c, d", got, trash.Total)
	}
	for _, l := range trash.Leads {
		if l.DeletedAt == nil || l.DeletedAt.UnixMilli() != deletedAt || l.DeletedBy != "usr_1" || l.DeletedByName != "Ana" || l.DeleteReason != "duplicate" {
			t.Errorf("%s lost its deletion: %+v", l.ID, l)
		}
		if wantBatch := map[string]string{"lead_000000000000000b": "bat_1", "lead_000000000000000d": "bat_1"}[l.ID]; l.BatchID != wantBatch {
			t.Errorf("%s in batch %q, want %q", l.ID, l.BatchID, wantBatch)
		}
		if held := l.HeldAt != nil; held != (l.ID == "lead_000000000000000c") || (held && l.HoldReason != "audit") {
			t.Errorf("%s held %v (%q)", l.ID, held, l.HoldReason)
		}
	}
	d, err := s.LeadDetail(ctx, "ws_1", "lead_000000000000000b")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Activity) != 2 || d.Activity[0].Kind != "deleted" || d.Activity[1].Kind != "created" {
		t.Errorf("lead_b's timeline after the migration: %+v", d.Activity)
	}
	var stale int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM lead_rows WHERE deleted_at IS NOT NULL OR batch_id IS NOT NULL`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d lead rows still say they are in the Trash (%v)", stale, err)
	}

	// The old deletion comes back whole; its held neighbour stays in the Trash.
	res, err := s.RestoreBatch(ctx, "ws_1", Actor{Kind: "user", ID: "usr_1", Name: "Ana"}, "bat_1")
	if err != nil || res.Restored != 2 {
		t.Fatalf("restore of the old deletion: %+v, %v", res, err)
	}
	if n, err := countActive(ctx, s.read, "ws_1", "", ""); err != nil || n != 3 {
		t.Errorf("%d active leads counted after the restore, want 3 (%v)", n, err)
	}
	if trash, err = s.ListTrash(ctx, "ws_1", TrashFilter{}); err != nil || !slices.Equal(ids(trash.Leads), []string{"lead_000000000000000c"}) || trash.Total != 1 {
		t.Errorf("Trash after the restore: %v (total %d, %v), want lead_c", ids(trash.Leads), trash.Total, err)
	}
}
