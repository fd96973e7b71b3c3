package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"leadkeep/store"
	"leadkeep/views"
)

// returnTo is where a form goes back to: its "return" field, or the page the request
// came from, when that is a page of this site; else the table.
func returnTo(c echo.Context, fallback string) string {
	if r := c.FormValue("return"); r != "" {
		return safeNext(r)
	}
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host && ref.Path != "" {
		return safeNext(ref.RequestURI())
	}
	return fallback
}

// currentTable is the table state of the page an htmx request came from, if that
// page is the lead table.
func currentTable(c echo.Context) (tableQuery, bool) {
	u, err := url.Parse(c.Request().Header.Get("HX-Current-URL"))
	if err != nil || u.Path != "/leads" {
		return tableQuery{}, false
	}
	q := u.Query()
	return tableQuery{Pool: q.Get("pool"), Status: q.Get("status"), Query: q.Get("q"), Sort: q.Get("sort"), Cursor: q.Get("cursor")}, true
}

func (s *Server) deleteDialog(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	ws := workspace(c)
	l, err := s.store.Lead(c.Request().Context(), ws.ID, id)
	if err != nil {
		return err
	}
	if l.InTrash() {
		return store.ErrAlreadyInTrash
	}
	d := views.DeleteData{Lead: l, ReasonRequired: ws.ReasonRequired, Return: safeNext(c.QueryParam("return"))}
	if q, onTable := currentTable(c); onTable {
		d.FromTable, d.Return = true, q.url()
	}
	p := s.pageFor(c, "Delete "+l.Name, "leads")
	return render(c, http.StatusOK, views.DeletePage(p, d), views.DeleteDialog(p, d))
}

func (s *Server) deleteLead(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	reason, details := c.FormValue("reason"), c.FormValue("details")
	b, err := s.store.DeleteLeads(ctx, ws, actor(c), store.DeleteRequest{IDs: []string{id}, Reason: reason, Details: details})
	var se *store.Error
	if errors.As(err, &se) && se.Code == store.EInvalid {
		l, lerr := s.store.Lead(ctx, ws.ID, id)
		if lerr != nil {
			return lerr
		}
		if l.InTrash() { // deleted meanwhile (another tab): that, not the reason, is the news
			return store.ErrAlreadyInTrash
		}
		_, onTable := currentTable(c)
		d := views.DeleteData{Lead: l, Reason: reason, Details: details, ReasonRequired: ws.ReasonRequired,
			Errors: se.Fields, Return: returnTo(c, "/leads"), FromTable: onTable}
		p := s.pageFor(c, "Delete "+l.Name, "leads")
		if isHTMX(c) {
			c.Response().Header().Set("HX-Retarget", "#dialog")
			c.Response().Header().Set("HX-Reswap", "innerHTML")
		}
		return render(c, http.StatusUnprocessableEntity, views.DeletePage(p, d), views.DeleteDialog(p, d))
	}
	if err != nil {
		return err
	}
	return s.afterDelete(c, b)
}

func (s *Server) undo(c echo.Context) error {
	ctx := c.Request().Context()
	ws := workspace(c)
	me := actor(c)
	b, err := s.store.Batch(ctx, ws.ID, c.Param("batchId"))
	if err != nil {
		return err
	}
	if b.ActorID != me.ID && !may(c, actionUndoAny) {
		return echo.NewHTTPError(http.StatusForbidden, "Only the person who deleted these leads, or a manager, can undo this.")
	}
	res, err := s.store.UndoBatch(ctx, ws.ID, me, b.ID)
	if errors.Is(err, store.ErrUndoExpired) {
		return s.tooLate(c, b)
	}
	if err != nil {
		return err
	}
	msg := "Lead restored."
	switch {
	case res.Already:
		msg = "Already undone."
	case res.NotRestored > 0:
		msg = plural(res.Restored, "lead") + " restored; " + plural(res.NotRestored, "lead") + " had been deleted forever and could not come back."
	case res.Restored != 1:
		msg = views.Thousands(res.Restored) + " leads restored."
	}
	if !isHTMX(c) {
		s.flash(c, msg)
		return c.Redirect(http.StatusSeeOther, returnTo(c, "/leads"))
	}
	q, onTable := currentTable(c)
	if !onTable {
		s.flash(c, msg)
		c.Response().Header().Set("HX-Refresh", "true")
		return c.NoContent(http.StatusOK)
	}
	// The toast becomes the confirmation; the table shows the lead back in its place.
	d, status, err := s.leadsData(c, q)
	if err != nil {
		return err
	}
	d.OOB = true
	return renderAll(c, status, views.ToastItem(views.Toast{Kind: "info", Message: msg}), views.LeadsRegion(d))
}

