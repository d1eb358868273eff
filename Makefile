# Everyday verbs. Each target creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench  # + the `bench` extra (ROUGE, sumy)
# Shared evaluation data beside the checkout; tests needing it skip when absent.
export STORYWIRE_DATA ?= $(abspath ../shared/data)

.PHONY: run serve test lint format bench bench-web clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

run: $(STAMP)  ## poll the default feeds, write stories, serve http://127.0.0.1:8000
	$(BIN)/storywire run

serve: $(STAMP)  ## serve the stored stories without polling
	$(BIN)/storywire serve

test: $(BENCH_STAMP)  ## the whole test suite (the benches' own tests too)
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff (lint and format check) and mypy
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy src

format: $(STAMP)  ## rewrite the code in ruff's format
	$(BIN)/ruff format src tests bench tools

bench: $(BENCH_STAMP)  ## benchmarks (need STORYWIRE_DATA); prints tables
	$(BIN)/python -m bench.import_speed
	$(BIN)/python -m bench.write_quality
	$(BIN)/python -m bench.extraction
	$(BIN)/python -m bench.near_dup
	$(BIN)/python -m bench.ingest_speed --pages 2000
	$(BIN)/python -m bench.cluster_quality
	$(BIN)/python -m bench.cluster_speed

bench-web: $(STAMP)  ## web load under wrk (first run imports the corpus into bench/out/)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.web_load

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
