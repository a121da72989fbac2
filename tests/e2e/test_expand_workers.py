"""Four `expand` workers on one Bolt server, one of them killed with SIGKILL and started again,
end with the graph one worker makes from the same replies (issue 12, part 1).

The LLM is the project's test server with a small pool of persona texts, so different parents, in
different workers, often name the same new persona: the unique-key collisions, and the shorter
routes that lower a persona's hop, happen in every run. Each worker asks with its own API key;
the server logs a hash of it, which tells the killed process's requests from the others.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from personagraph.models import Persona
from personagraph.store import GraphStore
from tests import worker_processes
from tests.conftest import BoltServer
from tests.llm_server import LLMTestServer, client_of
from tests.worker_processes import finish, worker_env

pytestmark = [pytest.mark.bolt, pytest.mark.slow]

PERSONA_IN_PROMPT = re.compile(r'Persona:\n"""\n(.*?)\n"""', re.S)
HOPS = 4
SEEDS = [Persona(text=f"A lighthouse keeper number {i} on a windy northern coast") for i in range(10)]
POOL = 300  # related personas come from 300 texts: about one answer in three names one already named


def start(environ: dict[str, str], cwd: Path, concurrency: int) -> subprocess.Popen[str]:
    args = ["expand", "--hops", str(HOPS), "--concurrency", str(concurrency), "--format", "json"]
    return worker_processes.start(environ, cwd, *args)


def graph(store: GraphStore) -> tuple[dict[str, int], set[tuple[str, str, str]]]:
    hops = {str(r["id"]): int(r["hop"]) for r in store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.hop AS hop")}
    triples = {
        (str(r["s"]), str(r["d"]), str(r["t"]))
        for r in store.cypher("MATCH (a:Persona)-[r]->(b:Persona) RETURN a.id AS s, b.id AS d, type(r) AS t")
    }
    return hops, triples


def asked(server: LLMTestServer, since: int = 0) -> list[tuple[str, str, bool]]:
    """(persona text, client, abandoned) of every P2P request the server received after ``since``."""
    rows = []
    for record in server.requests[since:]:
        body = record.get("body") or {}
        match = PERSONA_IN_PROMPT.search(str(body.get("messages", [{}, {}])[1].get("content", "")))
        if match:
            rows.append((match.group(1), str(record["client"]), bool(record["abandoned"])))
    return rows


def seed(store: GraphStore) -> None:
    store.cypher("MATCH (n) DETACH DELETE n", write=True)
    store.upsert_personas(SEEDS)


def check_clean(store: GraphStore) -> None:
    assert store.run("expand_edge_duplicates") == []
    assert store.cypher("MATCH (p:Persona) WHERE p.claimed_by IS NOT NULL RETURN p.id AS id") == []
    assert (
        store.cypher("MATCH (p:Persona) WHERE p.hop < $h AND p.expanded_at IS NULL RETURN p.id AS id", {"h": HOPS})
        == []
    )
    # An expansion edge joins its source to a persona at most one hop further out.
    ahead = store.cypher(
        "MATCH (a:Persona)-[r]-(b:Persona) WHERE r.expanded = a.id AND b.hop > a.hop + 1 "
        "RETURN a.id AS src, b.id AS dst, a.hop AS a, b.hop AS b"
    )
    assert ahead == []


def test_four_workers_one_killed_make_the_single_worker_graph(
    bolt_server: BoltServer, bolt_store: GraphStore, tmp_path: Path
) -> None:
    with LLMTestServer(latency=0.05, persona_pool=POOL) as server:
        # The reference: one worker, its own cache (every reply asked once).
        seed(bolt_store)
        single, _ = finish(start(worker_env(bolt_server, server, tmp_path / "cache-single", "sk-single"), tmp_path, 16))
        assert single["stopped"] == "frontier empty" and single["failures"] == 0
        check_clean(bolt_store)
        reference = graph(bolt_store)
        calls = single["llm"]["calls"]
        assert calls == sum(1 for hop in reference[0].values() if hop < HOPS)
        assert single["linked_existing"] > calls // 4  # the pool makes answers overlap, often
        assert max(reference[0].values()) == HOPS

        # Four workers; worker 0 killed mid-run, then started again.
        seed(bolt_store)
        since = len(server.requests)
        server.brain.latency = 0.1  # long enough that the kill finds requests under way
        cache = tmp_path / "cache-shared"
        procs = [start(worker_env(bolt_server, server, cache, f"sk-worker-{i}"), tmp_path, 4) for i in range(4)]
        killed = client_of("Bearer sk-worker-0")
        deadline = time.monotonic() + 300

        def kill_now() -> bool:
            # A third of the calls made, and worker 0 has one under way (on a loaded machine it may
            # start last: killing it before it asked would test nothing).
            records = server.requests[since:]
            return len(records) >= calls // 3 and any(r["client"] == killed and r["end"] is None for r in records)

        while not kill_now() and time.monotonic() < deadline:
            assert procs[0].poll() is None, procs[0].communicate()[1]
            time.sleep(0.02)
        os.kill(procs[0].pid, signal.SIGKILL)
        procs[0].wait(timeout=30)
        procs[0] = start(worker_env(bolt_server, server, cache, "sk-worker-restarted"), tmp_path, 4)
        results = [finish(proc) for proc in procs]

        for report, err in results:
            assert report["stopped"] == "frontier empty" and report["failures"] == 0, report
            assert "will be retried" not in err, err  # the driver's retry warnings go to the log only
        check_clean(bolt_store)
        hops, triples = graph(bolt_store)
        assert hops == reference[0]
        assert triples == reference[1]

        # At the server: every persona asked once, but for a request the killed process had under
        # way when it died (its answer never reached the shared cache; what it had been answered
        # was taken from the cache by whoever took the persona over).
        by_persona: dict[str, list[tuple[str, bool]]] = {}
        for text, client, abandoned in asked(server, since):
            by_persona.setdefault(text, []).append((client, abandoned))
        assert len(by_persona) == calls
        again = {text: asks for text, asks in by_persona.items() if len(asks) > 1}
        assert all(len(asks) == 2 and asks[0][0] == killed != asks[1][0] for asks in again.values()), again
        assert len(again) <= 4  # the killed worker's --concurrency
        assert any(client == killed for asks in by_persona.values() for client, _ in asks)
