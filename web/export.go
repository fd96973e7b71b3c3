package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
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
	h.Set(echo.HeaderContentType, map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json"}[format])
	c.Response().WriteHeader(http.StatusOK)
	if format == "csv" && truthy(c.QueryParam("bom")) {
		_, _ = io.WriteString(c.Response(), BOM)
	}
	if err := Export(c.Request().Context(), s.store, ws.ID, ids, f, format, c.Response()); err != nil {
		s.log.Error("export cut short", "error", err)
	}
	return nil
}

// BOM is the UTF-8 byte-order mark some spreadsheet programs need to read a CSV
// file as UTF-8 (the export's bom=1, `leadkeep export --bom`).
const BOM = "\ufeff"

// Export writes the workspace's active leads, the listed ids or those the filter
// matches, to w as CSV or JSON (one array), streamed in constant memory. The console
// and `leadkeep export` both write through it, so their files are the same.
func Export(ctx context.Context, st *store.Store, workspaceID string, ids []string, f store.LeadFilter, format string, w io.Writer) error {
	if format == "json" {
		return exportJSON(ctx, st, workspaceID, ids, f, w)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportColumns); err != nil {
		return err
	}
	err := st.ExportLeads(ctx, workspaceID, ids, f, func(l store.Lead) error {
		return cw.Write([]string{l.ID, safeCell(l.Name), safeCell(l.Email), l.Phone, safeCell(l.Company), string(l.Status),
			safeCell(l.PoolName), safeCell(l.Source), safeCell(l.OwnerName), safeCell(strings.Join(l.Tags, ";")),
			l.CreatedAt.Format(time.RFC3339), l.UpdatedAt.Format(time.RFC3339)})
	})
	cw.Flush()
	return errors.Join(err, cw.Error())
}

func exportJSON(ctx context.Context, st *store.Store, workspaceID string, ids []string, f store.LeadFilter, w io.Writer) error {
	enc := json.NewEncoder(w)
	first := true
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	err := st.ExportLeads(ctx, workspaceID, ids, f, func(l store.Lead) error {
		if !first {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
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
	_, werr := io.WriteString(w, "]\n")
	return errors.Join(err, werr)
}

// safeCell keeps a spreadsheet from running a cell as a formula: a cell starting
// with =, +, - or @ gets a leading '. (Phones are E.164 and written as they are.)
func safeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
		return "'" + v
	}
	return v
}
