package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadkeep/store"
	"leadkeep/web"
)

// chromiumPath finds Debian's chromium. Where it is missing the browser tests skip,
// saying so, unless LEADKEEP_REQUIRE_BROWSER is set (as .ci/run sets it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("LEADKEEP_REQUIRE_BROWSER") != "" {
		t.Fatal("Chromium is missing, and LEADKEEP_REQUIRE_BROWSER is set: install Debian's chromium package")
	}
	t.Skip("Chromium is missing: install Debian's chromium package to run the browser tests")
	return ""
}

// browser starts a headless Chromium for the test, closed when it ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// screenshot saves the page as E2E_ARTIFACTS/name.png when that variable is set.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("E2E_ARTIFACTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// stripFetchMetadata removes Sec-Fetch-Site, with which Echo's CSRF middleware
// would wave a same-origin browser request through without looking at the token:
// here every form must carry its token, as an older browser's would.
func stripFetchMetadata(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Sec-Fetch-Site")
		h.ServeHTTP(w, r)
	})
}

// console is a running console for a browser test, with a workspace, its admin,
// generated leads and one known lead.
type console struct {
	url    string
	store  *store.Store
	ws     store.Workspace
	admin  store.User
	zelda  store.Lead
	offset atomic.Int64 // added to the store's clock, to skip waiting in tests
}

