"""The Text-to-Persona claim protocol on both stores: a held text is nobody else's, an ended lease
is, a lost claim writes nothing, and a run waits for texts another worker holds (issue 12)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from personagraph import prompts
from personagraph.config import Secret
from personagraph.expand.claims import TextClaims
from personagraph.expand.t2p import T2POptions, text_to_persona
from personagraph.ingest import import_texts
from personagraph.llm import LLMClient
from personagraph.store import GraphStore
from tests.llm_fixtures import TEST_API_KEY, LLMTestServer

TEXTS = Path(__file__).resolve().parent.parent / "data" / "texts"
KEY = f"{prompts.load('t2p').ref}/fine"  # what a run with the default options marks its texts done with


def claims(store: GraphStore, worker: str, run: str, ids: list[str] | None = None) -> TextClaims:
    return TextClaims(store, worker, KEY, run, lease=60.0, ids=ids)


@pytest.mark.parametrize("by_id", [False, True])
def test_a_claim_is_exclusive_until_its_lease_ends(store: GraphStore, by_id: bool) -> None:
    ids = import_texts(store, [TEXTS])
    a = claims(store, "host-a/1/a", "run-a", ids if by_id else None)
    b = claims(store, "host-b/2/b", "run-b", ids if by_id else None)
    held, _ = a.claim(3, set())
    assert len(held) == 3 and all(r["text"] for r in held)
    rest, _ = b.claim(10, set())
    assert {r["id"] for r in rest} == set(ids) - {r["id"] for r in held}
    assert b.claim(10, set()) == ([], False)  # everything is held
    assert a.pending_state(set())["pending"] == 5 and a.pending_state(set())["leased"] == 5

    # A's lease ends: B takes its texts, and A's late write finds nothing it still holds.
    store.cypher("MATCH (t:Text) WHERE t.claimed_by = 'host-a/1/a' SET t.lease_until = 0", write=True)
    taken, _ = b.claim(10, set())
    assert {r["id"] for r in taken} == {r["id"] for r in held}
    lost = store.run("t2p_finish", ids=[r["id"] for r in held], key=KEY, run="run-a", worker="host-a/1/a")
    assert lost == []
    won = store.run("t2p_finish", ids=ids, key=KEY, run="run-b", worker="host-b/2/b")
    assert len(won) == 5
    assert b.pending_state(set())["pending"] == 0 and a.claim(10, set()) == ([], False)
    rows = store.cypher("MATCH (t:Text) RETURN t.claimed_by AS c, t.t2p_run AS run, t.t2p_done AS done")
    assert all(r["c"] is None and r["run"] == "run-b" and r["done"] == [KEY] for r in rows)


def test_failed_texts_are_released_and_not_claimed_again_by_this_worker(store: GraphStore) -> None:
    ids = import_texts(store, [TEXTS])
    a = claims(store, "host-a/1/a", "run-a")
    held, _ = a.claim(5, set())
    failed = {str(held[0]["id"])}
    a.release(sorted(failed))
    assert a.claim(5, failed) == ([], False)  # the others are still held by a, the failed one is excluded
    again, _ = claims(store, "host-b/2/b", "run-b").claim(5, set())
    assert [r["id"] for r in again] == sorted(failed)  # another worker may try it
    assert a.pending_state(failed)["pending"] == len(ids) - 1


@pytest.mark.bolt
def test_a_run_waits_for_a_text_another_host_holds(bolt_store: GraphStore, tmp_path: Path) -> None:
    """A claim from another host is not released as dead: the run waits for its lease to end."""
    ids = import_texts(bolt_store, [TEXTS])
    other = claims(bolt_store, "elsewhere/1/x", "run-x")
    held, _ = other.claim(1, set())
    until = time.time() + 2
    bolt_store.cypher(
        "MATCH (t:Text {id: $id}) SET t.lease_until = $until", {"id": held[0]["id"], "until": until}, write=True
    )
    with LLMTestServer(api_key=TEST_API_KEY) as server:
        client = LLMClient(
            server.base_url, Secret(TEST_API_KEY), "test-model", cache_dir=tmp_path / "c", backoff_base=0.01
        )
        report = text_to_persona(bolt_store, client, T2POptions(concurrency=4), ids)
        assert report.texts == 5 and report.failures == 0 and server.count == 5
        # The held text went out once, after its lease had ended (not necessarily last: on a loaded
        # machine the other four can take longer than the lease).
        asked = [
            r["time"] for r in server.brain.requests if str(held[0]["text"]) in r["body"]["messages"][1]["content"]
        ]
        assert len(asked) == 1 and asked[0] >= until
    assert bolt_store.cypher("MATCH (t:Text) WHERE t.claimed_by IS NOT NULL RETURN t.id AS id") == []


def test_a_dead_workers_claims_on_this_host_are_released_at_once(store: GraphStore, tmp_path: Path) -> None:
    import socket

    ids = import_texts(store, [TEXTS])
    # A pid that no process has (pid_max is below 2**22 on Linux): the worker is gone.
    dead = claims(store, f"{socket.gethostname()}/4194999/dead", "run-dead")
    dead.claim(5, set())
    with LLMTestServer(api_key=TEST_API_KEY) as server:
        client = LLMClient(
            server.base_url, Secret(TEST_API_KEY), "test-model", cache_dir=tmp_path / "c", backoff_base=0.01
        )
        report = text_to_persona(store, client, T2POptions(concurrency=4, lease=600), ids)
        assert report.texts == 5 and server.count == 5 and report.lost_claims == 0
