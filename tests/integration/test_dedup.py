"""Dedup on real stores (embedded ArcadeDB and Bolt): planted near-duplicates, edges kept, idempotence."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from personagraph.config import Settings
from personagraph.dedup.minhash import words
from personagraph.dedup.run import DedupOptions, dedup_graph
from personagraph.embeddings.embeddings import Embeddings
from personagraph.errors import VocabularyError
from personagraph.models import Persona, Relation, SourceText
from personagraph.store import GraphStore
from tests.dedup_support import settings_with_cache
from tests.persona_corpus import generated_personas, persona_hub_texts

EDITS = ("swap", "filler", "case", "punct", "word", "delete")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_with_cache(tmp_path_factory.mktemp("dedup-cache"))


def embeddings(store: GraphStore, settings: Settings) -> Embeddings:
    return Embeddings.for_store(store, "static", settings)


def sample_texts() -> list[str]:
    return list(generated_personas())


def edit(text: str, kind: str) -> str:
    w = text.split()
    i = len(w) // 2
    if kind == "swap":
        w[i - 1], w[i] = w[i], w[i - 1]
    elif kind == "filler":
        w.insert(i, "really")
    elif kind == "case":  # (case alone gives the same content id: not even a near-duplicate)
        return " ".join(w[:i]).upper() + " -- " + " ".join(w[i:])
    elif kind == "punct":
        w[i] = w[i] + ";"
        return " ".join(w).rstrip(".") + "!!!"
    elif kind == "word":
        w[i] = "remarkably" if w[i] != "remarkably" else "notably"
    else:
        del w[i]
    return " ".join(w)


def long_texts(k: int) -> list[str]:
    return [t for t in sample_texts() if len(set(words(t))) >= 18 and t.isascii()][:k]


FUNCTION_WORDS = frozenset({"with", "who", "a", "an", "for", "of", "in", "from", "the", "at", "on", "and", "to"})


def short_texts(k: int) -> list[str]:
    """Short personas: a one-word edit takes word Jaccard below 0.9, so only embeddings catch it.

    The edit falls on the middle word; it is a function word here, so the copy means the same
    (a content word swapped for "remarkably" takes the static model's cosine to 0.86-0.90 on
    the generated personas, a different persona rather than a copy)."""
    return [
        t
        for t in sample_texts()
        if 9 <= len(set(words(t))) <= 12 and t.isascii() and t.split()[len(t.split()) // 2].lower() in FUNCTION_WORDS
    ][:k]


def build_graph(store: GraphStore, n_base: int = 30, n_planted: int = 12, seed: int = 0) -> dict[str, Any]:
    """Personas with planted near-copies, random relations, provenance, samples and batches."""
    rng = np.random.default_rng(seed)
    base = [Persona(text=t, hop=1) for t in short_texts(3) + long_texts(n_base - 3)]
    kinds = ["word", "delete", "word"] + [EDITS[k % len(EDITS)] for k in range(n_planted - 3)]
    copies = [Persona(text=edit(base[k].text, kind), hop=2) for k, kind in enumerate(kinds)]
    people = base + copies
    store.upsert_personas(people)
    ids = [p.id for p in people]
    types = list(store.vocabulary.types)
    relations = []
    for _ in range(120):
        a, b = rng.choice(len(ids), 2, replace=False)
        relations.append(
            Relation(src=ids[a], dst=ids[b], type=types[int(rng.integers(len(types)))], props={"run": "t"})
        )
    for k in range(n_planted):  # an edge between a persona and its own copy, and parallel ones to a third
        relations.append(Relation(src=ids[k], dst=ids[n_base + k], type="FRIEND_OF"))
        relations.append(Relation(src=ids[k], dst=ids[-1 - k], type="COLLEAGUE"))
        relations.append(Relation(src=ids[n_base + k], dst=ids[-1 - k], type="COLLEAGUE"))
    store.add_relations(relations)
    text = SourceText(text="A web page about nurses and welders.")
    store.upsert_texts([text])
    store.link_derived_from([{"persona": i, "text": text.id, "props": {"model": "m"}} for i in (ids[0], ids[n_base])])
    store.cypher(
        "UNWIND $ids AS id MATCH (p:Persona {id: id}) CREATE (:Sample {id: 's_' + id, task: 'math'})-[:GENERATED_BY]->(p)",
        {"ids": [ids[1], ids[n_base + 1]]},
        write=True,
    )
    store.cypher("CREATE (:Batch {id: 'b1', task: 'math'})", write=True)
    store.cypher(
        "UNWIND $ids AS id MATCH (p:Persona {id: id}), (b:Batch {id: 'b1'}) CREATE (p)-[:USED_IN]->(b)",
        {"ids": [ids[2], ids[n_base + 2], ids[5]]},
        write=True,
    )
    return {"base": base, "copies": copies, "ids": ids}


def edges(store: GraphStore) -> Counter[tuple[str, str, str]]:
    rows = store.cypher(
        "MATCH (a)-[r]->(b) RETURN a.id AS src, type(r) AS type, b.id AS dst, coalesce(r.count, 1) AS w"
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        counts[(row["src"], row["type"], row["dst"])] += int(row["w"])
    return counts


def snapshot(store: GraphStore) -> tuple[Any, ...]:
    personas = store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.aliases AS aliases, p.uses AS uses ORDER BY id")
    return personas, sorted(edges(store).items()), store.count("DedupRun")


def test_planted_near_duplicates_are_merged_with_every_edge(store: GraphStore, settings: Settings) -> None:
    graph = build_graph(store)
    before = edges(store)
    dry = dedup_graph(store, embeddings(store, settings), DedupOptions(embedder="static"), dry_run=True)
    expected = {c.id: b.id for b, c in zip(graph["base"], graph["copies"], strict=False)}
    found = {d: g.canonical for g in dry.groups for d in g.duplicates}
    assert found == expected  # every planted copy, nothing else; the hop-1 original is canonical
    assert {g.stage for g in dry.groups} >= {"minhash", "embedding"}

    said: list[str] = []
    report = dedup_graph(store, embeddings(store, settings), DedupOptions(embedder="static"), echo=said.append)
    assert report.merge["personas_merged"] == len(expected) == report.personas_before - report.personas_after
    assert f"merged {len(expected):,} of {len(expected):,} duplicates" in said  # the merge says how far it is
    assert store.count("Persona") == len(graph["ids"]) - len(expected)

    # The multiset of edges, endpoints mapped to canonicals, is kept (parallel ones as `count`),
    # except the edges inside a group, which would be self-loops.
    mapped: Counter[tuple[str, str, str]] = Counter()
    internal = 0
    for (src, rel_type, dst), w in before.items():
        src, dst = expected.get(src, src), expected.get(dst, dst)
        if src == dst:
            internal += w
        else:
            mapped[(src, rel_type, dst)] += w
    assert edges(store) == mapped
    assert report.merge["internal_edges_dropped"] == internal
    assert store.cypher("MATCH (a)-[r]->(a) RETURN count(r) AS n") == [{"n": 0}]
    assert sum(before.values()) - internal - report.merge["parallel_edges_merged"] == sum(
        1 for _ in store.cypher("MATCH ()-[r]->() RETURN r")
    )

    # Aliases: ids and texts of the merged copies.
    for base, copy in zip(graph["base"], graph["copies"], strict=False):
        row = store.cypher("MATCH (p:Persona {id: $id}) RETURN p.aliases AS a, p.alias_texts AS t", {"id": base.id})[0]
        assert row["a"] == [copy.id] and row["t"] == [copy.text]
    run = store.cypher(
        "MATCH (r:DedupRun) RETURN r.personas_merged AS merged, r.embedder AS embedder, r.cosine AS cosine, "
        "r.jaccard AS jaccard, r.groups_minhash AS gm, r.groups_embedding AS ge"
    )
    assert run == [
        {
            "merged": len(expected),
            "embedder": "static",
            "cosine": 0.9,
            "jaccard": 0.9,
            "gm": report.groups_by_stage["minhash"],
            "ge": report.groups_by_stage["embedding"],
        }
    ]

    # The same run again changes nothing.
    state = snapshot(store)
    again = dedup_graph(store, embeddings(store, settings), DedupOptions(embedder="static"))
    assert again.groups == [] and snapshot(store) == state


def test_dry_run_changes_nothing(store: GraphStore, settings: Settings) -> None:
    build_graph(store, n_base=12, n_planted=6, seed=1)
    state = snapshot(store)
    report = dedup_graph(store, embeddings(store, settings), DedupOptions(embedder="static"), dry_run=True)
    assert len(report.groups) == 6 and report.merge == {}
    assert snapshot(store) == state
    rows = report.group_rows()
    assert [r["action"] for r in rows[:2]] == ["keep", "merge"] and rows[0]["text"]


# Over Bolt only in `make test-all` (``exhaustive``): writing the 5,000 real personas through the server cost
# 34.4 s of CPU (the Bolt server's included) and 35.6 s of one worker's wall, the embedded half 6.0 s. What
# the Bolt half adds is proved cheaper in `make test`: that dedup finds nothing among these texts does not
# depend on the executor (the embedded half), and dedup's reads and merges over Bolt are
# test_planted_near_duplicates_are_merged_with_every_edge[bolt]'s. A bare clone, without the sample, skips both.
@pytest.mark.slow  # 5,000 real personas (runs only where the Persona Hub sample is found)
@pytest.mark.parametrize(
    "store", ["embedded", pytest.param("bolt", marks=[pytest.mark.bolt, pytest.mark.exhaustive])], indirect=True
)
def test_real_distinct_personas_are_not_merged(store: GraphStore, settings: Settings) -> None:
    """The 5,000 real Persona Hub personas hold no duplicates: both stages find none."""
    store.upsert_personas([Persona(text=t) for t in persona_hub_texts()])
    report = dedup_graph(store, embeddings(store, settings), DedupOptions(embedder="static"), dry_run=True)
    assert report.personas_before == 5000
    assert report.groups == [], report.group_rows(5)
    # Without the surface-overlap check the English-only static model does pair up distinct
    # non-English personas: the check is what keeps them apart.
    loose = dedup_graph(
        store,
        embeddings(store, settings),
        DedupOptions(embedder="static", stage="embedding", min_overlap=0.0),
        dry_run=True,
    )
    assert loose.groups and all(not loose.texts[g.canonical].isascii() for g in loose.groups)


def test_unknown_edge_type_stops_the_merge_before_any_change(embedded_store: GraphStore, settings: Settings) -> None:
    graph = build_graph(embedded_store, n_base=8, n_planted=2)
    embedded_store.cypher(
        "MATCH (a:Persona {id: $a}), (b:Persona {id: $b}) CREATE (a)-[:ARCH_NEMESIS]->(b)",
        {"a": graph["copies"][0].id, "b": graph["ids"][3]},
        write=True,
    )
    state = snapshot(embedded_store)
    with pytest.raises(VocabularyError, match="ARCH_NEMESIS"):
        dedup_graph(embedded_store, embeddings(embedded_store, settings), DedupOptions(embedder="static"))
    assert snapshot(embedded_store) == state


def test_minhash_only_and_leaders(embedded_store: GraphStore, settings: Settings) -> None:
    graph = build_graph(embedded_store, n_base=12, n_planted=6)
    report = dedup_graph(
        embedded_store, embeddings(embedded_store, settings), DedupOptions(stage="minhash"), dry_run=True
    )
    # Word 1-gram Jaccard catches swaps, case, punctuation, filler in long texts, but not a
    # one-word change in a short one (J = (n-1)/(n+1) < 0.9 under 19 words).
    copies = {c.id for c in graph["copies"]}
    found = {d for g in report.groups for d in g.duplicates}
    assert found <= copies and {graph["copies"][k].id for k in (3, 4, 5)} <= found
    assert graph["copies"][0].id not in found and graph["copies"][2].id not in found
    assert "embedding" not in report.groups_by_stage
    leaders = dedup_graph(
        embedded_store,
        embeddings(embedded_store, settings),
        DedupOptions(embedder="static", linkage="leaders"),
        dry_run=True,
    )
    assert {d for g in leaders.groups for d in g.duplicates} == copies


def test_sharded_run_times_each_step_once(embedded_store: GraphStore, settings: Settings) -> None:
    """The steps' seconds add up to no more than the run: no step's clock ran over another's."""
    build_graph(embedded_store, n_base=12, n_planted=6)
    started = time.perf_counter()
    report = dedup_graph(
        embedded_store, embeddings(embedded_store, settings), DedupOptions(embedder="static"), engine="local"
    )
    elapsed = time.perf_counter() - started
    assert report.duplicates > 0 and {"load personas", "similarity search", "graph merge"} <= set(report.seconds)
    assert sum(report.seconds.values()) <= elapsed


