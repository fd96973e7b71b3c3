package store_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"leadkeep/store"
)

func TestZZDiag(t *testing.T) {
	ctx := context.Background()
	e := newLC(t)
	p1 := mustLead(t, e.s, e.ws, e.dana, store.LeadInput{Name: ptr("Zelda Quuxington"), Phone: ptr("+1 650-253-8842")})
	_ = p1
	for range 50 { e.lead(t) }
	pvFileBytes(t, e)
	if _, err := e.s.Erase(ctx, e.ws, e.dana, store.ErasureRequest{Phone: "+16502538842", Reference: "R-1"}); err != nil { t.Fatal(err) }
	data := pvFileBytes(t, e)
	raw, _ := os.ReadFile(e.s.Path())
	t.Logf("db %d bytes, all %d", len(raw), len(data))
	i := bytes.Index(data, []byte("6502538842"))
	if i < 0 { t.Log("clean"); return }
	pg := i/4096 + 1
	t.Logf("at %d page %d: %q", i, pg, data[max(0,i-200):i+100])
	for _, r := range e.rows(t, `SELECT name, pageno, pagetype FROM dbstat WHERE pageno = ?`, pg) { t.Log(r) }
	for _, r := range e.rows(t, `SELECT * FROM leads_fts_config`) { t.Log(r) }
	for _, r := range e.rows(t, `SELECT rowid FROM leads_fts WHERE leads_fts MATCH 'phone : 6502538842'`) { t.Log("match", r) }
	for _, r := range e.rows(t, `SELECT rowid FROM leads_fts WHERE leads_fts MATCH 'phone : 16502538842'`) { t.Log("match", r) }
	for _, r := range e.rows(t, `SELECT rowid FROM leads_fts WHERE leads_fts MATCH 'name : zelda'`) { t.Log("match name", r) }
	for _, r := range e.rows(t, `SELECT id, length(block) FROM leads_fts_data`) { t.Log("data", r) }
	for _, r := range e.rows(t, `SELECT segid, term, pgno FROM leads_fts_idx`) { t.Log("idx", r) }
	i2 := bytes.Index(data, []byte("zelda"))
	t.Log("zelda at", i2)
}
