package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/text/encoding/charmap"
)

// TestBrowserImportPreviewRunAndUndo imports a file as a person would: from the
// table's Import, a Latin-1 file with semicolons, a mapping changed in the preview,
// the run, the result, then Undo this import and the toast's Undo.
func TestBrowserImportPreviewRunAndUndo(t *testing.T) {
	ctx := browser(t)
	c := startConsole(t, 40)
	c.signIn(t, ctx)

	content, err := charmap.Windows1252.NewEncoder().String("Nom complet;E-mail;Société;Remarques\r\n" +
		"José Müller;jose@example.com;Café Crème;vip\r\n" +
		"Zoë Brontë;zoe@example;Brontë & Sœurs;\r\n" +
		"Anaïs Nin;anais@example.com;Éditions;webinar\r\n")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "salon-2026.csv")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.page-head a[href="/leads/import"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input#import-file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`input#import-file`), []string{file}),
		chromedp.Click(chromedp.CSS(`.import-upload button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.import-preview`)),
	)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	// "Nom complet" and "Société" are no names Leadkeep knows: the person maps them.
	if got := text(t, ctx, ".import .alert-warn"); !strings.Contains(got, "Windows-1252") {
		t.Errorf("no word about the encoding: %q", got)
	}
	// Each change posts the form and swaps the preview in; the next change waits until
	// htmx has settled the new form (a change before that would reach the old one).
	waitFor(t, ctx, "htmx ready", `document.readyState === 'complete' && document.documentElement.classList.contains('js') && !!window.htmx`)
	err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.settled = 0;
		document.body.addEventListener('htmx:afterSettle', () => window.settled++)`))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range [][2]string{{"0", "name"}, {"2", "company"}, {"3", "tags"}} {
		col, field := m[0], m[1]
		err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
			const s = document.querySelector('#map-`+col+`');
			s.focus();
			s.value = '`+field+`';
			s.dispatchEvent(new Event('change', {bubbles: true}));
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "column "+col+" mapped to "+field, fmt.Sprintf(`window.settled > %d &&
			document.querySelector('#map-%s option[value="%s"]')?.hasAttribute('selected')`, i, col, field))
		// The new preview keeps the focus where a keyboard user was.
		if id, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); id != "map-"+col {
			t.Errorf("after the preview changed, the focus is on %q, want #map-%s", id, col)
		}
	}
	waitFor(t, ctx, "the preview with names", `document.querySelector('table.import-preview tbody td.name')?.textContent.trim() === 'José Müller'`)
	if got := text(t, ctx, "table.import-preview tbody tr:nth-child(2) td.verdict"); !strings.Contains(got, "Refused: E-mail is not a valid e-mail address") {
		t.Errorf("row 3's verdict: %q", got)
	}
	screenshot(t, ctx, "import-01-preview")

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.import-actions button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.import-stats`)),
	)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if created, refused := text(t, ctx, ".stat-created strong"), text(t, ctx, ".stat-refused strong"); created != "2" || refused != "1" {
		t.Errorf("created %s, refused %s; want 2 and 1", created, refused)
	}
	screenshot(t, ctx, "import-02-result")

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.import-undo button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#toasts .toast-undo`)),
	)
	if err != nil {
		t.Fatalf("undo the import: %v", err)
	}
	if got := text(t, ctx, "#toasts .toast-undo .toast-text"); got != "2 leads deleted." {
		t.Errorf("toast %q", got)
	}
	if got := text(t, ctx, "#lead-count"); !strings.Contains(got, "41 leads") {
		t.Errorf("count %q after undoing the import, want 41", got)
	}
	screenshot(t, ctx, "import-03-undone")
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#toasts .toast-undo button[type="submit"]`)))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the imported leads back", `(() => {
		const names = [...document.querySelectorAll('tr[data-lead-id] td.name')].map(td => td.textContent.trim());
		return names.includes('José Müller') && names.includes('Anaïs Nin');
	})()`)
}
