package store

// Importing leads (DESIGN.md: import). In three steps, so that a bad file or a bad
// mapping is refused before anything is written: InspectImport reads the whole file,
// PreviewImport judges its first rows with a mapping of columns to fields, and Import
// judges every row the same way and writes those it accepts in one transaction: one
// batch (kind import), its leads, their activity, the counters and one audit row.
// UndoImport moves what an import created to the Trash as one undoable deletion.

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// ImportOptions are what a person chooses before running an import.
type ImportOptions struct {
	// SkipDuplicates skips rows whose e-mail matches an active lead of the
	// workspace, or an earlier row of the same file.
	SkipDuplicates bool
}

// What an import does with a row.
const (
	ImportCreated = "created"
	ImportSkipped = "skipped"
	ImportRefused = "refused"
)

// ImportRow is one row of a file as an import judges it.
type ImportRow struct {
	Row     int      // as spreadsheets count: the header is row 1
	Values  []string // as read from the file
	Lead    Lead     // the lead it makes, its fields as they would be stored
	Outcome string   // ImportCreated, ImportSkipped or ImportRefused
	Reason  string   // why it is skipped or refused
}

// ImportResult is what an import did.
type ImportResult struct {
	BatchID                   string
	Created, Skipped, Refused int
	// Problems are the rows skipped or refused, in the file's order, with their
	// values: for the person's report only, never stored.
	Problems []ImportRow
}

// ImportRequest is an import to run.
type ImportRequest struct {
	ID       string // NewImportID: it becomes the id of the import's batch
	File     ImportFile
	FileName string // as the person's computer named it: for the audit log and the Trash
	Mapping  ImportMapping
	Options  ImportOptions
	// Progress, when set, is told now and then how many rows have been read.
	Progress func(rows int)
}

// importProgressEvery is how many rows an import reads between progress reports.
const importProgressEvery = 1000

// importSource is the source of leads an import creates unless a column gives one.
const importSource = "CSV import"

var importIDPattern = regexp.MustCompile(`^bat_[0-9a-f]{16}$`)

// NewImportID is the id of a new import, which its batch takes when it runs.
func NewImportID() string { return newID(prefixBatch) }

// ValidImportID reports whether id has the shape of an import's id.
func ValidImportID(id string) bool { return importIDPattern.MatchString(id) }

// importer judges rows: the same rules for the preview and for the import.
type importer struct {
	s     *Store
	ws    Workspace
	q     querier
	width int            // the header's columns
	col   map[string]int // field → column
	pools map[string]Pool
	def   Pool
	// suppressed holds "kind hash" of the workspace's suppressions, when loaded:
	// only a row with one of them needs checkSuppressed's query.
	suppressed map[string]bool
	// With ImportOptions.SkipDuplicates: whether an active lead has an e-mail, and
	// the first row of the file with each e-mail.
	taken func(email string) (bool, error)
	seen  map[string]int
}

func (s *Store) newImporter(ctx context.Context, q querier, ws Workspace, header []string, m ImportMapping) (*importer, error) {
	im := &importer{s: s, ws: ws, q: q, width: len(header), col: map[string]int{}, pools: map[string]Pool{}}
	for i := len(m) - 1; i >= 0; i-- { // the first column wins if a field is mapped twice
		if m[i] != "" {
			im.col[m[i]] = i
		}
	}
	err := eachRow(ctx, q, `SELECT id, workspace_id, name, is_default FROM pools WHERE workspace_id = ?`, []any{ws.ID},
		func(rows *sql.Rows) error {
			var p Pool
			err := rows.Scan(&p.ID, &p.WorkspaceID, &p.Name, &p.IsDefault)
			im.pools[p.ID], im.pools[strings.ToLower(p.Name)] = p, p
			if p.IsDefault {
				im.def = p
			}
			return err
		})
	return im, err
}

