// Package views renders Leadkeep's pages and the partials htmx swaps, from plain
// data: no requests, no database. A page is the layout around partials, and the
// same partial is what an htmx request gets, so the two never drift.
package views

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"leadkeep/store"
)

// Page is what the layout needs on every page.
type Page struct {
	Title        string
	CSRF         string
	User         *store.User // nil when signed out
	Workspace    store.Workspace
	Nav          string // the current navigation item
	Now          time.Time
	ShowTrash    bool
	ShowAudit    bool
	ShowStats    bool
	ShowSettings bool
	ShowOperator bool
	// Flashes are one-time messages from the previous request ("Lead restored.").
	Flashes []string
	// Undos are the signed-in person's deletions that can still be undone: their
	// toasts show on every page, with the time left.
	Undos []Undo
}

// Undo is a pending undo toast.
type Undo struct {
	BatchID  string
	Message  string // "Lead deleted." or "12 leads deleted."
	Deadline time.Time
}

// UndoFor is the toast of a deletion batch.
func UndoFor(b store.Batch) Undo {
	msg := "Lead deleted."
	switch {
	case b.Kind == "spam":
		msg = "Marked as spam: its e-mail and phone are suppressed."
	case b.Count != 1:
		msg = thousands(b.Count) + " leads deleted."
	}
	return Undo{BatchID: b.ID, Message: msg, Deadline: b.UndoUntil}
}

