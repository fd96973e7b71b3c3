package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"leadkeep/store"
)

// Tests of the REST API (/api/v1) as a script holding a workspace key sees it:
// the envelope, the codes and their statuses, every endpoint's success and its
// errors (DESIGN.md, "REST API (contract)" and "Contract details").

// --- helpers of this file (prefixed api…, to stay apart from the console's)

// apiApp is the test app with one API key per role in its workspace.
type apiApp struct {
	*testApp
	keys    map[store.Role]store.APIKey
	secrets map[store.Role]string
}

// apiRoles are the roles a key may have.
var apiRoles = []store.Role{store.RoleViewer, store.RoleAgent, store.RoleManager, store.RoleAdmin}

func newAPIApp(t *testing.T) *apiApp {
	t.Helper()
	a := &apiApp{testApp: newTestApp(t), keys: map[store.Role]store.APIKey{}, secrets: map[store.Role]string{}}
	for _, r := range apiRoles {
		k, secret := a.apiKey(a.ws, strings.ToUpper(string(r)[:1])+string(r)[1:]+" key", r)
		a.keys[r], a.secrets[r] = k, secret
	}
	return a
}

// apiKey makes a key of the workspace with the role and returns it with its secret.
func (a *apiApp) apiKey(ws store.Workspace, name string, role store.Role) (store.APIKey, string) {
	a.t.Helper()
	k, secret, err := a.st.CreateAPIKey(context.Background(), ws.ID, store.UserActor(a.admin), name, string(role))
	if err != nil {
		a.t.Fatalf("create API key %s: %v", name, err)
	}
	return k, secret
}

// apiRes is an API answer, read whole, with its body decoded as JSON.
type apiRes struct {
	method, path string
	status       int
	header       http.Header
	raw          []byte
	body         map[string]any // nil when the body is not a JSON object
}

func (r *apiRes) String() string {
	return fmt.Sprintf("%s %s → %d %s", r.method, r.path, r.status, excerpt(string(r.raw)))
}

// apiDo sends a request to the API; body is nil (no body), a string or []byte (sent
// as it is) or a value (sent as JSON); header holds name, value pairs, and an
// "Authorization" among them replaces the Bearer secret.
func (a *apiApp) apiDo(secret, method, path string, body any, header ...string) *apiRes {
	a.t.Helper()
	return apiSend(a.t, a.srv.URL, secret, method, path, body, header...)
}

func apiSend(t *testing.T, base, secret, method, path string, body any, header ...string) *apiRes {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, base+"/api/v1"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := &apiRes{method: method, path: path, status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// apiKeysOf is the sorted keys of a JSON object.
func apiKeysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// apiOK checks a success envelope with the status, {"success": true, "message"?,
// "data"} and nothing else, and returns its data.
func apiOK(t *testing.T, r *apiRes, status int) any {
	t.Helper()
	if r.status != status {
		t.Fatalf("%v\nwant status %d", r, status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q, want application/json", r.method, r.path, ct)
	}
	if r.body == nil {
		t.Fatalf("%v\nthe body is not a JSON object", r)
	}
	for k := range r.body {
		if k != "success" && k != "message" && k != "data" {
			t.Errorf("%s %s: the success envelope has the key %q (keys %v)", r.method, r.path, k, apiKeysOf(r.body))
		}
	}
	if r.body["success"] != true {
		t.Errorf("%s %s: success = %v, want true", r.method, r.path, r.body["success"])
	}
	if m, ok := r.body["message"]; ok {
		if s, _ := m.(string); s == "" {
			t.Errorf("%s %s: message %v is not a non-empty string", r.method, r.path, m)
		}
	}
	data, ok := r.body["data"]
	if !ok {
		t.Fatalf("%v\nthe success envelope has no data", r)
	}
	return data
}

// apiObj is the success envelope's data as an object.
func apiObj(t *testing.T, r *apiRes, status int) map[string]any {
	t.Helper()
	d, ok := apiOK(t, r, status).(map[string]any)
	if !ok {
		t.Fatalf("%v\ndata is not an object", r)
	}
	return d
}

// apiErr checks an error envelope, exactly {"success": false, "error", "code",
// "details"}, with the status and code, and returns its details.
func apiFail(t *testing.T, r *apiRes, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("%v\nwant status %d (%s)", r, status, code)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q, want application/json", r.method, r.path, ct)
	}
	if r.body == nil {
		t.Fatalf("%v\nthe error is not a JSON object", r)
	}
	if got := apiKeysOf(r.body); !slices.Equal(got, []string{"code", "details", "error", "success"}) {
		t.Errorf("%s %s: the error envelope has the keys %v, want code, details, error, success", r.method, r.path, got)
	}
	if r.body["success"] != false {
		t.Errorf("%s %s: success = %v, want false", r.method, r.path, r.body["success"])
	}
	if r.body["code"] != code {
		t.Errorf("%s %s: code %v, want %s\n%s", r.method, r.path, r.body["code"], code, r.raw)
	}
	if msg, _ := r.body["error"].(string); strings.TrimSpace(msg) == "" {
		t.Errorf("%s %s: error %v is not a message", r.method, r.path, r.body["error"])
	}
	details, ok := r.body["details"].(map[string]any)
	if !ok {
		t.Fatalf("%v\ndetails is not an object", r)
	}
	return details
}

// apiField fails unless the error's details name the field.
func apiField(t *testing.T, r *apiRes, field string) {
	t.Helper()
	d, _ := r.body["details"].(map[string]any)
	if s, _ := d[field].(string); s == "" {
		t.Errorf("%s %s: details %v do not name the field %q", r.method, r.path, d, field)
	}
}

// apiTime parses an API time, which must be RFC 3339 in UTC.
func apiTime(t *testing.T, what string, v any) time.Time {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s = %v, not a string", what, v)
	}
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s = %q, not RFC 3339: %v", what, s, err)
	}
	if !strings.HasSuffix(s, "Z") {
		t.Errorf("%s = %q, not UTC (Z)", what, s)
	}
	return tm
}

// apiLeadFields are the fields of a lead object, every one always present.
var apiLeadFields = []string{"company", "createdAt", "email", "id", "metadata", "name", "owner", "phone", "pool",
	"source", "status", "tags", "updatedAt"}

// apiCheckLead checks that a lead object has every field with its JSON type (and,
// with extra, the Trash's fields too), and times in RFC 3339 UTC.
func apiCheckLead(t *testing.T, v any, extra ...string) map[string]any {
	t.Helper()
	l, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("lead %v is not an object", v)
	}
	want := append(slices.Clone(apiLeadFields), extra...)
	sort.Strings(want)
	if got := apiKeysOf(l); !slices.Equal(got, want) {
		t.Errorf("lead %v has the fields %v, want %v", l["id"], got, want)
	}
	for _, f := range []string{"id", "name", "email", "phone", "company", "status", "pool", "source", "owner"} {
		if _, ok := l[f].(string); !ok {
			t.Errorf("lead %v: %s = %#v, want a string (\"\" when empty)", l["id"], f, l[f])
		}
	}
	if _, ok := l["metadata"].(map[string]any); !ok {
		t.Errorf("lead %v: metadata = %#v, want an object ({} when empty)", l["id"], l["metadata"])
	}
	if _, ok := l["tags"].([]any); !ok {
		t.Errorf("lead %v: tags = %#v, want an array ([] when empty)", l["id"], l["tags"])
	}
	apiTime(t, "createdAt", l["createdAt"])
	apiTime(t, "updatedAt", l["updatedAt"])
	return l
}

// apiLeads is the leads of a list answer, and its nextCursor ("" for null); it
// checks that nextCursor is present.
func apiLeads(t *testing.T, r *apiRes, extra ...string) ([]map[string]any, string) {
	t.Helper()
	d := apiObj(t, r, http.StatusOK)
	cur, present := d["nextCursor"]
	if !present {
		t.Fatalf("%s %s: data has no nextCursor (keys %v)", r.method, r.path, apiKeysOf(d))
	}
	next := ""
	if cur != nil {
		s, ok := cur.(string)
		if !ok || s == "" {
			t.Fatalf("%s %s: nextCursor = %#v, want a non-empty string or null", r.method, r.path, cur)
		}
		next = s
	}
	arr, ok := d["leads"].([]any)
	if !ok {
		t.Fatalf("%s %s: leads = %#v, want an array", r.method, r.path, d["leads"])
	}
	out := make([]map[string]any, 0, len(arr))
	for _, v := range arr {
		out = append(out, apiCheckLead(t, v, extra...))
	}
	return out, next
}

func apiIDs(leads []map[string]any) []string {
	var ids []string
	for _, l := range leads {
		ids = append(ids, l["id"].(string))
	}
	return ids
}

