# The two commands a newcomer needs: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run index watch test lint bench samples clean

# torch's CPU build goes in first, so no dependency pulls the multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Index knowledge/ (only what changed) and serve the app on http://127.0.0.1:7860.
run: install
	$(BIN)/coach serve

index: install
	$(BIN)/coach index

## Keep the index in sync while HR edits knowledge/.
watch: install
	$(BIN)/coach index --watch

test: install lint
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python tests/benchmarks/bench_index.py
	$(BIN)/python tests/benchmarks/bench_answer.py
	$(BIN)/python tests/benchmarks/bench_app.py
	$(BIN)/python tests/benchmarks/bench_signin.py
	$(BIN)/python tests/benchmarks/bench_start.py
	$(BIN)/python tests/benchmarks/bench_replicas.py
	$(BIN)/python tests/benchmarks/bench_career.py

## Rebuild the PDF and DOCX in knowledge/ from scripts/office_sources/.
samples: install
	$(BIN)/python scripts/build_office_docs.py

clean:
	rm -rf $(VENV) .coach .pytest_cache .ruff_cache
