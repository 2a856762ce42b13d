# Caseflow: `make run` to start it, `make test` to check it. `make help` lists the rest.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
HOST ?= 127.0.0.1
STATIC := caseflow/static
GOVUK := node_modules/govuk-frontend/dist/govuk
MOJ := node_modules/@ministryofjustice/frontend/moj
AUTOCOMPLETE := node_modules/accessible-autocomplete/dist

.DEFAULT_GOAL := help
.PHONY: help install assets db demo run test lint format test-fast clean bench

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STATIC)/.built: node_modules/.installed
	mkdir -p $(STATIC)/fonts $(STATIC)/images
	cp -R $(GOVUK)/assets/fonts/. $(STATIC)/fonts/
	cp -R $(GOVUK)/assets/images/. $(STATIC)/images/
	cp -R $(MOJ)/assets/images/. $(STATIC)/images/
	cp $(GOVUK)/assets/manifest.json $(STATIC)/manifest.json
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.js $(STATIC)/
	cp $(MOJ)/moj-frontend.min.css $(MOJ)/moj-frontend.min.js $(STATIC)/
	cp $(AUTOCOMPLETE)/accessible-autocomplete.min.css $(AUTOCOMPLETE)/accessible-autocomplete.min.js $(STATIC)/
	touch $@

install: $(VENV)/.installed node_modules/.installed ## Create the virtualenv and install Python and npm packages

assets: $(STATIC)/.built ## Put GOV.UK Frontend, MoJ Frontend and accessible-autocomplete assets in place

db: install ## Apply the migrations to the configured database (SQLite in instance/ by default)
	$(FLASK) db upgrade

demo: db ## Load synthetic demo data (once) and print the demo sign-ins
	$(FLASK) demo-data

run: install assets demo ## Set everything up and serve Caseflow on PORT (default 5000)
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install ## Check style, formatting and the layer contract (views never import models)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install ## Fix style and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Two worker processes, each on a database of its own derived from TEST_DATABASE_URL; the tests
# that share one live server (tests/browser) are one group, run by one worker.
test: install assets lint ## Lint, bandit, then the whole suite (PostgreSQL when TEST_DATABASE_URL is set)
	$(VENV)/bin/bandit -q -r caseflow -c pyproject.toml
	$(VENV)/bin/pytest -n 2 --dist loadgroup --durations=15

bench: install ## Benchmark on PostgreSQL (a fresh database, synthetic data at two sizes); prints one table
	$(PY) -m bench

.PHONY: backup restore-drill
backup: install ## pg_dump -Fc the configured PostgreSQL database into CASEFLOW_BACKUP_DIR (instance/backups)
	$(FLASK) backup create

restore-drill: install ## Restore the newest backup into a fresh database, verify the audit chain, open every field
	$(FLASK) backup restore-drill

clean: ## Remove the virtualenv, npm packages and built assets (keeps instance/)
	rm -rf $(VENV) node_modules $(STATIC)/.built $(STATIC)/fonts $(STATIC)/images \
	  $(STATIC)/manifest.json $(STATIC)/govuk-frontend.min.* $(STATIC)/moj-frontend.min.* \
	  $(STATIC)/accessible-autocomplete.min.*

.PHONY: load fault-drill replica
load: install ## gunicorn under a mixed load at 20 users against the /healthz floor, on private PostgreSQL and Redis
	$(PY) -m bench.load

fault-drill: install ## The load while a worker is killed, PostgreSQL crashes and Redis stops; checks nothing was lost
	$(PY) -m bench.fault_drill

replica: install ## A private PostgreSQL primary and a streaming replica beside it (pg_basebackup -R), until Ctrl-C
	$(PY) -m bench.replica
