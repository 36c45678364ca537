# The two commands of the README: `make run` (set up and serve on the embedded default) and `make test`.
# Both create .venv and install what they need from the package registries on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITE ?= default

.PHONY: run test test-mariadb lint messages install install-test install-mariadb clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The desk's charts (Chart.js) and htmx come from the npm registry, exactly as package-lock.json pins them.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/python node_modules/.package-lock.json
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python node_modules/.package-lock.json
	$(BIN)/pip install --quiet -e '.[test]'

# MariaDB's driver compiles against libmariadb (apt-get install -y pkg-config libmariadb-dev).
install-mariadb: $(BIN)/python node_modules/.package-lock.json
	$(BIN)/pip install --quiet -e '.[test,mariadb]'

run: install
	$(BIN)/programme-tracker --site $(SITE) serve

test: install-test
	$(BIN)/pytest

test-mariadb: install-mariadb
	PT_SITE=test-mariadb $(BIN)/pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

# After changing user-facing strings: update the Dutch catalog, translate the new entries, then compile it
# (needs GNU gettext: apt-get install -y gettext). The tests fail while a string has no translation.
messages: install-test
	cd apps/programme_tracker && DJANGO_SETTINGS_MODULE=programme_tracker.config.settings \
	  ../../$(BIN)/django-admin makemessages -l nl --no-location --no-obsolete && \
	  DJANGO_SETTINGS_MODULE=programme_tracker.config.settings ../../$(BIN)/django-admin compilemessages -l nl

clean:
	rm -rf $(VENV) node_modules *.egg-info apps/*.egg-info
