# The two commands the README starts with, and the benchmark.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench torture crash fuzz install install-dev browser

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/pip
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/pip
	$(BIN)/pip install --quiet -e '.[dev]'

# Browser tests drive Debian's Chromium (Playwright's own download cannot be used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: install
	$(BIN)/tack serve

# Whole suite on SQLite, then again on PostgreSQL when TACK_TEST_DATABASE_URL is set.
test: install-dev browser
	env -u TACK_TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$TACK_TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$TACK_TEST_DATABASE_URL)"; \
	  $(BIN)/pytest; fi

bench: install-dev
	$(BIN)/python -m bench

# Long forms of what the suite runs briefly. Add DATABASE=postgresql://... for PostgreSQL.
torture: install-dev
	$(BIN)/python -m harness.torture --processes 4 --threads 16 --cards 1000 $(if $(DATABASE),--database-url $(DATABASE))

crash: install-dev
	$(BIN)/python -m harness.crash --seconds 3 $(if $(DATABASE),--database-url $(DATABASE))

fuzz: install-dev
	TACK_FUZZ_EXAMPLES=200 $(BIN)/pytest tests/test_fuzz.py
