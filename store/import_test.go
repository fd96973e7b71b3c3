package store_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"leadkeep/store"
)

// Tests of importing leads from CSV files: reading files in their encodings and
// shapes, refusing bad ones whole, judging each row, and undoing an import.

// imWrite writes content to a file of the test's temporary directory.
func imWrite(t testing.TB, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// imRun imports the file as the command line does: headers guessed, as Dana.
func imRun(t testing.TB, e *lcEnv, path string, opt store.ImportOptions) (store.ImportResult, error) {
	t.Helper()
	f, err := store.InspectImport(path)
	if err != nil {
		return store.ImportResult{}, err
	}
	return e.s.Import(context.Background(), e.ws, e.dana, store.ImportRequest{ID: store.NewImportID(), File: f,
		FileName: filepath.Base(path), Mapping: store.GuessMapping(f.Header), Options: opt})
}

// imMust imports the file and fails the test on an error.
func imMust(t testing.TB, e *lcEnv, content string, opt store.ImportOptions) store.ImportResult {
	t.Helper()
	res, err := imRun(t, e, imWrite(t, "leads.csv", []byte(content)), opt)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

// imLead is the workspace's one active lead with the name.
func imLead(t testing.TB, e *lcEnv, name string) store.Lead {
	t.Helper()
	ids := e.rows(t, `SELECT id FROM leads WHERE workspace_id = ? AND name = ? AND deleted_at IS NULL`, e.ws.ID, name)
	if len(ids) != 1 {
		t.Fatalf("%d active leads named %q, want 1", len(ids), name)
	}
	l, err := e.s.Lead(context.Background(), e.ws.ID, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// imReasons are the problems of a result as "row: outcome: reason".
func imReasons(res store.ImportResult) []string {
	var out []string
	for _, p := range res.Problems {
		out = append(out, fmt.Sprintf("%d: %s: %s", p.Row, p.Outcome, p.Reason))
	}
	return out
}

func TestImportReadsUTF8WithOrWithoutABOMAndLatin1(t *testing.T) {
	latin1, err := charmap.ISO8859_1.NewEncoder().String("name,company\nJosé Müller,Café Crème\n")
	if err != nil {
		t.Fatal(err)
	}
	cp1252, err := charmap.Windows1252.NewEncoder().String("Name;Company\nZoë O’Brien;Smørrebrød € Co\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what, content, encoding, name, company string
	}{
		{"plain UTF-8", "name,company\nJosé Müller,Café Crème\n", store.EncodingUTF8, "José Müller", "Café Crème"},
		{"UTF-8 with a BOM", "\ufeffName,Company\nJosé Müller,Café Crème\n", store.EncodingUTF8BOM, "José Müller", "Café Crème"},
		{"Latin-1", latin1, store.EncodingWindows1252, "José Müller", "Café Crème"},
		{"Windows-1252 with semicolons", cp1252, store.EncodingWindows1252, "Zoë O’Brien", "Smørrebrød € Co"},
		{"a UTF-8 BOM on Latin-1", "\xef\xbb\xbf" + latin1, store.EncodingWindows1252, "José Müller", "Café Crème"},
		{"UTF-16 with a BOM, tabs", "\xff\xfe" + utf16le("Name\tCompany\r\nJosé Müller\tCafé Crème\r\n"), store.EncodingUTF16, "José Müller", "Café Crème"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			e := newLC(t)
			path := imWrite(t, "leads.csv", []byte(tc.content))
			f, err := store.InspectImport(path)
			if err != nil {
				t.Fatalf("inspect: %v", err)
			}
			if f.Encoding != tc.encoding || f.Rows != 1 || !reflect.DeepEqual(store.GuessMapping(f.Header), store.ImportMapping{"name", "company"}) {
				t.Fatalf("inspect: encoding %q, %d rows, header %q; want %q, 1 row, name and company", f.Encoding, f.Rows, f.Header, tc.encoding)
			}
			if res := imMust(t, e, tc.content, store.ImportOptions{}); res.Created != 1 {
				t.Fatalf("created %d, want 1 (%v)", res.Created, imReasons(res))
			}
			if l := imLead(t, e, tc.name); l.Company != tc.company {
				t.Errorf("company %q, want %q", l.Company, tc.company)
			}
		})
	}
}

// utf16le encodes ASCII and Latin-1 text as UTF-16, little-endian.
func utf16le(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r))
		b.WriteByte(byte(r >> 8))
	}
	return b.String()
}

