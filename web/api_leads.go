package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
)

// apiLead is a lead as the API shows it: every field, empty ones as "", [] or {}.
type apiLead struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Email     string         `json:"email"`
	Phone     string         `json:"phone"`
	Company   string         `json:"company"`
	Status    string         `json:"status"`
	Pool      string         `json:"pool"`
	Source    string         `json:"source"`
	Owner     string         `json:"owner"`
	Metadata  map[string]any `json:"metadata"`
	Tags      []string       `json:"tags"`
	CreatedAt string         `json:"createdAt"`
	UpdatedAt string         `json:"updatedAt"`
}

// apiTrashedLead is a lead in the Trash.
type apiTrashedLead struct {
	apiLead
	DeletedAt       string `json:"deletedAt"`
	DeletedBy       string `json:"deletedBy"`
	Reason          string `json:"reason"`
	BatchID         string `json:"batchId"`
	RestorableUntil string `json:"restorableUntil"`
}

func toAPI(l store.Lead) apiLead {
	tags := l.Tags
	if tags == nil {
		tags = []string{}
	}
	meta := l.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	return apiLead{ID: l.ID, Name: l.Name, Email: l.Email, Phone: l.Phone, Company: l.Company, Status: string(l.Status),
		Pool: l.PoolID, Source: l.Source, Owner: l.OwnerID, Metadata: meta, Tags: tags,
		CreatedAt: rfc3339(l.CreatedAt), UpdatedAt: rfc3339(l.UpdatedAt)}
}

// restorableUntil is when the retention purge takes a lead deleted at deleted.
func restorableUntil(ws store.Workspace, deleted time.Time) string {
	return rfc3339(deleted.Add(time.Duration(ws.RetentionDays) * 24 * time.Hour))
}

func leadNotFound(id string) error {
	return apiError(store.ELeadNotFound, "Lead not found", map[string]any{"leadId": id})
}

// apiLeadID is the :id of an API route; malformed is not found, as DESIGN.md's
// deletion guide expects.
func apiLeadID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !store.ValidLeadID(id) {
		return "", leadNotFound(id)
	}
	return id, nil
}

// notFoundAsLead turns the store's "lead not found" into the API's, with the id.
func notFoundAsLead(err error, id string) error {
	if errors.Is(err, store.ErrLeadNotFound) {
		return leadNotFound(id)
	}
	return err
}

// apiLimit reads limit (1–100, default 50, larger clamped to 100).
func apiLimit(c echo.Context) (int, error) {
	v := c.QueryParam("limit")
	if v == "" {
		return store.DefaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, apiError(store.EInvalid, "limit must be a whole number from 1 to 100", map[string]any{"limit": "must be 1 to 100"})
	}
	return min(n, store.MaxPageSize), nil
}

func nextCursor(c string) any {
	if c == "" {
		return nil
	}
	return c
}

