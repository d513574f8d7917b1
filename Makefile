# The two commands a newcomer needs: `make run` and `make test`. Both set everything up first,
# installing exactly what uv.lock names (see "Installing: the lock file" in README).
PYTHON ?= python3
VENV ?= .venv
LOCK_DIR ?= .
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed
# The lock's own uv, installed first with pip: one pin for the tool and the lock it reads.
UV_PIN = $(shell awk '/^name = "uv"$$/ { getline; gsub(/"/, "", $$3); print "uv==" $$3; exit }' $(LOCK_DIR)/uv.lock)
LATEST := .venv-latest

.PHONY: install run index watch test lint bench samples lock upgrade test-latest clean

# Exactly the lock, nothing more or less (sync removes what it does not name); then coach itself,
# built with the lock's setuptools, so nothing unlocked is fetched to build it.
$(STAMP): $(LOCK_DIR)/uv.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(UV_PIN)
	UV_PROJECT_ENVIRONMENT=$(abspath $(VENV)) $(UV) sync --project $(LOCK_DIR) --locked \
		--extra dev --no-install-project --quiet
	$(UV) pip install --python $(BIN)/python --no-deps --no-build-isolation --quiet -e .
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

## After editing pyproject.toml: lock what it now asks for, keeping every other pin.
lock: install
	$(UV) lock

## The newest allowed versions in a separate venv ($(LATEST)), with ruff and the whole suite.
test-latest: install
	mkdir -p $(LATEST)/project
	cp pyproject.toml uv.lock $(LATEST)/project/
	$(UV) lock --upgrade --project $(LATEST)/project
	$(MAKE) test VENV=$(LATEST) LOCK_DIR=$(LATEST)/project

## Refresh the lock to the newest versions, only once they have passed make test-latest.
upgrade: test-latest
	cp $(LATEST)/project/uv.lock uv.lock

bench: install
	$(BIN)/python tests/benchmarks/bench_index.py
	$(BIN)/python tests/benchmarks/bench_answer.py
	$(BIN)/python tests/benchmarks/bench_embed.py
	$(BIN)/python tests/benchmarks/bench_app.py
	$(BIN)/python tests/benchmarks/bench_signin.py
	$(BIN)/python tests/benchmarks/bench_start.py
	$(BIN)/python tests/benchmarks/bench_replicas.py
	$(BIN)/python tests/benchmarks/bench_career.py
	$(BIN)/python tests/benchmarks/bench_install.py

## Rebuild the PDF and DOCX in knowledge/ from scripts/office_sources/.
samples: install
	$(BIN)/python scripts/build_office_docs.py

clean:
	rm -rf $(VENV) $(LATEST) .coach .pytest_cache .ruff_cache