func TestImportKeepsLineBreaksInsideQuotesInTheirRow(t *testing.T) {
	e := newLC(t)
	res := imMust(t, e, "name,company,email\r\n"+
		"\"Ada Lovelace\",\"Analytical\r\nEngines, Ltd\",ada@engines.example\r\n"+
		"Bad Row,\"x\",not-an-email\r\n"+
		"\"Charles \"\"Babbage\"\"\",Difference,charles@engines.example\r\n", store.ImportOptions{})
	if res.Created != 2 || res.Refused != 1 {
		t.Fatalf("created %d, refused %d, want 2 and 1 (%v)", res.Created, res.Refused, imReasons(res))
	}
	// The row after a value with a line break is still row 3, as in a spreadsheet.
	if got := imReasons(res); !reflect.DeepEqual(got, []string{"3: refused: E-mail is not a valid e-mail address, like name@example.com"}) {
		t.Errorf("problems %q", got)
	}
	if l := imLead(t, e, "Ada Lovelace"); l.Company != "Analytical\r\nEngines, Ltd" && l.Company != "Analytical\nEngines, Ltd" {
		t.Errorf("company %q, want the line break kept", l.Company)
	}
	imLead(t, e, `Charles "Babbage"`)
}

func TestImportWithMissingColumns(t *testing.T) {
	e := newLC(t)
	// Only a name: every other field is empty, the pool the default one, the status new.
	res := imMust(t, e, "Full Name\nGrace Hopper\n", store.ImportOptions{})
	if res.Created != 1 {
		t.Fatalf("created %d (%v)", res.Created, imReasons(res))
	}
	l := imLead(t, e, "Grace Hopper")
	if l.Email != "" || l.Phone != "" || l.Status != store.StatusNew || l.PoolID != e.pools[0].ID || l.Source != "CSV import" || l.OwnerID != e.dana.ID {
		t.Errorf("lead %+v: want no e-mail or phone, status new, the default pool, source CSV import, owned by Dana", l)
	}

	// No column for the name: refused before anything is written.
	before := e.snap(t)
	_, err := imRun(t, e, imWrite(t, "x.csv", []byte("email,phone\nann@example.com,+14155550100\n")), store.ImportOptions{})
	if se := wantInvalid(t, err, "map"); !strings.Contains(se.Fields["map"], "name") {
		t.Errorf("error %v, want it to ask for the name column", err)
	}
	lcSameSnap(t, "an import without a name column", before, e.snap(t))

	// Rows with a value too few or too many are refused, the others imported.
	res = imMust(t, e, "name,email,company\nAnn One,ann@example.com,Acme\nBen Two,ben@example.com\nCid Three,cid@example.com,Acme,extra\n", store.ImportOptions{})
	if res.Created != 1 || res.Refused != 2 {
		t.Fatalf("created %d, refused %d (%v), want 1 and 2", res.Created, res.Refused, imReasons(res))
	}
	for i, want := range []string{"has 2 values where the header has 3 columns", "has 4 values where the header has 3 columns"} {
		if !strings.Contains(res.Problems[i].Reason, want) || res.Problems[i].Row != 3+i {
			t.Errorf("problem %d: %+v, want row %d: %s", i, res.Problems[i], 3+i, want)
		}
	}

	// First and last name make the name.
	imMust(t, e, "First Name,Last Name,E-mail Address\nKatherine,Johnson,kj@nasa.example\n", store.ImportOptions{})
	if l := imLead(t, e, "Katherine Johnson"); l.Email != "kj@nasa.example" {
		t.Errorf("e-mail %q", l.Email)
	}
}

