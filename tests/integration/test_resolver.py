"""Insert-time resolution: NearDuplicateResolver against the graph and within a batch, and import through it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personagraph.config import Settings
from personagraph.dedup.resolver import NearDuplicateResolver
from personagraph.embeddings.embeddings import Embeddings
from personagraph.ingest.importer import import_file
from personagraph.models import Persona
from personagraph.resolve import ExactResolver, Resolver
from personagraph.store import GraphStore
from tests.dedup_support import settings_with_cache
from tests.integration.test_dedup import edit, long_texts, short_texts


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_with_cache(tmp_path_factory.mktemp("resolver-cache"))


def test_protocol() -> None:
    assert isinstance(NearDuplicateResolver(None), Resolver)
    assert isinstance(ExactResolver(), Resolver)


def test_resolver_against_graph_and_batch(store: GraphStore, settings: Settings) -> None:
    longs, shorts = long_texts(20), short_texts(4)
    store.upsert_personas([Persona(text=t) for t in longs + shorts[:2]])
    resolver = NearDuplicateResolver(Embeddings.for_store(store, "static", settings))
    swap, word = Persona(text=edit(longs[0], "swap")), Persona(text=edit(shorts[0], "word"))
    fresh = Persona(text=shorts[2])
    fresh_copy = Persona(text=edit(shorts[2], "word"))
    fresh_copy2 = Persona(text=edit(shorts[2], "swap"))
    same = Persona(text=longs[1])  # already in the graph under the same id: not a near-duplicate
    batch = [swap, word, fresh, fresh_copy, same, fresh_copy2]
    mapping = resolver.resolve(store, batch)
    assert mapping == {
        swap.id: Persona(text=longs[0]).id,
        word.id: Persona(text=shorts[0]).id,
        fresh_copy.id: fresh.id,
        fresh_copy2.id: fresh.id,
    }
    # The next batch sees the new persona of the previous one (the caller writes it).
    store.upsert_personas([fresh])
    later = Persona(text=edit(shorts[2], "delete"))
    assert resolver.resolve(store, [later, Persona(text=shorts[3])]) == {later.id: fresh.id}
    # MinHash only: the one-word edit of a short text is not caught, the swap is.
    minhash_only = NearDuplicateResolver(None)
    assert minhash_only.resolve(store, [swap, word]) == {swap.id: Persona(text=longs[0]).id}


def test_import_through_the_resolver(store: GraphStore, settings: Settings, tmp_path: Path) -> None:
    longs, shorts = long_texts(10), short_texts(2)
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps({"persona": t}) + "\n" for t in longs + shorts))
    import_file(store, first)
    copy_long, copy_short = edit(longs[0], "filler"), edit(shorts[0], "word")
    second = tmp_path / "second.jsonl"
    records = [
        {"persona": copy_long},
        {"persona": copy_short},
        {"persona": "A lighthouse keeper who paints storms."},
        {"persona": edit("A lighthouse keeper who paints storms.", "swap")},
    ]
    second.write_text("".join(json.dumps(r) + "\n" for r in records))
    resolver = NearDuplicateResolver(Embeddings.for_store(store, "static", settings))
    report = import_file(store, second, resolver=resolver)
    assert report.personas_new == 1 and store.count("Persona") == 13
    canon = store.cypher(
        "MATCH (p:Persona {id: $id}) RETURN p.aliases AS a, p.alias_texts AS t", {"id": Persona(text=longs[0]).id}
    )
    assert canon == [{"a": [Persona(text=copy_long).id], "t": [copy_long]}]
    # Relations naming near-duplicate texts land on the canonical personas.
    rels = tmp_path / "rels.jsonl"
    rels.write_text(
        json.dumps({"src": copy_short, "dst": copy_long, "type": "RIVAL"})
        + "\n"
        + json.dumps({"src": copy_short, "dst": shorts[0], "type": "RIVAL"})
        + "\n"
    )
    report = import_file(store, rels, resolver=resolver)
    assert store.count("Persona") == 13
    got = store.cypher("MATCH (a:Persona)-[:RIVAL]->(b:Persona) RETURN a.id AS a, b.id AS b")
    assert got == [{"a": Persona(text=shorts[0]).id, "b": Persona(text=longs[0]).id}]  # the other would be a self-loop
    # Importing again through the resolver adds nothing and keeps one alias each.
    import_file(store, second, resolver=resolver)
    assert store.count("Persona") == 13
    assert store.cypher(
        "MATCH (p:Persona {id: $id}) RETURN size(p.aliases) AS n", {"id": Persona(text=longs[0]).id}
    ) == [{"n": 1}]
