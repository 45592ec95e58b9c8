# gainshare: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: demo test lint typecheck unit bench docs screenshots clean

# NHS.UK frontend, htmx and axe-core for the web pages, at the versions package-lock.json pins.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "npm not found: installing the locked packages from the npm registry with Python"; \
	$(PYTHON) scripts/install_frontend.py; fi
	touch $(NODE_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP) $(NODE_STAMP)
	$(BIN)/gainshare demo run

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -m "not slow"

bench: $(STAMP)
	$(BIN)/python bench/settlement.py
	$(BIN)/python bench/simulation.py
	$(BIN)/python bench/hubs.py
	$(BIN)/python bench/pipeline.py --rows 2000000

screenshots: $(STAMP) $(NODE_STAMP)
	$(BIN)/python scripts/screenshots.py
	$(BIN)/python scripts/shrink_screenshots.py

docs: $(STAMP)
	$(BIN)/python -m gainshare.reports.schema_docs > docs/agreement-reference.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
