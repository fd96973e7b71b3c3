package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"leadkeep/store"
	"leadkeep/views"
)

// Tests of the import pages: upload, preview with the mapping, run, result, report
// and undo, and the files they refuse. Helpers of this file are prefixed "im".

// upload posts a file to /leads/import as the upload form does: multipart, the
// CSRF token in the address.
func (c *client) upload(name string, content []byte) *response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.WriteField("_csrf", c.token()); err != nil {
		c.t.Fatal(err)
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	return c.do(http.MethodPost, "/leads/import?_csrf="+url.QueryEscape(c.token()), &body, "Content-Type", w.FormDataContentType())
}

// imUpload uploads a file and returns the id of its import, from the redirect to
// its preview.
func imUpload(t *testing.T, c *client, name, content string) string {
	t.Helper()
	res := c.upload(name, []byte(content))
	wantRedirect(t, res, "/leads/import/bat_")
	return strings.TrimPrefix(res.location(), "/leads/import/")
}

// imRunAndWait runs an import as previewed and returns its result page once done.
func imRunAndWait(t *testing.T, c *client, id string, form url.Values) *response {
	t.Helper()
	wantRedirect(t, c.postForm("/leads/import/"+id, form), "/leads/import/"+id)
	return imWaitDone(t, c, id)
}

