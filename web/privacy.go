package web

// Legal hold, mark as spam, suppressions, and the operator's finder and erasure.

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

// --- mark as spam

func (s *Server) spamDialog(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	l, err := s.store.Lead(c.Request().Context(), workspace(c).ID, id)
	if err != nil {
		return err
	}
	if l.InTrash() {
		return store.ErrAlreadyInTrash
	}
	return s.actionForm(c, http.StatusOK, spamForm(l, returnTo(c, "/leads/"+l.ID)), true)
}

func spamForm(l store.Lead, ret string) views.ActionForm {
	block := " and new leads with its e-mail or phone are refused from now on"
	switch {
	case l.Email != "" && l.Phone == "":
		block = " and new leads with " + l.Email + " are refused from now on"
	case l.Email == "" && l.Phone != "":
		block = " and new leads with " + l.PhoneDisplay() + " are refused from now on"
	case l.Email == "" && l.Phone == "":
		block = " (it has no e-mail or phone to block)"
	}
	return views.ActionForm{Title: "Mark " + l.Name + " as spam?", Action: "/leads/" + l.ID + "/spam", Button: "Mark as spam", Danger: true,
		Message: "The lead moves to the Trash" + block + ". You can undo this for ten seconds; restoring the lead later lifts the block too.",
		Return:  ret, Field: "details", FieldLabel: "Details", Hint: "e.g. the web form's bot traffic"}
}

func (s *Server) markSpam(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	details := c.FormValue("details")
	_, err = s.store.MarkSpam(ctx, ws, actor(c), id, details)
	if fields, ferr := fieldErrors(err); fields != nil {
		l, lerr := s.store.Lead(ctx, ws.ID, id)
		if lerr != nil {
			return lerr
		}
		f := spamForm(l, returnTo(c, "/leads/"+id))
		f.Value, f.Error = details, fields["details"]
		return s.actionForm(c, http.StatusUnprocessableEntity, f, false)
	} else if ferr != nil {
		return ferr
	}
	// The lead is in the Trash: its page would only say so. Back to the table, where
	// the toast offers the undo.
	ret := returnTo(c, "/leads")
	if strings.HasPrefix(ret, "/leads/"+id) {
		ret = "/leads"
	}
	return redirectAfterPost(c, ret)
}

// actionForm answers a short form: with dialog, a dialog to htmx and a page to a
// plain request; without, a page (a form shown again with its error).
func (s *Server) actionForm(c echo.Context, status int, f views.ActionForm, dialog bool) error {
	p := s.pageFor(c, f.Title, "leads")
	if dialog {
		return render(c, status, views.ActionPage(p, f), views.ActionDialog(p, f))
	}
	return render(c, status, views.ActionPage(p, f), nil)
}

// --- legal hold

// holdTarget is the lead or batch of a hold route, and where its forms go back to.
func holdTarget(c echo.Context) (store.HoldTarget, string, error) {
	if b := c.Param("batchId"); b != "" {
		return store.HoldTarget{BatchID: b}, "/trash/batches/" + b, nil
	}
	id, err := leadID(c)
	return store.HoldTarget{LeadID: id}, "/trash/" + id, err
}

func holdForm(base, ret string, batch bool) views.ActionForm {
	what := "This lead stays in the Trash"
	if batch {
		what = "The leads of this deletion stay in the Trash"
	}
	return views.ActionForm{Title: "Put on legal hold", Action: base + "/hold", Button: "Put on hold", Return: ret,
		Message: what + " and are never purged or erased — not by retention, not by hand — until an admin releases the hold. They can still be restored.",
		Field:   "reason", FieldLabel: "Reason", Required: true, Hint: "e.g. litigation hold, case 2026-114"}
}

func (s *Server) holdDialog(c echo.Context) error {
	t, base, err := holdTarget(c)
	if err != nil {
		return err
	}
	ctx, ws := c.Request().Context(), workspace(c)
	f := holdForm(base, returnTo(c, "/trash"), t.BatchID != "")
	if t.BatchID != "" {
		b, err := s.store.Batch(ctx, ws.ID, t.BatchID)
		if err != nil {
			return err
		}
		f.Title = "Put " + plural(b.Count, "lead") + " deleted together on legal hold"
	} else {
		l, err := s.store.Lead(ctx, ws.ID, t.LeadID)
		if err != nil {
			return err
		}
		if !l.InTrash() {
			return store.ErrNotInTrash
		}
		f.Title = "Put " + l.Name + " on legal hold"
	}
	return s.actionForm(c, http.StatusOK, f, true)
}

