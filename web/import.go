package web

// Importing leads from a CSV file (DESIGN.md: import): upload, then a preview with
// the column mapping, then the run, in the background with its progress shown, then
// the result. Between the steps an import lives here, in memory, its file in a
// temporary directory; the store reads, judges and writes.

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
	"leadkeep/views"
)

const (
	// importKeep is how long an upload waits to be run, and a result to be read: the
	// result lists rows with their values (suppressed ones too), so it is not kept
	// longer, nor anywhere but in memory.
	importKeep     = time.Hour
	importKeepText = "an hour"
	// maxImportBody is how much of an upload is read, at most, to answer it: a file
	// over the limit is read and thrown away, so the browser gets the page that says
	// so rather than a reset connection.
	maxImportBody = 256 << 20
	// maxPendingImports is how many uploads one person may have waiting to run.
	maxPendingImports = 3
	// importWait is how long a run's answer waits for a small import to finish, so
	// that it lands on the result rather than on the progress.
	importWait = time.Second
)

// importJobs are the imports between their upload and an hour after their result.
type importJobs struct {
	mu   sync.Mutex
	now  func() time.Time
	dir  string
	jobs map[string]*importJob
}

// importJob is one import: its file and mapping, then its progress and result.
type importJob struct {
	id, workspaceID, userID, fileName string
	file                              store.ImportFile
	finished                          chan struct{} // closed when the run is over

	mu      sync.Mutex // guards what follows
	mapping store.ImportMapping
	options store.ImportOptions
	state   string // views.ImportPreview, ImportRunning, ImportDone or ImportFailed
	done    int
	result  store.ImportResult
	failure string
	touched time.Time // uploaded, then finished: when its hour starts
}

func newImportJobs(now func() time.Time) *importJobs {
	return &importJobs{now: now, jobs: map[string]*importJob{}}
}

// tempFile is a new file in the imports' directory, made (and older directories of
// stopped servers removed) on first use.
func (j *importJobs) tempFile() (*os.File, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.dir == "" {
		old, _ := filepath.Glob(filepath.Join(os.TempDir(), "leadkeep-import-*"))
		for _, d := range old {
			if st, err := os.Stat(d); err == nil && time.Since(st.ModTime()) > 2*importKeep {
				os.RemoveAll(d)
			}
		}
		dir, err := os.MkdirTemp("", "leadkeep-import-")
		if err != nil {
			return nil, err
		}
		j.dir = dir
	}
	return os.CreateTemp(j.dir, "upload-*.csv")
}

// add keeps a new upload, dropping the person's oldest waiting ones beyond
// maxPendingImports.
func (j *importJobs) add(job *importJob) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sweep()
	var waiting []*importJob
	for _, o := range j.jobs {
		if o.userID == job.userID && o.view().State == views.ImportPreview {
			waiting = append(waiting, o)
		}
	}
	slices.SortFunc(waiting, func(a, b *importJob) int { return a.touched.Compare(b.touched) })
	for len(waiting) >= maxPendingImports {
		j.drop(waiting[0])
		waiting = waiting[1:]
	}
	j.jobs[job.id] = job
}

// get is the person's import with the id, nil when there is none (or it is another
// person's, or another workspace's).
func (j *importJobs) get(id, workspaceID, userID string) *importJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sweep()
	job := j.jobs[id]
	if job == nil || job.workspaceID != workspaceID || job.userID != userID {
		return nil
	}
	return job
}

// sweep drops the imports whose hour is over, but never one that is running.
func (j *importJobs) sweep() {
	now := j.now()
	for _, job := range j.jobs {
		job.mu.Lock()
		expired := job.state != views.ImportRunning && now.Sub(job.touched) > importKeep
		job.mu.Unlock()
		if expired {
			j.drop(job)
		}
	}
}

func (j *importJobs) drop(job *importJob) {
	delete(j.jobs, job.id)
	os.Remove(job.file.Path)
}

