package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"leadkeep/store"
)

func TestSignedOutConsolePagesRedirectToLogin(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Ada Lovelace")
	c := app.newClient()
	for _, path := range []string{"/", "/leads", "/leads/" + l.ID, "/leads/new", "/leads/" + l.ID + "/edit", "/leads?status=new"} {
		t.Run(path, func(t *testing.T) {
			wantRedirect(t, c.getPage(path), "/login")
		})
	}
}

func TestSignedOutRedirectRemembersThePage(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Ada Lovelace")
	c := app.newClient()

	res := c.getPage("/leads/" + l.ID)
	wantRedirect(t, res, "/login?next=")
	login := c.getPage(res.location())
	wantStatus(t, login, http.StatusOK)
	next, _ := login.doc.Find(`form[action="/login"] input[name="next"]`).Attr("value")
	if next != "/leads/"+l.ID {
		t.Fatalf("the sign-in form carries next=%q, want %q", next, "/leads/"+l.ID)
	}
	res = c.postForm("/login", url.Values{"email": {"admin@acme.test"}, "password": {testPassword}, "next": {next}})
	wantRedirect(t, res, "/leads/"+l.ID)
}

func TestSignedOutHTMXRequestIsToldWhereToSignIn(t *testing.T) {
	app := newTestApp(t)
	res := app.newClient().getPage("/leads", "HX-Request", "true")
	wantStatus(t, res, http.StatusUnauthorized)
	if got := res.Header.Get("HX-Redirect"); !strings.HasPrefix(got, "/login") {
		t.Fatalf("HX-Redirect = %q, want /login…", got)
	}
}

func TestLoginPageHasTheFormAndACSRFToken(t *testing.T) {
	app := newTestApp(t)
	res := app.newClient().getPage("/login")
	wantStatus(t, res, http.StatusOK)
	token := csrfToken(res.doc)
	if token == "" {
		t.Fatal(`no <meta name="csrf-token"> on the sign-in page`)
	}
	form := res.doc.Find(`form[method="post"][action="/login"]`)
	if form.Length() != 1 {
		t.Fatalf("want one sign-in form posting to /login, found %d", form.Length())
	}
	for _, sel := range []string{`input[name="email"][type="email"]`, `input[name="password"][type="password"]`, `input[name="_csrf"]`} {
		if form.Find(sel).Length() != 1 {
			t.Errorf("the sign-in form has no %s", sel)
		}
	}
	if v, _ := form.Find(`input[name="_csrf"]`).Attr("value"); v != token {
		t.Errorf("the form's _csrf %q differs from the page's token %q", v, token)
	}
	// Every field has a label.
	for _, id := range []string{"email", "password"} {
		if res.doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("no label for #%s", id)
		}
	}
}

func TestWrongPasswordOrUnknownEmailIsRefusedWithoutSayingWhich(t *testing.T) {
	app := newTestApp(t)
	c := app.newClient()
	for _, tc := range []struct{ name, email, password string }{
		{"wrong password", "admin@acme.test", "not the password"},
		{"unknown e-mail", "nobody@acme.test", testPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.signIn(tc.email, tc.password)
			wantStatus(t, res, http.StatusUnauthorized)
			if got := res.text(`[role="alert"]`); !strings.Contains(got, "Wrong e-mail or password") {
				t.Errorf("alert = %q, want it to say \"Wrong e-mail or password\"", got)
			}
			if v, _ := res.doc.Find(`input[name="email"]`).Attr("value"); v != tc.email {
				t.Errorf("the e-mail typed is not kept: value=%q", v)
			}
			if v, _ := res.doc.Find(`input[name="password"]`).Attr("value"); v != "" {
				t.Errorf("the password is sent back in the page: value=%q", v)
			}
			if c.cookie(cookieName) != nil {
				t.Error("a failed sign-in set a session cookie")
			}
		})
	}
	if status, _ := c.get("/leads"); status != http.StatusSeeOther {
		t.Fatalf("after failed sign-ins GET /leads = %d, want 303", status)
	}
}

