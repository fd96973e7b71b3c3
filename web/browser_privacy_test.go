package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadkeep/store"
)

// signInAs signs the browser in with an e-mail and the console's password.
func (c *console) signInAs(t *testing.T, ctx context.Context, email string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-lead-id]`)),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

// TestBrowserSpamHoldFinderAndErasure walks the privacy tools as an operator who
// is also the workspace's admin: mark a lead as spam and undo it, put a trashed
// lead on legal hold, find a lead, and erase a person with a receipt.
func TestBrowserSpamHoldFinderAndErasure(t *testing.T) {
	ctx := browser(t)
	c := startConsole(t, 60)
	bg := context.Background()
	if _, err := c.store.CreateUser(bg, store.NewUser{WorkspaceID: c.ws.ID, Email: "olga@ops.test", Name: "Olga Operator",
		Role: "admin", Operator: true, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	c.signInAs(t, ctx, "olga@ops.test")
	zelda := c.zelda

	// Mark as spam from the lead's page: a dialog, then the table with the toast.
	err := chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/leads/"+zelda.ID),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/leads/`+zelda.ID+`/spam"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/leads/`+zelda.ID+`/spam"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] textarea[name="details"]`)),
	)
	if err != nil {
		t.Fatalf("spam dialog: %v", err)
	}
	settledDialog(t, ctx)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`dialog[open] textarea[name="details"]`), "bot sign-ups")); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "50-spam-dialog")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`dialog[open] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.toast-undo`)),
	)
	if err != nil {
		t.Fatalf("mark as spam: %v", err)
	}
	if got := text(t, ctx, ".toast-undo"); !strings.Contains(got, "spam") {
		t.Errorf("toast %q does not say spam", got)
	}
	screenshot(t, ctx, "51-spam-toast")
	if _, err := c.store.CreateLead(bg, c.ws, store.Actor{Kind: "system"}, store.LeadInput{Name: ptr("Again"), Email: ptr(zelda.Email)}); store.ErrorCode(err) != store.ESuppressed {
		t.Fatalf("a new lead with the spam e-mail: %v, want SUPPRESSED", err)
	}
	// Undo puts the lead back and lifts the suppression.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.toast-undo button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.toast-undo`)),
	)
	if err != nil {
		t.Fatalf("undo spam: %v", err)
	}
	if l, err := c.store.Lead(bg, c.ws.ID, zelda.ID); err != nil || l.InTrash() {
		t.Fatalf("after undo the lead is %+v, %v", l, err)
	}
	if _, err := c.store.CreateLead(bg, c.ws, store.Actor{Kind: "system"}, store.LeadInput{Name: ptr("Zelda Twin"), Email: ptr(zelda.Email)}); err != nil {
		t.Fatalf("after undo a new lead with the e-mail: %v", err)
	}

	// Legal hold on a trashed lead, from the Trash.
	page, err := c.store.ListLeads(bg, c.ws.ID, store.LeadFilter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	victim := page.Leads[2]
	if _, err := c.store.DeleteLeads(bg, c.ws, store.UserActor(c.admin), store.DeleteRequest{IDs: []string{victim.ID}, Reason: "outdated"}); err != nil {
		t.Fatal(err)
	}
	row := `tr[data-lead-id="` + victim.ID + `"]`
	err = chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/trash"),
		chromedp.WaitVisible(chromedp.CSS(row+` button[hx-get$="/hold"]`)),
		chromedp.Click(chromedp.CSS(row+` button[hx-get$="/hold"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] textarea[name="reason"]`)),
	)
	if err != nil {
		t.Fatalf("hold dialog: %v", err)
	}
	settledDialog(t, ctx)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`dialog[open] textarea[name="reason"]`), "Litigation hold, case 2026-114"),
		chromedp.Click(chromedp.CSS(`dialog[open] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(row+` .badge-hold`)),
	)
	if err != nil {
		t.Fatalf("legal hold: %v", err)
	}
	if n, _ := countIn(t, ctx, row+` button[hx-get$="/purge"]`); n != 0 {
		t.Errorf("a held lead offers Delete forever")
	}
	screenshot(t, ctx, "52-trash-hold-next-purge")

	// The finder: where is Zelda?
	err = chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/operator"),
		chromedp.WaitVisible(chromedp.CSS(`#finder-q`)),
		chromedp.SendKeys(chromedp.CSS(`#finder-q`), zelda.Email),
		chromedp.Submit(chromedp.CSS(`#finder-q`)),
		chromedp.WaitVisible(chromedp.CSS(`.finder-hit[data-lead-id="`+zelda.ID+`"]`)),
	)
	if err != nil {
		t.Fatalf("finder: %v", err)
	}
	screenshot(t, ctx, "53-operator-finder")

	// Erase the person from the lead's page: preview, confirm, receipt.
	err = chromedp.Do(ctx,
		chromedp.Navigate(c.url+"/leads/"+zelda.ID),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/operator/erase"]`)),
		chromedp.Click(chromedp.CSS(`a[href^="/operator/erase"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#erase-reference`)),
		chromedp.SendKeys(chromedp.CSS(`#erase-reference`), "DSR-2026-0042"),
		chromedp.Click(chromedp.CSS(`#erase-reference ~ button, form[action="/operator/erase"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#erase-preview`)),
	)
	if err != nil {
		t.Fatalf("erase preview: %v", err)
	}
	if n, _ := countIn(t, ctx, `#erase-preview tr[data-lead-id]`); n != 2 {
		t.Errorf("the preview lists %d leads, want Zelda and her twin", n)
	}
	screenshot(t, ctx, "54-erase-preview")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#erase-preview button.danger`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="?format=json"]`)),
	)
	if err != nil {
		t.Fatalf("erase: %v", err)
	}
	body := text(t, ctx, "main")
	if strings.Contains(body, zelda.Email) || strings.Contains(body, "Zelda") {
		t.Errorf("the receipt shows the person: %q", body)
	}
	screenshot(t, ctx, "55-erasure-receipt")
	if _, err := c.store.Lead(bg, c.ws.ID, zelda.ID); store.ErrorCode(err) != store.ELeadNotFound {
		t.Errorf("after the erasure the lead is still there: %v", err)
	}
}

// settledDialog waits until htmx has settled the dialog it opened (and focused its
// [autofocus] field again): typing before that can be lost.
func settledDialog(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, "the settled dialog", `!!document.querySelector('dialog[open]') && !document.querySelector('.htmx-settling') &&
		document.activeElement && document.activeElement.closest('dialog[open]') !== null`)
}

// countIn is how many elements match the selector.
func countIn(t *testing.T, ctx context.Context, sel string) (int, error) {
	t.Helper()
	return chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
