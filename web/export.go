package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
)

// exportColumns are the CSV export's columns (DESIGN.md's contract).
var exportColumns = []string{"id", "name", "email", "phone", "company", "status", "pool", "source", "owner", "tags", "created_at", "updated_at"}

// exportLeads streams the table's filter (pool, status, q) or the listed ids as CSV
// or JSON. Trashed leads are never exported.
func (s *Server) exportLeads(c echo.Context) error {
	format := c.QueryParam("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "json" {
		return echo.NewHTTPError(http.StatusBadRequest, "The export format is csv or json.")
	}
	q := c.QueryParams()
	var ids []string
	if len(q["ids"]) > 0 {
		ids = uniqueIDs(q["ids"])
		if len(ids) > store.MaxIDs {
			return echo.NewHTTPError(http.StatusBadRequest, "An export can name at most 1,000 leads; export a filter for more.")
		}
		for _, id := range ids {
			if !store.ValidLeadID(id) {
				return store.ErrLeadNotFound
			}
		}
	}
	f := store.LeadFilter{PoolID: q.Get("pool"), Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q"))}
	ws := workspace(c)
	// Check the selection before the first byte goes out: afterwards an error can
	// only cut the file short.
	if ids == nil {
		if _, err := s.store.CountMatching(c.Request().Context(), ws.ID, f); err != nil {
			return err
		}
	}
	name := "leads-" + s.store.Now().UTC().Format("2006-01-02") + "." + format
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	if format == "json" {
		return s.exportJSON(c, ws.ID, ids, f)
	}
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	if err := w.Write(exportColumns); err != nil {
		return err
	}
	err := s.store.ExportLeads(c.Request().Context(), ws.ID, ids, f, func(l store.Lead) error {
		return w.Write([]string{l.ID, safeCell(l.Name), safeCell(l.Email), l.Phone, safeCell(l.Company), string(l.Status),
			safeCell(l.PoolName), safeCell(l.Source), safeCell(l.OwnerName), safeCell(strings.Join(l.Tags, ";")),
			l.CreatedAt.Format(time.RFC3339), l.UpdatedAt.Format(time.RFC3339)})
	})
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		s.log.Error("export cut short", "error", err)
	}
	return nil
}

func (s *Server) exportJSON(c echo.Context, wsID string, ids []string, f store.LeadFilter) error {
	c.Response().Header().Set(echo.HeaderContentType, "application/json")
	c.Response().WriteHeader(http.StatusOK)
	w := c.Response()
	enc := json.NewEncoder(w)
	first := true
	_, _ = w.Write([]byte("["))
	err := s.store.ExportLeads(c.Request().Context(), wsID, ids, f, func(l store.Lead) error {
		if !first {
			_, _ = w.Write([]byte(","))
		}
		first = false
		tags := l.Tags
		if tags == nil {
			tags = []string{}
		}
		return enc.Encode(map[string]any{"id": l.ID, "name": l.Name, "email": l.Email, "phone": l.Phone, "company": l.Company,
			"status": l.Status, "pool": l.PoolID, "poolName": l.PoolName, "source": l.Source, "owner": l.OwnerName, "tags": tags,
			"metadata": l.Metadata, "createdAt": l.CreatedAt.Format(time.RFC3339), "updatedAt": l.UpdatedAt.Format(time.RFC3339)})
	})
	_, _ = w.Write([]byte("]\n"))
	if err != nil {
		s.log.Error("export cut short", "error", err)
	}
	return nil
}

// safeCell keeps a spreadsheet from running a cell as a formula: a cell starting
// with =, +, - or @ gets a leading '. (Phones are E.164 and written as they are.)
func safeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
		return "'" + v
	}
	return v
}
