# Two commands do everything: `make run` (build the graph, serve the API) and
# `make test` (every test). Both set up .venv and system packages when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test build serve system-deps run-deps lint format clean bench check-structure
NODE_STAMP := node_modules/.installed-stamp
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

# Debian packages, installed once when missing (one apt-get for all of them):
#   java      owlready2's HermiT reasoner (the ontology consistency test)
#   chromium  the browser the end-to-end tests drive with playwright-core
#   virtuoso  the external SPARQL engine the remote-backend tests run against
#   npm       the browser assets (swagger-ui, leaflet) and playwright-core
define need_pkgs
missing=""; \
for pair in $(1); do cmd=$${pair%%:*}; pkg=$${pair#*:}; \
  command -v $$cmd >/dev/null || missing="$$missing $${pkg//+/ }"; done; \
if [ -n "$$missing" ]; then apt-get update -q && $(APT_INSTALL) $$missing; fi
endef

system-deps:
	@$(call need_pkgs,java:default-jre-headless chromium:chromium virtuoso-t:virtuoso-opensource npm:nodejs+npm)

run-deps:
	@$(call need_pkgs,npm:nodejs+npm)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $(NODE_STAMP)

run: $(STAMP) run-deps
	@$(MAKE) --no-print-directory $(NODE_STAMP)
	$(BIN)/kg build
	$(BIN)/kg serve

test: $(STAMP) system-deps
	@$(MAKE) --no-print-directory $(NODE_STAMP)
	$(BIN)/python tools/check_structure.py
	$(BIN)/pytest

# The three rules of docs/architecture.md: module and function sizes, no import cycle, no
# upward import, dependencies declared as used (also the first step of `make test`).
check-structure: $(STAMP)
	$(BIN)/python tools/check_structure.py --list

# Benchmarks (issue #9; figures go to BENCHMARKS.md): the bench extra (oxigraph server,
# rdflib-endpoint) and Virtuoso; datasets are made once in var/bench.
bench: $(STAMP) system-deps
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	@mkdir -p var/bench
	set -o pipefail; $(BIN)/python -m bench.run_all --workdir var/bench | tee var/bench/results.md

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var node_modules
