package web

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"leadkeep/store"
)

// Tests of who may do what in the console: the policy matrix generated from the
// router, workspace walls, the settings page, people and roles, sessions and
// platform operators. Helpers of this file are prefixed "pol" so that they never
// clash with other files of the package.

// --- helpers of this file

// polDB is a raw connection to the app's database file, to see what the console
// changed without going through the store.
func polDB(t *testing.T, app *testApp) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+app.st.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// polSnapshotQueries describe everything a refused request must leave as it was.
var polSnapshotQueries = []struct{ name, query string }{
	{"active leads", `SELECT count(*) FROM leads WHERE deleted_at IS NULL`},
	{"trashed leads", `SELECT count(*) FROM leads WHERE deleted_at IS NOT NULL`},
	{"lead rows", `SELECT COALESCE(group_concat(x, ';'), '') FROM (SELECT id || '|' || workspace_id || '|' || pool_id || '|' ||
		name || '|' || status || '|' || updated_at || '|' || COALESCE(deleted_at, '') || '|' || COALESCE(batch_id, '') || '|' ||
		COALESCE(held_at, '') AS x FROM leads ORDER BY id)`},
	{"batches (all/undone/restored/purged)", `SELECT count(*) || '/' || count(undone_at) || '/' || count(restored_at) || '/' || count(purged_at) FROM batches`},
	{"audit rows", `SELECT count(*) FROM audit`},
	{"notes", `SELECT count(*) FROM notes`},
	{"tags", `SELECT count(*) FROM tags`},
	{"activity", `SELECT count(*) FROM activity`},
	{"users", `SELECT COALESCE(group_concat(x, ';'), '') FROM (SELECT id || '|' || workspace_id || '|' || email || '|' || role || '|' ||
		operator || '|' || COALESCE(deactivated_at, '') AS x FROM users ORDER BY id)`},
	{"sessions (all/revoked)", `SELECT count(*) || '/' || count(revoked_at) FROM sessions`},
	{"session workspaces", `SELECT COALESCE(group_concat(x, ';'), '') FROM (SELECT id || '@' || workspace_id AS x FROM sessions ORDER BY id)`},
	{"workspace settings", `SELECT COALESCE(group_concat(x, ';'), '') FROM (SELECT id || '|' || name || '|' || retention_days || '|' ||
		purge_hour || '|' || timezone || '|' || reason_required AS x FROM workspaces ORDER BY id)`},
	{"tombstones", `SELECT count(*) FROM tombstones`},
	{"lead counters", `SELECT COALESCE(group_concat(x, ';'), '') FROM (SELECT workspace_id || '|' || pool_id || '|' || status || '|' ||
		contact || '|' || active || '|' || trashed AS x FROM lead_counts ORDER BY 1)`},
	{"event counters", `SELECT COALESCE(group_concat(x, ';'), '') FROM (SELECT workspace_id || '|' || event || '|' || slot || '|' ||
		actor_id || '|' || leads || '|' || actions AS x FROM event_counts ORDER BY 1)`},
	{"suppressions", `SELECT count(*) FROM suppressions`},
	{"api keys", `SELECT COALESCE(group_concat(x, ';'), '') FROM (SELECT id || '|' || workspace_id || '|' || name || '|' || role || '|' ||
		COALESCE(revoked_at, '') AS x FROM api_keys ORDER BY id)`},
}

// polSnapshot is the state of the database that matters to the policy, by name.
type polSnapshot map[string]string

