"""The sampling and synthesis commands through a real subprocess, on the example world, with the
OpenAI-compatible test server and MiniLM embeddings (from the installed model package)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, cli_env
from tests.llm_fixtures import TEST_API_KEY
from tests.llm_server import LLMTestServer


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "personagraph", "--store", str(tmp_path / "store"), *args],
        env=env or cli_env(PERSONAGRAPH_CACHE_DIR=str(tmp_path / "cache"), PERSONAGRAPH_JVM_HEAP="1g"),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )


def test_cluster_sample_synth_report_lineage_export(tmp_path: Path, llm_server: LLMTestServer) -> None:
    world = ROOT / "examples" / "world"
    done = run(tmp_path, "import", str(world / "personas.jsonl"), str(world / "relations.jsonl"))
    assert done.returncode == 0, done.stderr

    clustered = run(tmp_path, "cluster", "--clusters", "6", "--seed", "1", "--format", "json")
    assert clustered.returncode == 0, clustered.stderr
    strata = json.loads(clustered.stdout)
    assert strata["k"] == 6 and len(strata["clusters"]) == 6 and all(c["label"] for c in strata["clusters"])

    sampled = run(tmp_path, "sample", "-n", "12", "--strategy", "kcenter", "--format", "json")
    assert sampled.returncode == 0, sampled.stderr
    batch = json.loads(sampled.stdout)
    assert batch["recorded"] and batch["coverage"]["clusters"]["covered"] == batch["coverage"]["clusters"]["total"] == 6
    assert batch["coverage"]["radius"]["max"] <= batch["coverage"]["radius_random"]["max"] + 0.2

    refused = run(tmp_path, "sample", "-n", "3", "--match", "(p) WITH p MATCH (n) DETACH DELETE n")
    assert refused.returncode == 2 and refused.stderr.startswith("error: --match") and "Traceback" not in refused.stderr

    env = cli_env(
        PERSONAGRAPH_CACHE_DIR=str(tmp_path / "cache"),
        PERSONAGRAPH_JVM_HEAP="1g",
        OPENAI_BASE_URL=llm_server.base_url,
        OPENAI_API_KEY=TEST_API_KEY,
        PERSONAGRAPH_MODEL="test-model",
    )
    synth = run(
        tmp_path, "synth", "--task", "math", "--difficulty", "easy", "-n", "5", "--where", "hop = 0", "--json", env=env
    )
    assert synth.returncode == 0, synth.stderr
    report = json.loads(synth.stdout)
    assert report["samples"] == 5 and report["diversity"]["samples"] == 5 and report["model"] == "test-model"
    assert TEST_API_KEY not in synth.stdout + synth.stderr

    shown = run(tmp_path, "report", report["batch"])
    assert shown.returncode == 0, shown.stderr
    assert "covering radius" in shown.stdout and "Vendi score" in shown.stdout and "persona similarity" in shown.stdout
    labels = [c["label"] for c in strata["clusters"]]
    assert "clusters in the batch" in shown.stdout and any(label.split(" · ")[0] in shown.stdout for label in labels)
    as_json = json.loads(run(tmp_path, "report", report["batch"], "--format", "json").stdout)
    assert as_json["batch"] == report["batch"] and as_json["diversity"]["samples"] == 5
    (flat,) = list(csv.DictReader(io.StringIO(run(tmp_path, "report", report["batch"], "--format", "csv").stdout)))
    assert flat["batch"] == report["batch"] and flat["diversity.samples"] == "5" and flat["task"] == "math"
    ledger = [json.loads(line) for line in run(tmp_path, "batches", "--format", "jsonl").stdout.splitlines()]
    assert report["batch"] in {row["id"] for row in ledger}

    out = tmp_path / "samples.parquet"
    exported = run(tmp_path, "export", "samples", str(out), "--batch", report["batch"])
    assert exported.returncode == 0 and "wrote 5 samples" in exported.stdout
    import datasets

    rows = datasets.load_dataset("parquet", data_files=str(out), split="train")
    assert rows.num_rows == 5 and all(len(r["persona_ids"]) == 1 and r["persona"] for r in rows)

    traced = run(tmp_path, "lineage", rows[0]["id"], "--json")
    assert traced.returncode == 0, traced.stderr
    tree = json.loads(traced.stdout)
    assert tree["personas"][0]["id"] == rows[0]["persona_ids"][0] and tree["batch"] == report["batch"]
