package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"leadkeep/store"
)

// --- Users and sign-in --------------------------------------------------------

func TestCreateUserRefusesInvalidInput(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	ws := mustWorkspace(t, s, "Acme")
	valid := store.NewUser{WorkspaceID: ws.ID, Email: "dana@acme.example", Name: "Dana Lee", Role: "agent", Password: "correct horse battery"}

	for _, tc := range []struct {
		name  string
		edit  func(*store.NewUser)
		field string
	}{
		{"e-mail without @", func(u *store.NewUser) { u.Email = "dana.acme.example" }, "email"},
		{"empty e-mail", func(u *store.NewUser) { u.Email = " " }, "email"},
		{"e-mail with a display name", func(u *store.NewUser) { u.Email = "Dana <dana@acme.example>" }, "email"},
		{"short password", func(u *store.NewUser) { u.Password = "123456789" }, "password"},
		{"empty password", func(u *store.NewUser) { u.Password = "" }, "password"},
		{"unknown role", func(u *store.NewUser) { u.Role = "owner" }, "role"},
		{"role in the wrong case", func(u *store.NewUser) { u.Role = "Admin" }, "role"},
		{"empty name", func(u *store.NewUser) { u.Name = "  " }, "name"},
		{"name too long", func(u *store.NewUser) { u.Name = strings.Repeat("n", 101) }, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := valid
			tc.edit(&in)
			_, err := s.CreateUser(ctx, in)
			wantInvalid(t, err, tc.field)
		})
	}
	_, err := s.CreateUser(ctx, store.NewUser{WorkspaceID: ws.ID, Email: "x", Role: "god", Password: "short"})
	wantInvalid(t, err, "email", "name", "role", "password")

	users, err := s.Users(ctx, ws.ID)
	if err != nil || len(users) != 0 {
		t.Fatalf("refused users were saved: %+v, %v", users, err)
	}

	in := valid
	in.WorkspaceID = "ws_0000000000000000"
	_, err = s.CreateUser(ctx, in)
	wantError(t, err, store.ENotFound)
}

