// Package web is Leadkeep's HTTP side: Echo, the middleware (session, CSRF, policy),
// the console's handlers and, later, the REST API. Handlers read input, make one or
// two store calls and render a views component; they never build SQL.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"leadkeep/static"
	"leadkeep/store"
)

// Config is how a Server behaves.
type Config struct {
	// Secret signs and encrypts session cookies (store.LoadSecret).
	Secret []byte
	// SecureCookies marks cookies Secure: set it when the console is served over TLS.
	SecureCookies bool
	// Sessions end after this long idle or in all (defaults: 30 minutes, 12 hours).
	Sessions store.SessionLimits
	// Logger receives request logs; nil logs nowhere.
	Logger *slog.Logger
	// BodyLimit caps request bodies (default "2M").
	BodyLimit string
}

// Server is the console: an http.Handler.
type Server struct {
	echo     *echo.Echo
	store    *store.Store
	cfg      Config
	cookies  *sessions.CookieStore
	throttle *loginThrottle
	limits   *keyLimits
	metrics  *metrics
	imports  *importJobs
	log      *slog.Logger
}

// New builds the console on the store.
func New(st *store.Store, cfg Config) *Server {
	if cfg.Sessions.Idle == 0 {
		cfg.Sessions.Idle = 30 * time.Minute
	}
	if cfg.Sessions.Absolute == 0 {
		cfg.Sessions.Absolute = 12 * time.Hour
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "2M"
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		echo:     echo.New(),
		store:    st,
		cfg:      cfg,
		cookies:  newCookieStore(cfg),
		throttle: newLoginThrottle(func() time.Time { return st.Now() }),
		limits:   newKeyLimits(),
		metrics:  newMetrics(),
		imports:  newImportJobs(func() time.Time { return st.Now() }),
		log:      logger,
	}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.middleware()
	s.routes()
	return s
}

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// newCookieStore derives the cookie keys from the server secret, so that every
// server sharing the secret reads the same cookies.
func newCookieStore(cfg Config) *sessions.CookieStore {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, cfg.Secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	cs := sessions.NewCookieStore(derive("leadkeep session signing"), derive("leadkeep session encryption"))
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(cfg.Sessions.Absolute / time.Second),
		HttpOnly: true,
		Secure:   cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	return cs
}

// contentSecurityPolicy allows only the console's own files: no inline script or
// style, no other origin.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func (s *Server) middleware() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogMethod: true, LogURIPath: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true, // the status logged is the one the error handler answers
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("id", v.RequestID), slog.String("method", v.Method), slog.String("path", v.URIPath),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency),
			}
			if v.Error != nil && v.Status >= 500 {
				attrs = append(attrs, slog.String("error", v.Error.Error()))
			}
			s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	}))
	e.Use(s.metrics.observe)
	e.Use(middleware.Recover())
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: contentSecurityPolicy,
	}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: s.cfg.BodyLimit,
		// An import's upload has a limit of its own, and reads even a body over it,
		// so that the person gets the page that says so, not a reset connection.
		Skipper: func(c echo.Context) bool { return c.Request().Method == http.MethodPost && c.Path() == "/leads/import" },
	}))
	e.Use(readForm)
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, static.Prefix) || p == "/healthz" || p == "/metrics"
		},
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     "leadkeep_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.cfg.SecureCookies,
		CookieSameSite: http.SameSiteLaxMode,
		ContextKey:     "csrf",
	}))
}

// readForm parses a posted form before the CSRF check reads it, so that a body over
// the limit is answered 413 (the CSRF middleware would lose that error and say the
// token is missing). A multipart body (an upload) is left for its handler to stream:
// only its address's query is parsed, so the CSRF check takes the token from the
// X-CSRF-Token header or the address, never by reading the upload into memory.
func readForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ct := r.Header.Get(echo.HeaderContentType)
		switch {
		case r.Method != http.MethodPost:
		case strings.HasPrefix(ct, echo.MIMEApplicationForm):
			if err := r.ParseForm(); err != nil {
				if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
					return err
				}
				return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
			}
		case strings.HasPrefix(ct, echo.MIMEMultipartForm):
			if err := r.ParseForm(); err != nil { // reads the query only, for multipart
				return echo.NewHTTPError(http.StatusBadRequest, "The address could not be read.")
			}
		}
		return next(c)
	}
}