func polSnap(t *testing.T, db *sql.DB) polSnapshot {
	t.Helper()
	s := polSnapshot{}
	for _, q := range polSnapshotQueries {
		var v any
		if err := db.QueryRow(q.query).Scan(&v); err != nil {
			t.Fatalf("snapshot %s: %v", q.name, err)
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		s[q.name] = fmt.Sprint(v)
	}
	return s
}

// diff names what changed between two snapshots, "" when nothing did.
func (s polSnapshot) diff(after polSnapshot) string {
	var out []string
	for _, q := range polSnapshotQueries {
		if s[q.name] != after[q.name] {
			out = append(out, fmt.Sprintf("%s: %.300q → %.300q", q.name, s[q.name], after[q.name]))
		}
	}
	return strings.Join(out, "; ")
}

// polUnchanged fails the test when the database changed since before.
func polUnchanged(t *testing.T, db *sql.DB, before polSnapshot, what string) {
	t.Helper()
	if d := before.diff(polSnap(t, db)); d != "" {
		t.Errorf("%s changed the database: %s", what, d)
	}
}

// polInt is one number from the raw database.
func polInt(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// polString is one text value from the raw database.
func polString(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	var s sql.NullString
	if err := db.QueryRow(query, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s.String
}

// polRandomID is an id of the right shape that no row has.
func polRandomID(prefix string) string {
	b := make([]byte, 8)
	_, _ = crand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// polOperator adds a platform operator whose own workspace is ws, with role.
func polOperator(t *testing.T, app *testApp, ws store.Workspace, email, name string, role store.Role) store.User {
	t.Helper()
	u, err := app.st.CreateUser(context.Background(), store.NewUser{WorkspaceID: ws.ID, Email: email, Name: name,
		Role: string(role), Operator: true, Password: testPassword})
	if err != nil {
		t.Fatalf("create operator %s: %v", email, err)
	}
	return u
}

// polLead adds a lead with a name and an e-mail to ws.
func polLead(t *testing.T, app *testApp, ws store.Workspace, name, email string) store.Lead {
	t.Helper()
	l, err := app.st.CreateLead(context.Background(), ws, store.UserActor(app.admin), store.LeadInput{Name: &name, Email: &email})
	if err != nil {
		t.Fatalf("create lead %s: %v", name, err)
	}
	return l
}

// polTrash moves leads of ws to the Trash as one batch deleted by u.
func polTrash(t *testing.T, app *testApp, ws store.Workspace, u store.User, ids ...string) store.Batch {
	t.Helper()
	b, err := app.st.DeleteLeads(context.Background(), ws, store.UserActor(u), store.DeleteRequest{IDs: ids, Reason: "duplicate"})
	if err != nil {
		t.Fatalf("delete %v: %v", ids, err)
	}
	return b
}

// polDefaultPool is the default pool of ws.
func polDefaultPool(t *testing.T, app *testApp, ws store.Workspace) string {
	t.Helper()
	pools, err := app.st.Pools(context.Background(), ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools {
		if p.IsDefault {
			return p.ID
		}
	}
	t.Fatalf("workspace %s has no default pool", ws.Name)
	return ""
}

// polSwitch moves an operator's client into ws.
func polSwitch(t *testing.T, c *client, ws store.Workspace) {
	t.Helper()
	res := c.postForm("/operator/switch", url.Values{"workspace": {ws.ID}})
	wantRedirect(t, res, "/leads")
}

// polSessionWorkspace is the workspace the client's session acts in, as stored.
func polSessionWorkspace(t *testing.T, app *testApp, db *sql.DB, c *client) string {
	t.Helper()
	if c.cookie(cookieName) == nil {
		t.Fatal("the client has no session cookie")
	}
	id := polSessionID(t, app.srv.Config.Handler.(*Server), c)
	return polString(t, db, `SELECT workspace_id FROM sessions WHERE id = ?`, id)
}

// polSessionID is the session id the client's cookie holds.
func polSessionID(t *testing.T, srv *Server, c *client) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c.cookie(cookieName))
	sess, err := srv.cookies.Get(req, cookieName)
	if err != nil {
		t.Fatalf("read the session cookie: %v", err)
	}
	id, _ := sess.Values[sessionIDKey].(string)
	return id
}

// polSealSession is a session cookie value holding id, sealed by the cookie store cs.
func polSealSession(t *testing.T, cs *sessions.CookieStore, id string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	sess, _ := cs.New(req, cookieName)
	if id != "" {
		sess.Values[sessionIDKey] = id
	}
	rec := httptest.NewRecorder()
	if err := sess.Save(req, rec); err != nil {
		t.Fatal(err)
	}
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == cookieName {
			return ck.Value
		}
	}
	t.Fatal("no session cookie was written")
	return ""
}

// --- 1. the matrix

// polRoles are the people of the matrix: the four roles of the workspace, and an
// operator whose own workspace is another one, acting in it.
var polRoles = []string{"viewer", "agent", "manager", "admin", "operator"}

// polSessionRole is the role a person of the matrix acts with in the workspace: an
// operator acting in another workspace is an admin there.
func polSessionRole(who string) store.Role {
	if who == "operator" {
		return store.RoleAdmin
	}
	return store.Role(who)
}

type polVariant int

const (
	polOwn     polVariant = iota // ids of the workspace the person acts in
	polForeign                   // ids of another workspace
	polUnknown                   // ids of the right shape that exist nowhere
)

func (v polVariant) String() string { return [...]string{"own", "foreign", "unknown"}[v] }

// How a route takes an id of another workspace.
const (
	polNoID   = ""       // the route names nothing of a workspace
	polPathID = "path"   // in the path: 404, as an unknown id
	polFormID = "form"   // in a form that acts on it: refused as an unknown id, with 404
	polField  = "field"  // a field of a form that creates something: refused as an unknown id
	polFilter = "filter" // a filter: answers as for an unknown id, showing nothing
)

type polReq struct {
	method, path string
	form         url.Values
	upload       []byte // a file to post as the import's upload form does, instead of form
	after        func() // waits for what the request started in the background
}

// polRoute is one row of the matrix: a route as routes() registers it, the action
// it is wrapped with, and how to build a plausible request to it.
type polRoute struct {
	method, path string
	act          action              // the policy action of s.allow(…)
	member       bool                // any signed-in member (no policy action)
	operator     bool                // s.operatorOnly
	foreign      string              // how the route takes another workspace's id
	rows         func(*response) int // a filter's result rows: the own id's, and none of another workspace
	build        func(x *polIDs) polReq
}

func (r polRoute) allowed(who string) bool {
	switch {
	case r.operator:
		return who == "operator"
	case r.member:
		return true
	}
	return can(polSessionRole(who), r.act)
}

func polLeadRows(res *response) int  { return res.doc.Find("tr[data-lead-id]").Length() }
func polAuditRows(res *response) int { return res.doc.Find("tr[data-audit-id]").Length() }

// polCSVRows are the lines of an exported CSV file after its header.
func polCSVRows(res *response) int {
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(res.body), "\n") {
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	return n - 1
}

func polGet(path string) polReq { return polReq{method: http.MethodGet, path: path} }

func polPost(path string, kv ...string) polReq {
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return polReq{method: http.MethodPost, path: path, form: f}
}

// polRoutes is the matrix: every console route of routes(), but the skipped ones.
var polRoutes = []polRoute{
	{method: "GET", path: "/", member: true, build: func(x *polIDs) polReq { return polGet("/") }},
	{method: "GET", path: "/leads", act: actionReadLeads, foreign: polFilter, rows: polLeadRows, build: func(x *polIDs) polReq {
		return polGet("/leads?q=" + x.lead())
	}},
	{method: "GET", path: "/leads/new", act: actionEditLeads, build: func(x *polIDs) polReq { return polGet("/leads/new") }},
	{method: "GET", path: "/leads/export", act: actionExport, foreign: polFilter, rows: polCSVRows, build: func(x *polIDs) polReq {
		return polGet("/leads/export?format=csv&ids=" + x.lead())
	}},
	{method: "GET", path: "/leads/import", act: actionImport, build: func(x *polIDs) polReq { return polGet("/leads/import") }},
	{method: "POST", path: "/leads/import", act: actionImport, build: func(x *polIDs) polReq {
		x.m.n++
		return polReq{method: http.MethodPost, path: "/leads/import", upload: fmt.Appendf(nil, "name\nMatrix Upload %d\n", x.m.n)}
	}},
	{method: "GET", path: "/leads/import/:importId", act: actionImport, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/leads/import/" + x.importID(false))
	}},
	{method: "POST", path: "/leads/import/:importId", act: actionImport, foreign: polPathID, build: func(x *polIDs) polReq {
		id := x.importID(false)
		r := polPost("/leads/import/" + id)
		if x.v == polOwn && can(polSessionRole(x.who), actionImport) {
			r.after = func() { imWaitDone(x.m.t, x.m.clients[x.who], id) }
		}
		return r
	}},
	{method: "GET", path: "/leads/import/:importId/report", act: actionImport, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/leads/import/" + x.importID(true) + "/report")
	}},
	{method: "POST", path: "/leads/import/:importId/undo", act: actionImport, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/leads/import/" + x.importID(true) + "/undo")
	}},
	{method: "POST", path: "/leads/bulk-delete", act: actionBulkDelete, foreign: polFormID, build: func(x *polIDs) polReq {
		return polPost("/leads/bulk-delete", "ids", x.lead(), "reason", "duplicate", "details", "matrix")
	}},
	{method: "POST", path: "/leads", act: actionEditLeads, foreign: polField, build: func(x *polIDs) polReq {
		return polPost("/leads", "name", "Matrix Created", "email", "", "phone", "", "company", "", "status", "new",
			"pool", x.pool(), "tags", "")
	}},
	{method: "GET", path: "/leads/:id", act: actionReadLeads, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/leads/" + x.lead())
	}},
	{method: "GET", path: "/leads/:id/edit", act: actionEditLeads, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/leads/" + x.lead() + "/edit")
	}},
	{method: "POST", path: "/leads/:id", act: actionEditLeads, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/leads/"+x.lead(), "name", "Matrix Edited", "email", "", "phone", "", "company", "", "status", "contacted",
			"pool", x.m.ownPool, "tags", "")
	}},
	{method: "POST", path: "/leads/:id/notes", act: actionEditLeads, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/leads/"+x.lead()+"/notes", "body", "x")
	}},
	{method: "GET", path: "/leads/:id/delete", act: actionDeleteLead, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/leads/" + x.lead() + "/delete")
	}},
	{method: "POST", path: "/leads/:id/delete", act: actionDeleteLead, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/leads/"+x.lead()+"/delete", "reason", "duplicate", "details", "matrix")
	}},
	{method: "POST", path: "/undo/:batchId", act: actionUndoOwn, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/undo/" + x.batch())
	}},
	{method: "GET", path: "/trash", act: actionTrashOwn, foreign: polFilter, rows: polLeadRows, build: func(x *polIDs) polReq {
		return polGet("/trash?q=" + x.trashed())
	}},
	{method: "POST", path: "/trash/bulk-restore", act: actionTrashOwn, foreign: polFormID, build: func(x *polIDs) polReq {
		return polPost("/trash/bulk-restore", "ids", x.trashed())
	}},
	{method: "POST", path: "/trash/bulk-purge", act: actionPurge, foreign: polFormID, build: func(x *polIDs) polReq {
		return polPost("/trash/bulk-purge", "ids", x.trashed())
	}},
	{method: "POST", path: "/trash/:id/restore", act: actionTrashOwn, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/trash/" + x.trashed() + "/restore")
	}},
	{method: "GET", path: "/trash/:id/purge", act: actionPurge, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/trash/" + x.trashed() + "/purge")
	}},
	{method: "POST", path: "/trash/:id/purge", act: actionPurge, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/trash/" + x.trashed() + "/purge")
	}},
	{method: "POST", path: "/trash/batches/:batchId/restore", act: actionTrashOwn, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/trash/batches/" + x.batch() + "/restore")
	}},
	{method: "GET", path: "/trash/batches/:batchId/purge", act: actionPurge, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/trash/batches/" + x.batch() + "/purge")
	}},
	{method: "POST", path: "/trash/batches/:batchId/purge", act: actionPurge, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/trash/batches/" + x.batch() + "/purge")
	}},
	{method: "GET", path: "/audit", act: actionReadAuditLog, foreign: polFilter, rows: polAuditRows, build: func(x *polIDs) polReq {
		return polGet("/audit?lead=" + x.trashed())
	}},
	{method: "GET", path: "/stats", act: actionReadStats, build: func(x *polIDs) polReq { return polGet("/stats") }},
	{method: "GET", path: "/settings", act: actionSettings, build: func(x *polIDs) polReq { return polGet("/settings") }},
	{method: "POST", path: "/settings", act: actionSettings, build: func(x *polIDs) polReq {
		return polPost("/settings", "retention_days", "30", "purge_hour", "2", "timezone", "UTC")
	}},
	{method: "POST", path: "/settings/users", act: actionSettings, build: func(x *polIDs) polReq {
		x.m.n++
		return polPost("/settings/users", "name", "Matrix Person", "email", fmt.Sprintf("matrix-new-%d@acme.test", x.m.n),
			"role", "agent", "password", testPassword)
	}},
	{method: "POST", path: "/settings/users/:userId/role", act: actionSettings, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/settings/users/"+x.user()+"/role", "role", "manager")
	}},
	{method: "POST", path: "/settings/users/:userId/deactivate", act: actionSettings, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/settings/users/" + x.user() + "/deactivate")
	}},
	{method: "POST", path: "/settings/users/:userId/reactivate", act: actionSettings, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/settings/users/" + x.inactive() + "/reactivate")
	}},
	{method: "POST", path: "/settings/keys", act: actionSettings, build: func(x *polIDs) polReq {
		return polPost("/settings/keys", "name", "Matrix key", "role", "agent")
	}},
	{method: "POST", path: "/settings/keys/:keyId/revoke", act: actionSettings, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/settings/keys/" + x.key() + "/revoke")
	}},
	{method: "GET", path: "/leads/:id/spam", act: actionDeleteLead, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/leads/" + x.lead() + "/spam")
	}},
	{method: "POST", path: "/leads/:id/spam", act: actionDeleteLead, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/leads/"+x.lead()+"/spam", "details", "matrix")
	}},
	{method: "GET", path: "/trash/:id/hold", act: actionHold, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/trash/" + x.trashed() + "/hold")
	}},
	{method: "POST", path: "/trash/:id/hold", act: actionHold, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/trash/"+x.trashed()+"/hold", "reason", "matrix case")
	}},
	{method: "POST", path: "/trash/:id/release", act: actionHold, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/trash/" + x.id("held", x.m.foreign.trashed, "lead_") + "/release")
	}},
	{method: "GET", path: "/trash/batches/:batchId/hold", act: actionHold, foreign: polPathID, build: func(x *polIDs) polReq {
		return polGet("/trash/batches/" + x.batch() + "/hold")
	}},
	{method: "POST", path: "/trash/batches/:batchId/hold", act: actionHold, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/trash/batches/"+x.batch()+"/hold", "reason", "matrix case")
	}},
	{method: "POST", path: "/trash/batches/:batchId/release", act: actionHold, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/trash/batches/" + x.id("heldbatch", x.m.foreign.batch, "bat_") + "/release")
	}},
	{method: "GET", path: "/settings/suppressions", act: actionSettings, build: func(x *polIDs) polReq { return polGet("/settings/suppressions") }},
	{method: "POST", path: "/settings/suppressions", act: actionSettings, build: func(x *polIDs) polReq {
		x.m.n++
		return polPost("/settings/suppressions", "value", fmt.Sprintf("matrix-sup-%d@acme.test", x.m.n))
	}},
	{method: "POST", path: "/settings/suppressions/:supId/lift", act: actionSettings, foreign: polPathID, build: func(x *polIDs) polReq {
		return polPost("/settings/suppressions/" + x.id("suppression", x.m.foreign.sup, "sup_") + "/lift")
	}},
	{method: "GET", path: "/operator", operator: true, build: func(x *polIDs) polReq { return polGet("/operator?q=Matrix") }},
	{method: "POST", path: "/operator/restore", operator: true, build: func(x *polIDs) polReq {
		return polPost("/operator/restore", "workspace", x.m.app.ws.ID, "lead", x.fresh("trashed"))
	}},
	{method: "GET", path: "/operator/erase", operator: true, build: func(x *polIDs) polReq { return polGet("/operator/erase") }},
	{method: "POST", path: "/operator/erase", operator: true, build: func(x *polIDs) polReq {
		return polPost("/operator/erase", "workspace", x.m.app.ws.ID, "email", "nobody@acme.test", "reference", "REQ-1")
	}},
	{method: "GET", path: "/operator/erasures/:erasureId", operator: true, build: func(x *polIDs) polReq {
		return polGet("/operator/erasures/" + x.fresh("erasure"))
	}},
	{method: "POST", path: "/operator/switch", operator: true, build: func(x *polIDs) polReq {
		return polPost("/operator/switch", "workspace", x.m.app.ws.ID)
	}},
}