// apiDefaultPool is the workspace's default pool.
func (a *apiApp) apiDefaultPool(ws store.Workspace) store.Pool {
	a.t.Helper()
	pools, err := a.st.Pools(context.Background(), ws.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, p := range pools {
		if p.IsDefault {
			return p
		}
	}
	a.t.Fatal("the workspace has no default pool")
	return store.Pool{}
}

// apiActiveIDs is every active lead id of the workspace, sorted, from the store.
func (a *apiApp) apiActiveIDs(ws store.Workspace) []string {
	a.t.Helper()
	var ids []string
	if err := a.st.ExportLeads(context.Background(), ws.ID, nil, store.LeadFilter{}, func(l store.Lead) error {
		ids = append(ids, l.ID)
		return nil
	}); err != nil {
		a.t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

// apiAudit is the workspace's audit log from the store, newest first.
func (a *apiApp) apiAudit(ws store.Workspace) []store.AuditEntry {
	a.t.Helper()
	p, err := a.st.ListAudit(context.Background(), ws.ID, store.AuditFilter{Limit: 100})
	if err != nil {
		a.t.Fatal(err)
	}
	return p.Entries
}

// apiRandomLeadID is a well-formed lead id that no lead has.
func apiRandomLeadID(i int) string { return fmt.Sprintf("lead_%016x", 0xfeed0000_0000_0000+uint64(i)) }

func apiNum(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// --- the envelope, codes and statuses

func TestAPIEveryCodeHasItsStatusAndTheErrorEnvelope(t *testing.T) {
	a := newAPIApp(t)
	clock := a.stopClock()
	admin, viewer, manager := a.secrets[store.RoleAdmin], a.secrets[store.RoleViewer], a.secrets[store.RoleManager]
	l1, l2, l3 := a.namedLead("Ann Example"), a.namedLead("Bob Example"), a.namedLead("Cid Example")

	cases := []struct {
		name   string
		do     func() *apiRes
		status int
		code   string
	}{
		{"a bad limit", func() *apiRes { return a.apiDo(admin, "GET", "/leads?limit=0", nil) }, 400, "VALIDATION_FAILED"},
		{"no key", func() *apiRes { return a.apiDo("", "GET", "/leads", nil) }, 401, "UNAUTHORIZED"},
		{"a viewer deleting", func() *apiRes { return a.apiDo(viewer, "DELETE", "/leads/"+l1.ID, nil) }, 403, "FORBIDDEN"},
		{"an unknown lead", func() *apiRes { return a.apiDo(admin, "GET", "/leads/"+apiRandomLeadID(1), nil) }, 404, "LEAD_NOT_FOUND"},
		{"an unknown route", func() *apiRes { return a.apiDo(admin, "GET", "/nope", nil) }, 404, "NOT_FOUND"},
		{"an unknown batch", func() *apiRes { return a.apiDo(admin, "POST", "/batches/bat_0000000000000000/undo", nil) }, 404, "NOT_FOUND"},
		{"PATCH", func() *apiRes { return a.apiDo(admin, "PATCH", "/leads/"+l1.ID, map[string]any{}) }, 405, "METHOD_NOT_ALLOWED"},
		{"a 3 MB body", func() *apiRes {
			return a.apiDo(admin, "POST", "/leads", map[string]any{"name": strings.Repeat("x", 3<<20)})
		}, 413, "TOO_LARGE"},
		{"a late undo", func() *apiRes {
			d := apiObj(t, a.apiDo(admin, "DELETE", "/leads/"+l2.ID, nil), 200)
			clock.advance(store.UndoWindow + store.UndoGrace + time.Second)
			return a.apiDo(admin, "POST", "/batches/"+d["batchId"].(string)+"/undo", nil)
		}, 409, "UNDO_EXPIRED"},
		{"a wrong expectedCount", func() *apiRes {
			return a.apiDo(manager, "POST", "/leads/bulk-delete", map[string]any{"filter": map[string]any{"q": "example"},
				"expectedCount": 99, "reason": "duplicate"})
		}, 409, "CONFLICT"},
		{"a restore of a purged lead", func() *apiRes {
			apiOK(t, a.apiDo(admin, "DELETE", "/leads/"+l3.ID, nil), 200)
			apiOK(t, a.apiDo(admin, "DELETE", "/trash/"+l3.ID, nil), 200)
			return a.apiDo(admin, "POST", "/trash/"+l3.ID+"/restore", nil)
		}, 410, "GONE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apiFail(t, c.do(), c.status, c.code)
		})
	}
}

func TestAPISuccessEnvelopeIsSuccessMessageAndDataOnly(t *testing.T) {
	a := newAPIApp(t)
	admin := a.secrets[store.RoleAdmin]
	l := a.namedLead("Dee Envelope")
	o := a.namedLead("Ola Other")
	for _, c := range []struct {
		r       *apiRes
		status  int
		message string // "" when none is promised
	}{
		{a.apiDo(admin, "GET", "/leads", nil), 200, ""},
		{a.apiDo(admin, "GET", "/leads/"+l.ID, nil), 200, ""},
		{a.apiDo(admin, "POST", "/leads", map[string]any{"name": "Eve Created"}), 201, ""},
		{a.apiDo(admin, "PUT", "/leads/"+l.ID, map[string]any{"company": "Env Co"}), 200, ""},
		{a.apiDo(admin, "DELETE", "/leads/"+l.ID, nil), 200, "Lead deleted successfully"},
		{a.apiDo(admin, "POST", "/leads/bulk-delete", map[string]any{"ids": []string{o.ID}, "reason": "other"}), 200, ""},
		{a.apiDo(admin, "GET", "/trash", nil), 200, ""},
		{a.apiDo(admin, "POST", "/trash/"+l.ID+"/restore", nil), 200, ""},
		{a.apiDo(admin, "GET", "/audit", nil), 200, ""},
	} {
		apiOK(t, c.r, c.status)
		if c.message != "" && c.r.body["message"] != c.message {
			t.Errorf("%s %s: message %v, want %q", c.r.method, c.r.path, c.r.body["message"], c.message)
		}
	}
}

// --- GET /leads

func TestAPIListLimitDefaultsToFiftyClampsToAHundredAndRefusesNonsense(t *testing.T) {
	a := newAPIApp(t)
	a.seed(130)
	viewer := a.secrets[store.RoleViewer]

	for q, want := range map[string]int{"": 50, "?limit=": 50, "?limit=1": 1, "?limit=37": 37, "?limit=100": 100,
		"?limit=101": 100, "?limit=500": 100, "?limit=1000000": 100} {
		leads, next := apiLeads(t, a.apiDo(viewer, "GET", "/leads"+q, nil))
		if len(leads) != want {
			t.Errorf("GET /leads%s: %d leads, want %d", q, len(leads), want)
		}
		if next == "" {
			t.Errorf("GET /leads%s: nextCursor is null with 130 leads", q)
		}
	}
	for _, bad := range []string{"0", "-1", "-500", "abc", "1.5", "1e2", "%20", "ten"} {
		r := a.apiDo(viewer, "GET", "/leads?limit="+bad, nil)
		apiFail(t, r, 400, "VALIDATION_FAILED")
		apiField(t, r, "limit")
	}
}

func TestAPIListCursorsVisitEveryLeadOnceAndEndWithNull(t *testing.T) {
	a := newAPIApp(t)
	a.seed(61)
	agent := a.secrets[store.RoleAgent]
	want := a.apiActiveIDs(a.ws)

	seen := map[string]int{}
	path, pages := "/leads?limit=7", 0
	for {
		leads, next := apiLeads(t, a.apiDo(agent, "GET", path, nil))
		pages++
		for _, id := range apiIDs(leads) {
			seen[id]++
		}
		if next == "" {
			if len(leads) == 0 && pages > 1 {
				t.Error("the last page is empty: nextCursor pointed at nothing")
			}
			break
		}
		if pages > 20 {
			t.Fatal("the cursors never end")
		}
		path = "/leads?limit=7&cursor=" + url.QueryEscape(next)
	}
	if pages != 9 { // 61 leads, 7 a page
		t.Errorf("%d pages of 7 for 61 leads, want 9", pages)
	}
	var got []string
	for id, n := range seen {
		if n != 1 {
			t.Errorf("lead %s listed %d times", id, n)
		}
		got = append(got, id)
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("the walk listed %d leads, the workspace has %d", len(got), len(want))
	}

	// One page holding everything: nextCursor is present, and null.
	r := a.apiDo(agent, "GET", "/leads?limit=100", nil)
	if _, next := apiLeads(t, r); next != "" {
		t.Errorf("a single page has nextCursor %q, want null", next)
	}
	if !bytes.Contains(r.raw, []byte(`"nextCursor":null`)) {
		t.Errorf("nextCursor is not written as null: %s", excerpt(string(r.raw)))
	}

	// An empty list too.
	other := a.workspace("Empty Co")
	_, secret := a.apiKey(other, "Empty key", store.RoleViewer)
	leads, next := apiLeads(t, a.apiDo(secret, "GET", "/leads", nil))
	if len(leads) != 0 || next != "" {
		t.Errorf("an empty workspace lists %d leads, nextCursor %q", len(leads), next)
	}

	for _, bad := range []string{"nonsense", "eyJ4IjoxfQ", "%00", strings.Repeat("A", 3000)} {
		r := a.apiDo(agent, "GET", "/leads?cursor="+url.QueryEscape(bad), nil)
		apiFail(t, r, 400, "VALIDATION_FAILED")
	}
}

func TestAPIListFiltersByStatusPoolAndSearch(t *testing.T) {
	a := newAPIApp(t)
	viewer := a.secrets[store.RoleViewer]
	west := a.pool("West")
	lostWest := a.lead(a.ws, store.LeadInput{Name: ptr("Lara Lostwest"), Status: ptr("lost"), PoolID: &west.ID})
	lostHome := a.lead(a.ws, store.LeadInput{Name: ptr("Lou Losthome"), Status: ptr("lost"), Email: ptr("lou@zeta.test")})
	wonWest := a.lead(a.ws, store.LeadInput{Name: ptr("Will Wonwest"), Status: ptr("won"), PoolID: &west.ID})
	a.namedLead("Nia New")

	list := func(q string) []string {
		t.Helper()
		leads, next := apiLeads(t, a.apiDo(viewer, "GET", "/leads?"+q, nil))
		if next != "" {
			t.Errorf("GET /leads?%s: nextCursor %q on a short list", q, next)
		}
		ids := apiIDs(leads)
		sort.Strings(ids)
		return ids
	}
	sorted := func(ids ...string) []string { sort.Strings(ids); return ids }
	for q, want := range map[string][]string{
		"status=lost":                 sorted(lostWest.ID, lostHome.ID),
		"pool=" + west.ID:             sorted(lostWest.ID, wonWest.ID),
		"status=lost&pool=" + west.ID: {lostWest.ID},
		"q=lou":                       {lostHome.ID},
		"q=zeta.test":                 {lostHome.ID},
		"q=" + wonWest.ID:             {wonWest.ID},
		"q=LOU":                       {lostHome.ID},
		"q=la+lost":                   {lostWest.ID},
		"q=nobody":                    nil,
	} {
		if got := list(q); !slices.Equal(got, want) {
			t.Errorf("GET /leads?%s = %v, want %v", q, got, want)
		}
	}
	r := a.apiDo(viewer, "GET", "/leads?status=dead", nil)
	apiFail(t, r, 400, "VALIDATION_FAILED")
	apiField(t, r, "status")
	other := a.workspace("Other Co")
	r = a.apiDo(viewer, "GET", "/leads?pool="+a.apiDefaultPool(other).ID, nil)
	apiFail(t, r, 400, "VALIDATION_FAILED")
	apiField(t, r, "pool")
}

// --- the lead object

func TestAPILeadObjectCarriesEveryFieldEmptyOnesAsEmptyValues(t *testing.T) {
	a := newAPIApp(t)
	viewer := a.secrets[store.RoleViewer]
	bare := a.namedLead("Bea Bare")
	full := a.lead(a.ws, store.LeadInput{Name: ptr("Fay Full"), Email: ptr("fay@full.test"), Phone: ptr("+1 415 555 0142"),
		Company: ptr("Full Inc"), Status: ptr("qualified"), Source: ptr("webinar"), Tags: &[]string{"VIP", "west"},
		Metadata: map[string]any{"crmId": "42", "score": 7}})

	l := apiCheckLead(t, apiOK(t, a.apiDo(viewer, "GET", "/leads/"+bare.ID, nil), 200))
	for f, want := range map[string]any{"id": bare.ID, "name": "Bea Bare", "email": "", "phone": "", "company": "",
		"status": "new", "pool": bare.PoolID, "source": ""} {
		if l[f] != want {
			t.Errorf("bare lead: %s = %#v, want %#v", f, l[f], want)
		}
	}
	if len(l["tags"].([]any)) != 0 || len(l["metadata"].(map[string]any)) != 0 {
		t.Errorf("bare lead: tags %v, metadata %v, want [] and {}", l["tags"], l["metadata"])
	}
	if !bytes.Contains(a.apiDo(viewer, "GET", "/leads/"+bare.ID, nil).raw, []byte(`"tags":[]`)) {
		t.Error(`an empty tag list is not written as []`)
	}
	if got := apiTime(t, "createdAt", l["createdAt"]); !got.Equal(bare.CreatedAt.Truncate(time.Millisecond)) {
		t.Errorf("createdAt %v, want %v", got, bare.CreatedAt)
	}

	l = apiCheckLead(t, apiOK(t, a.apiDo(viewer, "GET", "/leads/"+full.ID, nil), 200))
	for f, want := range map[string]any{"name": "Fay Full", "email": "fay@full.test", "phone": "+14155550142",
		"company": "Full Inc", "status": "qualified", "source": "webinar", "owner": a.admin.ID} {
		if l[f] != want {
			t.Errorf("full lead: %s = %#v, want %#v", f, l[f], want)
		}
	}
	if fmt.Sprint(l["tags"]) != "[vip west]" {
		t.Errorf("tags = %v, want [vip west]", l["tags"])
	}
	if m := l["metadata"].(map[string]any); m["crmId"] != "42" || m["score"] != float64(7) {
		t.Errorf("metadata = %v", m)
	}

	// In the list, every lead carries every field too.
	leads, _ := apiLeads(t, a.apiDo(viewer, "GET", "/leads", nil))
	if len(leads) != 2 {
		t.Fatalf("%d leads listed, want 2", len(leads))
	}
}

// --- POST /leads

func TestAPICreateLeadAnswers201InTheDefaultPoolOrTheOneNamed(t *testing.T) {
	a := newAPIApp(t)
	agent := a.secrets[store.RoleAgent]
	def := a.apiDefaultPool(a.ws)
	west := a.pool("West")

	r := a.apiDo(agent, "POST", "/leads", map[string]any{"name": "  Gil Created ", "email": "gil@created.test",
		"phone": "(415) 555-0100", "company": "Created Co", "status": "contacted", "source": "api",
		"tags": []string{"b", "a"}, "metadata": map[string]any{"k": "v"}})
	l := apiCheckLead(t, apiOK(t, r, 201))
	if !store.ValidLeadID(l["id"].(string)) {
		t.Errorf("id %v is not a lead id", l["id"])
	}
	for f, want := range map[string]any{"name": "Gil Created", "email": "gil@created.test", "phone": "+14155550100",
		"status": "contacted", "pool": def.ID, "source": "api", "company": "Created Co", "owner": ""} {
		if l[f] != want {
			t.Errorf("created lead: %s = %#v, want %#v", f, l[f], want)
		}
	}
	if fmt.Sprint(l["tags"]) != "[a b]" {
		t.Errorf("tags = %v", l["tags"])
	}
	got := apiCheckLead(t, apiOK(t, a.apiDo(agent, "GET", "/leads/"+l["id"].(string), nil), 200))
	for _, f := range apiLeadFields {
		if fmt.Sprint(got[f]) != fmt.Sprint(l[f]) {
			t.Errorf("GET after POST: %s = %v, POST answered %v", f, got[f], l[f])
		}
	}

	// The pool as the API shows it is accepted as it is.
	moved := apiCheckLead(t, apiOK(t, a.apiDo(agent, "POST", "/leads", map[string]any{"name": "Hal West", "pool": west.ID}), 201))
	if moved["pool"] != west.ID {
		t.Errorf("pool %v, want %s", moved["pool"], west.ID)
	}
	again := apiCheckLead(t, apiOK(t, a.apiDo(agent, "POST", "/leads", map[string]any{"name": "Ida Samepool", "pool": moved["pool"]}), 201))
	if again["pool"] != west.ID {
		t.Errorf("a pool copied from a lead was not kept: %v", again["pool"])
	}
	// The minimum: a name alone, status new.
	min := apiCheckLead(t, apiOK(t, a.apiDo(agent, "POST", "/leads", map[string]any{"name": "Jo"}), 201))
	if min["status"] != "new" || min["pool"] != def.ID {
		t.Errorf("a lead with only a name: status %v, pool %v", min["status"], min["pool"])
	}
}

func TestAPICreateLeadRefusesBadInputNamingTheFieldAndWritesNothing(t *testing.T) {
	a := newAPIApp(t)
	agent := a.secrets[store.RoleAgent]
	before := a.leadCount()
	other := a.workspace("Other Co")

	for _, c := range []struct {
		name  string
		body  any
		field string
	}{
		{"no name", map[string]any{"email": "x@y.test"}, "name"},
		{"an empty body", "", "name"},
		{"a blank name", map[string]any{"name": "   "}, "name"},
		{"a long name", map[string]any{"name": strings.Repeat("n", 201)}, "name"},
		{"a bad e-mail", map[string]any{"name": "Kim", "email": "not-an-email"}, "email"},
		{"a bad phone", map[string]any{"name": "Kim", "phone": "12"}, "phone"},
		{"a bad status", map[string]any{"name": "Kim", "status": "dead"}, "status"},
		{"an unknown pool", map[string]any{"name": "Kim", "pool": "pool_0000000000000000"}, "pool"},
		{"another workspace's pool", map[string]any{"name": "Kim", "pool": a.apiDefaultPool(other).ID}, "pool"},
		{"an unknown field", map[string]any{"name": "Kim", "nickname": "K"}, "nickname"},
		{"a read-only field", map[string]any{"name": "Kim", "createdAt": "2026-01-01T00:00:00Z"}, "createdAt"},
		{"a number for a name", map[string]any{"name": 5}, "name"},
		{"a string for tags", map[string]any{"name": "Kim", "tags": "a,b"}, "tags"},
		{"a list for metadata", map[string]any{"name": "Kim", "metadata": []int{1}}, "metadata"},
		{"true for an email", `{"name":"Kim","email":true}`, "email"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := a.apiDo(agent, "POST", "/leads", c.body)
			apiFail(t, r, 400, "VALIDATION_FAILED")
			apiField(t, r, c.field)
		})
	}
	for _, raw := range []string{`{"name":`, `{"name":"Kim",}`, `[1,2]`, `"Kim"`, `null x`, `{"name":"Kim"}{"name":"Lee"}`, "\x00"} {
		r := a.apiDo(agent, "POST", "/leads", raw)
		apiFail(t, r, 400, "VALIDATION_FAILED")
	}
	r := a.apiDo(agent, "POST", "/leads", map[string]any{"name": "Big", "source": strings.Repeat("x", 3<<20)})
	apiFail(t, r, 413, "TOO_LARGE")
	if n := a.leadCount(); n != before {
		t.Errorf("bad requests wrote %d leads", n-before)
	}
}

// --- PUT /leads/{id}

func TestAPIUpdateChangesOnlyTheFieldsSentAndMergesMetadata(t *testing.T) {
	a := newAPIApp(t)
	agent := a.secrets[store.RoleAgent]
	west := a.pool("West")
	l := a.lead(a.ws, store.LeadInput{Name: ptr("Lia Update"), Email: ptr("lia@update.test"), Company: ptr("Old Co"),
		Status: ptr("new"), Tags: &[]string{"keep"},
		Metadata: map[string]any{"a": "1", "b": "2", "nested": map[string]any{"x": 1.0, "y": 2.0}}})
	before := apiCheckLead(t, apiOK(t, a.apiDo(agent, "GET", "/leads/"+l.ID, nil), 200))

	r := a.apiDo(agent, "PUT", "/leads/"+l.ID, map[string]any{"company": "New Co", "status": "won", "pool": west.ID,
		"metadata": map[string]any{"b": nil, "c": "3", "nested": map[string]any{"z": 3.0}}})
	after := apiCheckLead(t, apiOK(t, r, 200))
	for f, want := range map[string]any{"name": "Lia Update", "email": "lia@update.test", "company": "New Co",
		"status": "won", "pool": west.ID, "phone": "", "source": "", "createdAt": before["createdAt"], "id": l.ID} {
		if after[f] != want {
			t.Errorf("after PUT: %s = %#v, want %#v", f, after[f], want)
		}
	}
	if fmt.Sprint(after["tags"]) != "[keep]" {
		t.Errorf("tags left out changed: %v", after["tags"])
	}
	meta, _ := json.Marshal(after["metadata"])
	if string(meta) != `{"a":"1","c":"3","nested":{"z":3}}` {
		t.Errorf("metadata after the merge = %s, want a kept, b removed, c added, nested replaced", meta)
	}
	if apiTime(t, "updatedAt", after["updatedAt"]).Before(apiTime(t, "updatedAt", before["updatedAt"])) {
		t.Errorf("updatedAt went back: %v → %v", before["updatedAt"], after["updatedAt"])
	}
	stored := apiCheckLead(t, apiOK(t, a.apiDo(agent, "GET", "/leads/"+l.ID, nil), 200))
	for _, f := range apiLeadFields {
		if fmt.Sprint(stored[f]) != fmt.Sprint(after[f]) {
			t.Errorf("GET after PUT: %s = %v, PUT answered %v", f, stored[f], after[f])
		}
	}

	// An empty object, or no body, changes nothing.
	for _, body := range []any{map[string]any{}, ""} {
		same := apiCheckLead(t, apiOK(t, a.apiDo(agent, "PUT", "/leads/"+l.ID, body), 200))
		if fmt.Sprint(same) != fmt.Sprint(stored) {
			t.Errorf("an empty PUT changed the lead: %v → %v", stored, same)
		}
	}
	// Tags sent replace the tags.
	tagged := apiCheckLead(t, apiOK(t, a.apiDo(agent, "PUT", "/leads/"+l.ID, map[string]any{"tags": []string{}}), 200))
	if len(tagged["tags"].([]any)) != 0 {
		t.Errorf("tags [] left %v", tagged["tags"])
	}
}

func TestAPIUpdateRefusesBadInputAndUnknownOrTrashedLeads(t *testing.T) {
	a := newAPIApp(t)
	agent := a.secrets[store.RoleAgent]
	l := a.lead(a.ws, store.LeadInput{Name: ptr("Max Refuse"), Status: ptr("contacted")})
	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{"status": "dead"}, "status"},
		{map[string]any{"status": ""}, "status"},
		{map[string]any{"name": ""}, "name"},
		{map[string]any{"email": "x"}, "email"},
		{map[string]any{"status": 3}, "status"},
		{map[string]any{"id": "lead_0000000000000000"}, "id"},
	} {
		r := a.apiDo(agent, "PUT", "/leads/"+l.ID, c.body)
		apiFail(t, r, 400, "VALIDATION_FAILED")
		apiField(t, r, c.field)
	}
	apiFail(t, a.apiDo(agent, "PUT", "/leads/"+l.ID, `{"status":`), 400, "VALIDATION_FAILED")
	if got := a.storedLead(l.ID); got.Status != "contacted" || got.Name != "Max Refuse" {
		t.Errorf("refused updates changed the lead: %+v", got)
	}

	for _, id := range []string{apiRandomLeadID(2), "nope", "lead_XYZ"} {
		d := apiFail(t, a.apiDo(agent, "PUT", "/leads/"+id, map[string]any{"name": "X"}), 404, "LEAD_NOT_FOUND")
		if d["leadId"] != id {
			t.Errorf("PUT %s: details %v, want leadId", id, d)
		}
	}
	a.trashLeads(a.admin, "other", l.ID)
	apiFail(t, a.apiDo(agent, "PUT", "/leads/"+l.ID, map[string]any{"name": "X"}), 404, "LEAD_NOT_FOUND")
	apiFail(t, a.apiDo(a.secrets[store.RoleViewer], "PUT", "/leads/"+l.ID, map[string]any{"name": "X"}), 403, "FORBIDDEN")
}