func TestImportRefusesABadFileBeforeWritingAnything(t *testing.T) {
	e := newLC(t)
	huge := filepath.Join(t.TempDir(), "huge.csv")
	if err := os.WriteFile(huge, []byte("name\nAda\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 60<<20); err != nil { // 60 MB (sparse)
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what, content, path, want string
	}{
		{what: "an empty file", content: "", want: "is empty"},
		{what: "blank lines only", content: "\n\n\r\n", want: "is empty"},
		{what: "a header alone", content: "name,email,phone\n", want: "no rows under it"},
		{what: "a binary file", content: "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00name,email", want: "binary"},
		{what: "prose, not CSV", content: "Dear Dana\nHere are the leads we talked about\n", want: "does not look like a CSV file"},
		{what: "a quote never closed", content: "name,company\nAda,\"Engines\nBob,Acme\n", want: "quoted value is not closed"},
		{what: "a stray quote", content: "name,company\nAda,En\"gines\n", want: `a " appears inside a value`},
		{what: "a 60 MB file", path: huge, want: "larger than 50 MB"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = imWrite(t, "leads.csv", []byte(tc.content))
			}
			before := e.snap(t)
			_, err := imRun(t, e, path, store.ImportOptions{})
			if se := wantInvalid(t, err, "file"); !strings.Contains(se.Fields["file"], tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
			lcSameSnap(t, tc.what, before, e.snap(t))
		})
	}
}

func TestAnImportThatFailsHalfwayWritesNothing(t *testing.T) {
	e := newLC(t)
	var good, broken strings.Builder
	good.WriteString("name,email\n")
	for i := range 3000 {
		fmt.Fprintf(&good, "Lead %d,lead%d@example.com\n", i, i)
	}
	broken.WriteString(good.String())
	broken.WriteString("Broken,\"never closed\n")
	path := imWrite(t, "leads.csv", []byte(good.String()))
	f, err := store.InspectImport(path)
	if err != nil {
		t.Fatal(err)
	}
	// The file changes under the import after it was inspected: 3,000 rows are
	// written, then row 3,002 cannot be read.
	if err := os.WriteFile(path, []byte(broken.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	before := e.snap(t)
	_, err = e.s.Import(context.Background(), e.ws, e.dana, store.ImportRequest{ID: store.NewImportID(), File: f, Mapping: store.GuessMapping(f.Header)})
	if se := wantInvalid(t, err, "file"); !strings.Contains(se.Fields["file"], "line 3002") {
		t.Errorf("error %v, want it to name line 3002", err)
	}
	lcSameSnap(t, "an import that failed at its last row", before, e.snap(t))
}

func TestImportGuessesTheMappingFromTheHeader(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   store.ImportMapping
	}{
		{[]string{"id", "name", "email", "phone", "company", "status", "pool", "source", "owner", "tags", "created_at", "updated_at"},
			store.ImportMapping{"", "name", "email", "phone", "company", "status", "pool", "source", "", "tags", "", ""}},
		{[]string{"Full Name", "E-mail", "Phone Number", "Company Name"}, store.ImportMapping{"name", "email", "phone", "company"}},
		{[]string{"FIRST_NAME", "last name", "Email Address", "Mobile", "Organisation"},
			store.ImportMapping{"first_name", "last_name", "email", "phone", "company"}},
		// The first column that names a field fills it; a whole name wins over its parts.
		{[]string{"Name", "First Name", "Phone", "Mobile", "Notes"}, store.ImportMapping{"name", "", "phone", "", ""}},
	} {
		if got := store.GuessMapping(tc.header); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("GuessMapping(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestImportRefusesAColumnMappedTwice(t *testing.T) {
	e := newLC(t)
	path := imWrite(t, "leads.csv", []byte("Name,Phone,Mobile\nAda,+14155550100,+14155550101\n"))
	f, err := store.InspectImport(path)
	if err != nil {
		t.Fatal(err)
	}
	m := store.ImportMapping{"name", "phone", "phone"}
	err = store.CheckImportMapping(f.Header, m)
	se := wantInvalid(t, err, "map_1", "map_2")
	if !strings.Contains(se.Fields["map_2"], "columns B and C") {
		t.Errorf("error %v, want it to name the columns", err)
	}
	before := e.snap(t)
	_, err = e.s.Import(context.Background(), e.ws, e.dana, store.ImportRequest{ID: store.NewImportID(), File: f, Mapping: m})
	wantInvalid(t, err, "map_1", "map_2")
	lcSameSnap(t, "an import with a column mapped twice", before, e.snap(t))

	wantInvalid(t, store.CheckImportMapping([]string{"Name", "First"}, store.ImportMapping{"name", "first_name"}), "map_1")
}

func TestImportSkipsDuplicateEmailsOnlyWhenAsked(t *testing.T) {
	file := "name,email\nAnn Again,ANN@example.com\nBen First,ben@example.com\nBen Second,Ben@Example.com\nNo Mail,\nNo Mail,\n"
	t.Run("off", func(t *testing.T) {
		e := newLC(t)
		mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr("Ann Existing"), Email: ptr("ann@example.com")})
		if res := imMust(t, e, file, store.ImportOptions{}); res.Created != 5 || res.Skipped != 0 {
			t.Errorf("created %d, skipped %d, want 5 and 0: leads may share an e-mail", res.Created, res.Skipped)
		}
	})
	t.Run("on", func(t *testing.T) {
		e := newLC(t)
		mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr("Ann Existing"), Email: ptr("ann@example.com")})
		trashed := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr("Old Ben"), Email: ptr("ben@example.com")})
		e.del(t, e.dana, "outdated", trashed.ID) // only active leads count
		res := imMust(t, e, file, store.ImportOptions{SkipDuplicates: true})
		if res.Created != 3 || res.Skipped != 2 {
			t.Fatalf("created %d, skipped %d, want 3 and 2", res.Created, res.Skipped)
		}
		want := []string{"2: skipped: e-mail matches an active lead", "4: skipped: same e-mail as row 3 of this file"}
		if got := imReasons(res); !reflect.DeepEqual(got, want) {
			t.Errorf("problems %q, want %q", got, want)
		}
		// The preview says the same of the same rows.
		f, err := store.InspectImport(imWrite(t, "again.csv", []byte(file)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := e.s.PreviewImport(context.Background(), e.ws, f, store.GuessMapping(f.Header), store.ImportOptions{SkipDuplicates: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if want := map[bool]string{true: store.ImportSkipped, false: store.ImportCreated}[r.Lead.Email != ""]; r.Outcome != want {
				t.Errorf("preview row %d: %s (%s), want %s: every e-mail is now an active lead's", r.Row, r.Outcome, r.Reason, want)
			}
		}
	})
}