func startConsole(t *testing.T, leads int) *console {
	t.Helper()
	bg := context.Background()
	st, err := store.Open(bg, filepath.Join(t.TempDir(), "leadkeep.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &console{store: st}
	st.Now = func() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }
	if c.ws, err = st.CreateWorkspace(bg, "Acme Sales"); err != nil {
		t.Fatal(err)
	}
	c.admin, err = st.CreateUser(bg, store.NewUser{WorkspaceID: c.ws.ID, Email: "dana@acme.test", Name: "Dana Reyes", Role: "admin", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Seed(bg, c.ws.ID, leads, store.SeedOptions{Rand: rand.New(rand.NewPCG(3, 4)), Extras: true}); err != nil {
		t.Fatal(err)
	}
	c.zelda, err = st.CreateLead(bg, c.ws, store.UserActor(c.admin), store.LeadInput{
		Name: ptr("Zelda Quintana"), Email: ptr("zelda@quintana-foods.example"), Phone: ptr("+1 415 555 0142"),
		Company: ptr("Quintana Foods"), Status: ptr("qualified"), Tags: &[]string{"vip"},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(stripFetchMetadata(web.New(st, web.Config{Secret: make([]byte, 32)})))
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}

// signIn signs the browser in as the console's admin, ending on the lead table.
func (c *console) signIn(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "dana@acme.test"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-lead-id]`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
}

// TestBrowserSignInFilterSearchOpenAndNote walks the console as a person would:
// sign in, filter by status, search, open a lead, add a note, go back.
func TestBrowserSignInFilterSearchOpenAndNote(t *testing.T) {
	ctx := browser(t)
	c := startConsole(t, 240)
	zelda := c.zelda

	// Signed out, the table sends us to the sign-in page.
	err := chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/leads"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
	)
	if err != nil {
		t.Fatalf("open the console: %v", err)
	}
	screenshot(t, ctx, "01-sign-in")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#email"), "dana@acme.test"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-lead-id]`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	rows := countRows(t, ctx)
	if rows != 50 {
		t.Fatalf("first page shows %d rows, want 50", rows)
	}
	if got := text(t, ctx, "#lead-count"); !strings.Contains(got, "241 leads") {
		t.Fatalf("count says %q, want 241 leads", got)
	}
	screenshot(t, ctx, "02-leads-table")

	// Filter by status: htmx swaps the table and the URL follows.
	err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('#status');
		s.value = 'qualified';
		s.dispatchEvent(new Event('change', {bubbles: true}));
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "every row qualified", `(() => {
		const pills = [...document.querySelectorAll('tr[data-lead-id] .pill')];
		return pills.length > 0 && pills.every(p => p.textContent.trim() === 'Qualified') && location.search.includes('status=qualified');
	})()`)
	screenshot(t, ctx, "03-filtered-qualified")

	// Search narrows the table as one types.
	err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), "zel quin"))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "search finds Zelda alone", fmt.Sprintf(`(() => {
		const rows = document.querySelectorAll('tr[data-lead-id]');
		return rows.length === 1 && rows[0].dataset.leadId === %q;
	})()`, zelda.ID))
	if got := text(t, ctx, "#lead-count"); !strings.Contains(got, "1 lead") {
		t.Fatalf("count says %q, want 1 lead", got)
	}
	screenshot(t, ctx, "04-search")

	// Open the lead, add a note without leaving the page.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`tr[data-lead-id] td.name a`)),
		chromedp.WaitVisible(chromedp.CSS(`#note-body`)),
	)
	if err != nil {
		t.Fatalf("open the lead: %v", err)
	}
	if got := text(t, ctx, "h1"); got != "Zelda Quintana" {
		t.Fatalf("lead page title %q", got)
	}
	if got := text(t, ctx, ".fields"); !strings.Contains(got, "+1 415-555-0142") || !strings.Contains(got, "zelda@quintana-foods.example") {
		t.Fatalf("lead fields %q lack the phone or e-mail", got)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#note-body"), "Asked for a tasting menu quote."),
		chromedp.Click(chromedp.CSS(`.note-form button[type="submit"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the note appears", `[...document.querySelectorAll('.note-body')].some(n => n.textContent.includes('tasting menu'))`)
	screenshot(t, ctx, "05-lead-page")

	// Back returns to the searched table, search box filled in. (history.back, not
	// NavigateBack: a page htmx pushed may come back without a load event.)
	err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`history.back()`))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "back to the search", `document.querySelector('#q') && document.querySelector('#q').value === 'zel quin' && document.querySelectorAll('tr[data-lead-id]').length === 1`)
}

func countRows(t *testing.T, ctx context.Context) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-lead-id]').length`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// waitFor polls a JavaScript condition until it holds, failing the test after 10 s.
// It polls from Go, so a navigation that replaces the page between two polls is
// no error.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	screenshot(t, ctx, "failed-"+strings.ReplaceAll(what, " ", "-"))
	t.Fatalf("waiting for %s: still false after 10 s (last error: %v)", what, lastErr)
}

func ptr[T any](v T) *T { return &v }

// TestBrowserDeleteThenUndoPutsTheRowBackInPlace deletes a lead from the table,
// sees the countdown, and undoes it.
func TestBrowserDeleteThenUndoPutsTheRowBackInPlace(t *testing.T) {
	ctx := browser(t)
	c := startConsole(t, 120)
	c.signIn(t, ctx)
	ids := rowIDs(t, ctx)
	victim := ids[3] // a row in the middle of the page

	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-lead-id=%q] .row-delete`, victim))),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #delete-reason`)),
	)
	if err != nil {
		t.Fatalf("open the delete dialog: %v", err)
	}
	if got := text(t, ctx, "dialog[open] h2"); got != "Delete this lead?" {
		t.Fatalf("dialog title %q", got)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if err != nil || focused != "delete-reason" {
		t.Fatalf("focus is on %q (%v), want the reason", focused, err)
	}
	screenshot(t, ctx, "10-delete-dialog")

	// Escape closes the dialog and gives focus back to the row's Delete link.
	err = chromedp.Do(ctx, chromedp.KeyEvent("\x1b"))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the dialog to close", `!document.querySelector('dialog[open]')`)
	waitFor(t, ctx, "focus back on the row", fmt.Sprintf(`document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.leadId === %q`, victim))

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-lead-id=%q] .row-delete`, victim))),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #delete-reason`)),
		chromedp.SetValue(chromedp.CSS(`#delete-reason`), "duplicate"),
		chromedp.Click(chromedp.CSS(`dialog[open] button.danger`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the row to leave", fmt.Sprintf(`!document.querySelector('tr[data-lead-id=%q]') && !!document.querySelector('.toast-undo')`, victim))
	if got := text(t, ctx, "#lead-count"); !strings.Contains(got, "120 leads") {
		t.Fatalf("count after delete %q, want 120 leads", got)
	}
	toast := text(t, ctx, ".toast-undo .toast-text")
	if toast != "Lead deleted." {
		t.Fatalf("toast says %q", toast)
	}
	role, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('toasts').getAttribute('role') + ' ' + document.getElementById('toasts').getAttribute('aria-live')`))
	if err != nil || role != "status polite" {
		t.Fatalf("toast region is %q (%v)", role, err)
	}
	// The countdown is visible and moving.
	first := text(t, ctx, ".toast-undo [data-countdown]")
	waitFor(t, ctx, "the countdown to move", fmt.Sprintf(`document.querySelector('.toast-undo [data-countdown]').textContent !== %q`, first))
	screenshot(t, ctx, "11-undo-toast")

	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.toast-undo .toast-action`)))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the row to come back in place", fmt.Sprintf(`(() => {
		const rows = [...document.querySelectorAll('tr[data-lead-id]')].map(r => r.dataset.leadId);
		return rows.indexOf(%q) === 3;
	})()`, victim))
	if got := text(t, ctx, "#lead-count"); !strings.Contains(got, "121 leads") {
		t.Fatalf("count after undo %q, want 121 leads", got)
	}
	if got := rowIDs(t, ctx); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatal("the table after undo differs from before the delete")
	}

	// The lead's timeline tells it, newest first: undone, then deleted (a seeded lead has
	// no entry of its creation).
	if err := chromedp.Do(ctx, chromedp.Navigate(c.url+"/leads/"+victim), chromedp.WaitVisible(chromedp.CSS(`ol.timeline`))); err != nil {
		t.Fatal(err)
	}
	kinds, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('ol.timeline li')].map(li => li.className)`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"event event-restored", "event event-deleted"}; strings.Join(kinds, ",") != strings.Join(want, ",") {
		t.Errorf("the timeline after delete and undo: %v, want %v", kinds, want)
	}
	screenshot(t, ctx, "11b-lead-timeline")
	if err := chromedp.Do(ctx, chromedp.Navigate(c.url+"/leads"), chromedp.WaitVisible(chromedp.CSS(`tr[data-lead-id]`))); err != nil {
		t.Fatal(err)
	}

	// From the keyboard: the row's Delete link, the dialog, Enter, then Z undoes.
	second := ids[7]
	err = chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(fmt.Sprintf(`tr[data-lead-id=%q] .row-delete`, second))),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #delete-reason`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// htmx settles the swap (and focuses [autofocus] once more) a moment after it:
	// wait for that, then move to Delete, as a person tabbing would.
	waitFor(t, ctx, "focus in the settled dialog", `document.activeElement.id === 'delete-reason' && !document.querySelector('.htmx-settling')`)
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`dialog[open] button.danger`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "focus on Delete", `document.activeElement.matches('dialog[open] button.danger')`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the second row to leave", fmt.Sprintf(`!document.querySelector('tr[data-lead-id=%q]') && !!document.querySelector('.toast-undo')`, second))
	if err := chromedp.Do(ctx, chromedp.KeyEvent("z")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "Z to bring it back", fmt.Sprintf(`!!document.querySelector('tr[data-lead-id=%q]')`, second))
}

