package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
	"leadkeep/views"
)

// tableQuery is the lead table's state as it travels in the URL.
type tableQuery struct {
	Pool, Status, Query, Sort, Cursor string
}

func readTableQuery(c echo.Context) tableQuery {
	return tableQuery{
		Pool:   strings.TrimSpace(c.QueryParam("pool")),
		Status: strings.TrimSpace(c.QueryParam("status")),
		Query:  strings.TrimSpace(c.QueryParam("q")),
		Sort:   strings.TrimSpace(c.QueryParam("sort")),
		Cursor: c.QueryParam("cursor"),
	}
}

// url is the table's address for this state, with only the parameters that are set.
func (q tableQuery) url() string {
	v := url.Values{}
	for k, val := range map[string]string{"pool": q.Pool, "status": q.Status, "q": q.Query, "cursor": q.Cursor} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if q.Sort != "" && q.Sort != store.SortCreated {
		v.Set("sort", q.Sort)
	}
	if len(v) == 0 {
		return "/leads"
	}
	return "/leads?" + v.Encode()
}

func (s *Server) listLeads(c echo.Context) error {
	d, status, err := s.leadsData(c, readTableQuery(c))
	if err != nil {
		return err
	}
	p := s.pageFor(c, "Leads", "leads")
	return render(c, status, views.LeadsPage(p, d), views.LeadsRegion(d))
}

// leadsData is the lead table in the state q, with the status to answer: 400 when
// a filter value or page link is bad (the page then says why).
func (s *Server) leadsData(c echo.Context, q tableQuery) (views.LeadsData, int, error) {
	ctx := c.Request().Context()
	ws := workspace(c)
	pools, err := s.store.Pools(ctx, ws.ID)
	if err != nil {
		return views.LeadsData{}, 0, err
	}
	d := views.LeadsData{
		Pool: q.Pool, Status: q.Status, Query: q.Query, Sort: q.Sort, Pools: pools,
		Filtered:  q.Pool != "" || q.Status != "" || q.Query != "",
		CanCreate: may(c, actionEditLeads),
		CanDelete: may(c, actionDeleteLead),
		CanBulk:   may(c, actionBulkDelete),
		CanExport: may(c, actionExport),
		CanImport: may(c, actionImport),
		Self:      q.url(),
		FilterKey: tableQuery{Pool: q.Pool, Status: q.Status, Query: q.Query}.url(),
	}
	d.CSRF, _ = c.Get("csrf").(string)
	if d.Sort == "" {
		d.Sort = store.SortCreated
	}
	status := http.StatusOK
	d.Result, err = s.store.ListLeads(ctx, ws.ID, store.LeadFilter{
		PoolID: q.Pool, Status: q.Status, Query: q.Query, Sort: q.Sort, Cursor: q.Cursor,
	})
	var se *store.Error
	switch {
	case errors.As(err, &se) && se.Code == store.EInvalid:
		status, d.Error = http.StatusBadRequest, filterErrorText(se)
	case err != nil:
		return d, 0, err
	}
	at := func(cursor string) string {
		if cursor == "" {
			return ""
		}
		next := q
		next.Cursor = cursor
		return next.url()
	}
	d.NextURL, d.PrevURL = at(d.Result.Next), at(d.Result.Prev)
	d.SortURL = map[string]string{}
	for _, sort := range []string{store.SortCreated, store.SortName} {
		sorted := q
		sorted.Sort, sorted.Cursor = sort, ""
		d.SortURL[sort] = sorted.url()
	}
	return d, status, nil
}

func filterErrorText(e *store.Error) string {
	if _, ok := e.Fields["cursor"]; ok {
		return e.Message
	}
	var parts []string
	for _, f := range []string{"pool", "status", "sort", "limit"} {
		if msg, ok := e.Fields[f]; ok {
			parts = append(parts, "The "+f+" filter "+msg+".")
		}
	}
	return strings.Join(parts, " ")
}

// leadID is the :id of the route; a malformed one is "not found", as a missing one.
func leadID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !store.ValidLeadID(id) {
		return "", store.ErrLeadNotFound
	}
	return id, nil
}

func (s *Server) showLead(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	d, err := s.store.LeadDetail(ctx, ws.ID, id)
	if errors.Is(err, store.ErrLeadNotFound) {
		if t, terr := s.store.Tombstone(ctx, ws.ID, id); terr == nil {
			return &store.Error{Code: store.EGone, Message: t.Message() + "."}
		}
	}
	if err != nil {
		return err
	}
	me := currentSession(c).User.ID
	data := views.LeadData{Detail: d, CanEdit: may(c, actionEditLeads), CanDelete: may(c, actionDeleteLead),
		CanRestore: may(c, actionTrashAll) || (may(c, actionTrashOwn) && d.Lead.DeletedBy == me),
		CanHold:    may(c, actionHold), CanErase: currentSession(c).User.Operator}
	return render(c, http.StatusOK, views.LeadPage(s.pageFor(c, d.Lead.Name, "leads"), data), nil)
}

