"""The README's first command runs `personagraph demo`: it must build and explore the world. The
build runs in process (tests/cli_in_process.py); the refusal runs in a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_in_process import run_cli
from tests.conftest import ROOT, cli_env


def _lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.mark.minilm  # the demo's embedder, in this process
def test_demo_builds_the_example_world(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run_cli(["demo", "--out", str(out)], env=cli_env(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    personas = _lines(ROOT / "examples" / "world" / "personas.jsonl")
    relations = _lines(ROOT / "examples" / "world" / "relations.jsonl")
    assert personas >= 150 and relations >= 300
    assert f"{personas} new personas" in result.stdout
    assert f"{relations} relations" in result.stdout
    assert (
        "skipped" in result.stdout.lower() or "OPENAI_BASE_URL" in result.stdout
    )  # LLM stages say why they did not run
    stats = run_cli(["--store", str(out / "store"), "stats", "--format", "json"], env=cli_env())
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert figures["labels"]["Persona"] >= personas
    assert sum(figures["relations"].values()) >= relations
    # Running it again re-creates the demo folder instead of failing or doubling the graph.
    again = run_cli(["demo", "--out", str(out)], env=cli_env(), cwd=tmp_path)
    assert again.returncode == 0 and f"{personas} new personas" in again.stdout


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    result = subprocess.run(
        [sys.executable, "-m", "personagraph", "demo", "--out", str(tmp_path)],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2 and "was not made by the demo" in result.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me"
