# The two commands of the README: `make run` (set up and serve on the embedded default) and `make test`.
# Both create .venv and install what they need from the package registries on first use.
# `make lock` refreshes the Python locks in requirements/ (every package pinned with its hashes) from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITE ?= default

.PHONY: run test test-fast api-fuzz screenshots test-mariadb lint docs lock messages install install-test install-mariadb clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Each install takes exactly what its lock pins, checked against the hashes, then the project itself without its
# dependencies (they are all in the lock).
install: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/run.txt
	$(BIN)/pip install --quiet --no-deps -e .

install-test: $(BIN)/python node_modules/axe-core/axe.min.js
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/iati.txt
	$(BIN)/pip install --quiet --no-deps -e .

# The browser tests' WCAG checker (axe-core), exactly as package-lock.json pins it (with its hash), no scripts run.
node_modules/axe-core/axe.min.js: package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# MariaDB's driver compiles against libmariadb (apt-get install -y pkg-config libmariadb-dev).
install-mariadb: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/mariadb.txt
	$(BIN)/pip install --quiet --no-deps -e .

# `make run PORT=8080` serves on another port (and links in e-mail follow it, unless the site sets site_url).
PORT ?= 8000
run: install
	$(BIN)/programme-tracker --site $(SITE) serve 127.0.0.1:$(PORT)

# The suite runs on one worker per core (pytest-xdist); WORKERS=0 runs it in one process, as plain pytest does.
WORKERS ?= auto

test: install-test
	$(BIN)/pytest -n $(WORKERS)

# The fast set for developers: all but the browser, multi-process, command-line subprocess and exhaustive tests.
test-fast: install-test
	$(BIN)/pytest -n $(WORKERS) -m "not browser and not processes and not cli and not sweep"

# Schemathesis against the live API with each role's token (tests/api/fuzz.py): 0 failures, or it fails.
api-fuzz: install-test
	$(BIN)/python tests/api/fuzz.py

# The desk's screenshots in docs/screenshots/, taken by the browser tests that show each page (only when asked).
screenshots: install-test
	PT_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/desk/test_desk_pages_browser.py tests/finance/test_import_browser.py \
	  tests/taskforce/test_page_browser.py tests/taskforce/test_meeting_browser.py \
	  tests/notifications/test_email_browser.py

# The same suite on MariaDB and Redis, but for the accessibility checks: they judge the HTML and scripts a browser
# gets, which do not depend on the database, and take minutes (make test runs them; the other browser tests run here).
test-mariadb: install-mariadb
	PT_SITE=test-mariadb $(BIN)/pytest -n $(WORKERS) -m "not a11y"

# makemigrations --check runs on a database of its own in memory: lint needs no site (a fresh clone has none yet).
lint: install-test
	$(BIN)/ruff check .
	PYTHONPATH=apps $(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py check --fail-level WARNING
	PT_DB_TYPE=sqlite PT_DB_NAME=:memory: $(BIN)/python manage.py makemigrations --check --dry-run

# The documentation site (mkdocs.yml): docs/ built into build/docs/ (not site/: sites/ holds the site configurations);
# strict, so a broken link or anchor fails the build.
docs: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/docs.txt
	$(BIN)/pip install --quiet --no-deps -e .
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir build/docs

# One lock per install, from pyproject.toml (docs/development/dependencies.md). Each takes the newest releases the
# ranges allow; `make lock UPGRADE=` keeps the current pins where they still fit. The larger locks are constrained by
# the smaller ones, so that a package has the same version in all of them.
UPGRADE ?= --upgrade
LOCK = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(UPGRADE)
lock: $(BIN)/python
	$(BIN)/pip install --quiet 'pip-tools>=7.4,<8'
	$(LOCK) --output-file requirements/run.txt pyproject.toml
	$(LOCK) --extra test --constraint requirements/run.txt --output-file requirements/test.txt pyproject.toml
	$(LOCK) --extra test --extra mariadb --constraint requirements/test.txt --output-file requirements/mariadb.txt \
	  pyproject.toml
	$(LOCK) --extra docs --constraint requirements/run.txt --output-file requirements/docs.txt pyproject.toml

# After changing user-facing strings: update the Dutch catalog, translate the new entries, then compile it
# (needs GNU gettext: apt-get install -y gettext). The tests fail while a string has no translation.
messages: install-test
	cd apps/programme_tracker && DJANGO_SETTINGS_MODULE=programme_tracker.config.settings \
	  ../../$(BIN)/django-admin makemessages -l nl --no-location --no-obsolete && \
	  DJANGO_SETTINGS_MODULE=programme_tracker.config.settings ../../$(BIN)/django-admin compilemessages -l nl

clean:
	rm -rf $(VENV) node_modules *.egg-info apps/*.egg-info build/docs
