package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// SeedPools are the pools Seed creates in a workspace that has only its default pool.
var SeedPools = []string{"Inbound", "Outbound", "Partners"}

// SeedOptions shape generated leads.
type SeedOptions struct {
	// Rand makes the data reproducible; nil seeds from the clock.
	Rand *rand.Rand
	// Span is how far back creation times go (default 90 days).
	Span time.Duration
	// Extras, when set, gives some leads notes, tags and tasks (the demo has them).
	Extras bool
}

// seedChunk is how many leads one seeding transaction writes: large enough that
// commits are rare, small enough that the console keeps answering between them.
const seedChunk = 10000

// Seed adds n realistic generated leads to the workspace, spread over its pools
// (creating SeedPools if it has only the default one), created over the last 90
// days, oldest first so that insertion order follows creation time.
func (s *Store) Seed(ctx context.Context, workspaceID string, n int, opt SeedOptions) (int, error) {
	if n < 0 || n > 10_000_000 {
		return 0, &Error{Code: EInvalid, Message: "The number of leads must be between 0 and 10,000,000", Fields: map[string]string{"leads": "out of range"}}
	}
	ws, err := s.Workspace(ctx, workspaceID)
	if err != nil {
		return 0, err
	}
	pools, err := s.Pools(ctx, ws.ID)
	if err != nil {
		return 0, err
	}
	if len(pools) <= 1 {
		for _, name := range SeedPools {
			p, err := s.CreatePool(ctx, ws.ID, name)
			if err != nil {
				return 0, err
			}
			pools = append(pools, p)
		}
		pools = pools[1:] // generated leads go to the named pools
	}
	users, err := s.Users(ctx, ws.ID)
	if err != nil {
		return 0, err
	}
	r := opt.Rand
	if r == nil {
		r = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	}
	span := opt.Span
	if span <= 0 {
		span = 90 * 24 * time.Hour
	}
	now := s.Now()
	// Creation times, sorted, so that seq order is creation order.
	times := make([]int64, n)
	for i := range times {
		times[i] = now.Add(-time.Duration(r.Int64N(int64(span)))).UnixMilli()
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })

	done := 0
	for done < n {
		size := min(seedChunk, n-done)
		err := s.inTx(ctx, func(tx *Tx) error {
			return seedChunkTx(ctx, tx, ws, pools, users, times[done:done+size], r, opt.Extras)
		})
		if err != nil {
			return done, err
		}
		done += size
	}
	return done, nil
}

// seedRowsPerInsert is how many rows one multi-row INSERT writes: far fewer
// statements is most of the speed of seeding.
const seedRowsPerInsert = 500

