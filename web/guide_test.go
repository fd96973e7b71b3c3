package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"leadkeep/store"
	"leadkeep/web"
)

// The vendor's deletion guide (DESIGN.md, "REST API"), followed as a customer's
// script would follow it: net/http and encoding/json, nothing of Leadkeep's. Fetch
// the lead, confirm it, DELETE it; a 404 means "already deleted, don't retry"; in
// bulk, list ?status=lost&limit=100 and delete each lead until the list is empty.

// guideClient is the script's whole API client.
type guideClient struct {
	base, key string
	http      *http.Client
	requests  int
}

// guideEnvelope is every answer of the API.
type guideEnvelope struct {
	Success bool            `json:"success"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
	Error   string          `json:"error"`
	Code    string          `json:"code"`
	Details map[string]any  `json:"details"`
}

type guideLead struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

var errGuideAlreadyDeleted = errors.New("already deleted, don't retry")

// call sends one request the way many client libraries do: JSON headers on every
// call, whether it has a body or not.
func (c *guideClient) call(method, path string) (int, guideEnvelope, error) {
	c.requests++
	req, err := http.NewRequest(method, c.base+"/api/v1"+path, nil)
	if err != nil {
		return 0, guideEnvelope{}, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return 0, guideEnvelope{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, guideEnvelope{}, err
	}
	var env guideEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return res.StatusCode, env, fmt.Errorf("%s %s: %d, not JSON: %q", method, path, res.StatusCode, body)
	}
	return res.StatusCode, env, nil
}

// getLead is step 1 of the guide: fetch the lead.
func (c *guideClient) getLead(id string) (guideLead, int, error) {
	status, env, err := c.call(http.MethodGet, "/leads/"+url.PathEscape(id))
	if err != nil || status != http.StatusOK {
		return guideLead{}, status, err
	}
	var l guideLead
	err = json.Unmarshal(env.Data, &l)
	return l, status, err
}

// deleteLead is step 2: DELETE; a 404 is "already deleted, don't retry".
func (c *guideClient) deleteLead(id string) (guideEnvelope, error) {
	status, env, err := c.call(http.MethodDelete, "/leads/"+url.PathEscape(id))
	switch {
	case err != nil:
		return env, err
	case status == http.StatusOK && env.Success:
		return env, nil
	case status == http.StatusNotFound:
		return env, errGuideAlreadyDeleted
	}
	return env, fmt.Errorf("DELETE %s: %d %s %s", id, status, env.Code, env.Error)
}

// listLost is step 3: the lost leads, a hundred at a time.
func (c *guideClient) listLost() ([]guideLead, error) {
	status, env, err := c.call(http.MethodGet, "/leads?status=lost&limit=100")
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("list: %d %s %s", status, env.Code, env.Error)
	}
	var page struct {
		Leads      []guideLead `json:"leads"`
		NextCursor *string     `json:"nextCursor"`
	}
	if err := json.Unmarshal(env.Data, &page); err != nil {
		return nil, err
	}
	return page.Leads, nil
}

func TestDeletionGuideWorksUnchangedAgainstTheAPI(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "leadkeep.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ws, err := st.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateWorkspace(ctx, "Globex")
	if err != nil {
		t.Fatal(err)
	}
	system := store.Actor{Kind: "system", ID: "setup", Name: "Test setup"}
	add := func(w store.Workspace, name, status string) store.Lead {
		t.Helper()
		l, err := st.CreateLead(ctx, w, system, store.LeadInput{Name: &name, Status: &status})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return l
	}
	var lost, kept []store.Lead
	for i := range 130 { // more than one page of 100
		lost = append(lost, add(ws, fmt.Sprintf("Lost Lead %03d", i), "lost"))
	}
	for i, s := range []string{"new", "contacted", "qualified", "won"} {
		for j := range 8 {
			kept = append(kept, add(ws, fmt.Sprintf("Kept Lead %d-%d", i, j), s))
		}
	}
	foreignLost := add(other, "Globex Lost", "lost")
	target := add(ws, "Single Target", "contacted")
	key, secret, err := st.CreateAPIKey(ctx, ws.ID, system, "Cleanup script", "agent")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(st, web.Config{Secret: make([]byte, 32)}))
	t.Cleanup(srv.Close)
	c := &guideClient{base: srv.URL, key: secret, http: srv.Client()}

	// One lead: fetch it, confirm it is the one, delete it.
	l, status, err := c.getLead(target.ID)
	if err != nil || status != http.StatusOK {
		t.Fatalf("fetch the lead: %d %v", status, err)
	}
	if l.ID != target.ID || l.Name != "Single Target" {
		t.Fatalf("fetched %+v, want %s Single Target", l, target.ID)
	}
	env, err := c.deleteLead(l.ID)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if env.Message != "Lead deleted successfully" {
		t.Errorf("the delete says %q, want Lead deleted successfully", env.Message)
	}
	var deleted struct {
		ID, DeletedAt, RestorableUntil, UndoUntil, BatchID string
	}
	if err := json.Unmarshal(env.Data, &deleted); err != nil || deleted.ID != target.ID || deleted.BatchID == "" ||
		deleted.DeletedAt == "" || deleted.RestorableUntil == "" || deleted.UndoUntil == "" {
		t.Errorf("the delete's data %s (%v)", env.Data, err)
	}
	// Again: 404, which the guide reads as "already deleted, don't retry".
	before := c.requests
	env, err = c.deleteLead(l.ID)
	if !errors.Is(err, errGuideAlreadyDeleted) {
		t.Fatalf("delete again: %v, want a 404", err)
	}
	if env.Code != "LEAD_NOT_FOUND" || env.Success || env.Details["leadId"] != target.ID {
		t.Errorf("the second delete answered %+v", env)
	}
	if c.requests != before+1 {
		t.Error("the client retried")
	}
	// And the lead is no longer there to fetch.
	if _, status, err = c.getLead(target.ID); err != nil || status != http.StatusNotFound {
		t.Errorf("fetch after the delete: %d %v, want 404", status, err)
	}

	// In bulk: list the lost leads and delete each, until the list is empty.
	rounds, deletedLost := 0, 0
	for {
		leads, err := c.listLost()
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(leads) == 0 {
			break
		}
		if rounds++; rounds > 5 {
			t.Fatalf("the list of lost leads is still not empty after %d rounds", rounds)
		}
		for _, l := range leads {
			if l.Status != "lost" {
				t.Fatalf("the lost list holds %+v", l)
			}
			switch _, err := c.deleteLead(l.ID); {
			case errors.Is(err, errGuideAlreadyDeleted):
			case err != nil:
				t.Fatalf("bulk delete of %s: %v", l.ID, err)
			default:
				deletedLost++
			}
		}
	}
	if rounds != 2 || deletedLost != len(lost) {
		t.Errorf("%d rounds deleted %d lost leads, want 2 rounds and %d", rounds, deletedLost, len(lost))
	}
	t.Logf("the guide sent %d requests", c.requests)

	// Every lost lead is in the Trash, deleted by the script's key; nothing else moved.
	for _, want := range lost {
		got, err := st.Lead(ctx, ws.ID, want.ID)
		if err != nil || !got.InTrash() || got.DeletedBy != key.ID || got.DeleteReason != "other" {
			t.Errorf("lost lead %s: %v, in the Trash %v, by %q, reason %q", want.ID, err, got.InTrash(), got.DeletedBy, got.DeleteReason)
		}
	}
	for _, want := range kept {
		got, err := st.Lead(ctx, ws.ID, want.ID)
		if err != nil || got.InTrash() || got.Status != want.Status || got.UpdatedAt.UnixMilli() != want.UpdatedAt.UnixMilli() {
			t.Errorf("lead %s (%s) was touched: %v, trashed %v, status %s", want.ID, want.Name, err, got.InTrash(), got.Status)
		}
	}
	if got, err := st.Lead(ctx, other.ID, foreignLost.ID); err != nil || got.InTrash() {
		t.Errorf("another workspace's lost lead was touched: %v", err)
	}
	trash, err := st.ListTrash(ctx, ws.ID, store.TrashFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if trash.Total != len(lost)+1 {
		t.Errorf("the Trash holds %d leads, want %d lost ones and the single target", trash.Total, len(lost)+1)
	}
	total, _, err := st.Counts(ctx, ws.ID)
	if err != nil || total != len(kept) {
		t.Errorf("%d active leads left (%v), want the %d kept ones", total, err, len(kept))
	}
}
