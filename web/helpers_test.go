package web

import (
	"context"
	crand "crypto/rand"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"leadkeep/store"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// testApp is the console on a real SQLite file in a temporary directory, served by
// httptest, with one workspace and its admin.
type testApp struct {
	t     *testing.T
	st    *store.Store
	srv   *httptest.Server
	ws    store.Workspace
	admin store.User
}

// newTestApp opens a fresh database, creates the workspace "Acme" with an admin
// (admin@acme.test) and serves the console; everything ends with the test.
func newTestApp(t *testing.T) *testApp {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "leadkeep.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	ws, err := st.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatalf("create workspace: %v", err)
	}
	secret := make([]byte, 32)
	if _, err := crand.Read(secret); err != nil {
		t.Fatal(err)
	}
	app := &testApp{t: t, st: st, ws: ws}
	app.admin = app.user(ws, "admin@acme.test", "Dana Admin", store.RoleAdmin)
	app.srv = httptest.NewServer(New(st, Config{Secret: secret}))
	t.Cleanup(app.srv.Close)
	return app
}

// user adds a member to the workspace, with testPassword.
func (a *testApp) user(ws store.Workspace, email, name string, role store.Role) store.User {
	a.t.Helper()
	u, err := a.st.CreateUser(context.Background(), store.NewUser{WorkspaceID: ws.ID, Email: email, Name: name,
		Role: string(role), Password: testPassword})
	if err != nil {
		a.t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// workspace adds another workspace.
func (a *testApp) workspace(name string) store.Workspace {
	a.t.Helper()
	ws, err := a.st.CreateWorkspace(context.Background(), name)
	if err != nil {
		a.t.Fatalf("create workspace %s: %v", name, err)
	}
	return ws
}

// pool adds a pool to the app's workspace.
func (a *testApp) pool(name string) store.Pool {
	a.t.Helper()
	p, err := a.st.CreatePool(context.Background(), a.ws.ID, name)
	if err != nil {
		a.t.Fatalf("create pool %s: %v", name, err)
	}
	return p
}

// lead adds a lead to ws as its admin would, through the store.
func (a *testApp) lead(ws store.Workspace, in store.LeadInput) store.Lead {
	a.t.Helper()
	l, err := a.st.CreateLead(context.Background(), ws, store.UserActor(a.admin), in)
	if err != nil {
		a.t.Fatalf("create lead: %v", err)
	}
	return l
}

// namedLead adds a lead with just a name to the app's workspace.
func (a *testApp) namedLead(name string) store.Lead {
	a.t.Helper()
	return a.lead(a.ws, store.LeadInput{Name: &name})
}

// seed adds n generated leads (reproducibly) to the app's workspace.
func (a *testApp) seed(n int) {
	a.t.Helper()
	if _, err := a.st.Seed(context.Background(), a.ws.ID, n, store.SeedOptions{Rand: rand.New(rand.NewPCG(1, 2))}); err != nil {
		a.t.Fatalf("seed: %v", err)
	}
}

// leadCount is the number of active leads of the app's workspace.
func (a *testApp) leadCount() int {
	a.t.Helper()
	total, _, err := a.st.Counts(context.Background(), a.ws.ID)
	if err != nil {
		a.t.Fatalf("counts: %v", err)
	}
	return total
}

// detail is a lead with its notes, tasks and activity, as the store has it.
func (a *testApp) detail(id string) store.LeadDetail {
	a.t.Helper()
	d, err := a.st.LeadDetail(context.Background(), a.ws.ID, id)
	if err != nil {
		a.t.Fatalf("lead detail %s: %v", id, err)
	}
	return d
}

// client is one browser: its own cookie jar, and redirects are not followed so that
// tests see the 303s.
type client struct {
	t    *testing.T
	app  *testApp
	http *http.Client
	csrf string // the token of the last page that carried one
}

func (a *testApp) newClient() *client {
	a.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return &client{t: a.t, app: a, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signedIn is a new client signed in as the user with email.
func (a *testApp) signedIn(email string) *client {
	a.t.Helper()
	c := a.newClient()
	if res := c.signIn(email, testPassword); res.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("sign in as %s: status %d, want 303\n%s", email, res.StatusCode, res.body)
	}
	return c
}

// response is an answer read whole: its body as text and, for HTML, as a document.
type response struct {
	*http.Response
	body string
	doc  *goquery.Document
}

// location is the Location header of a redirect.
func (r *response) location() string { return r.Header.Get("Location") }

// text is the trimmed text of the elements sel selects.
func (r *response) text(sel string) string {
	return strings.TrimSpace(r.doc.Find(sel).Text())
}

// do sends a request and reads the answer; header holds name, value pairs.
func (c *client) do(method, path string, body io.Reader, header ...string) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.app.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		c.t.Fatalf("%s %s: parse body: %v", method, path, err)
	}
	if tok := csrfToken(doc); tok != "" {
		c.csrf = tok
	}
	return &response{Response: res, body: string(b), doc: doc}
}

// get fetches a page.
func (c *client) get(path string) (int, *goquery.Document) {
	c.t.Helper()
	res := c.do(http.MethodGet, path, nil)
	return res.StatusCode, res.doc
}

// getPage fetches a page with optional header name, value pairs.
func (c *client) getPage(path string, header ...string) *response {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, header...)
}