func TestRightPasswordSignsInAndShowsTheLeads(t *testing.T) {
	app := newTestApp(t)
	c := app.newClient()
	// The e-mail is matched whatever its case and surrounding spaces.
	res := c.signIn("  Admin@ACME.test ", testPassword)
	wantRedirect(t, res, "/leads")
	if res.location() != "/leads" {
		t.Fatalf("sign-in redirects to %q, want /leads", res.location())
	}
	page := c.getPage("/leads")
	wantStatus(t, page, http.StatusOK)
	if got := page.text(".topbar .user"); got != "Dana Admin" {
		t.Errorf("the top bar names %q, want Dana Admin", got)
	}
	if got := page.text(".topbar .workspace"); got != "Acme" {
		t.Errorf("the top bar shows workspace %q, want Acme", got)
	}
	// Signed in, the sign-in page sends the member on.
	wantRedirect(t, c.getPage("/login"), "/leads")
}

func TestSignInNeverRedirectsToAnotherSite(t *testing.T) {
	app := newTestApp(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/", `/\evil.example/`, "evil.example", "javascript:alert(1)"} {
		t.Run(next, func(t *testing.T) {
			c := app.newClient()
			c.getPage("/login")
			res := c.postForm("/login", url.Values{"email": {"admin@acme.test"}, "password": {testPassword}, "next": {next}})
			wantStatus(t, res, http.StatusSeeOther)
			if res.location() != "/leads" {
				t.Fatalf("next=%q: redirects to %q, want /leads", next, res.location())
			}
		})
	}
}

func TestSignInNeverRedirectsToAnotherSiteThroughControlCharacters(t *testing.T) {
	app := newTestApp(t)
	for _, next := range []string{"/\t/evil.example/", "/\t\t/evil.example/", "\t//evil.example/"} {
		c := app.newClient()
		form := url.Values{"email": {"admin@acme.test"}, "password": {testPassword}, "next": {next}, "_csrf": {c.token()}}
		// Sent by hand: Go's client refuses to parse such a Location, a browser does not.
		req, err := http.NewRequest(http.MethodPost, app.srv.URL+"/login", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, ck := range c.http.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/leads" {
			t.Errorf("next=%q: %d to %q, want 303 to /leads", next, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func TestFailedSignInsLockTheAccountButNotOtherAccounts(t *testing.T) {
	app := newTestApp(t)
	app.user(app.ws, "agent@acme.test", "Sam Agent", store.RoleAgent)
	c := app.newClient()
	for i := 1; i <= 5; i++ {
		res := c.signIn("admin@acme.test", "wrong password "+strconv.Itoa(i))
		wantStatus(t, res, http.StatusUnauthorized)
	}
	// The sixth attempt is refused even with the right password, and says when to retry.
	res := c.signIn("admin@acme.test", testPassword)
	wantStatus(t, res, http.StatusTooManyRequests)
	secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || secs <= 0 || secs > 60 {
		t.Fatalf("Retry-After = %q, want a number of seconds in 1..60", res.Header.Get("Retry-After"))
	}
	if got := res.text(`[role="alert"]`); !strings.Contains(got, "Try again in") {
		t.Errorf("alert = %q, want it to say when to try again", got)
	}
	if c.cookie(cookieName) != nil {
		t.Error("a throttled sign-in set a session cookie")
	}
	// The lock is on the account, whatever the case of the e-mail typed.
	wantStatus(t, c.signIn("ADMIN@acme.test", testPassword), http.StatusTooManyRequests)

	// Another account, even from the same browser, signs in.
	wantRedirect(t, c.signIn("agent@acme.test", testPassword), "/leads")
	wantStatus(t, c.getPage("/leads"), http.StatusOK)
}

func TestSignOutEndsTheSessionForReal(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin@acme.test")
	wantStatus(t, c.getPage("/leads"), http.StatusOK)
	old := c.cookie(cookieName)
	if old == nil {
		t.Fatal("no session cookie after signing in")
	}

	res := c.postForm("/logout", nil)
	wantRedirect(t, res, "/login")
	wantRedirect(t, c.getPage("/leads"), "/login")

	// Someone who kept a copy of the cookie gets nothing from it.
	replay := app.newClient()
	u, _ := url.Parse(app.srv.URL)
	replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: old.Value, Path: "/"}})
	wantRedirect(t, replay.getPage("/leads"), "/login")
	wantRedirect(t, replay.getPage("/leads/new"), "/login")

	// And signing in again works.
	wantRedirect(t, c.signIn("admin@acme.test", testPassword), "/leads")
	wantStatus(t, c.getPage("/leads"), http.StatusOK)
}

func TestSignInStartsANewSessionAndEndsTheOldOne(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin@acme.test")
	first := c.cookie(cookieName).Value
	wantRedirect(t, c.signIn("admin@acme.test", testPassword), "/leads")
	second := c.cookie(cookieName).Value
	if first == second {
		t.Fatal("signing in again kept the same session cookie")
	}
	replay := app.newClient()
	u, _ := url.Parse(app.srv.URL)
	replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: first, Path: "/"}})
	wantRedirect(t, replay.getPage("/leads"), "/login")
	wantStatus(t, c.getPage("/leads"), http.StatusOK)
}

