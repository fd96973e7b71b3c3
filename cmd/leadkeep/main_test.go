package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"leadkeep/store"
)

// leadkeep runs the command line in-process and returns its last line of standard
// output, failing the test on an error.
func leadkeep(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut); err != nil {
		t.Fatalf("leadkeep %s: %v (stderr %q)", strings.Join(args, " "), err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

func TestCommandsThatCreatePrintTheIDAloneOnTheLastLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "leadkeep.db")
	ws := leadkeep(t, "", "workspace", "add", "--db", db, "--name", "Acme Sales")
	if !regexp.MustCompile(`^ws_[0-9a-f]{16}$`).MatchString(ws) {
		t.Fatalf("workspace add printed %q", ws)
	}
	if pool := leadkeep(t, "", "pool", "add", "--db", db, "--workspace", "Acme Sales", "--name", "Webinars"); !strings.HasPrefix(pool, "pool_") {
		t.Fatalf("pool add printed %q", pool)
	}
	if user := leadkeep(t, "a long password\n", "user", "add", "--db", db, "--workspace", ws, "--email", "dana@acme.test",
		"--name", "Dana Reyes", "--role", "admin"); !regexp.MustCompile(`^usr_[0-9a-f]{16}$`).MatchString(user) {
		t.Fatalf("user add printed %q", user)
	}
	if key := leadkeep(t, "", "apikey", "add", "--db", db, "--workspace", ws, "--name", "Zapier sync", "--role", "manager"); !strings.HasPrefix(key, "sk-") {
		t.Fatalf("apikey add printed %q", key)
	}
	if seeded := leadkeep(t, "", "seed", "--db", db, "--workspace", "Acme Sales", "--leads", "250"); seeded != "seeded=250" {
		t.Fatalf("seed printed %q", seeded)
	}
}

func TestBadCommandsSayWhyAndChangeNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "leadkeep.db")
	leadkeep(t, "", "workspace", "add", "--db", db, "--name", "Acme")
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"frobnicate"}, "unknown command"},
		{"", []string{"workspace", "add", "--db", db}, "--name is required"},
		{"", []string{"workspace", "add", "--db", db, "--name", "Acme"}, "already exists"},
		{"short\n", []string{"user", "add", "--db", db, "--workspace", "Acme", "--email", "x@acme.test", "--name", "X", "--role", "admin"}, "at least 10"},
		{"a long password\n", []string{"user", "add", "--db", db, "--workspace", "Acme", "--email", "x@acme.test", "--name", "X", "--role", "boss"}, "role"},
		{"a long password\n", []string{"user", "add", "--db", db, "--workspace", "Nope", "--email", "x@acme.test", "--name", "X", "--role", "admin"}, "No workspace"},
		{"", []string{"seed", "--db", db, "--workspace", "Acme", "--leads", "-3"}, "positive"},
		{"", []string{"serve", "--db", db, "--addr", "nonsense"}, "--addr"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tc.args, strings.NewReader(tc.stdin), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("leadkeep %s: error %v, want one saying %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

func TestExportAndBackupFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leadkeep.db")
	leadkeep(t, "", "workspace", "add", "--db", db, "--name", "Acme")
	leadkeep(t, "", "seed", "--db", db, "--workspace", "Acme", "--leads", "40")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"export", "--db", db, "--workspace", "Acme"}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if lines[0] != "id,name,email,phone,company,status,pool,source,owner,tags,created_at,updated_at" || len(lines) != 41 {
		t.Fatalf("export: header %q and %d lines, want the contract's header and 40 leads", lines[0], len(lines)-1)
	}
	to := filepath.Join(dir, "backup.db")
	if got := leadkeep(t, "", "backup", "--db", db, "--to", to); got != to {
		t.Fatalf("backup printed %q", got)
	}
	// The copy opens, holds the leads, and exports the same file with its own key.
	var again bytes.Buffer
	if err := run(context.Background(), []string{"export", "--db", to, "--workspace", "Acme"}, strings.NewReader(""), &again, &errOut); err != nil {
		t.Fatal(err)
	}
	if again.String() != out.String() {
		t.Fatal("the backup exports differently from the original")
	}
	if err := run(context.Background(), []string{"backup", "--db", db, "--to", to}, strings.NewReader(""), &out, &errOut); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("a second backup onto the same file: %v, want a refusal", err)
	}
}

