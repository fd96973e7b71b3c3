package web

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"leadkeep/views"
)

// isHTMX reports whether the request wants a partial: an htmx request that is not
// a boosted navigation nor a history restore (those need the whole page).
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") == "" && h.Get("HX-History-Restore-Request") == ""
}

// pageFor is the layout data for the current request.
func (s *Server) pageFor(c echo.Context, title, nav string) views.Page {
	p := views.Page{Title: title, Nav: nav, Now: s.store.Now()}
	p.CSRF, _ = c.Get("csrf").(string)
	if sess := currentSession(c); sess.ID != "" {
		u := sess.User
		p.User, p.Workspace = &u, sess.Workspace
		p.ShowTrash, p.ShowAudit = may(c, actionTrashOwn), may(c, actionReadAuditLog)
		p.ShowStats = may(c, actionReadStats)
		p.ShowSettings, p.ShowOperator = may(c, actionSettings), u.Operator
		if !isHTMX(c) { // a partial has no toast region to show them in
			p.Flashes = s.takeFlashes(c)
		}
		// Every page shows the person's pending undo toasts. A failed read only
		// costs the toasts, never the page.
		if batches, err := s.store.PendingUndos(c.Request().Context(), sess.Workspace.ID, u.ID); err == nil {
			for _, b := range batches {
				p.Undos = append(p.Undos, views.UndoFor(b))
			}
		} else {
			s.log.Warn("pending undos", "error", err)
		}
	}
	return p
}

// render sends the full page, or the partial to an htmx request, rendered into a
// buffer first so that a template error is a clean 500, never half a page.
func render(c echo.Context, status int, full, partial templ.Component) error {
	c.Response().Header().Add("Vary", "HX-Request")
	comp := full
	if partial != nil && isHTMX(c) {
		comp = partial
	}
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// redirectAfterPost answers a successful form: 303 for a plain request, HX-Redirect
// for htmx (which would otherwise follow the 303 and swap the page into a region).
func redirectAfterPost(c echo.Context, to string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}
