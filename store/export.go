package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// exportChunk is how many leads an export reads at a time: memory stays flat
// however many leads go out.
const exportChunk = 500

// ExportLeads calls fn for each active lead of the selection, in the order they were
// added, with its tags: the listed ids (each must be an active lead of the workspace),
// or, when ids is nil, every lead the filter matches.
func (s *Store) ExportLeads(ctx context.Context, workspaceID string, ids []string, f LeadFilter, fn func(Lead) error) error {
	var ls leadSet
	if ids != nil {
		ids, err := checkIDs(ids)
		if err != nil {
			return err
		}
		ls = idLeads(workspaceID, ids).and("deleted_at IS NULL")
	} else {
		var err error
		if ls, err = s.activeSet(ctx, s.read, workspaceID, f); err != nil {
			return err
		}
	}
	var after int64
	for {
		n := 0
		err := eachRow(ctx, s.read, `SELECT `+leadColumns+`, COALESCE((SELECT group_concat(tag, ';') FROM tags WHERE lead_id = l.id), '')
			FROM leads l`+leadJoins+`WHERE l.seq IN (SELECT seq FROM `+ls.from+` WHERE `+ls.where+` AND seq > ? ORDER BY seq LIMIT ?)
			ORDER BY l.seq`, append(append([]any{}, ls.args...), after, exportChunk), func(rows *sql.Rows) error {
			var tags string
			l, err := scanLead(rows, &tags)
			if err != nil {
				return err
			}
			if tags != "" {
				l.Tags = strings.Split(tags, ";")
			}
			n++
			after = l.seq
			return fn(l)
		})
		if err != nil {
			return fmt.Errorf("store: export: %w", err)
		}
		if n < exportChunk {
			return nil
		}
	}
}
