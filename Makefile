# Two commands do everything: `make run` (build the graph, serve the API) and
# `make test` (every test). Both set up .venv and system packages when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test build serve system-deps lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

# Java runs owlready2's HermiT reasoner (the ontology consistency test).
system-deps:
	@command -v java >/dev/null || { \
	  apt-get update -q && apt-get install -y -q --no-install-recommends default-jre-headless; }

run: $(STAMP)
	$(BIN)/kg build
	$(BIN)/kg serve

test: $(STAMP) system-deps
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