// view is the job as its page shows it.
func (job *importJob) view() views.ImportData {
	job.mu.Lock()
	defer job.mu.Unlock()
	return views.ImportData{State: job.state, ID: job.id, FileName: job.fileName, File: job.file,
		Mapping: slices.Clone(job.mapping), Options: job.options, Done: job.done, Result: job.result, Failure: job.failure,
		Keep: importKeepText}
}

// choose sets the mapping and options of an import still in preview.
func (job *importJob) choose(m store.ImportMapping, o store.ImportOptions) {
	job.mu.Lock()
	defer job.mu.Unlock()
	if job.state == views.ImportPreview {
		job.mapping, job.options = m, o
	}
}

// start moves an import from preview to running; false if it was not in preview.
func (job *importJob) start() bool {
	job.mu.Lock()
	defer job.mu.Unlock()
	if job.state != views.ImportPreview {
		return false
	}
	job.state = views.ImportRunning
	return true
}

func (job *importJob) progress(rows int) {
	job.mu.Lock()
	job.done = rows
	job.mu.Unlock()
}

func (job *importJob) finish(res store.ImportResult, failure string, at time.Time) {
	job.mu.Lock()
	job.result, job.failure, job.touched = res, failure, at
	job.state = views.ImportDone
	if failure != "" {
		job.state = views.ImportFailed
	}
	job.mu.Unlock()
	close(job.finished)
}

// importID is the :importId of the route; a malformed one is not found.
func importID(c echo.Context) (string, error) {
	id := c.Param("importId")
	if !store.ValidImportID(id) {
		return "", errNoImport
	}
	return id, nil
}

// importOf is the route's import id and the person's job for it, nil when there is
// none (before its upload, or after its hour).
func (s *Server) importOf(c echo.Context) (string, *importJob, error) {
	id, err := importID(c)
	if err != nil {
		return "", nil, err
	}
	return id, s.imports.get(id, workspace(c).ID, currentSession(c).User.ID), nil
}

var errNoImport = &store.Error{Code: store.ENotFound, Message: "There is no such import here. An uploaded file waits " +
	importKeepText + " for its import to run, then it is gone: upload it again."}

func (s *Server) renderImport(c echo.Context, status int, d views.ImportData) error {
	d.CSRF, _ = c.Get("csrf").(string)
	d.CanUndo = may(c, actionImport)
	title := map[string]string{views.ImportUpload: "Import leads", views.ImportRunning: "Importing " + d.FileName,
		views.ImportDone: "Import finished", views.ImportFailed: "Import failed"}[d.State]
	if title == "" {
		title = "Import " + d.FileName
	}
	return render(c, status, views.ImportPage(s.pageFor(c, title, "leads"), d), views.ImportRegion(d))
}

// importForm is the upload form.
func (s *Server) importForm(c echo.Context) error {
	return s.renderImport(c, http.StatusOK, views.ImportData{State: views.ImportUpload})
}

// importUpload keeps the uploaded file, reads it whole and shows its preview; a
// file that cannot be imported is refused here, with the reason beside the field.
func (s *Server) importUpload(c echo.Context) error {
	path, name, status, problem, err := s.saveUpload(c)
	if err != nil {
		return err
	}
	refuse := func(status int, problem string) error {
		os.Remove(path)
		return s.renderImport(c, status, views.ImportData{State: views.ImportUpload, Errors: map[string]string{"file": problem}})
	}
	if problem != "" {
		return refuse(status, problem)
	}
	f, err := store.InspectImport(path)
	var se *store.Error
	if errors.As(err, &se) && se.Fields["file"] != "" {
		return refuse(http.StatusUnprocessableEntity, se.Fields["file"])
	} else if err != nil {
		os.Remove(path)
		return err
	}
	sess := currentSession(c)
	job := &importJob{id: store.NewImportID(), workspaceID: sess.Workspace.ID, userID: sess.User.ID, fileName: store.ImportFileName(name),
		file: f, finished: make(chan struct{}), mapping: store.GuessMapping(f.Header), state: views.ImportPreview,
		touched: s.store.Now()}
	s.imports.add(job)
	return c.Redirect(http.StatusSeeOther, "/leads/import/"+job.id)
}

