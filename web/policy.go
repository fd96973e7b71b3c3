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
	actionReadLeads    action = "read leads"        // the table, a lead's page
	actionEditLeads    action = "create and edit"   // new lead, edit, notes
	actionDeleteLead   action = "delete a lead"     // one lead, to the Trash
	actionBulkDelete   action = "delete many leads" // bulk select-and-delete
	actionExport       action = "export leads"
	actionImport       action = "import leads"                  // upload, preview, run and undo an import
	actionUndoOwn      action = "undo own deletions"            // the toast's Undo
	actionUndoAny      action = "undo anyone's deletions"       // a manager undoing for someone
	actionTrashOwn     action = "see and restore own deletions" // the Trash, filtered to oneself
	actionTrashAll     action = "see and restore all deletions" // the whole Trash
	actionPurge        action = "delete forever"                // purge from the Trash
	actionHold         action = "put on legal hold and release"
	actionReadAuditLog action = "read the audit log"
	actionReadStats    action = "read the stats" // /stats
	actionSettings     action = "change settings, users and keys"
)

// policy is the one table of who may do what, by role. Later issues add rows
// (delete, bulk delete, restore, purge, settings) to this table only.
var policy = map[action][]store.Role{
	actionReadLeads:    {store.RoleViewer, store.RoleAgent, store.RoleManager, store.RoleAdmin},
	actionEditLeads:    {store.RoleAgent, store.RoleManager, store.RoleAdmin},
	actionDeleteLead:   {store.RoleAgent, store.RoleManager, store.RoleAdmin},
	actionBulkDelete:   {store.RoleManager, store.RoleAdmin},
	actionExport:       {store.RoleAgent, store.RoleManager, store.RoleAdmin},
	actionImport:       {store.RoleManager, store.RoleAdmin},
	actionUndoOwn:      {store.RoleAgent, store.RoleManager, store.RoleAdmin},
	actionUndoAny:      {store.RoleManager, store.RoleAdmin},
	actionTrashOwn:     {store.RoleAgent, store.RoleManager, store.RoleAdmin},
	actionTrashAll:     {store.RoleManager, store.RoleAdmin},
	actionPurge:        {store.RoleAdmin},
	actionHold:         {store.RoleAdmin},
	actionReadAuditLog: {store.RoleManager, store.RoleAdmin},
	actionReadStats:    {store.RoleViewer, store.RoleAgent, store.RoleManager, store.RoleAdmin},
	actionSettings:     {store.RoleAdmin},
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

// may reports whether the signed-in member may take the action.
func may(c echo.Context, a action) bool { return can(currentSession(c).Role, a) }

// allow wraps a handler so that it runs only for members whose role may take the action.
func (s *Server) allow(a action, h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !may(c, a) {
			return echo.NewHTTPError(http.StatusForbidden, "Your role does not allow this ("+string(a)+"). Ask an admin of your workspace.")
		}
		return h(c)
	}
}

// operatorOnly wraps a handler that only platform operators may use, whatever their
// role: the operator flag sits beside the policy table, not in it.
func (s *Server) operatorOnly(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !currentSession(c).User.Operator {
			return echo.NewHTTPError(http.StatusForbidden, "Only platform operators can open this page.")
		}
		return h(c)
	}
}
