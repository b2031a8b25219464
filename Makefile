# Run `make help` to see what each target does.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
PROD_LOCAL_ARGS ?=

.DEFAULT_GOAL := help
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install setup run test test-plugins test-site browser-tools libreoffice screenshots lint format messages check matrix ci clean prod-local

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(VENV)/.installed ## Create .venv: the demo site's pinned requirements, the plugins (editable) and the development tools

setup: install ## Migrate the database, compile translations, load demo content, ensure an admin user
	$(BIN)/python manage.py compile_catalogues
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --hostname $(HOST) --port $(PORT)
	$(BIN)/python manage.py ensure_superuser

run: setup ## Set everything up and serve the demo site on http://127.0.0.1:8000/
	@echo ""
	@echo "  Site:  http://$(HOST):$(PORT)/  (English: http://$(HOST):$(PORT)/en/)"
	@echo "  Admin: http://$(HOST):$(PORT)/admin/  user 'admin', password as printed above"
	@echo "         (or DJANGO_SUPERUSER_PASSWORD; reset with: $(BIN)/python manage.py changepassword admin)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: test-plugins test-site ## Run every test: the plugins in a minimal host, then the demo site with browser tests (DATABASE_URL picks the database; SQLite by default)

test-plugins: install libreoffice ## The first half of `make test`: the plugins' own tests in the minimal host and the install tests
	$(BIN)/python -m pytest --ds=tests.testapp.settings tests/articles tests/leadwizard tests/install $(PYTEST_ARGS)

test-site: install browser-tools libreoffice ## The second half of `make test`: the demo site's tests and browser tests
	$(BIN)/python manage.py compile_catalogues
	$(BIN)/python -m pytest tests/website tests/e2e $(PYTEST_ARGS)

browser-tools: ## Install Debian's chromium and axe-core (npm) for the browser tests, when missing
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@test -f tests/e2e/node_modules/axe-core/axe.min.js || npm ci --prefix tests/e2e --no-audit --no-fund --silent

libreoffice: ## Install Debian's LibreOffice Calc (no GUI) for the export tests that open the files, when missing
	@command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 || { echo "Installing Debian's libreoffice-calc-nogui for the export tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libreoffice-calc-nogui >/dev/null; }

screenshots: install browser-tools ## Regenerate docs/screenshots/ from a throwaway demo database and server
	$(BIN)/python scripts/screenshots.py

lint: install ## Check code style with ruff, and with import-linter that imports point one way
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install ## Update the de and en catalogues of each plugin (articles/locale, leadwizard/locale) and of the host (locale/)
	cd articles && DJANGO_SETTINGS_MODULE=website.settings.dev PYTHONPATH=$(CURDIR) ../$(BIN)/python -m django makemessages -l de -l en --no-obsolete
	cd leadwizard && DJANGO_SETTINGS_MODULE=website.settings.dev PYTHONPATH=$(CURDIR) ../$(BIN)/python -m django makemessages -l de -l en --no-obsolete
	$(BIN)/python manage.py makemessages -l de -l en --no-obsolete --ignore=.venv --ignore=.nox --ignore=tests --ignore=benchmarks --ignore=scripts --ignore=articles --ignore=leadwizard --ignore='*.egg-info'
	$(BIN)/python manage.py compile_catalogues

check: install ## Django system checks, missing migrations, and the plugins' compiled catalogues
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py compile_catalogues --check

prod-local: install ## Production stack on 127.0.0.1: nginx TLS :8443 -> 2 gunicorn -> PostgreSQL, + worker (PROD_LOCAL_ARGS=--detach)
	$(BIN)/python scripts/prod_local.py start $(PROD_LOCAL_ARGS)

matrix: install ## The plugins' tests at the oldest and newest supported Python, Django and Wagtail (nox, uv)
	UV_PYTHON_DOWNLOADS=never $(BIN)/nox

ci: ## What CI runs: checks and tests on SQLite and PostgreSQL
	bash .ci/run

clean: ## Remove the virtualenv, the SQLite database, generated media and the matrix's environments
	rm -rf $(VENV) db.sqlite3 media staticfiles .nox .nox-*.log
