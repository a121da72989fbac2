# The two commands the README starts with: `make demo` and `make test`.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="--durations=40"` or `make test-fast PYTEST_ARGS="-k dedup"`.
PYTEST_ARGS ?=
# pytest-xdist workers (`make test PYTEST_WORKERS=0` runs in one process). Each worker is a process with
# its own JVM (and, for the Bolt tests, its own Bolt server): more workers than cores only adds JVMs.
PYTEST_WORKERS ?= 2
# Bytecode written even where the environment sets PYTHONDONTWRITEBYTECODE (this machine's does): otherwise every
# pytest process rewrites the asserts of every test module again, and every CLI child compiles the package again.
# Collecting the suite took 12.9 s of CPU a process without the cache, 6.1 s with it (a second run; __pycache__/
# is in .gitignore). A fresh clone gains from its second run on, and its CLI children from the workers' files.
PYTEST := PYTHONDONTWRITEBYTECODE= $(PYTHON) -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadgroup

.PHONY: install demo test test-all test-exhaustive test-fast lint bench

install:
	# torch first, from the local CPU build, so sentence-transformers does not pull a CUDA build.
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet -e ".[dev]"

demo: install
	$(PYTHON) -m personagraph demo

# Everything but the `exhaustive` rest of the kill-point matrix: every command and both stores are
# still killed and re-run (tests/e2e/test_kill_harness.py, DEFAULT); `make test-all` runs all 31 points
# (and the two Persona Hub sample tests over Bolt, import and dedup, whose embedded halves `make test` keeps).
test: install lint
	$(PYTEST) -m "not exhaustive" $(PYTEST_ARGS)

# The whole suite, the full kill-point matrix included: before a release, or when you touch a
# checkpoint, the store's write paths or crash recovery.
test-all: install lint
	$(PYTEST) $(PYTEST_ARGS)

# Only the exhaustive kill points (`make test` + this = `make test-all`; CI runs both, .ci/run).
test-exhaustive:
	$(PYTEST) -m exhaustive $(PYTEST_ARGS)

# The fast tier, while you work: unit and in-process tests on the embedded store. Leaves out the
# Bolt server (`bolt`), headless Chromium (`browser`), the CLI end to end (`e2e`, everything under
# tests/e2e), tests that start CLI or JVM child processes (`subprocess`), tests that load MiniLM in
# process (`minilm`: torch's imports; the static embedder's twins of them stay) and anything marked `slow`.
# No install, no lint: run `make test` before you commit.
test-fast:
	$(PYTEST) -m "not bolt and not browser and not e2e and not subprocess and not minilm and not slow" $(PYTEST_ARGS)

lint:
	$(PYTHON) -m ruff check personagraph tests benchmarks
	$(PYTHON) -m ruff format --check personagraph tests benchmarks
	# mypy, configured in pyproject.toml ([tool.mypy]: the package, default mode plus check_untyped_defs)
	$(PYTHON) -m mypy
	# import-linter's `lint-imports`, called through this Python (its script may not be on PATH)
	$(PYTHON) -c 'from importlinter.cli import lint_imports_command; lint_imports_command()'

bench:
	$(PYTHON) benchmarks/ingest.py
