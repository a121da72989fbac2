"""The sampling and synthesis commands end to end, on the example world, with the OpenAI-compatible
test server and MiniLM embeddings (from the installed model package). The commands run in process
(tests/cli_in_process.py); the kill test's synth is a real process, killed with SIGKILL."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from personagraph.config import Settings
from personagraph.store import open_store
from tests.cli_in_process import run_cli
from tests.conftest import ROOT, cli_env
from tests.dedup_support import settings_with_cache
from tests.llm_fixtures import TEST_API_KEY, teach_math
from tests.llm_server import LLMTestServer


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(
        ["--store", str(tmp_path / "store"), *args],
        env=env or cli_env(PERSONAGRAPH_CACHE_DIR=str(tmp_path / "cache"), PERSONAGRAPH_JVM_HEAP="1g"),
        cwd=tmp_path,
    )


@pytest.mark.minilm  # the default embedder end to end, in this process
def test_cluster_sample_synth_report_lineage_export(tmp_path: Path, llm_server: LLMTestServer) -> None:
    world = ROOT / "examples" / "world"
    done = run(tmp_path, "import", str(world / "personas.jsonl"), str(world / "relations.jsonl"))
    assert done.returncode == 0, done.stderr

    clustered = run(tmp_path, "cluster", "--clusters", "6", "--seed", "1", "--format", "json")
    assert clustered.returncode == 0, clustered.stderr
    strata = json.loads(clustered.stdout)
    assert strata["k"] == 6 and len(strata["clusters"]) == 6 and all(c["label"] for c in strata["clusters"])
    assert list(strata["seconds_by_step"]) == [
        "read personas",
        "embeddings",
        "k-means training",
        "assignment",
        "communities",
        "write strata",
    ]

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
    teach_math(llm_server)  # math is solved in a second call by default: a solver that can check it
    synth = run(
        tmp_path,
        "synth",
        "--task",
        "math",
        "--difficulty",
        "easy",
        "-n",
        "5",
        "--where",
        "hop = 0",
        "--format",
        "json",
        env=env,
    )
    assert synth.returncode == 0, synth.stderr
    report = json.loads(synth.stdout)
    assert report["samples"] == 5 and report["diversity"]["samples"] == 5 and report["model"] == "test-model"
    assert llm_server.count >= 10 and report["flagged"] == len(report["flagged_samples"])  # a solver call each
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
    exported = run(tmp_path, "export", "samples", str(out), "--batch", report["batch"], "--include-flagged")
    assert exported.returncode == 0 and "wrote 5 samples" in exported.stdout
    import datasets

    rows = datasets.load_dataset("parquet", data_files=str(out), split="train")
    assert rows.num_rows == 5 and all(len(r["persona_ids"]) == 1 and r["persona"] for r in rows)

    traced = run(tmp_path, "lineage", rows[0]["id"], "--format", "json")
    assert traced.returncode == 0, traced.stderr
    tree = json.loads(traced.stdout)
    assert tree["personas"][0]["id"] == rows[0]["persona_ids"][0] and tree["batch"] == report["batch"]


@pytest.mark.slow
def test_synth_killed_mid_batch_resumes_the_same_batch(tmp_path: Path, llm_server: LLMTestServer) -> None:
    world = ROOT / "examples" / "world"
    assert run(tmp_path, "import", str(world / "personas.jsonl"), str(world / "relations.jsonl")).returncode == 0
    env = cli_env(
        PERSONAGRAPH_CACHE_DIR=str(tmp_path / "cache"),
        PERSONAGRAPH_JVM_HEAP="1g",
        OPENAI_BASE_URL=llm_server.base_url,
        OPENAI_API_KEY=TEST_API_KEY,
        PERSONAGRAPH_MODEL="test-model",
        CI="1",
    )
    settings_with_cache(tmp_path / "cache")  # the shared distilled static model
    # The static embedder: resuming is the point; MiniLM cost each run torch's imports (~13-18 s of CPU).
    args = ["synth", "--task", "logic", "-n", "30", "--strategy", "random", "--seed", "3", "--concurrency", "2"]
    args += ["--embedder", "static"]
    llm_server.brain.latency = 0.3  # 30 samples, two at a time: the kill lands mid-batch
    command = [sys.executable, "-m", "personagraph", "--store", str(tmp_path / "store"), *args]
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while llm_server.count < 12 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = [json.dumps(b["messages"]) for b in llm_server.brain.bodies()]
    folder = str(tmp_path / "store")
    with open_store(folder, Settings(store=folder)) as store:
        (batch,) = store.cypher("MATCH (b:Batch) RETURN b.id AS id, b.status AS status")
        written = store.cypher("MATCH (s:Sample) RETURN count(s) AS n")[0]["n"]
    assert batch["status"] == "running" and 0 < written < 30  # samples were written as they arrived

    again = run(tmp_path, *args, "--format", "json", env=env)
    assert again.returncode == 0, again.stderr
    assert f"resuming batch {batch['id']}" in again.stderr
    report = json.loads(again.stdout)
    assert report["batch"] == batch["id"] and report["status"] == "done" and report["skipped"] == written
    with open_store(folder, Settings(store=folder)) as store:
        assert store.count("Batch") == 1
        groups = store.cypher("MATCH (s:Sample {batch: $b}) RETURN s.group AS g", {"b": batch["id"]})
        assert sorted(r["g"] for r in groups) == list(range(30))  # each group's sample exactly once
        assert store.cypher("MATCH (:Sample)-[g:GENERATED_BY]->() RETURN count(g) AS n")[0]["n"] == 30
    after = [json.dumps(b["messages"]) for b in llm_server.brain.bodies()][len(before) :]
    # A group answered before the kill was written or is in the cache: asked again only if it was
    # still in flight when the process died (at most --concurrency of them).
    assert len(set(before) & set(after)) <= 2 and max(Counter(before + after).values()) <= 2
    assert len(set(before) | set(after)) == 30
