package main

import (
	"bytes"
	"context"
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
