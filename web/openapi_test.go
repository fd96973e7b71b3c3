package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"leadkeep/store"
)

// Tests of the OpenAPI description (web/openapi.json, served at
// /api/v1/openapi.json): it is OpenAPI 3.1 that a validator accepts, it describes
// exactly the routes the server has, each with a schema for its success and its
// errors, and what the running API answers matches it.

// openAPIModel parses the embedded document and builds its model.
func openAPIModel(t *testing.T) (libopenapi.Document, *v3.Document) {
	t.Helper()
	doc, err := libopenapi.NewDocument(openAPI)
	if err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("openapi.json does not build as an OpenAPI 3 model: %v", err)
	}
	if m == nil {
		t.Fatal("openapi.json built no model")
	}
	return doc, &m.Model
}

// openAPIOperations is every operation of the document, "GET /leads/{id}" → it.
func openAPIOperations(m *v3.Document) map[string]*v3.Operation {
	out := map[string]*v3.Operation{}
	for path, item := range m.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			out[strings.ToUpper(method)+" "+path] = op
		}
	}
	return out
}

var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// openAPIRoutes is every /api/v1 route the server registers, as the document
// writes them ("GET /leads/{id}", relative to the server URL /api/v1).
func openAPIRoutes(t *testing.T) []string {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir()+"/leadkeep.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := New(st, Config{Secret: bytes.Repeat([]byte{7}, 32)})
	seen := map[string]bool{}
	var out []string
	for _, r := range s.echo.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		k := r.Method + " " + echoParam.ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func TestOpenAPIDocumentIsOpenAPI31AndPassesAValidator(t *testing.T) {
	doc, m := openAPIModel(t)
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		t.Errorf("the document's version is %q, want 3.1.x", v)
	}
	if !strings.HasPrefix(m.Version, "3.1") {
		t.Errorf("the model's openapi is %q, want 3.1.x", m.Version)
	}
	if m.Info == nil || m.Info.Title == "" || m.Info.Version == "" {
		t.Error("the document has no info title and version")
	}
	if len(m.Servers) != 1 || m.Servers[0].URL != "/api/v1" {
		t.Errorf("servers %v, want the one server /api/v1", m.Servers)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("the validator cannot load the document: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("OpenAPI 3.1 schema: %s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  at %s: %s", se.KeywordLocation+" "+se.FieldPath, se.Reason)
			}
		}
	}
	// The document is plain JSON, the same bytes the server serves without a key.
	var raw map[string]any
	if err := json.Unmarshal(openAPI, &raw); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	app := newTestApp(t)
	res, err := http.Get(app.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !bytes.Equal(body, openAPI) {
		t.Errorf("GET /api/v1/openapi.json: %d %s, %d bytes; want 200 application/json, the embedded %d bytes",
			res.StatusCode, res.Header.Get("Content-Type"), len(body), len(openAPI))
	}
}