// tooLate answers an undo after its window: the lead is safe in the Trash, and the
// answer says where.
func (s *Server) tooLate(c echo.Context, b store.Batch) error {
	link, linkText := "/trash?view=batches", "Open the Trash"
	if b.Count == 1 && b.FirstLeadID != "" {
		link, linkText = "/leads/"+b.FirstLeadID, "Open the lead"
	}
	msg := "Too late to undo — the lead is in the Trash"
	if b.Count != 1 {
		msg = "Too late to undo — the leads are in the Trash"
	}
	if isHTMX(c) {
		return render(c, http.StatusConflict, views.TooLateToast(msg, link), nil)
	}
	p := s.pageFor(c, "Too late to undo", "")
	return render(c, http.StatusConflict, views.ErrorPage(p, views.ErrorData{Status: http.StatusConflict, Title: "Too late to undo",
		Message: msg + ". You can restore it from there.", Link: link, LinkText: linkText}), nil)
}

// --- the Trash

// trashScope is whose deletions the member or key sees: everyone's, or only their own.
func trashScope(c echo.Context) string {
	if may(c, actionTrashAll) {
		return ""
	}
	return actor(c).ID
}

// nextPurgeShown is how many leads the Trash's "Next purge" panel names.
const nextPurgeShown = 10

func (s *Server) trashPage(c echo.Context) error {
	ctx := c.Request().Context()
	ws := workspace(c)
	d := views.TrashData{View: c.QueryParam("view"), Query: strings.TrimSpace(c.QueryParam("q")),
		RetentionDays: ws.RetentionDays, CanPurge: may(c, actionPurge), CanHold: may(c, actionHold), OwnOnly: trashScope(c) != ""}
	if !d.OwnOnly && c.QueryParam("cursor") == "" {
		np, err := s.store.NextPurge(ctx, ws, nextPurgeShown)
		if err != nil {
			return err
		}
		d.NextPurge = &np
	}
	cursor := c.QueryParam("cursor")
	link := func(cur string) string {
		if cur == "" {
			return ""
		}
		v := url.Values{"cursor": {cur}}
		if d.View == "batches" {
			v.Set("view", "batches")
		}
		if d.Query != "" {
			v.Set("q", d.Query)
		}
		if d.By != "" {
			v.Set("by", d.By)
		}
		return "/trash?" + v.Encode()
	}
	var err error
	var next, prev string
	switch d.View {
	case "batches":
		// by narrows the deletions to one user's or key's (the links of /stats' top
		// deleters); within the member's scope, never beyond it.
		scope := trashScope(c)
		if d.By = strings.TrimSpace(c.QueryParam("by")); d.By != "" {
			if scope != "" && d.By != scope {
				return echo.NewHTTPError(http.StatusForbidden, "You can only see your own deletions in the Trash; ask a manager.")
			}
			scope = d.By
		}
		d.Batches, err = s.store.TrashBatches(ctx, ws.ID, scope, cursor)
		next, prev = d.Batches.Next, d.Batches.Prev
	case "", "leads":
		d.View = "leads"
		d.Leads, err = s.store.ListTrash(ctx, ws.ID, store.TrashFilter{Query: d.Query, DeletedBy: trashScope(c), Cursor: cursor})
		next, prev = d.Leads.Next, d.Leads.Prev
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "The Trash has two views: leads and batches.")
	}
	status := http.StatusOK
	var se *store.Error
	if errors.As(err, &se) && se.Code == store.EInvalid {
		status, d.Error = http.StatusBadRequest, se.Message
	} else if err != nil {
		return err
	}
	d.NextURL, d.PrevURL = link(next), link(prev)
	return render(c, status, views.TrashPage(s.pageFor(c, "Trash", "trash"), d), nil)
}

