# Peer Network. `make run` serves the demo; `make test` runs every test. Both set themselves up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app network
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 3

# axe-core for the accessibility scans: from the npm registry into .cache/node, never from a CDN.
AXE_CORE_VERSION := 4.14.1
AXE_CORE := .cache/node/node_modules/axe-core/axe.min.js

.PHONY: help install run serve lint test test-deep test-sqlite test-postgres test-browser chromium migrate seed secret clean translations smoke

help:
	@echo "make run    - set up, migrate, seed the demo network and serve it on http://$(HOST):$(PORT)"
	@echo "make test   - set up and run the whole test suite (SQLite, then PostgreSQL when installed)"
	@echo "make lint   - ruff: unused or undefined names, bugbear's bug patterns, import order"
	@echo "make serve  - production server (gunicorn, $(WORKERS) workers, the search indexer and the job worker)"
	@echo "make test-browser - journeys in Chromium and axe-core accessibility scans (installs what they need)"
	@echo "make smoke  - the deployment (deploy/: nginx, the systemd units' commands, PostgreSQL) tried end to end"
	@echo "make translations - extract the interface's messages, update every catalogue, compile them"
	@echo "                    (ADD=pt starts a catalogue for another language; README, Languages)"

$(VENV)/.installed: setup.cfg pyproject.toml
	@# WeasyPrint (the collections' PDFs) needs Pango and fonts from Debian: installed only when missing.
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && fc-list 2>/dev/null | grep -qi dejavu || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "== installing Pango and fonts for the PDFs (Debian)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig >/dev/null; \
	  else echo "Pango or fonts are missing (sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core):" \
	    "PDFs of collections cannot be made and their tests will skip"; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: secret
	NETWORK_ENV=$${NETWORK_ENV:-development} $(FLASK) db upgrade

seed: migrate
	NETWORK_ENV=$${NETWORK_ENV:-development} $(FLASK) seed-demo

# The background jobs (PDFs, emails, reminders: README, "Background jobs") run in one worker beside the server,
# stopped with it.
run: seed
	export NETWORK_ENV=development; \
	$(FLASK) jobs worker & jobs=$$!; \
	trap 'kill $$jobs 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

# The secret key, made once and kept in instance/config.py (instance/ is in .gitignore: never committed).
# `make run` (through migrate) makes it too, so that the README's `flask --app network ...` commands then
# work in this checkout without NETWORK_ENV=development; `make serve` uses the same key.
secret: install
	@test -f instance/config.py && grep -q '^SECRET_KEY' instance/config.py || \
	  $(BIN)/python -c 'import secrets; print("SECRET_KEY = %r" % secrets.token_hex(32))' >> instance/config.py

# The web workers never write the search index nor run a background job: one indexer process and one job
# worker do, beside them.
serve: secret
	$(FLASK) db upgrade
	export NETWORK_SEARCH_INDEXER=external; \
	$(FLASK) search worker & indexer=$$!; \
	$(FLASK) jobs worker & jobs=$$!; \
	trap 'kill $$indexer $$jobs 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$${SERVE_PORT:-8000} --access-logfile - 'wsgi:app'

# Rules for real bugs (pyflakes, bugbear, pycodestyle's errors, import order): pyproject.toml.
lint: install
	scripts/timed.sh "lint (ruff)" $(BIN)/ruff check .

# Each suite runs over every core (pytest-xdist, `-n auto` in setup.cfg); scripts/timed.sh prints its wall time.
test-sqlite: install
	scripts/timed.sh "suite on SQLite" $(BIN)/pytest

# The property tests and state machines with many more examples (minutes, not seconds).
test-deep: install
	HYPOTHESIS_PROFILE=deep scripts/timed.sh "deep property tests" $(BIN)/pytest tests/mobility/test_state_machine.py tests/test_properties.py \
	  tests/events/test_event_state_machine.py tests/events/test_event_visibility_agreement.py

test-postgres: install
	scripts/timed.sh "suite on PostgreSQL" scripts/with-postgres.sh $(BIN)/pytest

# PostgreSQL is the production database: its run is skipped only when no server is installed
# (CI installs one, and there a missing server is an error).
test: test-sqlite
	@status=0; scripts/timed.sh "suite on PostgreSQL" scripts/with-postgres.sh $(BIN)/pytest || status=$$?; \
	if [ $$status = 3 ] && [ "$${CI:-}" != true ]; then \
	  echo "PostgreSQL run skipped: no server installed (apt-get install postgresql, then make test-postgres)"; \
	else exit $$status; fi

# Browser tests: Playwright for Python drives Debian's Chromium (Playwright's own browser download is not
# used); they skip when a tool is missing, except under CI (CI=true), where that is a failure.
$(VENV)/.browser-installed: $(VENV)/.installed setup.cfg
	$(BIN)/python -m pip install --quiet -e '.[test,browser]'
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "== installing Chromium (Debian)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing (sudo apt-get install chromium): the browser tests will skip"; fi; }

$(AXE_CORE): Makefile
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "== installing npm (Debian)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  fi; }
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-save --no-audit --no-fund --prefix .cache/node axe-core@$(AXE_CORE_VERSION) && touch $@; \
	else echo "npm is missing (apt-get install npm): the accessibility scans will skip"; fi

# One process: the journeys share one live server and one browser.
test-browser: $(VENV)/.browser-installed chromium $(AXE_CORE)
	scripts/timed.sh "browser and accessibility" $(BIN)/pytest -n 0 tests/browser -m browser

# The deployment of README "Deployment" tried end to end on loopback (deploy/smoke.sh: nginx from Debian,
# a throw-away PostgreSQL, the systemd units' commands). Skipped when nginx or PostgreSQL is missing and
# cannot be installed, except under CI (CI=true), where that is a failure.
smoke: install
	@status=0; scripts/timed.sh "deployment smoke test" deploy/smoke.sh || status=$$?; \
	if [ $$status = 3 ] && [ "$${CI:-}" != true ]; then \
	  echo "Deployment smoke test skipped: nginx or PostgreSQL is not installed (apt-get install nginx-light postgresql)"; \
	else exit $$status; fi

# Interface translations (README, "Languages"): extract every marked string into messages.pot, bring each
# catalogue up to date (new strings come in empty or "fuzzy" for a translator to check: the tests fail until
# they are translated), start catalogues that are missing, and compile the .mo files the server reads. The
# compiled files are committed, so that `make run` and `make test` work on a fresh clone.
TRANSLATIONS := network/translations
LOCALES := $(sort en es fr it $(ADD) $(patsubst $(TRANSLATIONS)/%/LC_MESSAGES/messages.po,%,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)))

translations: install
	$(BIN)/pybabel extract --mapping-file=babel.cfg --keyword=_l --keyword=lazy_gettext \
	  --keyword=lazy_ngettext:1,2 --add-comments=Translators: --add-location=file --sort-by-file \
	  --project="Peer Network" --copyright-holder="the Peer Network partners" \
	  --output-file=$(TRANSLATIONS)/messages.pot .
	@for locale in $(LOCALES); do \
	  if [ -f $(TRANSLATIONS)/$$locale/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update --input-file=$(TRANSLATIONS)/messages.pot --output-dir=$(TRANSLATIONS) \
	      --locale=$$locale --ignore-obsolete || exit 1; \
	  else \
	    $(BIN)/pybabel init --input-file=$(TRANSLATIONS)/messages.pot --output-dir=$(TRANSLATIONS) \
	      --locale=$$locale || exit 1; \
	  fi; \
	done
	$(BIN)/pybabel compile --directory=$(TRANSLATIONS) --statistics

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .cache/node test-artifacts
