# Tandem's entry points. `make demo` and `make test` are the README's two quick-start commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_WORKERS ?= 2
RUNTIME_STAMP := $(VENV)/.runtime-$(shell sha256sum requirements.lock | cut -c1-16)
DEV_STAMP := $(VENV)/.dev-$(shell sha256sum requirements-dev.lock | cut -c1-16)

.PHONY: demo test backup restore lint typecheck imports check-deploy openapi browser xmlsec1 locale ci clean bench-import bench-matching bench-nudges bench-outcomes bench-health bench-analytics bench-web bench-provisioning soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(DEV_STAMP): requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(RUNTIME_STAMP)

## demo: install, migrate SQLite, load the demo data, serve on http://127.0.0.1:$(PORT) with the
## task worker (it writes the emails as files into demo-emails/) and the nudge scheduler beside
## it, DEBUG off (Tandem's own error pages); links in
## emails and calendar files point at SITE_URL, http://127.0.0.1:$(PORT) unless set
demo: export SITE_URL ?= http://127.0.0.1:$(PORT)
demo: export DEBUG ?= false
demo: $(RUNTIME_STAMP) xmlsec1 locale
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@set -m; $(BIN)/python manage.py db_worker --interval 1 & worker=$$!; \
	  $(BIN)/python manage.py run_scheduler & scheduler=$$!; \
	  trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## browser: Debian's chromium for the Playwright tests (never a browser a tool downloads), and
## Debian's xmlsec1, which signs, verifies and decrypts SAML (pysaml2 calls the program)
browser:
	@{ command -v chromium && command -v xmlsec1; } >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-liberation xmlsec1 >/dev/null; }

## xmlsec1: Debian's xmlsec1 program, which SAML single sign-on needs at run time too
xmlsec1:
	@command -v xmlsec1 >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq xmlsec1 >/dev/null; }

## locale: Debian's gettext, and the translations compiled (.po → .mo; the .mo files are built
## here, never committed, so a catalogue and its compiled form cannot disagree)
locale: $(RUNTIME_STAMP)
	@command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

## test: install everything the tests need (the browser too) and run the whole suite
test: $(DEV_STAMP) browser locale
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## backup: a consistent copy of the database DATABASE_URL names (SQLite by default) while Tandem
## runs, to BACKUP_FILE (default backups/tandem-<UTC time>.backup). It holds no encryption keys.
BACKUP_FILE_GIVEN := $(BACKUP_FILE)
BACKUP_FILE ?= backups/tandem-$(shell date -u +%Y%m%dT%H%M%SZ).backup
backup: $(RUNTIME_STAMP)
	@mkdir -p $(dir $(BACKUP_FILE))
	$(BIN)/python manage.py backup --output $(BACKUP_FILE)

## restore: load BACKUP_FILE into the EMPTY database DATABASE_URL names (a new SQLite file, or a
## PostgreSQL database just created), then migrate it to this version of Tandem.
restore: $(RUNTIME_STAMP)
	@test -n "$(BACKUP_FILE_GIVEN)" || { echo "Usage: make restore BACKUP_FILE=path/to/file.backup"; exit 2; }
	$(BIN)/python manage.py restore $(BACKUP_FILE)
	$(BIN)/python manage.py migrate --noinput

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy tandem config

imports: $(DEV_STAMP)
	$(BIN)/lint-imports

check-deploy: $(DEV_STAMP) xmlsec1
	DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=tandem.example.com \
	JOURNAL_ENCRYPTION_KEYS=$$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

## openapi: rewrite the committed OpenAPI snapshot after an intended API change
openapi: $(DEV_STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py export_openapi_schema \
	  --api config.api.api --indent 2 --sorted --output docs/openapi.json

## bench-import: check and commit a 20,000-row (~6 MB) HR export; prints seconds and queries
bench-import: $(DEV_STAMP)
	$(BIN)/python -m bench.people_import --rows 20000

## bench-provisioning: 10,000 people through SCIM (one request each, in-process WSGI) and HR sync
bench-provisioning: $(DEV_STAMP)
	$(BIN)/python -m bench.provisioning --users 10000

## bench-matching: solve synthetic programmes of 2,000 and 20,000 mentees (TOTAL, certified)
bench-matching: $(RUNTIME_STAMP)
	$(BIN)/python -m bench.matching --mentees 2000 --mentors 700 --seed 1 --verify
	$(BIN)/python -m bench.matching --mentees 20000 --mentors 7000 --seed 1
	@echo "100,000 mentees (about 80-100 s, 2 GB): $(BIN)/python -m bench.matching --mentees 100000 --mentors 35000 --seed 1 --tolerance 0.0001"

## bench-nudges: evaluate and enqueue the nudges of 100,000 active relationships (SQLite temp file,
## or the empty PostgreSQL database DATABASE_URL names); prints seconds, queries, nudges per second
bench-nudges: $(RUNTIME_STAMP)
	$(BIN)/python -m bench.nudges --relationships 100000

## bench-health: score 100,000 open relationships and time the health list's first page (SQLite
## temp file, or the empty PostgreSQL database DATABASE_URL names); prints seconds and queries
bench-health: $(RUNTIME_STAMP)
	$(BIN)/python -m bench.health --relationships 100000

## bench-analytics: the programme dashboard, the organisation roll-up, the health list and the
## outcomes report over 100,000 relationships with a year of activity (SQLite temp file, or the
## empty PostgreSQL database DATABASE_URL names); prints one JSON object of seconds and queries
bench-analytics: $(RUNTIME_STAMP)
	$(BIN)/python -m bench.analytics --relationships 100000 --json

## bench-web: the main read paths under gunicorn (production settings, 2 workers) and wrk at 1, 16
## and 64 clients, on a PostgreSQL organisation of 100,000 people built in the database
## DATABASE_URL names (needs wrk: apt-get install wrk); prints one JSON object. Not run in CI.
bench-web: $(RUNTIME_STAMP)
	$(BIN)/python -m bench.web --people 100000 --json

## soak: two gunicorn servers, two schedulers and two RQ workers on their own Redis and a new
## PostgreSQL database (soak_<pid>, on the server DATABASE_URL names, else postgres@127.0.0.1),
## a mixed load of readers and writers for SOAK_SECONDS (120), a gunicorn worker, a scheduler and
## a worker killed with SIGKILL and Redis restarted; then checks no acknowledged write is lost,
## every email arrived once at the run's SMTP sink, no outbox row is stuck and no 5xx came
## outside the kill windows. Prints one JSON object; exits 1 when a check fails. Not run in CI.
SOAK_SECONDS ?= 120
soak: $(DEV_STAMP)
	$(BIN)/python -m bench.soak --seconds $(SOAK_SECONDS) --json

ci: lint typecheck imports check-deploy test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache staticfiles

## bench-outcomes: the outcomes report of 100,000 relationships (SQLite temp file, or the PostgreSQL
## database DATABASE_URL names); prints seconds and queries, cold then cached
bench-outcomes: $(RUNTIME_STAMP)
	$(BIN)/python -m bench.outcomes --relationships 100000
