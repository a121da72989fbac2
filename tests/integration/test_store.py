"""The store suite, run on embedded ArcadeDB and over Bolt with the neo4j driver."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from personagraph.errors import ConfigError, QueryError, ReadOnlyError, StoreConflictError, VocabularyError
from personagraph.models import Persona, Relation, SourceText
from personagraph.store import GraphStore, open_store
from personagraph.store.base import Capabilities
from personagraph.store.graph import Transaction


def _personas(n: int) -> list[Persona]:
    return [Persona(text=f"A ship welder number {i} on the night shift") for i in range(n)]


def test_upsert_is_idempotent(store: GraphStore) -> None:
    people = _personas(25)
    assert store.upsert_personas(people, batch_size=10) == 25
    assert store.upsert_personas(people, batch_size=7) == 0
    assert store.count("Persona") == 25
    row = store.persona(people[3].id)
    assert row is not None and row["text"] == people[3].text and row["hop"] == 0 and row["uses"] == 0


def test_relations_merge_and_stats(store: GraphStore) -> None:
    people = _personas(6)
    store.upsert_personas(people)
    rels = [Relation(src=people[i].id, dst=people[i + 1].id, type="COLLEAGUE", props={"run": "t"}) for i in range(5)]
    rels.append(Relation(src=people[0].id, dst=people[5].id, type="RIVAL"))
    assert store.add_relations(rels) == 6
    assert store.add_relations(rels) == 6  # matched again, created nothing
    stats = store.stats()
    assert stats["relations"] == {"COLLEAGUE": 5, "RIVAL": 1}
    assert stats["labels"]["Persona"] == 6
    assert sum(stats["degree"].values()) == 6
    assert stats["degree"] == {"2": 6}
    edges = list(store.iter_relations(batch_size=4))
    assert len(edges) == 6 and {e["type"] for e in edges} == {"COLLEAGUE", "RIVAL"}
    assert all(e["props"].get("run") == "t" for e in edges if e["type"] == "COLLEAGUE")


def test_unknown_relation_type_is_refused(store: GraphStore) -> None:
    people = _personas(2)
    store.upsert_personas(people)
    with pytest.raises(VocabularyError):
        store.add_relations([Relation(src=people[0].id, dst=people[1].id, type="ARCH_NEMESIS")])
    with pytest.raises(VocabularyError):
        store.add_relations([Relation(src=people[0].id, dst=people[1].id, type="RIVAL]->() DETACH DELETE (x")])
    assert store.stats()["relations"] == {}


def test_read_only_refuses_writes_and_changes_nothing(store: GraphStore) -> None:
    store.upsert_personas(_personas(3))
    with pytest.raises(ReadOnlyError):
        store.cypher("MATCH (p:Persona) DETACH DELETE p")
    with pytest.raises(ReadOnlyError):
        store.cypher("CREATE (:Persona {id: 'x', text: 'y'})")
    assert store.count("Persona") == 3
    # A write clause hidden in a string literal is not a write.
    rows = store.cypher("MATCH (p:Persona) WHERE p.text <> 'CREATE' RETURN count(p) AS n")
    assert rows == [{"n": 3}]


def test_syntax_error_names_query_and_position(store: GraphStore) -> None:
    with pytest.raises(QueryError) as info:
        store.cypher("MATCH (p:Persona RETURN p")
    assert "MATCH (p:Persona RETURN p" in str(info.value)
    assert "1:17" in str(info.value) or "line 1" in str(info.value).lower()


def test_constraint_violation_is_a_query_error(store: GraphStore) -> None:
    person = _personas(1)[0]
    store.upsert_personas([person])
    with pytest.raises(QueryError):
        store.cypher("CREATE (p:Persona {id: $id, text: 'dup'})", {"id": person.id}, write=True)
    assert store.count("Persona") == 1


def test_values_are_plain_python(store: GraphStore) -> None:
    people = _personas(2)
    store.upsert_personas(people)
    store.add_relations([Relation(src=people[0].id, dst=people[1].id, type="MENTOR_OF", props={"hop": 1})])
    store.cypher(
        "MATCH (p:Persona {id: $id}) SET p.embedding = $v", {"id": people[0].id, "v": [0.25] * 384}, write=True
    )
    rows = store.cypher("MATCH (a:Persona)-[r]->(b) RETURN a, r, b, a.embedding AS v")
    assert len(rows) == 1
    row = rows[0]
    assert row["a"]["_labels"] == ["Persona"] and row["a"]["id"] == people[0].id
    assert row["r"]["_type"] == "MENTOR_OF" and row["r"]["_start"] == people[0].id and row["r"]["_end"] == people[1].id
    assert row["r"]["hop"] == 1 and isinstance(row["r"]["hop"], int)
    assert isinstance(row["v"], list) and len(row["v"]) == 384 and all(isinstance(x, float) for x in row["v"])


def test_texts_and_provenance(store: GraphStore) -> None:
    text = SourceText(text="The night shift at the shipyard starts at ten.", source="examples")
    person = Persona(text="A shipyard welder who works nights", origin="text")
    assert store.upsert_texts([text]) == 1
    assert store.upsert_texts([text]) == 0
    store.upsert_personas([person])
    store.link_derived_from([{"persona": person.id, "text": text.id, "props": {"model": "m", "run": "r1"}}])
    rows = store.cypher("MATCH (p:Persona)-[d:DERIVED_FROM]->(t:Text) RETURN p.id AS p, t.id AS t, d.model AS model")
    assert rows == [{"p": person.id, "t": text.id, "model": "m"}]


def test_capabilities_are_typed_flags(store: GraphStore) -> None:
    caps = store.capabilities
    assert isinstance(caps, Capabilities)
    with pytest.raises(AttributeError):
        caps.bulk_load = not caps.bulk_load  # type: ignore[misc]
    if store.kind == "embedded":
        assert caps.single_process and caps.bulk_load and caps.droppable_indexes and caps.columnar_reads
        assert store.side_folder() == Path(store.location)
        assert store.bulk_loader() is not None
    else:  # ArcadeDB's Bolt server: shared by processes, no batch API, no vector procedures
        assert caps == Capabilities()
        assert store.side_folder() is None and store.bulk_loader() is None
    store.upsert_personas(_personas(3))
    columns = store.run_columns("dedup_personas")
    assert sorted(columns["id"]) == sorted(p.id for p in _personas(3))


def test_transaction_run_fills_type_and_relations_slots(store: GraphStore) -> None:
    a, b, c = _personas(3)
    store.upsert_personas([a, b, c])

    def work(tx: Transaction) -> tuple[list[Any], list[Any]]:
        tx.run("add_relations", rel_type="RIVAL", rows=[{"src": a.id, "dst": b.id, "props": {}}])
        tx.run("add_relations", rel_type="MENTOR_OF", rows=[{"src": b.id, "dst": c.id, "props": {}}])
        counted = tx.run("count_relation_type", rel_type="RIVAL")
        # __RELATIONS__: the vocabulary's types, as GraphStore.run fills them; reads see the writes.
        path = tx.run("explore/shortest_path", a=a.id, b=c.id)
        return counted, path

    counted, path = store.transaction(work)
    assert counted == [{"n": 1}]
    assert len(path) == 1 and path[0]["hops"] == 2 and path[0]["relations"] == ["RIVAL", "MENTOR_OF"]
    assert store.run("explore/shortest_path", a=a.id, b=c.id)[0]["ids"] == [a.id, b.id, c.id]

    def bad(tx: Transaction) -> None:
        tx.run("add_relations", rel_type="RIVAL", rows=[{"src": b.id, "dst": c.id, "props": {}}])
        tx.run("add_relations", rel_type="ARCH_NEMESIS", rows=[{"src": a.id, "dst": c.id, "props": {}}])

    with pytest.raises(VocabularyError):
        store.transaction(bad)
    assert store.stats()["relations"] == {"RIVAL": 1, "MENTOR_OF": 1}  # nothing of the failed transaction


def test_schema_runner_runs_every_statement(store: GraphStore) -> None:
    person = _personas(1)[0]
    store.upsert_personas([person])
    store.run_script("dedup_drop_persona_indexes")
    store.run_script("schema")
    store.run_script("schema")  # idempotent: IF NOT EXISTS
    if store.kind == "embedded":  # the indexes dropped and re-made, asked of the engine's schema
        schema = store.executor.db._java_db.getSchema()  # type: ignore[attr-defined]
        names = {str(index.getName()) for index in schema.getIndexes()}
        assert {"persona_hop", "persona_origin", "persona_cluster", "persona_expanded_at", "persona_uses"} <= names
    with pytest.raises(QueryError):  # the unique id survives (it is not among the dropped)
        store.cypher("CREATE (p:Persona {id: $id, text: 'dup'})", {"id": person.id}, write=True)
    with pytest.raises(ConfigError):
        store.run_script("no_such_script")


def _rival_writer(store: GraphStore, request: pytest.FixtureRequest) -> tuple[Any, Any]:
    """A second writer on the same database, outside ``store``'s transactions: (write function, close)."""
    if store.kind == "embedded":
        # The executor serialises its own transactions, so the rival goes to the engine directly.
        db = store.executor.db  # type: ignore[attr-defined]

        def write(cypher: str, params: dict[str, Any]) -> None:
            db.run_in_transaction(lambda: db.command("opencypher", cypher, params))

        return write, lambda: None
    other = open_store(store.location, request.getfixturevalue("bolt_server").settings())
    return (lambda cypher, params: other.cypher(cypher, params, write=True)), other.close


