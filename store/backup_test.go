package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"leadkeep/store"
)

// A backup taken while another goroutine keeps creating and deleting leads opens on
// its own (with its key), passes SQLite's integrity check, and is one consistent
// moment of the live database: its counters agree with its rows, and every lead in
// it is in the live database as it was.
func TestBackupWhileWritesGoOnIsAConsistentCopy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, filepath.Join(dir, "leadkeep.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws, err := s.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Seed(ctx, ws.ID, 3000, store.SeedOptions{}); err != nil {
		t.Fatal(err)
	}
	system := store.Actor{Kind: "system"}

	var stop atomic.Bool
	var wg sync.WaitGroup
	var writes atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			name := fmt.Sprintf("Writer Lead %d", i)
			l, err := s.CreateLead(ctx, ws, system, store.LeadInput{Name: &name})
			if err != nil {
				t.Error(err)
				return
			}
			if i%3 == 0 {
				if _, err := s.DeleteLeads(ctx, ws, system, store.DeleteRequest{IDs: []string{l.ID}, Reason: "duplicate"}); err != nil {
					t.Error(err)
					return
				}
			}
			writes.Add(1)
		}
	}()
	for writes.Load() < 20 { // the writer is well under way
		time.Sleep(time.Millisecond)
	}
	to := filepath.Join(dir, "copy.db")
	if err := s.Backup(ctx, to); err != nil {
		t.Fatal(err)
	}
	before := writes.Load()
	for writes.Load() < before+20 { // and goes on after the copy
		time.Sleep(time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()

	raw, err := sql.Open("sqlite", to)
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the copy: %q, %v", check, err)
	}
	raw.Close()

	cp, err := store.Open(ctx, to)
	if err != nil {
		t.Fatalf("the copy does not open with its key: %v", err)
	}
	defer cp.Close()
	copyLeads, err := cp.ListLeads(ctx, ws.ID, store.LeadFilter{Limit: store.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	total, err := cp.CountMatching(ctx, ws.ID, store.LeadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	counted, err := cp.ListLeads(ctx, ws.ID, store.LeadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if counted.Total != total {
		t.Errorf("the copy's counters say %d active leads, its rows %d: not one moment", counted.Total, total)
	}
	liveTotal, _ := s.CountMatching(ctx, ws.ID, store.LeadFilter{})
	if total < 3000 || total >= liveTotal {
		t.Errorf("the copy holds %d active leads; the seed was 3000 and the live database now holds %d", total, liveTotal)
	}
	for _, l := range copyLeads.Leads {
		live, err := s.Lead(ctx, ws.ID, l.ID)
		if err != nil || live.Name != l.Name || !live.CreatedAt.Equal(l.CreatedAt) {
			t.Errorf("lead %s of the copy is %+v live (%v)", l.ID, live, err)
		}
	}
}
