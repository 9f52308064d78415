# Village Hub: `make demo` runs the hub with demo data, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo test lint messages install clean bench bench-events bench-ngsi bench-matching bench-newsletter

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

install: $(VENV)/.installed compiled-messages

# Compiled catalogues are build output: Babel compiles them without GNU gettext.
compiled-messages: $(VENV)/.installed $(wildcard villagehub/locale/*/LC_MESSAGES/django.po)
	$(VENV)/bin/pybabel compile --domain django --directory villagehub/locale --statistics 2>&1 | grep -v "^compiling" || true
	# django-allauth ships European Portuguese as pt_PT; the hub's language code is pt.
	mkdir -p villagehub/accounts/locale/pt/LC_MESSAGES
	cp "$$($(PY) -c 'import allauth, pathlib; print(pathlib.Path(allauth.__file__).parent)')/locale/pt_PT/LC_MESSAGES/django.mo" villagehub/accounts/locale/pt/LC_MESSAGES/django.mo
	touch $@

# The worker sends the e-mail (into the outbox at /outbox/) while the server runs; links in
# e-mails and calendars point at the address served (HUB_URL, unless it is set).
demo: install
	$(VENV)/bin/villagehub demo
	export HUB_URL="$${HUB_URL:-http://$(HOST):$(PORT)}"; \
	$(VENV)/bin/villagehub worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/villagehub serve $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING
	# Types (configuration in pyproject.toml); the cache in .mypy_cache makes reruns quick.
	$(VENV)/bin/mypy

# Tests run in TEST_WORKERS processes (pytest-xdist), each with its own test database (SQLite:
# var/test.sqlite3_gw0, ...; PostgreSQL: test_<name>_gw0, ...); the browser tests are one
# group, run one after another by a single worker. TEST_WORKERS=0 runs them all in one process.
TEST_WORKERS ?= 2

test: lint
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup

# Regenerate the message catalogues after changing interface strings (needs GNU gettext).
# All strings go to villagehub/locale: makemessages would otherwise write an app's strings
# into any `<app>/locale/` it finds (accounts/locale holds allauth's Portuguese .mo).
messages: install
	cd villagehub && ../$(PY) ../manage.py makemessages --all --no-obsolete --no-location --ignore "tests/*" --ignore "*/locale"

clean:
	rm -rf $(VENV) compiled-messages .pytest_cache .ruff_cache

# Benchmarks (see docs/benchmarks.md); sizes and database by BENCH_* variables.
bench: install
	bash bench/run.sh
	bash bench/events.sh
	bash bench/ngsi.sh
	bash bench/matching.sh
	bash bench/newsletter.sh

bench-events: install
	bash bench/events.sh

bench-ngsi: install
	bash bench/ngsi.sh

bench-matching: install
	bash bench/matching.sh

bench-newsletter: install
	bash bench/newsletter.sh
