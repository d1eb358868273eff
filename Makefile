# Everyday verbs. Each target creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Shared evaluation data beside the checkout; tests needing it skip when absent.
export STORYWIRE_DATA ?= $(abspath ../shared/data)

.PHONY: run serve test lint format bench bench-web clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## poll the default feeds, write stories, serve http://127.0.0.1:8000
	$(BIN)/storywire run

serve: $(STAMP)  ## serve the stored stories without polling
	$(BIN)/storywire serve

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff (lint and format check) and mypy
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy src

format: $(STAMP)  ## rewrite the code in ruff's format
	$(BIN)/ruff format src tests bench tools

bench: $(STAMP)  ## benchmarks (need STORYWIRE_DATA); prints tables
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/import_speed.py
	$(BIN)/python bench/write_quality.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/near_dup.py
	$(BIN)/python bench/ingest_speed.py --pages 2000
	$(BIN)/python bench/cluster_quality.py
	$(BIN)/python bench/cluster_speed.py

bench-web: $(STAMP)  ## web load under wrk (first run imports the corpus into bench/out/)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/web_load.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
