package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A value suppressed by a spam marking (the store's own suppress, as "Mark as spam"
// will call it) refuses an import's row exactly as one an admin suppressed.
func TestImportRefusesAnEmailAndPhoneMarkedAsSpam(t *testing.T) {
	ctx := context.Background()
	s := openFile(t, filepath.Join(t.TempDir(), "leadkeep.db"))
	defer s.Close()
	ws, err := s.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	system := Actor{Kind: "system"}
	if err := s.inTx(ctx, func(tx *Tx) error {
		return s.suppress(ctx, tx, ws.ID, system, "spam", "", "", "Spammy@Example.com", "+14155550199")
	}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "leads.csv")
	if err := os.WriteFile(path, []byte("name,email,phone\nSpam,spammy@example.com,415-555-0199\nFine,fine@example.com,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := InspectImport(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Import(ctx, ws, system, ImportRequest{ID: NewImportID(), File: f, Mapping: GuessMapping(f.Header)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 1 || res.Refused != 1 || res.Problems[0].Reason != "suppressed e-mail and phone" {
		t.Fatalf("result %+v, want Fine created and Spam refused for its e-mail and phone", res)
	}
}