// polSkipped are the routes outside the matrix: public, or not about a workspace.
var polSkipped = map[string]bool{
	"GET /static/*": true, // the embedded files
	"GET /healthz":  true, // liveness, no session
	"GET /metrics":  true, // loopback and operators only (metrics_test.go)
	"GET /login":    true,
	"POST /login":   true,
	"POST /logout":  true,
}

// polSkippedPrefix is the REST API: Bearer keys, not sessions (tests of its own).
const polSkippedPrefix = "/api/"

// polMatrix is the world of the matrix: the workspace Acme with a person of each
// role, an operator of Ops acting in Acme, and Globex, the other side of the wall.
type polMatrix struct {
	t       *testing.T
	app     *testApp
	db      *sql.DB
	users   map[string]store.User // by polRoles name
	clients map[string]*client
	ownPool string
	foreign struct{ lead, trashed, batch, user, inactive, pool, key, sup, importID string }
	secrets []string // what of Globex no page of Acme may show
	n       int
}

func newPolMatrix(t *testing.T) *polMatrix {
	app := newTestApp(t)
	app.stopClock()
	m := &polMatrix{t: t, app: app, db: polDB(t, app), users: map[string]store.User{}, clients: map[string]*client{}}
	ctx := context.Background()
	m.users["admin"] = app.admin
	for _, r := range []store.Role{store.RoleViewer, store.RoleAgent, store.RoleManager} {
		m.users[string(r)] = app.user(app.ws, string(r)+"@acme.test", "Acme "+string(r), r)
	}
	ops := app.workspace("Ops")
	m.users["operator"] = polOperator(t, app, ops, "op@ops.test", "Olga Operator", store.RoleAgent)
	m.ownPool = polDefaultPool(t, app, app.ws)

	globex := app.workspace("Globex")
	gAdmin := app.user(globex, "boss@globex.test", "Gus Globexboss", store.RoleAdmin)
	fl := polLead(t, app, globex, "Zelda Foreignperson", "zelda@globex.test")
	ft := polLead(t, app, globex, "Yorick Foreigntrash", "yorick@globex.test")
	fb := polLead(t, app, globex, "Xavier Foreignbatch", "xavier@globex.test")
	polTrash(t, app, globex, gAdmin, ft.ID)
	b := polTrash(t, app, globex, gAdmin, fb.ID)
	fu := app.user(globex, "member@globex.test", "Wanda Globexmember", store.RoleAgent)
	fi := app.user(globex, "gone@globex.test", "Victor Globexgone", store.RoleAgent)
	if _, err := app.st.Deactivate(ctx, globex.ID, store.UserActor(gAdmin), fi.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := app.st.AddNote(ctx, globex.ID, store.UserActor(gAdmin), fl.ID, "Secret note of Globex"); err != nil {
		t.Fatal(err)
	}
	m.foreign.lead, m.foreign.trashed, m.foreign.batch = fl.ID, ft.ID, b.ID
	m.foreign.user, m.foreign.inactive, m.foreign.pool = fu.ID, fi.ID, polDefaultPool(t, app, globex)
	fk, _, err := app.st.CreateAPIKey(ctx, globex.ID, store.UserActor(gAdmin), "Globex Secret Key", "admin")
	if err != nil {
		t.Fatal(err)
	}
	m.foreign.key = fk.ID
	if err := app.st.Suppress(ctx, globex, store.UserActor(gAdmin), "spammer@globex.test"); err != nil {
		t.Fatal(err)
	}
	sups, err := app.st.Suppressions(ctx, globex.ID, 1)
	if err != nil || len(sups.Items) != 1 {
		t.Fatal(err, sups)
	}
	m.foreign.sup = sups.Items[0].ID
	// An import of Globex, run, with a row it refused (its values are in its report).
	gc := app.signedIn("boss@globex.test")
	m.foreign.importID = imUpload(t, gc, "globex-secret-list.csv", "name,email\nUrsula Foreignimport,ursula@globex.test\nRefused Foreignrow,bad\n")
	imRunAndWait(t, gc, m.foreign.importID, nil)
	m.secrets = []string{"Zelda Foreignperson", "zelda@globex.test", "Yorick Foreigntrash", "yorick@globex.test",
		"Xavier Foreignbatch", "xavier@globex.test", "Gus Globexboss", "Wanda Globexmember", "member@globex.test",
		"Victor Globexgone", "Secret note of Globex", "Globex Secret Key", "globex-secret-list", "Ursula Foreignimport",
		"Refused Foreignrow"}

	for _, who := range polRoles {
		m.clients[who] = app.signedIn(m.users[who].Email)
	}
	polSwitch(t, m.clients["operator"], app.ws)
	return m
}

// polIDs hands out the ids one request of the matrix needs: fresh ones of the
// workspace (so that an allowed change never spoils a later case), Globex's, or
// unknown ones.
type polIDs struct {
	m   *polMatrix
	who string
	v   polVariant
}

func (x *polIDs) fresh(what string) string {
	m := x.m
	t := m.t
	t.Helper()
	m.n++
	ctx := context.Background()
	switch what {
	case "lead":
		return polLead(t, m.app, m.app.ws, fmt.Sprintf("Matrix Lead %d", m.n), "").ID
	case "trashed", "batch":
		l := polLead(t, m.app, m.app.ws, fmt.Sprintf("Matrix Trashed %d", m.n), "")
		b := polTrash(t, m.app, m.app.ws, m.users[x.who], l.ID)
		if what == "batch" {
			return b.ID
		}
		return l.ID
	case "user", "inactive":
		u := m.app.user(m.app.ws, fmt.Sprintf("matrix-%d@acme.test", m.n), fmt.Sprintf("Matrix Member %d", m.n), store.RoleAgent)
		if what == "inactive" {
			if _, err := m.app.st.Deactivate(ctx, m.app.ws.ID, store.UserActor(m.app.admin), u.ID); err != nil {
				t.Fatal(err)
			}
		}
		return u.ID
	case "key":
		k, _, err := m.app.st.CreateAPIKey(ctx, m.app.ws.ID, store.UserActor(m.app.admin), fmt.Sprintf("Matrix key %d", m.n), "agent")
		if err != nil {
			t.Fatal(err)
		}
		return k.ID
	case "held", "heldbatch":
		l := polLead(t, m.app, m.app.ws, fmt.Sprintf("Matrix Held %d", m.n), "")
		b := polTrash(t, m.app, m.app.ws, m.users[x.who], l.ID)
		if _, err := m.app.st.Hold(ctx, m.app.ws.ID, store.UserActor(m.app.admin), store.HoldTarget{LeadID: l.ID}, "matrix"); err != nil {
			t.Fatal(err)
		}
		if what == "heldbatch" {
			return b.ID
		}
		return l.ID
	case "suppression":
		if err := m.app.st.Suppress(ctx, m.app.ws, store.UserActor(m.app.admin), fmt.Sprintf("+1415555%04d", m.n)); err != nil {
			t.Fatal(err)
		}
		sups, err := m.app.st.Suppressions(ctx, m.app.ws.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		return sups.Items[0].ID
	case "erasure":
		l := polLead(t, m.app, m.app.ws, fmt.Sprintf("Matrix Erased %d", m.n), fmt.Sprintf("erased-%d@acme.test", m.n))
		e, err := m.app.st.Erase(ctx, m.app.ws, store.UserActor(m.users["operator"]), store.ErasureRequest{LeadID: l.ID, Reference: "REQ-matrix"})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	t.Fatalf("fresh %s?", what)
	return ""
}

func (x *polIDs) id(what, foreign, prefix string) string {
	switch x.v {
	case polForeign:
		return foreign
	case polUnknown:
		return polRandomID(prefix)
	}
	return x.fresh(what)
}

func (x *polIDs) lead() string    { return x.id("lead", x.m.foreign.lead, "lead_") }
func (x *polIDs) trashed() string { return x.id("trashed", x.m.foreign.trashed, "lead_") }
func (x *polIDs) batch() string   { return x.id("batch", x.m.foreign.batch, "bat_") }
func (x *polIDs) user() string    { return x.id("user", x.m.foreign.user, "usr_") }
func (x *polIDs) key() string     { return x.id("key", x.m.foreign.key, "key_") }
func (x *polIDs) inactive() string {
	return x.id("inactive", x.m.foreign.inactive, "usr_")
}

// importID is an import of the person's, uploaded (and, with run, run) as they
// would; one of Globex; or unknown. A role that may not import gets an id of the
// right shape: the policy refuses it before it is looked at.
func (x *polIDs) importID(run bool) string {
	switch {
	case x.v == polForeign:
		return x.m.foreign.importID
	case x.v == polUnknown || !can(polSessionRole(x.who), actionImport):
		return polRandomID("bat_")
	}
	x.m.n++
	c := x.m.clients[x.who]
	id := imUpload(x.m.t, c, "matrix.csv", fmt.Sprintf("name\nMatrix Imported %d\n", x.m.n))
	if run {
		imRunAndWait(x.m.t, c, id, nil)
	}
	return id
}

func (x *polIDs) pool() string {
	switch x.v {
	case polForeign:
		return x.m.foreign.pool
	case polUnknown:
		return polRandomID("pool_")
	}
	return x.m.ownPool
}

func (m *polMatrix) send(who string, r polReq) *response {
	c := m.clients[who]
	var res *response
	switch {
	case r.method == http.MethodGet:
		res = c.getPage(r.path)
	case r.upload != nil:
		res = c.upload("matrix.csv", r.upload)
	default:
		res = c.postForm(r.path, r.form)
	}
	if r.after != nil && res.StatusCode < 400 {
		r.after()
	}
	return res
}

// TestPolicyMatrixEveryRouteEveryRoleBothSidesOfTheWall sends a request to every
// console route the router has, as every role, with ids of the workspace, of
// another workspace and unknown ones, and checks the answer against the policy
// table: allowed is never 403, refused is 403 and changes nothing, another
// workspace's id is a 404 like an unknown one and shows nothing of it.
func TestPolicyMatrixEveryRouteEveryRoleBothSidesOfTheWall(t *testing.T) {
	m := newPolMatrix(t)
	srv := m.app.srv.Config.Handler.(*Server)

	// Every registered route is in the matrix or explicitly skipped, and every
	// row of the matrix is a registered route.
	inMatrix := map[string]bool{}
	for _, r := range polRoutes {
		inMatrix[r.method+" "+r.path] = true
	}
	registered := map[string]bool{}
	for _, r := range srv.echo.Routes() {
		if r.Method == echo.RouteNotFound { // the "/*" catch-alls of e.RouteNotFound and the group
			continue
		}
		key := r.Method + " " + r.Path
		registered[key] = true
		if !inMatrix[key] && !polSkipped[key] && !strings.HasPrefix(r.Path, polSkippedPrefix) {
			t.Errorf("route %s is neither in the policy matrix (polRoutes) nor skipped (polSkipped): add it", key)
		}
	}
	for key := range inMatrix {
		if !registered[key] {
			t.Errorf("the matrix has %s, which routes() does not register", key)
		}
	}
	for key := range polSkipped {
		if !registered[key] {
			t.Errorf("skipped route %s is not registered", key)
		}
	}

	requests := 0
	for _, r := range polRoutes {
		for _, who := range polRoles {
			allowed := r.allowed(who)
			status := map[polVariant]int{}
			for _, v := range []polVariant{polOwn, polUnknown, polForeign} {
				if v != polOwn && r.foreign == polNoID {
					continue
				}
				x := &polIDs{m: m, who: who, v: v}
				req := r.build(x)
				label := fmt.Sprintf("%s %s as %s (%s ids: %s %s)", r.method, r.path, who, v, req.method, req.path)
				before := polSnap(t, m.db)
				res := m.send(who, req)
				requests++
				status[v] = res.StatusCode
				for _, s := range m.secrets {
					if strings.Contains(res.body, s) {
						t.Errorf("%s: the answer shows %q of another workspace", label, s)
					}
				}
				if res.StatusCode >= 500 {
					t.Errorf("%s: status %d\n%s", label, res.StatusCode, excerpt(res.body))
					continue
				}
				if res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.location(), "/login") {
					t.Errorf("%s: the session ended (303 to %s)", label, res.location())
					continue
				}
				switch {
				case !allowed:
					if res.StatusCode != http.StatusForbidden {
						t.Errorf("%s: status %d, want 403 (the policy does not allow it)", label, res.StatusCode)
					}
				case v == polOwn:
					if res.StatusCode == http.StatusForbidden || res.StatusCode >= 400 {
						t.Errorf("%s: status %d, want success (the policy allows it)\n%s", label, res.StatusCode, excerpt(res.body))
					}
				case r.foreign == polPathID || r.foreign == polFormID:
					if res.StatusCode != http.StatusNotFound {
						t.Errorf("%s: status %d, want 404", label, res.StatusCode)
					}
				case r.foreign == polField:
					if res.StatusCode < 400 || res.StatusCode == http.StatusForbidden {
						t.Errorf("%s: status %d, want a refusal (4xx, not 403)", label, res.StatusCode)
					}
				case r.foreign == polFilter:
					if res.StatusCode == http.StatusForbidden {
						t.Errorf("%s: status 403 for a filter", label)
					}
				}
				if allowed && r.rows != nil && res.StatusCode == http.StatusOK {
					n := r.rows(res)
					if v == polOwn && n != 1 {
						t.Errorf("%s: %d result rows, want the workspace's 1", label, n)
					}
					if v != polOwn && n != 0 {
						t.Errorf("%s: %d result rows, want none", label, n)
					}
				}
				if v != polOwn || res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusNotFound || res.StatusCode >= 400 {
					polUnchanged(t, m.db, before, label)
				}
			}
			// Another workspace's ids answer exactly as ids that exist nowhere: the
			// answer never tells that they exist.
			if r.foreign != polNoID && status[polForeign] != status[polUnknown] {
				t.Errorf("%s %s as %s: status %d for another workspace's id but %d for an unknown one",
					r.method, r.path, who, status[polForeign], status[polUnknown])
			}
		}
	}
	t.Logf("%d routes, %d roles, %d requests", len(polRoutes), len(polRoles), requests)

	// The navigation offers exactly the pages the policy opens.
	for _, who := range polRoles {
		page := m.clients[who].getPage("/leads")
		wantStatus(t, page, http.StatusOK)
		role := polSessionRole(who)
		for href, want := range map[string]bool{
			"/leads":    can(role, actionReadLeads),
			"/trash":    can(role, actionTrashOwn),
			"/audit":    can(role, actionReadAuditLog),
			"/stats":    can(role, actionReadStats),
			"/settings": can(role, actionSettings),
			"/operator": who == "operator",
		} {
			if got := page.doc.Find(`nav a[href="`+href+`"]`).Length() == 1; got != want {
				t.Errorf("as %s, the navigation links to %s: %v, want %v", who, href, got, want)
			}
		}
	}

	// An agent's Trash is their own deletions: a bulk restore reaches no one else's.
	other := polLead(t, m.app, m.app.ws, "Matrix Managers Deletion", "")
	polTrash(t, m.app, m.app.ws, m.users["manager"], other.ID)
	agent := m.clients["agent"]
	for _, form := range []url.Values{{"ids": {other.ID}}, {"all_matching": {"1"}, "q": {other.ID}, "expected_count": {"1"}}} {
		before := polSnap(t, m.db)
		res := agent.postForm("/trash/bulk-restore", form)
		if res.StatusCode < 400 {
			t.Errorf("an agent's bulk restore %v of a manager's deletion: status %d, want a refusal", form, res.StatusCode)
		}
		polUnchanged(t, m.db, before, fmt.Sprintf("an agent's bulk restore %v of a manager's deletion", form))
	}
}

// TestAnotherWorkspacesTrashedOrPurgedLeadIsNotFoundLikeAnUnknownOne: a lead of
// another workspace in its Trash, or purged there (a tombstone), is as unknown as an
// id that never existed, on every page that takes a lead or batch id.
func TestAnotherWorkspacesTrashedOrPurgedLeadIsNotFoundLikeAnUnknownOne(t *testing.T) {
	app := newTestApp(t)
	app.stopClock()
	db := polDB(t, app)
	globex := app.workspace("Globex")
	gAdmin := app.user(globex, "boss@globex.test", "Gus Globexboss", store.RoleAdmin)
	trashed := polLead(t, app, globex, "Yorick Foreigntrash", "yorick@globex.test")
	tb := polTrash(t, app, globex, gAdmin, trashed.ID)
	purged := polLead(t, app, globex, "Pia Foreignpurged", "pia@globex.test")
	pb := polTrash(t, app, globex, gAdmin, purged.ID)
	if _, err := app.st.PurgeLeads(context.Background(), globex.ID, store.UserActor(gAdmin), []string{purged.ID}); err != nil {
		t.Fatal(err)
	}
	ops := app.workspace("Ops")
	polOperator(t, app, ops, "op@ops.test", "Olga Operator", store.RoleAgent)
	admin := app.signedIn("admin@acme.test")
	admin.getPage("/leads")
	op := app.signedIn("op@ops.test")
	polSwitch(t, op, app.ws) // an operator acting in Acme is held by Acme's wall too

	unknownLead, unknownBatch := polRandomID("lead_"), polRandomID("bat_")
	paths := []polReq{
		polGet("/leads/%s"), polGet("/leads/%s/edit"), polGet("/leads/%s/delete"),
		polPost("/leads/%s/notes", "body", "x"), polPost("/leads/%s/delete", "reason", "duplicate"),
		polPost("/trash/%s/restore"), polGet("/trash/%s/purge"), polPost("/trash/%s/purge"),
		polPost("/trash/bulk-restore", "ids", "%s"), polPost("/trash/bulk-purge", "ids", "%s"),
	}
	batchPaths := []polReq{polPost("/undo/%s"), polPost("/trash/batches/%s/restore"), polGet("/trash/batches/%s/purge"),
		polPost("/trash/batches/%s/purge")}
	fill := func(r polReq, id string) polReq {
		out := polReq{method: r.method, path: strings.ReplaceAll(r.path, "%s", id), form: url.Values{}}
		for k, vs := range r.form {
			for _, v := range vs {
				out.form.Add(k, strings.ReplaceAll(v, "%s", id))
			}
		}
		return out
	}
	send := func(c *client, r polReq) *response {
		if r.method == http.MethodGet {
			return c.getPage(r.path)
		}
		return c.postForm(r.path, r.form)
	}
	for who, c := range map[string]*client{"admin": admin, "operator": op} {
		check := func(templ polReq, ids map[string]string) {
			status := map[string]int{}
			for kind, id := range ids {
				r := fill(templ, id)
				before := polSnap(t, db)
				res := send(c, r)
				status[kind] = res.StatusCode
				label := fmt.Sprintf("%s %s as %s (%s)", r.method, r.path, who, kind)
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("%s: status %d, want 404", label, res.StatusCode)
				}
				for _, secret := range []string{"Yorick", "yorick@globex.test", "Pia", "pia@globex.test", "Gus Globexboss", "permanently deleted"} {
					if strings.Contains(res.body, secret) {
						t.Errorf("%s: the answer shows %q", label, secret)
					}
				}
				polUnchanged(t, db, before, label)
			}
		}
		for _, p := range paths {
			check(p, map[string]string{"trashed in Globex": trashed.ID, "purged in Globex": purged.ID, "unknown": unknownLead})
		}
		for _, p := range batchPaths {
			check(p, map[string]string{"trashed batch of Globex": tb.ID, "purged batch of Globex": pb.ID, "unknown": unknownBatch})
		}
	}
}

// --- 2. settings

func TestSettingsPageShowsTheRulesAndThePeople(t *testing.T) {
	app := newTestApp(t)
	agent := app.user(app.ws, "agent@acme.test", "Andy Agent", store.RoleAgent)
	c := app.signedIn("admin@acme.test")
	res := c.getPage("/settings")
	wantStatus(t, res, http.StatusOK)
	for name, want := range map[string]string{"retention_days": "30", "purge_hour": "2", "timezone": "UTC"} {
		in := res.doc.Find(`form[action="/settings"] input[name="` + name + `"]`)
		if in.Length() != 1 {
			t.Errorf("no %s field", name)
			continue
		}
		if v, _ := in.Attr("value"); v != want {
			t.Errorf("%s shows %q, want %q", name, v, want)
		}
		if id, _ := in.Attr("id"); id == "" || res.doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("the %s field has no label", name)
		}
	}
	box := res.doc.Find(`form[action="/settings"] input[type="checkbox"][name="reason_required"]`)
	if box.Length() != 1 {
		t.Fatal("no reason_required check box")
	}
	if _, checked := box.Attr("checked"); checked {
		t.Error("reason_required is checked, but the workspace does not require a reason")
	}
	for _, u := range []store.User{app.admin, agent} {
		row := res.doc.Find(`tr[data-user-id="` + u.ID + `"]`)
		if row.Length() != 1 {
			t.Errorf("the people table has no row for %s", u.Email)
			continue
		}
		if txt := row.Text(); !strings.Contains(txt, u.Name) || !strings.Contains(txt, u.Email) {
			t.Errorf("the row of %s says %q", u.Email, strings.Join(strings.Fields(txt), " "))
		}
	}
	if res.doc.Find(`form[action="/settings/users/`+agent.ID+`/role"] select[name="role"]`).Length() != 1 {
		t.Error("no role form for the agent")
	}
	if res.doc.Find(`form[action="/settings/users/`+app.admin.ID+`/role"]`).Length() != 0 {
		t.Error("the admin is offered to change their own role")
	}
	if res.doc.Find(`form[action="/settings/users"] input[name="email"]`).Length() != 1 {
		t.Error("no form to add a person")
	}
}