// loadSuppressions reads the workspace's suppressed hashes once, so that a large
// import asks the database only about the rows that have one.
func (im *importer) loadSuppressions(ctx context.Context) error {
	im.suppressed = map[string]bool{}
	return eachRow(ctx, im.q, `SELECT kind, hash FROM suppressions WHERE workspace_id = ?`, []any{im.ws.ID},
		func(rows *sql.Rows) error {
			var kind, hash string
			err := rows.Scan(&kind, &hash)
			im.suppressed[kind+" "+hash] = true
			return err
		})
}

// cell is the row's value for the field, trimmed, without the ' an export puts
// before a value a spreadsheet would run as a formula.
func (im *importer) cell(rec []string, field string) string {
	i, ok := im.col[field]
	if !ok || i >= len(rec) {
		return ""
	}
	v := strings.TrimSpace(rec[i])
	if len(v) >= 2 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
		return v[1:]
	}
	return v
}

func (im *importer) pool(ref string) (Pool, bool) {
	if ref == "" {
		return im.def, true
	}
	if p, ok := im.pools[ref]; ok {
		return p, true
	}
	p, ok := im.pools[strings.ToLower(ref)]
	return p, ok
}

// judged is a row after parse: what it makes, or why it is refused, and what the
// checks that need the database will want.
type judged struct {
	ImportRow
	terms                string // the search index's phone terms
	emailHash, phoneHash string // keyed hashes, for the suppressions
	err                  error
}

// judge says what the import does with one row: create its lead, skip it or refuse
// it, and why.
func (im *importer) judge(ctx context.Context, row int, rec []string) (ImportRow, error) {
	j := im.parse(row, rec)
	err := im.check(ctx, &j)
	return j.ImportRow, err
}

// parse judges what a row says by itself: its shape, its fields, its pool. It reads
// nothing but the importer, so an import runs it beside the writing.
func (im *importer) parse(row int, rec []string) judged {
	j := judged{ImportRow: ImportRow{Row: row, Values: rec, Outcome: ImportCreated}}
	refuse := func(reason string) judged {
		j.Outcome, j.Reason = ImportRefused, reason
		return j
	}
	if len(rec) != im.width {
		return refuse(fmt.Sprintf("has %d values where the header has %d columns (a separator or a quote too many or too few?)", len(rec), im.width))
	}
	if !slices.ContainsFunc(rec, func(v string) bool { return strings.TrimSpace(v) != "" }) {
		j.Outcome, j.Reason = ImportSkipped, "empty row"
		return j
	}
	name := im.cell(rec, "name")
	if _, whole := im.col["name"]; !whole {
		name = strings.TrimSpace(im.cell(rec, "first_name") + " " + im.cell(rec, "last_name"))
	}
	email, phone, company := im.cell(rec, "email"), im.cell(rec, "phone"), im.cell(rec, "company")
	status, source := strings.ToLower(im.cell(rec, "status")), im.cell(rec, "source")
	if source == "" {
		source = importSource
	}
	tags := strings.FieldsFunc(im.cell(rec, "tags"), func(r rune) bool { return r == ';' || r == ',' })
	l := &j.Lead
	l.WorkspaceID = im.ws.ID
	err := normalizeLead(LeadInput{Name: &name, Email: &email, Phone: &phone, Company: &company, Status: &status,
		Source: &source, Tags: &tags}, l, im.ws.DefaultRegion)
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return refuse(fieldReasons(e.Fields))
	} else if err != nil {
		j.err = err
		return j
	}
	ref := im.cell(rec, "pool")
	pool, ok := im.pool(ref)
	if !ok {
		l.PoolName = ref
		return refuse(fmt.Sprintf("Pool %q is not a pool of this workspace", ref))
	}
	l.PoolID, l.PoolName = pool.ID, pool.Name
	j.terms = phoneTerms(l.Phone)
	j.emailHash, j.phoneHash = im.s.contactHashes(l.Email, l.Phone)
	return j
}

