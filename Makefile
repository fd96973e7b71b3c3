# Leadkeep. `make run` starts the console on ./leadkeep.db with a demo workspace;
# `make test` runs every test (browser tests need Debian's chromium; see .ci/run).

GO      ?= go
DB      ?= ./leadkeep.db
ADDR    ?= 127.0.0.1:8080
PKGS    := ./...

.PHONY: run test generate lint bench ci build clean

run:
	$(GO) run ./cmd/leadkeep serve --demo --db $(DB) --addr $(ADDR)

build:
	$(GO) build -o bin/leadkeep ./cmd/leadkeep

test:
	$(GO) test -count=1 $(PKGS)

# Regenerate the templ components (*_templ.go are committed).
generate:
	$(GO) tool templ generate -log-level warn

# gofmt, go vet, staticcheck (from tools.mod, out of the app's go.mod), and the
# generated templ files must match their sources.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool -modfile=tools.mod staticcheck $(PKGS)
	@$(GO) tool templ generate -log-level warn
	@out=$$(git status --porcelain -- '*_templ.go'); if [ -n "$$out" ]; then echo "templ files are out of date (run make generate and commit):"; echo "$$out"; exit 1; fi

# Benchmarks over a million seeded leads (seeded once into a cached file under
# $TMPDIR, about 75 s; LEADKEEP_BENCH_LEADS changes the size): the table, search and
# stats pages, a bulk delete of ~100,000 leads with the table's latency meanwhile, and an
# import of a 100,000-row CSV file.
bench:
	$(GO) test -p 1 -run '^$$' -bench 'ListLeads|LeadsPage|StatsPage' -benchtime 50x -count 5 ./store ./web
	$(GO) test -run '^$$' -bench 'BulkDeleteWhileBrowsing|PagesWithBigDeletion' -benchtime 3x -count 1 ./web
	$(GO) test -run '^$$' -bench 'Import100k' -benchtime 2x -count 1 ./store

ci: lint test

clean:
	rm -rf bin artifacts
