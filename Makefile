# The two commands the README starts with: `make demo` and `make test`.
PYTHON ?= python3
PIP := $(PYTHON) -m pip

.PHONY: install demo test lint bench

install:
	# torch first, from the local CPU build, so sentence-transformers does not pull a CUDA build.
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet -e ".[dev]"

demo: install
	$(PYTHON) -m personagraph demo

test: install lint
	$(PYTHON) -m pytest -q -p no:cacheprovider

lint:
	$(PYTHON) -m ruff check personagraph tests benchmarks
	$(PYTHON) -m ruff format --check personagraph tests benchmarks
	# import-linter's `lint-imports`, called through this Python (its script may not be on PATH)
	$(PYTHON) -c 'from importlinter.cli import lint_imports_command; lint_imports_command()'

bench:
	$(PYTHON) benchmarks/ingest.py