func TestTamperedSessionCookieIsSignedOut(t *testing.T) {
	app := newTestApp(t)
	c := app.newClient()
	u, _ := url.Parse(app.srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: "not-a-signed-cookie", Path: "/"}})
	wantRedirect(t, c.getPage("/leads"), "/login")
	wantStatus(t, c.getPage("/login"), http.StatusOK)
	wantRedirect(t, c.signIn("admin@acme.test", testPassword), "/leads")
	wantStatus(t, c.getPage("/leads"), http.StatusOK)
}

func TestFormsWithoutTheirCSRFTokenAreRefused(t *testing.T) {
	app := newTestApp(t)
	app.namedLead("Ada Lovelace")
	lead := url.Values{"name": {"Grace Hopper"}, "email": {"grace@navy.example"}, "phone": {""}, "company": {""},
		"status": {"new"}, "pool": {""}, "tags": {""}}

	t.Run("sign in", func(t *testing.T) {
		c := app.newClient()
		c.getPage("/login")
		creds := url.Values{"email": {"admin@acme.test"}, "password": {testPassword}}
		wantStatus(t, c.postRaw("/login", creds), http.StatusBadRequest)
		if c.cookie(cookieName) != nil {
			t.Error("a sign-in without a token set a session cookie")
		}
		bad := url.Values{"email": {"admin@acme.test"}, "password": {testPassword}, "_csrf": {"not-the-token"}}
		wantStatus(t, c.postRaw("/login", bad), http.StatusForbidden)
		if c.cookie(cookieName) != nil {
			t.Error("a sign-in with a wrong token set a session cookie")
		}
	})

	t.Run("new lead", func(t *testing.T) {
		c := app.signedIn("admin@acme.test")
		before := app.leadCount()
		res := c.postRaw("/leads", lead)
		wantStatus(t, res, http.StatusBadRequest)
		if res.doc.Find("h1").Length() == 0 {
			t.Error("the refusal is not a page a person can read")
		}
		withWrong := url.Values{"_csrf": {"not-the-token"}}
		for k, v := range lead {
			withWrong[k] = v
		}
		wantStatus(t, c.postRaw("/leads", withWrong), http.StatusForbidden)
		// A token in a header works as well as in the form; a wrong one does not.
		wantStatus(t, c.postRaw("/leads", lead, "X-CSRF-Token", "not-the-token"), http.StatusForbidden)
		if got := app.leadCount(); got != before {
			t.Fatalf("refused forms wrote leads: %d, want %d", got, before)
		}
		wantRedirect(t, c.postRaw("/leads", lead, "X-CSRF-Token", c.token()), "/leads/lead_")
	})

	t.Run("sign out", func(t *testing.T) {
		c := app.signedIn("admin@acme.test")
		wantStatus(t, c.postRaw("/logout", nil), http.StatusBadRequest)
		wantStatus(t, c.getPage("/leads"), http.StatusOK) // still signed in
	})

	t.Run("a token from another browser", func(t *testing.T) {
		other := app.newClient()
		other.getPage("/login")
		c := app.signedIn("admin@acme.test")
		if other.token() == c.token() {
			t.Fatal("two browsers got the same CSRF token")
		}
		before := app.leadCount()
		withOther := url.Values{"_csrf": {other.token()}}
		for k, v := range lead {
			withOther[k] = v
		}
		wantStatus(t, c.postRaw("/leads", withOther), http.StatusForbidden)
		if app.leadCount() != before {
			t.Fatal("a form with another browser's token wrote a lead")
		}
	})
}