func TestImportRefusesSuppressedEmailsAndPhones(t *testing.T) {
	e := newLC(t)
	ctx := context.Background()
	for _, v := range []string{"spam@example.com", "(415) 555-0199"} {
		if err := e.s.Suppress(ctx, e.ws, e.dana, v); err != nil {
			t.Fatal(err)
		}
	}
	content := "name,email,phone\nSpam Mail, Spam@Example.com ,\nSpam Phone,,+1 415-555-0199\nBoth,spam@example.com,4155550199\nClean,clean@example.com,+14155550100\n"
	res := imMust(t, e, content, store.ImportOptions{})
	want := []string{"2: refused: suppressed e-mail", "3: refused: suppressed phone", "4: refused: suppressed e-mail and phone"}
	if got := imReasons(res); res.Created != 1 || res.Refused != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("created %d, refused %d, problems %q; want 1, 3, %q", res.Created, res.Refused, got, want)
	}
	// The report keeps the rows' values for the person (never the database).
	if !reflect.DeepEqual(res.Problems[0].Values, []string{"Spam Mail", " Spam@Example.com ", ""}) {
		t.Errorf("values %q", res.Problems[0].Values)
	}
	if n := e.count(t, `SELECT count(*) FROM leads WHERE name LIKE 'Spam%' OR name = 'Both'`); n != 0 {
		t.Errorf("%d suppressed leads were written", n)
	}
}

