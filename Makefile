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

test: install
	$(PYTHON) -m ruff check personagraph tests benchmarks
	$(PYTHON) -m pytest -q -p no:cacheprovider

lint:
	$(PYTHON) -m ruff check personagraph tests benchmarks

bench:
	$(PYTHON) benchmarks/ingest.py