func TestSessionCookieIsHttpOnlyAndSameSiteLax(t *testing.T) {
	app := newTestApp(t)
	c := app.newClient()
	res := c.signIn("admin@acme.test", testPassword)
	wantStatus(t, res, http.StatusSeeOther)
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name != cookieName {
			continue
		}
		found = true
		if !ck.HttpOnly {
			t.Error("the session cookie is not HttpOnly")
		}
		if ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("the session cookie's SameSite is %v, want Lax", ck.SameSite)
		}
		if ck.Path != "/" {
			t.Errorf("the session cookie's path is %q, want /", ck.Path)
		}
	}
	if !found {
		t.Fatalf("signing in set no %s cookie", cookieName)
	}
	login := app.newClient().getPage("/login")
	for _, ck := range login.Cookies() {
		if ck.Name == "leadkeep_csrf" && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Errorf("the CSRF cookie is HttpOnly=%v SameSite=%v, want HttpOnly and Lax", ck.HttpOnly, ck.SameSite)
		}
	}
}

func TestPagesCarrySecurityHeaders(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Ada Lovelace")
	signedOut := app.newClient()
	c := app.signedIn("admin@acme.test")
	for _, tc := range []struct {
		name string
		res  *response
	}{
		{"sign-in page", signedOut.getPage("/login")},
		{"lead table", c.getPage("/leads")},
		{"lead page", c.getPage("/leads/" + l.ID)},
		{"404 page", c.getPage("/nope")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.res.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") {
				t.Errorf("Content-Security-Policy allows inline code: %q", csp)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if got := h.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options = %q, want DENY", got)
			}
			if got := h.Get("Content-Type"); !strings.HasPrefix(got, "text/html") {
				t.Errorf("Content-Type = %q, want text/html", got)
			}
			if csrfToken(tc.res.doc) == "" {
				t.Error(`no <meta name="csrf-token">`)
			}
		})
	}
}

func TestViewerReadsLeadsButCannotCreateOrEdit(t *testing.T) {
	app := newTestApp(t)
	l := app.namedLead("Ada Lovelace")
	app.user(app.ws, "viewer@acme.test", "Val Viewer", store.RoleViewer)
	c := app.signedIn("viewer@acme.test")

	table := c.getPage("/leads")
	wantStatus(t, table, http.StatusOK)
	if table.doc.Find(`a[href="/leads/new"]`).Length() != 0 {
		t.Error("a viewer is offered New lead")
	}
	page := c.getPage("/leads/" + l.ID)
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`a[href="/leads/`+l.ID+`/edit"]`).Length() != 0 {
		t.Error("a viewer is offered Edit")
	}
	if page.doc.Find(`form[action="/leads/`+l.ID+`/notes"]`).Length() != 0 {
		t.Error("a viewer is offered the note form")
	}

	res := c.getPage("/leads/new")
	wantStatus(t, res, http.StatusForbidden)
	if !strings.Contains(res.text("main"), "role does not allow") {
		t.Errorf("the 403 page says %q, want it to explain the role", res.text("main"))
	}
	wantStatus(t, c.getPage("/leads/"+l.ID+"/edit"), http.StatusForbidden)

	before := app.leadCount()
	form := url.Values{"name": {"Grace Hopper"}, "email": {""}, "phone": {""}, "company": {""}, "status": {"new"}, "pool": {""}, "tags": {""}}
	wantStatus(t, c.postForm("/leads", form), http.StatusForbidden)
	wantStatus(t, c.postForm("/leads/"+l.ID, form), http.StatusForbidden)
	wantStatus(t, c.postForm("/leads/"+l.ID+"/notes", url.Values{"body": {"hello"}}), http.StatusForbidden)
	if app.leadCount() != before {
		t.Error("a viewer created a lead")
	}
	d := app.detail(l.ID)
	if d.Lead.Name != "Ada Lovelace" || len(d.Notes) != 0 {
		t.Errorf("a viewer changed the lead: name %q, %d notes", d.Lead.Name, len(d.Notes))
	}
}