// An erasure made after a backup is applied again to the restored copy by
// `erasures replay`, from the log beside the live database; twice changes nothing.
func TestErasuresReplayOntoARestoredBackup(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leadkeep.db")
	ctx := context.Background()
	leadkeep(t, "", "workspace", "add", "--db", db, "--name", "Acme")
	leadkeep(t, "", "seed", "--db", db, "--workspace", "Acme", "--leads", "30")
	const email = "replay.person.7731@example.org"

	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.FindWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	person, err := st.CreateLead(ctx, ws, store.Actor{Kind: "system"}, store.LeadInput{Name: ptr("Rhea Replay"), Email: ptr(email), Phone: ptr("+1 415 555 0199")})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	backup := filepath.Join(dir, "backup.db")
	leadkeep(t, "", "backup", "--db", db, "--to", backup)

	st, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.Erase(ctx, ws, store.Actor{Kind: "user", ID: "usr_op"}, store.ErasureRequest{Email: email, Reference: "DSR-77"})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	// The restored copy still holds the person, until the replay.
	if got := leadkeep(t, "", "erasures", "replay", "--db", backup, "--from", db+".erasures.jsonl"); got != "replayed=1 present=0 leads=1" {
		t.Fatalf("replay printed %q", got)
	}
	if got := leadkeep(t, "", "erasures", "replay", "--db", backup, "--from", db+".erasures.jsonl"); got != "replayed=0 present=1 leads=0" {
		t.Fatalf("a second replay printed %q", got)
	}
	restored, err := store.Open(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if _, err := restored.Lead(ctx, ws.ID, person.ID); store.ErrorCode(err) != store.ELeadNotFound {
		t.Fatalf("after the replay the person's lead: %v, want gone", err)
	}
	if _, err := restored.Erasure(ctx, ws.ID, e.ID); err != nil {
		t.Fatalf("the replayed erasure's receipt: %v", err)
	}
	if _, err := restored.CreateLead(ctx, ws, store.Actor{Kind: "system"}, store.LeadInput{Name: ptr("Again"), Email: ptr(email)}); store.ErrorCode(err) != store.ESuppressed {
		t.Fatalf("a new lead with the erased e-mail in the restored copy: %v, want SUPPRESSED", err)
	}
	log, err := os.ReadFile(db + ".erasures.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(log), email) || strings.Contains(string(log), "Rhea") {
		t.Fatalf("the erasure log holds personal data: %s", log)
	}
}

func ptr[T any](v T) *T { return &v }

func TestExportWithABOMForSpreadsheets(t *testing.T) {
	db := filepath.Join(t.TempDir(), "leadkeep.db")
	leadkeep(t, "", "workspace", "add", "--db", db, "--name", "Acme")
	leadkeep(t, "", "seed", "--db", db, "--workspace", "Acme", "--leads", "5")
	var plain, bom, errOut bytes.Buffer
	for _, c := range []struct {
		args []string
		out  *bytes.Buffer
	}{{[]string{"export", "--db", db, "--workspace", "Acme"}, &plain}, {[]string{"export", "--db", db, "--workspace", "Acme", "--bom"}, &bom}} {
		if err := run(context.Background(), c.args, strings.NewReader(""), c.out, &errOut); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.HasPrefix(bom.String(), "\uFEFFid,name,") || strings.TrimPrefix(bom.String(), "\uFEFF") != plain.String() {
		t.Errorf("--bom wrote %q…, want the plain file after a byte-order mark", bom.String()[:12])
	}
}

func TestImportFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leadkeep.db")
	leadkeep(t, "", "workspace", "add", "--db", db, "--name", "Acme")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := st.FindWorkspace(context.Background(), "Acme")
	if err := st.Suppress(context.Background(), ws, store.Actor{Kind: "system"}, "spam@example.com"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	file := filepath.Join(dir, "leads.csv")
	os.WriteFile(file, []byte("NAME,E-Mail,Notes\nAda Lovelace,ada@example.com,x\nSam Spam,spam@example.com,\nAda Again,ADA@example.com,\n,nameless@example.com,\n"), 0o600)

	var out, errOut bytes.Buffer
	// Flags after the file work too.
	if err := run(context.Background(), []string{"import", "--db", db, file, "--workspace", "Acme", "--skip-duplicates"},
		strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("import: %v (stderr %q)", err, errOut.String())
	}
	if last := strings.TrimSpace(out.String()); last != "created=1 skipped=1 refused=2" {
		t.Errorf("last line %q", last)
	}
	for _, want := range []string{"column C (Notes) is not imported", "row 3: refused: suppressed e-mail",
		"row 4: skipped: same e-mail as row 2 of this file", "row 5: refused: Name is required"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("standard error lacks %q:\n%s", want, errOut.String())
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--db", db, "--workspace", "Acme"}, "the CSV file to import is required"},
		{[]string{"import", "--db", db, file}, "--workspace is required"},
		{[]string{"import", "--db", db, "--workspace", "Acme", filepath.Join(dir, "nope.csv")}, "no such file"},
		{[]string{"import", "--db", db, "--workspace", "Acme", db}, "is not a CSV file"}, // the database itself
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tc.args, strings.NewReader(""), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("leadkeep %s: error %v, want one saying %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
	headerless := filepath.Join(dir, "emails.csv")
	os.WriteFile(headerless, []byte("email,phone\nann@example.com,\n"), 0o600)
	if err := run(context.Background(), []string{"import", "--db", db, "--workspace", "Acme", headerless}, strings.NewReader(""), &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "no column is named name") {
		t.Errorf("a file without a name column: %v", err)
	}
}

// An export imports into another workspace as the same leads: same names, e-mails,
// phones, companies, statuses, pools and sources, in the same order.
func TestAnExportImportsBackAsTheSameLeads(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leadkeep.db")
	leadkeep(t, "", "workspace", "add", "--db", db, "--name", "Acme")
	leadkeep(t, "", "seed", "--db", db, "--workspace", "Acme", "--leads", "300")
	leadkeep(t, "", "workspace", "add", "--db", db, "--name", "Copy")
	for _, p := range store.SeedPools {
		leadkeep(t, "", "pool", "add", "--db", db, "--workspace", "Copy", "--name", p)
	}
	export := func(ws string) [][]string {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"export", "--db", db, "--workspace", ws}, strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	first := export("Acme")
	file := filepath.Join(dir, "acme.csv")
	var b bytes.Buffer
	csv.NewWriter(&b).WriteAll(first)
	os.WriteFile(file, b.Bytes(), 0o600)
	if got := leadkeep(t, "", "import", "--db", db, "--workspace", "Copy", file); got != "created=300 skipped=0 refused=0" {
		t.Fatalf("import printed %q", got)
	}
	again := export("Copy")
	if len(again) != len(first) {
		t.Fatalf("%d rows exported from the copy, want %d", len(again), len(first))
	}
	for i := range first {
		for _, col := range []int{1, 2, 3, 4, 5, 6, 7, 9} { // name … source, tags (not id, owner or dates)
			if first[i][col] != again[i][col] {
				t.Errorf("row %d, %s: %q became %q", i, first[0][col], first[i][col], again[i][col])
			}
		}
	}
}