// TestBrowserTrashRestoreAndDeleteForever waits out a toast, restores the lead from
// the Trash with its notes, then deletes another forever.
func TestBrowserTrashRestoreAndDeleteForever(t *testing.T) {
	ctx := browser(t)
	c := startConsole(t, 30)
	bg := context.Background()
	if _, err := c.store.AddNote(bg, c.ws.ID, store.UserActor(c.admin), c.zelda.ID, "Prefers calls after 3pm."); err != nil {
		t.Fatal(err)
	}
	c.signIn(t, ctx)

	// Delete Zelda from her own page (Actions → Delete).
	err := chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/leads/"+c.zelda.ID),
		chromedp.Click(chromedp.CSS(`.actions a[href$="/delete"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #delete-reason`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Fill the form once htmx has settled the dialog, and check it holds the reason
	// before sending it.
	settledDialog(t, ctx)
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`dialog[open] #delete-reason`), "outdated"),
		chromedp.SendKeys(chromedp.CSS(`dialog[open] #delete-details`), "Closed the restaurant"),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the reason chosen", `document.querySelector('dialog[open] #delete-reason').value === 'outdated'`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`dialog[open] button.danger`))); err != nil {
		t.Fatal(err)
	}
	// Back on the table, with the toast; then the undo window passes.
	waitFor(t, ctx, "the table with the toast", `location.pathname === '/leads' && !!document.querySelector('.toast-undo')`)
	c.offset.Add(int64(11 * time.Second))
	err = chromedp.Do(ctx, chromedp.Navigate(c.url+"/trash"))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the toast gone and Zelda in the Trash", fmt.Sprintf(`!document.querySelector('.toast-undo') && !!document.querySelector('tr[data-lead-id=%q]')`, c.zelda.ID))
	row := text(t, ctx, fmt.Sprintf(`tr[data-lead-id=%q]`, c.zelda.ID))
	for _, want := range []string{"Zelda Quintana", "Dana Reyes", "Outdated", "purges in 29 days"} {
		if !strings.Contains(row, want) {
			t.Errorf("Trash row %q lacks %q", row, want)
		}
	}
	screenshot(t, ctx, "12-trash")
	err = chromedp.Do(ctx, chromedp.Navigate(c.url+"/trash?view=batches"), chromedp.WaitVisible(chromedp.CSS(`li[data-batch-id]`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "li[data-batch-id] .batch-title"); got != "Deleted together: 1 lead by Dana Reyes" {
		t.Errorf("batch title %q", got)
	}
	screenshot(t, ctx, "12b-trash-batches")
	err = chromedp.Do(ctx, chromedp.Navigate(c.url+"/trash"), chromedp.WaitVisible(chromedp.CSS(`tr[data-lead-id]`)))
	if err != nil {
		t.Fatal(err)
	}

	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-lead-id=%q] form[action$="/restore"] button`, c.zelda.ID))))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "Zelda's page, restored, with her note", `location.pathname.startsWith('/leads/') && !document.querySelector('.trash-banner') &&
		[...document.querySelectorAll('.note-body')].some(n => n.textContent.includes('after 3pm'))`)
	if got := text(t, ctx, ".timeline"); !strings.Contains(got, "Restored from the Trash") {
		t.Errorf("timeline lacks the restore: %q", got)
	}

	// Delete another lead, then delete it forever from the Trash.
	other := rowIDsAt(t, ctx, c.url+"/leads")[0]
	if _, err := c.store.DeleteLeads(bg, c.ws, store.UserActor(c.admin), store.DeleteRequest{IDs: []string{other}, Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/trash"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-lead-id=%q] form[action$="/purge"] button`, other))),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] button.danger`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "dialog[open]"); !strings.Contains(got, "cannot be undone") {
		t.Fatalf("purge dialog says %q", got)
	}
	screenshot(t, ctx, "13-delete-forever")
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`dialog[open] button.danger`)))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the lead gone from the Trash", fmt.Sprintf(`location.pathname === '/trash' && !document.querySelector('tr[data-lead-id=%q]')`, other))
	if _, err := c.store.Tombstone(bg, c.ws.ID, other); err != nil {
		t.Fatalf("no tombstone after Delete forever: %v", err)
	}

	// The audit log holds each step once.
	err = chromedp.Do(ctx, chromedp.Navigate(c.url+"/audit"), chromedp.WaitVisible(chromedp.CSS(`tr[data-audit-id]`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "table.audit tbody"); !strings.Contains(got, "Deleted forever") || !strings.Contains(got, "Restored") {
		t.Errorf("audit log %q lacks the purge or the restore", got)
	}
	screenshot(t, ctx, "14-audit")
}

func rowIDs(t *testing.T, ctx context.Context) []string {
	t.Helper()
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('tr[data-lead-id]')].map(r => r.dataset.leadId)`))
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func rowIDsAt(t *testing.T, ctx context.Context, url string) []string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`tr[data-lead-id]`))); err != nil {
		t.Fatal(err)
	}
	return rowIDs(t, ctx)
}

