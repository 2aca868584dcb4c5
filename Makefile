# Panorama — one task runner. `make` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/panorama
HOST ?= 127.0.0.1
PORT ?= 8000
# Bytecode is kept (__pycache__ is git-ignored): each pytest worker and each `panorama`
# process the tests start would otherwise compile the project's modules again, and
# pytest would rewrite every test module's asserts again (a fifth of a worker's start).
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help
.PHONY: help install assets demo serve test test-sqlite test-postgres coverage browser dovecot lint bench bench-1m bench-postgres messages clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

install: $(STAMP) node_modules/.installed ## Create .venv and install pinned packages (Python and npm)
	cd src/panorama && ../../$(BIN)/panorama compilemessages -v 0

demo: install ## Set up the SQLite demo (migrate, demo data, admin) and serve on HOST:PORT (127.0.0.1:8000)
	$(BIN)/panorama migrate --no-input -v 0
	$(BIN)/panorama demo --host $(HOST) --port $(PORT)
	$(BIN)/panorama serve --host $(HOST) --port $(PORT)

serve: install ## Serve web + API + task worker (production server)
	$(BIN)/panorama serve --host $(HOST) --port $(PORT)

browser: ## Install Debian's Chromium for the browser tests (once)
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

dovecot: ## Install Debian's Dovecot IMAP server for the inbound mail tests (once; the tests start their own)
	@test -x /usr/sbin/dovecot || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; }

test: install browser dovecot ## Run the whole suite on SQLite, then on PostgreSQL when it answers
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python scripts/pg_ready.py "$${DATABASE_URL:-$(PG_URL)}"; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable: PostgreSQL run skipped"; fi

# Coverage is measured by `make coverage` (the SQLite run, which runs every test, with
# line tracing), not by `make test`: tracing costs the run about a quarter of its time,
# and CI's time is what the two runs share. The PostgreSQL run's lines can be added to
# it: make test-postgres PG_COVERAGE="--cov --cov-append".
# Browser tests drive the UI, which no database changes: they run once, on SQLite (a
# third of the suite's time). So do the tests marked database_independent (tests/conftest.py
# marks every test that cannot reach the database: pure functions, settings checks, the
# templates' and translations' checks, the Spark/DuckDB equality on Parquet files; and
# `panorama serve`'s, whose server runs on SQLite anyway). PG_MARKS runs them on
# PostgreSQL too when set to "".
COVERAGE ?=
# The slowest tests are printed after each run: what to trim when CI grows.
DURATIONS := --durations=25
PG_MARKS ?= not browser and not database_independent
PG_COVERAGE ?=

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest -n 2 -q $(COVERAGE) $(DURATIONS)

coverage: install ## The SQLite run with line coverage (printed, never a threshold)
	$(MAKE) --no-print-directory test-sqlite COVERAGE="--cov --cov-report=term"

test-postgres: install
	DATABASE_URL="$${DATABASE_URL:-$(PG_URL)}" $(BIN)/pytest -n 2 -q -m "$(PG_MARKS)" $(PG_COVERAGE) $(DURATIONS)

lint: install ## ruff check + format check, mypy (django-stubs), migrations up to date
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/panorama makemigrations --check --dry-run

messages: install ## Refresh the Spanish translation catalogue
	cd src/panorama && ../../$(BIN)/panorama makemessages -l es --no-obsolete -i '*/tests/*'

bench: install ## Seed 100k customers, measure through the production server (BENCH_ARGS=...)
	$(BIN)/panorama bench --customers $${CUSTOMERS:-100000} $(BENCH_ARGS)

bench-1m: install ## The same at 1,000,000 customers (seeding takes 6-8 minutes the first time)
	$(BIN)/panorama bench --customers 1000000 $(BENCH_ARGS)

bench-postgres: install ## The bench on PostgreSQL (PG_BENCH_URL, default a panorama_bench database)
	$(BIN)/panorama bench --customers $${CUSTOMERS:-100000} \
		--database-url "$${PG_BENCH_URL:-postgresql://postgres@127.0.0.1:5432/panorama_bench}" $(BENCH_ARGS)

clean: ## Remove the venv, node_modules and var/
	rm -rf $(VENV) node_modules var