func (s *Server) hold(c echo.Context) error {
	t, base, err := holdTarget(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	n, err := s.store.Hold(c.Request().Context(), workspace(c).ID, actor(c), t, reason)
	if fields, ferr := fieldErrors(err); fields != nil {
		f := holdForm(base, returnTo(c, "/trash"), t.BatchID != "")
		f.Value, f.Error = reason, fields["reason"]
		return s.actionForm(c, http.StatusUnprocessableEntity, f, false)
	} else if ferr != nil {
		return ferr
	}
	s.flash(c, plural(n, "lead")+" on legal hold: never purged until released.")
	return redirectAfterPost(c, returnTo(c, "/trash"))
}

func (s *Server) release(c echo.Context) error {
	t, _, err := holdTarget(c)
	if err != nil {
		return err
	}
	n, err := s.store.Release(c.Request().Context(), workspace(c).ID, actor(c), t)
	if err != nil {
		return err
	}
	s.flash(c, "Legal hold released on "+plural(n, "lead")+"; retention applies again.")
	return redirectAfterPost(c, returnTo(c, "/trash"))
}

// --- suppressions (admins, on Settings)

const suppressionsShown = 100

func (s *Server) suppressionsPage(c echo.Context) error {
	return s.renderSuppressions(c, http.StatusOK, views.SuppressionsData{})
}

func (s *Server) renderSuppressions(c echo.Context, status int, d views.SuppressionsData) error {
	var err error
	if d.List, err = s.store.Suppressions(c.Request().Context(), workspace(c).ID, suppressionsShown); err != nil {
		return err
	}
	return render(c, status, views.SuppressionsPage(s.pageFor(c, "Suppressions", "settings"), d), nil)
}

// suppress checks a value (check=1) or suppresses it.
func (s *Server) suppress(c echo.Context) error {
	ctx := c.Request().Context()
	ws := workspace(c)
	d := views.SuppressionsData{Value: strings.TrimSpace(c.FormValue("value"))}
	var err error
	check := truthy(c.FormValue("check"))
	if check {
		d.Found, err = s.store.FindSuppressions(ctx, ws, d.Value)
	} else {
		err = s.store.Suppress(ctx, ws, actor(c), d.Value)
	}
	if fields, ferr := fieldErrors(err); fields != nil {
		d.Error = "This " + fields["value"]
		return s.renderSuppressions(c, http.StatusUnprocessableEntity, d)
	} else if ferr != nil {
		return ferr
	}
	if check {
		d.Checked = true
		return s.renderSuppressions(c, http.StatusOK, d)
	}
	s.flash(c, "Suppressed: new leads with it are refused.")
	return redirectAfterPost(c, "/settings/suppressions")
}

func (s *Server) liftSuppression(c echo.Context) error {
	if err := s.store.LiftSuppression(c.Request().Context(), workspace(c).ID, actor(c), c.Param("supId")); err != nil {
		return err
	}
	s.flash(c, "Suppression lifted: new leads with it are accepted again.")
	return redirectAfterPost(c, "/settings/suppressions")
}

// --- operators: the finder, restore, erasure

const erasuresShown = 10

func (s *Server) operatorPage(c echo.Context) error {
	ctx := c.Request().Context()
	all, err := s.store.Workspaces(ctx)
	if err != nil {
		return err
	}
	d := views.OperatorData{Workspaces: all, Current: workspace(c).ID, Names: map[string]string{}}
	for _, w := range all {
		d.Names[w.ID] = w.Name
	}
	if d.Erasures, err = s.store.Erasures(ctx, "", erasuresShown); err != nil {
		return err
	}
	status := http.StatusOK
	d.Finder.Query, d.Finder.Workspace = strings.TrimSpace(c.QueryParam("q")), c.QueryParam("workspace")
	if _, asked := c.QueryParams()["q"]; asked {
		d.Finder.Searched = true
		d.Finder.Result, err = s.store.FindLeads(ctx, d.Finder.Query, d.Finder.Workspace)
		if fields, ferr := fieldErrors(err); fields != nil {
			status, d.Finder.Error = http.StatusUnprocessableEntity, "Search: "+firstOf(fields)
		} else if ferr != nil {
			return ferr
		}
	}
	return render(c, status, views.OperatorPage(s.pageFor(c, "Operator", "operator"), d), nil)
}

func firstOf(fields map[string]string) string {
	for _, k := range []string{"q", "workspace"} {
		if m := fields[k]; m != "" {
			return m
		}
	}
	for _, m := range fields {
		return m
	}
	return ""
}

// operatorWorkspace is the workspace an operator's form names.
func (s *Server) operatorWorkspace(c echo.Context, field string) (store.Workspace, error) {
	id := strings.TrimSpace(c.FormValue(field))
	if id == "" {
		return store.Workspace{}, &store.Error{Code: store.EInvalid, Message: "Choose a workspace", Fields: map[string]string{"workspace": "is required"}}
	}
	ws, err := s.store.Workspace(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return ws, &store.Error{Code: store.EInvalid, Message: "No such workspace", Fields: map[string]string{"workspace": "is not a workspace"}}
	}
	return ws, err
}

// operatorRestore restores a trashed lead of any workspace, from the finder.
func (s *Server) operatorRestore(c echo.Context) error {
	ws, err := s.operatorWorkspace(c, "workspace")
	if err != nil {
		return err
	}
	id := strings.TrimSpace(c.FormValue("lead"))
	if _, err := s.store.RestoreLeads(c.Request().Context(), ws.ID, actor(c), []string{id}, ""); err != nil {
		return err
	}
	s.flash(c, "Restored in "+ws.Name+"; the audit log of that workspace names you.")
	return redirectAfterPost(c, "/operator?q="+url.QueryEscape(id))
}

// erasePage is the erasure form, filled from the query (the lead page links here).
func (s *Server) erasePage(c echo.Context) error {
	d, err := s.eraseData(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ErasePage(s.pageFor(c, "Erase a person", "operator"), d), nil)
}

func (s *Server) eraseData(c echo.Context) (views.EraseData, error) {
	all, err := s.store.Workspaces(c.Request().Context())
	if err != nil {
		return views.EraseData{}, err
	}
	d := views.EraseData{Workspaces: all, Workspace: strings.TrimSpace(c.FormValue("workspace")),
		Email: strings.TrimSpace(c.FormValue("email")), Phone: strings.TrimSpace(c.FormValue("phone")),
		LeadID: strings.TrimSpace(c.FormValue("lead")), Reference: strings.TrimSpace(c.FormValue("reference"))}
	if d.Workspace == "" {
		d.Workspace = workspace(c).ID
	}
	return d, nil
}

// erase previews an erasure, or with confirm=1 does it and shows the receipt.
func (s *Server) erase(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.eraseData(c)
	if err != nil {
		return err
	}
	page := func(status int) error {
		return render(c, status, views.ErasePage(s.pageFor(c, "Erase a person", "operator"), d), nil)
	}
	ws, err := s.operatorWorkspace(c, "workspace")
	if fields, ferr := fieldErrors(err); fields != nil {
		d.Errors = fields
		return page(http.StatusUnprocessableEntity)
	} else if ferr != nil {
		return ferr
	}
	req := store.ErasureRequest{Email: d.Email, Phone: d.Phone, LeadID: d.LeadID, Reference: d.Reference}
	if !truthy(c.FormValue("confirm")) {
		pv, err := s.store.PreviewErasure(ctx, ws, req)
		if err != nil {
			return s.eraseError(c, d, err, page)
		}
		d.Preview = &pv
		return page(http.StatusOK)
	}
	if n := strings.TrimSpace(c.FormValue("expected_count")); n != "" {
		if req.ExpectedCount, err = strconv.Atoi(n); err != nil || req.ExpectedCount < 1 {
			return &store.Error{Code: store.EInvalid, Message: "expected_count must be the number of leads the preview showed"}
		}
	}
	e, err := s.store.Erase(ctx, ws, actor(c), req)
	if err != nil {
		return s.eraseError(c, d, err, page)
	}
	s.flash(c, "Erased "+plural(len(e.Leads), "lead")+" for request "+e.Reference+".")
	return redirectAfterPost(c, "/operator/erasures/"+e.ID)
}

// eraseError shows the form again with what was wrong: field errors beside their
// fields, a refused erasure (a hold, a changed set) above the form with the preview.
func (s *Server) eraseError(c echo.Context, d views.EraseData, err error, page func(int) error) error {
	var se *store.Error
	if !errors.As(err, &se) {
		return err
	}
	status := statusOf[se.Code]
	if se.Code == store.EInvalid {
		status = http.StatusUnprocessableEntity
	}
	if len(se.Fields) > 0 {
		d.Errors = se.Fields
		if d.LeadID != "" && se.Fields["lead"] != "" {
			d.Message = se.Message
		}
	} else {
		d.Message = se.Message
	}
	if se.Code == store.EConflict || se.Code == store.EInvalid {
		if ws, werr := s.store.Workspace(c.Request().Context(), d.Workspace); werr == nil {
			if pv, perr := s.store.PreviewErasure(c.Request().Context(), ws, store.ErasureRequest{Email: d.Email, Phone: d.Phone, LeadID: d.LeadID}); perr == nil {
				d.Preview = &pv
			}
		}
	}
	return render(c, status, views.ErasePage(s.pageFor(c, "Erase a person", "operator"), d), nil)
}

// receipt shows an erasure's receipt, or with format=json downloads it.
func (s *Server) receipt(c echo.Context) error {
	ctx := c.Request().Context()
	e, err := s.store.Erasure(ctx, "", c.Param("erasureId"))
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "json" {
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="erasure-`+e.ID+`.json"`)
		return c.JSONPretty(http.StatusOK, e, "  ")
	}
	ws, err := s.store.Workspace(ctx, e.WorkspaceID)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ReceiptPage(s.pageFor(c, "Erasure receipt", "operator"), views.ReceiptData{Erasure: e, Workspace: ws.Name}), nil)
}
