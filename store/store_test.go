package store_test

import (
	"context"
	"errors"
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

func (c *clock) now() time.Time          { return c.t }
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

// wantError fails the test unless err is a *store.Error with the code, and returns it.
func wantError(tb testing.TB, err error, code string) *store.Error {
	tb.Helper()
	var e *store.Error
	if !errors.As(err, &e) || e.Code != code {
		tb.Fatalf("error = %v (code %q), want code %q", err, store.ErrorCode(err), code)
	}
	return e
}

// wantInvalid fails the test unless err is a validation failure with a message for
// every one of fields.
func wantInvalid(tb testing.TB, err error, fields ...string) *store.Error {
	tb.Helper()
	e := wantError(tb, err, store.EInvalid)
	for _, f := range fields {
		if e.Fields[f] == "" {
			tb.Fatalf("error %v: no message for field %q", err, f)
		}
	}
	return e
}

// systemActor is the actor of leads created by tests that need no user.
var systemActor = store.Actor{Kind: "system"}

func mustLead(tb testing.TB, s *store.Store, ws store.Workspace, actor store.Actor, in store.LeadInput) store.Lead {
	tb.Helper()
	l, err := s.CreateLead(context.Background(), ws, actor, in)
	if err != nil {
		tb.Fatalf("create lead %v: %v", in.Name, err)
	}
	return l
}

func mustPool(tb testing.TB, s *store.Store, ws store.Workspace, name string) store.Pool {
	tb.Helper()
	p, err := s.CreatePool(context.Background(), ws.ID, name)
	if err != nil {
		tb.Fatalf("create pool %s: %v", name, err)
	}
	return p
}

func defaultPool(tb testing.TB, s *store.Store, ws store.Workspace) store.Pool {
	tb.Helper()
	pools, err := s.Pools(context.Background(), ws.ID)
	if err != nil {
		tb.Fatalf("pools: %v", err)
	}
	for _, p := range pools {
		if p.IsDefault {
			return p
		}
	}
	tb.Fatalf("workspace %s has no default pool", ws.Name)
	return store.Pool{}
}
