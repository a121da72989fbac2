"""Strata, the ledger, the carver and coverage on real stores (embedded and Bolt)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from personagraph.embeddings.embeddings import Embeddings
from personagraph.errors import ConfigError, VocabularyError
from personagraph.models import Persona
from personagraph.sampling.batches import list_batches, load_batch, sample_batch
from personagraph.sampling.candidates import fetch_candidates
from personagraph.sampling.carver import Carver
from personagraph.sampling.communities import louvain_communities
from personagraph.sampling.strata import cluster_names, compute_strata
from personagraph.sampling.vector_rows import DiskRows, candidate_vectors
from personagraph.store import GraphStore
from tests.integration.sampling_world import TOPICS, build_world, clustered_world


@pytest.fixture
def world(store: GraphStore) -> tuple[GraphStore, list, tuple[list[str], np.ndarray]]:
    personas, chosen = clustered_world(store)
    return store, personas, chosen


def test_cluster_stores_clusters_communities_and_labels(world: tuple) -> None:
    store, personas, _ = world
    rows = store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.cluster AS cluster, p.community AS community")
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == 48 and all(r["cluster"] is not None for r in rows)
    for t in range(4):  # each profession is one cluster
        assert len({by_id[p.id]["cluster"] for p in personas[t * 12 : (t + 1) * 12]}) == 1
    assert len({r["cluster"] for r in rows}) == 4
    assert all(r["community"] is not None and r["community"] >= 0 for r in rows)  # everyone has a relation here
    pairs = [r for r in store.iter_relations() if r["type"] == "COLLEAGUE"]
    assert all(by_id[r["src"]]["community"] == by_id[r["dst"]]["community"] for r in pairs)
    assert len({r["community"] for r in rows}) >= 4
    names = cluster_names(store)
    assert len(names) == 4
    words = " ".join(names.values())
    for topic in ("nurse", "chess", "welder", "baker"):
        assert topic in words or topic + "s" in words


def test_batch_is_recorded_in_the_ledger(world: tuple) -> None:
    store, _, vectors = world
    batch = sample_batch(store, size=8, strategy="stratified", task="math", seed=3, vectors=vectors)
    assert batch.recorded and len(batch.persona_ids) == 8
    assert batch.coverage["clusters"]["covered"] == 4 and batch.coverage["clusters"]["total"] == 4
    assert sum(batch.coverage["clusters"]["batch"].values()) == 8 and len(batch.coverage["clusters"]["batch"]) == 4
    assert batch.coverage["radius"]["exact"] and batch.coverage["radius_random"]["max"] > 0
    rows = store.cypher(
        "MATCH (b:Batch {id: $id}) RETURN b.task AS task, b.strategy AS strategy, b.size AS size, "
        "b.clusters_covered AS covered, b.uses_gini AS gini, b.coverage AS coverage",
        {"id": batch.id},
    )
    assert rows[0]["task"] == "math" and rows[0]["strategy"] == "stratified" and rows[0]["size"] == 8
    assert rows[0]["covered"] == 4 and rows[0]["gini"] > 0 and '"clusters"' in rows[0]["coverage"]
    used = store.cypher(
        "MATCH (p:Persona)-[:USED_IN]->(:Batch {id: $id}) RETURN p.id AS id, p.uses AS uses", {"id": batch.id}
    )
    assert sorted(r["id"] for r in used) == sorted(batch.persona_ids) and {r["uses"] for r in used} == {1}
    assert store.cypher("MATCH (p:Persona) WHERE p.uses = 0 RETURN count(p) AS n")[0]["n"] == 40
    loaded = load_batch(store, batch.id)
    assert loaded["coverage"]["clusters"]["covered"] == 4 and len(loaded["persona_rows"]) == 8
    assert list_batches(store)[0]["id"] == batch.id
    with pytest.raises(ConfigError):
        load_batch(store, "b_nope")


def test_consecutive_batches_are_disjoint_until_spent(world: tuple) -> None:
    store, _, vectors = world
    seen: set[str] = set()
    for i, strategy in enumerate(["kcenter", "stratified", "random", "graph"]):
        batch = sample_batch(store, size=12, strategy=strategy, seed=i, vectors=vectors)
        assert not seen & set(batch.persona_ids), f"batch {i} ({strategy}) reused a persona"
        seen |= set(batch.persona_ids)
    uses = store.cypher("MATCH (p:Persona) RETURN p.uses AS uses, COUNT { (p)-[:USED_IN]->(:Batch) } AS edges")
    assert {r["uses"] for r in uses} == {1} and {r["edges"] for r in uses} == {1}
    again = sample_batch(store, size=5, strategy="kcenter", seed=9, vectors=vectors)
    assert len(again.persona_ids) == 5 and again.coverage["uses_gini"] > 0
    assert store.count("Batch") == 5


def test_carver_filters_candidates(world: tuple) -> None:
    store, personas, _ = world
    hop_le_1 = fetch_candidates(store, Carver.parse(where="hop <= 1"))
    assert sorted(hop_le_1.ids) == sorted(p.id for p in personas if p.hop <= 1)
    text = fetch_candidates(store, Carver.parse(text="CHESS", origin="persona"))
    assert sorted(text.ids) == sorted(p.id for p in personas if "chess" in p.text.lower() and p.origin == "persona")
    patients = fetch_candidates(store, Carver.parse(match="(p)-[:PATIENT_OF]->(:Persona)"))
    assert len(patients) == 8 and all(
        ("baker" in p.text or "welder" in p.text) for p in personas if p.id in patients.ids
    )
    nurses = fetch_candidates(store, Carver.parse(match="(p)<-[:PATIENT_OF]-(q:Persona {hop: 0})"))
    assert sorted(nurses.ids) == sorted(p.id for p in personas[:8])  # patients 0-3 of each kind have hop 0
    rivals = fetch_candidates(store, Carver.parse(match="(p)-[:RIVAL]-()", where="degree >= 2"))
    assert len(rivals) == 12 and set(rivals.rels[0]) <= {"RIVAL", "COLLEAGUE"}
    some = fetch_candidates(store, Carver.parse(cluster="0,1"))
    assert set(some.clusters.tolist()) == {0, 1} and len(some) == 24
    small_pages = fetch_candidates(store, Carver.parse(cluster="0,1", where="hop <= 1"), page=5)
    whole = fetch_candidates(store, Carver.parse(cluster="0,1", where="hop <= 1"))
    assert small_pages.ids == whole.ids and small_pages.degrees.tolist() == whole.degrees.tolist()
    assert 0 < len(whole) < 24 and (whole.hops <= 1).all()
    paged = fetch_candidates(store, page=7)
    assert len(paged) == 48 and paged.ids == sorted(paged.ids)
    ends = Counter(end for r in store.iter_relations() for end in (r["src"], r["dst"]))
    types = {pid: set() for pid in paged.ids}
    for r in store.iter_relations():
        types[r["src"]].add(r["type"])
        types[r["dst"]].add(r["type"])
    assert paged.degrees.tolist() == [ends[pid] for pid in paged.ids] and max(ends.values()) >= 2
    assert [set(paged.rels[i]) for i in range(len(paged))] == [types[pid] for pid in paged.ids]


def test_carver_injection_is_refused_and_changes_nothing(world: tuple) -> None:
    store, _, _ = world
    for attempt in [
        "(p) WITH p MATCH (n) DETACH DELETE n",
        "(p)-[:RIVAL]->(x)}) DETACH DELETE p //",
        "(p)-[:RIVAL|DROP]->()",
        "(p); MATCH (n) DELETE n",
    ]:
        with pytest.raises((ConfigError, VocabularyError)):
            fetch_candidates(store, Carver.parse(match=attempt))
    with pytest.raises(ConfigError):
        fetch_candidates(store, Carver.parse(where="hop <= 1 or 1 = 1"))
    assert store.count("Persona") == 48 and store.stats()["relations"]["COLLEAGUE"] == 24


def test_group_batch_joins_related_personas(world: tuple) -> None:
    store, _, vectors = world
    batch = sample_batch(store, size=4, strategy="graph", relation="RIVAL", task="dialogue", seed=2, vectors=vectors)
    assert len(batch.groups) == 4 and all(len(g) == 2 for g in batch.groups)
    rivals = {(r["src"], r["dst"]) for r in store.iter_relations() if r["type"] == "RIVAL"}
    assert all(tuple(g) in rivals for g in batch.groups)
    assert len(batch.persona_ids) == 8
    assert load_batch(store, batch.id)["groups"] == batch.groups
    with pytest.raises(ConfigError):
        sample_batch(store, size=2, relation="MENTOR_OF", vectors=vectors)  # none in this world
    with pytest.raises(VocabularyError):
        sample_batch(store, size=2, relation="NEMESIS", vectors=vectors)


def test_strategies_need_clusters(store: GraphStore) -> None:
    personas, vectors = build_world(store)
    with pytest.raises(ConfigError, match="cluster"):
        sample_batch(store, size=4, strategy="stratified", vectors=([p.id for p in personas], vectors))
    batch = sample_batch(store, size=4, strategy="random", vectors=([p.id for p in personas], vectors))
    assert len(batch.persona_ids) == 4 and "clusters" not in batch.coverage


def test_topics_fixture_is_consistent() -> None:
    assert len(TOPICS) == 4


class _KeptVectors:
    """An embedder never asked to encode: the world's vectors are all kept in its cache already."""

    name = "world"
    model = "world-vectors"
    dim = 32
    fingerprint = "world-1"

    def encode(self, texts: object, batch_size: int = 64, progress: object = None) -> np.ndarray:
        raise AssertionError("every vector is kept: nothing should be encoded")


