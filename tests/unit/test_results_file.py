"""Benchmark results: stamped with the commit and versions, and no absolute path in any saved file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.results_file import REPO, save_results


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_saved_results_are_stamped_and_hold_no_absolute_path(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    save_results(out, {"config": {"out": str(REPO / "benchmarks" / "results" / "x.json"), "store": tmp_path / "s"}})
    saved = json.loads(out.read_text())
    assert saved["config"] == {"out": "benchmarks/results/x.json", "store": "s"}
    env = saved["environment"]
    assert len(env["commit"]) == 40 and env["packages"]["numpy"] and env["packages"]["arcadedb-embedded"]
    assert env["cpus"] >= 1 and len(env["load_average"]) == 3
    assert not any(s.startswith("/") for s in _strings(saved))


def test_committed_results_hold_no_absolute_path() -> None:
    for path in sorted((REPO / "benchmarks" / "results").glob("*.json")):
        absolute = [s for s in _strings(json.loads(path.read_text())) if s.startswith(("/", "~"))]
        assert absolute == [], f"{path.name}: {absolute[:3]}"