// saveUpload streams the form's file to a temporary file. It reads the whole body
// (up to maxImportBody) before answering, so that a file over the limit gets its
// page. A problem to show beside the field comes back with its status, and then
// no file is kept.
func (s *Server) saveUpload(c echo.Context) (path, name string, status int, problem string, err error) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxImportBody)
	defer io.Copy(io.Discard, r.Body) // whatever is left, unread
	tooLarge := func(err error) bool {
		var mbe *http.MaxBytesError
		return errors.As(err, &mbe)
	}
	const (
		missing   = "is missing: choose a CSV file to upload"
		cutShort  = "did not arrive whole (the upload was cut short); try again"
		overLimit = "is larger than 50 MB; split it into smaller files"
	)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", http.StatusUnprocessableEntity, missing, nil
	}
	tmp, err := s.imports.tempFile()
	if err != nil {
		return "", "", 0, "", err
	}
	defer tmp.Close()
	path = tmp.Name()
	found, over := false, false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if tooLarge(err) {
				return path, "", http.StatusRequestEntityTooLarge, overLimit, nil
			}
			return path, "", http.StatusBadRequest, cutShort, nil
		}
		if part.FormName() != "file" || found {
			_, err = io.Copy(io.Discard, part)
		} else {
			found, name = true, part.FileName()
			var n int64
			n, err = io.Copy(tmp, io.LimitReader(part, store.MaxImportSize+1))
			if n > store.MaxImportSize {
				over = true
				_, err = io.Copy(io.Discard, part)
			}
		}
		if tooLarge(err) {
			return path, "", http.StatusRequestEntityTooLarge, overLimit, nil
		}
		if err != nil {
			return path, "", http.StatusBadRequest, cutShort, nil
		}
	}
	switch {
	case over:
		return path, "", http.StatusRequestEntityTooLarge, overLimit, nil
	case !found || name == "":
		return path, "", http.StatusUnprocessableEntity, missing, nil
	}
	return path, name, 0, "", tmp.Close()
}

// importPage shows an import as it stands: its preview, its progress (which htmx
// asks for every second), its result; or, once the person's hour is over or for
// another member, what the store keeps of it.
func (s *Server) importPage(c echo.Context) error {
	id, job, err := s.importOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	if job == nil {
		b, err := s.store.ImportBatch(ctx, ws.ID, id)
		if errors.Is(err, store.ErrBatchNotFound) {
			return errNoImport
		} else if err != nil {
			return err
		}
		return s.renderImport(c, http.StatusOK, views.ImportData{State: views.ImportSummary, ID: id, Batch: b, Keep: importKeepText})
	}
	d := job.view()
	if d.State == views.ImportPreview {
		if d.Rows, err = s.store.PreviewImport(ctx, ws, d.File, d.Mapping, d.Options); err != nil {
			return err
		}
	}
	return s.renderImport(c, http.StatusOK, d)
}