// --- DELETE /leads/{id}

func TestAPIDeleteMovesTheLeadToTheTrashAndAnswersTheContract(t *testing.T) {
	a := newAPIApp(t)
	agent := a.secrets[store.RoleAgent]
	l := a.namedLead("Ned Delete")
	keep := a.namedLead("Kay Keep")

	r := a.apiDo(agent, "DELETE", "/leads/"+l.ID, nil)
	d := apiObj(t, r, 200)
	if r.body["message"] != "Lead deleted successfully" {
		t.Errorf("message %v, want Lead deleted successfully", r.body["message"])
	}
	if got := apiKeysOf(d); !slices.Equal(got, []string{"batchId", "deletedAt", "id", "restorableUntil", "undoUntil"}) {
		t.Errorf("data keys %v", got)
	}
	if d["id"] != l.ID {
		t.Errorf("id %v, want %s", d["id"], l.ID)
	}
	deletedAt := apiTime(t, "deletedAt", d["deletedAt"])
	if got := apiTime(t, "restorableUntil", d["restorableUntil"]); !got.Equal(deletedAt.Add(30 * 24 * time.Hour)) {
		t.Errorf("restorableUntil %v, want deletedAt + 30 days (%v)", got, deletedAt.Add(30*24*time.Hour))
	}
	// The ten seconds start when the delete is done (a moment after deletedAt).
	if got := apiTime(t, "undoUntil", d["undoUntil"]); got.Before(deletedAt.Add(10*time.Second)) || got.After(deletedAt.Add(12*time.Second)) {
		t.Errorf("undoUntil %v, want deletedAt (%v) + 10 s", got, deletedAt)
	}
	if since := time.Since(deletedAt); since < -time.Second || since > time.Minute {
		t.Errorf("deletedAt %v is not now", deletedAt)
	}
	batchID, _ := d["batchId"].(string)
	if !strings.HasPrefix(batchID, "bat_") {
		t.Errorf("batchId %q", batchID)
	}
	stored := a.storedLead(l.ID)
	if !stored.InTrash() || stored.DeleteReason != "other" || stored.BatchID != batchID || stored.DeletedBy != a.keys[store.RoleAgent].ID {
		t.Errorf("the lead in the store: trashed %v, reason %q, batch %q, by %q", stored.InTrash(), stored.DeleteReason,
			stored.BatchID, stored.DeletedBy)
	}
	if a.storedLead(keep.ID).InTrash() {
		t.Error("another lead was deleted")
	}

	// Gone from the API: GET, DELETE again, the list.
	d404 := apiFail(t, a.apiDo(agent, "GET", "/leads/"+l.ID, nil), 404, "LEAD_NOT_FOUND")
	if d404["leadId"] != l.ID {
		t.Errorf("GET of a trashed lead: details %v", d404)
	}
	again := apiFail(t, a.apiDo(agent, "DELETE", "/leads/"+l.ID, nil), 404, "LEAD_NOT_FOUND")
	if again["leadId"] != l.ID {
		t.Errorf("DELETE again: details %v, want leadId %s", again, l.ID)
	}
	leads, _ := apiLeads(t, a.apiDo(agent, "GET", "/leads", nil))
	if ids := apiIDs(leads); !slices.Equal(ids, []string{keep.ID}) {
		t.Errorf("the list after the delete: %v", ids)
	}
	if n := len(a.apiAudit(a.ws)); n == 0 {
		t.Error("no audit row")
	}
	var deletes int
	for _, e := range a.apiAudit(a.ws) {
		if e.Action == "delete" {
			deletes++
			if e.Reason != "other" || e.LeadID != l.ID || e.ActorID != a.keys[store.RoleAgent].ID || e.Count != 1 {
				t.Errorf("audit row %+v", e)
			}
		}
	}
	if deletes != 1 {
		t.Errorf("%d delete rows in the audit after a delete and a repeat, want 1", deletes)
	}
}

