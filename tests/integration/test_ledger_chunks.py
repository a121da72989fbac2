"""The usage ledger of a batch larger than one transaction: written in chunks under a `recording` mark
that readers skip, undone when a chunk fails, and undone later when the writer stopped (crash)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from personagraph.dedup.integrity import check_graph
from personagraph.errors import ConfigError, QueryError
from personagraph.sampling.batches import (
    Batch,
    list_batches,
    load_batch,
    record_batch,
    sample_batch,
    undo_abandoned_batches,
    wait_recorded,
)
from personagraph.store import GraphStore
from tests.integration.sampling_world import clustered_world

SIZE, CHUNK = 20, 6  # four transactions: 6, 6, 6 and 2 personas


@pytest.fixture
def world(store: GraphStore) -> tuple[GraphStore, tuple[list[str], np.ndarray]]:
    _, chosen = clustered_world(store)
    return store, chosen


def _proposal(world: tuple) -> Batch:
    store, vectors = world
    batch = sample_batch(store, size=SIZE, strategy="kcenter", seed=2, vectors=vectors, record=False)
    assert not batch.recorded and len(batch.persona_ids) == SIZE
    return batch


def _uses(store: GraphStore) -> dict[str, int]:
    rows = store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.uses AS uses")
    return {r["id"]: r["uses"] for r in rows}


def _judge_page(store: GraphStore, batch_id: str) -> list[dict]:
    return store.run("judge/page_personas", after="", limit=100, prompt="p@1", redo=True, batch=batch_id)


def _ledger(store: GraphStore) -> list[dict]:
    return store.cypher(
        "MATCH (b:Batch) OPTIONAL MATCH (p:Persona)-[:USED_IN]->(b) "
        "RETURN b.id AS id, b.recording AS recording, b.recording_until AS until, count(p) AS linked"
    )


def test_a_batch_larger_than_a_chunk_is_recorded_whole(world: tuple) -> None:
    store, _ = world
    batch = _proposal(world)
    assert record_batch(store, batch, chunk=CHUNK) == SIZE
    assert batch.recorded
    assert _ledger(store) == [{"id": batch.id, "recording": None, "until": None, "linked": SIZE}]
    uses = _uses(store)
    assert {uses[p] for p in batch.persona_ids} == {1}
    assert {u for p, u in uses.items() if p not in batch.persona_ids} == {0}
    assert [b["id"] for b in list_batches(store)] == [batch.id]
    loaded = load_batch(store, batch.id)
    assert sorted(r["id"] for r in loaded["persona_rows"]) == sorted(batch.persona_ids)
    assert loaded["size"] == SIZE and "recording" not in loaded
    assert len(_judge_page(store, batch.id)) == SIZE


def test_a_chunk_the_store_refuses_undoes_the_chunks_before_it(world: tuple) -> None:
    store, _ = world
    batch = _proposal(world)
    # A `uses` value the engine cannot add 1 to (a boolean) makes the third chunk fail in the engine.
    bad = batch.persona_ids[2 * CHUNK + 1]
    store.cypher("MATCH (p:Persona {id: $id}) SET p.uses = true", {"id": bad}, write=True)
    with pytest.raises(QueryError, match="record_uses") as failure:
        record_batch(store, batch, chunk=CHUNK)
    assert f"batch {batch.id} was not recorded" in str(failure.value)
    assert not batch.recorded
    assert _ledger(store) == []  # no node, no USED_IN edge
    uses = _uses(store)
    assert uses.pop(bad) is True
    assert set(uses.values()) == {0}  # the two chunks written before it were counted back down


def _cut_short(store: GraphStore, batch: Batch, until: float) -> None:
    """What a writer killed after its second chunk leaves: the marked node and two chunks of uses."""
    store.run("sampling/create_batch", id=batch.id, props=batch.props, until=until)
    for start in (0, CHUNK):
        store.run("sampling/record_uses", id=batch.id, ids=batch.persona_ids[start : start + CHUNK], until=until)


def test_a_batch_cut_short_is_hidden_and_check_fix_undoes_it(world: tuple) -> None:
    store, _ = world
    batch = _proposal(world)
    _cut_short(store, batch, until=time.time() - 1)  # a lease that ended: its writer stopped
    assert _ledger(store)[0]["linked"] == 2 * CHUNK and _ledger(store)[0]["recording"] is True
    assert list_batches(store) == []
    with pytest.raises(ConfigError, match="still being recorded"):
        load_batch(store, batch.id)
    assert _judge_page(store, batch.id) == []
    assert store.run("cast/get_batch", batch=batch.id) == [] and store.run("cast/batch_personas", batch=batch.id) == []
    found = {f.check: f for f in check_graph(store).findings}["batches cut short while recorded"]
    assert (found.found, found.repaired, found.detail) == (1, 0, batch.id)
    fixed = check_graph(store, fix=True)
    assert {f.check: f for f in fixed.findings}["batches cut short while recorded"].repaired == 1
    assert fixed.problems == 0
    assert _ledger(store) == [] and set(_uses(store).values()) == {0}


def test_the_next_sample_undoes_a_batch_cut_short_first(world: tuple) -> None:
    store, vectors = world
    cut = _proposal(world)
    _cut_short(store, cut, until=time.time() - 1)
    said: list[str] = []
    batch = sample_batch(
        store, size=SIZE, strategy="kcenter", seed=2, vectors=vectors, ledger_chunk=CHUNK, echo=said.append
    )
    assert said == [f"batch {cut.id} was cut short while recorded: undid its {2 * CHUNK:,} uses"]
    # Undone first, so the same seed on the same uses picks the same personas as the cut-short run.
    assert sorted(batch.persona_ids) == sorted(cut.persona_ids)
    assert _ledger(store) == [{"id": batch.id, "recording": None, "until": None, "linked": SIZE}]
    assert sum(_uses(store).values()) == SIZE


def test_a_batch_another_process_is_recording_is_left_alone_on_a_server(world: tuple) -> None:
    store, _ = world
    batch = _proposal(world)
    _cut_short(store, batch, until=time.time() + 600)  # a lease still running
    undone = undo_abandoned_batches(store)
    if store.capabilities.single_process:  # embedded: no other process can be writing it
        assert undone == [batch.id] and _ledger(store) == []
    else:
        assert undone == [] and _ledger(store)[0]["linked"] == 2 * CHUNK
        assert {f.check: f for f in check_graph(store).findings}["batches cut short while recorded"].found == 0


def test_a_worker_joining_a_batch_waits_until_its_ledger_is_complete(world: tuple) -> None:
    store, _ = world
    batch = _proposal(world)
    _cut_short(store, batch, until=time.time() + 600)
    finisher = threading.Timer(0.5, lambda: store.run("sampling/complete_batch", id=batch.id))
    finisher.start()
    try:
        wait_recorded(store, batch.id, timeout=60)
        assert load_batch(store, batch.id)["id"] == batch.id  # complete: readable
    finally:
        finisher.join()
