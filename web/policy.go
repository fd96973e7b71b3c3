package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
)

// action is something a member may or may not do. Every route names its action,
// and policy alone decides: no handler checks a role itself.
type action string

const (
	actionReadLeads action = "read leads"      // the table, a lead's page
	actionEditLeads action = "create and edit" // new lead, edit, notes
)

// policy is the one table of who may do what, by role. Later issues add rows
// (delete, bulk delete, restore, purge, settings) to this table only.
var policy = map[action][]store.Role{
	actionReadLeads: {store.RoleViewer, store.RoleAgent, store.RoleManager, store.RoleAdmin},
	actionEditLeads: {store.RoleAgent, store.RoleManager, store.RoleAdmin},
}

// can reports whether the role may take the action.
func can(role store.Role, a action) bool {
	for _, r := range policy[a] {
		if r == role {
			return true
		}
	}
	return false
}

// allow wraps a handler so that it runs only for members whose role may take the action.
func (s *Server) allow(a action, h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !can(currentSession(c).User.Role, a) {
			return echo.NewHTTPError(http.StatusForbidden, "Your role does not allow this ("+string(a)+"). Ask an admin of your workspace.")
		}
		return h(c)
	}
}
