# CollectieveKracht: `make run` serves the site with demo data; `make test` runs every test.
# Needs only Python 3.11+, make and git. Every setting comes from the environment (see README).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
PORT   ?= 5000
export PORT

.PHONY: run test test-fast setup dev-setup db seed worker demo-code bench-search bench-web clean help

# The developer targets run with development settings; everywhere else a missing APP_ENV means
# production (which refuses to start without its secrets), so a forgotten setting fails safe.
run seed db worker demo-code: export APP_ENV ?= development

help:
	@echo "make run    set up and serve http://127.0.0.1:$(PORT) with demo data"
	@echo "make test   set up and run the whole test suite"
	@echo "make test-fast   the quick loop: every test but the slow and browser ones"
	@echo "make worker run the background worker on its own (make run starts one)"
	@echo "make demo-code EMAIL=beheerder@example.org   the current sign-in code of a demo account"
	@echo "make bench-search   search benchmark at 100,000 posts (BENCH_ARGS=\"--posts 5000\" for a quick run)"
	@echo "make bench-web   requests/s of the content pages under gunicorn (BENCH_ARGS=\"--json\")"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed

dev-setup: $(VENV)/.installed-dev

db: setup
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo --if-empty
	$(FLASK) search check

# The background worker (mail, search index, notifications, reminders, retention) runs next to
# the development server; Ctrl-C stops both.
run: seed
	@$(FLASK) worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

worker: setup
	$(FLASK) worker

# The code a demo account's authenticator app would show now (demo accounts with a second factor).
demo-code: setup
	@$(FLASK) demo-code $(EMAIL)

test: dev-setup
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# The quick loop while working: tests/unit, tests/web and tests/worker (no process-spawning
# tests/slow, no tests/browser). make test stays the full suite, as CI runs it.
test-fast: dev-setup
	$(BIN)/python -m pytest -n auto -m "not slow and not browser" $(PYTEST_ARGS)

# 100,000 generated Dutch posts in a throwaway database and index: indexing speed and query times.
# BENCH_ARGS="--posts 5000" for a quick run, "--json" for figures a script can read.
bench-search: setup
	$(BIN)/python bench/search_bench.py $(BENCH_ARGS)

# Requests/s of the content pages relative to /over-ons under gunicorn (2 workers), signed in as a
# member, with p99 latency, SQL statements per page and worker memory: in a scratch SQLite database,
# or with DATABASE_URL in a scratch PostgreSQL database (ck_web_bench) on that server.
# BENCH_ARGS="--threads 200 --members 2000" (the default), "--rounds 2 --seconds 1" for a quick look,
# "--json" for figures a script can read.
bench-web: setup
	$(BIN)/python bench/web_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
