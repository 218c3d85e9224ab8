# care-commons: set-up, CI and developer targets.
#
#   make .venv     create .venv (if missing), install the project editable with dev extras,
#                  then fetch Solara's front-end assets and axe-core from the npm registry
#   make run       run the fortress-vs-shared experiment
#   make test      run the test suite: browser tests one at a time, the rest on every core
#                  (extra pytest arguments: make test PYTEST_ARGS="-k infra")
#   make bench     run the benchmarks
#   make app       serve the Solara app; HOST and PORT may be overridden:
#                  make app HOST=0.0.0.0 PORT=8800   (defaults: 127.0.0.1 and 8765)
#   make classroom serve the classroom (students play the commons game live; docs/classroom.md);
#                  for a class: make classroom HOST=0.0.0.0   (port CLASSROOM_PORT, default 8766)
#   make lint      ruff check + ruff format --check
#   make format    ruff format + ruff check --fix
#   make clean     remove .venv and caches
#
# All targets are non-interactive (safe with CI=true and no standard input).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_SYS ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

# Address the Solara app listens on (make app).
HOST ?= 127.0.0.1
PORT ?= 8765
# Port of the classroom (make classroom); HOST as above.
CLASSROOM_PORT ?= 8766

# Extra arguments for pytest (make test PYTEST_ARGS="-x -k infra").
PYTEST_ARGS ?=

export PIP_NO_INPUT := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export DEBIAN_FRONTEND := noninteractive

.PHONY: help venv run test bench app classroom lint format clean

help:
	@sed -n '2,16p' Makefile | sed 's/^# \{0,1\}//'

# `make .venv` is the documented entry point; the real work is tracked by a stamp file that
# depends on pyproject.toml and the asset script, so edits there trigger a re-install.
.venv: $(STAMP)
venv: $(STAMP)

$(STAMP): pyproject.toml scripts/setup_solara_assets.py scripts/setup_axe_core.py
	@if [ ! -x "$(PY)" ]; then \
		echo "Creating $(VENV) with $(PYTHON_SYS)"; \
		$(PYTHON_SYS) -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PIP) install -e '.[dev]'
	$(PY) scripts/setup_solara_assets.py
	$(PY) scripts/setup_axe_core.py
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/commons run experiments/fortress_vs_shared.toml --out results/fortress_vs_shared --restart-stale

test: $(STAMP)
	bash scripts/ensure_chromium.sh
	$(PY) scripts/setup_axe_core.py
	$(PY) scripts/warm_numba_cache.py </dev/null
	$(PY) scripts/run_suite.py $(PYTEST_ARGS) </dev/null

bench: $(STAMP)
	$(PY) bench/run_benchmarks.py

app: $(STAMP)
	$(VENV)/bin/solara run sim/app/app.py --host $(HOST) --port $(PORT) --production

classroom: $(STAMP)
	$(VENV)/bin/solara run sim/app/classroom_app.py --host $(HOST) --port $(CLASSROOM_PORT) --production

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
