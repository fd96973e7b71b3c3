package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"leadkeep/store"
)

func TestMetricsAnswerLoopbackAndOperatorsOnly(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "leadkeep.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := New(st, Config{Secret: make([]byte, 32)})
	get := func(remote string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	// A request to count first, then the metrics from the machine itself.
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/leads/lead_0000000000000000", nil))
	for _, remote := range []string{"127.0.0.1:5000", "[::1]:5000"} {
		rec := get(remote)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, `leadkeep_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
			t.Fatalf("metrics from %s: %d\n%.600s", remote, rec.Code, body)
		}
	}
	if rec := get("203.0.113.9:5000"); rec.Code != http.StatusForbidden {
		t.Fatalf("metrics from another machine without a session: %d, want 403", rec.Code)
	}
}