// imWaitDone reads the import's page until it no longer says it is running.
func imWaitDone(t *testing.T, c *client, id string) *response {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := c.getPage("/leads/import/" + id)
		wantStatus(t, res, http.StatusOK)
		if res.doc.Find(`#import[hx-trigger]`).Length() == 0 {
			return res
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still running after 20 s", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// imSelected is the field the mapping's select of column i has chosen.
func imSelected(res *response, i int) string {
	v, _ := res.doc.Find(fmt.Sprintf(`select#map-%d option[selected]`, i)).Attr("value")
	return v
}

// imPreviewRows are the preview's rows as "row|name|verdict".
func imPreviewRows(res *response) []string {
	var out []string
	res.doc.Find("table.import-preview tbody tr").Each(func(_ int, tr *goquery.Selection) {
		out = append(out, squash(tr.Find("td").First())+"|"+squash(tr.Find("td.name"))+"|"+squash(tr.Find("td.verdict")))
	})
	return out
}

// imStat is the number of a result's box: created, skipped or refused.
func imStat(t *testing.T, res *response, which string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(res.text(".stat-"+which+" strong"), ",", ""))
	if err != nil {
		t.Fatalf("no %s count on the page:\n%s", which, excerpt(res.body))
	}
	return n
}

func TestImportUploadPreviewRunAndResult(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	if err := app.st.Suppress(ctx, app.ws, store.UserActor(app.admin), "spam@example.com"); err != nil {
		t.Fatal(err)
	}
	app.lead(app.ws, store.LeadInput{Name: ptr("Existing Ann"), Email: ptr("ann@example.com")})
	c := app.signedIn("admin@acme.test")

	// The table offers the import to an admin.
	if href(c.getPage("/leads").doc, `.page-head a[href="/leads/import"]`) == "" {
		t.Error("the leads page has no Import link for an admin")
	}
	form := c.getPage("/leads/import")
	wantStatus(t, form, http.StatusOK)
	if form.doc.Find(`form[enctype="multipart/form-data"] input[type="file"][name="file"]`).Length() != 1 {
		t.Fatalf("no upload form:\n%s", excerpt(form.body))
	}

	id := imUpload(t, c, "spring.csv", "Full Name,E-mail,Mobile,Company Name,Notes\n"+
		"Ann Again,ann@example.com,+1 415 555 0100,Acme,met at the fair\n"+
		"Ben Bad,not-an-email,,Acme,\n"+
		"Sam Spam,SPAM@example.com,,,\n"+
		"Cid Clean,cid@example.com,(415) 555-0101,Globex,\n")
	preview := c.getPage("/leads/import/" + id)
	wantStatus(t, preview, http.StatusOK)
	for i, want := range []string{"name", "email", "phone", "company", ""} {
		if got := imSelected(preview, i); got != want {
			t.Errorf("column %d is mapped to %q, want %q", i, got, want)
		}
	}
	if got := preview.text("h1"); got != "Import spring.csv" {
		t.Errorf("title %q", got)
	}
	want := []string{
		"2|Ann Again|Will be created",
		"3|Ben Bad|Refused: E-mail is not a valid e-mail address, like name@example.com",
		"4|Sam Spam|Refused: suppressed e-mail",
		"5|Cid Clean|Will be created",
	}
	if got := imPreviewRows(preview); !slices.Equal(got, want) {
		t.Errorf("preview rows\n%q\nwant\n%q", got, want)
	}

	// Skipping duplicates changes the preview (as htmx asks, on a change).
	form2 := url.Values{"map_0": {"name"}, "map_1": {"email"}, "map_2": {"phone"}, "map_3": {"company"}, "map_4": {""},
		"skip_duplicates": {"1"}}
	part := c.postForm("/leads/import/"+id, withPreview(form2), "HX-Request", "true")
	wantStatus(t, part, http.StatusOK)
	if part.doc.Find("html").Length() == 1 && part.doc.Find("main").Length() == 1 {
		t.Error("htmx got a whole page, want the import region")
	}
	if got := imPreviewRows(part)[0]; got != "2|Ann Again|Skipped: e-mail matches an active lead" {
		t.Errorf("row 2 with skip duplicates: %q", got)
	}

	result := imRunAndWait(t, c, id, form2)
	if imStat(t, result, "created") != 1 || imStat(t, result, "skipped") != 1 || imStat(t, result, "refused") != 2 {
		t.Fatalf("result page:\n%s", excerpt(pageText(result.doc)))
	}
	if !strings.Contains(pageText(result.doc), "Refused suppressed e-mail — 1 row") {
		t.Errorf("the reasons do not count the suppressed row: %s", pageText(result.doc))
	}
	if app.leadCount() != 2 {
		t.Errorf("%d active leads, want Existing Ann and Cid Clean", app.leadCount())
	}
	table := c.getPage("/leads?q=cid")
	if got := squash(table.doc.Find("tr[data-lead-id] td.phone")); got != "+1 415-555-0101" {
		t.Errorf("Cid's phone in the table: %q", got)
	}

	// The report lists the skipped and refused rows with their values.
	report := c.getPage(href(result.doc, `a[href$="/report"]`))
	wantStatus(t, report, http.StatusOK)
	if ct := report.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("report content type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(report.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || !slices.Equal(recs[0], []string{"row", "outcome", "reason", "Full Name", "E-mail", "Mobile", "Company Name", "Notes"}) ||
		!slices.Equal(recs[1][:4], []string{"2", "skipped", "e-mail matches an active lead", "Ann Again"}) || recs[3][4] != "SPAM@example.com" {
		t.Errorf("report %q", recs)
	}

	// The audit log has the import; a second run changes nothing.
	audit := c.getPage("/audit?action=import")
	if got := squash(audit.doc.Find("tr[data-audit-id] td.details")); !strings.Contains(got, "Imported spring.csv: 1 created, 1 skipped, 2 refused") {
		t.Errorf("audit details %q", got)
	}
	wantRedirect(t, c.postForm("/leads/import/"+id, form2), "/leads/import/"+id)
	if app.leadCount() != 2 {
		t.Error("running the import again imported again")
	}

	// Another manager sees what the store keeps of it: not the rows, but the counts and Undo.
	app.user(app.ws, "mia@acme.test", "Mia Manager", store.RoleManager)
	other := app.signedIn("mia@acme.test").getPage("/leads/import/" + id)
	wantStatus(t, other, http.StatusOK)
	if other.doc.Find("table.import-problems").Length() != 0 || other.doc.Find(`form[action="/leads/import/`+id+`/undo"]`).Length() != 1 ||
		imStat(t, other, "created") != 1 {
		t.Errorf("another manager's view of the import:\n%s", excerpt(pageText(other.doc)))
	}
}

func withPreview(f url.Values) url.Values {
	out := url.Values{"preview": {"1"}}
	for k, v := range f {
		out[k] = v
	}
	return out
}

func TestImportRefusesAColumnMappedTwiceOrNoNameBeforeWritingAnything(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	c := app.signedIn("admin@acme.test")
	id := imUpload(t, c, "leads.csv", "Name,Phone,Mobile\nAda,+14155550100,+14155550101\n")
	before := polSnap(t, db)
	res := c.postForm("/leads/import/"+id, url.Values{"map_0": {"name"}, "map_1": {"phone"}, "map_2": {"phone"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	for _, i := range []int{1, 2} {
		sel := res.doc.Find(fmt.Sprintf("select#map-%d", i))
		if v, _ := sel.Attr("aria-invalid"); v != "true" {
			t.Errorf("column %d's select is not marked invalid", i)
		}
		if msg := res.text("#err-map_" + strconv.Itoa(i)); !strings.Contains(msg, "Phone is chosen for columns B and C") {
			t.Errorf("column %d's message %q", i, msg)
		}
	}
	if imSelected(res, 2) != "phone" {
		t.Error("the form lost the person's choice")
	}
	res = c.postForm("/leads/import/"+id, url.Values{"map_0": {""}, "map_1": {"phone"}, "map_2": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := res.text("#err-map"); !strings.Contains(msg, "Choose the column that holds each lead's name") {
		t.Errorf("message %q", msg)
	}
	polUnchanged(t, db, before, "refused mappings")
	if got := polInt(t, db, `SELECT count(*) FROM batches`); got != 0 {
		t.Errorf("%d batches written", got)
	}
}

func TestImportRefusesFilesItCannotReadWithAClearMessage(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	c := app.signedIn("admin@acme.test")
	for _, tc := range []struct {
		what, content, want string
	}{
		{"an empty file", "", "The file is empty: there is nothing to import."},
		{"a header alone", "name,email\r\n", "The file has a header row but no rows under it"},
		{"a spreadsheet workbook", "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml", "The file is not a CSV file: it holds binary data"},
		{"a letter", "Dear Dana\nThe leads are below.\n", "The file does not look like a CSV file"},
	} {
		before := polSnap(t, db)
		res := c.upload("leads.csv", []byte(tc.content))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if msg := res.text("#err-file"); !strings.HasPrefix(msg, tc.want) {
			t.Errorf("%s: message %q, want %q…", tc.what, msg, tc.want)
		}
		if v, _ := res.doc.Find("input#import-file").Attr("aria-invalid"); v != "true" {
			t.Errorf("%s: the file field is not marked invalid", tc.what)
		}
		polUnchanged(t, db, before, tc.what)
	}
	// A form without a file says so.
	res := c.postForm("/leads/import", url.Values{})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := res.text("#err-file"); !strings.Contains(msg, "choose a CSV file") {
		t.Errorf("no file: message %q", msg)
	}
	if n := len(app.srv.Config.Handler.(*Server).imports.jobs); n != 0 {
		t.Errorf("%d uploads kept from refused files", n)
	}
}

func TestImportOfA60MBFileIsRefusedWithAPageNotAResetConnection(t *testing.T) {
	app := newTestApp(t)
	db := polDB(t, app)
	c := app.signedIn("admin@acme.test")
	big := bytes.Repeat([]byte("Ada Lovelace,ada@engines.example,+14155550100,Analytical Engines\n"), 60<<20/66)
	big = append([]byte("name,email,phone,company\n"), big...)
	before := polSnap(t, db)
	res := c.upload("big.csv", big)
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if msg := res.text("#err-file"); msg != "The file is larger than 50 MB; split it into smaller files." {
		t.Errorf("message %q", msg)
	}
	polUnchanged(t, db, before, "a 60 MB upload")
	// The 2 MB limit of other forms still holds.
	res = c.postForm("/leads", url.Values{"name": {strings.Repeat("x", 3<<20)}})
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
}

func TestUndoThisImportMovesItsLeadsToTheTrashWithTheUsualToast(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin@acme.test")
	keep := app.namedLead("Kept Before")
	id := imUpload(t, c, "leads.csv", "name,email\nAnn,ann@example.com\nBen,ben@example.com\n")
	result := imRunAndWait(t, c, id, nil)
	if imStat(t, result, "created") != 2 {
		t.Fatalf("result:\n%s", excerpt(pageText(result.doc)))
	}
	undo := result.doc.Find(`form[action="/leads/import/` + id + `/undo"]`)
	if undo.Length() != 1 || !strings.Contains(squash(undo), "Undo this import") {
		t.Fatalf("no Undo this import form:\n%s", excerpt(result.body))
	}
	wantRedirect(t, c.postForm("/leads/import/"+id+"/undo", nil), "/leads")
	table := c.getPage("/leads")
	if ids := leadIDs(table.doc); len(ids) != 1 || ids[0] != keep.ID {
		t.Errorf("the table lists %v, want only the lead from before the import", ids)
	}
	toast := table.doc.Find("#toasts .toast-undo")
	if toast.Length() != 1 || squash(toast.Find(".toast-text")) != "2 leads deleted." {
		t.Fatalf("toasts: %s", toastTexts(table.doc))
	}
	batch := strings.TrimPrefix(toast.AttrOr("id", ""), "undo-")
	trash := c.getPage("/trash?view=batches")
	if !strings.Contains(pageText(trash.doc), "Undo of import leads.csv") {
		t.Errorf("the Trash does not show the deletion's details:\n%s", excerpt(pageText(trash.doc)))
	}
	// The toast's Undo brings them back.
	wantStatus(t, c.postForm("/undo/"+batch, nil), http.StatusSeeOther)
	if app.leadCount() != 3 {
		t.Errorf("%d active leads after the undo, want 3", app.leadCount())
	}
}

func TestImportProgressIsPolledUntilTheResult(t *testing.T) {
	app := newTestApp(t)
	srv := app.srv.Config.Handler.(*Server)
	c := app.signedIn("admin@acme.test")
	id := store.NewImportID()
	job := &importJob{id: id, workspaceID: app.ws.ID, userID: app.admin.ID, fileName: "big.csv", finished: make(chan struct{}),
		file: store.ImportFile{Rows: 100_000, Header: []string{"name"}}, state: views.ImportRunning, done: 42_000, touched: app.st.Now()}
	srv.imports.add(job)

	full := c.getPage("/leads/import/" + id)
	wantStatus(t, full, http.StatusOK)
	region := full.doc.Find(`section#import[hx-get="/leads/import/` + id + `"][hx-trigger="every 1s"]`)
	if region.Length() != 1 || region.Find(`progress[max="100000"][value="42000"]`).Length() != 1 ||
		!strings.Contains(squash(region), "42,000 of 100,000 rows read") {
		t.Fatalf("progress page:\n%s", excerpt(full.body))
	}
	if full.doc.Find(`noscript meta[http-equiv="refresh"]`).Length() != 1 && !strings.Contains(full.body, `http-equiv="refresh"`) {
		t.Error("without JavaScript the progress page does not reload itself")
	}
	job.finish(store.ImportResult{BatchID: id, Created: 99_000, Refused: 1_000}, "", app.st.Now())
	part := c.getPage("/leads/import/"+id, "HX-Request", "true")
	wantStatus(t, part, http.StatusOK)
	if part.doc.Find("section#import[hx-trigger]").Length() != 0 || part.doc.Find("main").Length() != 0 || imStat(t, part, "created") != 99_000 {
		t.Errorf("the poll after the end:\n%s", excerpt(part.body))
	}
}

func TestImportIsForManagersAndAdmins(t *testing.T) {
	app := newTestApp(t)
	app.user(app.ws, "agent@acme.test", "Andy Agent", store.RoleAgent)
	agent := app.signedIn("agent@acme.test")
	if agent.getPage("/leads").doc.Find(`a[href="/leads/import"]`).Length() != 0 {
		t.Error("an agent is offered Import")
	}
	wantStatus(t, agent.getPage("/leads/import"), http.StatusForbidden)
	res := agent.upload("leads.csv", []byte("name\nAda\n"))
	wantStatus(t, res, http.StatusForbidden)
	if app.leadCount() != 0 {
		t.Error("an agent's upload imported")
	}
}

func TestImportUploadExpiresAndItsFileIsRemoved(t *testing.T) {
	app := newTestApp(t)
	srv := app.srv.Config.Handler.(*Server)
	c := app.signedIn("admin@acme.test")
	id := imUpload(t, c, "leads.csv", "name\nAda\n")
	job := srv.imports.jobs[id]
	path := job.file.Path
	job.mu.Lock()
	job.touched = job.touched.Add(-importKeep - time.Minute) // uploaded over an hour ago
	job.mu.Unlock()
	res := c.getPage("/leads/import/" + id)
	wantStatus(t, res, http.StatusNotFound)
	if !strings.Contains(pageText(res.doc), "upload it again") {
		t.Errorf("expired upload: %s", pageText(res.doc))
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the uploaded file is still on disk: %v", err)
	}
}