func TestSavingValidSettingsStoresThemWithAnAuditRow(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	c := app.signedIn("admin@acme.test")
	c.getPage("/settings")
	res := c.postForm("/settings", url.Values{"retention_days": {"45"}, "purge_hour": {"4"}, "timezone": {"Europe/Berlin"},
		"reason_required": {"1"}})
	wantRedirect(t, res, "/settings")
	var days, hour, reason int
	var tz string
	if err := db.QueryRow(`SELECT retention_days, purge_hour, timezone, reason_required FROM workspaces WHERE id = ?`, app.ws.ID).
		Scan(&days, &hour, &tz, &reason); err != nil {
		t.Fatal(err)
	}
	if days != 45 || hour != 4 || tz != "Europe/Berlin" || reason != 1 {
		t.Errorf("stored %d days, hour %d, %s, reason %d; want 45, 4, Europe/Berlin, 1", days, hour, tz, reason)
	}
	if n := polInt(t, db, `SELECT count(*) FROM audit WHERE workspace_id = ? AND action = 'settings' AND actor_id = ?`,
		app.ws.ID, app.admin.ID); n != 1 {
		t.Errorf("%d settings audit rows, want 1", n)
	}
	page := c.getPage("/settings")
	wantStatus(t, page, http.StatusOK)
	if v, _ := page.doc.Find(`input[name="retention_days"]`).Attr("value"); v != "45" {
		t.Errorf("the page shows retention %q after saving 45", v)
	}
	if v, _ := page.doc.Find(`input[name="timezone"]`).Attr("value"); v != "Europe/Berlin" {
		t.Errorf("the page shows time zone %q after saving Europe/Berlin", v)
	}
	if _, checked := page.doc.Find(`input[name="reason_required"]`).Attr("checked"); !checked {
		t.Error("reason_required is not checked after saving it on")
	}
	if !strings.Contains(toastTexts(page.doc), "Settings saved") {
		t.Errorf("no confirmation: toasts say %q", toastTexts(page.doc))
	}

	// The bounds are valid values.
	for _, b := range [][2]int{{0, 0}, {365, 23}} {
		res := c.postForm("/settings", url.Values{"retention_days": {fmt.Sprint(b[0])}, "purge_hour": {fmt.Sprint(b[1])},
			"timezone": {"America/New_York"}})
		wantRedirect(t, res, "/settings")
		if err := db.QueryRow(`SELECT retention_days, purge_hour, reason_required FROM workspaces WHERE id = ?`, app.ws.ID).
			Scan(&days, &hour, &reason); err != nil {
			t.Fatal(err)
		}
		if days != b[0] || hour != b[1] || reason != 0 {
			t.Errorf("stored %d days, hour %d, reason %d; want %d, %d, 0", days, hour, reason, b[0], b[1])
		}
	}
	if n := polInt(t, db, `SELECT count(*) FROM audit WHERE workspace_id = ? AND action = 'settings'`, app.ws.ID); n != 3 {
		t.Errorf("%d settings audit rows after three saves, want 3", n)
	}
}

