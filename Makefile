# Wraparound: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: install demo demo-reset test lint typecheck test-sqlite test-postgres test-browser bench system-deps clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/wraparound demo

demo-reset: install
	rm -f var/wraparound.sqlite3 var/wraparound.sqlite3-wal var/wraparound.sqlite3-shm
	$(BIN)/wraparound demo --reset

# Debian packages the test run needs: Chromium (browser tests), PostgreSQL (the second database),
# GNU gettext (translations); and axe-core from the npm registry (accessibility checks).
system-deps:
	@bash scripts/system-deps.sh

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

test-sqlite: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser" -q

test-postgres: install
	$(BIN)/python -m wraparound.devtools.pgtemp -- $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser" -q

test-browser: install
	$(BIN)/pytest -m browser -q

test: install system-deps lint typecheck test-sqlite test-postgres test-browser

bench: install system-deps
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