def test_kcenter_on_disk_rows_picks_what_the_matrix_picks(world: tuple, tmp_path: Path) -> None:
    store, _, (ids, vectors) = world
    embeddings = Embeddings(store, _KeptVectors(), tmp_path / "embeddings")
    embeddings.cache.add(ids, vectors)
    for size, seed in ((6, 2), (20, 5), (40, 9)):
        in_memory = sample_batch(store, size=size, seed=seed, embeddings=embeddings, record=False)
        on_disk = sample_batch(store, size=size, seed=seed, embeddings=embeddings, record=False, in_memory_rows=0)
        assert on_disk.persona_ids == in_memory.persona_ids and len(on_disk.persona_ids) == size
        assert on_disk.coverage == in_memory.coverage and on_disk.coverage["radius"]["max"] is not None
    # The rows on disk are the cache's vectors in the order asked; the temporary file leaves no name behind.
    order = ids[::-1]
    rows = candidate_vectors(embeddings, order, in_memory_rows=0)
    assert isinstance(rows, DiskRows) and len(rows) == len(ids)
    np.testing.assert_array_equal(rows[np.arange(len(ids))], vectors[::-1])
    np.testing.assert_array_equal(rows[[3, 0]], vectors[::-1][[3, 0]])
    rows.close()
    assert sorted(p.name for p in (tmp_path / "embeddings").iterdir() if not p.name.startswith("part-")) == [
        "meta.json"
    ]
    with pytest.raises(ConfigError, match="no embedding"):
        candidate_vectors(embeddings, [*ids, "p_not_in_the_graph"], in_memory_rows=0)


