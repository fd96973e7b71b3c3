package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
	"leadkeep/views"
)

// truthy reads a check box or flag: "1", "on" and "true" are on; absent is off.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "on", "true", "yes":
		return true
	}
	return false
}

// selection is what a bulk form names: ids, or every lead matching a filter with
// the count the person saw.
type selection struct {
	ids      []string
	all      bool
	filter   store.LeadFilter
	expected int
	badCount bool // expected_count was sent but is not a number
}

func readSelection(c echo.Context) (selection, error) {
	form, err := c.FormParams()
	if err != nil {
		return selection{}, echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	sel := selection{ids: form["ids"], all: truthy(form.Get("all_matching")),
		filter: store.LeadFilter{PoolID: form.Get("pool"), Status: form.Get("status"), Query: strings.TrimSpace(form.Get("q"))}}
	if ec := strings.TrimSpace(form.Get("expected_count")); ec != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(ec, ",", ""))
		sel.expected, sel.badCount = n, err != nil || n < 0
	}
	if sel.all {
		sel.ids = nil
	}
	return sel, nil
}

// exportURL is the CSV export of exactly the selection.
func (sel selection) exportURL() string {
	v := url.Values{"format": {"csv"}}
	if sel.all {
		for k, val := range map[string]string{"pool": sel.filter.PoolID, "status": sel.filter.Status, "q": sel.filter.Query} {
			if val != "" {
				v.Set(k, val)
			}
		}
	} else {
		v["ids"] = sel.ids
	}
	return "/leads/export?" + v.Encode()
}

// bulkDelete previews (preview=1: the dialog with the exact count, frozen) or does
// a bulk delete: one batch, one audit row, undoable as one.
func (s *Server) bulkDelete(c echo.Context) error {
	ctx := c.Request().Context()
	ws := workspace(c)
	sel, err := readSelection(c)
	if err != nil {
		return err
	}
	_, onTable := currentTable(c)
	d := views.BulkData{All: sel.all, Pool: sel.filter.PoolID, Status: sel.filter.Status, Query: sel.filter.Query,
		Reason: c.FormValue("reason"), Details: c.FormValue("details"), Return: returnTo(c, "/leads"), FromTable: onTable}
	if sel.badCount {
		return echo.NewHTTPError(http.StatusBadRequest, "expected_count must be a whole number.")
	}

	preview := truthy(c.FormValue("preview"))
	if sel.all && preview {
		// The count is taken now and frozen into the form: the delete must find it again.
		if d.Count, err = s.store.CountMatching(ctx, ws.ID, sel.filter); err != nil {
			return err
		}
		if d.Count == 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "No lead matches this filter; there is nothing to delete.")
		}
	} else if sel.all {
		d.Count = sel.expected
	} else {
		d.IDs = uniqueIDs(sel.ids)
		d.Count = len(d.IDs)
		if d.Count == 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "Select at least one lead to delete.")
		}
		if d.Count > store.MaxIDs {
			return echo.NewHTTPError(http.StatusBadRequest, "A form can name at most 1,000 leads; use \"Select all matching\" for more.")
		}
	}
	if d.Sample, err = s.sampleNames(c, sel, d.IDs); err != nil {
		return err
	}
	d.ExportURL = sel.exportURL()
	p := s.pageFor(c, "Delete leads", "leads")
	dialog := func(status int) error {
		if isHTMX(c) {
			c.Response().Header().Set("HX-Retarget", "#dialog")
			c.Response().Header().Set("HX-Reswap", "innerHTML")
		}
		return render(c, status, views.BulkDeletePage(p, d), views.BulkDeleteDialog(p, d))
	}
	if preview {
		return dialog(http.StatusOK)
	}
	// A bulk delete always gives a reason, even for one lead sent through the bulk form.
	if strings.TrimSpace(d.Reason) == "" {
		d.Errors = map[string]string{"reason": "is required"}
		return dialog(http.StatusUnprocessableEntity)
	}
	// A count that is not the selection's is news before anything else: the person
	// looked at another set (or the form was forged).
	if sel.all {
		n, err := s.store.CountMatching(ctx, ws.ID, sel.filter)
		if err != nil {
			return err
		}
		if n == 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "No lead matches this filter; there is nothing to delete.")
		}
		if sel.expected > 0 && n != sel.expected {
			d.Problem = "The selection changed: " + views.Thousands(n) + " now match, not " + views.Thousands(sel.expected) +
				". Nothing was changed; look again and confirm."
			d.Count = n
			return dialog(http.StatusConflict)
		}
	}
	if d.NeedsTypedCount() {
		typed, _ := strconv.Atoi(strings.NewReplacer(",", "", ".", "", " ", "").Replace(c.FormValue("confirm_count")))
		if typed != d.Count {
			d.Errors = map[string]string{"confirm_count": "Type the number of leads, " + views.Thousands(d.Count) + ", to confirm."}
			return dialog(http.StatusUnprocessableEntity)
		}
	}
	b, err := s.store.DeleteLeads(ctx, ws, actor(c), store.DeleteRequest{IDs: d.IDs, All: sel.all, Filter: sel.filter,
		ExpectedCount: sel.expected, Reason: d.Reason, Details: d.Details})
	var se *store.Error
	switch {
	case errors.As(err, &se) && se.Code == store.EInvalid && len(se.Fields) > 0 && se.Fields["reason"] != "":
		d.Errors = se.Fields
		return dialog(http.StatusUnprocessableEntity)
	case errors.As(err, &se) && se.Code == store.EConflict && sel.all:
		// The set changed since it was counted: say so, and offer the new count.
		d.Problem = se.Message
		if d.Count, err = s.store.CountMatching(ctx, ws.ID, sel.filter); err != nil {
			return err
		}
		return dialog(http.StatusConflict)
	case err != nil:
		return err
	}
	return s.afterDelete(c, b)
}