// check judges what a row's lead means for the workspace: a suppressed e-mail or
// phone refuses it; with SkipDuplicates, an e-mail already taken skips it.
func (im *importer) check(ctx context.Context, j *judged) error {
	if j.err != nil || j.Outcome != ImportCreated {
		return j.err
	}
	l := j.Lead
	if im.suppressed == nil || im.suppressed["email "+j.emailHash] || im.suppressed["phone "+j.phoneHash] {
		var e *Error
		if err := im.s.checkSuppressed(ctx, im.q, im.ws.ID, l.Email, l.Phone); errors.As(err, &e) && e.Code == ESuppressed {
			j.Outcome, j.Reason = ImportRefused, suppressedReason(e.Fields)
			return nil
		} else if err != nil {
			return err
		}
	}
	if im.taken != nil && l.Email != "" {
		key := normalizeEmail(l.Email)
		if first, ok := im.seen[key]; ok {
			j.Outcome, j.Reason = ImportSkipped, fmt.Sprintf("same e-mail as row %d of this file", first)
			return nil
		}
		taken, err := im.taken(l.Email)
		if err != nil {
			return err
		}
		if taken {
			j.Outcome, j.Reason = ImportSkipped, "e-mail matches an active lead"
			return nil
		}
		im.seen[key] = j.Row
	}
	return nil
}

// fieldReasons writes a row's field errors as one sentence per field, in the
// order of the form.
func fieldReasons(fields map[string]string) string {
	var out []string
	for _, f := range []string{"name", "email", "phone", "company", "status", "tags", "source"} {
		if msg, ok := fields[f]; ok {
			label := map[string]string{"email": "E-mail"}[f]
			if label == "" {
				label = strings.ToUpper(f[:1]) + f[1:]
			}
			out = append(out, label+" "+msg)
		}
	}
	return strings.Join(out, "; ")
}

func suppressedReason(fields map[string]string) string {
	_, email := fields["email"]
	_, phone := fields["phone"]
	switch {
	case email && phone:
		return "suppressed e-mail and phone"
	case phone:
		return "suppressed phone"
	}
	return "suppressed e-mail"
}

