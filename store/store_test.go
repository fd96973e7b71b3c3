package store_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"leadkeep/store"
)

// openStore opens a store on a fresh temporary file, closed when the test ends.
func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "leadkeep.db"))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// clock is a settable clock for the store.
type clock struct{ t time.Time }

func (c *clock) now() time.Time           { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func withClock(s *store.Store) *clock {
	c := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s.Now = c.now
	return c
}

func mustWorkspace(tb testing.TB, s *store.Store, name string) store.Workspace {
	tb.Helper()
	ws, err := s.CreateWorkspace(context.Background(), name)
	if err != nil {
		tb.Fatalf("create workspace: %v", err)
	}
	return ws
}

func mustUser(tb testing.TB, s *store.Store, ws store.Workspace, email string) store.User {
	tb.Helper()
	u, err := s.CreateUser(context.Background(), store.NewUser{WorkspaceID: ws.ID, Email: email, Name: "Dana Admin", Role: "admin", Password: "correct horse battery"})
	if err != nil {
		tb.Fatalf("create user: %v", err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

func testRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