// csrfToken is the token a page carries in <meta name="csrf-token">.
func csrfToken(doc *goquery.Document) string {
	tok, _ := doc.Find(`meta[name="csrf-token"]`).Attr("content")
	return tok
}

// token is the CSRF token of the last page this client saw, fetching a page first
// if it saw none (the token comes with the middleware's cookie, set on a GET).
func (c *client) token() string {
	c.t.Helper()
	for _, p := range []string{"/login", "/leads"} {
		if c.csrf != "" {
			break
		}
		c.getPage(p)
	}
	if c.csrf == "" {
		c.t.Fatal("no page carried a CSRF token")
	}
	return c.csrf
}

// postForm posts a form as a browser does, with the page's _csrf token added;
// header holds extra name, value pairs.
func (c *client) postForm(path string, form url.Values, header ...string) *response {
	c.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_csrf", c.token())
	return c.postRaw(path, f, header...)
}

// postRaw posts the form exactly as given: no _csrf is added.
func (c *client) postRaw(path string, form url.Values, header ...string) *response {
	c.t.Helper()
	h := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()), h...)
}

// signIn fills in the sign-in form.
func (c *client) signIn(email, password string) *response {
	c.t.Helper()
	if c.csrf == "" {
		c.getPage("/login")
	}
	return c.postForm("/login", url.Values{"email": {email}, "password": {password}})
}

// cookie is the named cookie the client's jar holds for the server, or nil.
func (c *client) cookie(name string) *http.Cookie {
	u, _ := url.Parse(c.app.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// leadIDs are the ids of the table's rows, in order.
func leadIDs(doc *goquery.Document) []string {
	var ids []string
	doc.Find("tr[data-lead-id]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-lead-id")
		ids = append(ids, id)
	})
	return ids
}

// href is the href of the first element sel selects, "" when there is none.
func href(doc *goquery.Document, sel string) string {
	h, _ := doc.Find(sel).First().Attr("href")
	return h
}

// wantStatus fails the test unless the answer has the status.
func wantStatus(t *testing.T, res *response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", res.Request.Method, res.Request.URL.RequestURI(), res.StatusCode, want, excerpt(res.body))
	}
}

// wantRedirect fails the test unless the answer is a 303 to a path starting with prefix.
func wantRedirect(t *testing.T, res *response, prefix string) {
	t.Helper()
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.location(); !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s %s: redirects to %q, want %q…", res.Request.Method, res.Request.URL.RequestURI(), loc, prefix)
	}
}

func excerpt(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

func ptr[T any](v T) *T { return &v }
