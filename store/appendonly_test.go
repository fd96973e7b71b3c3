package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestTheAuditLogRefusesDeletesAndEditsButARedactionOfDetails(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "leadkeep.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws, err := s.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	actor := Actor{Kind: "system"}
	l, err := s.CreateLead(ctx, ws, actor, LeadInput{Name: ptrTo("Jane Roe"), Email: ptrTo("jane@roe.example")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteLeads(ctx, ws, actor, DeleteRequest{IDs: []string{l.ID}, Details: "Jane Roe asked"}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`DELETE FROM audit`,
		`UPDATE audit SET action = 'restore'`,
		`UPDATE audit SET count = 0`,
		`UPDATE audit SET actor_id = ''`,
	} {
		_, err := s.write.ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err %v, want the append-only refusal", stmt, err)
		}
	}
	if _, err := s.write.ExecContext(ctx, `UPDATE audit SET details = '[redacted]'`); err != nil {
		t.Errorf("redacting details was refused: %v", err)
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM audit WHERE action = 'delete'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit rows %d, %v; want the one delete", n, err)
	}
}