func (s *Server) routes() {
	e := s.echo
	e.GET(static.Prefix+"*", echo.WrapHandler(static.Handler()))
	e.GET("/healthz", s.healthz)
	e.GET("/metrics", s.serveMetrics)

	e.GET("/login", s.loginPage)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)

	// Console routes require a session. Each is wrapped on its own (no group with
	// middleware, whose catch-all route would swallow Echo's 404 and 405 answers).
	app := consoleRoutes{e: e, auth: s.requireSession}
	app.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/leads") })
	app.GET("/leads", s.allow(actionReadLeads, s.listLeads))
	app.GET("/leads/new", s.allow(actionEditLeads, s.newLeadForm))
	app.GET("/leads/export", s.allow(actionExport, s.exportLeads))
	app.GET("/leads/import", s.allow(actionImport, s.importForm))
	app.POST("/leads/import", s.allow(actionImport, s.importUpload))
	app.GET("/leads/import/:importId", s.allow(actionImport, s.importPage))
	app.POST("/leads/import/:importId", s.allow(actionImport, s.importRun))
	app.GET("/leads/import/:importId/report", s.allow(actionImport, s.importReport))
	app.POST("/leads/import/:importId/undo", s.allow(actionImport, s.importUndo))
	app.POST("/leads/bulk-delete", s.allow(actionBulkDelete, s.bulkDelete))
	app.POST("/leads", s.allow(actionEditLeads, s.createLead))
	app.GET("/leads/:id", s.allow(actionReadLeads, s.showLead))
	app.GET("/leads/:id/edit", s.allow(actionEditLeads, s.editLeadForm))
	app.POST("/leads/:id", s.allow(actionEditLeads, s.updateLead))
	app.POST("/leads/:id/notes", s.allow(actionEditLeads, s.addNote))
	app.GET("/leads/:id/delete", s.allow(actionDeleteLead, s.deleteDialog))
	app.POST("/leads/:id/delete", s.allow(actionDeleteLead, s.deleteLead))
	app.GET("/leads/:id/spam", s.allow(actionDeleteLead, s.spamDialog))
	app.POST("/leads/:id/spam", s.allow(actionDeleteLead, s.markSpam))
	app.POST("/undo/:batchId", s.allow(actionUndoOwn, s.undo))

	app.GET("/trash", s.allow(actionTrashOwn, s.trashPage))
	app.POST("/trash/bulk-restore", s.allow(actionTrashOwn, s.trashBulkRestore))
	app.POST("/trash/bulk-purge", s.allow(actionPurge, s.trashBulkPurge))
	app.POST("/trash/:id/restore", s.allow(actionTrashOwn, s.restoreLead))
	app.GET("/trash/:id/purge", s.allow(actionPurge, s.purgeConfirm))
	app.POST("/trash/:id/purge", s.allow(actionPurge, s.purgeLead))
	app.POST("/trash/batches/:batchId/restore", s.allow(actionTrashOwn, s.restoreBatch))
	app.GET("/trash/batches/:batchId/purge", s.allow(actionPurge, s.purgeBatchConfirm))
	app.POST("/trash/batches/:batchId/purge", s.allow(actionPurge, s.purgeBatch))
	app.GET("/trash/:id/hold", s.allow(actionHold, s.holdDialog))
	app.POST("/trash/:id/hold", s.allow(actionHold, s.hold))
	app.POST("/trash/:id/release", s.allow(actionHold, s.release))
	app.GET("/trash/batches/:batchId/hold", s.allow(actionHold, s.holdDialog))
	app.POST("/trash/batches/:batchId/hold", s.allow(actionHold, s.hold))
	app.POST("/trash/batches/:batchId/release", s.allow(actionHold, s.release))

	app.GET("/audit", s.allow(actionReadAuditLog, s.auditPage))
	app.GET("/stats", s.allow(actionReadStats, s.statsPage))

	app.GET("/settings", s.allow(actionSettings, s.settingsPage))
	app.POST("/settings", s.allow(actionSettings, s.saveSettings))
	app.POST("/settings/users", s.allow(actionSettings, s.addUser))
	app.POST("/settings/users/:userId/role", s.allow(actionSettings, s.changeRole))
	app.POST("/settings/users/:userId/deactivate", s.allow(actionSettings, s.deactivateUser))
	app.POST("/settings/users/:userId/reactivate", s.allow(actionSettings, s.reactivateUser))
	app.POST("/settings/keys", s.allow(actionSettings, s.createKey))
	app.POST("/settings/keys/:keyId/revoke", s.allow(actionSettings, s.revokeKey))
	app.GET("/settings/suppressions", s.allow(actionSettings, s.suppressionsPage))
	app.POST("/settings/suppressions", s.allow(actionSettings, s.suppress))
	app.POST("/settings/suppressions/:supId/lift", s.allow(actionSettings, s.liftSuppression))

	app.GET("/operator", s.operatorOnly(s.operatorPage))
	app.POST("/operator/switch", s.operatorOnly(s.switchWorkspace))
	app.POST("/operator/restore", s.operatorOnly(s.operatorRestore))
	app.GET("/operator/erase", s.operatorOnly(s.erasePage))
	app.POST("/operator/erase", s.operatorOnly(s.erase))
	app.GET("/operator/erasures/:erasureId", s.operatorOnly(s.receipt))

	e.GET("/api/v1/openapi.json", serveOpenAPI)
	// Each API route checks its key itself (no group middleware), so that Echo still
	// answers 405 for a known path with another method, and 404 for an unknown one.
	api := func(method, path string, a action, h echo.HandlerFunc) {
		h = s.apiKeyAuth(apiAllow(a, h))
		e.Add(method, "/api/v1"+path, func(c echo.Context) error {
			for _, v := range c.ParamValues() {
				if strings.Contains(v, "/") { // Echo lets a last :param run on: /leads/x/notes is no route
					return echo.ErrNotFound
				}
			}
			return h(c)
		})
	}
	api(http.MethodGet, "/leads", actionReadLeads, s.apiListLeads)
	api(http.MethodPost, "/leads", actionEditLeads, s.apiCreateLead)
	api(http.MethodPost, "/leads/bulk-delete", actionBulkDelete, s.apiBulkDelete)
	api(http.MethodGet, "/leads/:id", actionReadLeads, s.apiGetLead)
	api(http.MethodPut, "/leads/:id", actionEditLeads, s.apiUpdateLead)
	api(http.MethodDelete, "/leads/:id", actionDeleteLead, s.apiDeleteLead)
	api(http.MethodPost, "/batches/:id/undo", actionUndoOwn, s.apiUndo)
	api(http.MethodGet, "/trash", actionTrashOwn, s.apiTrash)
	api(http.MethodPost, "/trash/:id/restore", actionTrashOwn, s.apiRestore)
	api(http.MethodDelete, "/trash/:id", actionPurge, s.apiPurge)
	api(http.MethodGet, "/audit", actionReadAuditLog, s.apiAudit)

	// Anything else reaches handleError as Echo's 404 or 405: a page, or JSON under /api/.
}

// consoleRoutes adds routes that need a signed-in member.
type consoleRoutes struct {
	e    *echo.Echo
	auth echo.MiddlewareFunc
}

func (r consoleRoutes) GET(path string, h echo.HandlerFunc)  { r.e.GET(path, r.auth(h)) }
func (r consoleRoutes) POST(path string, h echo.HandlerFunc) { r.e.POST(path, r.auth(h)) }

func (s *Server) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