func (s *Server) addNote(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	body := c.FormValue("body")
	_, err = s.store.AddNote(ctx, ws.ID, actor(c), id, body)
	var se *store.Error
	if err != nil && !(errors.As(err, &se) && se.Code == store.EInvalid) {
		return err
	}
	if err == nil && !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/leads/"+id+"#history")
	}
	d, derr := s.store.LeadDetail(ctx, ws.ID, id)
	if derr != nil {
		return derr
	}
	data := views.LeadData{Detail: d, CanEdit: true, CanDelete: may(c, actionDeleteLead)}
	status := http.StatusOK
	if err != nil {
		status, data.NoteBody, data.NoteErr = http.StatusUnprocessableEntity, body, se.Fields["body"]
	}
	p := s.pageFor(c, d.Lead.Name, "leads")
	return render(c, status, views.LeadPage(p, data), views.History(p, data))
}

// leadInput reads the lead form. Every field of the form is sent, so each is set.
func leadInput(c echo.Context) (store.LeadInput, views.LeadForm) {
	f := views.LeadForm{
		Name: c.FormValue("name"), Email: c.FormValue("email"), Phone: c.FormValue("phone"),
		Company: c.FormValue("company"), Status: c.FormValue("status"), Pool: c.FormValue("pool"),
		Tags: c.FormValue("tags"),
	}
	tags := strings.Split(f.Tags, ",")
	in := store.LeadInput{Name: &f.Name, Email: &f.Email, Phone: &f.Phone, Company: &f.Company,
		Status: &f.Status, PoolID: &f.Pool, Tags: &tags}
	return in, f
}

func (s *Server) newLeadForm(c echo.Context) error {
	pools, err := s.store.Pools(c.Request().Context(), workspace(c).ID)
	if err != nil {
		return err
	}
	f := views.LeadForm{Status: string(store.StatusNew), Pools: pools}
	if len(pools) > 0 {
		f.Pool = pools[0].ID
	}
	return render(c, http.StatusOK, views.LeadFormPage(s.pageFor(c, "New lead", "leads"), f), nil)
}

func (s *Server) createLead(c echo.Context) error {
	in, f := leadInput(c)
	l, err := s.store.CreateLead(c.Request().Context(), workspace(c), actor(c), in)
	if err != nil {
		return s.leadFormError(c, "New lead", f, err)
	}
	return redirectAfterPost(c, "/leads/"+l.ID)
}

func (s *Server) editLeadForm(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	l, err := s.store.Lead(ctx, workspace(c).ID, id)
	if err != nil {
		return err
	}
	if l.InTrash() {
		return c.Redirect(http.StatusSeeOther, "/leads/"+id)
	}
	pools, err := s.store.Pools(ctx, workspace(c).ID)
	if err != nil {
		return err
	}
	f := views.LeadForm{ID: l.ID, Name: l.Name, Email: l.Email, Phone: l.Phone, Company: l.Company,
		Status: string(l.Status), Pool: l.PoolID, Tags: strings.Join(l.Tags, ", "), Pools: pools}
	return render(c, http.StatusOK, views.LeadFormPage(s.pageFor(c, "Edit "+l.Name, "leads"), f), nil)
}

func (s *Server) updateLead(c echo.Context) error {
	id, err := leadID(c)
	if err != nil {
		return err
	}
	in, f := leadInput(c)
	f.ID = id
	if _, err := s.store.UpdateLead(c.Request().Context(), workspace(c), actor(c), id, in); err != nil {
		return s.leadFormError(c, "Edit lead", f, err)
	}
	return redirectAfterPost(c, "/leads/"+id)
}

// leadFormError shows the form again, as typed, with each field's error beside it
// (422; 409 for a suppressed e-mail or phone); errors that are not about the fields
// go to the error handler.
func (s *Server) leadFormError(c echo.Context, title string, f views.LeadForm, err error) error {
	var se *store.Error
	if !errors.As(err, &se) || (se.Code != store.EInvalid && se.Code != store.ESuppressed) || len(se.Fields) == 0 {
		return err
	}
	status := http.StatusUnprocessableEntity
	if se.Code == store.ESuppressed {
		status = http.StatusConflict
	}
	pools, perr := s.store.Pools(c.Request().Context(), workspace(c).ID)
	if perr != nil {
		return perr
	}
	f.Pools, f.Errors = pools, se.Fields
	return render(c, status, views.LeadFormPage(s.pageFor(c, title, "leads"), f), nil)
}
