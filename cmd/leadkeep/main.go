// Command leadkeep is the one binary of Leadkeep: the console server and the
// commands that administer its database. Wiring only: parse flags, open the
// store, build the server, run.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"leadkeep/store"
	"leadkeep/web"
)

const usage = `leadkeep — leads where nothing is lost by accident

Usage:
  leadkeep serve [--addr 127.0.0.1:8080] [--demo] [--secure-cookies]
  leadkeep workspace add --name NAME
  leadkeep pool add --workspace W --name NAME
  leadkeep user add --workspace W --email E --name N --role viewer|agent|manager|admin [--operator]
                    (the password is read from standard input: one line, at least 10 characters)
  leadkeep apikey add --workspace W --name N --role viewer|agent|manager|admin
                    (prints the secret sk-… once: it is never shown again)
  leadkeep seed --workspace W --leads N
  leadkeep purge [--dry-run]   (the retention purge, now, whatever the purge hour)
  leadkeep export --workspace W [--format csv|json] [--bom]   (active leads to standard output)
  leadkeep import --workspace W [--skip-duplicates] FILE.csv
                    (columns matched by their names; rows skipped or refused are listed)
  leadkeep backup --to FILE    (a consistent copy of the live database, and its key)
  leadkeep erasures replay [--from FILE]   (after restoring a backup: apply the erasures made since)

Every command takes --db PATH (default ./leadkeep.db, or $LEADKEEP_DB).
W is a workspace id or name. Commands that create something print its id last.
`

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	var u usageError
	switch {
	case errors.As(err, &u):
		fmt.Fprintf(os.Stderr, "leadkeep: %v\n\n%s", err, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintf(os.Stderr, "leadkeep: %v\n", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	if cmd == "workspace" || cmd == "pool" || cmd == "user" || cmd == "apikey" {
		if len(rest) == 0 || rest[0] != "add" {
			return usageError{fmt.Sprintf("%s: the only subcommand is %q", cmd, cmd+" add")}
		}
		cmd, rest = cmd+" add", rest[1:]
	}
	if cmd == "erasures" {
		if len(rest) == 0 || rest[0] != "replay" {
			return usageError{`erasures: the only subcommand is "erasures replay"`}
		}
		cmd, rest = "erasures replay", rest[1:]
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	defaultDB := os.Getenv("LEADKEEP_DB")
	if defaultDB == "" {
		defaultDB = "./leadkeep.db"
	}
	dbPath := fs.String("db", defaultDB, "database file")
	var c command
	switch cmd {
	case "serve":
		c = newServe(fs)
	case "workspace add":
		c = newWorkspaceAdd(fs)
	case "pool add":
		c = newPoolAdd(fs)
	case "user add":
		c = newUserAdd(fs)
	case "apikey add":
		c = newAPIKeyAdd(fs)
	case "seed":
		c = newSeed(fs)
	case "purge":
		c = newPurge(fs)
	case "export":
		c = newExport(fs)
	case "import":
		c = newImport(fs)
	case "backup":
		c = newBackup(fs)
	case "erasures replay":
		c = newReplay(fs)
	default:
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	// Flags may come before or after the arguments ("import FILE --workspace W").
	var positional []string
	for {
		if err := fs.Parse(rest); err != nil {
			return usageError{fmt.Sprintf("%s: %v", cmd, err)}
		}
		if fs.NArg() == 0 {
			break
		}
		positional, rest = append(positional, fs.Arg(0)), fs.Args()[1:]
	}
	if a, ok := c.(argsTaker); ok {
		a.setArgs(positional)
	} else if len(positional) > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", cmd, positional[0])}
	}
	if err := c.check(); err != nil {
		return usageError{fmt.Sprintf("%s: %v", cmd, err)}
	}
	st, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	return c.run(ctx, env{store: st, dbPath: *dbPath, stdin: stdin, stdout: stdout, stderr: stderr})
}

// command is one subcommand: flags bound at construction, checked, then run.
type command interface {
	check() error
	run(ctx context.Context, e env) error
}

// argsTaker is a command that takes arguments besides its flags.
type argsTaker interface{ setArgs(args []string) }

type env struct {
	store          *store.Store
	dbPath         string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// --- serve

type serve struct {
	addr          *string
	demo          *bool
	secureCookies *bool
	idle          *time.Duration
}

func newServe(fs *flag.FlagSet) *serve {
	return &serve{
		addr:          fs.String("addr", "127.0.0.1:8080", "address to listen on"),
		demo:          fs.Bool("demo", false, "seed a demo workspace into a new database"),
		secureCookies: fs.Bool("secure-cookies", false, "mark cookies Secure (serve behind TLS)"),
		idle:          fs.Duration("idle-timeout", 30*time.Minute, "sign out after this long idle"),
	}
}

func (s *serve) check() error {
	if _, _, err := net.SplitHostPort(*s.addr); err != nil {
		return fmt.Errorf("--addr %q: %v", *s.addr, err)
	}
	return nil
}

func (s *serve) run(ctx context.Context, e env) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	var demoLogin string
	var err error
	if *s.demo {
		if demoLogin, err = seedDemo(ctx, e.store); err != nil {
			return err
		}
	}
	handler := web.New(e.store, web.Config{
		Secret:        e.store.Secret(),
		SecureCookies: *s.secureCookies,
		Sessions:      store.SessionLimits{Idle: *s.idle, Absolute: 12 * time.Hour},
		Logger:        logger,
	})
	ln, err := net.Listen("tcp", *s.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(e.stdout, "Leadkeep is running at http://%s\n", ln.Addr())
	if demoLogin != "" {
		fmt.Fprintln(e.stdout, demoLogin)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	schedCtx, stopScheduler := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() { defer close(schedDone); runScheduler(schedCtx, e.store, logger) }()
	defer func() { stopScheduler(); <-schedDone }() // a purge in flight ends before the store closes
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx) // then run's deferred Close checkpoints and removes the WAL
}

// demo workspace
const (
	demoWorkspace = "Demo"
	demoEmail     = "admin@demo.leadkeep.test"
	demoLeads     = 2000
)

// seedDemo creates the Demo workspace, its people and 2,000 leads in a database that
// does not have it yet, and returns the sign-in to print.
func seedDemo(ctx context.Context, st *store.Store) (string, error) {
	if _, err := st.FindWorkspace(ctx, demoWorkspace); err == nil {
		return fmt.Sprintf("The demo workspace already exists; nothing was seeded.\nSign in as %s with the password printed when it was created (delete the database to start over).", demoEmail), nil
	} else if store.ErrorCode(err) != store.ENotFound {
		return "", err
	}
	ws, err := st.CreateWorkspace(ctx, demoWorkspace)
	if err != nil {
		return "", err
	}
	password := randomPassword()
	people := []store.NewUser{
		{Email: demoEmail, Name: "Dana Admin", Role: "admin", Password: password},
		{Email: "sam@demo.leadkeep.test", Name: "Sam Rivera", Role: "manager", Password: randomPassword()},
		{Email: "priya@demo.leadkeep.test", Name: "Priya Shah", Role: "agent", Password: randomPassword()},
		{Email: "leo@demo.leadkeep.test", Name: "Leo Martin", Role: "agent", Password: randomPassword()},
	}
	for _, p := range people {
		p.WorkspaceID = ws.ID
		if _, err := st.CreateUser(ctx, p); err != nil {
			return "", err
		}
	}
	if _, err := st.Seed(ctx, ws.ID, demoLeads, store.SeedOptions{Extras: true}); err != nil {
		return "", err
	}
	return fmt.Sprintf("Seeded the demo workspace with %d leads.\nSign in as %s with the password %s", demoLeads, demoEmail, password), nil
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// --- workspace add, pool add

type workspaceAdd struct{ name *string }

func newWorkspaceAdd(fs *flag.FlagSet) *workspaceAdd {
	return &workspaceAdd{name: fs.String("name", "", "the workspace's name (unique)")}
}

func (w *workspaceAdd) check() error { return required("--name", *w.name) }

func (w *workspaceAdd) run(ctx context.Context, e env) error {
	ws, err := e.store.CreateWorkspace(ctx, *w.name)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, ws.ID)
	return nil
}

type poolAdd struct{ workspace, name *string }

func newPoolAdd(fs *flag.FlagSet) *poolAdd {
	return &poolAdd{workspace: fs.String("workspace", "", "workspace id or name"), name: fs.String("name", "", "the pool's name")}
}

func (p *poolAdd) check() error {
	return errors.Join(required("--workspace", *p.workspace), required("--name", *p.name))
}

func (p *poolAdd) run(ctx context.Context, e env) error {
	ws, err := e.store.FindWorkspace(ctx, *p.workspace)
	if err != nil {
		return err
	}
	pool, err := e.store.CreatePool(ctx, ws.ID, *p.name)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, pool.ID)
	return nil
}

// --- user add

type userAdd struct {
	workspace, email, name, role *string
	operator                     *bool
}

func newUserAdd(fs *flag.FlagSet) *userAdd {
	return &userAdd{
		workspace: fs.String("workspace", "", "workspace id or name"),
		email:     fs.String("email", "", "sign-in e-mail"),
		name:      fs.String("name", "", "full name"),
		role:      fs.String("role", "", "viewer, agent, manager or admin"),
		operator:  fs.Bool("operator", false, "platform operator (crosses workspaces)"),
	}
}

func (u *userAdd) check() error {
	return errors.Join(required("--workspace", *u.workspace), required("--email", *u.email),
		required("--name", *u.name), required("--role", *u.role))
}

func (u *userAdd) run(ctx context.Context, e env) error {
	ws, err := e.store.FindWorkspace(ctx, *u.workspace)
	if err != nil {
		return err
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the password from standard input: %w", err)
	}
	password := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	user, err := e.store.CreateUser(ctx, store.NewUser{WorkspaceID: ws.ID, Email: *u.email, Name: *u.name,
		Role: *u.role, Operator: *u.operator, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, user.ID)
	return nil
}

// --- apikey add

type apiKeyAdd struct{ workspace, name, role *string }

func newAPIKeyAdd(fs *flag.FlagSet) *apiKeyAdd {
	return &apiKeyAdd{workspace: fs.String("workspace", "", "workspace id or name"), name: fs.String("name", "", "what the key is for"),
		role: fs.String("role", "", "viewer, agent, manager or admin")}
}

func (a *apiKeyAdd) check() error {
	return errors.Join(required("--workspace", *a.workspace), required("--name", *a.name), required("--role", *a.role))
}

func (a *apiKeyAdd) run(ctx context.Context, e env) error {
	ws, err := e.store.FindWorkspace(ctx, *a.workspace)
	if err != nil {
		return err
	}
	k, secret, err := e.store.CreateAPIKey(ctx, ws.ID, store.Actor{Kind: "system"}, *a.name, *a.role)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "created key %s (%s, %s) in %s; keep the secret below, it is not shown again\n", k.Name, k.Role, k.ID, ws.Name)
	fmt.Fprintln(e.stdout, secret)
	return nil
}

// --- export, backup

type export struct {
	workspace, format *string
	bom               *bool
}

func newExport(fs *flag.FlagSet) *export {
	return &export{workspace: fs.String("workspace", "", "workspace id or name"), format: fs.String("format", "csv", "csv or json"),
		bom: fs.Bool("bom", false, "start a CSV file with a UTF-8 byte-order mark, for spreadsheet programs")}
}

func (x *export) check() error {
	if *x.format != "csv" && *x.format != "json" {
		return errors.Join(required("--workspace", *x.workspace), errors.New("--format must be csv or json"))
	}
	return required("--workspace", *x.workspace)
}

func (x *export) run(ctx context.Context, e env) error {
	ws, err := e.store.FindWorkspace(ctx, *x.workspace)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	if *x.bom && *x.format == "csv" {
		out.WriteString(web.BOM)
	}
	if err := web.Export(ctx, e.store, ws.ID, nil, store.LeadFilter{}, *x.format, out); err != nil {
		return err
	}
	return out.Flush()
}

// --- import

type importCmd struct {
	workspace      *string
	skipDuplicates *bool
	files          []string
}

func newImport(fs *flag.FlagSet) *importCmd {
	return &importCmd{workspace: fs.String("workspace", "", "workspace id or name"),
		skipDuplicates: fs.Bool("skip-duplicates", false, "skip rows whose e-mail matches an active lead or an earlier row")}
}

func (x *importCmd) setArgs(args []string) { x.files = args }

func (x *importCmd) check() error {
	var file error
	switch {
	case len(x.files) == 0:
		file = errors.New("the CSV file to import is required")
	case len(x.files) > 1:
		file = fmt.Errorf("one file at a time (got %d)", len(x.files))
	}
	return errors.Join(required("--workspace", *x.workspace), file)
}

// run imports the file as the console does, with the columns it recognises by
// name. Skipped and refused rows go to standard error; the counts are the last line.
// Once the file was read, the exit is 0 whatever the rows were.
func (x *importCmd) run(ctx context.Context, e env) error {
	ws, err := e.store.FindWorkspace(ctx, *x.workspace)
	if err != nil {
		return err
	}
	f, err := store.InspectImport(x.files[0])
	var se *store.Error
	if errors.As(err, &se) && se.Fields["file"] != "" {
		return fmt.Errorf("%s %s; nothing was imported", x.files[0], se.Fields["file"])
	} else if err != nil {
		return err
	}
	m := store.GuessMapping(f.Header)
	if err := store.CheckImportMapping(f.Header, m); err != nil {
		return fmt.Errorf("%s: no column is named name, full name, or first and last name (the headers are %s); nothing was imported",
			x.files[0], strings.Join(f.Header, ", "))
	}
	if f.Encoding != store.EncodingUTF8 {
		fmt.Fprintf(e.stderr, "read as %s\n", f.Encoding)
	}
	for i, field := range m {
		if field == "" {
			fmt.Fprintf(e.stderr, "column %s (%s) is not imported\n", store.ColumnName(i), f.Header[i])
		}
	}
	res, err := e.store.Import(ctx, ws, store.Actor{Kind: "system"}, store.ImportRequest{ID: store.NewImportID(), File: f,
		FileName: x.files[0], Mapping: m, Options: store.ImportOptions{SkipDuplicates: *x.skipDuplicates}})
	if err != nil {
		return err
	}
	for _, p := range res.Problems {
		fmt.Fprintf(e.stderr, "row %d: %s: %s\n", p.Row, p.Outcome, p.Reason)
	}
	fmt.Fprintf(e.stdout, "created=%d skipped=%d refused=%d\n", res.Created, res.Skipped, res.Refused)
	return nil
}

type backup struct{ to *string }

func newBackup(fs *flag.FlagSet) *backup {
	return &backup{to: fs.String("to", "", "the file to write (must not exist)")}
}

func (b *backup) check() error { return required("--to", *b.to) }

func (b *backup) run(ctx context.Context, e env) error {
	if err := e.store.Backup(ctx, *b.to); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Erasures made after this backup are logged in %s: after restoring this copy, run\n"+
		"  leadkeep erasures replay --db <restored db> --from %s\n", e.store.ErasureLogPath(), e.store.ErasureLogPath())
	fmt.Fprintln(e.stdout, *b.to)
	return nil
}

// --- erasures replay

type replay struct{ from *string }

func newReplay(fs *flag.FlagSet) *replay {
	return &replay{from: fs.String("from", "", "the erasure log to replay (default: the database's own, <db>.erasures.jsonl)")}
}

func (r *replay) check() error { return nil }

func (r *replay) run(ctx context.Context, e env) error {
	path := *r.from
	if path == "" {
		path = e.store.ErasureLogPath()
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("erasures replay: %w", err)
	}
	defer f.Close()
	recs, err := store.ReadErasureLog(f)
	if err != nil {
		return err
	}
	res, err := e.store.ReplayErasures(ctx, recs)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "replayed=%d present=%d leads=%d\n", res.Replayed, res.Present, res.Leads)
	return nil
}

// --- purge

type purge struct{ dryRun *bool }

func newPurge(fs *flag.FlagSet) *purge {
	return &purge{dryRun: fs.Bool("dry-run", false, "count what would be purged, purge nothing")}
}

func (p *purge) check() error { return nil }

func (p *purge) run(ctx context.Context, e env) error {
	runs, err := e.store.PurgeDue(ctx, holderName("purge"), *p.dryRun)
	if err != nil {
		return err
	}
	total := 0
	for _, r := range runs {
		total += r.Purged
		fmt.Fprintf(e.stderr, "%s: %d (retention %d days)\n", r.Workspace.Name, r.Purged, r.Workspace.RetentionDays)
	}
	if *p.dryRun {
		fmt.Fprintf(e.stdout, "would_purge=%d\n", total)
	} else {
		fmt.Fprintf(e.stdout, "purged=%d\n", total)
	}
	return nil
}

// holderName names this process for the lease that keeps purges from overlapping.
func holderName(what string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s %s pid %d", what, host, os.Getpid())
}

// runScheduler runs the retention purge for each workspace once a local day, at
// the first minute at or after its purge hour, until ctx ends.
func runScheduler(ctx context.Context, st *store.Store, logger *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	holder := holderName("serve")
	for {
		runs, err := st.PurgeScheduled(ctx, holder)
		if err != nil && ctx.Err() == nil {
			logger.Error("retention purge", "error", err)
		}
		for _, r := range runs {
			logger.Info("retention purge", "workspace", r.Workspace.Name, "purged", r.Purged)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// --- seed

type seed struct {
	workspace *string
	leads     *int
}

func newSeed(fs *flag.FlagSet) *seed {
	return &seed{workspace: fs.String("workspace", "", "workspace id or name"), leads: fs.Int("leads", 0, "how many leads")}
}

func (s *seed) check() error {
	if *s.leads <= 0 {
		return errors.Join(required("--workspace", *s.workspace), errors.New("--leads must be a positive number"))
	}
	return required("--workspace", *s.workspace)
}

func (s *seed) run(ctx context.Context, e env) error {
	ws, err := e.store.FindWorkspace(ctx, *s.workspace)
	if err != nil {
		return err
	}
	start := time.Now()
	n, err := e.store.Seed(ctx, ws.ID, *s.leads, store.SeedOptions{})
	if err != nil {
		return fmt.Errorf("seeded %d leads, then: %w", n, err)
	}
	fmt.Fprintf(e.stderr, "seeded %d leads into %s in %s\n", n, ws.Name, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "seeded=%d\n", n)
	return nil
}

func required(flagName, value string) error {
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("%s is required", flagName)
	}
	return nil
}
