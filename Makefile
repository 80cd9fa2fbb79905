# The two jobs of the README, and the checks they run. Each target installs what it needs into .venv.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test lint bench clean docs

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

run: $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/ldpub build

test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m pytest

lint: $(BIN)/python
	$(BIN)/ruff check ldpub tests && $(BIN)/ruff format --check ldpub tests && $(BIN)/mypy

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache

docs: $(BIN)/python
	$(BIN)/python -c "from pathlib import Path; from ldpub.cli import write_reference; write_reference(Path('README.md'))"
