package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
	"leadkeep/views"
)

// statusOf maps a store error code to its HTTP status: the one place that does.
var statusOf = map[string]int{
	store.EInvalid:       http.StatusBadRequest,
	store.ELeadNotFound:  http.StatusNotFound,
	store.ENotFound:      http.StatusNotFound,
	store.EUnauthorized:  http.StatusUnauthorized,
	store.EForbidden:     http.StatusForbidden,
	store.EConflict:      http.StatusConflict,
	store.EUndoExpired:   http.StatusConflict,
	store.ESuppressed:    http.StatusConflict,
	store.EGone:          http.StatusGone,
	store.EInternal:      http.StatusInternalServerError,
	"RATE_LIMITED":       http.StatusTooManyRequests,
	"TOO_LARGE":          http.StatusRequestEntityTooLarge,
	"METHOD_NOT_ALLOWED": http.StatusMethodNotAllowed,
}

// codeOf maps an HTTP status (from Echo: unknown route, body limit…) to an API code.
var codeOf = map[int]string{
	http.StatusBadRequest:            store.EInvalid,
	http.StatusUnauthorized:          store.EUnauthorized,
	http.StatusForbidden:             store.EForbidden,
	http.StatusNotFound:              store.ENotFound,
	http.StatusMethodNotAllowed:      "METHOD_NOT_ALLOWED",
	http.StatusConflict:              store.EConflict,
	http.StatusGone:                  store.EGone,
	http.StatusRequestEntityTooLarge: "TOO_LARGE",
	http.StatusTooManyRequests:       "RATE_LIMITED",
}

// problem is an error as shown to a person or a client.
type problem struct {
	status  int
	code    string
	title   string
	message string
	fields  map[string]string
	details map[string]any
}

func classify(err error, requestID string) problem {
	var ae *apiErr
	if errors.As(err, &ae) {
		p := problem{status: statusOf[ae.code], code: ae.code, title: http.StatusText(statusOf[ae.code]), message: ae.msg, details: ae.details}
		if p.status == 0 {
			p.status = http.StatusBadRequest
		}
		return p
	}
	var se *store.Error
	if errors.As(err, &se) {
		p := problem{status: statusOf[se.Code], code: se.Code, message: se.Message, fields: se.Fields}
		if p.status == 0 {
			p.status = http.StatusBadRequest
		}
		if p.status < 500 {
			p.title = http.StatusText(p.status)
			if se.Code == store.ELeadNotFound {
				p.title, p.message = "Lead not found", "There is no lead with this id in your workspace. It may have been purged, or the link is mistyped."
			}
			return p
		}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code < 500 {
		p := problem{status: he.Code, code: codeOf[he.Code], title: http.StatusText(he.Code)}
		if p.code == "" {
			p.code = store.EInvalid
		}
		if msg, ok := he.Message.(string); ok && msg != "" && msg != http.StatusText(he.Code) {
			p.message = msg
		}
		switch he.Code {
		case http.StatusNotFound:
			p.title = "Page not found"
			if p.message == "" {
				p.message = "There is nothing at this address. Check the link, or go back to the leads."
			}
		case http.StatusRequestEntityTooLarge:
			p.message = "The request is too large."
		case http.StatusMethodNotAllowed:
			p.message = "This address does not accept that kind of request."
		}
		if p.message == "" {
			p.message = http.StatusText(he.Code)
		}
		return p
	}
	return problem{status: http.StatusInternalServerError, code: store.EInternal, title: "Something went wrong",
		message: fmt.Sprintf("Something went wrong on our side and nothing was changed. It has been logged (request %s).", requestID)}
}

// handleError answers every error in one place: JSON under /api/, an error toast to
// htmx, a page otherwise. Internal details are logged, never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	requestID := c.Response().Header().Get(echo.HeaderXRequestID)
	p := classify(err, requestID)
	if p.status >= 500 {
		s.log.Error("request failed", "id", requestID, "path", c.Request().URL.Path, "error", err)
	}
	if p.status == http.StatusForbidden {
		// Refused attempts go to the log for whoever watches for privilege probing;
		// not to the audit table, as a refused request changes nothing.
		sess := currentSession(c)
		s.log.Warn("refused", "id", requestID, "method", c.Request().Method, "path", c.Request().URL.Path,
			"user", sess.User.ID, "key", apiKey(c).ID, "role", string(sess.Role), "workspace", sess.Workspace.ID, "why", p.message)
	}
	var out error
	switch {
	case strings.HasPrefix(c.Request().URL.Path, "/api/"):
		details := map[string]any{}
		for k, v := range p.fields {
			details[k] = v
		}
		for k, v := range p.details {
			details[k] = v
		}
		out = c.JSON(p.status, map[string]any{"success": false, "error": p.message, "code": p.code, "details": details})
	case c.Request().Header.Get("HX-Request") == "true":
		h := c.Response().Header()
		h.Set("HX-Retarget", "#toasts")
		h.Set("HX-Reswap", "beforeend")
		out = render(c, p.status, views.ToastItem(views.Toast{Kind: "error", Message: p.message}), nil)
	default:
		if currentSession(c).ID == "" {
			_, _ = s.loadSession(c)
		}
		e := views.ErrorData{Status: p.status, Title: p.title, Message: p.message}
		if currentSession(c).ID != "" {
			e.Link, e.LinkText = "/leads", "Back to leads"
		} else {
			e.Link, e.LinkText = "/login", "Sign in"
		}
		out = render(c, p.status, views.ErrorPage(s.pageFor(c, p.title, ""), e), nil)
	}
	if out != nil {
		s.log.Error("writing the error response failed", "id", requestID, "error", out)
	}
}