def test_sharded_cluster_finds_the_in_memory_communities(world: tuple, tmp_path: Path) -> None:
    """`cluster` (--engine local) reads the relations as row-number arrays: the communities (and
    their numbering) are louvain_communities' on the same ids and edges, a lonely persona gets -1."""
    store, _, (ids, vectors) = world
    lonely = Persona(text="A lighthouse keeper on a rock off Brittany who logs every passing ship")
    store.upsert_personas([lonely])
    embeddings = Embeddings(store, _KeptVectors(), tmp_path / "embeddings")
    embeddings.cache.add([*ids, lonely.id], np.vstack([vectors, np.eye(1, 32, dtype=np.float32)]))
    report = compute_strata(store, embeddings, clusters=4, seed=5, engine="local")
    edges = [(r["src"], r["dst"]) for r in store.iter_relations()]
    expected = louvain_communities(sorted([*ids, lonely.id]), edges, seed=5)
    got = {
        r["id"]: r["community"] for r in store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.community AS community")
    }
    assert got == expected and got[lonely.id] == -1
    assert report.communities == len(set(expected.values()) - {-1}) >= 4 and report.unrelated == 1


def test_sharded_cluster_writes_only_what_changed(world: tuple, tmp_path: Path) -> None:
    """The write-back compares with what the graph holds: a second run with the same seed writes
    nothing and leaves the same values; a persona whose values were changed meanwhile is written again."""
    store, _, (ids, vectors) = world
    embeddings = Embeddings(store, _KeptVectors(), tmp_path / "embeddings")
    embeddings.cache.add(ids, vectors)

    def strata() -> dict[str, tuple[int, int]]:
        rows = store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.cluster AS c, p.community AS m")
        return {r["id"]: (r["c"], r["m"]) for r in rows}

    store.cypher("MATCH (p:Persona) REMOVE p.cluster, p.community", write=True)
    first = compute_strata(store, embeddings, clusters=4, seed=5, engine="local")
    after_first = strata()
    assert first.written == len(ids) == first.personas
    assert all(c is not None and m is not None for c, m in after_first.values())
    again = compute_strata(store, embeddings, clusters=4, seed=5, engine="local")
    assert again.written == 0 and strata() == after_first and again.as_dict() == first.as_dict()
    moved = ids[3]
    store.cypher("MATCH (p:Persona {id: $id}) SET p.cluster = 99", {"id": moved}, write=True)
    store.cypher("MATCH (p:Persona {id: $id}) REMOVE p.community", {"id": ids[5]}, write=True)
    third = compute_strata(store, embeddings, clusters=4, seed=5, engine="local")
    assert third.written == 2 and strata() == after_first