def test_run_columns_matches_rows(store: GraphStore) -> None:
    people = [Persona(text=t, hop=k % 3) for k, t in enumerate(long_texts(7))]
    store.upsert_personas(people)
    columns = store.run_columns("dedup_personas")
    rows = store.run("dedup_personas")
    assert sorted(columns) == ["created_at", "hop", "id", "text"]
    got = sorted(zip(columns["id"], columns["text"], [int(h) for h in columns["hop"]], strict=True))
    assert got == sorted((r["id"], r["text"], r["hop"]) for r in rows) == sorted((p.id, p.text, p.hop) for p in people)


def test_large_merge_without_indexes_keeps_edges_and_indexes(embedded_store: GraphStore) -> None:
    from personagraph.dedup.merge import Group, merge_groups

    graph = build_graph(embedded_store, n_base=10, n_planted=5, seed=3)
    before = edges(embedded_store)
    mapping = {c.id: b.id for b, c in zip(graph["base"], graph["copies"], strict=False)}
    counts = merge_groups(embedded_store, [Group(b, (c,)) for c, b in mapping.items()], drop_indexes=True)
    assert counts.personas_merged == 5
    expected: Counter[tuple[str, str, str]] = Counter()
    for (src, rel_type, dst), w in before.items():
        src, dst = mapping.get(src, src), mapping.get(dst, dst)
        if src != dst:
            expected[(src, rel_type, dst)] += w
    assert edges(embedded_store) == expected
    # The property indexes are back (asked of the engine's schema itself).
    schema = embedded_store.executor.db._java_db.getSchema()  # type: ignore[attr-defined]
    names = {str(index.getName()) for index in schema.getIndexes()}
    assert {"persona_hop", "persona_origin", "persona_cluster", "persona_expanded_at", "persona_uses"} <= names
    assert embedded_store.cypher("MATCH (p:Persona) WHERE p.hop = 1 RETURN count(p) AS n")[0]["n"] == 10
    with pytest.raises(ValueError, match="overlap"):
        merge_groups(
            embedded_store, [Group(graph["ids"][0], (graph["ids"][1],)), Group(graph["ids"][1], (graph["ids"][2],))]
        )