func (s *Server) restoreLead(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	if _, err := s.store.RestoreLeads(c.Request().Context(), workspace(c).ID, actor(c), []string{id}, trashScope(c)); err != nil {
		return err
	}
	s.flash(c, "Lead restored.")
	return redirectAfterPost(c, "/leads/"+id)
}

func (s *Server) restoreBatch(c echo.Context) error {
	ctx := c.Request().Context()
	ws := workspace(c)
	b, err := s.store.Batch(ctx, ws.ID, c.Param("batchId"))
	if err != nil {
		return err
	}
	if scope := trashScope(c); scope != "" && b.ActorID != scope {
		return echo.NewHTTPError(http.StatusForbidden, "You can only restore what you deleted yourself; ask a manager.")
	}
	res, err := s.store.RestoreBatch(ctx, ws.ID, actor(c), b.ID)
	if err != nil {
		return err
	}
	msg := plural(res.Restored, "lead") + " restored."
	if res.NotRestored > 0 {
		msg += " " + plural(res.NotRestored, "lead") + " had been deleted forever and could not come back."
	}
	s.flash(c, msg)
	return redirectAfterPost(c, "/trash?view=batches")
}

func (s *Server) purgeConfirm(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	l, err := s.trashedLead(c, id)
	if err != nil {
		return err
	}
	cd := views.ConfirmData{Title: "Delete " + l.Name + " forever?", Button: "Delete forever", Return: "/trash",
		Message: "The lead, its notes, tags, tasks and history will be erased from Leadkeep. Only a record that it existed stays in the audit log.",
		Action:  "/trash/" + id + "/purge"}
	p := s.pageFor(c, "Delete forever", "trash")
	return render(c, http.StatusOK, views.ConfirmPage(p, cd), views.ConfirmDialog(p, cd))
}

// trashedLead is the workspace's lead in the Trash; anything else is a clear error.
func (s *Server) trashedLead(c echo.Context, id string) (store.Lead, error) {
	ctx := c.Request().Context()
	ws := workspace(c)
	l, err := s.store.Lead(ctx, ws.ID, id)
	if errors.Is(err, store.ErrLeadNotFound) {
		if t, terr := s.store.Tombstone(ctx, ws.ID, id); terr == nil {
			return l, &store.Error{Code: store.EGone, Message: t.Message()}
		}
	}
	if err != nil {
		return l, err
	}
	if !l.InTrash() {
		return l, store.ErrNotInTrash
	}
	return l, nil
}

func (s *Server) purgeLead(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	if _, err := s.store.PurgeLeads(c.Request().Context(), workspace(c).ID, actor(c), []string{id}); err != nil {
		return err
	}
	s.flash(c, "Lead deleted forever.")
	return redirectAfterPost(c, "/trash")
}

