package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
	"leadkeep/views"
)

func (s *Server) loginPage(c echo.Context) error {
	if ok, err := s.loadSession(c); err != nil {
		return err
	} else if ok {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return render(c, http.StatusOK, views.Login(s.pageFor(c, "Sign in", ""), views.LoginData{Next: c.QueryParam("next")}), nil)
}

func (s *Server) login(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	next := c.FormValue("next")
	form := views.LoginData{Email: email, Next: next}
	ctx := c.Request().Context()

	if wait := s.throttle.wait(email); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		c.Response().Header().Set("Retry-After", fmt.Sprint(secs))
		form.Error = fmt.Sprintf("Too many failed sign-ins for this account. Try again in %s.", waitText(secs))
		return render(c, http.StatusTooManyRequests, views.Login(s.pageFor(c, "Sign in", ""), form), nil)
	}
	u, err := s.store.Authenticate(ctx, email, password)
	if errors.Is(err, store.ErrUnauthorized) {
		s.throttle.fail(email)
		form.Error = "Wrong e-mail or password."
		return render(c, http.StatusUnauthorized, views.Login(s.pageFor(c, "Sign in", ""), form), nil)
	}
	if err != nil {
		return err
	}
	s.throttle.succeed(email)
	// A new session id at every sign-in; the one the browser had (if any) ends.
	if old := s.sessionID(c); old != "" {
		if err := s.store.RevokeSession(ctx, old); err != nil {
			return err
		}
	}
	id, err := s.store.CreateSession(ctx, u)
	if err != nil {
		return err
	}
	if err := s.setSessionCookie(c, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(next))
}

func (s *Server) logout(c echo.Context) error {
	if id := s.sessionID(c); id != "" {
		if err := s.store.RevokeSession(c.Request().Context(), id); err != nil {
			return err
		}
	}
	if err := s.setSessionCookie(c, ""); err != nil {
		return err
	}
	return redirectAfterPost(c, "/login")
}

func waitText(secs int) string {
	if secs < 60 {
		return fmt.Sprintf("%d seconds", secs)
	}
	m := (secs + 59) / 60
	if m == 1 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// loginThrottle slows guessing per account, whoever guesses from wherever: after
// freeFailures failed sign-ins an account's e-mail is locked for a minute, doubling
// with each further failure up to a quarter of an hour. Failures for one e-mail never
// lock out another.
type loginThrottle struct {
	mu       sync.Mutex
	now      func() time.Time
	accounts map[string]*failures
}

type failures struct {
	count int
	last  time.Time
	until time.Time
}

const (
	freeFailures  = 5
	firstLockout  = time.Minute
	maxLockout    = 15 * time.Minute
	forgetFailure = time.Hour // a quiet hour wipes the slate
	maxTracked    = 100_000   // bounds memory under a spray of made-up e-mails
)

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, accounts: map[string]*failures{}}
}

func throttleKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// wait is how long the account must wait before its next attempt.
func (t *loginThrottle) wait(email string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.accounts[throttleKey(email)]
	if f == nil {
		return 0
	}
	return max(0, f.until.Sub(t.now()))
}

func (t *loginThrottle) fail(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	key := throttleKey(email)
	f := t.accounts[key]
	if f == nil || now.Sub(f.last) > forgetFailure {
		if len(t.accounts) >= maxTracked {
			t.prune(now)
		}
		f = &failures{}
		t.accounts[key] = f
	}
	f.count++
	f.last = now
	if over := f.count - freeFailures; over >= 0 {
		lock := firstLockout << min(over, 10)
		f.until = now.Add(min(lock, maxLockout))
	}
}

func (t *loginThrottle) succeed(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, throttleKey(email))
}

// prune drops records that no longer lock anything out.
func (t *loginThrottle) prune(now time.Time) {
	for k, f := range t.accounts {
		if now.Sub(f.last) > forgetFailure || (f.count < freeFailures && now.Sub(f.last) > firstLockout) {
			delete(t.accounts, k)
		}
	}
}
