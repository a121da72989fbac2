"""Saving a benchmark's figures: JSON under benchmarks/results/, written whole or not at all.

Every file is stamped with what the figures depend on: the git commit (and whether the tree had
uncommitted changes), the versions of the package and the libraries doing the work, the CPU count
and the load average when the run ended (the machine may be shared). Paths are written relative
to the repository, so no file names the machine it ran on.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
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
