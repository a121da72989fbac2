"""`personagraph embed` and `personagraph dedup` end to end (in process) on an embedded store."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli_in_process import run_cli
from tests.conftest import cli_env
from tests.dedup_support import settings_with_cache
from tests.integration.test_dedup import edit, long_texts, short_texts


def _cli(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(PERSONAGRAPH_CACHE_DIR=str(cache), PERSONAGRAPH_JVM_HEAP="1g")
    return run_cli(args, env=env)


def test_embed_then_dedup_dry_run_then_merge(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    settings_with_cache(cache)  # shares the machine's distilled static model
    store = str(tmp_path / "store")
    longs, shorts = long_texts(20), short_texts(2)
    people = tmp_path / "people.jsonl"
    texts = [*longs, *shorts, edit(longs[0], "swap"), edit(shorts[0], "word")]
    people.write_text("".join(json.dumps({"persona": t}) + "\n" for t in texts))
    assert _cli(cache, "--store", store, "import", str(people)).returncode == 0

    embedded = _cli(cache, "--store", store, "embed", "--embedder", "static")
    assert embedded.returncode == 0, embedded.stderr
    assert "24 personas have static embeddings" in embedded.stdout
    assert (tmp_path / "store" / "embeddings" / "personas" / "static" / "meta.json").is_file()
    again = _cli(cache, "--store", store, "embed", "--embedder", "static", "--format", "json")
    assert again.returncode == 0, again.stderr
    figures = json.loads(again.stdout)
    assert (figures["embedder"], figures["personas"]) == ("static", 24) and figures["dimensions"] > 0

    started = time.perf_counter()
    dry = _cli(cache, "--store", store, "dedup", "--dry-run", "--embedder", "static", "--format", "json")
    elapsed = time.perf_counter() - started
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert report["dry_run"] and report["duplicates"] == 2 and report["personas_before"] == 24
    steps = report["seconds_by_step"]  # where the time went, step by step
    assert {"load personas", "minhash + lsh + verify", "similarity search"} <= set(steps)
    assert all(v >= 0 for v in steps.values()) and report["seconds"] == pytest.approx(sum(steps.values()), abs=0.05)
    assert report["seconds"] <= elapsed  # each step timed once (no step's clock started before another's)
    rows = report["members"]
    assert sorted(r["action"] for r in rows) == ["keep", "keep", "merge", "merge"]
    assert {r["stage"] for r in rows} == {"minhash", "embedding"}

    merged = _cli(cache, "--store", store, "dedup", "--embedder", "static")
    assert merged.returncode == 0, merged.stderr
    assert "personas merged" in merged.stdout and "DedupRun" in merged.stdout
    count = _cli(cache, "--store", store, "query", "MATCH (p:Persona) RETURN count(p) AS n", "--format", "json")
    assert json.loads(count.stdout) == [{"n": 22}]

    bad = _cli(cache, "--store", store, "dedup", "--stage", "nope")
    assert bad.returncode == 2 and "nope" in bad.stderr