func TestBadSettingsAreRefusedNextToTheFieldAndNothingChanges(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	c := app.signedIn("admin@acme.test")
	c.getPage("/settings")
	valid := map[string]string{"retention_days": "30", "purge_hour": "2", "timezone": "UTC"}
	for _, tc := range []struct{ field, value string }{
		{"retention_days", "-1"}, {"retention_days", "366"}, {"retention_days", "abc"}, {"retention_days", ""},
		{"purge_hour", "24"}, {"purge_hour", "-1"}, {"purge_hour", "two"},
		{"timezone", "Mars/Olympus"}, {"timezone", "Local"},
	} {
		form := url.Values{"reason_required": {"1"}}
		for k, v := range valid {
			form.Set(k, v)
		}
		form.Set(tc.field, tc.value)
		before := polSnap(t, db)
		res := c.postForm("/settings", form)
		label := fmt.Sprintf("%s=%q", tc.field, tc.value)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", label, res.StatusCode)
		}
		if res.doc.Find(`.field-error#err-`+tc.field).Length() != 1 {
			t.Errorf("%s: no .field-error next to the field; page says %q", label, excerpt(pageText(res.doc)))
		}
		if v, _ := res.doc.Find(`input[name="` + tc.field + `"]`).Attr("aria-invalid"); v != "true" {
			t.Errorf("%s: the field is not marked aria-invalid", label)
		}
		if v, _ := res.doc.Find(`input[name="` + tc.field + `"]`).Attr("value"); v != tc.value {
			t.Errorf("%s: the form shows %q, not what was typed", label, v)
		}
		polUnchanged(t, db, before, label)
	}
}