func (s *Server) purgeBatchConfirm(c echo.Context) error {
	b, err := s.store.Batch(c.Request().Context(), workspace(c).ID, c.Param("batchId"))
	if err != nil {
		return err
	}
	held, err := s.store.BatchHeld(c.Request().Context(), workspace(c).ID, b.ID)
	if err != nil {
		return err
	}
	msg := "Every lead of this deletion still in the Trash (deleted by " + b.ActorName + ") will be erased with its notes, tags, tasks and history."
	if held > 0 {
		msg = "The leads of this deletion still in the Trash (deleted by " + b.ActorName + ") will be erased with their notes, tags, tasks and history — but the " +
			plural(held, "lead") + " on legal hold, which stay."
	}
	cd := views.ConfirmData{Title: "Delete these leads forever?", Button: "Delete forever", Return: "/trash?view=batches",
		Message: msg, Action: "/trash/batches/" + b.ID + "/purge"}
	p := s.pageFor(c, "Delete forever", "trash")
	return render(c, http.StatusOK, views.ConfirmPage(p, cd), views.ConfirmDialog(p, cd))
}

func (s *Server) purgeBatch(c echo.Context) error {
	ctx, wsID := c.Request().Context(), workspace(c).ID
	n, err := s.store.PurgeBatch(ctx, wsID, actor(c), c.Param("batchId"))
	if err != nil {
		return err
	}
	msg := plural(n, "lead") + " deleted forever."
	if held, err := s.store.BatchHeld(ctx, wsID, c.Param("batchId")); err == nil && held > 0 {
		msg += " " + plural(held, "lead") + " on legal hold stay in the Trash."
	}
	s.flash(c, msg)
	return redirectAfterPost(c, "/trash?view=batches")
}

// --- the audit log

func (s *Server) auditPage(c echo.Context) error {
	ctx := c.Request().Context()
	ws := workspace(c)
	d := views.AuditData{Actor: c.QueryParam("actor"), Action: c.QueryParam("action"), Lead: strings.TrimSpace(c.QueryParam("lead")),
		From: c.QueryParam("from"), To: c.QueryParam("to")}
	people, err := s.store.Users(ctx, ws.ID)
	if err != nil {
		return err
	}
	d.People = people
	f := store.AuditFilter{ActorID: d.Actor, Action: d.Action, LeadID: d.Lead, Cursor: c.QueryParam("cursor")}
	status := http.StatusOK
	var bad []string
	if f.From, err = parseDay(d.From, ws.Timezone, 0); err != nil {
		bad = append(bad, "The from date must look like 2026-11-23.")
	}
	if f.To, err = parseDay(d.To, ws.Timezone, 1); err != nil {
		bad = append(bad, "The to date must look like 2026-11-23.")
	}
	if len(bad) == 0 {
		d.Result, err = s.store.ListAudit(ctx, ws.ID, f)
		var se *store.Error
		if errors.As(err, &se) && se.Code == store.EInvalid {
			bad = append(bad, se.Error())
		} else if err != nil {
			return err
		}
	}
	if len(bad) > 0 {
		status, d.Error = http.StatusBadRequest, strings.Join(bad, " ")
	}
	link := func(cur string) string {
		if cur == "" {
			return ""
		}
		v := url.Values{"cursor": {cur}}
		for k, val := range map[string]string{"actor": d.Actor, "action": d.Action, "lead": d.Lead, "from": d.From, "to": d.To} {
			if val != "" {
				v.Set(k, val)
			}
		}
		return "/audit?" + v.Encode()
	}
	d.NextURL, d.PrevURL = link(d.Result.Next), link(d.Result.Prev)
	return render(c, status, views.AuditPage(s.pageFor(c, "Audit log", "audit"), d), nil)
}

// parseDay reads a date (2006-01-02) as the start of that day in the workspace's
// time zone, plus addDays; "" is the zero time (no bound).
func parseDay(s, tz string, addDays int) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, err
	}
	return t.AddDate(0, 0, addDays), nil
}

// renderAll sends several components in one answer: a region and the out-of-band
// pieces (toasts, the closed dialog) htmx places by their ids.
func renderAll(c echo.Context, status int, comps ...templ.Component) error {
	return render(c, status, templ.Join(comps...), nil)
}

func plural(n int, unit string) string { return views.Plural(n, unit) }
