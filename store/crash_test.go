package store_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"leadkeep/store"
)

// TestCrashChild is not a test of its own: TestAKilledBulkDeleteLeavesAllOrNothing
// runs it in a child process, which deletes every lead of a workspace in one batch
// and is killed with SIGKILL while it does.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("LEADKEEP_CRASH_DB")
	if path == "" {
		t.Skip("run by TestAKilledBulkDeleteLeavesAllOrNothing")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.FindWorkspace(ctx, "Crash")
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.CountMatching(ctx, ws.ID, store.LeadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("deleting")
	_, err = st.DeleteLeads(ctx, ws, store.Actor{Kind: "system"}, store.DeleteRequest{All: true, ExpectedCount: n, Reason: "invalid"})
	fmt.Println("deleted", err)
	time.Sleep(time.Minute) // wait to be killed
}

func TestAKilledBulkDeleteLeavesAllOrNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 leads and kills child processes")
	}
	const leads = 10000
	dir := t.TempDir()
	template := filepath.Join(dir, "template.db")
	ctx := context.Background()
	st, err := store.Open(ctx, template)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.CreateWorkspace(ctx, "Crash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Seed(ctx, ws.ID, leads, store.SeedOptions{Rand: testRand(), Extras: true}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	tmpl, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(template + ".key")
	if err != nil {
		t.Fatal(err)
	}

	outcomes := map[string]int{}
	// Kill at several moments: before, during and after the transaction.
	for i, delay := range []time.Duration{0, 5, 20, 40, 80, 120, 200, 400, 800, 1500} {
		path := filepath.Join(dir, fmt.Sprintf("crash%d.db", i))
		if err := os.WriteFile(path, tmpl, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+".key", key, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), "LEADKEEP_CRASH_DB="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		for lines.Scan() && lines.Text() != "deleting" {
		}
		time.Sleep(delay * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		trashed, batches, audits := crashState(t, path, leads)
		switch {
		case trashed == 0 && batches == 0 && audits == 0:
			outcomes["nothing"]++
		case trashed == leads && batches == 1 && audits == 1:
			outcomes["all"]++
		default:
			t.Fatalf("killed after %v: %d of %d leads trashed, %d batches, %d audit rows: neither all nor nothing",
				delay*time.Millisecond, trashed, leads, batches, audits)
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

// crashState reopens a killed database and reads what the delete left, checking the
// counters against the rows.
func crashState(t *testing.T, path string, leads int) (trashed, batches, audits int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path) // recovers the WAL
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var active, countedActive, countedTrashed, activity int
	for _, q := range []struct {
		sql string
		dst *int
	}{
		{`SELECT count(*) FROM leads WHERE deleted_at IS NOT NULL`, &trashed},
		{`SELECT count(*) FROM leads WHERE deleted_at IS NULL`, &active},
		{`SELECT COALESCE(SUM(active), 0) FROM lead_counts`, &countedActive},
		{`SELECT COALESCE(SUM(trashed), 0) FROM lead_counts`, &countedTrashed},
		{`SELECT count(*) FROM batches`, &batches},
		{`SELECT count(*) FROM audit`, &audits},
		{`SELECT count(*) FROM activity WHERE kind = 'deleted'`, &activity},
	} {
		if err := db.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
			t.Fatal(err)
		}
	}
	if active+trashed != leads || countedActive != active || countedTrashed != trashed || activity != trashed {
		t.Fatalf("after the kill: %d active (counted %d), %d trashed (counted %d), %d deleted activity rows",
			active, countedActive, trashed, countedTrashed, activity)
	}
	return trashed, batches, audits
}
