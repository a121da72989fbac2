"""Four `t2p` workers on one Bolt server over the same files, one of them killed with SIGKILL and
started again, end with the graph one worker makes from the same replies (issue 12, part 1).

Every reply's personas come from a small pool, so different texts, in different workers, often
name the same new persona: the unique-key collisions on new personas happen in every run. Each
worker asks with its own API key; the server logs a hash of it, which tells the killed process's
requests from the others.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from personagraph.store import GraphStore
from tests import worker_processes
from tests.conftest import BoltServer
from tests.llm_server import LLMTestServer, client_of
from tests.worker_processes import finish, worker_env

pytestmark = [pytest.mark.bolt, pytest.mark.slow]

TEXT_IN_PROMPT = re.compile(r'Text:\n"""\n(.*?)\n"""', re.S)
TEXTS = 240
POOL = 150  # 720 personas named from 150 texts: most are named by several texts
TOPICS = ["tram timetable", "bakery opening", "chess evening", "clinic rota", "harbour festival", "library course"]


def write_texts(folder: Path) -> list[str]:
    folder.mkdir()
    texts = []
    for i in range(TEXTS):
        text = f"Notice {i}: the {TOPICS[i % len(TOPICS)]} changes from week {i % 52 + 1}; ask at desk {i % 7}."
        (folder / f"notice_{i:03d}.txt").write_text(text, encoding="utf-8")
        texts.append(text)
    return texts


def start(environ: dict[str, str], cwd: Path, texts: Path, concurrency: int) -> subprocess.Popen[str]:
    return worker_processes.start(
        environ, cwd, "t2p", str(texts), "--concurrency", str(concurrency), "--format", "json"
    )


def graph(
    store: GraphStore,
) -> tuple[dict[str, tuple[str, int, str]], set[tuple[str, str, str]], dict[str, tuple[str, ...]]]:
    personas = {
        str(r["id"]): (str(r["text"]), int(r["hop"]), str(r["origin"]))
        for r in store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.text AS text, p.hop AS hop, p.origin AS origin")
    }
    links = {
        (str(r["p"]), str(r["t"]), str(r["stance"]))
        for r in store.cypher(
            "MATCH (p:Persona)-[d:DERIVED_FROM]->(t:Text) RETURN p.id AS p, t.id AS t, d.stance AS stance"
        )
    }
    done = {
        str(r["id"]): tuple(r["done"] or ())
        for r in store.cypher("MATCH (t:Text) RETURN t.id AS id, t.t2p_done AS done")
    }
    return personas, links, done


def asked(server: LLMTestServer, since: int = 0) -> list[tuple[str, str]]:
    """(text, client) of every T2P request the server received after ``since``."""
    rows = []
    for record in server.requests[since:]:
        body = record.get("body") or {}
        match = TEXT_IN_PROMPT.search(str(body.get("messages", [{}, {}])[1].get("content", "")))
        if match:
            rows.append((match.group(1), str(record["client"])))
    return rows


def stop_while_holding_claims(
    store: GraphStore, server: LLMTestServer, since: int, proc: subprocess.Popen[str], client: str
) -> list[str]:
    """Stop ``proc`` (SIGSTOP) at a moment it has a request under way at the server and texts claimed
    in the graph; returns the ids of those texts. Stopped, it can neither write nor give claims back,
    so what it holds is exactly what the SIGKILL that follows leaves to the others."""
    deadline = time.monotonic() + 300
    prefix = f"{socket.gethostname()}/{proc.pid}/"
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        records = server.requests[since:]
        under_way = any(r["client"] == client and r["end"] is None for r in records)
        if len(records) >= TEXTS // 4 and under_way:
            os.kill(proc.pid, signal.SIGSTOP)
            held = [
                str(r["id"])
                for r in store.cypher(
                    "MATCH (t:Text) WHERE t.claimed_by STARTS WITH $prefix RETURN t.id AS id", {"prefix": prefix}
                )
            ]
            if held:
                return held
            os.kill(proc.pid, signal.SIGCONT)  # it had just written them: try again
        time.sleep(0.01)
    raise AssertionError("the worker to kill never held claims with a request under way")


def test_four_t2p_workers_one_killed_make_the_single_worker_graph(
    bolt_server: BoltServer, bolt_store: GraphStore, tmp_path: Path
) -> None:
    texts = write_texts(tmp_path / "texts")
    with LLMTestServer(latency=0.05, persona_pool=POOL) as server:
        # The reference: one worker, its own cache (every text asked once).
        single, _ = finish(
            start(
                worker_env(bolt_server, server, tmp_path / "cache-single", "sk-single"),
                tmp_path,
                tmp_path / "texts",
                16,
            )
        )
        assert single["texts"] == TEXTS and single["failures"] == 0 and single["llm"]["calls"] == TEXTS
        reference = graph(bolt_store)
        # 720 answers, at most POOL personas: the answers overlap, often.
        assert single["personas_new"] == len(reference[0]) <= POOL and len(reference[1]) > 2 * TEXTS
        assert len(reference[2]) == TEXTS and all(reference[2].values())
        assert bolt_store.cypher("MATCH (t:Text) WHERE t.claimed_by IS NOT NULL RETURN t.id AS id") == []

        # Four workers on the same files; worker 0 killed while its requests are under way, then started again.
        bolt_store.cypher("MATCH (n) DETACH DELETE n", write=True)
        since = len(server.requests)
        server.brain.latency = 0.2  # long enough that the kill finds requests under way
        cache = tmp_path / "cache-shared"
        killed = client_of("Bearer sk-worker-0")
        procs = [
            start(worker_env(bolt_server, server, cache, f"sk-worker-{i}"), tmp_path, tmp_path / "texts", 4)
            for i in range(4)
        ]
        held = stop_while_holding_claims(bolt_store, server, since, procs[0], killed)
        os.kill(procs[0].pid, signal.SIGKILL)
        procs[0].wait(timeout=30)
        procs[0] = start(worker_env(bolt_server, server, cache, "sk-worker-restarted"), tmp_path, tmp_path / "texts", 4)
        results = [finish(proc) for proc in procs]

        for report, err in results:
            assert report["failures"] == 0, report
            assert "will be retried" not in err, err  # the driver's retry warnings go to the log only
        assert bolt_store.cypher("MATCH (t:Text) WHERE t.claimed_by IS NOT NULL RETURN t.id AS id") == []
        assert graph(bolt_store) == reference

        # At the server: every text asked once, but for a request the killed process had under way
        # when it died (its answer never reached the shared cache; one it had been answered was
        # taken from the cache by whoever took the text over).
        by_text: dict[str, list[str]] = {}
        for text, client in asked(server, since):
            by_text.setdefault(text, []).append(client)
        assert set(by_text) == set(texts)
        again = {text: clients for text, clients in by_text.items() if len(clients) > 1}
        assert all(len(clients) == 2 and clients[0] == killed != clients[1] for clients in again.values()), again
        assert len(again) <= 4  # the killed worker's --concurrency
        # The texts the killed worker held were taken over and written by the others.
        runs = {
            str(r["id"]): str(r["run"]) for r in bolt_store.cypher("MATCH (t:Text) RETURN t.id AS id, t.t2p_run AS run")
        }
        assert {runs[text_id] for text_id in held} <= {report["run"] for report, _ in results}
        # Each text was written by one run: each worker's report counts the texts marked with its run.
        by_run: dict[str, int] = {}
        for row in bolt_store.cypher("MATCH (t:Text) RETURN t.t2p_run AS run"):
            by_run[str(row["run"])] = by_run.get(str(row["run"]), 0) + 1
        for report, _ in results:
            assert by_run.pop(report["run"], 0) == report["texts"] - report["lost_claims"], report
        assert sum(by_run.values()) < TEXTS // 2  # the rest: the killed worker's, written before it died