// PreviewImport judges the file's first rows with the mapping and options, as the
// import will, and writes nothing.
func (s *Store) PreviewImport(ctx context.Context, ws Workspace, f ImportFile, m ImportMapping, opt ImportOptions) ([]ImportRow, error) {
	im, err := s.newImporter(ctx, s.read, ws, f.Header, m)
	if err != nil {
		return nil, fmt.Errorf("store: preview import: %w", err)
	}
	if opt.SkipDuplicates {
		im.seen = map[string]int{}
		im.taken = func(email string) (bool, error) { return activeLeadHasEmail(ctx, s.read, ws.ID, email) }
	}
	rows := make([]ImportRow, 0, len(f.Sample))
	for i, rec := range f.Sample {
		r, err := im.judge(ctx, i+2, rec)
		if err != nil {
			return nil, fmt.Errorf("store: preview import: %w", err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// Import reads the whole file again and, in one transaction, creates a lead for
// every row it accepts, as one batch of kind import with one audit row. Rows it
// skips or refuses are counted and listed with their reason. A bad mapping or a file
// that cannot be read is an error, and nothing is written.
func (s *Store) Import(ctx context.Context, ws Workspace, actor Actor, req ImportRequest) (ImportResult, error) {
	var res ImportResult
	if !ValidImportID(req.ID) {
		return res, Errorf(EInvalid, "An import's id is bat_ and 16 hex digits")
	}
	if err := CheckImportMapping(req.File.Header, req.Mapping); err != nil {
		return res, err
	}
	r, closeFile, err := openImport(req.File.Path, req.File.Encoding)
	if err != nil {
		return res, err
	}
	defer closeFile()
	header, err := r.Read()
	if err != nil {
		return res, csvError(err)
	}
	name := ImportFileName(req.FileName)
	err = s.inTx(ctx, func(tx *Tx) error {
		res = ImportResult{BatchID: req.ID}
		if _, err := tx.ExecContext(ctx, `INSERT INTO batches (id, workspace_id, kind, actor_id, details, count, created_at)
			VALUES (?, ?, 'import', ?, ?, 0, ?)`, req.ID, ws.ID, actor.ID, name, tx.nowMs()); err != nil {
			return fmt.Errorf("store: import batch: %w", err)
		}
		im, err := s.newImporter(ctx, tx, ws, header, req.Mapping)
		if err != nil {
			return err
		}
		if req.Options.SkipDuplicates {
			emails, err := activeEmails(ctx, tx, ws.ID)
			if err != nil {
				return err
			}
			im.seen = map[string]int{}
			im.taken = func(email string) (bool, error) { return emails[emailKey(email)], nil }
		}
		if err := im.loadSuppressions(ctx); err != nil {
			return err
		}
		w, err := newLeadWriter(ctx, tx, req.ID)
		if err != nil {
			return err
		}
		var owner string
		if actor.Kind == "user" {
			owner = actor.ID
		}
		// Reading and parsing rows (phone numbers are most of it) runs beside the
		// writing: two cores import in about half the time.
		parsed := make(chan judged, 512)
		stop := make(chan struct{})
		go im.parseAll(r, parsed, stop)
		defer func() {
			close(stop)
			for range parsed { // until parseAll has returned
			}
		}()
		for j := range parsed {
			if err := im.check(ctx, &j); err != nil {
				return err
			}
			switch j.Outcome {
			case ImportCreated:
				l := j.Lead
				l.ID, l.OwnerID, l.CreatedAt, l.UpdatedAt = newID(prefixLead), owner, tx.now, tx.now
				if err := w.add(l, j.terms); err != nil {
					return err
				}
				res.Created++
			case ImportSkipped:
				res.Skipped++
			case ImportRefused:
				res.Refused++
			}
			if j.Outcome != ImportCreated {
				j.Lead = Lead{}
				res.Problems = append(res.Problems, j.ImportRow)
			}
			if req.Progress != nil && (j.Row-1)%importProgressEvery == 0 {
				req.Progress(j.Row - 1)
			}
		}
		if err := w.flush(); err != nil {
			return err
		}
		if err := countLeads(ctx, tx, ws.ID, importLeads(ws.ID, req.ID), 1, 0); err != nil {
			return err
		}
		if err := setActivity(ctx, tx, ws.ID, importLeads(ws.ID, req.ID), actor, "created", "imported from "+name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET count = ? WHERE id = ?`, res.Created, req.ID); err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{workspaceID: ws.ID, actor: actor, action: "import", batchID: req.ID, count: res.Created,
			details: fmt.Sprintf("Imported %s: %s created, %s skipped, %s refused", name, thousandsOf(res.Created),
				thousandsOf(res.Skipped), thousandsOf(res.Refused))})
	})
	if err != nil {
		return ImportResult{}, err
	}
	if req.Progress != nil {
		req.Progress(req.File.Rows)
	}
	return res, nil
}

// parseAll parses every row after the header, in order, until the file ends, it
// cannot be read (a judged with err) or stop is closed; then it closes out.
func (im *importer) parseAll(r *csv.Reader, out chan<- judged, stop <-chan struct{}) {
	defer close(out)
	for row := 2; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		j := judged{err: err}
		if err != nil {
			j.err = csvError(err)
		} else {
			j = im.parse(row, rec)
		}
		select {
		case out <- j:
		case <-stop:
			return
		}
		if j.err != nil {
			return
		}
	}
}

// ImportFileName is a file's name as the import's pages, the audit log and the
// Trash show it: without its folders or control characters, at most 200 characters.
func ImportFileName(name string) string {
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, filepath.Base(strings.ReplaceAll(name, `\`, "/"))))
	if name == "" || name == "." || name == "/" {
		return "a CSV file"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200]) + "…"
	}
	return name
}

// importLeads is the leads an import created (active or not).
func importLeads(workspaceID, batchID string) leadSet {
	return anyLeads("+workspace_id = ? AND import_batch_id = ?", workspaceID, batchID) // by the import's index (see idLeads)
}

// emailSeed keys the hashes of activeEmails: a hash per e-mail holds a million
// leads' e-mails in a few megabytes.
var emailSeed = maphash.MakeSeed()

func emailKey(email string) uint64 { return maphash.String(emailSeed, normalizeEmail(email)) }

// activeEmails are (the hashes of) the e-mails of the workspace's active leads.
func activeEmails(ctx context.Context, q querier, workspaceID string) (map[uint64]bool, error) {
	set := map[uint64]bool{}
	err := eachRow(ctx, q, `SELECT email FROM leads WHERE workspace_id = ? AND deleted_at IS NULL AND email != ''`,
		[]any{workspaceID}, func(rows *sql.Rows) error {
			var e string
			err := rows.Scan(&e)
			set[emailKey(e)] = true
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("store: import: active e-mails: %w", err)
	}
	return set, nil
}

// leadWriter inserts an import's leads, their tags and their search entries many
// rows to a statement: a statement per lead would be most of an import's time.
type leadWriter struct {
	ctx     context.Context
	tx      *Tx
	batchID string
	seq     int64
	leads   []any
	fts     []any
	tags    []any
	n, nTag int
}

// importRowsPerInsert is how many leads one INSERT writes (15 values each, well
// under SQLite's limit of 32,766 a statement).
const importRowsPerInsert = 500

func newLeadWriter(ctx context.Context, tx *Tx, batchID string) (*leadWriter, error) {
	w := &leadWriter{ctx: ctx, tx: tx, batchID: batchID}
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM leads`).Scan(&w.seq)
	return w, err
}

func (w *leadWriter) add(l Lead, phoneTerms string) error {
	w.seq++
	var owner any
	if l.OwnerID != "" {
		owner = l.OwnerID
	}
	w.leads = append(w.leads, w.seq, l.ID, l.WorkspaceID, l.PoolID, l.Name, l.Email, l.Phone, l.Company, string(l.Status),
		l.Source, owner, "{}", l.CreatedAt.UnixMilli(), l.UpdatedAt.UnixMilli(), w.batchID)
	w.fts = append(w.fts, w.seq, l.Name, l.Email, phoneTerms, l.Company, l.ID)
	for _, t := range l.Tags {
		w.tags = append(w.tags, l.ID, t)
		w.nTag++
	}
	if w.n++; w.n == importRowsPerInsert {
		return w.flush()
	}
	return nil
}

func (w *leadWriter) flush() error {
	if w.n > 0 {
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO lead_rows (seq, id, workspace_id, pool_id, name, email, phone, company,
			status, source, owner_id, metadata, created_at, updated_at, import_batch_id) VALUES `+placeholders(w.n, 15), w.leads...); err != nil {
			return fmt.Errorf("store: import leads: %w", err)
		}
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO leads_fts (rowid, name, email, phone, company, lead_id) VALUES `+
			placeholders(w.n, 6), w.fts...); err != nil {
			return fmt.Errorf("store: import search index: %w", err)
		}
	}
	if w.nTag > 0 {
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO tags (lead_id, tag) VALUES `+placeholders(w.nTag, 2), w.tags...); err != nil {
			return fmt.Errorf("store: import tags: %w", err)
		}
	}
	w.leads, w.fts, w.tags, w.n, w.nTag = w.leads[:0], w.fts[:0], w.tags[:0], 0, 0
	return nil
}

// ImportBatch is the workspace's import with the id (its batch); another
// workspace's, or a batch that is not an import, is not found.
func (s *Store) ImportBatch(ctx context.Context, workspaceID, id string) (Batch, error) {
	b, err := getBatch(ctx, s.read, workspaceID, id)
	if err == nil && b.Kind != "import" {
		err = fmt.Errorf("store: batch %s is no import: %w", id, ErrBatchNotFound)
	}
	return b, err
}

// UndoImport moves the leads the import created that are still active to the Trash
// as one deletion (reason invalid), which Undo and the Trash bring back like any other.
func (s *Store) UndoImport(ctx context.Context, ws Workspace, actor Actor, importID string) (Batch, error) {
	b, err := s.ImportBatch(ctx, ws.ID, importID)
	if err != nil {
		return Batch{}, err
	}
	return s.DeleteLeads(ctx, ws, actor, DeleteRequest{ImportBatchID: b.ID, Reason: "invalid", Details: "Undo of import " + b.Details})
}
