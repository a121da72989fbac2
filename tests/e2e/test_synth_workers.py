"""Three `synth` workers with the same arguments on one Bolt server, one of them killed with SIGKILL
and started again, make the batch one worker makes: each group asked for once, one sample each
(issue 12, part 1, for synthesis).

Each worker asks with its own API key (``tests.worker_processes``), which tells the killed
process's requests from the others. The workers share one response cache, as on one machine.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from personagraph.models import Persona
from personagraph.store import GraphStore
from tests.conftest import BoltServer
from tests.dedup_support import settings_with_cache
from tests.llm_server import LLMTestServer, client_of
from tests.worker_processes import finish, start, worker_env

pytestmark = [pytest.mark.bolt, pytest.mark.slow]

SIZE = 90
PERSONAS = [Persona(text=f"A ferry pilot number {i} who knows every tide of a northern fjord") for i in range(120)]
COMMAND = ["synth", "--task", "logic", "-n", str(SIZE), "--strategy", "random", "--seed", "7", "--embedder", "static"]


def asked(server: LLMTestServer, since: int) -> dict[str, list[tuple[str, bool]]]:
    """Every prompt the server was sent after ``since``: (client, abandoned) of each time it was asked."""
    prompts: dict[str, list[tuple[str, bool]]] = {}
    for record in server.requests[since:]:
        body = record.get("body") or {}
        key = json.dumps(body.get("messages"), sort_keys=True)
        prompts.setdefault(key, []).append((str(record["client"]), bool(record["abandoned"])))
    return prompts


def test_three_workers_one_killed_make_one_batch_with_each_group_asked_once(
    bolt_server: BoltServer, bolt_store: GraphStore, tmp_path: Path
) -> None:
    bolt_store.upsert_personas(PERSONAS)
    cache = Path(str(settings_with_cache(tmp_path / "cache").cache_dir))  # shares the distilled static model
    with LLMTestServer(latency=0.4) as server:
        # The vectors first, by one process: the workers then only read them.
        embedded = start(worker_env(bolt_server, server, cache, "sk-embed"), tmp_path, "embed", "--embedder", "static")
        assert embedded.wait(timeout=300) == 0, embedded.communicate()[1]
        since = len(server.requests)
        args = [*COMMAND, "--concurrency", "2", "--format", "json"]
        procs = [start(worker_env(bolt_server, server, cache, f"sk-worker-{i}"), tmp_path, *args) for i in range(3)]
        killed = client_of("Bearer sk-worker-0")
        deadline = time.monotonic() + 300
        while sum(1 for r in server.requests[since:] if r["client"] == killed) < 8 and time.monotonic() < deadline:
            assert procs[0].poll() is None, procs[0].communicate()[1]
            time.sleep(0.02)
        os.kill(procs[0].pid, signal.SIGKILL)
        procs[0].wait(timeout=30)
        # The same command again; until it has joined, the server answers slowly, so that the others
        # cannot finish the batch first on a loaded machine (a worker started after the batch is done
        # begins the next batch, as the same command run again does).
        server.brain.latency = 5.0
        procs[0] = start(worker_env(bolt_server, server, cache, "sk-worker-restarted"), tmp_path, *args)
        restarted = client_of("Bearer sk-worker-restarted")
        while not any(r["client"] == restarted for r in server.requests[since:]) and time.monotonic() < deadline:
            assert procs[0].poll() is None, procs[0].communicate()[1]
            time.sleep(0.05)
        server.brain.latency = 0.4
        results = [finish(proc) for proc in procs]

    reports = [report for report, _ in results]
    summary = [{k: r[k] for k in ("batch", "resumed", "skipped", "samples", "status")} for r in reports]
    batches = {report["batch"] for report in reports}
    assert len(batches) == 1, summary  # every worker, the restarted one too, on one batch
    (batch,) = batches
    assert all(report["status"] == "done" and report["failed"] == 0 for report in reports), reports
    assert all("will be retried" not in err for _, err in results)  # the driver's retry warnings: log only
    assert sum(report["samples"] for report in reports) <= SIZE

    # In the graph: one batch, one sample per group and per persona, no claim left.
    assert bolt_store.cypher("MATCH (b:Batch) RETURN b.id AS id, b.status AS status") == [
        {"id": batch, "status": "done"}
    ]
    groups = bolt_store.cypher(
        "MATCH (s:Sample) RETURN s.batch AS batch, s.group AS group, count(*) AS n ORDER BY group"
    )
    assert [(g["batch"], g["group"], g["n"]) for g in groups] == [(batch, i, 1) for i in range(SIZE)]
    used = bolt_store.cypher("MATCH (:Sample)-[:GENERATED_BY]->(p:Persona) RETURN p.id AS id, count(*) AS n")
    assert len(used) == SIZE and all(row["n"] == 1 for row in used)
    assert bolt_store.cypher("MATCH (c:SynthClaim) RETURN count(c) AS n") == [{"n": 0}]

    # At the server: every group's prompt asked once, but for the requests the killed process had
    # under way when it died (their answers never reached the shared cache): at most its two slots.
    prompts = asked(server, since)
    assert len(prompts) == SIZE
    again = {key: asks for key, asks in prompts.items() if len(asks) > 1}
    assert all(len(asks) == 2 and asks[0][0] == killed != asks[1][0] for asks in again.values()), again
    assert len(again) <= 2
    clients = {client for asks in prompts.values() for client, _ in asks}
    assert killed in clients and len(clients) >= 3  # the killed worker, and others, did part of the batch