func TestImportReadsWhatAnExportWrote(t *testing.T) {
	e := newLC(t)
	// As web.Export writes it: formula-like cells behind a ', pools by name, tags
	// joined by ;, E.164 phones as they are.
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll([][]string{
		{"id", "name", "email", "phone", "company", "status", "pool", "source", "owner", "tags", "created_at", "updated_at"},
		{"lead_0123456789abcdef", "'=Robert Tables", "bobby@tables.example", "+14155550142", "'+Plus Co", "qualified", "Inbound",
			"'@mention", "Dana Admin", "'-vip;webinar", "2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z"},
		{"lead_fedcba9876543210", "O'Neil", "", "", "'Quoted Inc", "Won", "partners", "Referral", "", "", "2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z"},
		{"lead_00000000000000ff", "Nobody", "", "", "", "new", "Nowhere", "", "", "", "", ""},
	})
	res := imMust(t, e, b.String(), store.ImportOptions{})
	if res.Created != 2 || res.Refused != 1 || !strings.Contains(res.Problems[0].Reason, `Pool "Nowhere" is not a pool of this workspace`) {
		t.Fatalf("created %d, refused %d (%v); want 2, and Nowhere refused as an unknown pool", res.Created, res.Refused, imReasons(res))
	}
	l := imLead(t, e, "=Robert Tables")
	if l.ID == "lead_0123456789abcdef" || l.Phone != "+14155550142" || l.Company != "+Plus Co" || l.Status != store.StatusQualified ||
		l.PoolID != e.pools[1].ID || l.Source != "@mention" || !slices.Equal(l.Tags, []string{"-vip", "webinar"}) {
		t.Errorf("lead %+v: want a new id, the ' dropped before =, +, - and @, the pool by name and the tags", l)
	}
	l = imLead(t, e, "O'Neil")
	if l.Company != "'Quoted Inc" || l.Status != store.StatusWon || l.PoolID != e.pools[2].ID {
		t.Errorf("lead %+v: want a ' kept before other text, status and pool in any case", l)
	}
}