def test_edges_between_duplicates_of_different_groups(store: GraphStore) -> None:
    from personagraph.dedup.merge import Group, merge_groups

    p = [Persona(text=f"Persona number {k} of a small test graph") for k in range(6)]
    store.upsert_personas(p)
    a, a2, b, b2, c, c2 = (x.id for x in p)  # groups: a <- a2, b <- b2, c <- c2
    rels = [
        (a2, b2, "RIVAL"),
        (b2, a2, "RIVAL"),
        (a2, c2, "MENTOR_OF"),
        (c2, b2, "FRIEND_OF"),
        (a, b2, "RIVAL"),
        (b2, a2, "COLLEAGUE"),
        (c2, c, "FRIEND_OF"),
        (a2, a2, "FRIEND_OF"),
    ]
    store.add_relations([Relation(src=s, dst=d, type=t) for s, d, t in rels])
    counts = merge_groups(store, [Group(a, (a2,)), Group(b, (b2,)), Group(c, (c2,))])
    assert counts.personas_merged == 3 and counts.kept_with_edges == []
    assert edges(store) == Counter(
        {(a, "RIVAL", b): 2, (b, "RIVAL", a): 1, (a, "MENTOR_OF", c): 1, (c, "FRIEND_OF", b): 1, (b, "COLLEAGUE", a): 1}
    )
    assert counts.internal_edges_dropped == 2  # c2 -> c and the self-loop a2 -> a2


@pytest.mark.slow  # the whole demo dedup stage, run twice: the slowest in-process test (120 s of 544 at load 24)
@pytest.mark.minilm  # the demo's embedder
def test_demo_stage_on_the_example_world(embedded_store: GraphStore, settings: Settings) -> None:
    from personagraph.demo.dedup import run as demo_stage
    from personagraph.ingest.importer import import_file

    world = Path(__file__).resolve().parents[2] / "examples" / "world"
    for name in ("personas.jsonl", "relations.jsonl"):
        import_file(embedded_store, world / name)
    before = embedded_store.count("Persona")
    lines: list[str] = []
    report = demo_stage(embedded_store, settings, lines.append)
    assert report.merge["personas_merged"] == 3 and embedded_store.count("Persona") == before
    assert {g.stage for g in report.groups} == {"minhash", "embedding"}
    assert any("idempotent" in line and "finds 0 groups" in line for line in lines)