func (s *Server) apiListLeads(c echo.Context) error {
	limit, err := apiLimit(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	page, err := s.store.ListLeads(c.Request().Context(), workspace(c).ID, store.LeadFilter{
		Status: q.Get("status"), PoolID: q.Get("pool"), Query: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	leads := make([]apiLead, 0, len(page.Leads))
	for _, l := range page.Leads {
		l.Tags = nil // the list leaves tags to GET /leads/{id}
		leads = append(leads, toAPI(l))
	}
	return ok(c, http.StatusOK, "", map[string]any{"leads": leads, "nextCursor": nextCursor(page.Next)})
}

func (s *Server) apiGetLead(c echo.Context) error {
	id, err := apiLeadID(c)
	if err != nil {
		return err
	}
	l, err := s.store.Lead(c.Request().Context(), workspace(c).ID, id)
	if err != nil {
		return notFoundAsLead(err, id)
	}
	if l.InTrash() { // the Trash is not the API's lead list
		return leadNotFound(id)
	}
	return ok(c, http.StatusOK, "", toAPI(l))
}

// leadBody is what POST and PUT /leads take.
type leadBody struct {
	Name     *string        `json:"name"`
	Email    *string        `json:"email"`
	Phone    *string        `json:"phone"`
	Company  *string        `json:"company"`
	Status   *string        `json:"status"`
	Pool     *string        `json:"pool"`
	Source   *string        `json:"source"`
	Tags     *[]string      `json:"tags"`
	Metadata map[string]any `json:"metadata"`
}

func (b leadBody) input() store.LeadInput {
	return store.LeadInput{Name: b.Name, Email: b.Email, Phone: b.Phone, Company: b.Company, Status: b.Status,
		PoolID: b.Pool, Source: b.Source, Tags: b.Tags, Metadata: b.Metadata}
}

func (s *Server) apiCreateLead(c echo.Context) error {
	var body leadBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	in := body.input()
	if in.Name == nil {
		in.Name = new(string)
	}
	l, err := s.store.CreateLead(c.Request().Context(), workspace(c), actor(c), in)
	if err != nil {
		return err
	}
	l.Tags = nonNil(l.Tags)
	return ok(c, http.StatusCreated, "Lead created", toAPI(l))
}

func (s *Server) apiUpdateLead(c echo.Context) error {
	id, err := apiLeadID(c)
	if err != nil {
		return err
	}
	var body leadBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	if _, err := s.store.UpdateLead(ctx, ws, actor(c), id, body.input()); err != nil {
		if store.ErrorCode(err) == store.EConflict { // in the Trash: not a lead of the API
			return leadNotFound(id)
		}
		return notFoundAsLead(err, id)
	}
	l, err := s.store.Lead(ctx, ws.ID, id)
	if err != nil {
		return err
	}
	return ok(c, http.StatusOK, "Lead updated", toAPI(l))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// deleteBody is the optional body of DELETE /leads/{id}.
type deleteBody struct {
	Reason  string `json:"reason"`
	Details string `json:"details"`
}

func (s *Server) apiDeleteLead(c echo.Context) error {
	id, err := apiLeadID(c)
	if err != nil {
		return err
	}
	var body deleteBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if r := c.QueryParam("reason"); r != "" {
		body.Reason = r
	}
	if body.Reason == "" {
		body.Reason = "other"
	}
	ws := workspace(c)
	b, err := s.store.DeleteLeads(c.Request().Context(), ws, actor(c), store.DeleteRequest{IDs: []string{id}, Reason: body.Reason, Details: body.Details})
	if errors.Is(err, store.ErrAlreadyInTrash) {
		return leadNotFound(id) // "already deleted, don't retry"
	}
	if err != nil {
		return notFoundAsLead(err, id)
	}
	return ok(c, http.StatusOK, "Lead deleted successfully", map[string]any{
		"id": id, "deletedAt": rfc3339(b.CreatedAt), "restorableUntil": restorableUntil(ws, b.CreatedAt),
		"undoUntil": rfc3339(b.UndoUntil), "batchId": b.ID})
}

// bulkBody is POST /leads/bulk-delete: ids, or a filter with the expected count.
type bulkBody struct {
	IDs    []string `json:"ids"`
	Filter *struct {
		Pool   string `json:"pool"`
		Status string `json:"status"`
		Q      string `json:"q"`
	} `json:"filter"`
	ExpectedCount *int   `json:"expectedCount"`
	Reason        string `json:"reason"`
	Details       string `json:"details"`
}

func (s *Server) apiBulkDelete(c echo.Context) error {
	var body bulkBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	req := store.DeleteRequest{IDs: body.IDs, Reason: body.Reason, Details: body.Details}
	switch {
	case body.Filter != nil && body.IDs != nil:
		return apiError(store.EInvalid, "Send ids or a filter, not both", map[string]any{"filter": "not with ids"})
	case body.Filter != nil:
		if body.ExpectedCount == nil {
			return apiError(store.EInvalid, "A filter needs expectedCount, the number of leads you expect it to delete",
				map[string]any{"expectedCount": "is required with a filter"})
		}
		req.All, req.ExpectedCount = true, *body.ExpectedCount
		req.Filter = store.LeadFilter{PoolID: body.Filter.Pool, Status: body.Filter.Status, Query: body.Filter.Q}
	case len(body.IDs) == 0:
		return apiError(store.EInvalid, "Send ids (at most 1,000) or a filter with expectedCount", map[string]any{"ids": "is required"})
	}
	ws := workspace(c)
	b, err := s.store.DeleteLeads(c.Request().Context(), ws, actor(c), req)
	if err != nil {
		return err
	}
	return ok(c, http.StatusOK, "Leads deleted", map[string]any{"batchId": b.ID, "count": b.Count, "undoUntil": rfc3339(b.UndoUntil)})
}

func (s *Server) apiUndo(c echo.Context) error {
	ctx := c.Request().Context()
	ws := workspace(c)
	k := apiKey(c)
	b, err := s.store.Batch(ctx, ws.ID, c.Param("id"))
	if err != nil {
		return apiError(store.ENotFound, "Batch not found", map[string]any{"batchId": c.Param("id")})
	}
	if b.ActorID != k.ID && !may(c, actionUndoAny) {
		return apiError(store.EForbidden, "Only the key that deleted these leads, or a manager's key, can undo this", nil)
	}
	res, err := s.store.UndoBatch(ctx, ws.ID, k.Actor(), b.ID)
	if errors.Is(err, store.ErrUndoExpired) {
		return apiError(store.EUndoExpired, "Too late to undo: the leads are in the Trash; restore them from there",
			map[string]any{"batchId": b.ID, "undoUntil": rfc3339(b.UndoUntil)})
	}
	if err != nil {
		return err
	}
	msg := "Deletion undone"
	if res.Already {
		msg = "Already undone"
	}
	return ok(c, http.StatusOK, msg, map[string]any{"batchId": b.ID, "restored": res.Restored, "notRestored": res.NotRestored})
}

func (s *Server) apiTrash(c echo.Context) error {
	limit, err := apiLimit(c)
	if err != nil {
		return err
	}
	ws := workspace(c)
	page, err := s.store.ListTrash(c.Request().Context(), ws.ID, store.TrashFilter{Query: strings.TrimSpace(c.QueryParam("q")),
		DeletedBy: trashScope(c), Cursor: c.QueryParam("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	leads := make([]apiTrashedLead, 0, len(page.Leads))
	for _, l := range page.Leads {
		l.Tags = nil
		leads = append(leads, apiTrashedLead{apiLead: toAPI(l), DeletedAt: rfc3339(*l.DeletedAt), DeletedBy: l.DeletedByName,
			Reason: l.DeleteReason, BatchID: l.BatchID, RestorableUntil: restorableUntil(ws, *l.DeletedAt)})
	}
	return ok(c, http.StatusOK, "", map[string]any{"leads": leads, "nextCursor": nextCursor(page.Next)})
}

func (s *Server) apiRestore(c echo.Context) error {
	id, err := apiLeadID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	if _, err := s.store.RestoreLeads(ctx, ws.ID, actor(c), []string{id}, trashScope(c)); err != nil {
		return notFoundAsLead(err, id)
	}
	l, err := s.store.Lead(ctx, ws.ID, id)
	if err != nil {
		return err
	}
	return ok(c, http.StatusOK, "Lead restored", toAPI(l))
}

func (s *Server) apiPurge(c echo.Context) error {
	id, err := apiLeadID(c)
	if err != nil {
		return err
	}
	if _, err := s.store.PurgeLeads(c.Request().Context(), workspace(c).ID, actor(c), []string{id}); err != nil {
		return notFoundAsLead(err, id)
	}
	return ok(c, http.StatusOK, "Lead deleted forever", map[string]any{"id": id})
}

func (s *Server) apiAudit(c echo.Context) error {
	limit, err := apiLimit(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	page, err := s.store.ListAudit(c.Request().Context(), workspace(c).ID, store.AuditFilter{
		ActorID: q.Get("actor"), Action: q.Get("action"), LeadID: q.Get("lead"), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	entries := make([]map[string]any, 0, len(page.Entries))
	for _, e := range page.Entries {
		name := e.ActorName
		if e.ActorKind == "key" { // the console says "key 'Zapier sync'"; the kind says it here
			name = strings.TrimSuffix(strings.TrimPrefix(name, "key '"), "'")
		}
		entries = append(entries, map[string]any{"id": e.ID, "at": rfc3339(e.At),
			"actor":  map[string]any{"kind": e.ActorKind, "id": e.ActorID, "name": name},
			"action": e.Action, "leadId": e.LeadID, "batchId": e.BatchID, "count": e.Count, "reason": e.Reason})
	}
	return ok(c, http.StatusOK, "", map[string]any{"entries": entries, "nextCursor": nextCursor(page.Next)})
}