func TestCreateUserStoresALowerCasedEmail(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := withClock(s)
	ws := mustWorkspace(t, s, "Acme")
	u, err := s.CreateUser(ctx, store.NewUser{WorkspaceID: ws.ID, Email: "  Dana.Lee@Acme.Example ", Name: " Dana Lee ",
		Role: "manager", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	want := store.User{ID: u.ID, WorkspaceID: ws.ID, Email: "dana.lee@acme.example", Name: "Dana Lee", Role: store.RoleManager, CreatedAt: c.t}
	if u != want {
		t.Errorf("created user = %+v, want %+v", u, want)
	}
	users, err := s.Users(ctx, ws.ID)
	if err != nil || len(users) != 1 || users[0] != want {
		t.Errorf("Users = %+v, %v; want [%+v]", users, err, want)
	}
}

func TestUserEmailsAreUniqueIgnoringCase(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	acme, globex := mustWorkspace(t, s, "Acme"), mustWorkspace(t, s, "Globex")
	mustUser(t, s, acme, "dana@acme.example")
	for _, tc := range []struct {
		ws    store.Workspace
		email string
	}{{acme, "dana@acme.example"}, {acme, "DANA@Acme.Example"}, {acme, " dana@acme.example "}, {globex, "Dana@acme.example"}} {
		_, err := s.CreateUser(ctx, store.NewUser{WorkspaceID: tc.ws.ID, Email: tc.email, Name: "Other Dana", Role: "viewer",
			Password: "another long password"})
		if e := wantError(t, err, store.EConflict); e.Fields["email"] == "" {
			t.Errorf("duplicate %q: %v names no field", tc.email, err)
		}
	}
	if users, _ := s.Users(ctx, globex.ID); len(users) != 0 {
		t.Errorf("the duplicate was saved: %+v", users)
	}
}

func TestAuthenticateAcceptsOnlyTheRightPassword(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	ws := mustWorkspace(t, s, "Acme")
	u := mustUser(t, s, ws, "dana@acme.example")

	for _, email := range []string{"dana@acme.example", " DANA@acme.EXAMPLE "} {
		got, err := s.Authenticate(ctx, email, "correct horse battery")
		if err != nil || got.ID != u.ID || got.WorkspaceID != ws.ID || got.Role != store.RoleAdmin {
			t.Errorf("sign-in as %q = %+v, %v; want %s", email, got, err, u.ID)
		}
	}
	for _, tc := range []struct{ email, password string }{
		{"dana@acme.example", "wrong horse battery"},
		{"dana@acme.example", "Correct horse battery"},
		{"dana@acme.example", "correct horse battery "},
		{"dana@acme.example", ""},
		{"nobody@acme.example", "correct horse battery"},
		{"", ""},
	} {
		got, err := s.Authenticate(ctx, tc.email, tc.password)
		if !errors.Is(err, store.ErrUnauthorized) || got.ID != "" {
			t.Errorf("sign-in %q / %q = %+v, %v; want ErrUnauthorized and no user", tc.email, tc.password, got, err)
		}
	}
}

// --- Sessions -----------------------------------------------------------------

var limits = store.SessionLimits{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}

func sessionSetup(t *testing.T) (*store.Store, *clock, store.Workspace, store.User, string) {
	t.Helper()
	s := openStore(t)
	c := withClock(s)
	ws := mustWorkspace(t, s, "Acme")
	u := mustUser(t, s, ws, "dana@acme.example")
	id, err := s.CreateSession(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return s, c, ws, u, id
}

func wantLive(t *testing.T, s *store.Store, id string, u store.User, when string) {
	t.Helper()
	sess, err := s.ResolveSession(context.Background(), id, limits)
	if err != nil {
		t.Fatalf("%s: session ended (%v), want it live", when, err)
	}
	if sess.ID != id || sess.User.ID != u.ID || sess.Workspace.ID != u.WorkspaceID {
		t.Fatalf("%s: session = %+v, want user %s in workspace %s", when, sess, u.ID, u.WorkspaceID)
	}
}

func wantEnded(t *testing.T, s *store.Store, id, when string) {
	t.Helper()
	_, err := s.ResolveSession(context.Background(), id, limits)
	if !errors.Is(err, store.ErrSessionEnded) || store.ErrorCode(err) != store.EUnauthorized {
		t.Fatalf("%s: err = %v, want ErrSessionEnded", when, err)
	}
}

func TestANewSessionResolvesToItsUserAndWorkspace(t *testing.T) {
	s, _, ws, u, id := sessionSetup(t)
	if !strings.HasPrefix(id, "ses_") || len(id) < 40 {
		t.Errorf("session id %q: want ses_ and a long random tail", id)
	}
	wantLive(t, s, id, u, "at once")
	sess, _ := s.ResolveSession(context.Background(), id, limits)
	if sess.Workspace.Name != ws.Name || sess.User.Email != u.Email {
		t.Errorf("session = %+v", sess)
	}
	other, err := s.CreateSession(context.Background(), u)
	if err != nil || other == id {
		t.Fatalf("second session %q, %v; want a different id", other, err)
	}
	for _, bad := range []string{"", "ses_0000000000000000", id + "x", strings.ToUpper(id)} {
		wantEnded(t, s, bad, "unknown id "+bad)
	}
}

func TestAnIdleSessionEnds(t *testing.T) {
	s, c, _, u, id := sessionSetup(t)
	c.advance(limits.Idle - time.Second)
	wantLive(t, s, id, u, "just inside the idle timeout")
	c.advance(limits.Idle + time.Second)
	wantEnded(t, s, id, "idle past the timeout")
	c.advance(time.Hour)
	wantEnded(t, s, id, "later still")
}

func TestUseKeepsASessionAliveUntilItsAbsoluteTimeout(t *testing.T) {
	s, c, _, u, id := sessionSetup(t)
	start := c.t
	for c.t.Sub(start) < limits.Absolute-limits.Idle {
		c.advance(limits.Idle - time.Minute)
		wantLive(t, s, id, u, "in use at +"+c.t.Sub(start).String())
	}
	c.t = start.Add(limits.Absolute - time.Minute)
	wantLive(t, s, id, u, "a minute before the absolute timeout")
	c.advance(2 * time.Minute)
	wantEnded(t, s, id, "past the absolute timeout although in use")
}

func TestRevokedSessionEndsAtOnce(t *testing.T) {
	ctx := context.Background()
	s, _, _, u, id := sessionSetup(t)
	other, err := s.CreateSession(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeSession(ctx, id); err != nil {
		t.Fatal(err)
	}
	wantEnded(t, s, id, "right after revoking")
	wantLive(t, s, other, u, "another session of the same user")
	if err := s.RevokeSession(ctx, id); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := s.RevokeSession(ctx, "ses_unknown"); err != nil {
		t.Errorf("revoking an unknown session: %v", err)
	}
	wantEnded(t, s, id, "after revoking twice")
}

func TestSessionsSurviveReopeningTheStore(t *testing.T) {
	ctx := context.Background()
	s, c, _, u, id := sessionSetup(t)
	path := s.Path()
	c.advance(5 * time.Minute)
	wantLive(t, s, id, u, "before closing")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	c2 := withClock(s2)
	c2.t = c.t.Add(limits.Idle - time.Minute) // idle counts from the last use, which was saved
	wantLive(t, s2, id, u, "after reopening")
}