def test_large_write_back_goes_in_record_order_without_the_cluster_index(
    world: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write-back of at least LARGE_WRITE personas goes in record order (element ids #bucket:position
    ascending) and, on the embedded store, without the cluster index, which is back afterwards."""
    from personagraph.sampling import strata_sharded

    store, _, (ids, vectors) = world
    embeddings = Embeddings(store, _KeptVectors(), tmp_path / "embeddings")
    embeddings.cache.add(ids, vectors)
    store.cypher("MATCH (p:Persona) REMOVE p.cluster, p.community", write=True)
    monkeypatch.setattr(strata_sharded, "LARGE_WRITE", len(ids))
    monkeypatch.setattr(strata_sharded, "WRITE_ROWS", 1)
    written: list[str] = []
    index_during: list[bool] = []

    def after_each_write(stage: str) -> None:  # the package's crash-harness hook, called after each transaction
        if stage != "strata_set":
            return
        rows = store.cypher("MATCH (p:Persona) WHERE p.cluster IS NOT NULL RETURN elementId(p) AS rid")
        written.extend(sorted({r["rid"] for r in rows} - set(written)))
        index_during.append(any(r["name"] == "persona_cluster" for r in store.run("schema_indexes")))

    monkeypatch.setattr(strata_sharded, "checkpoint", after_each_write)
    report = compute_strata(store, embeddings, clusters=4, seed=5, engine="local")
    assert report.written == len(ids) == len(written) == len(index_during)

    def position(rid: str) -> tuple[int, ...]:
        return tuple(int(x) for x in rid.lstrip("#").split(":"))

    rid_of = {r["id"]: r["rid"] for r in store.cypher("MATCH (p:Persona) RETURN p.id AS id, elementId(p) AS rid")}
    in_id_order = [position(rid_of[i]) for i in sorted(ids)]
    assert [position(r) for r in written] == sorted(in_id_order) != in_id_order
    dropped = store.capabilities.droppable_indexes
    assert index_during == [not dropped] * len(ids)
    assert any(r["name"] == "persona_cluster" for r in store.run("schema_indexes"))
    clusters = store.cypher("MATCH (p:Persona) RETURN p.cluster AS c, p.community AS m")
    assert all(r["c"] is not None and r["m"] is not None for r in clusters)


def test_a_range_read_keeps_only_the_page_s_own_ids(world: tuple) -> None:
    store, personas, _ = world
    ids = sorted(p.id for p in personas)
    sources = sorted({r["src"] for r in store.iter_relations()})
    page = sorted({ids[0], sources[len(sources) // 2], ids[-1]})  # its range holds every persona
    got = store.range_columns("page_relations", page, "src")
    expected = [r for r in store.iter_relations() if r["src"] in page]
    assert set(got["src"]) <= set(page) and got["src"] == sorted(got["src"])
    assert len(got["src"]) == len(expected) > 0
    assert store.range_columns("page_relations", [], "src") == {}