func TestAPIDeleteTakesTheReasonFromTheQueryOrTheBody(t *testing.T) {
	a := newAPIApp(t)
	agent := a.secrets[store.RoleAgent]
	q, j, both, empty, ctOnly := a.namedLead("Q Reason"), a.namedLead("J Reason"), a.namedLead("B Reason"),
		a.namedLead("E Reason"), a.namedLead("C Reason")

	apiOK(t, a.apiDo(agent, "DELETE", "/leads/"+q.ID+"?reason=duplicate", nil), 200)
	apiOK(t, a.apiDo(agent, "DELETE", "/leads/"+j.ID, map[string]any{"reason": "spam", "details": "bot signup"}), 200)
	apiOK(t, a.apiDo(agent, "DELETE", "/leads/"+both.ID+"?reason=invalid", map[string]any{"reason": "outdated"}), 200)
	apiOK(t, a.apiDo(agent, "DELETE", "/leads/"+empty.ID, map[string]any{}), 200)
	// A client library that sets Content-Type on every call, with no body.
	apiOK(t, a.apiDo(agent, "DELETE", "/leads/"+ctOnly.ID, nil, "Content-Type", "application/json"), 200)

	for id, want := range map[string]string{q.ID: "duplicate", j.ID: "spam", both.ID: "invalid", empty.ID: "other", ctOnly.ID: "other"} {
		if got := a.storedLead(id).DeleteReason; got != want {
			t.Errorf("lead %s deleted with reason %q, want %q", id, got, want)
		}
	}
	trash, _ := apiLeads(t, a.apiDo(agent, "GET", "/trash?q="+url.QueryEscape("J Reason"), nil), apiTrashFields...)
	if len(trash) != 1 || trash[0]["reason"] != "spam" {
		t.Errorf("the Trash shows %v", trash)
	}

	l := a.namedLead("Bad Reason")
	for _, r := range []*apiRes{
		a.apiDo(agent, "DELETE", "/leads/"+l.ID+"?reason=because", nil),
		a.apiDo(agent, "DELETE", "/leads/"+l.ID, map[string]any{"reason": "because"}),
		a.apiDo(agent, "DELETE", "/leads/"+l.ID, map[string]any{"why": "x"}),
		a.apiDo(agent, "DELETE", "/leads/"+l.ID, map[string]any{"reason": 1}),
		a.apiDo(agent, "DELETE", "/leads/"+l.ID, `{"reason":`),
	} {
		apiFail(t, r, 400, "VALIDATION_FAILED")
	}
	if a.storedLead(l.ID).InTrash() {
		t.Error("a refused delete deleted the lead")
	}
}

