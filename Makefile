# Two commands set everything up on a fresh machine:
#   make run    install, migrate, seed the demo association, serve site + Celery worker + beat
#   make test   install and run the whole suite
# Without DATABASE_URL / REDIS_URL they use SQLite and a file-based broker under var/.

VENV    := .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
PORT    ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install assets run serve seed migrate test lint format check-deploy clean

help:
	@echo "make run      install, migrate, seed demo data and serve on http://127.0.0.1:$(PORT)/"
	@echo "make test     install and run the whole test suite"
	@echo "make lint     ruff check + ruff format --check + the import contract (lint-imports)"

# The venv is rebuilt only when the requirements change. Development gets requirements-dev.txt
# (tests, linters, the browser driver); a server installs requirements.txt only (deploy/upgrade).
# --no-compile: Python compiles a module when it is first imported; compiling every installed file
# up front took more than half of the install (63 s -> 28 s on a fresh venv here).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@PYTHON_BIN="$$(scripts/find-python)" || exit 1; \
	  test -x $(PY) || "$$PYTHON_BIN" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-compile -r requirements-dev.txt
	@touch $@

# Front-end packages come from the npm registry at install time; nothing is loaded from a CDN.
static/vendor/.installed: package.json package-lock.json scripts/vendor-assets
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to install the front-end packages: https://nodejs.org/ or 'apt-get install nodejs npm'"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	scripts/vendor-assets
	@touch $@

install: $(VENV)/.installed static/vendor/.installed
assets: static/vendor/.installed

migrate: install
	$(PY) manage.py migrate --noinput

# In development the links in emails follow the port the site is served on.
DEV_SITE_URL = $${SITE_URL:-http://127.0.0.1:$(PORT)}

seed: migrate
	SITE_URL=$(DEV_SITE_URL) $(PY) manage.py seed_demo

# The demo logins are printed once the site answers, read from the database as they are then.
run: seed
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Starting on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the site, the worker and beat)"
	@SITE_URL=$(DEV_SITE_URL) $(PY) manage.py seed_demo --logins-only --when-up &
	PORT=$(PORT) SITE_URL=$(DEV_SITE_URL) $(BIN)/honcho start web worker beat

# The browser tests need Chromium: found, installed where the machine allows (as root with
# apt-get), or the one command to run is printed. Skipped when PYTEST_ARGS deselects them.
test: install
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || { echo "Model changes without a migration: run '$(PY) manage.py makemigrations'"; exit 1; }
	@case '$(PYTEST_ARGS)' in *'not browser'*) $(BIN)/pytest $(PYTEST_ARGS) ;; \
	  *) CHROMIUM_PATH="$$(scripts/find-chromium)" || exit 1; CHROMIUM_PATH="$$CHROMIUM_PATH" $(BIN)/pytest $(PYTEST_ARGS) ;; esac

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production settings must pass Django's deployment checklist.
check-deploy: install
	DEBUG=False SECRET_KEY="$$(head -c 60 /dev/urandom | base64 | tr -d '\n')" FIELD_ENCRYPTION_KEYS="$$(head -c 40 /dev/urandom | base64 | tr -d '\n')" ALLOWED_HOSTS=mentoring.example.org \
	  EMAIL_URL=smtp+tls://mailer:secret@smtp.example.org:587 DATABASE_URL=postgres://mentoring@db.example.org/mentoring \
	  REDIS_URL=redis://redis.example.org:6379/0 SITE_URL=https://mentoring.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
