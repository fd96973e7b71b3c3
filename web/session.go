package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
)

const (
	cookieName    = "leadkeep_session"
	sessionIDKey  = "sid"
	ctxSessionKey = "leadkeep.session"
)

// sessionID reads the session id from the signed cookie; "" when there is none or
// the cookie was tampered with.
func (s *Server) sessionID(c echo.Context) string {
	sess, err := s.cookies.Get(c.Request(), cookieName)
	if err != nil {
		return ""
	}
	id, _ := sess.Values[sessionIDKey].(string)
	return id
}

// setSessionCookie starts a new cookie holding id (or clears it when id is "").
func (s *Server) setSessionCookie(c echo.Context, id string) error {
	sess, _ := s.cookies.New(c.Request(), cookieName) // a bad old cookie still yields a usable new one
	sess.Options.Secure = s.secureRequest(c)
	if id == "" {
		sess.Options.MaxAge = -1
	} else {
		sess.Values[sessionIDKey] = id
	}
	return sess.Save(c.Request(), c.Response())
}

// loadSession puts the member's live session, if any, in the context; it reports
// whether there was one.
func (s *Server) loadSession(c echo.Context) (bool, error) {
	id := s.sessionID(c)
	if id == "" {
		return false, nil
	}
	sess, err := s.store.ResolveSession(c.Request().Context(), id, s.cfg.Sessions)
	if errors.Is(err, store.ErrSessionEnded) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.Set(ctxSessionKey, sess)
	return true, nil
}

// requireSession lets signed-in members through with their session in the context,
// and sends everyone else to the sign-in page.
func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ok, err := s.loadSession(c)
		if err != nil {
			return err
		}
		if ok {
			return next(c)
		}
		target := "/login"
		if r := c.Request(); r.Method == http.MethodGet && r.URL.Path != "/" && r.Header.Get("HX-Request") == "" {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		if isHTMX(c) {
			c.Response().Header().Set("HX-Redirect", target)
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
}

// currentSession is the signed-in member's session; only valid behind requireSession.
func currentSession(c echo.Context) store.Session {
	sess, _ := c.Get(ctxSessionKey).(store.Session)
	return sess
}

// actor is who the request acts as, for the store: the API key, or the signed-in member.
func actor(c echo.Context) store.Actor {
	if k := apiKey(c); k.ID != "" {
		return k.Actor()
	}
	return store.UserActor(currentSession(c).User)
}

// workspace is the workspace the signed-in member acts in.
func workspace(c echo.Context) store.Workspace { return currentSession(c).Workspace }

// safeNext returns next when it is a path on this site, else "/leads": a sign-in
// never sends anyone to another site.
func safeNext(next string) string {
	// Browsers drop tabs and newlines from URLs, so "/\t/evil.example" would be "//evil.example".
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsFunc(next, unicode.IsControl) {
		return "/leads"
	}
	return next
}

const flashCookie = "leadkeep_flash"

// flash keeps a one-time message for the next page the member sees (after a
// redirect), in a signed cookie of its own.
func (s *Server) flash(c echo.Context, msg string) {
	sess, _ := s.cookies.Get(c.Request(), flashCookie)
	sess.Options.MaxAge = 300
	sess.Options.Secure = s.secureRequest(c)
	sess.AddFlash(msg)
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		s.log.Warn("saving a flash message", "error", err)
	}
}

// takeFlashes returns and clears the pending one-time messages.
func (s *Server) takeFlashes(c echo.Context) []string {
	if _, err := c.Request().Cookie(flashCookie); err != nil {
		return nil
	}
	sess, _ := s.cookies.Get(c.Request(), flashCookie)
	var out []string
	for _, f := range sess.Flashes() {
		if m, ok := f.(string); ok {
			out = append(out, m)
		}
	}
	sess.Options.MaxAge = -1
	_ = sess.Save(c.Request(), c.Response())
	return out
}

// secureRequest reports whether cookies must be Secure: --secure-cookies, a TLS
// connection, or a TLS-terminating proxy that says so with X-Forwarded-Proto: https.
func (s *Server) secureRequest(c echo.Context) bool {
	r := c.Request()
	return s.cfg.SecureCookies || r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
