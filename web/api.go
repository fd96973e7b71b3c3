package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"leadkeep/store"
)

// The REST API: /api/v1, JSON, workspace API keys. Every answer is an envelope,
// {"success": true, "message"?, "data"} or {"success": false, "error", "code",
// "details"}; errors go through the one error handler like the console's.

const ctxKeyKey = "leadkeep.apikey"

// apiError is an API error with its code and details (such as the lead id).
func apiError(code, msg string, details map[string]any) error {
	return &apiErr{code: code, msg: msg, details: details}
}

type apiErr struct {
	code    string
	msg     string
	details map[string]any
}

func (e *apiErr) Error() string { return e.msg }

// ok answers a success envelope.
func ok(c echo.Context, status int, message string, data any) error {
	body := map[string]any{"success": true, "data": data}
	if message != "" {
		body["message"] = message
	}
	return c.JSON(status, body)
}

// apiKeyAuth lets through requests with a live key, with the key and its workspace
// in the context, and counts them against the key's rate limit.
func (s *Server) apiKeyAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get("Authorization")
		scheme, token, found := strings.Cut(strings.TrimSpace(h), " ")
		if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="leadkeep"`)
			return store.ErrBadKey
		}
		k, ws, err := s.store.AuthenticateKey(c.Request().Context(), strings.TrimSpace(token))
		if err != nil {
			if errors.Is(err, store.ErrBadKey) {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="leadkeep", error="invalid_token"`)
			}
			return err
		}
		if wait, limited := s.limits.take(k.ID, s.store.Now()); limited {
			c.Response().Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			return apiError("RATE_LIMITED", "Too many requests for this key; slow down and retry after the Retry-After seconds", nil)
		}
		c.Set(ctxKeyKey, k)
		c.Set(ctxSessionKey, store.Session{Role: k.Role, Workspace: ws})
		return next(c)
	}
}

// apiKey is the key of an API request.
func apiKey(c echo.Context) store.APIKey { k, _ := c.Get(ctxKeyKey).(store.APIKey); return k }

// apiAllow wraps an API handler with the same policy table as the console's.
func apiAllow(a action, h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !may(c, a) {
			return apiError(store.EForbidden, "This key's role ("+string(apiKey(c).Role)+") does not allow this ("+string(a)+")", nil)
		}
		return h(c)
	}
}

// keyLimits is a token bucket per API key: a sustained 10 requests a second (600 a
// minute) with bursts of 300, so a script that lists a page of 100 leads and then
// fetches and deletes each of them at full speed is never slowed, while a runaway
// loop is.
type keyLimits struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	every   rate.Limit
	burst   int
}

func newKeyLimits() *keyLimits {
	return &keyLimits{buckets: map[string]*rate.Limiter{}, every: 10, burst: 300}
}

// take spends a token of the key's bucket, or says how long to wait for one.
func (l *keyLimits) take(keyID string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[keyID]
	if b == nil {
		if len(l.buckets) > 100_000 {
			clear(l.buckets)
		}
		b = rate.NewLimiter(l.every, l.burst)
		l.buckets[keyID] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, true
	}
	return 0, false
}

// decodeJSON reads a JSON body strictly into dst: unknown fields and wrong types are
// VALIDATION_FAILED naming the field. An empty body is an empty object.
func decodeJSON(c echo.Context, dst any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) || errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return apiError(store.EInvalid, "The request body could not be read", nil)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return apiError(store.EInvalid, "The body must be one JSON object", nil)
	}
	return nil
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return apiError(store.EInvalid, "The body must be a JSON object", nil)
		}
		return apiError(store.EInvalid, "Field "+field+" must be "+jsonKind(typeErr.Type.Kind().String()),
			map[string]any{field: "must be " + jsonKind(typeErr.Type.Kind().String())})
	case errors.As(err, &syntaxErr):
		return apiError(store.EInvalid, fmt.Sprintf("The body is not valid JSON (at byte %d)", syntaxErr.Offset), nil)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apiError(store.EInvalid, "Unknown field "+field, map[string]any{field: "is not a field of this request"})
	}
	return apiError(store.EInvalid, "The body is not valid JSON", nil)
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of another type"
}

// rfc3339 writes a time as the API does: RFC 3339, UTC, milliseconds.
func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
