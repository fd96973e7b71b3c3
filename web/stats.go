package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"leadkeep/views"
)

// statsPage is /stats: the workspace's counts, its deletions and restores per day
// and its top deleters, all read from counters the store keeps.
func (s *Server) statsPage(c echo.Context) error {
	st, err := s.store.Stats(c.Request().Context(), workspace(c), s.store.Now())
	if err != nil {
		return err
	}
	d := views.StatsData{Stats: st, TrashAll: may(c, actionTrashAll), TrashOwn: may(c, actionTrashOwn), Me: actor(c).ID}
	return render(c, http.StatusOK, views.StatsPage(s.pageFor(c, "Stats", "stats"), d), nil)
}
