# Emergency command and resource dispatch suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install proto proto-check lint format hooks typecheck test run run-replicas demo bench clean console console-deps chaos

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## Create the virtual environment and install the suite with its dev tools

proto: $(STAMP) console-deps  ## Regenerate Python code from proto/ into gen/ (and the console's TypeScript types)
	$(PY) scripts/gen_proto.py
	$(PY) scripts/gen_proto_ts.py

proto-check: proto  ## Fail if the committed generated code differs from a fresh generation
	@git diff --exit-code --stat -- gen/ console/web/src/gen/ && test -z "$$(git status --porcelain -- gen/ console/web/src/gen/)" || (echo "gen/ is stale: run 'make proto' and commit" && exit 1)

PY_DIRS := services gateway console fixtures tests bench scripts migrations

lint: $(STAMP)  ## ruff check, the format check and strict mypy
	$(PY) -m ruff check $(PY_DIRS)
	$(PY) -m ruff format --check $(PY_DIRS)
	$(PY) -m mypy

format: $(STAMP)  ## Format the Python code (ruff format) and fix what ruff can
	$(PY) -m ruff check --fix $(PY_DIRS)
	$(PY) -m ruff format $(PY_DIRS)

hooks: $(STAMP)  ## Run the pre-commit hooks over every file (install them with .venv/bin/pre-commit install)
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

test: $(STAMP) console  ## Run the whole test suite (needs PostgreSQL on 127.0.0.1:5432 and redis-server installed)
	$(PY) -m pytest -q -n 2 --dist loadfile

run: $(STAMP) proto console  ## Install, then start every service on its embedded defaults (Ctrl-C stops)
	$(PY) -m services.launcher

REPLICAS_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/emergency
run-replicas: $(STAMP) proto console  ## The replica layout: every service on PostgreSQL, two gateway and two dispatch processes (Ctrl-C stops)
	DATABASE_URL=$(REPLICAS_DATABASE_URL) GATEWAY_REPLICAS=2 DISPATCH_REPLICAS=2 $(PY) -m services.launcher --data-dir data-replicas

demo: $(STAMP)  ## A whole day against a running suite (make run): two incidents reported to closed, a false alarm cancelled; one JSON line
	$(VENV)/bin/emergency demo

bench: $(STAMP)  ## Benchmarks (separate from tests); results in bench/results/
	@for module in $$(ls bench/*.py | xargs -n1 basename | sed 's/\.py$$//' | grep -v '^__'); do \
		echo "== bench.$$module"; $(PY) -m bench.$$module || exit 1; done

clean:  ## Remove the virtual environment and local data
	rm -rf $(VENV) data

# The web console: Node packages from the committed lockfile, and a build whenever its sources change.
WEB := console/web
WEB_SOURCES := $(shell find $(WEB)/src -type f 2>/dev/null) $(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json $(WEB)/package-lock.json

$(WEB)/node_modules/.installed: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

console-deps: $(WEB)/node_modules/.installed  ## Install the console's Node packages (npm ci)

$(WEB)/dist/index.html: $(WEB)/node_modules/.installed $(WEB_SOURCES)
	cd $(WEB) && npm run build

console: $(WEB)/dist/index.html  ## Build the web console when its sources changed

console-map: $(STAMP)  ## Regenerate the console's bundled map and scenario list from the demo data definitions
	$(PY) scripts/gen_console_map.py

chaos: $(STAMP)  ## Kill every service and Redis under operator load on SQLite and PostgreSQL (about 2 min each), audit; bench/results/chaos.json
	$(PY) -m bench.chaos $(CHAOS_ARGS)