func TestAPIDeleteOfAMalformedUnknownOrForeignIDIsLeadNotFound(t *testing.T) {
	a := newAPIApp(t)
	admin := a.secrets[store.RoleAdmin]
	globex := a.workspace("Globex")
	foreign := a.lead(globex, store.LeadInput{Name: ptr("Fred Foreign")})
	_, globexAdmin := a.apiKey(globex, "Globex key", store.RoleAdmin)
	mine := a.namedLead("Mia Mine")

	for _, id := range []string{"nope", "lead_123", "lead_ZZZZZZZZZZZZZZZZ", "LEAD_0123456789ABCDEF", apiRandomLeadID(3), foreign.ID, "%20"} {
		for _, m := range []string{"GET", "DELETE"} {
			r := a.apiDo(admin, m, "/leads/"+id, nil)
			d := apiFail(t, r, 404, "LEAD_NOT_FOUND")
			if want, _ := url.PathUnescape(id); d["leadId"] != want {
				t.Errorf("%s %s: details %v, want leadId", m, id, d)
			}
		}
	}
	// And the other way round: Globex's key cannot see or delete Acme's lead.
	apiFail(t, a.apiDo(globexAdmin, "GET", "/leads/"+mine.ID, nil), 404, "LEAD_NOT_FOUND")
	apiFail(t, a.apiDo(globexAdmin, "DELETE", "/leads/"+mine.ID, nil), 404, "LEAD_NOT_FOUND")
	apiFail(t, a.apiDo(globexAdmin, "PUT", "/leads/"+mine.ID, map[string]any{"name": "X"}), 404, "LEAD_NOT_FOUND")
	if a.storedLead(mine.ID).InTrash() {
		t.Error("another workspace's key deleted the lead")
	}
	if l, err := a.st.Lead(context.Background(), globex.ID, foreign.ID); err != nil || l.InTrash() {
		t.Errorf("Acme's key touched Globex's lead: %v", err)
	}
}

// --- POST /leads/bulk-delete

func TestAPIBulkDeleteByIDsAnswersTheBatch(t *testing.T) {
	a := newAPIApp(t)
	manager := a.secrets[store.RoleManager]
	ids := a.lostLeads("Bulk", 3)
	keep := a.namedLead("Kip Keep")

	r := a.apiDo(manager, "POST", "/leads/bulk-delete", map[string]any{"ids": ids, "reason": "duplicate", "details": "dupes"})
	d := apiObj(t, r, 200)
	if got := apiKeysOf(d); !slices.Equal(got, []string{"batchId", "count", "undoUntil"}) {
		t.Errorf("data keys %v", got)
	}
	if apiNum(d["count"]) != 3 || !strings.HasPrefix(fmt.Sprint(d["batchId"]), "bat_") {
		t.Errorf("data %v", d)
	}
	undo := apiTime(t, "undoUntil", d["undoUntil"])
	for _, id := range ids {
		l := a.storedLead(id)
		if !l.InTrash() || l.BatchID != d["batchId"] || l.DeleteReason != "duplicate" {
			t.Errorf("lead %s: trashed %v, batch %q, reason %q", id, l.InTrash(), l.BatchID, l.DeleteReason)
		}
		if from := l.DeletedAt.Add(store.UndoWindow).Truncate(time.Millisecond); undo.Before(from) || undo.After(from.Add(2*time.Second)) {
			t.Errorf("undoUntil %v, deleted at %v", undo, l.DeletedAt)
		}
	}
	if a.storedLead(keep.ID).InTrash() {
		t.Error("a lead not named was deleted")
	}
	// Any id not an active lead of the workspace refuses the whole request.
	more := a.lostLeads("More", 2)
	globex := a.workspace("Globex")
	foreign := a.lead(globex, store.LeadInput{Name: ptr("Gil Globex")})
	for _, c := range []struct {
		bad    string
		status int
		code   string
	}{
		{ids[0], 409, "CONFLICT"}, // in the Trash already
		{apiRandomLeadID(4), 404, "LEAD_NOT_FOUND"},
		{foreign.ID, 404, "LEAD_NOT_FOUND"},
		{"nope", 404, "LEAD_NOT_FOUND"},
	} {
		r := a.apiDo(manager, "POST", "/leads/bulk-delete", map[string]any{"ids": append(slices.Clone(more), c.bad), "reason": "other"})
		apiFail(t, r, c.status, c.code)
	}
	for _, id := range more {
		if a.storedLead(id).InTrash() {
			t.Errorf("a refused bulk delete deleted %s", id)
		}
	}
	if l, err := a.st.Lead(context.Background(), globex.ID, foreign.ID); err != nil || l.InTrash() {
		t.Errorf("Acme's key touched Globex's lead: %v", err)
	}
}

func TestAPIBulkDeleteRefusesTooManyIDsNoReasonAndNothingToDelete(t *testing.T) {
	a := newAPIApp(t)
	manager := a.secrets[store.RoleManager]
	ids := a.lostLeads("Lim", 2)

	many := make([]string, 1001)
	for i := range many {
		many[i] = apiRandomLeadID(100 + i)
	}
	many[0], many[1] = ids[0], ids[1]
	r := a.apiDo(manager, "POST", "/leads/bulk-delete", map[string]any{"ids": many, "reason": "other"})
	apiFail(t, r, 400, "VALIDATION_FAILED")
	apiField(t, r, "ids")

	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{"ids": ids}, "reason"},
		{map[string]any{"ids": ids, "reason": ""}, "reason"},
		{map[string]any{"ids": ids, "reason": "because"}, "reason"},
		{map[string]any{"reason": "other"}, "ids"},
		{map[string]any{"ids": []string{}, "reason": "other"}, "ids"},
		{"", "ids"},
		{map[string]any{"ids": "lead_1", "reason": "other"}, "ids"},
		{map[string]any{"ids": ids, "reason": "other", "all": true}, "all"},
		{map[string]any{"ids": ids, "filter": map[string]any{"status": "lost"}, "expectedCount": 2, "reason": "other"}, "filter"},
		{map[string]any{"filter": map[string]any{"status": "lost"}, "reason": "other"}, "expectedCount"},
		{map[string]any{"filter": map[string]any{"status": "lost"}, "expectedCount": "2", "reason": "other"}, "expectedCount"},
		{map[string]any{"filter": map[string]any{"status": "lost"}, "expectedCount": 2}, "reason"},
		{map[string]any{"filter": map[string]any{"colour": "red"}, "expectedCount": 2, "reason": "other"}, "colour"},
	} {
		r := a.apiDo(manager, "POST", "/leads/bulk-delete", c.body)
		apiFail(t, r, 400, "VALIDATION_FAILED")
		apiField(t, r, c.field)
	}
	for _, id := range ids {
		if a.storedLead(id).InTrash() {
			t.Fatalf("a refused bulk delete deleted %s", id)
		}
	}
}

func TestAPIBulkDeleteByFilterNeedsTheExactExpectedCount(t *testing.T) {
	a := newAPIApp(t)
	manager := a.secrets[store.RoleManager]
	west := a.pool("West")
	lost := a.lostLeads("Gone", 4)
	lostWest := a.lead(a.ws, store.LeadInput{Name: ptr("Wes Lost"), Status: ptr("lost"), PoolID: &west.ID})
	won := a.lead(a.ws, store.LeadInput{Name: ptr("Won Stays"), Status: ptr("won")})
	before := a.apiActiveIDs(a.ws)

	// A wrong count: 409, nothing deleted.
	for _, n := range []int{4, 6, 1000} {
		r := a.apiDo(manager, "POST", "/leads/bulk-delete", map[string]any{"filter": map[string]any{"status": "lost"},
			"expectedCount": n, "reason": "outdated"})
		apiFail(t, r, 409, "CONFLICT")
	}
	if after := a.apiActiveIDs(a.ws); !slices.Equal(after, before) {
		t.Fatal("a refused bulk delete deleted leads")
	}
	// Nothing matching: 400.
	apiFail(t, a.apiDo(manager, "POST", "/leads/bulk-delete", map[string]any{"filter": map[string]any{"q": "nobodyatall"},
		"expectedCount": 1, "reason": "outdated"}), 400, "VALIDATION_FAILED")

	// Pool and status together.
	d := apiObj(t, a.apiDo(manager, "POST", "/leads/bulk-delete", map[string]any{
		"filter": map[string]any{"status": "lost", "pool": west.ID}, "expectedCount": 1, "reason": "outdated"}), 200)
	if apiNum(d["count"]) != 1 || !a.storedLead(lostWest.ID).InTrash() {
		t.Errorf("the pool+status filter deleted %v", d)
	}
	d = apiObj(t, a.apiDo(manager, "POST", "/leads/bulk-delete", map[string]any{"filter": map[string]any{"status": "lost"},
		"expectedCount": 4, "reason": "outdated"}), 200)
	if apiNum(d["count"]) != 4 {
		t.Errorf("count %v, want 4", d["count"])
	}
	for _, id := range lost {
		if !a.storedLead(id).InTrash() {
			t.Errorf("lost lead %s was not deleted", id)
		}
	}
	if a.storedLead(won.ID).InTrash() {
		t.Error("the won lead was deleted")
	}
	if b, err := a.st.Batch(context.Background(), a.ws.ID, d["batchId"].(string)); err != nil || b.Count != 4 || b.Reason != "outdated" {
		t.Errorf("the batch: %+v, %v", b, err)
	}
}

// --- POST /batches/{id}/undo