def test_write_conflict_raises_store_conflict_error(store: GraphStore, request: pytest.FixtureRequest) -> None:
    """Two transactions create the same unique id: a rival's, from another thread, commits first.

    The store retries once (the duplicate may have been a race it can absorb); on the retry the id
    is taken for good, and the conflict reaches the caller as its own class.
    """
    batch_id = "b_conflict"
    rival, close = _rival_writer(store, request)
    attempts = Counter[str]()

    def record(tx: Transaction) -> list[Any]:
        attempts["ours"] += 1
        rows = tx.run("sampling/record_batch", id=batch_id, props={"who": "ours"}, ids=[])
        if attempts["ours"] == 1:  # our transaction is open and holds the new id; the rival's commits
            thread = threading.Thread(target=rival, args=("CREATE (:Batch {id: $id, who: 'rival'})", {"id": batch_id}))
            thread.start()
            thread.join()
        return rows

    try:
        with pytest.raises(StoreConflictError) as info:
            store.transaction(record, name="record_batch.cypher")
    finally:
        close()
    assert isinstance(info.value, QueryError) and "record_batch" in str(info.value)
    assert attempts["ours"] >= 1
    assert store.cypher("MATCH (b:Batch) RETURN b.id AS id, b.who AS who") == [{"id": batch_id, "who": "rival"}]


