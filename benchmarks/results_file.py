"""Saving a benchmark's figures: JSON under benchmarks/results/, written whole or not at all.

Also the frame every benchmark script shares: its common arguments (``bench_parser``), the head of
its results with the machine and the load at the start (``start_results``), a work folder that is
removed at the end (``work_folder``), and the save with the load at the end (``finish_results``).

Every file is stamped with what the figures depend on: the git commit (and whether the tree had
uncommitted changes), the versions of the package and the libraries doing the work, the CPU count
and the load average when the run ended (the machine may be shared). Paths are written relative
to the repository, so no file names the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PACKAGES = (
    "personagraph",
    "arcadedb-embedded",
    "neo4j",
    "numpy",
    "scipy",
    "faiss-cpu",
    "datasketch",
    "scikit-learn",
    "sentence-transformers",
    "model2vec",
    "torch",
    "openai",
    "pyarrow",
)


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def environment() -> dict[str, Any]:
    """Commit, library versions and machine figures to save beside the results."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": _git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(status) if status is not None else None,
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "platform": sys.platform,
    }


def relative_paths(value: Any) -> Any:
    """``value`` with every absolute path inside the repository made relative to it, and others
    outside it reduced to their file name (a temp folder or a home directory says nothing useful)."""
    if isinstance(value, dict):
        return {k: relative_paths(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [relative_paths(v) for v in value]
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str) and value.startswith("/") and "\n" not in value:
        path = Path(value)
        return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name
    return value


def save_results(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` stamped with ``environment()`` as indented JSON to ``path`` through a
    temporary file, then say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = {**relative_paths(payload), "environment": environment()}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(stamped, indent=2) + "\n")
    tmp.replace(path)
    print(f"saved {relative_paths(path.resolve())}")


def bench_parser(
    name: str, description: str, scale_help: str, jvm_heap: str, jvm_heap_help: str
) -> argparse.ArgumentParser:
    """The arguments every benchmark takes: --scale, --seed, --out (benchmarks/results/NAME.json), --jvm-heap."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", type=float, default=1.0, help=scale_help)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / f"{name}.json")
    parser.add_argument("--jvm-heap", default=jvm_heap, help=jvm_heap_help)
    return parser


def process_cpu() -> float:
    """CPU seconds (user + system) of this process so far, its threads included (the JVM's, for an
    embedded store): read before and after a variant, the difference is its CPU."""
    times = os.times()
    return times.user + times.system


def pid_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid``, its threads included (Linux /proc);
    0.0 once the process is gone or where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def start_results(name: str, args: argparse.Namespace, work: Path, **extra: Any) -> dict[str, Any]:
    """The head of a benchmark's results (name, scale, seed, the machine and its load now); says it on stdout."""
    print(f"work folder {work}; load average at start {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    return {
        "benchmark": name,
        "scale": args.scale,
        "seed": args.seed,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_at_start": _load(),
            "jvm_heap": args.jvm_heap,
            "note": "load averages at start and end say how busy the shared 2-core machine was",
        },
        **extra,
    }


@contextmanager
def work_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder for a benchmark's stores and files, removed however the run ends."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def finish_results(path: Path, results: dict[str, Any]) -> None:
    """Note the load at the end beside the one at the start, and save the results (``save_results``)."""
    results["machine"]["loadavg_at_end"] = _load()
    print()
    save_results(path, results)
