# Emergency command and resource dispatch suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install proto proto-check lint typecheck test run demo bench clean chaos

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## Create the virtual environment and install the suite with its dev tools

proto: $(STAMP)  ## Regenerate Python code from proto/ into gen/
	$(PY) scripts/gen_proto.py

proto-check: proto  ## Fail if the committed generated code differs from a fresh generation
	@git diff --exit-code --stat -- gen/ && test -z "$$(git status --porcelain -- gen/)" || (echo "gen/ is stale: run 'make proto' and commit" && exit 1)

lint: $(STAMP)  ## ruff and mypy
	$(PY) -m ruff check services gateway tests bench scripts
	$(PY) -m mypy

test: $(STAMP)  ## Run the whole test suite (needs PostgreSQL on 127.0.0.1:5432 and redis-server installed)
	$(PY) -m pytest -q -n 2 --dist loadfile

run: $(STAMP) proto  ## Install, then start every service on its embedded defaults (Ctrl-C stops)
	$(PY) -m services.launcher

demo: $(STAMP)  ## A whole day against a running suite (make run): two incidents reported to closed, a false alarm cancelled; one JSON line
	$(VENV)/bin/emergency demo

bench: $(STAMP)  ## Benchmarks (separate from tests); results in bench/results/
	@for module in $$(ls bench/*.py | xargs -n1 basename | sed 's/\.py$$//' | grep -v '^__'); do \
		echo "== bench.$$module"; $(PY) -m bench.$$module || exit 1; done

clean:  ## Remove the virtual environment and local data
	rm -rf $(VENV) data

chaos: $(STAMP)  ## Kill every service and Redis under operator load on SQLite and PostgreSQL (about 2 min each), audit; bench/results/chaos.json
	$(PY) -m bench.chaos $(CHAOS_ARGS)