func TestReasonRequiredCheckBoxAcceptsOneOnTrueAndAbsentIsOff(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	c := app.signedIn("admin@acme.test")
	c.getPage("/settings")
	stored := func() int {
		return polInt(t, db, `SELECT reason_required FROM workspaces WHERE id = ?`, app.ws.ID)
	}
	base := url.Values{"retention_days": {"30"}, "purge_hour": {"2"}, "timezone": {"UTC"}}
	for _, v := range []string{"1", "on", "true"} {
		f := url.Values{"reason_required": {v}}
		for k, vals := range base {
			f[k] = vals
		}
		wantRedirect(t, c.postForm("/settings", f), "/settings")
		if stored() != 1 {
			t.Errorf("reason_required=%s did not turn it on", v)
		}
		wantRedirect(t, c.postForm("/settings", base), "/settings")
		if stored() != 0 {
			t.Errorf("reason_required absent (after %s) did not turn it off", v)
		}
	}
}

// --- 3. people and roles

func TestAddingAPersonLetsThemSignIn(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	c := app.signedIn("admin@acme.test")
	c.getPage("/settings")
	// A forged "operator" field makes nobody a platform operator.
	res := c.postForm("/settings/users", url.Values{"name": {"Pat Newcomer"}, "email": {"Pat@Acme.test"}, "role": {"manager"},
		"password": {"a long first password"}, "operator": {"1"}, "workspace": {polRandomID("ws_")}})
	wantRedirect(t, res, "/settings")
	if n := polInt(t, db, `SELECT count(*) FROM users WHERE email = 'pat@acme.test' AND role = 'manager' AND workspace_id = ?
		AND operator = 0 AND deactivated_at IS NULL`, app.ws.ID); n != 1 {
		t.Fatalf("%d users pat@acme.test (manager of Acme, not an operator), want 1", n)
	}
	if n := polInt(t, db, `SELECT count(*) FROM audit WHERE workspace_id = ? AND action = 'user.add'`, app.ws.ID); n != 1 {
		t.Errorf("%d user.add audit rows, want 1", n)
	}
	page := c.getPage("/settings")
	if !strings.Contains(page.doc.Find("table").Text(), "Pat Newcomer") {
		t.Error("the people table does not list the new person")
	}
	pat := app.newClient()
	wantRedirect(t, pat.signIn("pat@acme.test", "a long first password"), "/leads")
	wantStatus(t, pat.getPage("/audit"), http.StatusOK) // a manager's powers
	wantStatus(t, pat.getPage("/settings"), http.StatusForbidden)
}

func TestAddingAPersonWithBadInputCreatesNobody(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	c := app.signedIn("admin@acme.test")
	c.getPage("/settings")
	good := map[string]string{"name": "Quinn Quill", "email": "quinn@acme.test", "role": "agent", "password": testPassword}
	for _, tc := range []struct {
		field, value string
		status       int
	}{
		{"email", "not-an-email", http.StatusUnprocessableEntity},
		{"email", "", http.StatusUnprocessableEntity},
		{"password", "short", http.StatusUnprocessableEntity},
		{"role", "overlord", http.StatusUnprocessableEntity},
		{"role", "operator", http.StatusUnprocessableEntity},
		{"email", "admin@acme.test", http.StatusConflict},
		{"email", "ADMIN@acme.test", http.StatusConflict},
	} {
		form := url.Values{}
		for k, v := range good {
			form.Set(k, v)
		}
		form.Set(tc.field, tc.value)
		label := fmt.Sprintf("%s=%q", tc.field, tc.value)
		before := polSnap(t, db)
		res := c.postForm("/settings/users", form)
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", label, res.StatusCode, tc.status)
		}
		if res.doc.Find(`.field-error#err-`+tc.field).Length() != 1 {
			t.Errorf("%s: no .field-error next to the field; page says %q", label, excerpt(pageText(res.doc)))
		}
		if strings.Contains(res.body, testPassword) {
			t.Errorf("%s: the page shows the password again", label)
		}
		polUnchanged(t, db, before, label)
	}
}

func TestChangingARoleGivesThePersonTheNewPowersAtTheirNextRequest(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	ann := app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	admin := app.signedIn("admin@acme.test")
	admin.getPage("/settings")
	annC := app.signedIn("ann@acme.test")
	wantStatus(t, annC.getPage("/audit"), http.StatusForbidden)

	wantRedirect(t, admin.postForm("/settings/users/"+ann.ID+"/role", url.Values{"role": {"manager"}}), "/settings")
	wantStatus(t, annC.getPage("/audit"), http.StatusOK) // same session, new powers
	if n := polInt(t, db, `SELECT count(*) FROM audit WHERE workspace_id = ? AND action = 'user.role' AND actor_id = ?`,
		app.ws.ID, app.admin.ID); n != 1 {
		t.Errorf("%d user.role audit rows, want 1", n)
	}

	wantRedirect(t, admin.postForm("/settings/users/"+ann.ID+"/role", url.Values{"role": {"viewer"}}), "/settings")
	wantStatus(t, annC.getPage("/audit"), http.StatusForbidden)
	wantStatus(t, annC.getPage("/leads/new"), http.StatusForbidden)
	wantStatus(t, annC.getPage("/leads"), http.StatusOK)

	// A role that does not exist changes nothing.
	for _, bad := range []string{"superuser", "", "Admin", "operator"} {
		before := polSnap(t, db)
		res := admin.postForm("/settings/users/"+ann.ID+"/role", url.Values{"role": {bad}})
		if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("role %q: status %d, want 400 or 422", bad, res.StatusCode)
		}
		polUnchanged(t, db, before, fmt.Sprintf("role %q", bad))
	}
}