func TestImportIsOneBatchWithItsAuditActivityAndCounters(t *testing.T) {
	e := newLC(t)
	var progress []int
	path := imWrite(t, "spring leads.csv", []byte("name,status,pool,tags\nAnn,new,Inbound,a;b\nBen,won,,\nCid,lost,Partners,c\nbad,nope,,\n"))
	f, err := store.InspectImport(path)
	if err != nil {
		t.Fatal(err)
	}
	id := store.NewImportID()
	res, err := e.s.Import(context.Background(), e.ws, e.dana, store.ImportRequest{ID: id, File: f, FileName: "C:\\Users\\dana\\spring leads.csv",
		Mapping: store.GuessMapping(f.Header), Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.BatchID != id || res.Created != 3 || res.Refused != 1 {
		t.Fatalf("result %+v", res)
	}
	if len(progress) == 0 || progress[len(progress)-1] != 4 {
		t.Errorf("progress %v, want it to end at the 4 rows", progress)
	}
	e.checkCounters(t, "after an import")
	b, err := e.s.ImportBatch(context.Background(), e.ws.ID, id)
	if err != nil || b.Kind != "import" || b.Count != 3 || b.Details != "spring leads.csv" {
		t.Fatalf("batch %+v, %v", b, err)
	}
	if got := e.rows(t, `SELECT action, count, batch_id, details FROM audit WHERE action = 'import'`); !reflect.DeepEqual(got,
		[]string{"import|3|" + id + "|Imported spring leads.csv: 3 created, 0 skipped, 1 refused"}) {
		t.Errorf("audit %q", got)
	}
	if n := e.count(t, `SELECT count(*) FROM activity a JOIN leads l ON l.id = a.lead_id
		WHERE l.import_batch_id = ? AND a.kind = 'created' AND a.text = 'imported from spring leads.csv'`, id); n != 3 {
		t.Errorf("%d activity rows, want one per lead", n)
	}
	if n := e.count(t, `SELECT count(*) FROM tags`); n != 3 {
		t.Errorf("%d tags, want 3", n)
	}
	// The imported leads are found by search.
	page, err := e.s.ListLeads(context.Background(), e.ws.ID, store.LeadFilter{Query: "cid"})
	if err != nil || page.Total != 1 {
		t.Errorf("search finds %d, %v", page.Total, err)
	}
	// Another workspace's import, or a batch that is no import, is not found.
	if _, err := e.s.ImportBatch(context.Background(), e.other.ID, id); !errors.Is(err, store.ErrBatchNotFound) {
		t.Errorf("another workspace's import: %v", err)
	}
}

func TestUndoingAnImportMovesItsLeadsToTheTrashAsOneUndoableDeletion(t *testing.T) {
	e := newLC(t)
	ctx := context.Background()
	before := e.lead(t)
	f, err := store.InspectImport(imWrite(t, "leads.csv", []byte("name\nAnn\nBen\nCid\nDee\n")))
	if err != nil {
		t.Fatal(err)
	}
	id := store.NewImportID()
	if _, err := e.s.Import(ctx, e.ws, e.dana, store.ImportRequest{ID: id, File: f, FileName: "leads.csv", Mapping: store.ImportMapping{"name"}}); err != nil {
		t.Fatal(err)
	}
	e.del(t, e.dana, "duplicate", imLead(t, e, "Dee").ID) // deleted by hand since: stays where it is

	if _, err := e.s.UndoImport(ctx, e.other, e.olga, id); !errors.Is(err, store.ErrBatchNotFound) {
		t.Fatalf("undo from another workspace: %v, want not found", err)
	}
	e.clock.advance(store.UndoWindow) // the first deletion's toast is over
	b, err := e.s.UndoImport(ctx, e.ws, e.sam, id)
	if err != nil {
		t.Fatal(err)
	}
	if b.Kind != "delete" || b.Count != 3 || b.Reason != "invalid" || b.Details != "Undo of import leads.csv" || b.ActorID != e.sam.ID ||
		!b.UndoUntil.Equal(e.clock.t.Add(store.UndoWindow)) {
		t.Fatalf("batch %+v: want one deletion of the 3 active imported leads by Sam, reason invalid, undoable for 10 s", b)
	}
	if got := e.rows(t, `SELECT name FROM leads WHERE batch_id = ? ORDER BY name`, b.ID); !reflect.DeepEqual(got, []string{"Ann", "Ben", "Cid"}) {
		t.Errorf("in the deletion: %q", got)
	}
	if e.state(t, before.ID) != "active" {
		t.Error("a lead the import did not create was deleted")
	}
	pending, err := e.s.PendingUndos(ctx, e.ws.ID, e.sam.ID)
	if err != nil || len(pending) != 1 || pending[0].ID != b.ID {
		t.Errorf("pending undos %+v, %v: want the toast of the deletion", pending, err)
	}
	e.checkCounters(t, "after undoing the import")
	if _, err := e.s.UndoImport(ctx, e.ws, e.sam, id); store.ErrorCode(err) != store.EConflict {
		t.Errorf("undoing it again: %v, want a conflict (nothing left)", err)
	}

	// Undo of the deletion brings the three back; Dee stays in the Trash.
	res, err := e.s.UndoBatch(ctx, e.ws.ID, e.sam, b.ID)
	if err != nil || res.Restored != 3 {
		t.Fatalf("undo: %+v, %v", res, err)
	}
	if got := e.rows(t, `SELECT name FROM leads WHERE import_batch_id = ? AND deleted_at IS NULL ORDER BY name`, id); !reflect.DeepEqual(got, []string{"Ann", "Ben", "Cid"}) {
		t.Errorf("active again: %q", got)
	}
	e.checkCounters(t, "after the undo")
}

// BenchmarkImport100k imports a file of 100,000 generated leads (about 9 MB) into
// an empty workspace: read, judged, written in one transaction.
func BenchmarkImport100k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("name,email,phone,company,status,tags\n")
	statuses := []string{"new", "contacted", "qualified", "won", "lost"}
	for i := range 100_000 {
		fmt.Fprintf(&sb, "Lead %d Example,lead%d@bench.example,+1 415 555 %04d,Company %d Ltd,%s,tag%d;bench\n",
			i, i, 100+i%100, i%977, statuses[i%5], i%13)
	}
	path := imWrite(b, "bench.csv", []byte(sb.String()))
	for _, skip := range []bool{false, true} {
		b.Run(fmt.Sprintf("skip-duplicates=%v", skip), func(b *testing.B) {
			s := openStore(b)
			ctx := context.Background()
			n := 0
			for b.Loop() {
				n++
				ws := mustWorkspace(b, s, fmt.Sprintf("Bench %d", n))
				f, err := store.InspectImport(path)
				if err != nil {
					b.Fatal(err)
				}
				res, err := s.Import(ctx, ws, systemActor, store.ImportRequest{ID: store.NewImportID(), File: f,
					Mapping: store.GuessMapping(f.Header), Options: store.ImportOptions{SkipDuplicates: skip}})
				if err != nil || res.Created != 100_000 {
					b.Fatalf("created %d, %v", res.Created, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(n), "s/import")
		})
	}
}
