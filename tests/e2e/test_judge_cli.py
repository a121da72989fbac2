"""`personagraph judge` and the verified-math export: the CLI in process (tests/cli_in_process.py),
the real test server (taught math and judging) and the embedded store. Nothing here is about the
process boundary, and seven CLI processes cost seven JVM starts and package imports."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli_in_process import run_cli
from tests.conftest import ROOT, cli_env
from tests.dedup_support import settings_with_cache
from tests.llm_fixtures import TEST_API_KEY, teach_judging, teach_math
from tests.llm_server import LLMTestServer


def run(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli(["--store", str(tmp_path / "store"), *args], env=env, cwd=tmp_path)


def test_judge_filter_and_export_a_dataset_folder(tmp_path: Path, llm_server: LLMTestServer) -> None:
    import datasets

    teach_math(llm_server)
    teach_judging(llm_server)
    env = cli_env(
        PERSONAGRAPH_CACHE_DIR=str(tmp_path / "cache"),
        PERSONAGRAPH_JVM_HEAP="1g",
        OPENAI_BASE_URL=llm_server.base_url,
        OPENAI_API_KEY=TEST_API_KEY,
        PERSONAGRAPH_MODEL="test-model",
        CI="1",
    )
    settings_with_cache(tmp_path / "cache")  # the shared distilled static model for synth's diversity report
    world = ROOT / "examples" / "world"
    imported = run(tmp_path, "import", str(world / "personas.jsonl"), str(world / "relations.jsonl"), env=env)
    assert imported.returncode == 0, imported.stderr
    synth = run(
        tmp_path,
        "synth",
        "--task",
        "math",
        "-n",
        "9",
        "--solutions",
        "2",
        "--strategy",
        "random",
        "--embedder",  # judging is the point; MiniLM cost torch's imports (~13-18 s of CPU)
        "static",
        "--format",
        "json",
        env=env,
    )
    assert synth.returncode == 0, synth.stderr
    made = json.loads(synth.stdout)
    assert made["samples"] == 9 and llm_server.count == 27  # a problem and two solutions each

    dry = run(tmp_path, "judge", "samples", "--dry-run", env=env)
    assert dry.returncode == 0 and "9 requests" in dry.stdout and "judge_sample@" in dry.stdout
    assert llm_server.count == 27  # a dry run calls nothing
    judged = run(tmp_path, "judge", "samples", "--repeat", "--format", "json", env=env)
    assert judged.returncode == 0, judged.stderr
    report = json.loads(judged.stdout)
    assert report["judged"] == 9 and report["usage"]["calls"] == 18
    assert report["agreement"]["checks"]["math_verified"] == {
        "criterion": "answer_correct",
        "items": 9,
        "agree": 9,
        "check_failed": made["flagged"],
        "rate": 1.0,
    }
    assert report["agreement"]["repeat"]["quality_exact"] == 1.0
    table = run(tmp_path, "judge", "samples", "--redo", env=env)  # all cached now: the table form
    assert table.returncode == 0 and "agreement with math_verified: 9 of 9 (100%)" in table.stdout
    assert "LLM: 0 calls, 9 cached" in table.stdout

    folder = tmp_path / "dataset"
    exported = run(tmp_path, "export", "samples", str(folder), env=env)
    assert exported.returncode == 0, exported.stderr
    assert f"wrote {9 - made['flagged']} samples" in exported.stdout and "dataset card" in exported.stdout
    assert (
        datasets.load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "hf")).num_rows
        == 9 - made["flagged"]
    )
    refused = run(tmp_path, "export", "samples", str(tmp_path / "x.jsonl"), "--where", "hop = 1", env=env)
    assert (
        refused.returncode == 2 and refused.stderr.startswith("error: --where") and not (tmp_path / "x.jsonl").exists()
    )