// importRun takes the mapping and options of the preview's form (a form without
// them runs the import as previewed), shows the preview again (preview=1), or
// checks the mapping and runs the import in the background.
func (s *Server) importRun(c echo.Context) error {
	id, job, err := s.importOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws := workspace(c)
	if job == nil {
		if _, err := s.store.ImportBatch(ctx, ws.ID, id); err != nil {
			return errNoImport
		}
		return redirectAfterPost(c, "/leads/import/"+id) // it ran already
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	d := job.view()
	if m, ok := readMapping(form, len(d.File.Header)); ok {
		job.choose(m, store.ImportOptions{SkipDuplicates: truthy(form.Get("skip_duplicates"))})
		d = job.view()
	}
	if d.State != views.ImportPreview { // running or done: a second click runs nothing
		return redirectAfterPost(c, "/leads/import/"+id)
	}
	status := http.StatusOK
	if !truthy(form.Get("preview")) {
		err := store.CheckImportMapping(d.File.Header, d.Mapping)
		var se *store.Error
		if !errors.As(err, &se) {
			if err != nil {
				return err
			}
			if job.start() {
				go s.runImport(job, ws, actor(c), d.Mapping, d.Options)
			}
			select { // a small import is done before the answer: it lands on its result
			case <-job.finished:
			case <-time.After(importWait):
			}
			return redirectAfterPost(c, "/leads/import/"+id)
		}
		status, d.Errors = http.StatusUnprocessableEntity, se.Fields
	}
	if d.Rows, err = s.store.PreviewImport(ctx, ws, d.File, d.Mapping, d.Options); err != nil {
		return err
	}
	return s.renderImport(c, status, d)
}

// readMapping reads map_0 … map_N-1 from the form; ok is false when it has none.
func readMapping(form url.Values, columns int) (m store.ImportMapping, ok bool) {
	m = make(store.ImportMapping, columns)
	for i := range m {
		key := "map_" + strconv.Itoa(i)
		if _, sent := form[key]; sent {
			ok = true
		}
		m[i] = strings.TrimSpace(form.Get(key))
	}
	return m, ok
}

// runImport runs the import to its end, whatever happens to the request that
// started it; its progress and result go to the job. (A server stopped meanwhile
// rolls the import back whole.)
func (s *Server) runImport(job *importJob, ws store.Workspace, act store.Actor, m store.ImportMapping, o store.ImportOptions) {
	defer os.Remove(job.file.Path)
	res, err := s.store.Import(context.Background(), ws, act, store.ImportRequest{ID: job.id, File: job.file,
		FileName: job.fileName, Mapping: m, Options: o, Progress: job.progress})
	failure := ""
	var se *store.Error
	switch {
	case errors.As(err, &se) && len(se.Fields) > 0:
		for _, k := range slices.Sorted(maps.Keys(se.Fields)) {
			failure += "The " + strings.ReplaceAll(k, "_", " ") + " " + se.Fields[k] + ". "
		}
	case err != nil:
		s.log.Error("import failed", "import", job.id, "error", err)
		failure = "Something went wrong on our side; it has been logged (import " + job.id + ")."
	}
	job.finish(res, failure, s.store.Now())
}

// importReport is the rows the import skipped or refused, with the reason and the
// values as they were in the file, as CSV: while the result is kept.
func (s *Server) importReport(c echo.Context) error {
	_, job, err := s.importOf(c)
	if err != nil {
		return err
	}
	if job == nil {
		return errNoImport
	}
	d := job.view()
	if d.State != views.ImportDone {
		return errNoImport
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+reportName(d.FileName)+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	header := append([]string{"row", "outcome", "reason"}, d.File.Header...)
	if err := w.Write(header); err != nil {
		return nil
	}
	for _, p := range d.Result.Problems {
		rec := []string{strconv.Itoa(p.Row), p.Outcome, p.Reason}
		for _, v := range p.Values {
			rec = append(rec, safeCell(v))
		}
		if err := w.Write(rec); err != nil {
			return nil
		}
	}
	w.Flush()
	return nil
}

// reportName is the report's file name: the import's, with what it holds.
func reportName(fileName string) string {
	base := strings.TrimSuffix(fileName, filepath.Ext(fileName))
	base = strings.Map(func(r rune) rune {
		if r < ' ' || r == '"' || r == '\\' || r == '/' || r > '~' {
			return '_'
		}
		return r
	}, base)
	return fmt.Sprintf("%s-skipped-and-refused.csv", base)
}

// importUndo moves what the import created, still active, to the Trash as one
// deletion; the leads page then shows its Undo toast.
func (s *Server) importUndo(c echo.Context) error {
	id, err := importID(c)
	if err != nil {
		return err
	}
	if _, err := s.store.UndoImport(c.Request().Context(), workspace(c), actor(c), id); err != nil {
		if errors.Is(err, store.ErrBatchNotFound) {
			return errNoImport
		}
		return err
	}
	return redirectAfterPost(c, "/leads")
}