// afterDelete answers a successful delete: on the table, the new table with the toast
// out of band; elsewhere a redirect, after which the layout shows the toast.
func (s *Server) afterDelete(c echo.Context, b store.Batch) error {
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, returnTo(c, "/leads"))
	}
	q, onTable := currentTable(c)
	if !onTable {
		c.Response().Header().Set("HX-Redirect", "/leads")
		return c.NoContent(http.StatusNoContent)
	}
	d, status, err := s.leadsData(c, q)
	if err != nil {
		return err
	}
	p := s.pageFor(c, "Leads", "leads")
	return renderAll(c, status, views.LeadsRegion(d), views.ToastsOOB(p, []views.Undo{views.UndoFor(b)}), views.DialogClosedOOB())
}

// sampleNames are a few names of the selection, for the dialog.
func (s *Server) sampleNames(c echo.Context, sel selection, ids []string) ([]string, error) {
	ctx := c.Request().Context()
	ws := workspace(c)
	var names []string
	if sel.all {
		f := sel.filter
		f.Limit = 5
		page, err := s.store.ListLeads(ctx, ws.ID, f)
		if err != nil {
			return nil, err
		}
		for _, l := range page.Leads {
			names = append(names, l.Name)
		}
		return names, nil
	}
	if err := s.store.CheckActiveLeads(ctx, ws.ID, ids); err != nil {
		return nil, err // a foreign, unknown or trashed id anywhere: the whole selection is refused
	}
	for _, id := range ids[:min(5, len(ids))] {
		l, err := s.store.Lead(ctx, ws.ID, id)
		if err != nil {
			return nil, err // a foreign or unknown id: the whole selection is refused
		}
		if l.InTrash() {
			return nil, &store.Error{Code: store.EConflict, Message: "Lead " + l.Name + " is already in the Trash; nothing was deleted"}
		}
		names = append(names, l.Name)
	}
	return names, nil
}

func uniqueIDs(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// trashSelection is a Trash bulk form's selection, within what the member may see.
func trashSelection(c echo.Context) (selection, store.TrashFilter, error) {
	sel, err := readSelection(c)
	if err != nil {
		return sel, store.TrashFilter{}, err
	}
	if sel.badCount {
		return sel, store.TrashFilter{}, echo.NewHTTPError(http.StatusBadRequest, "expected_count must be a whole number.")
	}
	sel.ids = uniqueIDs(sel.ids)
	if !sel.all && len(sel.ids) == 0 {
		return sel, store.TrashFilter{}, echo.NewHTTPError(http.StatusBadRequest, "Select at least one lead in the Trash.")
	}
	return sel, store.TrashFilter{Query: sel.filter.Query, DeletedBy: trashScope(c)}, nil
}

func (s *Server) trashBulkRestore(c echo.Context) error {
	sel, f, err := trashSelection(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	var n int
	if sel.all {
		n, err = s.store.RestoreMatching(ctx, ws.ID, actor(c), f, sel.expected)
	} else {
		n, err = s.store.RestoreLeads(ctx, ws.ID, actor(c), sel.ids, f.DeletedBy)
	}
	if err != nil {
		return err
	}
	s.flash(c, plural(n, "lead")+" restored.")
	return redirectAfterPost(c, "/trash")
}

func (s *Server) trashBulkPurge(c echo.Context) error {
	sel, f, err := trashSelection(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	if truthy(c.FormValue("preview")) {
		cd := views.ConfirmData{Button: "Delete forever", Return: "/trash", Action: "/trash/bulk-purge"}
		n := len(sel.ids)
		if sel.all {
			if n, err = s.store.CountTrash(ctx, ws.ID, f); err != nil {
				return err
			}
			if n == 0 {
				return echo.NewHTTPError(http.StatusBadRequest, "Nothing in the Trash matches; there is nothing to delete.")
			}
			cd.Hidden = []views.Field{{Name: "all_matching", Value: "1"}, {Name: "q", Value: f.Query}, {Name: "expected_count", Value: strconv.Itoa(n)}}
		} else {
			for _, id := range sel.ids {
				cd.Hidden = append(cd.Hidden, views.Field{Name: "ids", Value: id})
			}
		}
		cd.Title = "Delete " + plural(n, "lead") + " forever?"
		cd.Message = "They will be erased from Leadkeep with their notes, tags, tasks and history. Only a record that they existed stays in the audit log."
		p := s.pageFor(c, "Delete forever", "trash")
		return render(c, http.StatusOK, views.ConfirmPage(p, cd), views.ConfirmDialog(p, cd))
	}
	var n int
	if sel.all {
		n, err = s.store.PurgeMatching(ctx, ws.ID, actor(c), f, sel.expected)
	} else {
		n, err = s.store.PurgeLeads(ctx, ws.ID, actor(c), sel.ids)
	}
	if err != nil {
		return err
	}
	s.flash(c, plural(n, "lead")+" deleted forever.")
	return redirectAfterPost(c, "/trash")
}