func TestPeopleOfAnotherWorkspaceCannotBeChanged(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	globex := app.workspace("Globex")
	app.user(globex, "boss@globex.test", "Gus Globexboss", store.RoleAdmin)
	other := app.user(globex, "member@globex.test", "Wanda Globexmember", store.RoleAgent)
	admin := app.signedIn("admin@acme.test")
	admin.getPage("/settings")
	for _, tc := range []struct{ path, role string }{
		{"/settings/users/" + other.ID + "/role", "admin"},
		{"/settings/users/" + other.ID + "/deactivate", ""},
		{"/settings/users/" + other.ID + "/reactivate", ""},
	} {
		before := polSnap(t, db)
		res := admin.postForm(tc.path, url.Values{"role": {tc.role}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: status %d, want 404", tc.path, res.StatusCode)
		}
		if strings.Contains(res.body, "Wanda") || strings.Contains(res.body, "member@globex.test") {
			t.Errorf("POST %s: the answer names the other workspace's user", tc.path)
		}
		polUnchanged(t, db, before, "POST "+tc.path)
	}
	if strings.Contains(admin.getPage("/settings").body, "Wanda") {
		t.Error("the settings page lists another workspace's user")
	}
}

func TestNobodyChangesTheirOwnRoleOrAccess(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	app.user(app.ws, "admin2@acme.test", "Second Admin", store.RoleAdmin) // so that "last admin" is not the reason
	admin := app.signedIn("admin@acme.test")
	admin.getPage("/settings")
	for _, tc := range []struct{ path, role string }{
		{"/settings/users/" + app.admin.ID + "/role", "viewer"},
		{"/settings/users/" + app.admin.ID + "/deactivate", ""},
	} {
		before := polSnap(t, db)
		res := admin.postForm(tc.path, url.Values{"role": {tc.role}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s (self): status %d, want 403", tc.path, res.StatusCode)
		}
		polUnchanged(t, db, before, "POST "+tc.path+" (self)")
	}
	wantStatus(t, admin.getPage("/settings"), http.StatusOK)
}

func TestTheLastAdminCannotBeDemotedOrDeactivated(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	second := app.user(app.ws, "admin2@acme.test", "Second Admin", store.RoleAdmin)
	ops := app.workspace("Ops")
	polOperator(t, app, ops, "op@ops.test", "Olga Operator", store.RoleAgent)

	admin := app.signedIn("admin@acme.test")
	admin.getPage("/settings")
	wantRedirect(t, admin.postForm("/settings/users/"+second.ID+"/deactivate", nil), "/settings")

	// Only an operator acting in the workspace is "another" with the power to
	// change the last admin.
	op := app.signedIn("op@ops.test")
	polSwitch(t, op, app.ws)
	for _, tc := range []struct{ path, role string }{
		{"/settings/users/" + app.admin.ID + "/role", "manager"},
		{"/settings/users/" + app.admin.ID + "/deactivate", ""},
	} {
		before := polSnap(t, db)
		res := op.postForm(tc.path, url.Values{"role": {tc.role}})
		if res.StatusCode != http.StatusConflict {
			t.Errorf("POST %s (last admin): status %d, want 409", tc.path, res.StatusCode)
		}
		if !strings.Contains(pageText(res.doc), "last admin") {
			t.Errorf("POST %s: the page says %q, want it to say it is the last admin", tc.path, excerpt(pageText(res.doc)))
		}
		polUnchanged(t, db, before, "POST "+tc.path+" (last admin)")
	}
	wantStatus(t, admin.getPage("/settings"), http.StatusOK)

	// With the second admin back, either may be demoted.
	wantRedirect(t, admin.postForm("/settings/users/"+second.ID+"/reactivate", nil), "/settings")
	wantRedirect(t, op.postForm("/settings/users/"+app.admin.ID+"/role", url.Values{"role": {"manager"}}), "/settings")
	if r := polString(t, db, `SELECT role FROM users WHERE id = ?`, app.admin.ID); r != "manager" {
		t.Errorf("the first admin is %s, want manager", r)
	}
}

func TestDeactivationEndsTheSessionAtOnceAndReactivationLetsThemBack(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	ann := app.user(app.ws, "ann@acme.test", "Ann Agent", store.RoleAgent)
	admin := app.signedIn("admin@acme.test")
	admin.getPage("/settings")
	annC := app.signedIn("ann@acme.test")
	wantStatus(t, annC.getPage("/leads"), http.StatusOK)

	wantRedirect(t, admin.postForm("/settings/users/"+ann.ID+"/deactivate", nil), "/settings")
	wantRedirect(t, annC.getPage("/leads"), "/login")
	if n := polInt(t, db, `SELECT count(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL`, ann.ID); n != 0 {
		t.Errorf("%d live sessions of the deactivated user", n)
	}
	if n := polInt(t, db, `SELECT count(*) FROM audit WHERE workspace_id = ? AND action = 'user.deactivate'`, app.ws.ID); n != 1 {
		t.Errorf("%d user.deactivate audit rows, want 1", n)
	}

	again := app.newClient()
	res := again.signIn("ann@acme.test", testPassword)
	wantStatus(t, res, http.StatusUnauthorized)
	if !strings.Contains(res.body, "Wrong e-mail or password") {
		t.Errorf("a deactivated sign-in says %q", excerpt(pageText(res.doc)))
	}
	page := admin.getPage("/settings")
	if page.doc.Find(`form[action="/settings/users/`+ann.ID+`/reactivate"]`).Length() != 1 {
		t.Error("no Reactivate for the deactivated user")
	}

	wantRedirect(t, admin.postForm("/settings/users/"+ann.ID+"/reactivate", nil), "/settings")
	wantRedirect(t, annC.getPage("/leads"), "/login") // the old session stays ended
	wantRedirect(t, again.signIn("ann@acme.test", testPassword), "/leads")
	wantStatus(t, again.getPage("/leads"), http.StatusOK)
}

// --- 4. sessions

func TestIdleSessionEndsAfterThirtyMinutes(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	c := app.signedIn("admin@acme.test")
	clock.advance(29 * time.Minute)
	wantStatus(t, c.getPage("/leads"), http.StatusOK)
	clock.advance(31 * time.Minute)
	wantRedirect(t, c.getPage("/leads"), "/login")
	wantRedirect(t, c.getPage("/settings"), "/login")
}

func TestBusySessionLivesTwelveHoursThenEnds(t *testing.T) {
	app := newTestApp(t)
	clock := app.stopClock()
	c := app.signedIn("admin@acme.test")
	for m := 20; m <= 12*60; m += 20 {
		clock.advance(20 * time.Minute)
		if res := c.getPage("/leads"); res.StatusCode != http.StatusOK {
			t.Fatalf("used every 20 minutes, the session ended after %v (status %d)", time.Duration(m)*time.Minute, res.StatusCode)
		}
	}
	clock.advance(time.Minute) // 12 h 1 min after signing in, 1 min idle
	wantRedirect(t, c.getPage("/leads"), "/login")
	wantRedirect(t, c.signIn("admin@acme.test", testPassword), "/leads")
	wantStatus(t, c.getPage("/leads"), http.StatusOK)
}

func TestEverySignInIssuesANewSessionCookie(t *testing.T) {
	app := newTestApp(t)
	seen := map[string]bool{}
	a := app.signedIn("admin@acme.test")
	b := app.signedIn("admin@acme.test")
	for i, v := range []string{a.cookie(cookieName).Value, b.cookie(cookieName).Value} {
		if seen[v] {
			t.Errorf("sign-in %d reused a session cookie", i+1)
		}
		seen[v] = true
	}
	for i := 0; i < 2; i++ {
		wantRedirect(t, a.signIn("admin@acme.test", testPassword), "/leads")
		v := a.cookie(cookieName).Value
		if seen[v] {
			t.Errorf("signing in again kept a session cookie value")
		}
		seen[v] = true
	}
	wantStatus(t, a.getPage("/leads"), http.StatusOK)
	wantStatus(t, b.getPage("/leads"), http.StatusOK) // another browser's session is its own
}

func TestTamperedSessionCookiesAreSignedOutNeverAnError(t *testing.T) {
	app := newTestApp(t)
	good := app.signedIn("admin@acme.test")
	v := good.cookie(cookieName).Value
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	u, _ := url.Parse(app.srv.URL)
	for name, bad := range map[string]string{
		"one character changed (start)":  flip(v, 3),
		"one character changed (middle)": flip(v, len(v)/2),
		"one character changed (end)":    flip(v, len(v)-2),
		"truncated":                      v[:len(v)/2],
		"doubled":                        v + v,
		"garbage":                        "garbage|||%%%",
		"empty":                          "",
		"base64 of nothing":              "MTIzNHxhYmNkfGVmZ2g=",
	} {
		c := app.newClient()
		c.getPage("/login") // a CSRF token for the POST below
		c.http.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: bad, Path: "/"}})
		res := c.getPage("/leads")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
			t.Errorf("%s: GET /leads → %d %s, want 303 to /login", name, res.StatusCode, res.location())
		}
		res = c.postForm("/leads", url.Values{"name": {"Sneaky"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
			t.Errorf("%s: POST /leads → %d %s, want 303 to /login", name, res.StatusCode, res.location())
		}
		if res := c.getPage("/login"); res.StatusCode != http.StatusOK {
			t.Errorf("%s: GET /login → %d, want the sign-in form", name, res.StatusCode)
		}
	}
	// A cookie sealed with another secret, though it names the live session, and a
	// cookie sealed with the right secret naming no live session.
	srv := app.srv.Config.Handler.(*Server)
	other := make([]byte, 32)
	_, _ = crand.Read(other)
	sid := polSessionID(t, srv, good)
	control := app.newClient() // the right secret and the live id: signed in, so the forgeries below are fair
	control.http.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: polSealSession(t, srv.cookies, sid), Path: "/"}})
	wantStatus(t, control.getPage("/leads"), http.StatusOK)
	for name, forged := range map[string]string{
		"another secret, the live session id": polSealSession(t, newCookieStore(Config{Secret: other, Sessions: srv.cfg.Sessions}), sid),
		"the right secret, a made-up id":      polSealSession(t, srv.cookies, polRandomID("ses_")+"0123456789abcdef0123456789abcdef"),
		"the right secret, no id":             polSealSession(t, srv.cookies, ""),
	} {
		c := app.newClient()
		c.http.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: forged, Path: "/"}})
		res := c.getPage("/leads")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
			t.Errorf("%s: GET /leads → %d %s, want 303 to /login", name, res.StatusCode, res.location())
		}
	}
	if app.leadCount() != 0 {
		t.Error("a tampered cookie created a lead")
	}
	wantStatus(t, good.getPage("/leads"), http.StatusOK)
}

func TestLogoutRevokesTheSessionOnTheServer(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	c := app.signedIn("admin@acme.test")
	old := c.cookie(cookieName).Value
	wantStatus(t, c.getPage("/leads"), http.StatusOK)
	if n := polInt(t, db, `SELECT count(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL`, app.admin.ID); n != 1 {
		t.Fatalf("%d live sessions before signing out, want 1", n)
	}
	wantRedirect(t, c.postForm("/logout", nil), "/login")
	if n := polInt(t, db, `SELECT count(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL`, app.admin.ID); n != 0 {
		t.Errorf("%d live sessions after signing out, want 0", n)
	}
	replay := app.newClient()
	u, _ := url.Parse(app.srv.URL)
	replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: old, Path: "/"}})
	wantRedirect(t, replay.getPage("/leads"), "/login")
}

// --- 5. operators

// polOperatorWorld is Acme (with its admin), Globex and Ops, each with leads, and
// an operator whose own workspace is Ops.
type polOperatorWorld struct {
	app             *testApp
	db              *sql.DB
	globex, ops     store.Workspace
	operator        store.User
	acmeActive      []string
	acmeTrashed     store.Lead
	globexActive    []string
	opsActive       []string
	acmeTrashedName string
}

func newPolOperatorWorld(t *testing.T) *polOperatorWorld {
	app := newTestApp(t)
	w := &polOperatorWorld{app: app, db: polDB(t, app)}
	w.globex = app.workspace("Globex")
	w.ops = app.workspace("Ops")
	w.operator = polOperator(t, app, w.ops, "op@ops.test", "Olga Operator", store.RoleViewer)
	for i := 1; i <= 3; i++ {
		w.acmeActive = append(w.acmeActive, polLead(t, app, app.ws, fmt.Sprintf("Acme Lead %d", i), "").ID)
	}
	w.acmeTrashedName = "Acme Trashed"
	w.acmeTrashed = polLead(t, app, app.ws, w.acmeTrashedName, "")
	polTrash(t, app, app.ws, app.admin, w.acmeTrashed.ID)
	for i := 1; i <= 2; i++ {
		w.globexActive = append(w.globexActive, polLead(t, app, w.globex, fmt.Sprintf("Globex Lead %d", i), "").ID)
	}
	w.opsActive = append(w.opsActive, polLead(t, app, w.ops, "Ops Lead", "").ID)
	return w
}

func polSameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestOperatorPageIsForOperatorsOnly(t *testing.T) {
	w := newPolOperatorWorld(t)
	for _, r := range []store.Role{store.RoleViewer, store.RoleAgent, store.RoleManager} {
		w.app.user(w.app.ws, string(r)+"@acme.test", "Acme "+string(r), r)
	}
	for _, email := range []string{"viewer@acme.test", "agent@acme.test", "manager@acme.test", "admin@acme.test"} {
		c := w.app.signedIn(email)
		res := c.getPage("/operator")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: GET /operator → %d, want 403", email, res.StatusCode)
		}
		if strings.Contains(res.body, "Globex") {
			t.Errorf("%s: the refusal names another workspace", email)
		}
		if c.getPage("/leads").doc.Find(`nav a[href="/operator"]`).Length() != 0 {
			t.Errorf("%s: the navigation offers the operator page", email)
		}
	}
}

func TestOperatorSeesEveryWorkspaceWithItsCounts(t *testing.T) {
	w := newPolOperatorWorld(t)
	op := w.app.signedIn("op@ops.test")
	res := op.getPage("/operator")
	wantStatus(t, res, http.StatusOK)
	want := map[string][3]string{
		w.app.ws.ID: {"Acme", "3", "1"},
		w.globex.ID: {"Globex", "2", "0"},
		w.ops.ID:    {"Ops", "1", "0"},
	}
	if n := res.doc.Find("tr[data-workspace-id]").Length(); n != len(want) {
		t.Errorf("%d workspaces listed, want %d", n, len(want))
	}
	for id, wv := range want {
		tr := res.doc.Find(`tr[data-workspace-id="` + id + `"]`)
		if tr.Length() != 1 {
			t.Errorf("workspace %s is not listed", wv[0])
			continue
		}
		text, _ := cells(tr)
		if text("Workspace") != wv[0] || text("Active leads") != wv[1] || text("In the Trash") != wv[2] {
			t.Errorf("row of %s: %q, %q active, %q in the Trash; want %v", wv[0], text("Workspace"), text("Active leads"), text("In the Trash"), wv)
		}
		switchForm := tr.Find(`form[action="/operator/switch"] input[name="workspace"][value="`+id+`"]`).Length() == 1
		if id == w.ops.ID && switchForm {
			t.Error("the operator's own (current) workspace offers a switch")
		}
		if id != w.ops.ID && !switchForm {
			t.Errorf("no switch form for %s", wv[0])
		}
	}
}

func TestOperatorActsInAnotherWorkspaceAuditedThereAndComesBack(t *testing.T) {
	w := newPolOperatorWorld(t)
	acme := w.app.ws
	op := w.app.signedIn("op@ops.test")
	home := op.getPage("/leads")
	wantStatus(t, home, http.StatusOK)
	if !polSameSet(leadIDs(home.doc), w.opsActive) {
		t.Fatalf("at home, the operator sees %v, want Ops's %v", leadIDs(home.doc), w.opsActive)
	}
	if home.doc.Find(".crossing").Length() != 0 {
		t.Error("the crossing banner shows in the operator's own workspace")
	}

	res := op.postForm("/operator/switch", url.Values{"workspace": {acme.ID}})
	wantRedirect(t, res, "/leads")
	if ws := polSessionWorkspace(t, w.app, w.db, op); ws != acme.ID {
		t.Errorf("the session acts in %s, want Acme %s", ws, acme.ID)
	}
	table := op.getPage("/leads")
	wantStatus(t, table, http.StatusOK)
	banner := "You are acting in Acme as a platform operator"
	for path, page := range map[string]*response{"/leads": table, "/trash": op.getPage("/trash"),
		"/leads/" + w.acmeActive[0]: op.getPage("/leads/" + w.acmeActive[0]), "/settings": op.getPage("/settings")} {
		wantStatus(t, page, http.StatusOK)
		if got := strings.Join(strings.Fields(page.doc.Find(".crossing").Text()), " "); !strings.Contains(got, banner) {
			t.Errorf("%s: banner %q, want %q", path, got, banner)
		}
	}
	if !polSameSet(leadIDs(table.doc), w.acmeActive) {
		t.Errorf("acting in Acme, the table lists %v, want Acme's %v", leadIDs(table.doc), w.acmeActive)
	}
	if n := polInt(t, w.db, `SELECT count(*) FROM audit WHERE workspace_id = ? AND action = 'operator.enter' AND actor_id = ?`,
		acme.ID, w.operator.ID); n != 1 {
		t.Errorf("%d operator.enter audit rows in Acme, want 1", n)
	}
	if n := polInt(t, w.db, `SELECT count(*) FROM audit WHERE workspace_id <> ? AND action = 'operator.enter'`, acme.ID); n != 0 {
		t.Errorf("%d operator.enter audit rows outside Acme, want 0", n)
	}

	// An operator restores anything there, and the audit names them.
	wantRedirect(t, op.postForm("/trash/"+w.acmeTrashed.ID+"/restore", nil), "/leads/"+w.acmeTrashed.ID)
	if l := w.app.storedLead(w.acmeTrashed.ID); l.InTrash() {
		t.Error("the operator's restore left the lead in the Trash")
	}
	if who := polString(t, w.db, `SELECT actor_id FROM audit WHERE workspace_id = ? AND action = 'restore' AND lead_id = ?`,
		acme.ID, w.acmeTrashed.ID); who != w.operator.ID {
		t.Errorf("the restore is audited as %q, want the operator %s", who, w.operator.ID)
	}
	audit := op.getPage("/audit?action=restore")
	wantStatus(t, audit, http.StatusOK)
	rows := auditRowsOf(audit.doc)
	if len(rows) != 1 || !strings.Contains(rows[0].who, "Olga Operator") {
		t.Errorf("the audit log shows %+v, want one restore by Olga Operator", rows)
	}

	// An unknown workspace is not found, and the session stays where it was.
	before := polSnap(t, w.db)
	res = op.postForm("/operator/switch", url.Values{"workspace": {polRandomID("ws_")}})
	wantStatus(t, res, http.StatusNotFound)
	polUnchanged(t, w.db, before, "a switch to an unknown workspace")
	if ws := polSessionWorkspace(t, w.app, w.db, op); ws != acme.ID {
		t.Errorf("after a switch to an unknown workspace, the session acts in %s, want Acme", ws)
	}

	// "Back to my workspace" is the banner's form.
	page := op.getPage("/leads")
	back := page.doc.Find(`.crossing form[action="/operator/switch"]`)
	if !strings.Contains(back.Text(), "Back to my workspace") {
		t.Fatalf("the banner has no Back to my workspace: %q", back.Text())
	}
	target, _ := back.Find(`input[name="workspace"]`).Attr("value")
	if target != w.ops.ID {
		t.Errorf("Back to my workspace goes to %q, want Ops %s", target, w.ops.ID)
	}
	wantRedirect(t, op.postForm("/operator/switch", url.Values{"workspace": {target}}), "/leads")
	home = op.getPage("/leads")
	if home.doc.Find(".crossing").Length() != 0 {
		t.Error("back home, the crossing banner still shows")
	}
	if !polSameSet(leadIDs(home.doc), w.opsActive) {
		t.Errorf("back home, the operator sees %v, want Ops's %v", leadIDs(home.doc), w.opsActive)
	}
	if ws := polSessionWorkspace(t, w.app, w.db, op); ws != w.ops.ID {
		t.Errorf("back home, the session acts in %s, want Ops", ws)
	}
	if n := polInt(t, w.db, `SELECT count(*) FROM audit WHERE action = 'operator.enter'`); n != 1 {
		t.Errorf("%d operator.enter rows after coming home, want 1 (coming home is not a crossing)", n)
	}
	// At home the operator has their own role (a viewer here), not an admin's.
	wantStatus(t, op.getPage("/settings"), http.StatusForbidden)
}

func TestNonOperatorCannotSwitchWorkspaces(t *testing.T) {
	w := newPolOperatorWorld(t)
	admin := w.app.signedIn("admin@acme.test")
	admin.getPage("/leads")
	before := polSnap(t, w.db)
	res := admin.postForm("/operator/switch", url.Values{"workspace": {w.globex.ID}})
	wantStatus(t, res, http.StatusForbidden)
	polUnchanged(t, w.db, before, "a non-operator's switch")
	if ws := polSessionWorkspace(t, w.app, w.db, admin); ws != w.app.ws.ID {
		t.Errorf("the admin's session acts in %s, want Acme", ws)
	}
	table := admin.getPage("/leads")
	wantStatus(t, table, http.StatusOK)
	want := append([]string{}, w.acmeActive...)
	if !polSameSet(leadIDs(table.doc), want) {
		t.Errorf("after a refused switch the admin sees %v, want Acme's %v", leadIDs(table.doc), want)
	}
	if table.doc.Find(".crossing").Length() != 0 {
		t.Error("a non-operator sees the crossing banner")
	}
	if strings.Contains(table.body, "Globex Lead") {
		t.Error("a non-operator sees Globex's leads")
	}
}