func TestAPIUndoWithinTheWindowByTheSameKeyThenAlreadyUndone(t *testing.T) {
	a := newAPIApp(t)
	clock := a.stopClock()
	agent := a.secrets[store.RoleAgent]
	l := a.namedLead("Uma Undo")
	del := apiObj(t, a.apiDo(agent, "DELETE", "/leads/"+l.ID, nil), 200)
	batch := del["batchId"].(string)
	// On a clock that stands still the deadline is exactly ten seconds on.
	if at, until := apiTime(t, "deletedAt", del["deletedAt"]), apiTime(t, "undoUntil", del["undoUntil"]); !at.Equal(clockStart) ||
		!until.Equal(clockStart.Add(10*time.Second)) || del["restorableUntil"] != "2026-12-23T12:00:00.000Z" {
		t.Errorf("deletedAt %v, undoUntil %v, restorableUntil %v; want %v, +10 s, +30 days", at, until, del["restorableUntil"], clockStart)
	}

	clock.advance(9 * time.Second)
	r := a.apiDo(agent, "POST", "/batches/"+batch+"/undo", nil)
	d := apiObj(t, r, 200)
	if got := apiKeysOf(d); !slices.Equal(got, []string{"batchId", "notRestored", "restored"}) {
		t.Errorf("data keys %v", got)
	}
	if d["batchId"] != batch || apiNum(d["restored"]) != 1 || apiNum(d["notRestored"]) != 0 {
		t.Errorf("undo answered %v", d)
	}
	got := apiCheckLead(t, apiOK(t, a.apiDo(agent, "GET", "/leads/"+l.ID, nil), 200))
	if got["pool"] != l.PoolID || got["status"] != "new" {
		t.Errorf("the lead came back changed: %v", got)
	}
	audits := len(a.apiAudit(a.ws))

	// Again, even after the window: success, "Already undone", nothing written.
	clock.advance(time.Minute)
	r = a.apiDo(agent, "POST", "/batches/"+batch+"/undo", nil)
	d = apiObj(t, r, 200)
	if r.body["message"] != "Already undone" {
		t.Errorf("a second undo says %v, want Already undone", r.body["message"])
	}
	if d["batchId"] != batch {
		t.Errorf("a second undo answered %v", d)
	}
	if n := len(a.apiAudit(a.ws)); n != audits {
		t.Errorf("a second undo wrote %d audit rows", n-audits)
	}
}

func TestAPIUndoAfterTheWindowIsUndoExpiredAndTheLeadStaysInTheTrash(t *testing.T) {
	a := newAPIApp(t)
	clock := a.stopClock()
	agent := a.secrets[store.RoleAgent]
	l := a.namedLead("Lee Late")
	d := apiObj(t, a.apiDo(agent, "DELETE", "/leads/"+l.ID, nil), 200)
	batch := d["batchId"].(string)

	// The grace: just after the ten seconds still works for another lead.
	g := a.namedLead("Gus Grace")
	gb := apiObj(t, a.apiDo(agent, "DELETE", "/leads/"+g.ID, nil), 200)["batchId"].(string)
	clock.advance(store.UndoWindow + store.UndoGrace/2)
	apiOK(t, a.apiDo(agent, "POST", "/batches/"+gb+"/undo", nil), 200)

	clock.advance(store.UndoGrace)
	r := a.apiDo(agent, "POST", "/batches/"+batch+"/undo", nil)
	details := apiFail(t, r, 409, "UNDO_EXPIRED")
	if details["batchId"] != batch {
		t.Errorf("details %v, want the batchId", details)
	}
	if !a.storedLead(l.ID).InTrash() {
		t.Error("a late undo restored the lead")
	}
	// It is still restorable from the Trash.
	apiCheckLead(t, apiOK(t, a.apiDo(agent, "POST", "/trash/"+l.ID+"/restore", nil), 200))
}