func TestOpenAPIDescribesExactlyTheRegisteredRoutes(t *testing.T) {
	_, m := openAPIModel(t)
	routes := openAPIRoutes(t)
	if len(routes) < 12 {
		t.Fatalf("only %d /api/v1 routes registered: %v", len(routes), routes)
	}
	ops := openAPIOperations(m)
	var described []string
	for k := range ops {
		described = append(described, k)
	}
	sort.Strings(described)
	for _, r := range routes {
		if ops[r] == nil {
			t.Errorf("the route %s is not in openapi.json", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json describes %s, which the server does not have", d)
		}
	}
	if !slices.Contains(routes, "GET /openapi.json") {
		t.Error("the document itself is not a route")
	}
	t.Logf("%d routes, %d operations", len(routes), len(described))
}

// openAPIJSONSchema is the application/json schema of a response, or a reason why not.
func openAPIJSONSchema(r *v3.Response) (required []string, why string) {
	if r == nil || r.Content == nil {
		return nil, "no content"
	}
	mt := r.Content.GetOrZero("application/json")
	if mt == nil || mt.Schema == nil {
		return nil, "no application/json schema"
	}
	s, err := mt.Schema.BuildSchema()
	if err != nil || s == nil {
		return nil, "a schema that does not build: " + errString(err)
	}
	return s.Required, ""
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestOpenAPIEveryOperationHasASchemaForItsSuccessAndItsErrors(t *testing.T) {
	_, m := openAPIModel(t)
	ids := map[string]string{}
	for name, op := range openAPIOperations(m) {
		if op.OperationId == "" {
			t.Errorf("%s has no operationId", name)
		} else if other, dup := ids[op.OperationId]; dup {
			t.Errorf("%s and %s share the operationId %s", name, other, op.OperationId)
		}
		ids[op.OperationId] = name
		if op.Responses == nil || op.Responses.Codes == nil {
			t.Errorf("%s has no responses", name)
			continue
		}
		var codes []string
		success, errs := 0, 0
		for code, r := range op.Responses.Codes.FromOldest() {
			codes = append(codes, code)
			req, why := openAPIJSONSchema(r)
			if why != "" {
				t.Errorf("%s answers %s with %s", name, code, why)
				continue
			}
			if r.Description == "" {
				t.Errorf("%s %s has no description", name, code)
			}
			switch {
			case strings.HasPrefix(code, "2"):
				success++
				if name != "GET /openapi.json" && (!slices.Contains(req, "success") || !slices.Contains(req, "data")) {
					t.Errorf("%s %s: the success schema does not require success and data (requires %v)", name, code, req)
				}
			case strings.HasPrefix(code, "4"), strings.HasPrefix(code, "5"):
				errs++
				for _, f := range []string{"success", "error", "code", "details"} {
					if !slices.Contains(req, f) {
						t.Errorf("%s %s: the error schema does not require %s (requires %v)", name, code, f, req)
					}
				}
			}
		}
		if success == 0 {
			t.Errorf("%s has no 2xx response with a schema (codes %v)", name, codes)
		}
		if name == "GET /openapi.json" {
			continue // needs no key, reads nothing: no error it could answer
		}
		if errs == 0 {
			t.Errorf("%s describes no error response (codes %v)", name, codes)
		}
		// Every keyed operation can answer 401 (no key), 403 (role) and 429 (rate limit).
		for _, c := range []string{"401", "403", "429"} {
			if !slices.Contains(codes, c) {
				t.Errorf("%s does not describe %s (codes %v)", name, c, codes)
			}
		}
	}

	// The path parameters the paths name are declared.
	for path, item := range m.Paths.PathItems.FromOldest() {
		for _, p := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1) {
			found := false
			for _, prm := range item.Parameters {
				found = found || (prm.Name == p[1] && prm.In == "path")
			}
			for _, op := range item.GetOperations().FromOldest() {
				for _, prm := range op.Parameters {
					found = found || (prm.Name == p[1] && prm.In == "path")
				}
			}
			if !found {
				t.Errorf("%s does not declare its path parameter %s", path, p[1])
			}
		}
	}

	// The error codes the document lists are the contract's.
	errSchema := m.Components.Schemas.GetOrZero("Error")
	if errSchema == nil {
		t.Fatal("no components.schemas.Error")
	}
	s, err := errSchema.BuildSchema()
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	if p := s.Properties.GetOrZero("code"); p != nil {
		if cs, _ := p.BuildSchema(); cs != nil {
			for _, n := range cs.Enum {
				codes = append(codes, n.Value)
			}
		}
	}
	sort.Strings(codes)
	want := []string{"CONFLICT", "FORBIDDEN", "GONE", "INTERNAL", "LEAD_NOT_FOUND", "METHOD_NOT_ALLOWED", "NOT_FOUND",
		"RATE_LIMITED", "SUPPRESSED", "TOO_LARGE", "UNAUTHORIZED", "UNDO_EXPIRED", "VALIDATION_FAILED"}
	if !slices.Equal(codes, want) {
		t.Errorf("the Error schema's codes are %v, want %v", codes, want)
	}
}

// openAPIExchange is one request to the running API, kept to be validated.
type openAPIExchange struct {
	name     string
	req      *http.Request // without its body, which is in body
	body     []byte
	res      *http.Response
	resBody  []byte
	checkReq bool
}

func TestOpenAPIRealAnswersMatchTheDocument(t *testing.T) {
	doc, _ := openAPIModel(t)
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("the validator cannot load the document: %v", errs)
	}
	a := newAPIApp(t)
	admin, manager := a.secrets[store.RoleAdmin], a.secrets[store.RoleManager]
	a.seed(5)
	lead := a.lead(a.ws, store.LeadInput{Name: ptr("Vic Validate"), Email: ptr("vic@validate.test"), Tags: &[]string{"x"},
		Metadata: map[string]any{"n": 1}})
	bulk := a.lostLeads("Val", 2)
	purged := a.namedLead("Pete Purged")

	send := func(name, secret, method, path string, body any, checkReq bool) *openAPIExchange {
		t.Helper()
		var b []byte
		if body != nil {
			var err error
			if b, err = json.Marshal(body); err != nil {
				t.Fatal(err)
			}
		}
		mk := func() *http.Request {
			var rd io.Reader
			if b != nil {
				rd = bytes.NewReader(b)
			}
			req, err := http.NewRequest(method, a.srv.URL+"/api/v1"+path, rd)
			if err != nil {
				t.Fatal(err)
			}
			if b != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			if secret != "" {
				req.Header.Set("Authorization", "Bearer "+secret)
			}
			return req
		}
		res, err := http.DefaultClient.Do(mk())
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return &openAPIExchange{name: name, req: mk(), body: b, res: res, resBody: rb, checkReq: checkReq}
	}

	var ex []*openAPIExchange
	add := func(x *openAPIExchange, status int) *openAPIExchange {
		t.Helper()
		if x.res.StatusCode != status {
			t.Fatalf("%s: status %d, want %d: %s", x.name, x.res.StatusCode, status, x.resBody)
		}
		ex = append(ex, x)
		return x
	}
	data := func(x *openAPIExchange) map[string]any {
		var env struct {
			Data map[string]any `json:"data"`
		}
		_ = json.Unmarshal(x.resBody, &env)
		return env.Data
	}

	add(send("list", admin, "GET", "/leads?limit=2", nil, true), 200)
	add(send("list, last page", admin, "GET", "/leads?limit=100&status=new", nil, true), 200)
	add(send("get", admin, "GET", "/leads/"+lead.ID, nil, true), 200)
	created := add(send("create", admin, "POST", "/leads", map[string]any{"name": "Cora Create", "email": "cora@create.test",
		"tags": []string{"a"}, "metadata": map[string]any{"k": "v"}}, true), 201)
	cid, _ := data(created)["id"].(string)
	add(send("update", admin, "PUT", "/leads/"+cid, map[string]any{"status": "won", "metadata": map[string]any{"k": nil}}, true), 200)
	del := add(send("delete", admin, "DELETE", "/leads/"+lead.ID+"?reason=duplicate", nil, true), 200)
	add(send("get of a trashed lead (404)", admin, "GET", "/leads/"+lead.ID, nil, true), 404)
	add(send("get of an unknown lead (404)", admin, "GET", "/leads/"+apiRandomLeadID(9), nil, true), 404)
	add(send("delete again (404)", admin, "DELETE", "/leads/"+lead.ID, nil, true), 404)
	add(send("undo", admin, "POST", "/batches/"+data(del)["batchId"].(string)+"/undo", nil, true), 200)
	add(send("undo again", admin, "POST", "/batches/"+data(del)["batchId"].(string)+"/undo", nil, true), 200)
	add(send("unknown batch (404)", admin, "POST", "/batches/bat_0000000000000000/undo", nil, true), 404)
	add(send("bulk delete", manager, "POST", "/leads/bulk-delete", map[string]any{"ids": bulk, "reason": "outdated"}, true), 200)
	add(send("bulk delete, wrong count (409)", manager, "POST", "/leads/bulk-delete", map[string]any{
		"filter": map[string]any{"status": "won"}, "expectedCount": 99, "reason": "outdated"}, true), 409)
	add(send("bad limit (400)", admin, "GET", "/leads?limit=abc", nil, false), 400)
	add(send("bad body (400)", admin, "POST", "/leads", map[string]any{"name": ""}, true), 400)
	add(send("no key (401)", "", "GET", "/leads", nil, false), 401)
	add(send("viewer deleting (403)", a.secrets[store.RoleViewer], "DELETE", "/leads/"+cid, nil, true), 403)
	add(send("trash", admin, "GET", "/trash", nil, true), 200)
	add(send("restore", admin, "POST", "/trash/"+bulk[0]+"/restore", nil, true), 200)
	add(send("restore an active lead (409)", admin, "POST", "/trash/"+bulk[0]+"/restore", nil, true), 409)
	apiOK(t, a.apiDo(admin, "DELETE", "/leads/"+purged.ID, nil), 200)
	add(send("purge", admin, "DELETE", "/trash/"+purged.ID, nil, true), 200)
	add(send("restore a purged lead (410)", admin, "POST", "/trash/"+purged.ID+"/restore", nil, true), 410)
	add(send("audit", manager, "GET", "/audit?limit=5", nil, true), 200)
	add(send("openapi", "", "GET", "/openapi.json", nil, true), 200)
	add(send("bad reason (400)", admin, "DELETE", "/leads/"+cid, map[string]any{"reason": "because"}, false), 400)
	add(send("purge an active lead (409)", admin, "DELETE", "/trash/"+cid, nil, true), 409)
	add(send("manager purging (403)", manager, "DELETE", "/trash/"+bulk[1], nil, true), 403)
	add(send("bad trash limit (400)", manager, "GET", "/trash?limit=0", nil, false), 400)
	add(send("bad audit cursor (400)", manager, "GET", "/audit?cursor=nonsense", nil, true), 400)
	add(send("unknown lead for update (404)", admin, "PUT", "/leads/"+apiRandomLeadID(10), map[string]any{"name": "X"}, true), 404)
	add(send("oversized create (413)", admin, "POST", "/leads", map[string]any{"name": strings.Repeat("x", 3<<20)}, false), 413)

	for _, x := range ex {
		if x.checkReq {
			req := x.req.Clone(context.Background())
			if x.body != nil {
				req.Body = io.NopCloser(bytes.NewReader(x.body))
			}
			if ok, verrs := v.ValidateHttpRequestSync(req); !ok {
				for _, e := range verrs {
					t.Errorf("%s: the request does not match the document: %s: %s", x.name, e.Message, e.Reason)
				}
			}
		}
		res := *x.res
		res.Body = io.NopCloser(bytes.NewReader(x.resBody))
		if ok, verrs := v.ValidateHttpResponse(x.req, &res); !ok {
			for _, e := range verrs {
				t.Errorf("%s (%d): the answer does not match the document: %s: %s", x.name, x.res.StatusCode, e.Message, e.Reason)
				for _, se := range e.SchemaValidationErrors {
					t.Errorf("  at %s: %s", se.KeywordLocation+" "+se.FieldPath, se.Reason)
				}
			}
		}
	}
	t.Logf("%d exchanges validated", len(ex))

	t.Run("DELETE /leads/{id} with an oversized body", func(t *testing.T) {
		x := send("oversized delete body (413)", admin, "DELETE", "/leads/"+cid, map[string]any{"details": strings.Repeat("x", 3<<20)}, false)
		if x.res.StatusCode != 413 {
			t.Fatalf("status %d, want 413", x.res.StatusCode)
		}
		res := *x.res
		res.Body = io.NopCloser(bytes.NewReader(x.resBody))
		if ok, verrs := v.ValidateHttpResponse(x.req, &res); !ok {
			for _, e := range verrs {
				t.Errorf("the 413 does not match the document: %s: %s", e.Message, e.Reason)
			}
		}
	})

	// The validator is not a rubber stamp: answers that break the contract fail.
	for _, c := range []struct{ name, body string }{
		{"list", `{"success":true,"data":{"leads":[]}}`},                                              // no nextCursor
		{"get", `{"success":true,"data":{"id":"lead_0000000000000000","name":"x"}}`},                  // fields missing
		{"get of an unknown lead (404)", `{"success":false,"error":"Lead not found","details":{}}`},   // no code
		{"bulk delete", `{"success":true,"data":{"batchId":"bat_1","count":"2","undoUntil":"soon"}}`}, // wrong types
	} {
		i := slices.IndexFunc(ex, func(x *openAPIExchange) bool { return x.name == c.name })
		res := *ex[i].res
		res.Body = io.NopCloser(strings.NewReader(c.body))
		res.ContentLength = int64(len(c.body))
		if ok, _ := v.ValidateHttpResponse(ex[i].req, &res); ok {
			t.Errorf("a broken answer to %s passes the validator: %s", c.name, c.body)
		}
	}
}