// TestBrowserBulkSelectionShiftClickAcrossPagesAndSelectAllMatching selects a range
// with shift-click, keeps it across pages, then deletes every lead of one status
// through "Select all N matching" and checks that nothing else was touched.
func TestBrowserBulkSelectionShiftClickAcrossPagesAndSelectAllMatching(t *testing.T) {
	ctx := browser(t)
	c := startConsole(t, 200)
	c.signIn(t, ctx)

	// Shift-click: rows 2 to 6 of the first page.
	ids := rowIDs(t, ctx)
	box := func(id string) chromedp.CSS {
		return chromedp.CSS(fmt.Sprintf(`tr[data-lead-id=%q] input[data-select]`, id))
	}
	err := chromedp.Do(ctx,
		chromedp.Click(box(ids[1])),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('tr[data-lead-id=%q] input[data-select]').dispatchEvent(new MouseEvent('click', {bubbles: true, shiftKey: true}))`, ids[5])),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "5 selected", `document.querySelector('[data-selected-count]').textContent === '5 selected'`)
	screenshot(t, ctx, "20-bulk-shift-click")

	// The selection survives paging within the filter.
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[rel=next]`)))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "page 2", fmt.Sprintf(`!document.querySelector('tr[data-lead-id=%q]') && !!document.querySelector('tr[data-lead-id]')`, ids[0]))
	page2 := rowIDs(t, ctx)
	err = chromedp.Do(ctx, chromedp.Click(box(page2[0])), chromedp.Click(box(page2[1])))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "7 selected", `document.querySelector('[data-selected-count]').textContent === '7 selected'`)
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-needs-selection][hx-post]`)), chromedp.WaitVisible(chromedp.CSS(`dialog[open] #bulk-reason`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "dialog[open] h2"); got != "Delete 7 leads?" {
		t.Fatalf("dialog title %q, want Delete 7 leads?", got)
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`dialog[open] [data-close]`)), chromedp.Click(chromedp.CSS(`[data-clear-selection]`)))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the selection cleared", `!document.querySelector('[data-bulk-bar]').classList.contains('active')`)

	// A status filter plus "Select all N matching" deletes exactly that status.
	bg := context.Background()
	news, err := c.store.CountMatching(bg, c.ws.ID, store.LeadFilter{Status: "new"})
	if err != nil || news <= 50 {
		t.Fatalf("want more than a page of new leads, have %d (%v)", news, err)
	}
	before := allActive(t, c)
	err = chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/leads?status=new"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-lead-id]`)),
		chromedp.Click(chromedp.CSS(`[data-select-page]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-select-all]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "[data-select-all]"); got != fmt.Sprintf("Select all %d matching this filter", news) {
		t.Fatalf("select-all offer %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-select-all]`)),
		chromedp.Click(chromedp.CSS(`[data-needs-selection][hx-post]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #bulk-reason`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "dialog[open] h2"); got != fmt.Sprintf("Delete %d leads?", news) {
		t.Fatalf("dialog title %q", got)
	}
	screenshot(t, ctx, "21-bulk-dialog")
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#bulk-reason`), "invalid"),
		chromedp.Click(chromedp.CSS(`dialog[open] button.danger`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the bulk toast", fmt.Sprintf(`[...document.querySelectorAll('.toast-undo .toast-text')].some(t => t.textContent === '%d leads deleted.')`, news))
	screenshot(t, ctx, "22-bulk-toast")
	after := allActive(t, c)
	for id, status := range before {
		_, still := after[id]
		if status == "new" && still {
			t.Errorf("new lead %s was not deleted", id)
		}
		if status != "new" && !still {
			t.Errorf("%s lead %s outside the filter was deleted", status, id)
		}
	}
}

// allActive maps every active lead of the console's workspace to its status.
func allActive(t *testing.T, c *console) map[string]store.Status {
	t.Helper()
	out := map[string]store.Status{}
	cursor := ""
	for {
		page, err := c.store.ListLeads(context.Background(), c.ws.ID, store.LeadFilter{Limit: 100, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range page.Leads {
			out[l.ID] = l.Status
		}
		if page.Next == "" {
			return out
		}
		cursor = page.Next
	}
}

// TestBrowserSettingsRetentionAndPeople changes the Trash's rules and adds a person,
// as an admin would.
func TestBrowserSettingsRetentionAndPeople(t *testing.T) {
	ctx := browser(t)
	c := startConsole(t, 10)
	c.signIn(t, ctx)
	err := chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/settings"),
		chromedp.WaitVisible(chromedp.CSS(`#s-retention`)),
		chromedp.SetValue(chromedp.CSS(`#s-retention`), "400"),
		chromedp.Click(chromedp.CSS(`form[action="/settings"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.field-error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".field-error"); !strings.Contains(got, "between 0 and 365") {
		t.Fatalf("retention error %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#s-retention`), "14"),
		chromedp.SetValue(chromedp.CSS(`#s-tz`), "Europe/Berlin"),
		chromedp.Click(chromedp.CSS(`form[action="/settings"] button[type=submit]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the settings saved", `[...document.querySelectorAll('.toast-text')].some(t => t.textContent === 'Settings saved.')`)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#u-name`), "Sam Rivera"),
		chromedp.SendKeys(chromedp.CSS(`#u-email`), "sam@acme.test"),
		chromedp.SetValue(chromedp.CSS(`#u-role`), "manager"),
		chromedp.SendKeys(chromedp.CSS(`#u-password`), "a long enough password"),
		chromedp.Click(chromedp.CSS(`form.add-user button[type=submit]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "Sam listed", `[...document.querySelectorAll('tr[data-user-id] td.email')].some(td => td.textContent === 'sam@acme.test')`)
	screenshot(t, ctx, "30-settings")
	ws, err := c.store.Workspace(context.Background(), c.ws.ID)
	if err != nil || ws.RetentionDays != 14 || ws.Timezone != "Europe/Berlin" {
		t.Fatalf("workspace after saving: %+v, %v", ws, err)
	}
}