func seedChunkTx(ctx context.Context, tx *Tx, ws Workspace, pools []Pool, users []User, times []int64, r *rand.Rand, extras bool) error {
	var maxSeq int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM leads`).Scan(&maxSeq); err != nil {
		return err
	}
	firstSeq := maxSeq + 1
	var leadArgs, ftsArgs []any
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lead_rows (seq, id, workspace_id, pool_id, name, email, phone, company,
			status, source, owner_id, metadata, created_at, updated_at) VALUES `+placeholders(rows, 14), leadArgs...); err != nil {
			return fmt.Errorf("store: seed leads: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO leads_fts (rowid, name, email, phone, company, lead_id) VALUES `+
			placeholders(rows, 6), ftsArgs...); err != nil {
			return fmt.Errorf("store: seed search index: %w", err)
		}
		leadArgs, ftsArgs, rows = leadArgs[:0], ftsArgs[:0], 0
		return nil
	}
	for _, created := range times {
		l, phoneTerms := generateLead(r, ws.ID, pools)
		maxSeq++
		var owner any
		if len(users) > 0 && r.IntN(4) > 0 {
			owner = users[r.IntN(len(users))].ID
		}
		leadArgs = append(leadArgs, maxSeq, l.ID, l.WorkspaceID, l.PoolID, l.Name, l.Email, l.Phone, l.Company,
			string(l.Status), l.Source, owner, "{}", created, created)
		ftsArgs = append(ftsArgs, maxSeq, l.Name, l.Email, phoneTerms, l.Company, l.ID)
		if rows++; rows == seedRowsPerInsert {
			if err := flush(); err != nil {
				return err
			}
		}
		if extras && r.IntN(5) == 0 {
			if err := flush(); err != nil { // the lead must exist before what belongs to it
				return err
			}
			if err := seedExtras(ctx, tx, l.ID, created, users, r); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	// The chunk's leads are a range of seq: one pass over it counts them.
	return countLeads(ctx, tx, ws.ID, anyLeads("seq BETWEEN ? AND ?", firstSeq, maxSeq), 1, 0)
}

// placeholders returns "(?, ?), (?, ?)" for rows rows of cols columns.
func placeholders(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// statusWeights is how a sales pipeline usually looks: many new, few won.
var statusWeights = []struct {
	status Status
	weight int
}{{StatusNew, 35}, {StatusContacted, 25}, {StatusQualified, 15}, {StatusWon, 10}, {StatusLost, 15}}

func pickStatus(r *rand.Rand) Status {
	n := r.IntN(100)
	for _, w := range statusWeights {
		if n < w.weight {
			return w.status
		}
		n -= w.weight
	}
	return StatusNew
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// generateLead returns a lead and what the search index holds for its phone
// (which phoneTerms would work out, at a fifth of seeding's time).
func generateLead(r *rand.Rand, workspaceID string, pools []Pool) (Lead, string) {
	first, last := pick(r, firstNames), pick(r, lastNames)
	head, tail := pick(r, companyHeads), pick(r, companyTails)
	l := Lead{
		ID:          newID(prefixLead),
		WorkspaceID: workspaceID,
		PoolID:      pick(r, pools).ID,
		Name:        first + " " + last,
		Company:     head + " " + tail + pick(r, companySuffixes),
		Status:      pickStatus(r),
		Source:      pick(r, sources),
	}
	domain := strings.ToLower(strings.ReplaceAll(head, " ", "")) + "-" + strings.ToLower(tail) + ".example"
	local := strings.ToLower(first) + "." + strings.ToLower(strings.NewReplacer(" ", "", "'", "").Replace(last))
	if r.IntN(3) == 0 {
		local += fmt.Sprintf("%d", r.IntN(100))
	}
	if r.IntN(12) > 0 { // most leads have an e-mail
		l.Email = local + "@" + domain
	}
	var terms string
	if r.IntN(6) > 0 { // most have a phone
		l.Phone, terms = generatePhone(r)
	}
	return l, terms
}

// generatePhone returns a valid E.164 number, mostly from ranges reserved for
// fiction (US 555-0100 to 0199, London 020 7946 0xxx) so that demo data never
// names a real line; a tenth are German numbers, to show more than one country.
// It also returns the number's search terms: E.164 digits, national significant
// number, national dialling form.
func generatePhone(r *rand.Rand) (phone, terms string) {
	var cc, national, trunk string
	switch r.IntN(10) {
	case 0:
		cc, national, trunk = "44", fmt.Sprintf("207946%04d", r.IntN(1000)), "0"
	case 1:
		cc, national, trunk = "49", fmt.Sprintf("30%08d", r.IntN(100_000_000)), "0"
	default:
		cc, national = "1", fmt.Sprintf("%s5550%03d", pick(r, usAreaCodes), 100+r.IntN(100))
	}
	terms = cc + national + " " + national
	if trunk != "" {
		terms += " " + trunk + national
	}
	return "+" + cc + national, terms
}

func seedExtras(ctx context.Context, tx *Tx, leadID string, created int64, users []User, r *rand.Rand) error {
	author := ""
	if len(users) > 0 {
		author = users[r.IntN(len(users))].ID
	}
	at := created
	if _, err := tx.ExecContext(ctx, `INSERT INTO lead_activity (lead_id, at, actor_id, kind, text) VALUES (?, ?, '', 'created', 'Created by the demo seed')`,
		leadID, at); err != nil {
		return err
	}
	for i := range 1 + r.IntN(3) {
		at += int64(r.IntN(3*24*3600)) * 1000
		if _, err := tx.ExecContext(ctx, `INSERT INTO notes (id, lead_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)`,
			newID(prefixNote), leadID, author, seedNotes[(r.IntN(len(seedNotes))+i)%len(seedNotes)], at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lead_activity (lead_id, at, actor_id, kind, text) VALUES (?, ?, ?, 'note', 'Added a note')`,
			leadID, at, author); err != nil {
			return err
		}
	}
	for _, i := range r.Perm(len(seedTags))[:1+r.IntN(3)] {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tags (lead_id, tag) VALUES (?, ?)`, leadID, seedTags[i]); err != nil {
			return err
		}
	}
	if r.IntN(2) == 0 {
		due := at + int64(1+r.IntN(14))*24*3600*1000
		var done any
		if r.IntN(3) == 0 {
			done = at
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tasks (id, lead_id, title, due_at, done_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			newID(prefixTask), leadID, pick(r, seedTasks), due, done, at); err != nil {
			return err
		}
	}
	return nil
}
