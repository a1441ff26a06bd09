# Two commands do everything on a fresh machine:  make run   and   make test
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the project's packages, byte-compiled at install and before a run: with
# PYTHONDONTWRITEBYTECODE set (common in CI/containers) every command would otherwise
# compile them again (~0.2 s of each CLI start; Python checks each .pyc against its source)
PKGS := cbec measures transforms warehouse expectations flows tasks
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_HOME := $(CURDIR)/var/prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120
export GX_ANALYTICS_ENABLED := false

.PHONY: install run test test-processes test-all lint typecheck bench report clean chromium

$(STAMP): pyproject.toml setup.py $(wildcard measures/coevolution/_native/*)
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@$(BIN)/python -m compileall -q $(PKGS) > /dev/null
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## refresh the warehouse from the embedded data
	@$(BIN)/python -m compileall -q $(PKGS) > /dev/null
	$(BIN)/cbec run

test: $(STAMP)  ## fast test suite (slow scale tests are in bench/)
	@$(BIN)/python -m compileall -q $(PKGS) > /dev/null
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-processes: $(STAMP)  ## the process tests (kill points, concurrency, fresh clone, server, Dask)
	@$(BIN)/python -m compileall -q $(PKGS) > /dev/null
	$(BIN)/python -m pytest -q -p no:cacheprovider -m process

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m "slow or not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tests/architecture.py
	$(MAKE) --no-print-directory typecheck

# the type checker on the base layer, the notebook API, measures, transforms, tasks and flows
TYPECHECKED := cbec/errors.py cbec/paths.py cbec/settings.py cbec/tabular.py cbec/frame.py cbec/output cbec/params cbec/api.py measures transforms tasks flows
typecheck: $(STAMP)  ## mypy (make lint runs it)
	$(BIN)/mypy $(TYPECHECKED)

bench: $(STAMP)
	$(BIN)/python -m bench.dea
	$(BIN)/python -m bench.malmquist
	$(BIN)/python -m bench.structure

chromium:  ## Debian's chromium for the report's browser test (root; skipped when installed)
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

report: $(STAMP)
	$(BIN)/cbec report --out var/report.html

clean:
	rm -rf var/cbec.duckdb var/prefect .pytest_cache