func unixMs(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// secondsLeft is the whole seconds until t, at least 0.
func secondsLeft(now, t time.Time) string {
	d := t.Sub(now)
	if d < 0 {
		return "0"
	}
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

// Toast is a message shown at the bottom of the page.
type Toast struct {
	Kind    string // "error" or "info"
	Message string
}

// LeadsData is the lead table with its filter.
type LeadsData struct {
	Pool, Status, Query, Sort string
	Pools                     []store.Pool
	Result                    store.LeadPage
	Error                     string
	NextURL, PrevURL          string
	SortURL                   map[string]string // sort key -> URL of the table so sorted
	Filtered                  bool
	CanCreate                 bool
	CanDelete                 bool
	CanBulk                   bool
	CanExport                 bool
	CanImport                 bool
	CSRF                      string
	FilterKey                 string // the filter alone (no page, no sort): a selection lives within it
	Self                      string // this table's URL, where a delete returns to
	OOB                       bool   // render as an out-of-band swap
}

// ExportURL is the export of the table's filter in a format ("csv", "json"; bom adds
// a byte-order mark for spreadsheet programs).
func (d LeadsData) ExportURL(format string, bom bool) string {
	v := url.Values{"format": {format}}
	if d.Pool != "" {
		v.Set("pool", d.Pool)
	}
	if d.Status != "" {
		v.Set("status", d.Status)
	}
	if d.Query != "" {
		v.Set("q", d.Query)
	}
	if bom {
		v.Set("bom", "1")
	}
	return "/leads/export?" + v.Encode()
}

// LeadData is one lead's page.
type LeadData struct {
	Detail     store.LeadDetail
	CanEdit    bool
	CanDelete  bool
	CanRestore bool
	CanHold    bool // an admin: legal hold and release
	CanErase   bool // an operator: GDPR erasure of the person
	NoteBody   string
	NoteErr    string
}

// LeadForm is the new or edit form, with what the person typed and what was wrong.
type LeadForm struct {
	ID                                              string // "" for a new lead
	Name, Email, Phone, Company, Status, Pool, Tags string
	Pools                                           []store.Pool
	Errors                                          map[string]string
}

// ErrorData is an error page.
type ErrorData struct {
	Status   int
	Title    string
	Message  string
	Link     string
	LinkText string
}

func itoa(n int) string { return strconv.Itoa(n) }

// Thousands writes n with thousands separators: 1,234,567.
func Thousands(n int) string { return thousands(n) }

// Plural is "1 lead", "2 leads".
func Plural(n int, unit string) string { return plural(n, unit) }

// thousands writes n with thousands separators: 1,234,567.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// countText is the table's count: exact, or "1,000+" past the search bound.
func countText(p store.LeadPage) string {
	n := thousands(p.Total)
	if p.Capped {
		n += "+"
	}
	if p.Total == 1 && !p.Capped {
		return n + " lead"
	}
	return n + " leads"
}

// relative says how long ago t was, as people say it.
func relative(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 48*time.Hour:
		return "yesterday"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	if t.Year() == now.Year() {
		return t.Format("Jan 2")
	}
	return t.Format("Jan 2, 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return thousands(n) + " " + unit + "s"
}

// exact is a time in full, for title attributes and timelines.
func exact(t time.Time) string { return t.UTC().Format("Mon, Jan 2, 2006 at 15:04 UTC") }

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// statusLabel is a status as shown: "Contacted".
func statusLabel(s store.Status) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r := []rune(w)
		if len(r) > 0 && len(out) < 2 {
			out = append(out, []rune(strings.ToUpper(string(r[0])))...)
		}
	}
	return string(out)
}

// fieldID is the id of a form field's error message, for aria-describedby.
func fieldID(name string) string { return "err-" + name }

// htmxConfig makes htmx swap 422 (a form with errors) and error toasts, which it
// ignores by default, and keeps its indicator styles out of the page (the CSP
// allows no inline styles).
const htmxConfig = `{"includeIndicatorStyles":false,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"422","swap":true},{"code":"[45]..","swap":true,"error":true}]}`

func csrfHeaders(token string) string {
	return `{"X-CSRF-Token": "` + token + `"}`
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func formAction(f LeadForm) string {
	if f.ID == "" {
		return "/leads"
	}
	return "/leads/" + f.ID
}

var fieldLabels = map[string]string{"name": "Name", "email": "E-mail", "phone": "Phone", "company": "Company",
	"status": "Status", "pool": "Pool", "tags": "Tags", "source": "Source", "body": "Note", "password": "The password"}

// fieldLabel names a field at the start of its error message: "E-mail is not valid".
func fieldLabel(name string) string {
	if l, ok := fieldLabels[name]; ok {
		return l
	}
	return name
}

// activityText is a timeline entry's sentence after the actor's name.
func activityText(a store.Activity) string {
	switch a.Kind {
	case "created":
		if a.Text != "" {
			return "created this lead (" + strings.TrimPrefix(a.Text, "Created ") + ")"
		}
		return "created this lead"
	case "note":
		return "added a note"
	case "updated":
		if a.Text == "" {
			return "edited this lead"
		}
		return strings.ToLower(a.Text[:1]) + a.Text[1:]
	}
	if a.Text != "" {
		return a.Text
	}
	return a.Kind
}

// purgesIn says when a lead deleted at deleted is purged: "purges in 29 days".
func purgesIn(now, deleted time.Time, retentionDays int) string {
	due := deleted.Add(time.Duration(retentionDays) * 24 * time.Hour)
	left := due.Sub(now)
	switch {
	case left <= 0:
		return "purges at the next run"
	case left < 24*time.Hour:
		return "purges within a day"
	}
	return "purges in " + plural(int(left/(24*time.Hour)), "day")
}

func actionLabel(a string) string {
	switch a {
	case "delete":
		return "Deleted"
	case "spam":
		return "Marked as spam"
	case "hold":
		return "Put on legal hold"
	case "release":
		return "Released a hold"
	case "erase":
		return "Erased a person"
	case "suppression.add":
		return "Suppressed a value"
	case "suppression.lift":
		return "Lifted a suppression"
	case "undo":
		return "Undone"
	case "restore":
		return "Restored"
	case "purge":
		return "Deleted forever"
	case "settings":
		return "Changed settings"
	case "user.add":
		return "Added a person"
	case "user.role":
		return "Changed a role"
	case "user.deactivate":
		return "Deactivated a person"
	case "user.reactivate":
		return "Reactivated a person"
	case "operator.enter":
		return "Operator entered"
	case "key.add":
		return "Created an API key"
	case "key.revoke":
		return "Revoked an API key"
	case "import":
		return "Imported"
	}
	return a
}

func auditReason(e store.AuditEntry) string {
	switch e.Action {
	case "delete":
		return store.ReasonLabel(e.Reason)
	case "purge":
		switch e.Reason {
		case "retention":
			return "Retention"
		case "erasure":
			return "Erasure"
		}
		return "By hand"
	case "erase":
		return "GDPR request"
	case "hold":
		return e.Details
	}
	return ""
}

func queryEscape(s string) string { return url.QueryEscape(s) }

// ariaSort is the aria-sort of a sortable column: how the table is sorted by it.
func ariaSort(d LeadsData, column string) string {
	switch {
	case d.Result.Searched:
		return "none"
	case column == "name" && d.Sort == "name":
		return "ascending"
	case column == "created" && d.Sort != "name":
		return "descending"
	}
	return "none"
}

var undoWindowSeconds = strconv.Itoa(int(store.UndoWindow / time.Second))

// Crossing reports whether an operator is acting in a workspace not their own.
func (p Page) Crossing() bool { return p.User != nil && p.User.WorkspaceID != p.Workspace.ID }
