"""`similar` (semantic search) and `reach` (relations only, not the ledger) on the example world, both stores."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from personagraph import explore
from personagraph.errors import ConfigError
from personagraph.store import GraphStore
from tests.dedup_support import settings_with_cache
from tests.integration.world_reference import load, reference


@pytest.fixture
def world_store(store: GraphStore) -> GraphStore:
    load(store, reference())
    return store


@pytest.mark.parametrize("embedder", ["static", pytest.param("minilm", marks=pytest.mark.minilm)])
def test_similar_finds_a_persona_by_its_own_words_first(world_store: GraphStore, tmp_path: Path, embedder: str) -> None:
    world = reference()
    settings = settings_with_cache(tmp_path / "cache")  # the shared distilled static model
    pid, person = sorted(world.personas.items())[7]
    rows = explore.run(world_store, "similar", {"q": person["text"], "limit": 5, "embedder": embedder}, settings)
    assert len(rows) == 5 and rows[0]["id"] == pid and rows[0]["text"] == person["text"]
    assert rows[0]["score"] == pytest.approx(1.0, abs=1e-3)
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True) and scores[-1] < scores[0]
    assert len({r["id"] for r in rows}) == 5 and all(r["id"] in world.personas for r in rows)


def test_similar_needs_a_text(world_store: GraphStore) -> None:
    with pytest.raises(ConfigError, match="q"):
        explore.run(world_store, "similar", {"q": "  "})
    with pytest.raises(ConfigError, match="needs q"):
        explore.run(world_store, "similar", {})


def test_reach_counts_relations_only_where_an_untyped_walk_goes_through_the_ledger(world_store: GraphStore) -> None:
    world = reference()
    ledger = {pid for members in world.batches.values() for pid in members}
    pid = max(sorted(ledger), key=lambda p: world.multi.degree(p))
    expected_reach = len(nx.single_source_shortest_path_length(world.simple, pid, cutoff=2)) - 1
    row = explore.run(world_store, "reach", {"id": pid})[0]
    assert row == {"id": pid, "degree": world.multi.degree(pid), "reach_2": expected_reach}
    # The untyped pattern a Neo4j user writes first walks USED_IN to :Batch (and DERIVED_FROM to :Text).
    naive = world_store.cypher(
        "MATCH (p:Persona {id: $id})-[*1..2]-(n:Persona) WHERE n <> p RETURN count(DISTINCT n) AS n, "
        "COUNT { (p)--() } AS degree",
        {"id": pid},
    )[0]
    assert naive["degree"] > row["degree"] and naive["n"] > row["reach_2"]