func TestAPIUndoIsForTheSameKeyOrAManagersAndOnlyForKnownBatches(t *testing.T) {
	a := newAPIApp(t)
	agent, manager := a.secrets[store.RoleAgent], a.secrets[store.RoleManager]
	_, agent2 := a.apiKey(a.ws, "Second agent key", store.RoleAgent)
	l1, l2 := a.namedLead("One Undo"), a.namedLead("Two Undo")
	b1 := apiObj(t, a.apiDo(agent, "DELETE", "/leads/"+l1.ID, nil), 200)["batchId"].(string)
	b2 := apiObj(t, a.apiDo(agent, "DELETE", "/leads/"+l2.ID, nil), 200)["batchId"].(string)

	apiFail(t, a.apiDo(agent2, "POST", "/batches/"+b1+"/undo", nil), 403, "FORBIDDEN")
	apiFail(t, a.apiDo(a.secrets[store.RoleViewer], "POST", "/batches/"+b1+"/undo", nil), 403, "FORBIDDEN")
	if !a.storedLead(l1.ID).InTrash() {
		t.Fatal("a refused undo restored the lead")
	}
	d := apiObj(t, a.apiDo(manager, "POST", "/batches/"+b1+"/undo", nil), 200)
	if apiNum(d["restored"]) != 1 || a.storedLead(l1.ID).InTrash() {
		t.Errorf("a manager's undo: %v", d)
	}
	// A batch of a user's deletion is undone by a manager's key as well.
	l3 := a.namedLead("Three Undo")
	b3 := a.trashLeads(a.admin, "other", l3.ID)
	apiFail(t, a.apiDo(agent, "POST", "/batches/"+b3.ID+"/undo", nil), 403, "FORBIDDEN")
	apiOK(t, a.apiDo(a.secrets[store.RoleAdmin], "POST", "/batches/"+b3.ID+"/undo", nil), 200)

	// Unknown, malformed and foreign batches are not found.
	globex := a.workspace("Globex")
	gl := a.lead(globex, store.LeadInput{Name: ptr("Gabe Globex")})
	gb, err := a.st.DeleteLeads(context.Background(), globex, store.UserActor(a.admin), store.DeleteRequest{IDs: []string{gl.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"bat_0000000000000000", "nope", gb.ID} {
		d := apiFail(t, a.apiDo(manager, "POST", "/batches/"+id+"/undo", nil), 404, "NOT_FOUND")
		if d["batchId"] != id {
			t.Errorf("undo of %s: details %v", id, d)
		}
	}
	if l, _ := a.st.Lead(context.Background(), globex.ID, gl.ID); !l.InTrash() {
		t.Error("Acme's key undid Globex's deletion")
	}

	// Undo after a purge: gone.
	apiOK(t, a.apiDo(a.secrets[store.RoleAdmin], "DELETE", "/trash/"+l2.ID, nil), 200)
	apiFail(t, a.apiDo(agent, "POST", "/batches/"+b2+"/undo", nil), 410, "GONE")
}

func TestAPIBulkUndoRestoresTheWholeBatch(t *testing.T) {
	a := newAPIApp(t)
	manager := a.secrets[store.RoleManager]
	ids := a.lostLeads("Batch", 5)
	d := apiObj(t, a.apiDo(manager, "POST", "/leads/bulk-delete", map[string]any{"ids": ids, "reason": "duplicate"}), 200)
	// One of them purged meanwhile: it cannot come back.
	apiOK(t, a.apiDo(a.secrets[store.RoleAdmin], "DELETE", "/trash/"+ids[0], nil), 200)
	u := apiObj(t, a.apiDo(manager, "POST", "/batches/"+d["batchId"].(string)+"/undo", nil), 200)
	if apiNum(u["restored"]) != 4 || apiNum(u["notRestored"]) != 1 {
		t.Errorf("undo of a batch with a purged lead: %v, want 4 restored, 1 not", u)
	}
}

// --- the Trash

// apiTrashFields are the fields a trashed lead carries beyond a lead's.
var apiTrashFields = []string{"batchId", "deletedAt", "deletedBy", "reason", "restorableUntil"}

func TestAPITrashListsDeletedLeadsWithWhoWhenWhyAndUntilWhen(t *testing.T) {
	a := newAPIApp(t)
	agent, manager := a.secrets[store.RoleAgent], a.secrets[store.RoleManager]
	zap, zapSecret := a.apiKey(a.ws, "Zapier sync", store.RoleManager)
	l1 := a.lead(a.ws, store.LeadInput{Name: ptr("Tia Trash"), Email: ptr("tia@trash.test"), Tags: &[]string{"x"}})
	l2 := a.namedLead("Tom Trash")
	mine := a.namedLead("Ada Agentdeleted")
	a.namedLead("Ivy Active")

	d1 := apiObj(t, a.apiDo(zapSecret, "DELETE", "/leads/"+l1.ID+"?reason=duplicate", nil), 200)
	d2 := apiObj(t, a.apiDo(zapSecret, "POST", "/leads/bulk-delete", map[string]any{"ids": []string{l2.ID}, "reason": "spam"}), 200)
	apiOK(t, a.apiDo(agent, "DELETE", "/leads/"+mine.ID, nil), 200)

	leads, next := apiLeads(t, a.apiDo(manager, "GET", "/trash", nil), apiTrashFields...)
	if next != "" {
		t.Errorf("nextCursor %q", next)
	}
	byID := map[string]map[string]any{}
	for _, l := range leads {
		byID[l["id"].(string)] = l
	}
	if len(leads) != 3 || byID[l1.ID] == nil || byID[l2.ID] == nil || byID[mine.ID] == nil {
		t.Fatalf("the Trash lists %v", apiIDs(leads))
	}
	t1 := byID[l1.ID]
	if t1["name"] != "Tia Trash" || t1["email"] != "tia@trash.test" || t1["reason"] != "duplicate" || t1["batchId"] != d1["batchId"] {
		t.Errorf("trashed lead %v", t1)
	}
	if by, _ := t1["deletedBy"].(string); !strings.Contains(by, zap.Name) {
		t.Errorf("deletedBy %q does not name the key %q", by, zap.Name)
	}
	if t1["deletedAt"] != d1["deletedAt"] || t1["restorableUntil"] != d1["restorableUntil"] {
		t.Errorf("the Trash says deleted %v, restorable until %v; the delete said %v, %v", t1["deletedAt"],
			t1["restorableUntil"], d1["deletedAt"], d1["restorableUntil"])
	}
	if got := apiTime(t, "restorableUntil", t1["restorableUntil"]); !got.Equal(apiTime(t, "deletedAt", t1["deletedAt"]).Add(30 * 24 * time.Hour)) {
		t.Errorf("restorableUntil %v is not deletedAt + 30 days", got)
	}
	if byID[l2.ID]["reason"] != "spam" || byID[l2.ID]["batchId"] != d2["batchId"] {
		t.Errorf("bulk-deleted lead %v", byID[l2.ID])
	}

	// Search, paging and limits.
	found, _ := apiLeads(t, a.apiDo(manager, "GET", "/trash?q=tia", nil), apiTrashFields...)
	if ids := apiIDs(found); !slices.Equal(ids, []string{l1.ID}) {
		t.Errorf("Trash search tia = %v", ids)
	}
	p1, cur := apiLeads(t, a.apiDo(manager, "GET", "/trash?limit=2", nil), apiTrashFields...)
	if len(p1) != 2 || cur == "" {
		t.Fatalf("first Trash page: %d leads, cursor %q", len(p1), cur)
	}
	p2, cur2 := apiLeads(t, a.apiDo(manager, "GET", "/trash?limit=2&cursor="+url.QueryEscape(cur), nil), apiTrashFields...)
	if len(p2) != 1 || cur2 != "" || slices.Contains(apiIDs(p1), apiIDs(p2)[0]) {
		t.Errorf("second Trash page: %v, cursor %q", apiIDs(p2), cur2)
	}
	apiFail(t, a.apiDo(manager, "GET", "/trash?limit=0", nil), 400, "VALIDATION_FAILED")
	apiFail(t, a.apiDo(manager, "GET", "/trash?cursor=nonsense", nil), 400, "VALIDATION_FAILED")

	// An agent's key sees its own deletions only; a viewer none.
	own, _ := apiLeads(t, a.apiDo(agent, "GET", "/trash", nil), apiTrashFields...)
	if ids := apiIDs(own); !slices.Equal(ids, []string{mine.ID}) {
		t.Errorf("the agent key's Trash: %v, want only its own deletion", ids)
	}
	apiFail(t, a.apiDo(a.secrets[store.RoleViewer], "GET", "/trash", nil), 403, "FORBIDDEN")
	// The Trash is the workspace's.
	globex := a.workspace("Globex")
	_, gs := a.apiKey(globex, "Globex key", store.RoleAdmin)
	if g, _ := apiLeads(t, a.apiDo(gs, "GET", "/trash", nil), apiTrashFields...); len(g) != 0 {
		t.Errorf("Globex's key sees Acme's Trash: %v", apiIDs(g))
	}
}

func TestAPIRestorePutsTheLeadBackAndRefusesActiveForeignAndOthersLeads(t *testing.T) {
	a := newAPIApp(t)
	agent, manager := a.secrets[store.RoleAgent], a.secrets[store.RoleManager]
	west := a.pool("West")
	l := a.lead(a.ws, store.LeadInput{Name: ptr("Rex Restore"), Status: ptr("qualified"), PoolID: &west.ID,
		Tags: &[]string{"t1"}, Metadata: map[string]any{"k": "v"}})
	before := apiCheckLead(t, apiOK(t, a.apiDo(agent, "GET", "/leads/"+l.ID, nil), 200))
	apiOK(t, a.apiDo(agent, "DELETE", "/leads/"+l.ID, nil), 200)

	r := a.apiDo(agent, "POST", "/trash/"+l.ID+"/restore", nil)
	back := apiCheckLead(t, apiOK(t, r, 200))
	for _, f := range apiLeadFields {
		if fmt.Sprint(back[f]) != fmt.Sprint(before[f]) && f != "updatedAt" {
			t.Errorf("restored lead: %s = %v, was %v", f, back[f], before[f])
		}
	}
	apiCheckLead(t, apiOK(t, a.apiDo(agent, "GET", "/leads/"+l.ID, nil), 200))

	// An active lead: 409. Unknown, malformed or foreign: 404.
	apiFail(t, a.apiDo(manager, "POST", "/trash/"+l.ID+"/restore", nil), 409, "CONFLICT")
	globex := a.workspace("Globex")
	gl := a.lead(globex, store.LeadInput{Name: ptr("Gia Globex")})
	if _, err := a.st.DeleteLeads(context.Background(), globex, store.UserActor(a.admin), store.DeleteRequest{IDs: []string{gl.ID}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{apiRandomLeadID(5), "nope", gl.ID} {
		d := apiFail(t, a.apiDo(manager, "POST", "/trash/"+id+"/restore", nil), 404, "LEAD_NOT_FOUND")
		if d["leadId"] != id {
			t.Errorf("restore %s: details %v", id, d)
		}
	}
	// An agent's key restores only its own deletions; a viewer nothing.
	o := a.namedLead("Oli Other")
	a.trashLeads(a.admin, "other", o.ID)
	apiFail(t, a.apiDo(agent, "POST", "/trash/"+o.ID+"/restore", nil), 403, "FORBIDDEN")
	apiFail(t, a.apiDo(a.secrets[store.RoleViewer], "POST", "/trash/"+o.ID+"/restore", nil), 403, "FORBIDDEN")
	if !a.storedLead(o.ID).InTrash() {
		t.Fatal("a refused restore restored the lead")
	}
	apiOK(t, a.apiDo(manager, "POST", "/trash/"+o.ID+"/restore", nil), 200)
}

func TestAPIPurgeIsForAdminKeysAndAfterItTheLeadIsGone(t *testing.T) {
	a := newAPIApp(t)
	admin := a.secrets[store.RoleAdmin]
	l := a.lead(a.ws, store.LeadInput{Name: ptr("Pia Purge"), Email: ptr("pia@purge.test")})
	active := a.namedLead("Abe Active")
	d := apiObj(t, a.apiDo(admin, "DELETE", "/leads/"+l.ID, nil), 200)

	for _, r := range []store.Role{store.RoleViewer, store.RoleAgent, store.RoleManager} {
		apiFail(t, a.apiDo(a.secrets[r], "DELETE", "/trash/"+l.ID, nil), 403, "FORBIDDEN")
	}
	if !a.storedLead(l.ID).InTrash() {
		t.Fatal("a refused purge purged the lead")
	}
	apiFail(t, a.apiDo(admin, "DELETE", "/trash/"+active.ID, nil), 409, "CONFLICT")
	apiFail(t, a.apiDo(admin, "DELETE", "/trash/"+apiRandomLeadID(6), nil), 404, "LEAD_NOT_FOUND")
	apiFail(t, a.apiDo(admin, "DELETE", "/trash/nope", nil), 404, "LEAD_NOT_FOUND")

	r := a.apiDo(admin, "DELETE", "/trash/"+l.ID, nil)
	p := apiObj(t, r, 200)
	if p["id"] != l.ID {
		t.Errorf("purge answered %v", p)
	}
	if _, err := a.st.Lead(context.Background(), a.ws.ID, l.ID); err == nil {
		t.Error("the purged lead is still in the store")
	}
	// Gone: restore and undo say so; GET and DELETE say not found, as the guide expects.
	apiFail(t, a.apiDo(admin, "POST", "/trash/"+l.ID+"/restore", nil), 410, "GONE")
	apiFail(t, a.apiDo(admin, "POST", "/batches/"+d["batchId"].(string)+"/undo", nil), 410, "GONE")
	apiFail(t, a.apiDo(admin, "GET", "/leads/"+l.ID, nil), 404, "LEAD_NOT_FOUND")
	apiFail(t, a.apiDo(admin, "DELETE", "/leads/"+l.ID, nil), 404, "LEAD_NOT_FOUND")
	apiFail(t, a.apiDo(admin, "PUT", "/leads/"+l.ID, map[string]any{"name": "X"}), 404, "LEAD_NOT_FOUND")
	if r := a.apiDo(admin, "DELETE", "/trash/"+l.ID, nil); r.status != 410 && r.status != 404 {
		t.Errorf("purging a purged lead again: %v", r)
	}
	if trash, _ := apiLeads(t, a.apiDo(admin, "GET", "/trash", nil), apiTrashFields...); len(trash) != 0 {
		t.Errorf("the Trash still lists %v", apiIDs(trash))
	}
}

// --- GET /audit

func TestAPIAuditEntriesNameTheKey(t *testing.T) {
	a := newAPIApp(t)
	manager := a.secrets[store.RoleManager]
	zap, zapSecret := a.apiKey(a.ws, "Zapier sync", store.RoleManager)
	l := a.namedLead("Abby Audit")
	d := apiObj(t, a.apiDo(zapSecret, "DELETE", "/leads/"+l.ID+"?reason=invalid", nil), 200)
	apiOK(t, a.apiDo(zapSecret, "POST", "/batches/"+d["batchId"].(string)+"/undo", nil), 200)

	data := apiObj(t, a.apiDo(manager, "GET", "/audit", nil), 200)
	if got := apiKeysOf(data); !slices.Equal(got, []string{"entries", "nextCursor"}) {
		t.Errorf("data keys %v", got)
	}
	if _, ok := data["nextCursor"]; !ok || data["nextCursor"] != nil {
		t.Errorf("nextCursor %v, want null", data["nextCursor"])
	}
	entries, _ := data["entries"].([]any)
	var del, undo map[string]any
	for _, v := range entries {
		e := v.(map[string]any)
		if got := apiKeysOf(e); !slices.Equal(got, []string{"action", "actor", "at", "batchId", "count", "id", "leadId", "reason"}) {
			t.Errorf("entry keys %v", got)
		}
		actor, ok := e["actor"].(map[string]any)
		if !ok || !slices.Equal(apiKeysOf(actor), []string{"id", "kind", "name"}) {
			t.Errorf("actor %v", e["actor"])
			continue
		}
		apiTime(t, "at", e["at"])
		if actor["id"] == zap.ID {
			switch e["action"] {
			case "delete":
				del = e
			case "undo":
				undo = e
			}
		}
	}
	if del == nil || undo == nil {
		t.Fatalf("the audit has no delete and undo by the key: %s", excerpt(fmt.Sprint(entries)))
	}
	if actor := del["actor"].(map[string]any); actor["kind"] != "key" || !strings.Contains(fmt.Sprint(actor["name"]), "Zapier sync") {
		t.Errorf("the delete's actor %v, want kind key, named Zapier sync", actor)
	}
	if del["leadId"] != l.ID || del["batchId"] != d["batchId"] || apiNum(del["count"]) != 1 || del["reason"] != "invalid" {
		t.Errorf("the delete entry %v", del)
	}
	if undo["batchId"] != d["batchId"] || apiNum(undo["count"]) != 1 {
		t.Errorf("the undo entry %v", undo)
	}

	// Filters and paging.
	byKey, _ := apiObj(t, a.apiDo(manager, "GET", "/audit?actor="+zap.ID, nil), 200)["entries"].([]any)
	if len(byKey) != 2 {
		t.Errorf("audit?actor=key: %d entries, want 2", len(byKey))
	}
	page := apiObj(t, a.apiDo(manager, "GET", "/audit?limit=1", nil), 200)
	if es, _ := page["entries"].([]any); len(es) != 1 || page["nextCursor"] == nil {
		t.Errorf("audit?limit=1: %v", page)
	}
	apiFail(t, a.apiDo(manager, "GET", "/audit?limit=abc", nil), 400, "VALIDATION_FAILED")
	apiFail(t, a.apiDo(a.secrets[store.RoleAgent], "GET", "/audit", nil), 403, "FORBIDDEN")
	apiFail(t, a.apiDo(a.secrets[store.RoleViewer], "GET", "/audit", nil), 403, "FORBIDDEN")
}

// --- keys and roles

func TestAPIEveryWrongAuthorizationIs401NeverA500(t *testing.T) {
	a := newAPIApp(t)
	valid := a.secrets[store.RoleViewer]
	revokedKey, revoked := a.apiKey(a.ws, "Old key", store.RoleAdmin)
	if _, err := a.st.RevokeAPIKey(context.Background(), a.ws.ID, store.UserActor(a.admin), revokedKey.ID); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{
		"", "Bearer", "Bearer ", "Bearer    ", "Basic xxx", "Basic " + valid, "Bearer sk-wrong", "Bearer sk-",
		"Bearer " + revoked, "Token " + valid, valid, "Bearer " + valid + "x", "Bearer " + valid[:len(valid)-1],
		"Bearer " + strings.ToUpper(valid), "Bearer key_" + valid, "Bearer " + strings.Repeat("sk-", 200),
		"Bearer " + valid + " extra", "Bearer%20" + valid, "Bearer:" + valid, "Bearer sk-" + strings.Repeat("0", 48),
	} {
		for _, path := range []string{"/leads", "/leads/" + apiRandomLeadID(7), "/trash", "/audit"} {
			r := a.apiDo("", "GET", path, nil, "Authorization", h)
			if r.status >= 500 {
				t.Fatalf("Authorization %q answered %v", h, r)
			}
			apiFail(t, r, 401, "UNAUTHORIZED")
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("Authorization %q: a 401 without WWW-Authenticate", h)
			}
		}
	}
	// A write without a key writes nothing.
	before := a.leadCount()
	apiFail(t, a.apiDo("", "POST", "/leads", map[string]any{"name": "No Key"}), 401, "UNAUTHORIZED")
	if a.leadCount() != before {
		t.Error("a request without a key created a lead")
	}
	// The scheme is case-insensitive and extra spaces are forgiven.
	for _, h := range []string{"bearer " + valid, "BEARER " + valid, "Bearer  " + valid, " Bearer " + valid + " "} {
		apiOK(t, a.apiDo("", "GET", "/leads", nil, "Authorization", h), 200)
	}
	// The OpenAPI document needs no key.
	if r := a.apiDo("", "GET", "/openapi.json", nil); r.status != 200 || r.body["openapi"] == nil {
		t.Errorf("GET /api/v1/openapi.json without a key: %v", r)
	}
}

func TestAPIRolesDecideWhatAKeyMayDo(t *testing.T) {
	a := newAPIApp(t)
	v, ag, m, ad := a.secrets[store.RoleViewer], a.secrets[store.RoleAgent], a.secrets[store.RoleManager], a.secrets[store.RoleAdmin]
	l := a.namedLead("Rio Roles")
	ids := a.lostLeads("Role", 2)
	before := a.apiActiveIDs(a.ws)

	// Viewers read, nothing else.
	apiOK(t, a.apiDo(v, "GET", "/leads", nil), 200)
	apiOK(t, a.apiDo(v, "GET", "/leads/"+l.ID, nil), 200)
	for _, r := range []*apiRes{
		a.apiDo(v, "POST", "/leads", map[string]any{"name": "V"}),
		a.apiDo(v, "PUT", "/leads/"+l.ID, map[string]any{"name": "V"}),
		a.apiDo(v, "DELETE", "/leads/"+l.ID, nil),
		a.apiDo(v, "POST", "/leads/bulk-delete", map[string]any{"ids": ids, "reason": "other"}),
		// Agents delete one by one, but not in bulk, and read no audit.
		a.apiDo(ag, "POST", "/leads/bulk-delete", map[string]any{"ids": ids, "reason": "other"}),
		a.apiDo(ag, "POST", "/leads/bulk-delete", map[string]any{"filter": map[string]any{"status": "lost"}, "expectedCount": 2, "reason": "other"}),
		a.apiDo(ag, "GET", "/audit", nil),
	} {
		d := apiFail(t, r, 403, "FORBIDDEN")
		_ = d
	}
	if after := a.apiActiveIDs(a.ws); !slices.Equal(after, before) {
		t.Fatal("a forbidden request changed the leads")
	}
	apiOK(t, a.apiDo(ag, "DELETE", "/leads/"+l.ID, nil), 200)
	apiOK(t, a.apiDo(m, "POST", "/leads/bulk-delete", map[string]any{"ids": ids, "reason": "other"}), 200)
	apiOK(t, a.apiDo(ad, "GET", "/audit", nil), 200)
}

// --- the rate limit

func TestAPIScriptWalkingPagesIsNeverLimited(t *testing.T) {
	a := newAPIApp(t)
	a.seed(20)
	secret := a.secrets[store.RoleViewer]
	// 300 requests as fast as one client sends them one after the other: DESIGN.md
	// says at least 300 requests a minute pass.
	start := time.Now()
	for i := range 300 {
		r := a.apiDo(secret, "GET", "/leads?limit=5", nil)
		if r.status == http.StatusTooManyRequests {
			t.Fatalf("request %d of 300 (after %v) was rate limited: %v", i+1, time.Since(start), r)
		}
		apiOK(t, r, 200)
	}
}

func TestAPIRunawayLoopGets429WithRetryAfterPerKey(t *testing.T) {
	a := newAPIApp(t)
	a.stopClock() // no token comes back while the clock stands still
	secret := a.secrets[store.RoleAgent]
	var limited *apiRes
	n := 0
	for n = 1; n <= 2000; n++ {
		r := a.apiDo(secret, "GET", "/leads?limit=1", nil)
		if r.status == http.StatusTooManyRequests {
			limited = r
			break
		}
		apiOK(t, r, 200)
	}
	if limited == nil {
		t.Fatal("2000 requests in an instant were never limited")
	}
	if n <= 300 {
		t.Errorf("limited after %d requests in an instant; at least 300 must pass", n-1)
	}
	apiFail(t, limited, 429, "RATE_LIMITED")
	ra, err := strconv.Atoi(limited.header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 {
		t.Errorf("Retry-After %q, want whole seconds", limited.header.Get("Retry-After"))
	}
	// A limited write writes nothing; another key is not limited.
	before := a.leadCount()
	apiFail(t, a.apiDo(secret, "POST", "/leads", map[string]any{"name": "Limited"}), 429, "RATE_LIMITED")
	apiOK(t, a.apiDo(a.secrets[store.RoleViewer], "GET", "/leads", nil), 200)
	if a.leadCount() != before {
		t.Error("a limited request wrote a lead")
	}
}

// --- routes

func TestAPIUnknownRoutesAndMethodsAnswerJSON(t *testing.T) {
	a := newAPIApp(t)
	admin := a.secrets[store.RoleAdmin]
	l := a.namedLead("Pat Patch")
	for _, c := range []struct{ method, path string }{
		{"PATCH", "/leads/" + l.ID}, {"PATCH", "/leads"}, {"DELETE", "/leads"}, {"PUT", "/leads"},
		{"GET", "/batches/bat_0000000000000000/undo"}, {"POST", "/trash"},
		{"GET", "/trash/" + l.ID + "/restore"}, {"POST", "/audit"}, {"POST", "/openapi.json"},
	} {
		for _, secret := range []string{admin, ""} {
			r := a.apiDo(secret, c.method, c.path, nil)
			apiFail(t, r, 405, "METHOD_NOT_ALLOWED")
			if r.header.Get("Allow") == "" {
				t.Logf("%s %s: 405 without an Allow header", c.method, c.path)
			}
		}
	}
	if got := a.storedLead(l.ID); got.Name != "Pat Patch" || got.InTrash() {
		t.Error("a 405 changed the lead")
	}
	for _, p := range []string{"/nope", "/v2/leads", "/batches", "/trash/" + l.ID + "/purge"} {
		for _, secret := range []string{admin, ""} {
			apiFail(t, a.apiDo(secret, "GET", p, nil), 404, "NOT_FOUND")
		}
	}
	r := apiSend(t, a.srv.URL, admin, "GET", "", nil)
	apiFail(t, r, 404, "NOT_FOUND")
}

func TestAPIRouteBelowALeadIsNotFoundNotALeadID(t *testing.T) {
	a := newAPIApp(t)
	l := a.namedLead("Sub Route")
	below := []struct{ method, path string }{
		{"GET", "/leads/" + l.ID + "/notes"}, {"PUT", "/leads/" + l.ID + "/tags"}, {"DELETE", "/leads/" + l.ID + "/x"},
		{"DELETE", "/trash/" + l.ID + "/purge"}, {"POST", "/trash/" + l.ID + "/restore/now"},
	}
	for _, c := range below {
		apiFail(t, a.apiDo(a.secrets[store.RoleAdmin], c.method, c.path, map[string]any{}), 404, "NOT_FOUND")
	}
	if a.storedLead(l.ID).InTrash() {
		t.Fatal("a request below the lead's route deleted it")
	}
	t.Run("without a key", func(t *testing.T) {
		for _, c := range below {
			if r := a.apiDo("", c.method, c.path, nil); r.status != 404 || r.body["code"] != "NOT_FOUND" {
				t.Errorf("%v\nwant 404 NOT_FOUND", r)
			}
		}
	})
}
