"""Saving a benchmark's figures: JSON under benchmarks/results/, written whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def save_results(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` as indented JSON to ``path`` through a temporary file, then say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(path)
    print(f"saved {path}")