def test_iter_relations_returns_every_edge_once(store: GraphStore) -> None:
    """Keyset pages by source: a persona whose edges outnumber a page, personas with none, several types."""
    people = _personas(23)
    store.upsert_personas(people)
    hub, *others = (p.id for p in people)
    rels = [Relation(src=hub, dst=o, type="COLLEAGUE", props={"hop": 2, "run": "r"}) for o in others]
    rels += [Relation(src=hub, dst=o, type="RIVAL") for o in others[:7]]  # parallel edges of another type
    rels += [Relation(src=o, dst=hub, type="MENTOR_OF") for o in others[::3]]  # every third has one out-edge
    rels += [Relation(src=others[4], dst=o, type="FRIEND_OF") for o in others[10:14]]
    assert store.add_relations(rels) == len(rels)
    expected = sorted((r.src, r.type, r.dst) for r in rels)
    for batch_size in (1, 3, 4, 22, 23, 1000):
        edges = list(store.iter_relations(batch_size=batch_size))
        assert sorted((e["src"], e["type"], e["dst"]) for e in edges) == expected, batch_size
    srcs = [e["src"] for e in store.iter_relations(batch_size=3)]
    assert srcs == sorted(srcs)  # grouped by source, in id order
    colleague = next(e for e in edges if e["type"] == "COLLEAGUE")
    assert colleague["props"]["hop"] == 2 and isinstance(colleague["props"]["hop"], int)
    assert colleague["props"]["run"] == "r"
    assert next(e for e in edges if e["type"] == "RIVAL")["props"] == {}
    assert store.cypher("MATCH (:Persona)-[r]->(:Persona) RETURN count(r) AS n") == [{"n": len(rels)}]
