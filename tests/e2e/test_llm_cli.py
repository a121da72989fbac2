"""The LLM commands end to end: t2p and expand, SIGKILL and resume, two workers sharing one Bolt
server. The commands run in process (tests/cli_in_process.py) except where the point is a process:
the run killed with SIGKILL and the two workers. The LLM is the real test server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from personagraph.config import Settings
from personagraph.models import Persona
from personagraph.store import GraphStore, open_store
from tests.cli_in_process import run_cli
from tests.conftest import ROOT, BoltServer, cli_env
from tests.llm_fixtures import TEST_API_KEY, LLMTestServer

TEXTS = ROOT / "tests" / "data" / "texts"
PERSONA_IN_PROMPT = re.compile(r'Persona:\n"""\n(.*?)\n"""', re.S)


def env(server: LLMTestServer, tmp_path: Path, store: str, cache: str = "cache", **extra: str) -> dict[str, str]:
    return cli_env(
        PERSONAGRAPH_STORE=store,
        OPENAI_BASE_URL=server.base_url,
        OPENAI_API_KEY=TEST_API_KEY,
        PERSONAGRAPH_CACHE_DIR=str(tmp_path / cache),
        PERSONAGRAPH_MODEL="test-model",
        PERSONAGRAPH_JVM_HEAP="1g",
        CI="1",
        **extra,
    )


def cli(args: list[str], environ: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(args, env=environ, cwd=cwd)


def one(store: GraphStore, cypher: str, **params: object) -> object:
    return next(iter(store.cypher(cypher, params)[0].values()))


def assert_clean_expansion(store: GraphStore, hops: int) -> None:
    """No persona expanded twice, no edge duplicated, nothing left below the hop limit or claimed."""
    assert store.run("expand_edge_duplicates") == []
    assert one(store, "MATCH (p:Persona) WHERE p.expansions > 1 RETURN count(p) AS n") == 0
    assert one(store, "MATCH (p:Persona) WHERE p.hop < $h AND p.expanded_at IS NULL RETURN count(p) AS n", h=hops) == 0
    assert one(store, "MATCH (p:Persona) WHERE p.claimed_by IS NOT NULL RETURN count(p) AS n") == 0
    # Every expanded persona has the edges of exactly one answer (3 related personas each).
    degrees = store.cypher(
        "MATCH (p:Persona) WHERE p.expanded_at IS NOT NULL "
        "RETURN COUNT { (p)-[r]-(q:Persona) WHERE r.expanded = p.id } AS d"
    )
    assert {row["d"] for row in degrees} == {3}


def test_t2p_then_expand_and_no_secret_written(llm_server: LLMTestServer, tmp_path: Path) -> None:
    environ = env(llm_server, tmp_path, str(tmp_path / "store"))
    dry = cli(["t2p", str(TEXTS), "--dry-run"], environ, tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "[user]" in dry.stdout and "dry run (t2p): 5 requests" in dry.stdout and llm_server.count == 0
    assert "nothing written" in dry.stdout
    t2p = cli(
        ["text-to-persona", str(TEXTS), "--run", "t2p-nightly", "--lease", "30", "--format", "json"], environ, tmp_path
    )
    assert t2p.returncode == 0, t2p.stderr
    report = json.loads(t2p.stdout)
    assert report["texts"] == 5 and report["personas_new"] == 15 and report["llm"]["calls"] == 5
    assert report["run"] == "t2p-nightly"
    expanded = cli(["expand", "--hops", "1", "--concurrency", "4"], environ, tmp_path)
    assert expanded.returncode == 0, expanded.stderr
    assert "expanded 15 personas" in expanded.stdout and "new personas: 45 (hop 1: 45)" in expanded.stdout
    assert llm_server.count == 20
    # The end report is the same line for every LLM command.
    assert re.search(
        r"LLM: 15 calls, 0 cached, 0 retries, 0 invalid replies, 0 failures, [\d,]+ tokens", expanded.stdout
    )
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TEST_API_KEY.encode() not in path.read_bytes(), path
    assert TEST_API_KEY not in expanded.stdout + expanded.stderr + t2p.stderr
    folder = str(tmp_path / "store")
    with open_store(folder, Settings(store=folder)) as store:
        runs = store.cypher("MATCH (:Persona)-[d:DERIVED_FROM]->(:Text) RETURN DISTINCT d.run AS run")
    assert [row["run"] for row in runs] == ["t2p-nightly"]


def test_no_endpoint_is_one_clear_error(tmp_path: Path) -> None:
    environ = cli_env(PERSONAGRAPH_STORE=str(tmp_path / "store"), PERSONAGRAPH_JVM_HEAP="1g")
    result = cli(["expand", "--hops", "1"], environ, tmp_path)
    assert result.returncode == 5 and result.stderr.strip().splitlines()[-1].startswith(
        "error: no LLM endpoint configured"
    )


def test_unreachable_endpoint_stops_and_gives_claims_back(tmp_path: Path) -> None:
    from tests.conftest import free_port

    folder = tmp_path / "store"
    with open_store(str(folder), Settings(store=str(folder))) as store:
        store.upsert_personas([Persona(text=f"A lighthouse keeper number {i}") for i in range(3)])
    environ = cli_env(
        PERSONAGRAPH_STORE=str(folder),
        OPENAI_BASE_URL=f"http://127.0.0.1:{free_port()}/v1",
        PERSONAGRAPH_CACHE_DIR=str(tmp_path / "cache"),
        PERSONAGRAPH_JVM_HEAP="1g",
        CI="1",
    )
    result = cli(["expand", "--hops", "1", "--max-retries", "1"], environ, tmp_path)
    assert result.returncode == 5, result.stderr
    assert "unreachable" in result.stderr.strip().splitlines()[-1]
    with open_store(str(folder), Settings(store=str(folder))) as store:
        assert (
            one(
                store,
                "MATCH (p:Persona) WHERE p.claimed_by IS NOT NULL OR p.expanded_at IS NOT NULL RETURN count(p) AS n",
            )
            == 0
        )


@pytest.mark.slow
def test_sigkill_mid_run_then_resume(llm_server: LLMTestServer, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with open_store(str(folder), Settings(store=str(folder))) as store:
        store.upsert_personas([Persona(text=f"A harbour pilot number {i} in a busy port") for i in range(6)])
    llm_server.brain.latency = 0.1
    environ = env(llm_server, tmp_path, str(folder))
    args = [sys.executable, "-m", "personagraph", "expand", "--hops", "3", "--concurrency", "4"]
    proc = subprocess.Popen(args, env=environ, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while llm_server.count < 25 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    killed_at = llm_server.count
    with open_store(str(folder), Settings(store=str(folder))) as store:
        done_before = one(store, "MATCH (p:Persona) WHERE p.expanded_at IS NOT NULL RETURN count(p) AS n")
        assert 0 < done_before < 6 + 18 + 54  # killed mid-run, with work half done
    resumed = cli(["expand", "--hops", "3", "--concurrency", "4", "--format", "json"], environ, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["stopped"] == "frontier empty" and report["failures"] == 0
    assert report["expanded"] == 78 - done_before
    with open_store(str(folder), Settings(store=str(folder))) as store:
        assert_clean_expansion(store, 3)
        assert store.stats()["hops"] == {"0": 6, "1": 18, "2": 54, "3": 162}
        assert one(store, "MATCH (p:Persona) WHERE p.expanded_at IS NOT NULL RETURN count(p) AS n") == 78
    # Answers that reached the cache before the kill were not asked again.
    assert llm_server.count - killed_at <= 78 - done_before


@pytest.mark.bolt
@pytest.mark.slow
def test_two_workers_split_the_frontier_on_bolt(
    bolt_server: BoltServer, bolt_store: GraphStore, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    seeds = [Persona(text=f"A tram conductor number {i} on the night line") for i in range(12)]
    bolt_store.upsert_personas(seeds)
    llm_server.brain.latency = 0.1
    procs = []
    for worker in ("a", "b"):
        environ = env(
            llm_server,
            tmp_path,
            bolt_server.url,
            cache=f"cache-{worker}",
            PERSONAGRAPH_USER=bolt_server.user,
            PERSONAGRAPH_PASSWORD=bolt_server.password,
            PERSONAGRAPH_DATABASE=bolt_server.database,
        )
        args = [sys.executable, "-m", "personagraph", "expand", "--hops", "2", "--concurrency", "2", "--format", "json"]
        procs.append(
            subprocess.Popen(args, env=environ, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    assert sum(r["expanded"] for r in reports) == 12 + 36
    assert all(r["expanded"] > 0 for r in reports), [r["expanded"] for r in reports]
    assert_clean_expansion(bolt_store, 2)
    by_worker = Counter(
        row["w"]
        for row in bolt_store.cypher("MATCH (p:Persona) WHERE p.expanded_at IS NOT NULL RETURN p.expanded_by AS w")
    )
    assert sorted(by_worker.values()) == sorted(r["expanded"] for r in reports)
    # Counted at the server: every persona was asked about exactly once, by one worker or the other.
    asked = Counter(
        m.group(1)
        for b in llm_server.brain.bodies()
        for m in [PERSONA_IN_PROMPT.search(b["messages"][1]["content"])]
        if m
    )
    assert len(asked) == 48 and set(asked.values()) == {1}


LLM_OPTIONS = ["--model", "--concurrency", "--temperature", "--timeout", "--max-retries", "--no-cache", "--dry-run"]


def test_the_four_llm_stages_share_options_and_dry_run(llm_server: LLMTestServer, tmp_path: Path) -> None:
    world = ROOT / "examples" / "world"
    environ = env(llm_server, tmp_path, str(tmp_path / "store"))
    commands = [["t2p"], ["expand"], ["synth"], ["export", "cast", "out"]]
    for command in commands:
        shown = cli([*command, "--help"], environ, tmp_path)
        assert shown.returncode == 0 and all(option in shown.stdout for option in LLM_OPTIONS), command
    assert (
        cli(["import", str(world / "personas.jsonl"), str(world / "relations.jsonl")], environ, tmp_path).returncode
        == 0
    )
    runs = {
        "t2p": ["t2p", str(TEXTS), "--dry-run", "--format", "json"],
        "expand": ["expand", "--hops", "1", "--dry-run", "--format", "json"],
        "synth": ["synth", "--task", "rivals", "-n", "3", "--dry-run", "--format", "json"],
    }
    for stage, args in runs.items():
        done = cli(args, environ, tmp_path)
        assert done.returncode == 0, done.stderr
        plan = json.loads(done.stdout)
        assert plan["stage"] == stage and plan["dry_run"] and plan["requests"] > 0, plan
        assert plan["prompt_tokens"] > 0 and plan["completion_tokens"] > 0 and plan["prompts"][0][0]["role"] == "system"
    cast = cli(
        [
            "export",
            "cast",
            str(tmp_path / "out"),
            "--seed-persona",
            "intensive care nurse",
            "--llm",
            "--dry-run",
            "--size",
            "3",
        ],
        environ,
        tmp_path,
    )
    assert cast.returncode == 0, cast.stderr
    assert "dry run (export cast --llm): 4 requests" in cast.stdout and not (tmp_path / "out").exists()
    assert llm_server.count == 0
    with open_store(str(tmp_path / "store"), Settings(store=str(tmp_path / "store"))) as store:
        # Nothing written: no text imported, no batch recorded, nothing claimed or expanded.
        assert store.count("Text") == 0 and store.count("Batch") == 0 and store.count("Sample") == 0
        assert (
            one(
                store,
                "MATCH (p:Persona) WHERE p.claimed_by IS NOT NULL OR p.expanded_at IS NOT NULL RETURN count(p) AS n",
            )
            == 0
        )
